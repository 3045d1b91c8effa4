"""Sessions: actions, undo, the log on disk, replay and resume."""

import datetime as dt
import json
import shutil

import pytest

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.log import read_log
from engine.play.replay import LOG_EDITED, SCENARIO_CHANGED, VERIFIED, replay, resume
from engine.play.session import Session, SessionError

CLOCK = lambda: "2026-01-01T00:00:00+00:00"  # noqa: E731


def start(tutorial, tmp_path, **kw):
    return Session.start(tutorial, seed=7, group="Group A", log_path=tmp_path / "s.jsonl",
                         clock=CLOCK, **kw)


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def play(session):
    session.next_turn()
    session.choose("press_negotiations", "push", "Tokyo wants it settled before the summit")
    session.roll()
    session.release("ally_objects", "France speaks up")
    session.choose("answer_beijing", "reassure", "")
    session.note("The group split on this one")
    session.next_turn()
    session.override("china_pressure", "3", "Beijing escalates sharply")
    session.undo()
    return session


def test_every_action_is_on_disk_before_it_returns(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    path = s.log_path
    assert len(lines(path)) == 1 and lines(path)[0]["type"] == "header"
    s.next_turn()
    assert lines(path)[-1]["action"] == "next_turn"
    out = s.choose("press_negotiations", "push", "because")
    assert lines(path)[-1] == out.record
    assert lines(path)[-1]["rationale"] == "because"


def test_blocked_branch_explains_each_clause(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    s.next_turn()
    view = s.branch_view("open_office")
    assert not view.open and view.reason == "precondition fails: office == agreed"
    [clause] = view.clauses
    assert clause.holds is False and clause.values == (("office", "negotiating"),)
    views = s.branch_views()
    this_turn = [v.id for v in views if 1 in v.branch.turns]
    assert [v.id for v in views[:len(this_turn)]] == this_turn      # this turn's first
    assert this_turn == [b for b in tutorial.branches if 1 in tutorial.branches[b].turns]
    # a choice that blocks a branch (played this turn) leaves the order as it was
    assert views[0].id == "press_negotiations" and views[1].open
    s.choose("press_negotiations", "wait")
    assert not s.branch_view("press_negotiations").open
    assert [v.id for v in s.branch_views()] == [v.id for v in views]


def test_counterfactual_switch_blocks_a_branch_and_names_the_event(tutorial):
    s = Session.start(tutorial, seed=1, group="cf", switched_off=["hayashi_cnn_interview"])
    s.next_turn()
    view = s.branch_view("press_negotiations")
    assert not view.open and "occurred(hayashi_cnn_interview)" in view.reason
    # the refusal names the event by its title, as the room reads it
    with pytest.raises(SessionError, match="Hayashi confirms talks on a NATO liaison office"):
        s.choose("press_negotiations", "push")
    with pytest.raises(SessionError, match="only baseline events"):
        Session.start(tutorial, seed=1, group="cf", switched_off=["no_such_event"])


def test_roll_is_seeded_and_undo_restores_the_dice(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    s.next_turn()
    s.choose("press_negotiations", "push")
    with pytest.raises(SessionError, match="roll"):
        s.next_turn()
    first = s.roll().roll
    assert first.total == sum(first.faces) + sum(v for _, v in first.modifiers)
    assert first.modifiers == (("Beijing's pressure", -1),)
    s.undo()
    assert s.state.pending is not None
    assert s.roll().roll == first


def test_decide_instead_of_rolling(tutorial):
    s = Session.start(tutorial, seed=1, group="g")
    s.next_turn()
    s.choose("press_negotiations", "push")
    s.decide(True, "the facilitator rules the allies agree")
    assert s.variable_views()[0].value == "agreed"
    assert s.branch_view("open_office").open


def test_errors_change_nothing(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    before = (s.state, len(lines(s.log_path)))
    for bad in (lambda: s.choose("open_office", "open"), lambda: s.choose("nope", "x"),
                lambda: s.override("china_pressure", "9", ""), lambda: s.override("x", "1"),
                lambda: s.roll(), lambda: s.undo(), lambda: s.release("nope"),
                lambda: s.note("  ")):
        with pytest.raises(SessionError):
            bad()
    assert (s.state, len(lines(s.log_path))) == before


def test_runtime_range_error_is_reported_not_raised(write_scenario):
    path = write_scenario("""\
    spillover: 1
    id: r
    title: R
    start: 2023-01-01
    turns: [{label: a, date: 2023-01-01}, {label: b, date: 2023-06-30}]
    moves_per_turn: 3
    state: {n: {type: int, range: [0, 1], initial: 0}}
    branches:
      - {id: up, title: Up, repeatable: true, options: [{id: go, label: Go, effects: [n += 1]}]}
      - {id: up2, title: Up again, options: [{id: go, label: Go, effects: [n += 1]}]}
    """)
    s = Session.start(load_scenario(path), seed=1, group="g")
    s.next_turn()
    s.choose("up", "go")
    with pytest.raises(SessionError, match="outside its range 0..1"):
        s.choose("up2", "go")
    assert s.state.values == (1,)


def test_moves_per_turn_and_repeatable(tutorial):
    s = Session.start(tutorial, seed=1, group="g")
    s.next_turn()
    s.choose("answer_beijing", "stand_firm")
    assert s.branch_view("answer_beijing").reason == "already played this turn"
    s.choose("press_negotiations", "wait")
    assert "2 moves" in s.branch_view("china_protests").reason or \
        not s.branch_view("china_protests").open
    s.next_turn()
    assert s.branch_view("answer_beijing").open
    assert s.branch_view("press_negotiations").open        # repeatable: try again
    s.choose("press_negotiations", "push")
    s.decide(True)
    s.choose("open_office", "open")
    s.next_turn()
    assert s.branch_view("open_office").reason == "already played (once per session)"


def test_scheduled_inject_and_signposts(tutorial):
    s = Session.start(tutorial, seed=1, group="g")
    s.next_turn()
    s.choose("press_negotiations", "push")
    s.decide(True)
    s.choose("open_office", "open")
    assert s.fired_signposts()[0][1].startswith("A NATO liaison office opens")
    out = s.next_turn()
    assert out.released == ("beijing_again",)
    assert {v.id: v.value for v in s.variable_views()}["china_pressure"] == "2"


def test_replay_verifies_a_real_session(tutorial, tmp_path):
    s = play(start(tutorial, tmp_path))
    s.end("We learned that consensus is the bottleneck.")
    report = replay(s.log_path)
    assert report.status == VERIFIED, report.problems
    assert report.steps[-1].state == s.state
    assert len(report.steps) == len(lines(s.log_path))


def test_replay_detects_an_edited_log(tutorial, tmp_path):
    s = play(start(tutorial, tmp_path))
    text = s.log_path.read_text().splitlines()
    text[2] = text[2].replace("Tokyo wants", "Tokyo demands")
    s.log_path.write_text("\n".join(text) + "\n")
    report = replay(s.log_path)
    assert report.status == LOG_EDITED and report.log.chain_broken_at == 3
    assert "line 3" in report.banner()
    s.close()
    with pytest.raises(SessionError, match="Fork"):
        resume(s.log_path)


def test_replay_detects_a_changed_scenario(tmp_path):
    folder = tmp_path / "sc"
    shutil.copytree(tutorial_scenario().parent, folder)
    path = folder / "tutorial.yaml"
    s = Session.start(load_scenario(path), seed=3, group="g", log_path=tmp_path / "c.jsonl")
    s.next_turn()
    s.choose("answer_beijing", "reassure")
    path.write_text(path.read_text().replace("title: Japan answers Beijing's warning",
                                             "title: Japan replies to Beijing"))
    assert replay(tmp_path / "c.jsonl").verified     # a wording fix keeps the logic hash
    path.write_text(path.read_text().replace("Japan replies to Beijing\n    actor: japan\n    repeatable: true",
                                             "Japan replies to Beijing\n    actor: japan\n    repeatable: false"))
    report = replay(tmp_path / "c.jsonl")
    assert report.status == SCENARIO_CHANGED
    assert list(report.changed) == ["branch:answer_beijing changed"]
    path.write_text(path.read_text().replace("[china_pressure -= 1]", "[]"))
    report = replay(tmp_path / "c.jsonl")
    assert report.status == SCENARIO_CHANGED and any("state differs" in p for p in report.problems)


def test_torn_last_line_is_recovered_and_kept_aside(tutorial, tmp_path):
    s = play(start(tutorial, tmp_path))
    state, n = s.state, len(s.records)
    s.close()
    with open(s.log_path, "ab") as f:
        f.write(b'{"type":"action","n":99,"act')
    read = read_log(s.log_path)
    assert read.torn and len(read.actions) == n - 1
    assert any("cut short" in d.message for d in read.diagnostics)
    resumed, report = resume(s.log_path)
    assert report.status == VERIFIED and resumed.state == state
    assert (tmp_path / "s.jsonl.torn").read_bytes() == b'{"type":"action","n":99,"act'
    resumed.next_turn()
    assert replay(s.log_path).status == VERIFIED


def test_resume_continues_the_same_log(tutorial, tmp_path):
    s = play(start(tutorial, tmp_path))
    s.close()
    resumed, _ = resume(s.log_path)
    assert resumed.state == s.state and resumed.turn_start == s.turn_start
    resumed.undo()                      # the undo stack survives a resume
    resumed.next_turn()
    resumed.end("done")
    resumed.close()
    report = replay(s.log_path)
    assert report.verified and report.steps[-1].state.ended
    # the actions after the resume are timed as the ones before (the clock, the report's
    # timeline and a turn's time box read these times)
    times = [r["at"] for r in report.log.actions]
    assert all(dt.datetime.fromisoformat(t) for t in times), times


def test_replay_of_unreadable_logs(tmp_path):
    assert replay(tmp_path / "missing.jsonl").status == "unreadable"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n{}\n")
    assert replay(bad).status == "unreadable"
    bad.write_text('{"type": "header", "format": 99}\n')
    assert "not supported" in replay(bad).banner()


def test_refuses_to_overwrite_a_log(tutorial, tmp_path):
    start(tutorial, tmp_path)
    with pytest.raises(SessionError, match="already holds a session"):
        start(tutorial, tmp_path)


def test_a_damaged_middle_line_is_not_verified(tutorial, tmp_path):
    s = play(start(tutorial, tmp_path))
    text = s.log_path.read_text().splitlines()
    text[2] = text[2][:20]
    s.log_path.write_text("\n".join(text) + "\n")
    report = replay(s.log_path)
    assert report.status == LOG_EDITED and len(report.steps) == 2
    assert "line 3 is not a valid log record" in report.problems[0]


def test_renaming_the_scenario_file_keeps_its_hash(tmp_path):
    folder = tmp_path / "sc"
    shutil.copytree(tutorial_scenario().parent, folder)
    a = load_scenario(folder / "tutorial.yaml")
    (folder / "tutorial.yaml").rename(folder / "renamed.yaml")
    assert load_scenario(folder / "renamed.yaml").content_hash == a.content_hash


def test_override_text_is_parsed_strictly_and_described_plainly(tutorial):
    s = Session.start(tutorial, seed=1, group="g")
    with pytest.raises(SessionError, match="unbalanced braces"):
        s.override("partners_briefed", "{south_korea", "")
    out = s.override("partners_briefed", "south_korea, australia", "")
    from engine.play.session import describe_action
    assert describe_action(out.record) == "override partners_briefed = {australia, south_korea}"
    assert describe_action(s.override("allies_agree", "false", "").record).endswith("= false")


def test_an_unreadable_log_is_named(tmp_path):
    d = read_log(tmp_path / "gone.jsonl").diagnostics[0]
    assert d.code == "SP601" and d.format().startswith(str(tmp_path / "gone.jsonl"))


def test_odds_of_a_contested_branch(tutorial):
    from fractions import Fraction
    s = Session.start(tutorial, seed=1, group="g")
    mods, chance = s.odds("press_negotiations")
    assert mods == [("Beijing's pressure", -1)] and chance == Fraction(15, 36)   # 2d6 ≥ 8
    assert s.odds("open_office") is None


def test_only_an_action_that_makes_a_new_state_hashes_it(tutorial, tmp_path, monkeypatch):
    """A note keeps the state and an undo restores one hashed before, so neither hashes a
    state again: the cost of an action does not grow with the state or the session."""
    from engine.play import rules
    s = start(tutorial, tmp_path)
    real, calls = rules.state_hash, []
    monkeypatch.setattr(rules, "state_hash", lambda st, env: calls.append(st) or real(st, env))
    for i in range(20):
        s.note(f"note {i}")
    assert calls == []
    s.next_turn()
    s.choose("press_negotiations", "push", "")
    assert len(calls) == 2
    s.undo()
    s.undo()
    s.note("after the undos")
    assert len(calls) == 2
    assert s.records[-1]["state"] == real(s.state, s.env) == s.records[0]["state"]


def test_a_blocked_branch_says_what_kind_of_block(tutorial, tmp_path):
    """Each blocked branch's view names the kind of its reason (rules.BLOCK_KINDS), which a
    screen may say shorter; the reason itself is the same text block_reason gives."""
    from engine.play import rules
    s = start(tutorial, tmp_path)
    s.next_turn()
    kinds = {v.id: v.blocked for v in s.branch_views()}
    assert kinds["press_negotiations"] is None and kinds["open_office"] == "when"
    s.choose("press_negotiations", "push")          # contested: the roll waits
    assert s.branch_view("answer_beijing").blocked == "roll"
    assert s.branch_view("press_negotiations").blocked == "played_this_turn"
    s.roll()
    s.choose("answer_beijing", "reassure")          # the second of two moves this turn
    assert s.branch_view("open_office").blocked in {"when", "moves"}
    for v in s.branch_views():
        assert (v.blocked is None) == v.open and v.blocked in (None, *rules.BLOCK_KINDS)
        assert v.reason == rules.block_reason(v.branch, s.state, s.env)
    s.end("done")
    assert {v.blocked for v in s.branch_views()} == {"ended"}
