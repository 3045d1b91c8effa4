"""Ask for a turn number (replay: jump to the first step at that turn)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from engine.i18n import _

from ..widgets import KeyFooter, TextInput
from .dialog import Dialog


class GotoTurnDialog(Dialog):
    """Returns the turn number, or None."""

    def __init__(self, turns: list[int]) -> None:
        super().__init__()
        self.turns = sorted(set(turns))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Jump to a turn"), classes="dialog-title")
            yield Static(_("Turns in this log: {turns}").format(
                turns=", ".join(map(str, self.turns))),
                         classes="dialog-text")
            yield TextInput(type="integer", id="turn", placeholder=_("turn number"))
            yield Static("", classes="dialog-error", id="goto-error")
            yield Static(_("enter jumps · escape cancels"), classes="dialog-label")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#turn").focus()

    @on(Input.Submitted, "#turn")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            turn = int(event.value)
        except ValueError:
            self.query_one("#goto-error", Static).update("Type a whole number.")
            return
        if turn not in self.turns:
            self.query_one("#goto-error", Static).update(f"No step of this log is at turn {turn}.")
            return
        self.dismiss(turn)
