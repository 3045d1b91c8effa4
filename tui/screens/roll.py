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

from ..widgets import MUTED, KeyFooter, lines, styled
from .dialog import Dialog


class RollDialog(Dialog):
    """Returns ("roll",), ("decide", success, rationale) or None."""

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
                 chance: str, text=lambda s: s) -> None:
        super().__init__()
        self.text = text              # fills in a narrative's {placeholders} (Session.text)
        self.branch = branch
        self.option = option
        self.modifiers = modifiers
        self.chance = chance

    def compose(self) -> ComposeResult:
        adj = self.branch.adjudication
        # the dice, target and modifiers first: at 80×24 the note below them may scroll
        body = [Content.assemble(_("Option:") + " ", (self.option.label, "bold")),
                Content.assemble(_("Roll") + " ", (adj.dice, "bold"), " ≥ ",
                                 (str(adj.target), "bold"),
                                 ("   " + _("chance of success {chance}").format(
                                     chance=self.chance), MUTED))]
        if self.modifiers:
            body.append(styled(_("Modifiers that apply now:"), "bold"))
            for label, value in self.modifiers:
                body.append(Content.assemble("  ", (f"{value:+d}", "bold"), "  ", label))
        else:
            body.append(styled(_("No modifier applies now."), MUTED))
        if adj.note:
            body += ["", Content(adj.note.strip())]
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
            yield Static(_("r rolls the dice · s / f: the facilitator decides (with a "
                           "rationale) · escape cancels"), classes="dialog-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Roll (r)"), id="roll", variant="primary", compact=True)
                yield Button(_("Success (s)"), id="success", variant="success", compact=True)
                yield Button(_("Failure (f)"), id="failure", variant="error", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#roll").focus()

    def action_roll(self) -> None:
        self.dismiss(("roll",))

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
