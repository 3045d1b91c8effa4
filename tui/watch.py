"""The player view (`spillover watch LOG`): what the room sees, on a projector or in a browser.

Read only: it re-reads the log when the file changes and shows `engine.play.player_view`;
it never opens the log for writing. Odds and dice appear only with `show_odds`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.diagnostics import DiagnosticError
from engine.format.tables import load_scenario_in
from engine.i18n import N_, _
from engine.play.clock import elapsed, hms, time_box_left
from engine.play.player_view import Follower, PlayerView, player_view, scenario_of_log
from engine.play.replay import logged_lang

from .widgets import ACCENT, BAD, BREAKPOINTS, MUTED, OK, WARN, titled, variable_line, width_class


def local_now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


class WatchApp(App[int]):
    """Follows a session log; `now` and `poll` exist so tests are deterministic."""

    TITLE = N_("spillover — player view")
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    BINDINGS = [Binding("ctrl+q", "quit", N_("Quit"), id="watch.quit", priority=True),
                Binding("q", "quit", N_("Quit"), show=False, id="watch.q")]
    CSS = """
    Screen { layout: vertical; }
    #pv-title { background: $primary-muted; color: $text; padding: 0 1; height: auto;
                text-style: bold; }
    #pv-status { padding: 0 1; height: auto; }
    #pv-notice { padding: 0 1; height: auto; color: $text-warning; display: none; }
    #pv-notice.shown { display: block; }
    #pv-body { height: 1fr; }
    #pv-left, #pv-right { width: 1fr; height: 1fr; }
    .-wide #pv-left { width: 3fr; }
    .-wide #pv-right { width: 2fr; }
    .pv-pane { border: round $panel-lighten-2; border-title-color: $text-muted;
               padding: 0 1; height: auto; }
    #pv-inject { border: heavy $accent; border-title-color: $text-accent;
                 border-title-style: bold; }
    #pv-inject.empty { border: round $panel-lighten-2; border-title-color: $text-muted; }
    """

    def __init__(self, log_path: str | Path, *, show_odds: bool = False,
                 now: Callable[[], _dt.datetime] = local_now, poll: float = 0.5,
                 scenario_path: str | Path | None = None) -> None:
        super().__init__()
        self.title = _(self.TITLE)
        self.log_path = Path(log_path)
        self.show_odds = show_odds
        self.now = now
        self.poll = poll
        self.scenario = None
        self.scenario_path = Path(scenario_path) if scenario_path else None
        self.view: PlayerView | None = None
        self._seen: tuple | None = None

    def compose(self) -> ComposeResult:
        self.screen.add_class(width_class(self.size.width))
        yield Static(id="pv-title")
        yield Static(id="pv-status")
        yield Static(id="pv-notice")
        with Horizontal(id="pv-body"):
            with VerticalScroll(id="pv-left"):
                yield titled(Static(id="pv-inject", classes="pv-pane"), _("Latest inject"))
                yield titled(Static(id="pv-moves", classes="pv-pane"), _("Moves this turn"))
            with VerticalScroll(id="pv-right"):
                yield titled(Static(id="pv-situation", classes="pv-pane"), _("Situation"))
                yield titled(Static(id="pv-signposts", classes="pv-pane"), _("Signposts"))

    def on_mount(self) -> None:
        from .settings import load_settings
        theme = load_settings().get("theme")      # the facilitator's theme, not changed here
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.reload()
        self.set_interval(self.poll, self.reload)
        self.set_interval(1.0, self.show_status)

    # ------------------------------------------------------------------ reading
    def reload(self, force: bool = False) -> None:
        """Read the log again if the file changed (size or time), and show it. The replay
        runs in a thread, so a long log never holds up the clock; one at a time, and a
        change seen meanwhile is read when it finishes."""
        try:
            st = self.log_path.stat()
            seen = (st.st_size, st.st_mtime_ns)
        except OSError:
            seen = None
        if seen == self._seen and not force and self.view is not None:
            return
        if self._busy:
            self._again = True
            return
        self._seen = seen
        self._busy = True
        self.run_worker(self._compute, thread=True, group="player-view")

    _busy = False
    _again = False
    _follower: Follower | None = None

    def _compute(self) -> None:
        try:
            if self.scenario is None and self.scenario_path is not None:
                self.scenario = load_scenario_in(self.scenario_path, logged_lang(self.log_path))
            if self.scenario is None:
                self.scenario, _problem = scenario_of_log(self.log_path)
            if self.scenario is None:
                view = player_view(self.log_path, None, show_odds=self.show_odds)
            else:
                if self._follower is None:
                    self._follower = Follower(self.log_path, self.scenario,
                                              show_odds=self.show_odds)
                view = self._follower.view()
        except DiagnosticError as e:
            first = e.diagnostics[0].format() if e.diagnostics else ""
            notice = _("the scenario cannot be loaded: {error}").format(error=first)
            view = PlayerView("spillover", notice=notice)
        except Exception as e:        # never a traceback on the projector
            view = PlayerView("spillover", notice=_("the log cannot be shown: {error}").format(
                error=e))
        self.call_from_thread(self._computed, view)

    def _computed(self, view: PlayerView) -> None:
        self._busy = False
        self.view = view
        self.show_view()
        if self._again:
            self._again = False
            self.reload()

    # ------------------------------------------------------------------ drawing
    def show_view(self) -> None:
        v = self.view
        if v is None:
            return
        self.query_one("#pv-title", Static).update(Content(v.title))
        notice = self.query_one("#pv-notice", Static)
        notice.update(Content(v.notice))
        notice.set_class(bool(v.notice), "shown")
        card = self.query_one("#pv-inject", Static)
        if v.inject is not None:
            card.update(Content.assemble((v.inject.title, "bold"), "\n\n", v.inject.narrative,
                                         ("\n\n" + _("(turn {turn})").format(turn=v.inject.turn),
                                          MUTED)))
            card.remove_class("empty")
        else:
            card.update(Content.styled(_("No inject yet."), MUTED))
            card.add_class("empty")
        moves: list[Content] = []
        for cell, lines in v.moves:
            moves.append(Content.styled(cell, f"bold {ACCENT}"))
            for m in lines:
                moves.append(Content.assemble("  • ", m.text))
                if m.rationale:
                    moves.append(Content.styled(f"    “{m.rationale}”", f"italic {MUTED}"))
        if v.waiting:
            moves.append(Content.styled(v.waiting, f"bold {WARN}"))
        if not moves:
            moves.append(Content.styled(_("No move yet this turn."), MUTED))
        self.query_one("#pv-moves", Static).update(Content("\n").join(moves))
        rows = [variable_line(x) for x in v.situation]
        self.query_one("#pv-situation", Static).update(
            Content("\n").join(rows) if rows else Content.styled("—", MUTED))
        fired = [Content.assemble(("⚑ ", OK), text,
                                  ("  " + _("(turn {turn})").format(turn=t), MUTED))
                 for text, t in v.signposts]
        self.query_one("#pv-signposts", Static).update(
            Content("\n").join(fired) if fired else Content.styled(_("None yet."), MUTED))
        self.show_status()

    def show_status(self) -> None:
        v = self.view
        if v is None:
            return
        now = self.now()
        parts: list[Content] = []
        if v.turn_label:
            parts.append(Content.assemble(_("Turn") + " ", (str(v.turn), "bold"),
                                          f"/{v.last_turn}: ",
                                          (v.turn_label, "bold"), f" ({v.turn_date})"))
        if v.group:
            parts.append(Content(v.group))
        parts.append(Content.styled(now.strftime("%H:%M"), "bold"))
        if v.started:
            parts.append(Content(_("session {elapsed}").format(elapsed=elapsed(v.started, now))))
        if v.turn_started and not v.ended:
            left = time_box_left(v.turn_started, v.time_box, now)
            if left is None:
                parts.append(Content(_("this turn {elapsed}").format(
                    elapsed=elapsed(v.turn_started, now))))
            elif left >= 0:
                parts.append(Content.styled(_("{left} left").format(left=hms(left)),
                                            f"bold {WARN}"))
            else:
                parts.append(Content.styled(_("time box over by {over}").format(over=hms(-left)),
                                            f"bold {BAD}"))
        if v.ended:
            parts.append(Content.styled(_("session ended"), f"bold {BAD}"))
        self.query_one("#pv-status", Static).update(Content(" · ").join(parts))


def run_watch(log_path: str | Path, *, show_odds: bool = False,
              scenario_path: str | Path | None = None) -> int:
    app = WatchApp(log_path, show_odds=show_odds, scenario_path=scenario_path)
    app.run()
    return 0
