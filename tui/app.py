"""The facilitator's app: setup → exercise, resume, and replay screens.

Everything shown comes from engine calls; every action goes through `engine.play.session.Session`,
which writes it to the log (flushed and fsync'd) before the screen is refreshed.
"""

from __future__ import annotations

import datetime as _dt
import gc
import random
import signal
from collections.abc import Callable
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding

from engine.diagnostics import DiagnosticError
from engine.i18n import N_, _
from engine.play.session import Session, SessionError, utc_now

from .widgets import BREAKPOINTS, ScreenActionsProvider


class SpilloverApp(App[int]):
    """The facilitator's app. Exactly one of the three starts applies:

    - `replay_log`: step through a logged session (read only);
    - `resume_log`: continue a logged session;
    - otherwise the setup screen of `scenario_path` (default: the bundled scenario).

    `clock`, `now`, `initial_seed` and `cursor_blink` exist so tests are deterministic.
    """

    CSS_PATH = "app.tcss"
    TITLE = "spillover"
    COMMANDS = App.COMMANDS | {ScreenActionsProvider}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True),
    ]

    def __init__(self, *, scenario_path: str | Path | None = None,
                 resume_log: str | Path | None = None, replay_log: str | Path | None = None,
                 log_path: str | Path | None = None, group: str | None = None,
                 seed: int | None = None, clock: Callable[[], str] | None = None,
                 now: Callable[[], _dt.datetime] | None = None,
                 initial_seed: int | None = None, cursor_blink: bool = True,
                 log_folder: str | Path = "sessions", sign: bool = False,
                 live_reload: bool = False, start_turn: int | None = None,
                 start_values: dict[str, str] | None = None,
                 wall_clock: Callable[[], _dt.datetime] | None = None,
                 lang: str | None = None) -> None:
        super().__init__()
        self.lang = lang                 # the scenario's text language (None: as written)
        self.scenario_path = Path(scenario_path) if scenario_path else None
        self.resume_log = Path(resume_log) if resume_log else None
        self.replay_log = Path(replay_log) if replay_log else None
        self.log_path = Path(log_path) if log_path else None
        self.group = group
        self.seed = seed if seed is not None else (
            initial_seed if initial_seed is not None else random.randrange(1, 1_000_000))
        self.clock = clock
        self.now = now or _dt.datetime.now
        self.wall_clock = wall_clock or (lambda: _dt.datetime.now().astimezone())
        """The time of day and the session's elapsed time in the header (aware)."""
        self.cursor_blink = cursor_blink
        self.log_folder = Path(log_folder)
        self.sign = sign
        self.session: Session | None = None
        # `spillover run --watch`; not named `watch`: that is Textual's DOMNode.watch (used by
        # remember_theme), and `spillover watch` is the player view
        self.live_reload = live_reload      # reload the scenario when its files change
        self.start_turn = start_turn        # a test session starts at this turn…
        self.start_values = start_values or {}  # …with these values (logged overrides)
        self.last_reload = None             # the engine's answer to the latest reload
        self.exit_code = 0
        self.manage_gc = False
        """Set by `run_in_terminal` only: keep the garbage collector out of start-up and of the
        frame after a key (see there); tests and other hosts leave the collector alone."""
        self._gc_pauses = 0

    # ------------------------------------------------------------------ start
    def on_mount(self) -> None:
        if self.manage_gc:
            self.call_after_refresh(settle_heap)
        self.remember_theme()
        from .screens.error import ErrorScreen
        try:
            scenario = self._load_scenario_arg()
            if self.replay_log is not None:
                self._open_replay(scenario)
            elif self.resume_log is not None:
                self._open_resume(scenario)
            else:
                from .screens.setup import SetupScreen
                if scenario is None:
                    from engine.bundled import main_scenario
                    from engine.format.loader import load_scenario
                    scenario = load_scenario(main_scenario())
                self.title = scenario.title
                self.push_screen(SetupScreen(scenario))
        except DiagnosticError as e:
            self.show_error(_("The scenario cannot be loaded"),
                            [d.format() for d in e.diagnostics])
        except SessionError as e:
            self.show_error(_("The session cannot be resumed"), [str(e)])
        except OSError as e:
            self.push_screen(ErrorScreen(_("A file cannot be read"), [str(e)]))
        if self.live_reload and self.replay_log is None and self.resume_log is None:
            self.follow_scenario_files()   # before the session too: the setup or the errors follow

    def remember_theme(self) -> None:
        """Start with the theme chosen last time (user settings), and keep each new choice."""
        from .settings import load_settings, save_setting
        theme = load_settings().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.watch(self, "theme", lambda name: save_setting("theme", name), init=False)

    def _load_scenario_arg(self):
        if self.scenario_path is None:
            return None
        from engine.format.tables import load_scenario_in
        lang = self.lang
        log = self.resume_log or self.replay_log
        if lang is None and log is not None:      # --scenario given: keep the session's language
            from engine.play.replay import logged_lang
            lang = logged_lang(log)
        return load_scenario_in(self.scenario_path, lang)

    def _open_replay(self, scenario) -> None:
        from engine.play.replay import UNREADABLE, replay

        from .screens.replay import ReplayScreen
        report = replay(self.replay_log, scenario)
        if report.status == UNREADABLE or not report.steps:
            banner = report.banner()      # it often quotes the first problem: say it once
            self.show_error(_("The log cannot be replayed"),
                            [banner, *(p for p in report.problems if p not in banner)])
            return
        if report.scenario is not None:
            self.title = report.scenario.title
        self.push_screen(ReplayScreen(report))

    def _open_resume(self, scenario) -> None:
        from engine.play.replay import resume
        session, report = resume(self.resume_log, scenario)
        if self.clock is not None:
            session.clock = self.clock
        self.start_exercise(session, resumed=report.banner())

    def start_exercise(self, session: Session, *, resumed: str | None = None) -> None:
        """Show the exercise screen for a live session (from setup or resume)."""
        from .screens.exercise import ExerciseScreen
        self.session = session
        self.title = session.scenario.title
        screen = ExerciseScreen(session)
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if self.live_reload:
            self.follow_scenario_files()
        if resumed:      # after the first frame: mounting a toast would hold it back
            self.call_after_refresh(self.notify, _("Resumed {path}: {banner}").format(
                path=session.log_path, banner=resumed), title=_("Resumed"), markup=False)
        if self.manage_gc:
            self.call_after_refresh(settle_heap)

    def start_session(self, scenario, *, seed: int, group: str, switched_off, log_path,
                      time_box: int | None = None) -> Session:
        """Start a session from the setup screen's fields (SessionError/OSError propagate),
        brought to the chosen turn and state for a test session (`--turn`, `--set`);
        `time_box` is the minutes per turn set at setup."""
        signer = None
        if self.sign:
            from engine.play.signing import signing_key
            signer = signing_key()
        if self.start_turn is None and not self.start_values:
            return Session.start(scenario, seed=seed, group=group, switched_off=switched_off,
                                 log_path=log_path, clock=self.clock or utc_now, signer=signer,
                                 time_box=time_box)
        from engine.play.reload import start_at
        # Try it unlogged first, so a turn or value that does not fit leaves no log behind.
        start_at(Session.start(scenario, seed=seed, group=group, switched_off=switched_off),
                 self.start_turn or 0, self.start_values)
        session = Session.start(scenario, seed=seed, group=group, switched_off=switched_off,
                                log_path=log_path, clock=self.clock or utc_now, signer=signer,
                                time_box=time_box)
        return start_at(session, self.start_turn or 0, self.start_values)

    # ------------------------------------------------------------------ live reload
    def watched_files(self) -> set[Path]:
        """The files the live session's scenario was read from (main file, includes,
        catalogues); before a session, those the scenario to be played reads, errors or not."""
        if self.session is None:
            from engine.bundled import main_scenario
            from engine.format.loader import check_scenario_texts
            path = Path(self.scenario_path or main_scenario()).resolve()
            return {Path(p).resolve() for p, _ in check_scenario_texts(path).files} | {path}
        root = Path(self.session.scenario.path).parent
        return {(root / name).resolve() for name in self.session.scenario.file_hashes} | {
            Path(self.session.scenario.path).resolve()}

    @work(exclusive=True, group="live_reload")
    async def follow_scenario_files(self) -> None:
        """Reload whenever a file of the scenario changes (`spillover run --watch`)."""
        from watchfiles import awatch
        while True:                # until the app exits (a new session restarts it)
            files = self.watched_files()
            async for changes in awatch(*{f.parent for f in files}, debounce=200, step=50,
                                        recursive=False):
                if any(Path(p).resolve() in files for _change, p in changes):
                    self.reload_scenario()
                    break          # the files may have changed (includes): watch again

    def reload_scenario(self) -> None:
        """Check the scenario again; on success re-apply the session's actions to the new
        version in a new session (its own log; the old log stays as it is) and say what
        changed; on errors keep the session and show them."""
        from engine.play.reload import reload
        if self.session is None:
            self.reload_setup()
            return
        try:
            result = reload(self.session, clock=self.clock or utc_now)
        except (SessionError, OSError) as e:
            self.notify(str(e), title=_("Not reloaded"), severity="error", markup=False)
            return
        self.last_reload = result
        if result.session is None:
            errors = [d.format() for d in result.diagnostics if d.severity == "error"]
            more = "\n" + _("… and {n} more").format(n=len(errors) - 5) if len(errors) > 5 else ""
            self.notify("\n".join(errors[:5]) + more,
                        title=_("Scenario has errors — not reloaded"),
                        severity="error", timeout=30, markup=False)
            return
        if result.session is self.session:
            return
        old = self.session
        from .screens.exercise import ExerciseScreen
        while len(self.screen_stack) > 2 and not isinstance(self.screen, ExerciseScreen):
            self.pop_screen()   # a dialog half filled in: nothing of it was recorded yet
        self.start_exercise(result.session)
        old.close()
        self.notify(result.summary(), title=_("Scenario reloaded"),
                    severity="warning" if result.dropped else "information", timeout=15,
                    markup=False)

    def show_error(self, title: str, lines: list[str]) -> None:
        from .screens.error import ErrorScreen
        self.exit_code = 1
        if len(self.screen_stack) > 1:
            self.switch_screen(ErrorScreen(title, lines))
        else:
            self.push_screen(ErrorScreen(title, lines))

    # ------------------------------------------------------------------ the command palette
    def get_system_commands(self, screen):
        """Textual's own commands (theme, quit, keys, …), said in the current language."""
        for command in super().get_system_commands(screen):
            yield SystemCommand(_(command.title), _(command.help), command.callback,
                                command.discover)

    def action_show_help_panel(self) -> None:
        """The palette's "Keys": the app's own list of the screen's keys, which says them in
        the interface language (Textual's keys panel shows the bindings as defined)."""
        from .screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"),
                                            id="--command-palette"))

    # ------------------------------------------------------------------ frames
    async def on_event(self, event: events.Event) -> None:
        if self.manage_gc and isinstance(event, events.Key) and not event.is_forwarded:
            self.pause_gc_until_painted()
        await super().on_event(event)

    def pause_gc_until_painted(self) -> None:
        """Keep the garbage collector out of the frame that shows a key's effect.

        Redrawing the panes after an action allocates enough to set off a full collection
        now and then, a pause of 15-50 ms in the middle of the frame; it runs just after the
        frame instead (Textual does the same while scrolling: `PAUSE_GC_ON_SCROLL`). The
        timer re-enables it even if the key's screen is not repainted; only the latest key's
        callbacks do (an earlier key's timer must not re-enable it during a later frame)."""
        self._gc_pauses += 1
        pause = self._gc_pauses

        def resume() -> None:
            if self._gc_pauses == pause:
                gc.enable()

        gc.disable()
        self.call_after_refresh(resume)
        self.set_timer(0.5, resume)

    # ------------------------------------------------------------------ end
    def action_quit(self) -> None:
        self.close_session()
        self.exit(self.exit_code, return_code=self.exit_code)

    def close_session(self) -> None:
        if self.session is not None:
            self.session.close()

    def on_unmount(self) -> None:
        self.close_session()


    def reload_setup(self) -> None:
        """Before a session: the setup screen for the scenario as it now is, or its errors
        (fixing them brings the setup screen back)."""
        from engine.bundled import main_scenario
        from engine.format.loader import check_scenario

        from .screens.setup import SetupScreen
        scenario, diags = check_scenario(self.scenario_path or main_scenario())
        if scenario is None:
            self.show_error(_("The scenario cannot be loaded"),
                            [d.format() for d in diags if d.severity == "error"])
            return
        self.exit_code = 0
        self.title = scenario.title
        if len(self.screen_stack) > 1:
            self.switch_screen(SetupScreen(scenario))
        else:
            self.push_screen(SetupScreen(scenario))


# Textual's own words that the app shows (translated where they are shown, above)
TEXTUAL_TEXTS = (
    N_("Theme"), N_("Change the current theme"), N_("Quit"),
    N_("Quit the application as soon as possible"), N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"), N_("Maximize"),
    N_("Maximize the focused widget"), N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"), N_("palette"),
    N_("Open the command palette"),
)


def settle_heap() -> None:
    """Move every object alive now (the modules, the scenario, the session, the widgets) out
    of the garbage collector's sight, and let it run: called once the app's first screen is
    painted, and again once the exercise screen is.

    They stay for the whole session; without this, a full collection walks them all every
    few hundred thousand allocations, and repainting the panes after an action allocates
    that many: a 40-50 ms pause in the middle of a frame. Unreachable objects are still
    freed by reference counting; only cycles among the objects frozen here would stay."""
    gc.freeze()
    gc.enable()


def run_app(*, scenario_path=None, resume_log=None, replay_log=None, log_path=None, group=None,
            seed=None, sign=False, live_reload=False, start_turn=None, start_values=None,
            lang=None) -> int:
    """Run the app in the terminal; returns the exit code (0, or 1 after an error screen)."""
    app = SpilloverApp(scenario_path=scenario_path, resume_log=resume_log, replay_log=replay_log,
                       log_path=log_path, group=group, seed=seed, sign=sign,
                       live_reload=live_reload, start_turn=start_turn,
                       start_values=start_values, lang=lang)
    return run_in_terminal(app)


def run_in_terminal(app: SpilloverApp, *, manage_gc: bool = True) -> int:
    """Run an app in the terminal (the benchmark starts its app here too); returns the exit
    code. Closes the session on a hang-up and on the way out."""

    def hang_up(_signum, _frame):      # the terminal closed: the log is already on disk
        app.close_session()
        app.exit(app.exit_code, return_code=app.exit_code)

    previous = None
    if hasattr(signal, "SIGHUP"):
        try:
            previous = signal.signal(signal.SIGHUP, hang_up)
        except ValueError:              # not the main thread
            previous = None
    # Garbage collection, confined to this function and to `tui.cli._tui`, which pauses the
    # collector before importing Textual (bench/RESULTS.md, "public Textual APIs", measures
    # what it saves): starting the app allocates a few hundred thousand objects that
    # live as long as it does (Textual's modules, the scenario, the session, the widgets);
    # collecting while they are made only walks them again and again. The collector waits
    # until the first screen is painted, when they are frozen out of its sight
    # (`settle_heap`); after that it is paused from each key to the frame showing its effect.
    app.manage_gc = manage_gc
    if manage_gc:
        gc.disable()
    try:
        result = app.run()
    finally:
        gc.enable()
        app.close_session()
        if previous is not None:
            signal.signal(signal.SIGHUP, previous)
    if app.return_code is not None:
        return app.return_code
    return result if isinstance(result, int) else 0
