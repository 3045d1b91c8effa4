"""Sizes, themes, scripts, the help screen and the command palette."""

from __future__ import annotations

import pytest
from tui_helpers import make_app, screen_text

from tui.screens.exercise import BranchList, ExerciseScreen
from tui.screens.help import HelpScreen
from tui.widgets import KeyFooter, screen_commands


def visible(app, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    region = widget.region
    screen = app.screen.region
    return (widget.display and region.width > 0 and region.height > 0
            and screen.contains_region(region))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_exercise_screen_fits(tutorial_path, log_path, size):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert visible(app, "#start")                   # the setup screen's Start button
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        for selector in ("#ex-title", "#ex-status", "#branches", "#detail", "#state-pane",
                         "#log-pane", KeyFooter):
            assert visible(app, selector) if isinstance(selector, str) else \
                app.screen.query_one(selector).region.height == 1
        text = screen_text(app)
        assert "Turn 1/" in text and "Group: Blue" in text
        assert "c Choose" in text and "t Next turn" in text
        assert "^q Quit" in text
        assert app.screen.has_class("-narrow" if size[0] < 120 else "-wide")
        # the choose panel fits too
        await pilot.press("1")
        await pilot.pause()
        assert visible(app, "#rationale")


async def test_light_theme_and_scripts(multilingual_path, log_path):
    app = make_app(scenario_path=multilingual_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        text = screen_text(app)
        assert "Офис НАТО в Токио — 東京のNATO連絡事務所" in text
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        text = screen_text(app)
        assert "Лето 2023 (夏)" in text
        assert "Япония торопит переговоры (日本が交渉を急ぐ)" in text
        assert "Хаяси подтверждает переговоры" in text and "(林外相が交渉を確認)" in text
        assert "fn. 23, 24" in text
        assert "Офис связи" in text and "(連絡事務所):" in text    # wrapped in the state pane


async def test_help_lists_every_key(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key, words in [("c", "Choose"), ("r", "Roll"), ("n", "Note"), ("i", "Inject"),
                           ("o", "Override"), ("u", "Undo"), ("t", "Next turn"), ("e", "End"),
                           ("1–9", "Choose option"), ("ctrl+q", "quit")]:
            assert key in text and words in text, (key, words)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)


async def test_command_palette_offers_what_fits(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        names = {d for d, _, _ in screen_commands(app.screen)}
        assert {"Choose", "Note", "Inject", "Override", "Undo", "Next turn", "End",
                "Help"} <= names
        assert "Roll" not in names and "Quit" not in names    # no roll waiting, not ended
        # run "Next turn" from the palette
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert app.session.state.turn == 1
        ol = app.screen.query_one("#branches", BranchList)
        ol.highlighted = ol.get_option_index("press_negotiations")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert "Roll" in {d for d, _, _ in screen_commands(app.screen)}
