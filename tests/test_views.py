"""engine.play.views: the views of any state, as the replay screen shows them."""

from __future__ import annotations

import attrs

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.replay import replay
from engine.play.session import Session
from engine.play.views import fired_signposts_at, readable_name, variable_views_at


def test_views_of_a_state_match_the_live_session(tmp_path):
    scenario = load_scenario(tutorial_scenario())
    s = Session.start(scenario, seed=3, group="g", log_path=tmp_path / "s.jsonl")
    s.next_turn()
    s.override("office", "agreed", "")
    s.choose("open_office", "open", "")
    s.close()
    # the live session's views and the pure functions agree on the same state
    live = s.variable_views()
    assert variable_views_at(scenario, s.state, s.turn_start) == live
    assert fired_signposts_at(scenario, s.state) == s.fired_signposts()
    # and on a replayed step, changed means "differs from the step before"
    report = replay(tmp_path / "s.jsonl")
    last, before = report.steps[-1], report.steps[-2]
    views = {v.id: v for v in variable_views_at(scenario, last.state, before.state)}
    assert views["office"].value == "open" and views["office"].changed
    assert not views["china_pressure"].changed
    assert all(not v.changed for v in variable_views_at(scenario, last.state))


def test_signpost_texts_cover_branch_and_scenario_signposts():
    scenario = load_scenario(tutorial_scenario())
    texts = scenario.signpost_texts()
    assert "all_partners_briefed" in texts
    assert any("liaison office opens in Tokyo" in t for t in texts.values())


def test_the_room_sees_values_in_words_the_author_sees_them_typed():
    # `value` is the typed form (the override dialog edits it); `shown` is for the room and
    # the player view: yes/no, enum values in words, set members by name, "none" for empty.
    sc = load_scenario(tutorial_scenario())
    s = Session.start(sc, seed=1, group="G")
    views = {v.id: v for v in s.variable_views()}
    agree = views["allies_agree"]
    assert (agree.value, agree.shown) in {("false", "no"), ("true", "yes")}
    assert (views["partners_briefed"].value, views["partners_briefed"].shown) == ("{}", "none")
    assert "_" not in views["office"].shown and views["office"].shown
    assert views["china_pressure"].shown == views["china_pressure"].value
    v = sc.variable("partners_briefed")
    members = frozenset(v.type.universe[:2])
    shown = variable_views_at(sc, attrs.evolve(s.state, values=tuple(
        members if i == v.index else x for i, x in enumerate(s.state.values))))
    expected = ", ".join(readable_name(m, sc.actors) for m in v.type.universe[:2])
    assert {x.id: x.shown for x in shown}["partners_briefed"] == expected
