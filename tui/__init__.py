"""spillover's Textual app and command line. Headless commands never import Textual."""
