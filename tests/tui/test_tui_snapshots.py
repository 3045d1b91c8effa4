"""Snapshot tests (pytest-textual-snapshot): fixed size, seed, clock, log path; no cursor blink
or animation. The fixture scenario (Cyrillic and Japanese text) keeps them stable when the
bundled scenarios are edited. Update with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations

import pytest
from tui_helpers import clock, make_app

from engine.format.loader import load_scenario
from engine.play.session import Session

SIZE = (120, 40)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder so the relative log path shown on screen is always the same."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()
    await pilot.pause()


def test_setup_screen(snap_compare, multilingual_path, in_tmp):
    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_exercise_screen(snap_compare, multilingual_path, in_tmp):
    async def run_before(pilot):
        await pilot.press("ctrl+s", "t")
        await settle(pilot)

    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_blocked_branch_detail(snap_compare, multilingual_path, in_tmp):
    async def run_before(pilot):
        await pilot.press("ctrl+s", "t", "down")
        await settle(pilot)
        assert pilot.app.screen.highlighted_view().id == "open_office"

    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_replay_screen(snap_compare, multilingual_path, in_tmp):
    s = Session.start(load_scenario(multilingual_path), seed=7, group="Blue",
                      log_path="session.jsonl", clock=clock)
    s.next_turn()
    s.choose("press_talks", "push", "Токио торопит — 急ぐ")
    s.roll()
    s.release("beijing_warns", "")
    s.close()

    async def run_before(pilot):
        await pilot.press("n", "n", "n")
        await settle(pilot)

    app = make_app(replay_log="session.jsonl")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
