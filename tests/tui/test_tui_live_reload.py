"""`spillover run --watch`: a file change reloads the scenario in place (issue 15)."""

from __future__ import annotations

import asyncio
import shutil

from tui_helpers import actions, make_app

from tui.screens.exercise import ExerciseScreen


async def _until(pilot, check, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError("timed out")


async def test_editing_the_scenario_reloads_the_live_session(tmp_path, tutorial_path):
    scenario = tmp_path / "tutorial.yaml"
    shutil.copy(tutorial_path, scenario)
    log = tmp_path / "sessions" / "blue.jsonl"
    app = make_app(scenario_path=scenario, log_path=log, live_reload=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        first = app.session
        await _until(pilot, lambda: app.workers and any(
            w.group == "live_reload" for w in app.workers))
        await asyncio.sleep(0.3)           # let the watcher start
        text = scenario.read_text(encoding="utf-8")

        # an error: the session stays, the error is shown
        scenario.write_text(text.replace("office == negotiating", "ofice == negotiating"),
                            encoding="utf-8")
        await _until(pilot, lambda: app.last_reload is not None)
        assert [d.code for d in app.last_reload.diagnostics] == ["SP402"]
        assert app.session is first and isinstance(app.screen, ExerciseScreen)

        # fixed, with a new title: a new session with the same actions, on the new version
        # A title is text, outside the logic hash: change logic too, so the branch changed.
        scenario.write_text(text.replace("title: Japan presses for an agreement",
                                         "title: Japan presses hard")
                            .replace("repeatable: true          #",
                                     "repeatable: false         #"), encoding="utf-8")
        await _until(pilot, lambda: app.session is not first)
        assert app.session.state_json() == first.state_json()
        assert app.session.scenario.branches["press_negotiations"].title == "Japan presses hard"
        assert app.last_reload.changes == ("branch:press_negotiations changed",)
        assert isinstance(app.screen, ExerciseScreen) and app.screen.session is app.session
        await pilot.press("ctrl+q")
    assert actions(log) == ["next_turn"]                   # the old log is kept as it was
    assert actions(app.session.log_path) == ["next_turn"]


async def test_a_test_session_starts_at_the_chosen_turn_and_state(tmp_path, tutorial_path):
    log = tmp_path / "sessions" / "t.jsonl"
    app = make_app(scenario_path=tutorial_path, log_path=log, start_turn=2,
                   start_values={"office": "agreed"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.state_json()["turn"] == 2
        assert app.session.state_json()["values"]["office"] == "agreed"
        await pilot.press("ctrl+q")
    assert actions(log) == ["next_turn", "next_turn", "override"]


async def test_before_a_session_the_setup_or_the_errors_follow_the_file(tmp_path, tutorial_path):
    from tui.screens.error import ErrorScreen
    from tui.screens.setup import SetupScreen
    scenario = tmp_path / "tutorial.yaml"
    text = tutorial_path.read_text(encoding="utf-8")
    scenario.write_text(text.replace("office == negotiating", "ofice == negotiating"),
                        encoding="utf-8")
    app = make_app(scenario_path=scenario, log_path=tmp_path / "s.jsonl", live_reload=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        await _until(pilot, lambda: any(w.group == "live_reload" for w in app.workers))
        await asyncio.sleep(0.3)
        scenario.write_text(text, encoding="utf-8")                 # fixed: the setup screen
        await _until(pilot, lambda: isinstance(app.screen, SetupScreen))
        assert app.exit_code == 0
        await asyncio.sleep(0.3)
        scenario.write_text(text.replace("office == negotiating", "ofice == negotiating"),
                            encoding="utf-8")                       # broken again: the errors
        await _until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        assert any("SP402" in line for line in app.screen.lines)
        await pilot.press("q")
