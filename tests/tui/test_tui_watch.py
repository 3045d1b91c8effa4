"""The player view app (`spillover watch`): follows a live log, read only; snapshots at the
sizes of a laptop (80×24) and a projector (160×50)."""

from __future__ import annotations

import datetime as dt

from tui_helpers import screen_text

from engine.format.loader import load_scenario
from engine.play.session import Session

NOW = dt.datetime(2026, 1, 1, 9, 42, 10, tzinfo=dt.UTC)


def fixed_now() -> dt.datetime:
    return NOW


async def settle(pilot) -> None:
    """Wait for the view's replay (a thread worker) and the frame that shows it."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def watch_app(log, **kw):
    from tui.watch import WatchApp
    app = WatchApp(log, now=fixed_now, poll=60, **kw)   # tests call reload() themselves
    app.animation_level = "none"
    return app


def played(path, log):
    s = Session.start(load_scenario(path), seed=7, group="Blue", log_path=log,
                      clock=lambda: "2026-01-01T09:00:00+00:00")
    s.clock = lambda: "2026-01-01T09:30:00+00:00"
    s.next_turn()
    s.choose("press_talks", "push", "Токио торопит — 急ぐ")
    s.roll()
    s.release("beijing_warns", "")
    return s


async def test_watch_follows_the_log_as_it_grows(tutorial_path, tmp_path):
    tutorial = load_scenario(tutorial_path)
    log = tmp_path / "s.jsonl"
    s = Session.start(tutorial, seed=7, group="Blue", log_path=log,
                      clock=lambda: "2026-01-01T09:00:00+00:00")
    app = watch_app(log)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Turn 0/3: Baseline: June 2023" in text and "No inject yet." in text
        assert "session 42:10" in text
        size = log.stat().st_size
        s.next_turn()
        s.choose("answer_beijing", "reassure", "calm it down")
        s.release("ally_objects", "")
        app.reload()
        await settle(pilot)
        text = screen_text(app)
        assert "Turn 1/3: Summer 2023" in text
        assert "choice 'Japan answers Beijing's warning'" in text
        assert "An ally objects to an office in Asia" in text
        assert "answer_beijing" not in text and "ally_objects" not in text
        assert log.stat().st_size > size
    before = log.read_bytes()
    s.close()
    assert log.read_bytes() == before        # nothing was written by the view


async def test_watch_survives_a_torn_log(tutorial_path, tmp_path):
    log = tmp_path / "s.jsonl"
    s = Session.start(load_scenario(tutorial_path), seed=7, group="Blue", log_path=log,
                      clock=lambda: "2026-01-01T09:00:00+00:00")
    s.next_turn()
    s.close()
    with open(log, "ab") as f:
        f.write(b'{"type":"act')
    app = watch_app(log)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Turn 1/3" in text and "torn" in text.lower()


async def test_watch_of_a_missing_log_says_so(tmp_path):
    app = watch_app(tmp_path / "nothing.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "cannot read the log" in screen_text(app)


def test_player_view_80x24(snap_compare, multilingual_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    played(multilingual_path, "session.jsonl").close()
    assert snap_compare(watch_app("session.jsonl"), terminal_size=(80, 24), run_before=settle)


def test_player_view_160x50(snap_compare, multilingual_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    played(multilingual_path, "session.jsonl").close()
    assert snap_compare(watch_app("session.jsonl"), terminal_size=(160, 50), run_before=settle)


async def test_watch_with_a_scenario_that_moved_or_is_broken(tutorial_path, tmp_path):
    import shutil
    moved = tmp_path / "moved.yaml"
    shutil.copy(tutorial_path, moved)
    log = tmp_path / "s.jsonl"
    Session.start(load_scenario(moved), seed=7, group="Blue", log_path=log,
                  clock=lambda: "2026-01-01T09:00:00+00:00").close()
    moved.unlink()
    app = watch_app(log)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "cannot be loaded" in screen_text(app)
    app = watch_app(log, scenario_path=tutorial_path)       # --scenario: where it is now
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Turn 0/3" in screen_text(app)
    broken = tmp_path / "broken.yaml"
    broken.write_text("spillover: 1\nid: [\n", encoding="utf-8")
    app = watch_app(log, scenario_path=broken)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "broken.yaml:" in screen_text(app).replace("\n", "")
