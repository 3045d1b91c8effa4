"""Helpers for the TUI tests: deterministic apps, reading logs, the painted screen's text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
CLOCK_TEXT = "2026-01-01T00:00:00+00:00"


def clock() -> str:
    return CLOCK_TEXT


def fixed_now() -> dt.datetime:
    return dt.datetime(2026, 1, 1, 9, 30, 0)


def fixed_wall() -> dt.datetime:
    return dt.datetime(2026, 1, 1, 0, 42, 10, tzinfo=dt.UTC)


def make_app(**kwargs):
    """A deterministic app: fixed seed, clock and timestamp, no blinking, no animation."""
    from tui.app import SpilloverApp
    kwargs.setdefault("seed", 7)
    kwargs.setdefault("group", "Blue")
    kwargs.setdefault("wall_clock", fixed_wall)
    app = SpilloverApp(clock=clock, now=fixed_now, cursor_blink=False, **kwargs)
    app.animation_level = "none"
    return app


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def actions(path: Path) -> list[str]:
    return [r["action"] for r in read_log(path)[1:]]


def screen_text(app) -> str:
    """The text of the screen as painted (for assertions on what the facilitator sees)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)




async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def move_to(pilot, branch_id: str) -> None:
    """Move the branch list's highlight to a branch with the arrow keys."""
    from tui.screens.exercise import BranchList
    ol = pilot.app.screen.query_one("#branches", BranchList)
    target = ol.get_option_index(branch_id)
    while ol.highlighted != target:
        await pilot.press("down" if ol.highlighted < target else "up")
    await pilot.pause()
