"""spillover's engine: scenarios, sessions, logs and analysis. Never imports Textual."""

__version__ = "0.1.0"
