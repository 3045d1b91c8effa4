"""Live reload and test sessions for authors, in the engine (issue 15)."""

import shutil

import pytest

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.reload import reload, start_at
from engine.play.replay import VERIFIED, replay
from engine.play.session import Session, SessionError


@pytest.fixture
def played(tmp_path):
    path = tmp_path / "tutorial.yaml"
    shutil.copy(tutorial_scenario(), path)
    s = Session.start(load_scenario(path), seed=7, group="Blue", log_path=tmp_path / "a.jsonl")
    s.next_turn()
    s.choose("press_negotiations", "push", "consensus now")
    s.roll()
    return path, s


def test_reload_reapplies_the_actions_to_the_new_version(played):
    path, s = played
    text = path.read_text(encoding="utf-8")
    # A logic change (a title alone is text, which the logic hash leaves out).
    path.write_text(text.replace("title: Japan presses for an agreement",
                                 "title: Japan presses hard")
                    .replace("repeatable: true          #", "repeatable: false         #"),
                    encoding="utf-8")
    r = reload(s)
    assert r.changes == ("branch:press_negotiations changed",)
    assert r.applied == 3 and not r.dropped
    assert r.session.state_json() == s.state_json()
    assert r.session.log_path != s.log_path and r.session.header["forked_from"]["reload"]
    r.session.close()
    assert replay(r.session.log_path).status == VERIFIED
    assert replay(s.log_path, load_scenario(path)).status != VERIFIED  # the old log is kept


def test_reload_with_errors_keeps_the_session(played):
    path, s = played
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("office == negotiating", "ofice == negotiating"),
                    encoding="utf-8")
    r = reload(s)
    assert r.session is None and [d.code for d in r.diagnostics] == ["SP402"]
    assert r.summary() == "not reloaded: 1 error"
    s.next_turn()                               # the old session goes on


def test_reload_reports_actions_that_no_longer_apply(played):
    path, s = played
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: press_negotiations", "  - id: press_talks"),
                    encoding="utf-8")
    r = reload(s)
    assert r.applied == 1 and len(r.dropped) == 2
    assert "press_negotiations" in r.dropped[0] and "no branch" in r.problem
    assert r.session.state.turn == 1


def test_unchanged_files_keep_the_session(played):
    _, s = played
    r = reload(s)
    assert r.session is s and r.summary() == "unchanged"


def test_start_at_a_chosen_turn_with_chosen_state(tmp_path):
    s = Session.start(load_scenario(tutorial_scenario()), seed=1, group="T",
                      log_path=tmp_path / "t.jsonl")
    start_at(s, 2, {"office": "agreed", "partners_briefed": "australia"})
    state = s.state_json()
    assert state["turn"] == 2 and state["values"]["office"] == "agreed"
    assert state["values"]["partners_briefed"] == ["australia"]
    assert [r["action"] for r in s.actions] == ["next_turn", "next_turn", "override", "override"]
    s.close()
    assert replay(tmp_path / "t.jsonl").status == VERIFIED
    with pytest.raises(SessionError):
        start_at(Session.start(load_scenario(tutorial_scenario()), seed=1, group="T"), 9)
