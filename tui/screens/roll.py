"""Adjudicate the waiting contested option: roll the session's dice, or decide by hand."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from engine.i18n import N_, _
from engine.model import Branch, Option
from engine.play.views import ResultView

from ..widgets import MUTED, KeyFooter, lines, styled
from .dialog import Dialog


class RollDialog(Dialog):
    """Returns ("roll",), ("decide", success, rationale) or None; for a graded roll
    ("decide", result id, rationale), the result picked with its number key."""

    DEFAULT_CSS = """
    RollDialog #roll-body {
        height: auto;
        max-height: 45vh;
    }
    """

    BINDINGS = [
        Binding("r", "roll", N_("Roll"), id="roll.roll"),
        Binding("s", "decide(True)", N_("Decide success"), id="roll.success"),
        Binding("f", "decide(False)", N_("Decide failure"), id="roll.failure"),
    ]

    def __init__(self, branch: Branch, option: Option, modifiers: list[tuple[str, int]],
                 chance: str, text=lambda s: s, results: list[ResultView] | None = None) -> None:
        super().__init__()
        self.text = text              # fills in a narrative's {placeholders} (Session.text)
        self.branch = branch
        self.option = option
        self.modifiers = modifiers
        self.chance = chance
        self.results = results or []  # Session.roll_results: each result, its odds, effects
        self.graded = branch.adjudication is not None and branch.adjudication.graded

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """A graded roll is decided by picking a result (1–9), not success or failure."""
        return not (action == "decide" and self.graded
                    or action == "decide_result" and not self.graded)

    def compose(self) -> ComposeResult:
        adj = self.branch.adjudication
        # the dice, target and modifiers first: at 80×24 the note below them may scroll
        body = [Content.assemble(_("Option:") + " ", (self.option.label, "bold"))]
        if self.graded:
            body.append(Content.assemble(_("Roll "), (adj.dice, "bold"),
                                         (_("   the total (with modifiers) gives one result"),
                                          MUTED)))
        elif adj.opposed:            # two pools: the acting side's against the opposing side's
            body.append(Content.assemble(
                _("Roll "), (adj.dice, "bold"), _(" against "), (adj.against_dice, "bold"),
                f" ({adj.against_label})" if adj.against_label else ""))
            body.append(styled(_("a tie goes to {side} · chance of success {p}").format(
                side=_("the acting side") if adj.ties == "success" else _("the opposing side"),
                p=self.chance), MUTED))
        else:
            body.append(Content.assemble(_("Roll") + " ", (adj.dice, "bold"), " ≥ ",
                                         (str(adj.target), "bold"),
                                         ("   " + _("chance of success {chance}").format(
                                             chance=self.chance), MUTED)))
        if self.modifiers:
            body.append(styled(_("Modifiers that apply now:"), "bold"))
            for label, value in self.modifiers:
                body.append(Content.assemble("  ", (f"{value:+d}", "bold"), "  ", label))
        else:
            body.append(styled(_("No modifier applies now."), MUTED))
        if adj.note:
            body += ["", Content(adj.note.strip())]
        if self.graded:
            body += ["", styled(_("Results:"), "bold")]
            for n, r in enumerate(self.results, start=1):
                body.append(Content.assemble(
                    (f"{n}. ", "bold"), (r.label, "bold"), (f"  {r.totals}", MUTED),
                    (_("   chance {p}").format(p=f"{float(r.chance) * 100:.0f}%"), MUTED)))
                if r.narrative:
                    body.append(Content.assemble("     ", r.narrative.strip()))
                for eff in r.effects:
                    body.append(Content.assemble("     ", (eff, MUTED)))
        for title, outcome in ((_("On success"), self.option.on_success),
                               (_("On failure"), self.option.on_failure)):
            if outcome is not None and outcome.narrative:
                body.append(Content.assemble((f"{title}: ", MUTED),
                                             self.text(outcome.narrative.strip())))
        with Vertical(classes="dialog"):
            yield Static(Content.assemble(_("Adjudicate:") + " ", (self.branch.title, "bold")),
                         classes="dialog-title")
            with VerticalScroll(id="roll-body"):      # scrolls at 80×24, keeping the keys
                yield Static(lines(body), classes="dialog-text")
            if self.graded:
                yield Static(_("r rolls the dice · 1–{n}: the facilitator decides that result "
                               "(with a rationale) · escape cancels").format(
                                   n=len(self.results)), classes="dialog-label")
            else:
                yield Static(_("r rolls the dice · s / f: the facilitator decides (with a "
                               "rationale) · escape cancels"), classes="dialog-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Roll (r)"), id="roll", variant="primary", compact=True)
                if not self.graded:
                    yield Button(_("Success (s)"), id="success", variant="success", compact=True)
                    yield Button(_("Failure (f)"), id="failure", variant="error", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#roll").focus()

    def action_roll(self) -> None:
        self.dismiss(("roll",))

    def on_key(self, event) -> None:
        """1–9 decides a graded roll's result by hand."""
        if self.graded and event.character and event.character.isdigit():
            n = int(event.character)
            if 1 <= n <= len(self.results):
                event.stop()
                self.action_decide_result(n)

    def action_decide_result(self, n: int) -> None:
        from .text import TextDialog
        r = self.results[n - 1]

        def done(rationale) -> None:
            if rationale is not None:
                self.dismiss(("decide", r.result, rationale))

        self.app.push_screen(TextDialog(
            _("Facilitator decides: {result}").format(result=r.label),
            _("Rationale for the decision (optional)."),
            confirm=_("Decide: {result}").format(result=r.label), placeholder=_("why")), done)

    def action_decide(self, success: bool) -> None:
        from .text import TextDialog
        def done(rationale) -> None:
            if rationale is not None:
                self.dismiss(("decide", success, rationale))

        self.app.push_screen(TextDialog(
            _("Facilitator decides: success") if success else _("Facilitator decides: failure"),
            _("Rationale for the decision (optional)."),
            confirm=_("Decide success") if success else _("Decide failure"),
            placeholder=_("why")), done)

    @on(Button.Pressed, "#roll")
    def _roll(self) -> None:
        self.action_roll()

    @on(Button.Pressed, "#success")
    def _success(self) -> None:
        self.action_decide(True)

    @on(Button.Pressed, "#failure")
    def _failure(self) -> None:
        self.action_decide(False)
