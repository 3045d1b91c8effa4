"""The seminar room in the console: inject cards, the clock and its time box, and `t`
guarded against skipping a turn by accident."""

from __future__ import annotations

from textual.widgets import OptionList
from tui_helpers import actions, make_app, read_log, screen_text, type_text

from tui.screens.confirm import ConfirmDialog
from tui.screens.exercise import ExerciseScreen
from tui.screens.inject_card import InjectCardDialog


async def start(pilot, time_box: str = ""):
    if time_box:
        pilot.app.screen.query_one("#time-box").value = time_box
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ExerciseScreen)


def record_toasts(app) -> list[str]:
    """The messages of the toasts the app shows from now on."""
    said: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return said


def allow_next_turn(app) -> None:
    """As if a moment had passed since the last turn change."""
    app.screen._turn_changed_at = float("-inf")


async def test_an_inject_released_by_hand_opens_its_card(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("t")
        await pilot.pause()
        allow_next_turn(app)
        said = record_toasts(app)
        await pilot.press("i")
        await pilot.pause()
        ol = app.screen.query_one("#injects", OptionList)
        ol.highlighted = ol.get_option_index("ally_objects")
        await pilot.press("enter")
        await type_text(pilot, "France")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InjectCardDialog)
        text = screen_text(app)
        narrative = app.session.scenario.injects["ally_objects"].narrative
        assert "An ally objects to an office in Asia" in text and "by hand" in text
        assert " ".join(narrative.split()[:6]) in " ".join(text.split())
        await pilot.pause()
        assert said == []                        # no toast over the card
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
    assert actions(log_path) == ["next_turn", "release"]


async def test_the_clock_and_the_time_box_count_down(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await start(pilot, time_box="45")
        assert read_log(log_path)[0]["time_box"] == 45
        # the log says the session began at 00:00:00 UTC; the wall clock says 00:42:10
        text = screen_text(app)
        assert "00:42" in text and "session 42:10" in text
        assert "turn 2:50 left" in text                 # 45 minutes less 42:10
        app.wall_clock = lambda: __import__("datetime").datetime(
            2026, 1, 1, 0, 50, 0, tzinfo=__import__("datetime").timezone.utc)
        app.screen.refresh_clock()
        await pilot.pause()
        assert "turn over by 5:00" in screen_text(app)


async def test_t_asks_when_no_move_was_played_and_a_double_t_skips_nothing(tutorial_path,
                                                                           log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        said = record_toasts(app)
        await pilot.press("t", "t")              # turn 0 has no open branch: no question
        await pilot.pause()
        assert actions(log_path) == ["next_turn"]   # the second t was taken for a double press
        assert any("just changed" in x for x in said)
        allow_next_turn(app)
        await pilot.press("t")                   # turn 1: branches open, no move played
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "No move" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.session.state.turn == 1
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.state.turn == 2
        assert actions(log_path) == ["next_turn", "next_turn"]
        await pilot.press("enter")                # close turn 2's inject card
        await pilot.pause()
        allow_next_turn(app)
        await pilot.press("1")                    # a move this turn: t asks nothing
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.session.state.turn == 3 or app.session.state.pending is not None


async def test_the_theme_is_remembered_at_the_next_launch(tutorial_path, log_path, user_config):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme != "textual-light"
        app.theme = "textual-light"
        await pilot.pause()
    assert (user_config / "settings.json").exists()
    again = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


def on_screen(app, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    region = widget.region
    return region.width > 0 and region.height > 0 and app.screen.region.contains_region(region)


async def test_at_80x24_the_dialogs_show_their_buttons_and_modifiers(log_path):
    from engine.bundled import main_scenario
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("o", "down", "enter")
        await pilot.pause()
        assert on_screen(app, "#ok") and on_screen(app, "#cancel")     # Apply, Cancel
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        allow_next_turn(app)
        await pilot.press("1", "enter")               # NATO joins ANNUALEX, under the flag
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        text = screen_text(app)
        assert "+1  PBP drew Germany and Canada in" in text
        assert "-1  France's reservation" in text
        assert on_screen(app, "#roll")


async def test_at_160x50_the_state_pane_shows_every_variable(log_path):
    from engine.bundled import main_scenario
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await start(pilot)
        pane = app.screen.query_one("#state-pane")
        assert pane.virtual_size.height <= pane.scrollable_content_region.height
        assert "Signposts fired" in screen_text(app)


async def test_counterfactual_picker_filters_and_says_what_each_event_reaches(log_path):
    from textual.widgets import SelectionList

    from engine.bundled import main_scenario
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        baseline = app.screen.query_one("#baseline", SelectionList)
        total = baseline.option_count
        first = str(baseline.get_option_at_index(0).prompt)
        assert "affects nothing" not in first          # events that reach something first
        app.screen.query_one("#baseline-filter").focus()
        await type_text(pilot, "ANNUALEX")
        await pilot.pause()
        assert 0 < baseline.option_count < total
        shown = [baseline.get_option_at_index(i) for i in range(baseline.option_count)]
        target = next(o for o in shown if o.value == "annualex_2021_germany_canada")
        assert "NATO joins ANNUALEX" in str(target.prompt)      # the branch resting on it
        baseline.deselect("annualex_2021_germany_canada")
        await pilot.pause()
        text = screen_text(app)
        assert "OFF " in text and "Switched off (counterfactual run)" in text
        filt = app.screen.query_one("#baseline-filter")
        filt.value = ""                                       # the switch survives the filter
        await pilot.pause()
        assert baseline.option_count == total
        assert "annualex_2021_germany_canada" not in baseline.selected
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert read_log(log_path)[0]["switched_off"] == ["annualex_2021_germany_canada"]


async def test_a_cell_argues_rolls_and_the_override_takes_the_argument(tmp_path, log_path):
    from engine.bundled import tutorial_scenario
    from tui.screens.argument import ArgumentDialog
    from tui.screens.override import OverrideDialog
    from tui.screens.roll_result import RollResultDialog
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "moves_per_turn: 2\n", "moves_per_turn: 2\ncells:\n"
        "  - {id: blue, name: Blue, actors: [japan, nato], moves_per_turn: 1}\n"
        "  - {id: red, name: Red, actors: [china]}\n", 1)
    path = tmp_path / "cells.yaml"
    path.write_text(text, encoding="utf-8")
    app = make_app(scenario_path=path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert "Blue 0/1 Red 0/2" in screen_text(app)
        await pilot.press("m")              # a matrix-game argument (a is amend)
        await pilot.pause()
        assert isinstance(app.screen, ArgumentDialog)
        await pilot.press("down", "enter")                  # Red
        await type_text(pilot, "Beijing cuts exports")
        await pilot.press("enter")
        await type_text(pilot, "Tokyo stockpiled")
        await pilot.press("enter")
        await pilot.press("down", "enter")                  # one above average: strong
        await pilot.pause()
        assert isinstance(app.screen, RollResultDialog)
        rec = read_log(log_path)[-1]
        assert (rec["action"], rec["cell"], rec["argument"], rec["strength"], rec["counters"]) \
            == ("argument", "red", "Beijing cuts exports", "strong", ["Tokyo stockpiled"])
        await pilot.press("enter")
        await pilot.pause()
        assert "Red 1/2" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideDialog)
        rationale = app.screen.query_one("#rationale").value
        assert rec["success"]                 # seed 7: the dice reach 5
        assert rationale == "argument: Beijing cuts exports"


async def test_sealed_moves_in_the_console(tmp_path, log_path):
    from tui_helpers import move_to

    from engine.bundled import tutorial_scenario
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "moves_per_turn: 2\n", "moves_per_turn: 2\nsealed_moves: true\ncells:\n"
        "  - {id: blue, name: Blue, actors: [japan, nato], moves_per_turn: 1}\n"
        "  - {id: red, name: Red, actors: [china]}\n", 1)
    path = tmp_path / "sealed.yaml"
    path.write_text(text, encoding="utf-8")
    app = make_app(scenario_path=path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert app.screen.check_action("reveal", ()) is False      # nothing sealed yet
        await move_to(pilot, "answer_beijing")
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "calm")
        await pilot.press("enter")
        await pilot.pause()
        assert actions(log_path) == ["next_turn", "seal"]
        assert "sealed: 1 (s reveals)" in screen_text(app)
        await pilot.press("s")              # reveal (v is observe)
        await pilot.pause()
        assert actions(log_path) == ["next_turn", "seal", "reveal", "choose"]
        rec = read_log(log_path)[-1]
        assert (rec["branch"], rec["cell"], rec["rationale"]) == ("answer_beijing", "blue", "calm")
        assert "Blue 1/1" in screen_text(app)
