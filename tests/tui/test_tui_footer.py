"""The exercise screen's footer (`KeyFooter`): drawn from the screen's active bindings,
descriptions translated when drawn, keys pressed by a click, narrow widths leaving some out."""

from __future__ import annotations

from tui_helpers import make_app, screen_text

import tui.widgets
from tui.screens.exercise import ExerciseScreen
from tui.widgets import KeyFooter


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_footer_translates_descriptions_when_drawn(tutorial_path, log_path, monkeypatch):
    said = {"Choose", "Next turn"}          # only these: other texts have {placeholders}
    monkeypatch.setattr(tui.widgets, "_", lambda text: text.upper() if text in said else text)
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        line = footer_line(app)
        assert "c CHOOSE" in line and "t NEXT TURN" in line and "Choose" not in line


async def test_click_on_a_footer_key_presses_it(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        line = footer_line(app)
        column = line.index("? Help")
        await pilot.click(KeyFooter, offset=(column + 2, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


async def test_narrow_footer_leaves_some_keys_out(tutorial_path, log_path):
    """Below 100 columns the footer leaves out the keys in `narrow_hidden`."""
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        keys, palette = footer.keys()
        assert palette is not None and any(k[2] == "Choose" for k in keys)
        footer.narrow = True
        footer.update_keys()
        await pilot.pause()
        assert "Override" not in footer_line(app) and "Choose" in footer_line(app)
