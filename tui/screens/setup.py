"""The setup screen: group, seed, counterfactual switches and the log file, then Start."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from engine.analysis.switches import switch_reach
from engine.i18n import N_, _, ngettext
from engine.model import Scenario
from engine.play.counterfactual import baseline_reach
from engine.play.session import SessionError, default_log_path
from engine.play.views import moves_text

from ..widgets import MUTED, OK, WARN, KeyFooter, TextInput


class SetupScreen(Screen):
    HELP_TITLE = N_("Setup")
    BINDINGS = [
        Binding("ctrl+s", "start", N_("Start"), id="setup.start"),
        Binding("f1", "help", N_("Help"), id="setup.help"),
    ]
    ACTION_HELP = {"start": N_("start the session with these settings")}

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario
        self._when = None
        self._log_edited = False
        self._computed_log = ""
        self._reach = baseline_reach(scenario)   # events reaching something listed first
        self._off: set[str] = set()             # switched off, whether shown or filtered out

    def compose(self) -> ComposeResult:
        app = self.app
        sc = self.scenario
        self._when = app.now()
        group = app.group or ""
        if app.log_path is not None:
            log_value = str(app.log_path)
            self._log_edited = True
        else:
            log_value = self._default_log(group)
        yield Static(Content.styled(sc.title, "bold $text-primary"), id="setup-title")
        with VerticalScroll(id="setup-form"):
            yield Static(Content(" ".join(sc.summary.split())), id="setup-summary")
            yield Static(Content.styled(" · ".join([
                ngettext("{n} turn from {date}", "{n} turns from {date}", len(sc.turns)).format(
                    n=len(sc.turns), date=sc.turns[0].date),
                ngettext("{n} branch", "{n} branches", len(sc.branches)).format(
                    n=len(sc.branches)),
                ngettext("{n} inject", "{n} injects", len(sc.injects)).format(
                    n=len(sc.injects)),
                moves_text(sc)]), MUTED), id="setup-facts")
            with Horizontal(classes="setup-row"):
                yield Label(_("Group"), classes="setup-label")
                yield TextInput(group, placeholder=_("the playing group's name"), id="group",
                                compact=True)
            with Horizontal(classes="setup-row"):
                yield Label(_("Dice seed"), classes="setup-label")
                yield TextInput(str(app.seed), type="integer", id="seed", compact=True)
            with Horizontal(classes="setup-row"):
                yield Label(_("Time box"), classes="setup-label")
                yield TextInput(str(sc.time_box or ""), type="integer", id="time-box",
                                placeholder=_("minutes per turn (empty: no time box)"),
                                compact=True)
            with Horizontal(classes="setup-row"):
                yield Label(_("Log file"), classes="setup-label")
                yield TextInput(log_value, id="log-path", compact=True)
            yield Static(Content.styled(
                _("Baseline events (untick one to switch it off for a counterfactual run)"),
                "bold"),
                id="baseline-title")
            if self._reach:
                yield TextInput(id="baseline-filter", compact=True,
                                placeholder=_("type to filter: an event, a branch, a variable…"))
                yield SelectionList[str](*self._selections(""), id="baseline", compact=True)
                yield Static(self._baseline_summary(()), id="baseline-summary")
            else:
                yield Static(Content.styled("  " + _("(none before the start date)"), MUTED))
        # below the form, not in it: at 80×24 a long summary pushed Start off the screen
        with Vertical(id="setup-actions"):
            yield Static("", id="setup-error")
            yield Button(_("Start the session (ctrl+s)"), id="start", variant="primary",
                         compact=True)
        yield KeyFooter()

    def _baseline_summary(self, off) -> Content:
        """Says in words which baseline events are switched off (the list's ticks differ only
        by colour, which a projector may not show)."""
        if not off:
            return Content.styled(
                _("All baseline events are on (space toggles the highlighted one)."), MUTED)
        titles = {e.id: e.title for e in self.scenario.baseline_events()}
        parts: list = [(_("Switched off (counterfactual run): "), "bold $text-warning"),
                       "; ".join(titles.get(i, i) for i in off)]
        for event in off:                  # what each switch changes, from the engine
            reach = switch_reach(self.scenario, event)
            parts += ["\n", (f"  {titles.get(event, event)} → ", "bold"),
                      "; ".join(reach.lines())]
        return Content.assemble(*parts)

    def _selections(self, text: str) -> list[Selection]:
        """The events matching the filter: ON (green) or OFF (amber, bold) in words, the
        date and title, and what switching it off reaches (one line, wrapped: a selection
        list takes the first line of a prompt only)."""
        out = []
        for r in self._reach:
            if text and not r.matches(text):
                continue
            on_ = r.event.id not in self._off
            state = ((_("ON").ljust(4), f"bold {OK}") if on_
                     else (_("OFF").ljust(4), f"bold reverse {WARN}"))
            out.append(Selection(Content.assemble(
                state, " ", (r.event.date, "$text-accent"), "  ", r.event.title,
                ("  → " + r.summary(), f"italic {MUTED}")), r.event.id, on_))
        return out

    @on(Input.Changed, "#baseline-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def _refill(self, text: str) -> None:
        baseline = self.query_one("#baseline", SelectionList)
        highlighted = baseline.highlighted
        self._refilling = True
        baseline.clear_options()
        baseline.add_options(self._selections(text))
        self._refilling = False
        if baseline.option_count:
            baseline.highlighted = min(highlighted or 0, baseline.option_count - 1)

    _refilling = False

    @on(SelectionList.SelectedChanged, "#baseline")
    def _baseline_changed(self) -> None:
        if self._refilling:
            return
        baseline = self.query_one("#baseline", SelectionList)
        shown = {baseline.get_option_at_index(i).value for i in range(baseline.option_count)}
        chosen = set(baseline.selected)
        changed = {e for e in shown if (e in self._off) == (e in chosen)}
        self._off = (self._off - chosen) | (shown - chosen)
        if changed:           # the ON/OFF words follow the tick
            self._refill(self.query_one("#baseline-filter", Input).value)
        self.query_one("#baseline-summary", Static).update(
            self._baseline_summary(self.switched_off()))

    def on_mount(self) -> None:
        self._computed_log = self.query_one("#log-path", Input).value
        self.query_one("#group", Input).focus()

    def _default_log(self, group: str) -> str:
        path = default_log_path(self.scenario, group, when=self._when, folder=self.app.log_folder)
        self._computed_log = str(path)
        return str(path)

    @on(Input.Changed, "#group")
    def _group_changed(self, event: Input.Changed) -> None:
        if self._log_edited:
            return
        log = self.query_one("#log-path", Input)
        log.value = self._default_log(event.value)

    @on(Input.Changed, "#log-path")
    def _log_changed(self, event: Input.Changed) -> None:
        if event.value != self._computed_log:
            self._log_edited = True

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "baseline-filter":     # enter in the filter goes to the list
            self.query_one("#baseline", SelectionList).focus()
            return
        self.action_start()

    @on(Button.Pressed, "#start")
    def _pressed(self) -> None:
        self.action_start()

    def action_help(self) -> None:
        from .help import HelpScreen
        self.app.push_screen(HelpScreen(self))

    def _error(self, message: str) -> None:
        self.query_one("#setup-error", Static).update(Content.styled(message, "bold $text-error"))
        self.notify(message, severity="error", markup=False)

    def switched_off(self) -> list[str]:
        return [e.id for e in self.scenario.baseline_events() if e.id in self._off]

    def action_start(self) -> None:
        group = self.query_one("#group", Input).value.strip()
        seed_text = self.query_one("#seed", Input).value.strip()
        log_text = self.query_one("#log-path", Input).value.strip()
        if not group:
            self.query_one("#group", Input).focus()
            return self._error(_("Enter the group's name."))
        try:
            seed = int(seed_text)
        except ValueError:
            self.query_one("#seed", Input).focus()
            return self._error(_("The dice seed must be a whole number."))
        if not log_text:
            self.query_one("#log-path", Input).focus()
            return self._error(_("Enter a file for the session log."))
        box_text = self.query_one("#time-box", Input).value.strip()
        try:
            time_box = int(box_text) if box_text else None
            if time_box is not None and time_box <= 0:
                raise ValueError
        except ValueError:
            self.query_one("#time-box", Input).focus()
            return self._error(_("The time box is a number of minutes (or empty for none)."))
        try:
            session = self.app.start_session(self.scenario, seed=seed, group=group,
                                             switched_off=self.switched_off(),
                                             log_path=Path(log_text), time_box=time_box)
        except SessionError as e:
            return self._error(str(e))
        except OSError as e:
            return self._error(_("cannot write the log {path}: {reason}").format(
                path=log_text, reason=e.strerror or e))
        self.app.start_exercise(session)
