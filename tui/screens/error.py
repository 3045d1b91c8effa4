"""A full screen for a problem that stops the app from going on (never a traceback)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from engine.i18n import N_

from ..widgets import KeyFooter


class ErrorScreen(Screen):
    """Lists each problem (e.g. a diagnostic's `format()`), with a quit key."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), id="error.quit"),
        Binding("escape", "app.quit", N_("Quit"), show=False, id="error.quit_escape"),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.error_title = title
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(self.error_title, "bold"), id="error-title")
        with VerticalScroll(id="error-body"):
            for line in self.lines:
                yield Static(Content(line), classes="error-line")
        yield Static(Content.styled("Press q to quit.", "$foreground-muted"), id="error-hint")
        yield KeyFooter()
