"""The facilitator's main flows, driven by keys; after each step the engine state and the
log on disk are checked."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static
from tui_helpers import actions, make_app, move_to, read_log, screen_text, type_text

from engine.play.replay import replay
from engine.play.rules import Pending
from tui.screens.exercise import BranchList, ExerciseScreen
from tui.screens.inject_card import InjectCardDialog
from tui.screens.roll import RollDialog
from tui.screens.roll_result import RollResultDialog
from tui.screens.setup import SetupScreen
from tui.screens.text import TextDialog


async def test_setup_choose_roll_undo_next_turn_end(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        session = app.session
        header = read_log(log_path)[0]
        assert (header["type"], header["group"], header["seed"]) == ("header", "Blue", 7)
        assert header["switched_off"] == []

        await pilot.press("t")
        await pilot.pause()
        assert session.state.turn == 1
        assert actions(log_path) == ["next_turn"]
        assert "Turn 1/" in screen_text(app)

        # choose with a rationale
        await move_to(pilot, "press_negotiations")
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.choose_panel.is_open
        await pilot.press("enter")                     # option 1 → the rationale field
        await type_text(pilot, "quick")
        await pilot.press("enter")
        await pilot.pause()
        assert not app.screen.choose_panel.is_open
        assert session.state.pending == Pending("press_negotiations", "push")
        last = read_log(log_path)[-1]
        assert (last["action"], last["branch"], last["option"], last["rationale"]) == (
            "choose", "press_negotiations", "push", "quick")
        assert "quick" in screen_text(app)     # the log panel
        assert "roll waiting" in screen_text(app)

        # roll
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollDialog)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollResultDialog)
        roll = read_log(log_path)[-1]
        assert roll["action"] == "roll" and session.state.pending is None
        shown = screen_text(app)
        assert f"Total {roll['total']} vs target {roll['target']}" in shown
        assert ("SUCCESS" if roll["success"] else "FAILURE") in shown
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)

        # undo the roll: the choice is pending again; rolling again gives the same faces
        await pilot.press("u")
        await pilot.pause()
        undo = read_log(log_path)[-1]
        assert undo["action"] == "undo" and undo["undoes"] == roll["n"]
        assert session.state.pending == Pending("press_negotiations", "push")
        await pilot.press("r", "r")
        await pilot.pause()
        again = read_log(log_path)[-1]
        assert again["faces"] == roll["faces"]
        await pilot.press("enter")
        await pilot.pause()

        # next turn
        await pilot.press("t")
        await pilot.pause()
        assert session.state.turn == 2
        assert actions(log_path) == ["next_turn", "choose", "roll", "undo", "roll", "next_turn"]
        # turn 2's scheduled inject opens as a card to read out; enter closes it
        assert isinstance(app.screen, InjectCardDialog)
        assert "Beijing warns again" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)

        # end with hotwash notes
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "done")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not session.state.ended                  # next: who took part
        await type_text(pilot, "Blue cell | White cell")
        await pilot.press("enter")
        await type_text(pilot, "Ann, director")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert session.state.ended
        end = read_log(log_path)[-1]
        assert (end["action"], end["hotwash"]) == ("end", "done")
        assert (end["participants"], end["contact"]) == (["Blue cell", "White cell"],
                                                         "Ann, director")
        assert "SESSION ENDED" in screen_text(app)
        assert app.screen.check_action("quit_app", ()) is True
        assert app.screen.check_action("choose", ()) is False
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert session.writer.closed
    assert replay(log_path).verified


async def test_choose_by_number_and_blocked_branch(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        # a blocked branch: choosing says why, nothing is logged
        await move_to(pilot, "open_office")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert actions(log_path) == ["next_turn"]
        assert any("cannot be played" in n.message for n in app._notifications)
        # escape cancels a choice: nothing is logged
        await move_to(pilot, "answer_beijing")
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.choose_panel.is_open
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.choose_panel.is_open
        assert actions(log_path) == ["next_turn"]
        # option 2 of answer_beijing by its number, empty rationale
        await pilot.press("2")
        await pilot.pause()
        assert app.screen.choose_panel.is_open
        assert app.screen.query_one("#rationale", Input).has_focus
        await pilot.press("u")                         # typed into the rationale, not undo
        await pilot.press("backspace")
        await pilot.press("enter")
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["branch"], last["option"], last["rationale"]) == (
            "answer_beijing", "stand_firm", "")
        # the played branch is marked in the list
        ol = app.screen.query_one("#branches", BranchList)
        assert "✓" in ol.get_option("answer_beijing").status.plain


async def test_decide_note_and_inject(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await move_to(pilot, "press_negotiations")
        await pilot.press("1", "enter")
        await pilot.pause()
        # the facilitator decides instead of rolling
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "split")
        await pilot.press("enter")
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["action"], last["success"], last["rationale"]) == (
            "decide", False, "split")
        assert app.session.state.pending is None
        # a note
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Paris")
        await pilot.press("enter")
        await pilot.pause()
        assert read_log(log_path)[-1]["text"] == "Paris"
        # an empty note is refused by the engine: the dialog stays open and says why
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert actions(log_path)[-1] == "note" and len(actions(log_path)) == 4
        assert isinstance(app.screen, TextDialog) and "the note is empty" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        # release an inject
        await pilot.press("i")
        await pilot.pause()
        ol = app.screen.query_one("#injects", OptionList)
        assert ol.get_option("beijing_again").disabled      # scheduled for turn 2
        ol.highlighted = ol.get_option_index("ally_objects")
        await pilot.press("enter")
        await type_text(pilot, "test")
        await pilot.press("enter")
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["action"], last["inject"], last["rationale"]) == (
            "release", "ally_objects", "test")
        assert app.session.state.values[app.session.scenario.variable("allies_agree").index] is False
        assert "An ally objects" in screen_text(app)
    assert replay(log_path).verified


async def test_override_refused_shows_engine_message(tutorial_path, log_path):
    from engine.format.loader import load_scenario
    from engine.play.session import Session, SessionError
    scratch = Session.start(load_scenario(tutorial_path), seed=1, group="x")
    try:
        scratch.override("china_pressure", "9", "")
    except SessionError as e:
        expected = str(e)
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        before_state = app.session.state
        before_log = log_path.read_bytes()
        await pilot.press("o")
        await pilot.pause()
        ol = app.screen.query_one("#variables", OptionList)
        ol.highlighted = ol.get_option_index("china_pressure")
        await pilot.press("enter")                     # → the value field
        value = app.screen.query_one("#value", Input)
        assert value.has_focus
        value.value = ""
        await type_text(pilot, "9")
        await pilot.press("enter", "enter")            # → rationale → apply
        await pilot.pause()
        error = app.screen.query_one("#override-error", Static)
        assert str(error.content) == expected
        assert app.session.state == before_state
        assert log_path.read_bytes() == before_log
        # a valid value goes through
        value.value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        last = read_log(log_path)[-1]
        assert (last["action"], last["variable"], last["value"]) == ("override", "china_pressure", 2)
        assert "◆" in screen_text(app)                 # changed this turn


async def test_setup_switches_off_a_baseline_event_and_validates(tutorial_path, log_path):
    from textual.widgets import SelectionList
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        seed = app.screen.query_one("#seed", Input)
        seed.value = "abc"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert "whole number" in str(app.screen.query_one("#setup-error", Static).content)
        seed.value = "42"
        baseline = app.screen.query_one("#baseline", SelectionList)
        baseline.deselect("hayashi_cnn_interview")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
    header = read_log(log_path)[0]
    assert header["seed"] == 42 and header["switched_off"] == ["hayashi_cnn_interview"]


async def test_setup_log_path_follows_group_until_edited(tutorial_path, tmp_path):
    app = make_app(scenario_path=tutorial_path, group=None, log_folder=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        log = app.screen.query_one("#log-path", Input)
        assert log.value == str(tmp_path / "tutorial-group-20260101-093000.jsonl")
        await type_text(pilot, "Red Team")
        await pilot.pause()
        assert log.value == str(tmp_path / "tutorial-red-team-20260101-093000.jsonl")
        log.value = str(tmp_path / "mine.jsonl")
        await pilot.pause()
        app.screen.query_one("#group", Input).value = "Green"
        await pilot.pause()
        assert log.value == str(tmp_path / "mine.jsonl")
        # the engine refuses an existing log: its message is shown, the file is untouched
        (tmp_path / "mine.jsonl").write_text("{}\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert "already holds a session" in str(app.screen.query_one("#setup-error", Static).content)
        assert (tmp_path / "mine.jsonl").read_text() == "{}\n"


async def test_digits_inside_the_open_panel_pick_an_option(tutorial_path, log_path):
    """The sequence a facilitator tries first: c, then the option's number, then type."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await move_to(pilot, "answer_beijing")
        await pilot.press("c")
        await pilot.pause()
        assert "1–9 picks an option" in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert app.screen.query_one("#rationale", Input).has_focus
        assert "enter records the choice" in screen_text(app)
        await type_text(pilot, "calm")
        await pilot.press("up", "1", "enter")       # back to the options, change to option 1
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["branch"], last["option"], last["rationale"]) == (
            "answer_beijing", "reassure", "calm")


async def test_observation_hotwash_and_amendment(tutorial_path, log_path):
    from tui.screens.debrief import FormDialog
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await move_to(pilot, "answer_beijing")
        await pilot.press("1", "enter")                 # 2: choose
        await pilot.pause()
        # an observation, tied to an objective, supported by action 2
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        ol = app.screen.query_one("#choices", OptionList)
        ol.highlighted = ol.get_option_index("managing_beijing")
        await pilot.press("enter")                      # → kind
        await type_text(pilot, "s")
        await pilot.press("enter")
        await type_text(pilot, "Calm first")
        await pilot.press("enter")
        await type_text(pilot, "99")                    # no such action: refused, stays open
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and "no logged action 99" in screen_text(app)
        app.screen.query_one("#supports", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["action"], last["objective"], last["kind"], last["text"], last["supports"]) \
            == ("observe", "managing_beijing", "strength", "Calm first", 2)
        # the hotwash key does nothing before the end; after it, it records an entry
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")                     # cancelling the second step …
        await pilot.pause()
        assert not app.session.state.ended and actions(log_path)[-1] == "observe"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")                     # … or confirming it, empty
        await pilot.pause()
        assert app.session.state.ended
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        ol = app.screen.query_one("#choices", OptionList)
        ol.highlighted = ol.get_option_index("consensus")
        for fid, text in (("rating", "s"), ("sustain", "Heard France"), ("improve", "Ask first"),
                          ("plan", "Brief allies ; NATO desk ; 2025-06-30 | Draft lines")):
            app.screen.query_one(f"#{fid}", Input).value = text
        await pilot.press("ctrl+s")
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["action"], last["objective"], last["rating"], last["sustain"]) == (
            "hotwash", "consensus", "S", "Heard France")
        assert [p["recommendation"] for p in last["plan"]] == ["Brief allies", "Draft lines"]
        hot = last["n"]
        # amend the rationale of the choice, then the hotwash's sustain
        await pilot.press("a")
        await pilot.pause()
        for fid, text in (("action", "2"), ("value", "Calm Beijing first"), ("reason", "minutes")):
            app.screen.query_one(f"#{fid}", Input).value = text
        await pilot.press("ctrl+s")
        await pilot.pause()
        last = read_log(log_path)[-1]
        assert (last["action"], last["amends"], last["field"], last["value"]) == (
            "amend", 2, "rationale", "Calm Beijing first")
        await pilot.press("a")
        await pilot.pause()
        for fid, text in (("action", str(hot)), ("field", "sustain"), ("value", "Heard Paris")):
            app.screen.query_one(f"#{fid}", Input).value = text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert read_log(log_path)[-1]["value"] == "Heard Paris"
    assert replay(log_path).verified


async def test_a_choice_is_said_by_the_log_and_its_signposts_by_toasts(tutorial_path, log_path):
    """A choice (and an undo) gets no toast of its own: the log pane's new line says the same,
    and the toast would cover it. A signpost the choice fires is still announced."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path, start_turn=1,
                   start_values={"office": "agreed"})
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.clear_notifications()
        await move_to(pilot, "open_office")
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.pause()
        assert actions(log_path)[-1] == "choose"
        said = [(n.title, str(n.message)) for n in app._notifications]
        assert said == [("Signpost", "A NATO liaison office opens in Tokyo, the first in Asia")]
        assert "Open the office" in app.screen.query_one("#log-pane").plain
        app.clear_notifications()
        await pilot.press("u")
        await pilot.pause()
        await pilot.pause()
        assert actions(log_path)[-1] == "undo" and not list(app._notifications)
