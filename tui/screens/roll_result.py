"""The result of a roll, large enough to read on a projector."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.i18n import N_, _
from engine.play.dice import Roll
from engine.play.views import ResultView

from ..widgets import ACCENT, BAD, MUTED, OK, dice_text, lines
from .dialog import ReadOutDialog


class RollResultDialog(ReadOutDialog):
    BINDINGS = [Binding("enter", "cancel", N_("Close"), id="roll_result.close", priority=True)]
    box_id = "roll-result"

    def __init__(self, branch_title: str, option_label: str, roll: Roll, sides: int,
                 narrative: str = "", band: ResultView | None = None,
                 against_sides: int = 6, against_label: str = "") -> None:
        super().__init__()
        self.against_sides, self.against_label = against_sides, against_label  # opposed
        self.band = band        # a graded roll: the result the total fell in, its effects
        self.branch_title = branch_title
        self.option_label = option_label
        self.roll = roll
        self.sides = sides
        self.narrative = narrative

    def card_title(self) -> Content:
        return Content.assemble(_("Roll:") + " ", (self.branch_title, "bold"))

    def card_body(self) -> Iterable[Widget]:
        roll = self.roll
        verdict = ((_("SUCCESS"), f"bold {OK}") if roll.success
                   else (_("FAILURE"), f"bold {BAD}"))
        body = [Content.assemble((self.option_label, "bold")), "",
                Content.assemble((roll.dice + ":  ", MUTED), (dice_text(roll.faces, self.sides),
                                                              "bold"))]
        for label, value in roll.modifiers:
            body.append(Content.assemble("   ", (f"{value:+d}", "bold"), f"  {label}"))
        if roll.band:
            totals = f" ({self.band.totals})" if self.band else ""
            body += ["", Content.assemble(_("Total "), (str(roll.total), "bold"), "  →  ",
                                          (roll.band_label.upper(), f"bold {ACCENT}"),
                                          (totals, MUTED))]
        elif roll.against:           # an opposed roll: the opposing pool, then the verdict
            body += [Content.assemble((roll.against_dice + ":  ", MUTED),
                                      (dice_text(roll.against, self.against_sides), "bold"),
                                      (f"  {self.against_label}", MUTED)),
                     "", Content.assemble(_("Total "), (str(roll.total), "bold"), _(" vs "),
                                          (str(roll.target), "bold"), "  →  ", verdict)]
        else:
            body += ["", Content.assemble(_("Total {total} vs target {target}").format(
                total=roll.total, target=roll.target), "  →  ", verdict)]
        if self.narrative:
            body += ["", Content(self.narrative.strip())]
        if self.band is not None and self.band.effects:
            body += ["", Content.assemble((_("Effects: "), MUTED), "; ".join(self.band.effects))]
        yield Static(lines(body), classes="dialog-text", id="roll-body")
        yield Static(roll.describe(), classes="dialog-label", markup=False)
