"""Format 2 in the TUI: an option's own condition, shown clause by clause and enforced."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import OptionList
from tui_helpers import make_app, move_to, read_log, screen_text

from tui.screens.exercise import ExerciseScreen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_format2 import scenario_text  # noqa: E402


async def test_an_option_whose_condition_fails_cannot_be_picked(tmp_path, log_path):
    path = tmp_path / "f2.yaml"
    path.write_text(scenario_text(), encoding="utf-8")
    app = make_app(scenario_path=path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s", "t")          # start, then turn 1: load 2, strain 3
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        await move_to(pilot, "settle")
        text = screen_text(app)
        assert "✗ load == 0" in text and "load = 2" in text      # the option's clause
        await pilot.press("c")
        await pilot.pause()
        ol = app.screen.query_one("#choose-options", OptionList)
        assert ol.get_option_at_index(1).disabled
        assert "(not now: condition fails: load == 0)" in screen_text(app)
        await pilot.press("2")                     # refused: focus stays on the list
        await pilot.pause()
        assert ol.has_focus and ol.highlighted == 0
        await pilot.press("enter", "enter")        # Calm, then an empty rationale
        await pilot.pause()
    last = read_log(log_path)[-1]
    assert (last["action"], last["branch"], last["option"]) == ("choose", "settle", "calm")


async def test_an_ending_ends_the_session_on_screen(tmp_path, log_path):
    from tui_helpers import type_text

    from engine.play.replay import replay
    path = tmp_path / "f2.yaml"
    path.write_text(scenario_text(), encoding="utf-8")
    app = make_app(scenario_path=path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # group, seed, time box, log file, filter, then the list
        await pilot.press("tab", "tab", "tab", "tab", "tab", "down", "down", "space")   # objection off
        await pilot.pause()
        assert "reservation starts false instead of true" in screen_text(app)
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await move_to(pilot, "press")
        await pilot.press("1", "enter")          # Push: load 3, the roll is pending
        await pilot.pause()
        assert not app.session.state.ended
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("s")                   # the facilitator decides: success
        await pilot.pause()
        await type_text(pilot, "held")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.ending == "overload"
        assert "SESSION ENDED (Overload)" in screen_text(app)
    assert replay(log_path).verified


async def test_a_graded_roll_shows_each_result_then_the_band_it_fell_in(tmp_path, log_path):
    from test_graded import GRADED

    from tui.screens.roll import RollDialog
    from tui.screens.roll_result import RollResultDialog
    path = tmp_path / "graded.yaml"
    path.write_text(GRADED, encoding="utf-8")
    app = make_app(scenario_path=path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await move_to(pilot, "talks")
        await pilot.press("1", "enter")           # Open talks: the roll is pending
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollDialog)
        text = screen_text(app)
        for line in ("1. Failure  ≤ 4   chance 17%", "2. Partial success  5–8   chance 56%",
                     "3. Success  ≥ 9   chance 28%", "Some progress at 1.", "deal = full"):
            assert line in text, line
        assert "Success (s)" not in text            # decided by result, not success/failure
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollResultDialog)
        rec = read_log(log_path)[-1]
        band = {"failure": "FAILURE", "partial": "PARTIAL SUCCESS", "success": "SUCCESS"}
        text = screen_text(app)
        assert f"Total {rec['total']}  →  {band[rec['band']]}" in text
        effects = {"failure": "trust -= 1", "partial": "deal = partial",
                   "success": "deal = full; trust += 1"}
        assert f"Effects: {effects[rec['band']]}" in text
        await pilot.press("enter")
        await pilot.pause()
        # next turn, decided by hand: the key is the result's number
        app.screen._turn_changed_at = float("-inf")   # past the guard against a double t
        await pilot.press("t")
        await pilot.pause()
        await move_to(pilot, "talks")
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    last = read_log(log_path)[-1]
    assert (last["action"], last["band"]) == ("decide", "partial")


async def test_an_opposed_roll_shows_both_pools(tmp_path, log_path):
    from test_graded import OPPOSED

    from tui.screens.roll import RollDialog
    from tui.screens.roll_result import RollResultDialog
    path = tmp_path / "opposed.yaml"
    path.write_text(OPPOSED, encoding="utf-8")
    app = make_app(scenario_path=path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await move_to(pilot, "talks")
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollDialog)
        text = screen_text(app)
        # 2d6 against 1d6, ties to Beijing: P(2d6 > 1d6) = 181/216 ≈ 84%
        assert "Roll 2d6 against 1d6 (Beijing's response)" in text
        assert "a tie goes to the opposing side · chance of success 84%" in text
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RollResultDialog)
        rec = read_log(log_path)[-1]
        text = screen_text(app)
        assert "Beijing's response" in text and "1d6:" in text
        verdict = "SUCCESS" if rec["success"] else "FAILURE"
        assert f"Total {rec['total']} vs {rec['target']}  →  {verdict}" in text
