"""A matrix-game argument: the cell, what it argues will happen and why, the other cells'
counter-arguments, and the facilitator's rating of its strength (which sets the target)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, Messages, _, current_language
from engine.model import Scenario
from engine.play.dice import success_probability

from ..widgets import MUTED, KeyFooter, TextInput
from .dialog import Dialog

# The default strengths (engine.model.DEFAULT_STRENGTHS) are ids in the log: shown translated
DEFAULT_STRENGTH_WORDS = (N_("very weak"), N_("weak"), N_("average"), N_("strong"),
                          N_("very strong"))


class ArgumentDialog(Dialog):
    """Returns (cell id, argument, strength, [counter-argument]) or None."""

    DEFAULT_CSS = """
    ArgumentDialog OptionList { max-height: 7; }
    ArgumentDialog Input { margin-bottom: 0; }
    ArgumentDialog .dialog-label { margin-top: 1; }
    """
    BINDINGS = [Binding("ctrl+s", "submit", N_("Roll"), id="argument.roll")]

    def __init__(self, scenario: Scenario, group: str) -> None:
        super().__init__()
        self.scenario = scenario
        self.group = group

    def compose(self) -> ComposeResult:
        sc = self.scenario
        rules = sc.arguments
        with Vertical(classes="dialog"):
            yield Static(_("A matrix-game argument"), classes="dialog-title")
            if sc.cells:
                yield Static(_("Cell"), classes="dialog-label")
                yield OptionList(*(Option(Content.assemble((c.name, "bold"), (
                    "  " + _("plays {actors}").format(
                        actors=", ".join(sc.actors.get(a, a) for a in c.actors)), MUTED)),
                    id=c.id) for c in sc.cells), id="cells")
            yield Static(_("Argument: what happens, and why"), classes="dialog-label")
            yield TextInput(id="argument", compact=True,
                            placeholder=_("e.g. Beijing cuts rare-earth exports, because …"))
            yield Static(_("Counter-arguments (optional)"), classes="dialog-label")
            yield TextInput(id="counters", compact=True,
                            placeholder=_("what the other cells answer"))
            yield Static(_("Strength ({dice})").format(dice=rules.dice), classes="dialog-label")
            yield OptionList(*(Option(Content.assemble(
                (_(label), "bold"), f"  {rules.dice} ≥ {target}",
                ("  " + _("chance {chance}").format(chance=Messages(current_language()).percent(
                    float(success_probability(rules.count, rules.sides, target, 0)))),
                 MUTED)), id=label) for label, target in rules.scale), id="strength")
            yield Static("", classes="dialog-error", id="argument-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Roll (ctrl+s)"), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        strength = self.query_one("#strength", OptionList)
        strength.highlighted = len(self.scenario.arguments.scale) // 2      # the middle one
        if self.scenario.cells:
            cells = self.query_one("#cells", OptionList)
            cells.highlighted = 0
            cells.focus()
        else:
            self.query_one("#argument").focus()

    @on(OptionList.OptionSelected, "#cells")
    def _cell_picked(self) -> None:
        self.query_one("#argument").focus()

    @on(Input.Submitted, "#argument")
    def _argument_done(self) -> None:
        self.query_one("#counters").focus()

    @on(Input.Submitted, "#counters")
    def _counters_done(self) -> None:
        self.query_one("#strength").focus()

    @on(OptionList.OptionSelected, "#strength")
    def _strength_picked(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        text = self.query_one("#argument", Input).value.strip()
        if not text:
            self.query_one("#argument-error", Static).update(
                _("Write the argument: what happens, and why."))
            self.query_one("#argument").focus()
            return
        cell = ""
        if self.scenario.cells:
            option = self.query_one("#cells", OptionList).highlighted_option
            cell = option.id if option is not None else ""
        strength = self.query_one("#strength", OptionList).highlighted_option
        counters = self.query_one("#counters", Input).value.strip()
        self.dismiss((cell, text, strength.id if strength else "", [counters] if counters else []))
