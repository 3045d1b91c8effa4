"""Forking a session: keep its first N actions, continue in a new log that verifies on its own."""

import json
import re

import pytest
from aar_sessions import copy_tutorial, fixed_clock, play_blue

from engine.debrief.compare import compare
from engine.debrief.report import after_action_report
from engine.debrief.report_render import to_markdown
from engine.play.fork import ForkError, fork
from engine.play.log import read_log
from engine.play.replay import replay, resume
from tui.cli import main


@pytest.fixture
def blue(tmp_path):
    scenario = copy_tutorial(tmp_path)
    play_blue(scenario, tmp_path / "blue.jsonl")
    return tmp_path / "blue.jsonl"


def _content(rec):
    return {k: v for k, v in rec.items() if k not in ("hash", "prev")}


def test_fork_keeps_the_first_actions_and_verifies(blue, tmp_path):
    s = fork(blue, 7, tmp_path / "fork.jsonl", group="Blue B", clock=fixed_clock(40))
    assert len(s.actions) == 7 and s.group == "Blue B" and s.state.turn == 1
    s.close()
    rep = replay(tmp_path / "fork.jsonl")
    assert rep.verified, rep.banner()
    parent, child = read_log(blue), read_log(tmp_path / "fork.jsonl")
    ff = child.header["forked_from"]
    assert ff == {"log": str(blue.resolve()), "header_hash": parent.header["hash"], "at": 7,
                  "group": "Blue"}
    assert child.header["seed"] == parent.header["seed"]
    assert child.header["scenario"]["hash"] == parent.header["scenario"]["hash"]
    # the kept actions are the parent's, re-logged in the new chain (timestamps kept)
    assert [_content(r) for r in child.actions] == [_content(r) for r in parent.actions[:7]]
    assert child.actions[0]["prev"] == child.header["hash"] != parent.header["hash"]


def test_fork_continues_and_its_report_shows_where_it_departed(blue, tmp_path):
    s = fork(blue, 6, tmp_path / "fork.jsonl", clock=fixed_clock(40))
    s.note("What if the group had waited for the summit?")
    s.next_turn()
    s.choose("open_office", "open", "Same as the parent")
    s.choose("china_protests", "hold", "Beijing holds back in this branch")
    s.close()
    assert replay(tmp_path / "fork.jsonl").verified
    report = after_action_report(tmp_path / "fork.jsonl")
    assert report.fork.at == 6 and report.fork.parent_found and report.fork.parent_matches
    assert report.fork.parent_next == "action 7: set Pressure from Beijing (0–3) to 2 by hand"
    assert report.fork.this_next.startswith("action 7: note: What if the group had waited")
    assert [e.inherited for e in report.entries] == [True] * 6 + [False] * 4
    md = to_markdown(report)
    assert f"| Forked from | {blue.resolve()} at action 6 |" in md
    assert "forked from" in md and "departs from action 7" in md
    assert "*— fork point: actions 1–6 come from the parent session" in md
    assert md.index("fork point") < md.index("**7. Note:**")
    # parent and fork compare: same first three decisions, the fork protests instead of reassuring
    c = compare([blue, tmp_path / "fork.jsonl"])
    (d,) = c.divergences
    assert d.index == 4 and d.b_decision.branch == "china_protests"


def test_fork_can_be_resumed(blue, tmp_path):
    fork(blue, 9, tmp_path / "fork.jsonl").close()
    session, rep = resume(tmp_path / "fork.jsonl")
    assert rep.verified and len(session.actions) == 9
    session.choose("answer_beijing", "stand_firm", "the other way this time")
    session.close()
    assert replay(tmp_path / "fork.jsonl").verified


def test_default_fork_path_is_next_to_the_parent(blue):
    s = fork(blue, 3)
    s.close()
    assert s.log_path.parent == blue.parent
    assert re.fullmatch(r"blue-fork3-\d{8}-\d{6}(-\d+)?\.jsonl", s.log_path.name)
    s2 = fork(blue, 3)                               # a second fork in the same second
    s2.close()
    assert s2.log_path != s.log_path and replay(s2.log_path).verified


def test_fork_at_zero_keeps_the_set_up_only(blue, tmp_path):
    s = fork(blue, 0, tmp_path / "zero.jsonl")
    s.close()
    assert s.actions == [] and replay(tmp_path / "zero.jsonl").verified


@pytest.mark.parametrize("at", [-1, 16, 99])
def test_fork_out_of_range_is_refused(blue, tmp_path, at):
    with pytest.raises(ForkError, match="out of range.*keep 0 to 15") as e:
        fork(blue, at, tmp_path / "f.jsonl")
    assert e.value.usage and not (tmp_path / "f.jsonl").exists()


def test_fork_after_the_end_is_refused(blue, tmp_path):
    with pytest.raises(ForkError, match="ends the session.*fork at 14"):
        fork(blue, 15, tmp_path / "f.jsonl")
    assert fork(blue, 14, tmp_path / "f.jsonl").state.ended is False


def test_edited_log_forks_only_before_the_break(blue, tmp_path):
    edited = tmp_path / "edited.jsonl"
    edited.write_text(blue.read_text(encoding="utf-8").replace(
        "Open it while the momentum lasts", "Open it NOW"), encoding="utf-8")   # line 10
    with pytest.raises(ForkError, match="past the last action that verifies.*fork at 8"):
        fork(edited, 9, tmp_path / "f9.jsonl")
    s = fork(edited, 8, tmp_path / "f8.jsonl")
    s.close()
    assert replay(tmp_path / "f8.jsonl").verified


def test_existing_fork_log_is_refused(blue, tmp_path):
    (tmp_path / "taken.jsonl").write_text(blue.read_text(encoding="utf-8"))
    with pytest.raises(ForkError, match="already exists"):
        fork(blue, 3, tmp_path / "taken.jsonl")
    with pytest.raises(ForkError, match="new log file"):
        fork(blue, 3, blue)


def test_cli_fork(blue, tmp_path, capsys):
    new = tmp_path / "cli-fork.jsonl"
    assert main(["fork", str(blue), "--at", "5", "--log", str(new), "--group", "Blue 2"]) == 0
    out = capsys.readouterr().out
    assert f"New log: {new}" in out and f"spillover resume {new}" in out
    assert json.loads(new.read_text().splitlines()[0])["group"] == "Blue 2"
    assert replay(new).verified
    assert main(["fork", str(blue), "--at", "16"]) == 2
    err = capsys.readouterr().err
    assert "out of range" in err and "Traceback" not in err
    assert main(["fork", str(tmp_path / "missing.jsonl"), "--at", "1"]) == 1
    assert "cannot read the log" in capsys.readouterr().err
