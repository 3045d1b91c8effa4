"""Seminar sizes: the observation and hotwash dialogs fit 100×30 whole and keep their fields
and buttons on screen at 80×24 (only the objective list scrolls); no notification covers the
choose panel's hint line. Snapshot tests pin the size; the fixture has four long objectives,
as the bundled exercise has."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList
from tui_helpers import make_app, screen_text

from tui.screens.debrief import FormDialog

OBJECTIVES = """
objectives:
  - id: flag
    text: >-
      Find out whether allies' activity near Japan moves from national deployments to
      activity under the NATO flag, and what it takes.
    capabilities: [Alliance consensus-building, Maritime presence]
  - id: mission
    text: >-
      Explore the conditions for a first NATO mission in the Far East, its timing, its sea
      areas and who sails in it.
    capabilities: [Force generation]
  - id: limits
    text: >-
      Weigh the limits Europe sets on the spillover, from deterring Russia to trade with
      China and the size of the force pool.
    capabilities: [Strategic prioritisation]
  - id: beijing
    text: Examine how the players read and answer China's reactions to NATO's turn to Asia.
    capabilities: [Crisis communication]
"""


@pytest.fixture
def four_objectives(multilingual_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "objectives.yaml"
    path.write_text(multilingual_path.read_text(encoding="utf-8") + OBJECTIVES, encoding="utf-8")
    return path


async def open_dialog(pilot, key: str) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()
    if key == "h":
        await pilot.press("e", "ctrl+s", "ctrl+s")       # end: hotwash notes, participants
        await pilot.pause()
    await pilot.press(key)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()
    await pilot.pause()


def assert_fits(app, whole: bool) -> None:
    """Every field and both buttons are on screen, inside the dialog, which does not scroll;
    with `whole` the list shows every objective and General too."""
    screen = app.screen
    assert isinstance(screen, FormDialog)
    box = screen.query_one(".dialog")
    assert box.max_scroll_y == 0
    bottom = app.size.height - 1                             # the footer's row
    for widget in [*screen.query("Input"), *screen.query("Button")]:
        assert widget.region.height >= 1 and widget.region.bottom <= bottom, widget
    choices = screen.query_one("#choices", OptionList)
    assert choices.region.height >= 3
    if whole:
        assert choices.max_scroll_y == 0
        assert "General (not tied to an objective)" in screen_text(app)


@pytest.mark.parametrize("key", ["v", "h"])
@pytest.mark.parametrize("size, whole", [((100, 30), True), ((80, 24), False)])
async def test_debrief_dialogs_fit_seminar_sizes(four_objectives, key, size, whole):
    app = make_app(scenario_path=four_objectives, log_path="session.jsonl")
    async with app.run_test(size=size) as pilot:
        await open_dialog(pilot, key)
        assert_fits(app, whole)
        ol = app.screen.query_one("#choices", OptionList)
        await pilot.press(*["down"] * 4)                    # General, scrolled to if need be
        await pilot.pause()
        assert ol.highlighted_option.id == "__general__" or "General" in str(
            ol.highlighted_option.prompt)
        assert "General (not tied to an objective)" in screen_text(app)
        await pilot.press("up", "up", "up", "up")
        await pilot.pause()
        assert "Alliance consensus-building; Maritime presence" in screen_text(app)   # detail
        if key == "v":                     # a refusal shows its reason and the buttons stay
            await pilot.press("enter", "x", "enter", "enter", "enter")
            await pilot.pause()
            assert "strength" in screen_text(app) and isinstance(app.screen, FormDialog)
            assert_fits(app, False)


def test_observation_dialog_100x30(snap_compare, four_objectives):
    async def run_before(pilot):
        await open_dialog(pilot, "v")

    app = make_app(scenario_path=four_objectives, log_path="session.jsonl")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_hotwash_dialog_80x24(snap_compare, four_objectives):
    async def run_before(pilot):
        await open_dialog(pilot, "h")

    app = make_app(scenario_path=four_objectives, log_path="session.jsonl")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_a_turn_notification_never_covers_the_choose_panels_hint(four_objectives):
    app = make_app(scenario_path=four_objectives, log_path="session.jsonl")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("t")                      # the turn change is notified …
        await pilot.pause()
        assert app.screen.query("Toast")
        await pilot.press("1")                      # … and the choose panel opens at once
        await pilot.pause()
        panel = app.screen.choose_panel
        assert panel.is_open and not app.screen.query("Toast")
        hint = panel.query_one("#choose-hint")
        assert hint.region.height == 1 and "enter records the choice" in screen_text(app)
