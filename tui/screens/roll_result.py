"""The result of a roll, large enough to read on a projector."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.play.dice import Roll

from ..widgets import BAD, MUTED, OK, dice_text, lines
from .dialog import ReadOutDialog


class RollResultDialog(ReadOutDialog):
    BINDINGS = [Binding("enter", "cancel", "Close", id="roll_result.close", priority=True)]
    box_id = "roll-result"

    def __init__(self, branch_title: str, option_label: str, roll: Roll, sides: int,
                 narrative: str = "") -> None:
        super().__init__()
        self.branch_title = branch_title
        self.option_label = option_label
        self.roll = roll
        self.sides = sides
        self.narrative = narrative

    def card_title(self) -> Content:
        return Content.assemble("Roll: ", (self.branch_title, "bold"))

    def card_body(self) -> Iterable[Widget]:
        roll = self.roll
        verdict = ("SUCCESS", f"bold {OK}") if roll.success else ("FAILURE", f"bold {BAD}")
        body = [Content.assemble((self.option_label, "bold")), "",
                Content.assemble((roll.dice + ":  ", MUTED), (dice_text(roll.faces, self.sides),
                                                              "bold"))]
        for label, value in roll.modifiers:
            body.append(Content.assemble("   ", (f"{value:+d}", "bold"), f"  {label}"))
        body += ["", Content.assemble("Total ", (str(roll.total), "bold"), " vs target ",
                                      (str(roll.target), "bold"), "  →  ", verdict)]
        if self.narrative:
            body += ["", Content(self.narrative.strip())]
        yield Static(lines(body), classes="dialog-text", id="roll-body")
        yield Static(roll.describe(), classes="dialog-label", markup=False)
