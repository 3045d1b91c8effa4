"""Said when writing an action to the log failed: the action was NOT recorded, and why."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from engine.i18n import N_, _

from ..widgets import KeyFooter
from .dialog import Dialog


class NotRecordedDialog(Dialog):
    """The session stays open: once the disk has room the facilitator takes the action again."""

    BINDINGS = [Binding("enter", "cancel", N_("Close"), id="not_recorded.close", priority=True)]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="not-recorded"):
            yield Static(Content.styled(_("The action was NOT recorded"), "bold $text-error"),
                         classes="dialog-title")
            yield Static(Content(self.message), classes="dialog-text", id="not-recorded-why")
            yield Static(Content(_("The session is still open, exactly as before the action.")),
                         classes="dialog-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Close (enter)"), id="close", variant="error", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#close").focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
