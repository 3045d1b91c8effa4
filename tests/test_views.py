"""engine.play.views: the views of any state, as the replay screen shows them."""

from __future__ import annotations

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.replay import replay
from engine.play.session import Session
from engine.play.views import fired_signposts_at, variable_views_at


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
