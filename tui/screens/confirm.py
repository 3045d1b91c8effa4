"""A yes/no question before an action the facilitator may not mean (enter or y confirms)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from engine.i18n import N_, _

from ..widgets import KeyFooter
from .dialog import Dialog


class ConfirmDialog(Dialog):
    """Returns True when confirmed, None when cancelled (escape or n)."""

    BINDINGS = [Binding("y", "submit", N_("Yes"), id="confirm.yes"),
                Binding("n", "cancel", N_("No"), id="confirm.no")]

    def __init__(self, title: str, question: str, *, confirm: str = N_("Yes")) -> None:
        super().__init__()
        self.dialog_title = title
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title", markup=False)
            yield Static(self.question, classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel (n)"), id="cancel", compact=True)
                yield Button(_("{confirm} (y)").format(confirm=_(self.confirm)), id="ok",
                             variant="primary", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def action_submit(self) -> None:
        self.dismiss(True)
