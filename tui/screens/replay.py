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

from engine.play import replay as _replay
from engine.play.replay import ReplayReport, Step
from engine.play.session import describe_action
from engine.play.views import fired_signposts_at, move_names, variable_views_at

from ..widgets import (ACCENT, MUTED, OK, WARN, KeyFooter, ParagraphView, dice_text, heading,
                       lines, state_paragraphs, styled)

STATUS_CLASS = {
    _replay.VERIFIED: "-verified",
    _replay.SCENARIO_CHANGED: "-changed",
    _replay.LOG_EDITED: "-edited",
    _replay.DIVERGED: "-diverged",
    _replay.UNREADABLE: "-diverged",
}


class ReplayScreen(Screen):
    HELP_TITLE = "Replay"
    BINDINGS = [
        Binding("right,n", "step(1)", "Next", id="replay.next", key_display="→/n"),
        Binding("left,p", "step(-1)", "Back", id="replay.back", key_display="←/p"),
        # priority: the step list's own home/end would hide these from the footer
        Binding("home", "first", "First", id="replay.first", priority=True),
        Binding("end", "last", "Last", id="replay.last", priority=True),
        Binding("g", "goto", "Go to turn", id="replay.goto"),
        Binding("question_mark", "help", "Help", id="replay.help", key_display="?"),
        Binding("q", "app.quit", "Quit", show=False, id="replay.quit"),
    ]
    ACTION_HELP = {
        "step": "step through the logged actions",
        "goto": "jump to the first step at a turn",
        "first": "the session's start",
        "last": "the last replayed action",
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
                pane.border_title = "Steps"
                yield OptionList(*(Option(self.step_prompt(i, s), id=str(i))
                                   for i, s in enumerate(r.steps)), id="steps", markup=False)
            step = ParagraphView(id="step-detail", classes="pane")
            step.border_title = "Step"
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
            return f"Turn {turn}: {turns[turn].label} ({turns[turn].date})"
        return f"Turn {turn}"

    def step_prompt(self, index: int, step: Step) -> Content:
        if index == 0:
            return Content.assemble(("  0 ", MUTED), ("T0 ", ACCENT), "start of the session")
        return Content.assemble((f"{index:>3} ", MUTED), (f"T{step.state.turn} ", ACCENT),
                                describe_action(step.record, self.report.scenario))

    @property
    def index(self) -> int:
        return self.query_one("#steps", OptionList).highlighted or 0

    def show_step(self, index: int) -> None:
        r = self.report
        step = r.steps[index]
        rec = step.record
        out: list = [(0, Content.assemble(
            (f"Step {index} of {len(r.steps) - 1}", "bold"),
            (f" · log line {step.line} · ", MUTED),
            (self.turn_text(step.state.turn), f"bold {ACCENT}")))]
        if index == 0:
            out += heading("Session start")
            out.append((2, Content(f"group {rec.get('group')!r} · seed {rec.get('seed')} · "
                                   f"started {rec.get('started')} · engine {rec.get('engine')}")))
            if rec.get("switched_off"):
                out.append((2, styled("counterfactual: switched off " +
                                      ", ".join(rec["switched_off"]), WARN)))
        else:
            out += heading("Action")
            out.append((2, styled(describe_action(rec, r.scenario), "bold")))
            if rec.get("rationale"):
                out.append((2, styled(f"“{rec['rationale']}”", "italic")))
            if rec.get("action") == "roll":
                out.append((2, Content.assemble((rec.get("dice", ""), MUTED), "  ",
                                                dice_text(rec.get("faces", [])))))
                for label, value in rec.get("modifiers", []):
                    out.append((4, Content(f"{value:+d}  {label}")))
                verdict = ("success", f"bold {OK}") if rec.get("success") else \
                    ("failure", "bold $text-error")
                out.append((2, Content.assemble(
                    f"total {rec.get('total')} vs {rec.get('target')} → ", verdict)))
            if rec.get("action") == "note":
                out.append((2, Content(str(rec.get("text", "")))))
            if rec.get("action") == "end" and rec.get("hotwash"):
                out.append((2, Content("hotwash: " + str(rec["hotwash"]))))
            if rec.get("at"):
                out.append((2, styled(f"at {rec['at']}", MUTED)))
        out += heading("State after this step")
        if r.scenario is not None:
            before = r.steps[index - 1].state if index > 0 else None
            out += state_paragraphs(variable_views_at(r.scenario, step.state, before))
            st = step.state
            if st.moves:
                out.append((2, Content("moves this turn: "
                                       + "; ".join(move_names(r.scenario, st)))))
            if st.pending:
                out.append((2, styled("roll waiting: " + describe_action(
                    {"action": "choose", "branch": st.pending.branch,
                     "option": st.pending.option}, r.scenario).removeprefix("choice "), WARN)))
            if st.released:
                titles = sorted(r.scenario.injects[i].title if i in r.scenario.injects else i
                                for i in st.released)
                out.append((2, Content("injects released: " + "; ".join(titles))))
            fired = fired_signposts_at(r.scenario, st)
            if fired:
                out += heading("Signposts fired")
                out += [(2, Content.assemble(("⚑ ", OK), text, (f"  (turn {turn})", MUTED)))
                        for _, text, turn in fired]
            if st.ended:
                out += [(0, ""), (0, styled("The session ended here.", "bold"))]
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
