"""The replay screen: step through a logged session as `engine.play.replay.replay` recomputed it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, _
from engine.play import records as lr
from engine.play import replay as _replay
from engine.play.replay import ReplayReport, Step
from engine.play.session import describe_action
from engine.play.views import fired_signposts_at, move_names, variable_views_at

from ..widgets import (
    ACCENT,
    MUTED,
    OK,
    WARN,
    KeyFooter,
    ParagraphView,
    dice_text,
    heading,
    lines,
    state_paragraphs,
    styled,
)

STATUS_CLASS = {
    _replay.VERIFIED: "-verified",
    _replay.SCENARIO_CHANGED: "-changed",
    _replay.LOG_EDITED: "-edited",
    _replay.DIVERGED: "-diverged",
    _replay.UNREADABLE: "-diverged",
}


class ReplayScreen(Screen):
    HELP_TITLE = N_("Replay")
    BINDINGS = [
        Binding("right,n", "step(1)", N_("Next"), id="replay.next", key_display="→/n"),
        Binding("left,p", "step(-1)", N_("Back"), id="replay.back", key_display="←/p"),
        # priority: the step list's own home/end would hide these from the footer
        Binding("home", "first", N_("First"), id="replay.first", priority=True),
        Binding("end", "last", N_("Last"), id="replay.last", priority=True),
        Binding("g", "goto", N_("Go to turn"), id="replay.goto"),
        Binding("question_mark", "help", N_("Help"), id="replay.help", key_display="?"),
        Binding("q", "app.quit", N_("Quit"), show=False, id="replay.quit"),
    ]
    ACTION_HELP = {
        "step": N_("step through the logged actions"),
        "goto": N_("jump to the first step at a turn"),
        "first": N_("the session's start"),
        "last": N_("the last replayed action"),
    }

    def __init__(self, report: ReplayReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        r = self.report
        # red for any status not listed, and for a signed log that is not authentic
        status = r.status if r.verified or r.status != _replay.VERIFIED else "not authentic"
        yield Static(Content(r.banner()), id="replay-banner",
                     classes=STATUS_CLASS.get(status, "-diverged"))
        if r.problems:
            yield Static(lines([styled("• " + p, MUTED) for p in r.problems]),
                         id="replay-problems")
        with Horizontal(id="replay-body"):
            with Vertical(id="steps-pane", classes="pane") as pane:
                pane.border_title = _("Steps")
                yield OptionList(*(Option(self.step_prompt(i, s), id=str(i))
                                   for i, s in enumerate(r.steps)), id="steps", markup=False)
            step = ParagraphView(id="step-detail", classes="pane")
            step.border_title = _("Step")
            yield step
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        ol = self.query_one("#steps", OptionList)
        ol.highlighted = 0
        ol.focus()
        self.show_step(0)

    # ------------------------------------------------------------------ rendering
    def turn_text(self, turn: int) -> str:
        turns = self.report.scenario.turns if self.report.scenario else ()
        if 0 <= turn < len(turns):
            return _("Turn {turn}: {label} ({date})").format(turn=turn, label=turns[turn].label,
                                                            date=turns[turn].date)
        return _("Turn {turn}").format(turn=turn)

    def step_prompt(self, index: int, step: Step) -> Content:
        if index == 0:
            return Content.assemble(("  0 ", MUTED), (_("T{turn}").format(turn=0) + " ", ACCENT),
                                    _("start of the session"))
        return Content.assemble((f"{index:>3} ", MUTED),
                                (_("T{turn}").format(turn=step.state.turn) + " ", ACCENT),
                                describe_action(step.record, self.report.scenario))

    @property
    def index(self) -> int:
        return self.query_one("#steps", OptionList).highlighted or 0

    def show_step(self, index: int) -> None:
        r = self.report
        step = r.steps[index]
        rec = step.record
        out: list = [(0, Content.assemble(
            (_("Step {n} of {total}").format(n=index, total=len(r.steps) - 1), "bold"),
            (" · " + _("log line {line}").format(line=step.line) + " · ", MUTED),
            (self.turn_text(step.state.turn), f"bold {ACCENT}")))]
        if index == 0:
            out += heading(_("Session start"))
            out.append((2, Content(_("group {group} · seed {seed} · started {started} · engine "
                                     "{engine}").format(group=repr(rec.get('group')),
                                                        seed=rec.get('seed'),
                                                        started=rec.get('started'),
                                                        engine=rec.get('engine')))))
            if rec.get("switched_off"):
                out.append((2, styled(_("counterfactual: switched off {events}").format(
                    events=", ".join(rec["switched_off"])), WARN)))
        else:
            out += heading(_("Action"))
            out += action_paragraphs(lr.from_json(rec), r.scenario)
        out += heading(_("State after this step"))
        if r.scenario is not None:
            before = r.steps[index - 1].state if index > 0 else None
            out += state_paragraphs(variable_views_at(r.scenario, step.state, before))
            st = step.state
            if st.moves:
                out.append((2, Content(_("moves this turn: {moves}").format(
                    moves="; ".join(move_names(r.scenario, st))))))
            if st.pending:
                out.append((2, styled(_("roll waiting:") + " " + describe_action(
                    lr.Choose(branch=st.pending.branch, option=st.pending.option),
                    r.scenario).removeprefix("choice "), WARN)))
            if st.released:
                titles = sorted(r.scenario.injects[i].title if i in r.scenario.injects else i
                                for i in st.released)
                out.append((2, Content(_("injects released: {titles}").format(
                    titles="; ".join(titles)))))
            fired = fired_signposts_at(r.scenario, st)
            if fired:
                out += heading(_("Signposts fired"))
                out += [(2, Content.assemble(("⚑ ", OK), text,
                                             ("  " + _("(turn {turn})").format(turn=turn), MUTED)))
                        for _sid, text, turn in fired]
            if st.ended:
                out += [(0, ""), (0, styled(_("The session ended here."), "bold"))]
        else:
            for key, value in step.values.get("values", {}).items():
                out.append((2, Content(f"{key}: {value}")))
        self.query_one("#step-detail", ParagraphView).update(out, scroll_home=True)

    @on(OptionList.OptionHighlighted, "#steps")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_step(event.option_index)

    # ------------------------------------------------------------------ actions
    def _go(self, index: int) -> None:
        index = max(0, min(index, len(self.report.steps) - 1))
        self.query_one("#steps", OptionList).highlighted = index

    def action_step(self, delta: int) -> None:
        self._go(self.index + delta)

    def action_first(self) -> None:
        self._go(0)

    def action_last(self) -> None:
        self._go(len(self.report.steps) - 1)

    def action_goto(self) -> None:
        from .goto import GotoTurnDialog

        def done(turn) -> None:
            if turn is None:
                return
            for i, s in enumerate(self.report.steps):
                if s.state.turn == turn:
                    self._go(i)
                    return

        self.app.push_screen(GotoTurnDialog([s.state.turn for s in self.report.steps]), done)

    def action_help(self) -> None:
        from .help import HelpScreen
        self.app.push_screen(HelpScreen(self))


def action_paragraphs(rec: lr.AnyRecord, scenario) -> list:
    """A replayed action in the step view: what it was, why, its dice, its time."""
    out: list = [(2, styled(describe_action(rec, scenario), "bold"))]
    why = getattr(rec, "rationale", "")
    if why:
        out.append((2, styled(f"“{why}”", "italic")))
    match rec:
        case lr.Roll():
            out.append((2, Content.assemble((rec.dice or "", MUTED), "  ",
                                            dice_text(rec.faces or []))))
            for label, value in rec.modifiers or []:
                out.append((4, Content(f"{value:+d}  {label}")))
            verdict = (_("success"), f"bold {OK}") if rec.success else \
                (_("failure"), "bold $text-error")
            out.append((2, Content.assemble(
                _("total {total} vs {target}").format(total=rec.total,
                                                      target=rec.target) + " → ",
                verdict)))
        case lr.Note(text=text):
            out.append((2, Content(str(text))))
        case lr.End(hotwash=notes) if notes:
            out.append((2, Content(_("hotwash: {text}").format(text=notes))))
    at = getattr(rec, "at", "")
    if at:
        out.append((2, styled(_("at {time}").format(time=at), MUTED)))
    return out
