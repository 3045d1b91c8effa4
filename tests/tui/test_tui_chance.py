"""A chance inject (format 2) in the facilitator's console: when its draw fires at the turn
change, its card opens like a scheduled inject's; when it does not, the log pane says so."""

from __future__ import annotations

from pathlib import Path

from test_chance import CHANCE
from tui_helpers import make_app, read_log, screen_text

from tui.screens.exercise import ExerciseScreen
from tui.screens.inject_card import InjectCardDialog


async def _turn_one(tmp_path: Path, chance: str):
    path = tmp_path / "chance.yaml"
    path.write_text(CHANCE.replace("chance: 1/6", f"chance: {chance}"), encoding="utf-8")
    log = tmp_path / "chance.jsonl"
    app = make_app(scenario_path=path, log_path=log)
    return app, log


async def test_a_chance_inject_that_fires_opens_its_card(tmp_path):
    app, log = await _turn_one(tmp_path, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert read_log(log)[-1]["draws"][0]["fired"] is True
        assert isinstance(app.screen, InjectCardDialog)
        assert "An incident at sea" in screen_text(app)
        assert "A patrol boat is rammed" in screen_text(app)
        # drawn, not scheduled: the card says so, with its chance and that it happened
        assert "(drawn at the start of this turn with chance 1: it happened)" in \
            screen_text(app)
        assert "scheduled" not in screen_text(app)


async def test_a_chance_inject_that_does_not_fire_is_named_in_the_log_pane(tmp_path):
    app, log = await _turn_one(tmp_path, "0")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert read_log(log)[-1]["draws"][0]["fired"] is False
        assert isinstance(app.screen, ExerciseScreen)
        shown = screen_text(app)
        assert "(by chance, did not" in shown and "'An incident at sea' 0)" in shown


async def test_after_a_missed_draw_the_inject_list_says_it_missed(tmp_path):
    app, log = await _turn_one(tmp_path, "0")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert "drawn when turn 1 begins (chance 0)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        shown = screen_text(app)
        assert "drawn when turn 1 began: missed (chance 0)" in shown
        assert "drawn when turn 1 begins" not in shown
