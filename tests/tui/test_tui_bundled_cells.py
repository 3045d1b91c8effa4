"""The bundled exercise's cells in the console: two cells' moves recorded in one turn."""

from __future__ import annotations

from tui_helpers import actions, make_app, move_to, read_log, screen_text, type_text

from tui.screens.exercise import ExerciseScreen


async def test_the_console_records_two_cells_moves_in_one_turn(log_path):
    from engine.bundled import main_scenario
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        await pilot.press("t")
        await pilot.pause()
        assert "Japan 0/1 Washington 0/1" in screen_text(app)
        await move_to(pilot, "defence_planning")           # Japan's move
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "front-load")
        await pilot.press("enter")
        await pilot.pause()
        await move_to(pilot, "us_formats")                 # Washington's, the same turn
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "draw Europe in")
        await pilot.press("enter")
        await pilot.pause()
        assert actions(log_path) == ["next_turn", "choose", "choose"]
        moves = [(r["branch"], r["option"], r["cell"], r["rationale"])
                 for r in read_log(log_path)[-2:]]
        assert moves == [("defence_planning", "nato_targets", "japan", "front-load"),
                         ("us_formats", "widen_formats", "washington", "draw Europe in")]
        text = screen_text(app)
        assert "Japan 1/1 Washington 1/1" in text
        assert "NATO HQ and European capitals 0/1" in text     # Europe still has its move
        assert app.screen.query_one("#branches").get_option("annualex").disabled is False


async def test_the_setup_screen_states_the_allowance_per_cell(log_path):
    from engine.bundled import main_scenario
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "cells: 4, one move each a turn" in text and "move per turn" not in text
