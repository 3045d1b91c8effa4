"""Said when writing an action to the log failed: the action was NOT recorded, and why."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.i18n import N_, _

from .dialog import ReadOutDialog


class NotRecordedDialog(ReadOutDialog):
    """The session stays open: once the disk has room the facilitator takes the action again."""

    BINDINGS = [Binding("enter", "cancel", N_("Close"), id="not_recorded.close", priority=True)]
    box_id = "not-recorded"
    close_variant = "error"

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def card_title(self) -> Content:
        return Content.styled(_("The action was NOT recorded"), "bold $text-error")

    def card_body(self) -> Iterable[Widget]:
        yield Static(Content(self.message), classes="dialog-text", id="not-recorded-why")
        yield Static(Content(_("The session is still open, exactly as before the action.")),
                     classes="dialog-label")
