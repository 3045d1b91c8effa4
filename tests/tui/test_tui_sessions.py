"""Quitting and resuming, replaying a log, and the error screens."""

from __future__ import annotations

import json

from textual.widgets import Static
from tui_helpers import actions, clock, make_app, read_log, screen_text

from engine.format.loader import load_scenario
from engine.play.session import Session
from tui.screens.error import ErrorScreen
from tui.screens.exercise import BranchList, ExerciseScreen
from tui.screens.replay import ReplayScreen


def play(scenario_path, log_path) -> Session:
    """A short session through the engine alone: next turn, a contested choice, a roll, a
    note, another choice, next turn."""
    s = Session.start(load_scenario(scenario_path), seed=7, group="Blue", log_path=log_path,
                      clock=clock)
    s.next_turn()
    s.choose("press_negotiations", "push", "consensus now")
    s.roll()
    s.note("France hesitates")
    s.choose("answer_beijing", "reassure", "calm Beijing")
    s.next_turn()
    s.close()
    return s


async def test_quit_mid_session_then_resume_at_the_same_state(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await pilot.press("2", "enter")                # option 2 of the first branch
        await pilot.pause()
        state = app.session.state_json()
        first = app.screen.query_one("#branches", BranchList).get_option_at_index(0).id
        n_lines = len(read_log(log_path))
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    assert app.session.writer.closed
    assert len(read_log(log_path)) == n_lines          # everything was already on disk

    again = make_app(resume_log=log_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ExerciseScreen)
        assert again.session.state_json() == state
        branches = again.screen.query_one("#branches", BranchList)
        assert branches.highlighted == 0 and branches.highlighted_option.id == first
        assert f"Turn {state['turn']}/" in screen_text(again)
        # new actions append to the same log
        await pilot.press("t")
        await pilot.pause()
    assert actions(log_path)[-1] == "next_turn"
    assert len(read_log(log_path)) == n_lines + 1


async def test_resume_failure_shows_an_error_screen(tmp_path):
    bad = tmp_path / "garbage.jsonl"
    bad.write_text("not json at all\n")
    app = make_app(resume_log=bad)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "cannot resume" in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 1


async def test_replay_steps_forward_and_back(tutorial_path, log_path):
    play(tutorial_path, log_path)
    n = len(read_log(log_path))
    app = make_app(replay_log=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        banner = app.screen.query_one("#replay-banner", Static)
        assert str(banner.content).startswith("Verified")
        assert banner.has_class("-verified")
        assert app.screen.index == 0
        assert "Session start" in screen_text(app)
        await pilot.press("right", "n")
        await pilot.pause()
        assert app.screen.index == 2
        assert "consensus now" in screen_text(app)        # the choice's rationale
        await pilot.press("n")
        await pilot.pause()
        text = screen_text(app)
        roll = read_log(log_path)[3]
        assert f"total {roll['total']} vs {roll['target']}" in text
        await pilot.press("left", "p")
        await pilot.pause()
        assert app.screen.index == 1
        await pilot.press("end")
        await pilot.pause()
        assert app.screen.index == n - 1
        await pilot.press("home")
        await pilot.pause()
        assert app.screen.index == 0
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert app.screen.report.steps[app.screen.index].state.turn == 2
        assert app.screen.report.steps[app.screen.index - 1].state.turn == 1


async def test_edited_log_shows_log_edited(tutorial_path, log_path):
    play(tutorial_path, log_path)
    lines = log_path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["rationale"] = "something else"
    lines[2] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    log_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = make_app(replay_log=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one("#replay-banner", Static)
        assert str(banner.content).startswith("Log edited")
        assert banner.has_class("-edited")


async def test_bad_scenario_shows_each_diagnostic(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("spillover: 1\nid: Bad Id\ntitle: [unclosed\n", encoding="utf-8")
    app = make_app(scenario_path=bad)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert "cannot be loaded" in text
        assert "bad.yaml:" in text and "SP1" in text
        assert "Traceback" not in text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 1


async def test_missing_scenario_file_shows_the_error_screen(tmp_path):
    app = make_app(scenario_path=tmp_path / "nope.yaml")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "SP101" in screen_text(app)


async def test_a_full_disk_says_not_recorded_and_the_session_goes_on(tutorial_path, log_path):
    import errno
    import os

    from tui.screens.not_recorded import NotRecordedDialog

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    app = make_app(scenario_path=tutorial_path, log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        before = log_path.read_bytes()
        app.session.writer.write = full
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, NotRecordedDialog)
        assert "No space left on device" in str(
            app.screen.query_one("#not-recorded-why", Static).content)
        assert log_path.read_bytes() == before and app.session.state.turn == 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        app.session.writer.write = os.write          # room again
        await pilot.press("t")
        await pilot.pause()
        assert actions(log_path) == ["next_turn"] and app.session.state.turn == 1


async def test_run_sign_signs_the_session(tutorial_path, log_path, tmp_path, monkeypatch):
    from engine.play.replay import replay
    from engine.play.signing import AUTHENTIC
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = make_app(scenario_path=tutorial_path, log_path=log_path, sign=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        await pilot.press("ctrl+q")
    report = replay(log_path)
    assert report.authenticity.status == AUTHENTIC and actions(log_path) == ["next_turn"]
