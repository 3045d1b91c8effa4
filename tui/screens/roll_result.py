"""The result of a roll, large enough to read on a projector."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from engine.i18n import N_, _
from engine.play.dice import Roll

from ..widgets import BAD, MUTED, OK, KeyFooter, dice_text, lines
from .dialog import Dialog


class RollResultDialog(Dialog):
    # a priority binding: the focused Close button's own enter binding hid it from the footer
    BINDINGS = [Binding("enter", "cancel", N_("Close"), id="roll_result.close", priority=True)]

    def __init__(self, branch_title: str, option_label: str, roll: Roll, sides: int,
                 narrative: str = "") -> None:
        super().__init__()
        self.branch_title = branch_title
        self.option_label = option_label
        self.roll = roll
        self.sides = sides
        self.narrative = narrative

    def compose(self) -> ComposeResult:
        roll = self.roll
        verdict = ((_("SUCCESS"), f"bold {OK}") if roll.success
                   else (_("FAILURE"), f"bold {BAD}"))
        body = [Content.assemble((self.option_label, "bold")), "",
                Content.assemble((roll.dice + ":  ", MUTED), (dice_text(roll.faces, self.sides),
                                                              "bold"))]
        for label, value in roll.modifiers:
            body.append(Content.assemble("   ", (f"{value:+d}", "bold"), f"  {label}"))
        body += ["", Content.assemble(_("Total {total} vs target {target}").format(
            total=roll.total, target=roll.target), "  →  ", verdict)]
        if self.narrative:
            body += ["", Content(self.narrative.strip())]
        with Vertical(classes="dialog", id="roll-result"):
            yield Static(Content.assemble(_("Roll:") + " ", (self.branch_title, "bold")),
                         classes="dialog-title")
            yield Static(lines(body), classes="dialog-text", id="roll-body")
            yield Static(roll.describe(), classes="dialog-label", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Close (enter)"), id="close", variant="primary", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#close").focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
