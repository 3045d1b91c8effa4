"""Observations, the structured hotwash and amendments: logged, checked, replayed, resumed."""

import pytest
from aar_sessions import AMENDED_RATIONALE, CONTACT, PARTICIPANTS, PLAN, fixed_clock

from engine.play.log import read_log
from engine.play.replay import VERIFIED, replay, resume
from engine.play.session import Session, SessionError


def start(tutorial, tmp_path):
    return Session.start(tutorial, seed=7, group="G", log_path=tmp_path / "s.jsonl",
                         clock=fixed_clock(), zone={"name": "UTC", "offset": "+00:00"})


def test_the_debrief_is_logged_and_replays(aar_debriefed):
    log = read_log(aar_debriefed / "gold.jsonl")
    kinds = [r["action"] for r in log.actions]
    assert kinds.count("observe") == 3 and kinds.count("hotwash") == 3
    assert kinds.count("amend") == 2
    obs = [r for r in log.actions if r["action"] == "observe"]
    assert (obs[0]["objective"], obs[0]["kind"], obs[0]["supports"]) == ("managing_beijing",
                                                                         "strength", 2)
    end = next(r for r in log.actions if r["action"] == "end")
    assert end["participants"] == PARTICIPANTS and end["contact"] == CONTACT
    assert log.header["zone"] == {"name": "MSK", "offset": "+03:00"}
    hot = [r for r in log.actions if r["action"] == "hotwash"]
    assert hot[0]["plan"] == PLAN[:1] and hot[0]["rating"] == "S"
    assert log.actions[15]["amends"] == 5 and log.actions[15]["value"] == AMENDED_RATIONALE
    rep = replay(aar_debriefed / "gold.jsonl")
    assert rep.status == VERIFIED and len(rep.steps) == 18, rep.problems


def test_resume_continues_the_debrief(aar_debriefed, tmp_path):
    import shutil
    for name in ("gold.jsonl", "tutorial.yaml"):
        shutil.copyfile(aar_debriefed / name, tmp_path / name)
    session, _ = resume(tmp_path / "gold.jsonl")
    with pytest.raises(SessionError, match="recorded at action 13; amend"):
        session.hotwash_entry("consensus", rating="P")
    session.hotwash_entry("partner_outreach", rating="U", improve="The office was never used")
    session.close()
    assert replay(tmp_path / "gold.jsonl").status == VERIFIED


@pytest.mark.parametrize("call, words", [
    (lambda s: s.observe("nope", "strength", "x"), "no objective 'nope'"),
    (lambda s: s.observe("consensus", "weakness", "x"), "strength or an area for improvement"),
    (lambda s: s.observe("consensus", "strength", "  "), "the observation is empty"),
    (lambda s: s.observe("consensus", "strength", "x", supports=99), "no logged action 99"),
    (lambda s: s.observe("consensus", "strength", "x", supports=0), "no logged action 0"),
    (lambda s: s.hotwash_entry("consensus"), "once the session has ended"),
    (lambda s: s.amend(1, "rationale", "x"), "next_turn\\) has nothing that can be amended"),
    (lambda s: s.amend(42, "rationale", "x"), "no logged action 42"),
    (lambda s: s.amend(2, "text", "x"), "it can: rationale"),
])
def test_bad_debrief_actions_are_refused_and_not_logged(tutorial, tmp_path, call, words):
    s = start(tutorial, tmp_path)
    s.next_turn()                                            # 1
    s.choose("answer_beijing", "reassure", "calm")           # 2
    before = (tmp_path / "s.jsonl").read_bytes()
    with pytest.raises(SessionError, match=words):
        call(s)
    assert (tmp_path / "s.jsonl").read_bytes() == before


@pytest.mark.parametrize("kw, words", [
    ({"rating": "X"}, "rating 'X' is not one of P"),
    ({"plan": [{"owner": "me"}]}, "recommendation of item 1 is empty"),
    ({"plan": [{"recommendation": "r", "due": "next week"}]}, "should be a date like"),
    ({"plan": ["do it"]}, "item 1 should have a recommendation"),
    ({"sustain": "x" * 30_000}, "too long"),
])
def test_bad_hotwash_entries_are_refused(tutorial, tmp_path, kw, words):
    s = start(tutorial, tmp_path)
    s.end("")
    with pytest.raises(SessionError, match=words):
        s.hotwash_entry("consensus", **kw)
    s.hotwash_entry("consensus", rating="m")                 # ratings are not case-sensitive
    assert s.records[-1]["rating"] == "M"


def test_amending_a_hotwash_plan_and_the_participants(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    s.end("", ["Blue"], "Me")                                # 1
    s.hotwash_entry("", plan=PLAN)                           # 2
    s.amend(2, "plan", PLAN[:1], "the second item was dropped")
    s.amend(1, "participants", "Blue\nRed\n")
    assert s.records[-1]["value"] == ["Blue", "Red"]
    with pytest.raises(SessionError, match="rating 'Q'"):
        s.amend(2, "rating", "Q")
    s.close()
    assert replay(tmp_path / "s.jsonl").status == VERIFIED


def test_typed_forms_are_read_or_refused_with_a_reason():
    from engine.play.hotwash import (
        DebriefError,
        amendable_fields,
        parse_action_number,
        parse_plan_lines,
    )
    assert parse_plan_lines("Brief allies ; NATO desk ; 2024-06-30\n\n Draft lines \n") == [
        {"recommendation": "Brief allies", "owner": "NATO desk", "due": "2024-06-30"},
        {"recommendation": "Draft lines", "owner": "", "due": ""}]
    with pytest.raises(DebriefError, match="three parts at most"):
        parse_plan_lines("a;b;c;d")
    with pytest.raises(DebriefError, match="should be a date like"):
        parse_plan_lines("a ; b ; soon")
    assert parse_action_number(" #12 ") == 12 and parse_action_number("") is None
    with pytest.raises(DebriefError, match="should be an action number"):
        parse_action_number("twelve")
    records = [{"type": "header"}, {"action": "choose"}, {"action": "next_turn"}]
    assert amendable_fields(records, 1) == ("rationale",)
    assert amendable_fields(records, 2) == () and amendable_fields(records, 9) == ()


def test_log_panel_lines_for_the_debrief_actions(aar_debriefed):
    from engine.play.session import describe_action
    log = read_log(aar_debriefed / "gold.jsonl")
    lines = [describe_action(r) for r in log.actions]
    assert "observation (Strength): Reassurance came early and calmed the room" in lines
    assert "hotwash: consensus" in lines and "hotwash: general" in lines
    assert f"amendment of action 5 (rationale): {AMENDED_RATIONALE}" in lines


def test_the_header_records_the_rooms_time_zone(tutorial, tmp_path):
    import datetime as dt

    from engine.play.session import local_zone
    assert local_zone(dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30)))
                      )["offset"] == "-05:30"
    s = Session.start(tutorial, seed=1, group="G", log_path=tmp_path / "z.jsonl")
    s.close()
    assert read_log(tmp_path / "z.jsonl").header["zone"] == local_zone()
