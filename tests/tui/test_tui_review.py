"""Regressions found by using the app as a facilitator would (under tmux, at 80×24 and
160×50): each test pins one bug that was fixed."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input, OptionList
from tui_helpers import actions, make_app, read_log, screen_text, type_text

from engine.bundled import main_scenario
from tui.screens.error import ErrorScreen
from tui.screens.exercise import ExerciseScreen
from tui.screens.override import OverrideDialog
from tui.screens.replay import ReplayScreen
from tui.screens.roll import RollDialog
from tui.screens.roll_result import RollResultDialog
from tui.screens.text import TextDialog


async def test_unticked_baseline_event_is_said_in_words(tutorial_path, log_path):
    """Textual draws an unticked box with the same X as a ticked one (only a dim colour
    differs): the setup screen must say which events are switched off."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "All baseline events are on" in screen_text(app)
        await pilot.press("tab", "tab", "tab", "tab", "tab", "down", "space")  # untick the 2nd event
        await pilot.pause()
        text = screen_text(app)
        assert "Switched off (counterfactual run): Hayashi confirms talks" in text
        assert "preconditions of: press_negotiations" in text      # what the switch changes
        await pilot.press("space")                                   # tick it again
        await pilot.pause()
        assert "All baseline events are on" in screen_text(app)
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
    assert read_log(log_path)[0]["switched_off"] == ["hayashi_cnn_interview"]


async def test_footer_follows_a_resize(tutorial_path, log_path):
    """Narrowing the terminal to 80 columns hid ^q Quit (the palette hint stayed) until the
    next change of bindings; widening it did not bring the palette hint back."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        last = screen_text(app).splitlines()[-1]
        assert "^q Quit" in last and "palette" not in last
        await pilot.resize_terminal(160, 50)
        await pilot.pause()
        await pilot.pause()
        last = screen_text(app).splitlines()[-1]
        assert "^q Quit" in last and "palette" in last


async def test_log_pane_keeps_showing_the_latest_action(tutorial_path, log_path):
    """The log pane showed its first lines again after a resize (and lost its last line when
    the status line grew to two lines)."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        for n in range(12):
            app.session.note(f"note number {n}")
        app.screen.refresh_all()
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert "note number 11" in screen_text(app)
        app.session.end("hotwash line one\nand the last line")
        app.screen.refresh_all()         # the status line grows to two lines
        await pilot.pause()
        await pilot.pause()
        assert "and the last line" in screen_text(app)


async def test_keys_while_choosing_say_why_and_focus_stays_in_the_panel(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        await pilot.press("c")
        await pilot.pause()
        assert screen.choose_panel.is_open
        before = log_path.read_bytes()
        await pilot.press("t")                  # the option list has focus: t is not typed
        await pilot.pause()
        assert log_path.read_bytes() == before
        # said in the panel's hint line, where no notification covers it
        assert "A choice is open" in str(screen.choose_panel.query_one("#choose-hint").content)
        assert not app.screen.query("Toast")
        await pilot.press("tab", "tab", "tab")  # tab stays inside the panel
        await pilot.pause()
        assert screen.choose_panel in app.focused.ancestors_with_self
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.choose_panel.is_open
        assert screen.branch_list.has_focus


async def test_q_before_the_end_says_how_to_quit(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.is_running
        assert any("ctrl+q quits now" in str(n.message) for n in app._notifications)


async def test_dialogs_fit_at_80x24(tmp_path):
    """At 80×24 the override dialog hid its refusal message and rationale below the screen,
    and the roll dialog its buttons."""
    log = tmp_path / "s.jsonl"
    app = make_app(scenario_path=main_scenario(), log_path=log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideDialog)
        ol = app.screen.query_one("#variables", OptionList)
        ol.highlighted = 2            # a bool
        await pilot.press("enter")
        app.screen.query_one("#value", Input).value = ""
        await type_text(pilot, "maybe")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert "expected true or false" in screen_text(app)
        await pilot.press("escape", "t")
        await pilot.pause()
        await pilot.press("1", "enter")          # NATO joins ANNUALEX, contested
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollDialog)
        text = screen_text(app)
        assert "Roll (r)" in text and "Failure (f)" in text
    assert actions(log) == ["next_turn", "choose"]


async def test_replay_footer_and_unreadable_log(tutorial_path, log_path, tmp_path):
    from tui_helpers import clock

    from engine.format.loader import load_scenario
    from engine.play.session import Session
    s = Session.start(load_scenario(tutorial_path), seed=7, group="Blue", log_path=log_path,
                      clock=clock)
    s.next_turn()
    s.choose("press_negotiations", "push", "consensus now")
    s.roll()
    s.close()
    app = make_app(replay_log=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        last = screen_text(app).splitlines()[-1]
        assert "home First" in last and "end Last" in last
        await pilot.press("end")
        await pilot.pause()
        assert app.screen.index == len(app.screen.report.steps) - 1
        await pilot.press("home")
        await pilot.pause()
        assert app.screen.index == 0
    app = make_app(replay_log=tmp_path / "missing.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert text.count("No such file") == 1 or text.count("cannot read the log") == 1


# ---------------------------------------------------------------- found in the 80×24 review

async def test_empty_note_keeps_the_dialog_open_with_the_engines_reason(tutorial_path, log_path):
    """An empty note closed its dialog before the engine refused it (the text was lost for a
    note typed into the wrong field, and the reason was a toast in the corner)."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        before = actions(log_path)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)            # still open
        assert "the note is empty" in screen_text(app)       # the engine's words
        assert actions(log_path) == before
        await type_text(pilot, "Paris objects")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
    assert read_log(log_path)[-1]["text"] == "Paris objects"


async def test_footer_fits_at_80x24_with_a_roll_waiting(tmp_path):
    """With a roll waiting, r Roll joined the footer and pushed ^q Quit off its end at 80
    columns. Below 100 columns the footer leaves out o Override, still in the palette and
    the help screen."""
    from tui.screens.help import HelpScreen, key_rows
    from tui.widgets import screen_commands
    log = tmp_path / "s.jsonl"
    app = make_app(scenario_path=main_scenario(), log_path=log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await pilot.press("1", "enter")          # NATO joins ANNUALEX, contested
        await pilot.pause()
        await pilot.pause()
        assert app.session.pending_roll() is not None
        last = screen_text(app).splitlines()[-1]
        for key in ("c Choose", "r Roll", "n Note", "u Undo", "t Next turn", "e End", "? Help",
                    "^q Quit"):
            assert key in last, (key, last)
        assert "Override" not in last
        screen = app.screen
        assert "Override" in [description for description, _, _ in screen_commands(screen)]
        assert any("Override" in text for _, text in key_rows(screen))
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and "Override" in screen_text(app)
        await pilot.press("escape")
        await pilot.resize_terminal(120, 40)          # wide: o Override is back
        await pilot.pause()
        await pilot.pause()
        assert "o Override" in screen_text(app).splitlines()[-1]


async def test_roll_result_footer_says_enter_closes(tmp_path):
    """The focused Close button's own enter binding hid "enter Close" from the footer."""
    log = tmp_path / "s.jsonl"
    app = make_app(scenario_path=main_scenario(), log_path=log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollResultDialog)
        last = screen_text(app).splitlines()[-1]
        assert f"{app.get_key_display(Binding('enter', ''))} Close" in last
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
    assert actions(log) == ["next_turn", "choose", "roll"]


async def test_setup_start_button_on_screen_at_80x24(tmp_path):
    """The bundled scenario's summary pushed the Start button below the fold at 80×24."""
    app = make_app(scenario_path=main_scenario(), log_path=tmp_path / "s.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen.query_one("#start")
        assert app.screen.region.contains_region(start.region)
        widget, _ = app.screen.get_widget_at(start.region.x + 1, start.region.y)
        assert widget is start
        assert "Start the session (ctrl+s)" in screen_text(app)


async def test_play_keys_after_the_end_say_why(tutorial_path, log_path):
    """After the end, c / t / u (and the other play keys) did nothing and said nothing."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "e")
        await pilot.pause()
        await pilot.press("ctrl+s")                  # end, without hotwash notes
        await pilot.pause()
        await pilot.press("ctrl+s")                  # nor participants
        await pilot.pause()
        assert app.session.state.ended
        before = log_path.read_bytes()
        for key in ("c", "t", "u", "1", "enter"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            messages = [str(n.message) for n in app._notifications]
            assert any("session has ended" in m for m in messages), (key, messages)
            assert isinstance(app.screen, ExerciseScreen)
        assert log_path.read_bytes() == before


async def test_a_dialog_clears_the_notifications_over_its_buttons(tmp_path):
    """At 80×24 a notification covered the roll dialog's Failure button: a dialog clears the
    last action's notifications (what they said is in the log pane)."""
    app = make_app(scenario_path=main_scenario(), log_path=tmp_path / "s.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await pilot.press("1", "enter")          # NATO joins ANNUALEX, contested
        await pilot.pause()
        await pilot.press("c")                   # a notification: it was played this turn
        await pilot.pause()
        assert any("cannot be played" in str(n.message) for n in app._notifications)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollDialog)
        assert not list(app._notifications)
        assert "Failure (f)" in screen_text(app)
