"""The bundled exercise, scenarios/nato-japan-prospects.yaml (and the tutorial next to it).

What is checked here:
- both bundled scenarios load with no errors and no warnings;
- each headline prospect of the article (NATO in ANNUALEX, a NATO group in the Philippine Sea,
  air policing from Hyakuri, Japanese ships with SNMG2) can be played from the baseline by an
  explicit sequence of moves;
- switching off the key precedent of a branch blocks it, and the explanation names the event;
- every branch rests on catalogue events that can be traced to a document;
- the East China Sea / Sea of Japan follow-on needs the Philippine Sea group first;
- seeded random playthroughs never hit a dead-end turn or an effect that leaves its range
  (an exhaustive walk of every path is in the `slow` test at the end).
"""

from __future__ import annotations

import collections
import random

import pytest

from engine.bundled import main_scenario, tutorial_scenario
from engine.format.loader import check_scenario, load_scenario
from engine.play import rules
from engine.play.rules import RuleError
from engine.play.session import Session, SessionError

ARTICLE = "trunov_article"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(main_scenario())


def start(scenario, switched_off=()):
    return Session.start(scenario, seed=7, group="tests", switched_off=list(switched_off))


def advance_to(session, turn):
    while session.state.turn < turn:
        session.next_turn()


def value(session, name):
    return session.state_json()["values"][name]


def fired(session):
    return {sid for sid, _text, _turn in session.fired_signposts()}


def play(session, branch, option, success=None):
    """Check the branch is open, choose the option and, if it is contested, decide it."""
    view = session.branch_view(branch)
    assert view.open, f"{branch} is blocked in turn {session.state.turn}: {view.reason}"
    session.choose(branch, option, "test")
    if session.state.pending is not None:
        assert success is not None, f"{branch}:{option} is contested: say how it ends"
        session.decide(success, "test")
    else:
        assert success is None, f"{branch}:{option} is not contested"


# ----------------------------------------------------------------------------- loading

@pytest.mark.parametrize("path", [main_scenario(), tutorial_scenario()], ids=lambda p: p.name)
def test_bundled_scenarios_load_without_errors_or_warnings(path):
    scenario, diags = check_scenario(path)
    assert [d.format() for d in diags] == []
    assert scenario is not None


def test_shape_of_the_exercise(scenario):
    # Turn 0 is the mid-2023 baseline, then half-years through the end of 2027.
    assert scenario.turns[0].date == "2023-07-01"
    assert [t.label for t in scenario.turns[1:]] == [
        f"H{h} {y}" for y in range(2023, 2028) for h in (1, 2)][1:]
    assert scenario.turns[-1].date == "2027-12-31"
    assert scenario.moves_per_turn in (1, 2)
    # Every variable explains itself and names the events behind its initial value: those
    # it rests on (its initial reads them, so switching one off changes it) or cites.
    for var in scenario.variables:
        assert var.label and var.description, var.id
        assert var.rests_on or var.cites, var.id
        assert set(var.rests_on) <= set(var.initial_events()), var.id
        for eid in var.rests_on + var.cites:
            assert scenario.events[eid].sort_key <= scenario.turns[0].date, (var.id, eid)
    assert {v.id for v in scenario.variables if v.rests_on} >= {
        "france_reservation", "russia_load", "force_pool"}
    # The article's closing indicators are watched through the whole session.
    ids = {s.id for s in scenario.signposts}
    assert {"first_nato_exercise", "first_nato_mission", "geography_beyond_philippine_sea",
            "makeup_with_france", "makeup_without_france"} <= ids
    # Every branch has signposts; every adjudication says why its odds are what they are.
    for b in scenario.branches.values():
        assert b.signposts, b.id
        assert b.narrative, b.id
        if b.adjudication is not None:
            assert b.adjudication.note, b.id
    # Both kinds of inject are there.
    assert any(i.turn is None for i in scenario.injects.values())
    assert any(i.turn is not None for i in scenario.injects.values())


# ----------------------------------------------------------------------------- headline prospects

def test_nato_joins_annualex_from_the_baseline(scenario):
    s = start(scenario)
    assert not s.branch_view("annualex").open           # turn 0 is the baseline
    s.next_turn()
    play(s, "annualex", "nato_flag", success=True)
    assert value(s, "nato_exercise") is True
    assert value(s, "aegis") == "military"
    assert value(s, "allied_posture") == "mixed"
    assert "first_nato_exercise" in fired(s)


def test_annualex_can_be_tried_again_next_autumn(scenario):
    s = start(scenario)
    s.next_turn()
    play(s, "annualex", "nato_flag", success=False)
    assert value(s, "nato_exercise") is False
    s.next_turn()
    assert "not playable in turn 2" in s.branch_view("annualex").reason
    s.next_turn()
    play(s, "annualex", "nato_flag", success=True)
    assert value(s, "nato_exercise") is True


def test_philippine_sea_group_after_annualex(scenario):
    s = start(scenario)
    s.next_turn()
    play(s, "annualex", "nato_flag", success=True)
    advance_to(s, 5)
    play(s, "philippine_sea_group", "pbp_circle", success=True)
    assert value(s, "nato_missions") == ["naval_task_group"]
    assert value(s, "mission_areas") == ["philippine_sea"]
    assert value(s, "mission_makeup") == ["canada", "germany", "uk"]
    assert value(s, "military_phase") == "standing_presence"
    assert {"first_nato_mission", "makeup_without_france"} <= fired(s)


def test_philippine_sea_group_needs_the_exercise_first(scenario):
    s = start(scenario)
    advance_to(s, 5)
    view = s.branch_view("philippine_sea_group")
    assert not view.open
    assert view.reason == "precondition fails: nato_exercise"


def test_hyakuri_air_policing_from_the_baseline(scenario):
    s = start(scenario)
    advance_to(s, 6)
    play(s, "hyakuri_air_policing", "nato_rotation", success=True)
    assert value(s, "nato_missions") == ["air_policing"]
    assert value(s, "aegis") == "military"
    assert "first_nato_mission" in fired(s)


def test_jmsdf_with_snmg2_from_the_baseline(scenario):
    s = start(scenario)
    advance_to(s, 4)
    play(s, "jmsdf_with_snmg2", "snmg2_rotation", success=True)
    assert value(s, "japan_units") == "snmg2_rotation"


def test_jmsdf_failure_still_puts_a_minesweeper_with_nato(scenario):
    s = start(scenario)
    advance_to(s, 4)
    play(s, "jmsdf_with_snmg2", "snmg2_rotation", success=False)
    assert value(s, "japan_units") == "mcm_rotation"


# ----------------------------------------------------------------------------- counterfactuals

def _annualex_success(s):
    s.next_turn()
    play(s, "annualex", "nato_flag", success=True)


HEADLINES = [
    # branch, its key precedent, moves that otherwise open it, turn to look at
    ("annualex", "annualex_2021_germany_canada", None, 1),
    ("philippine_sea_group", "nato_force_model_2022", _annualex_success, 5),
    ("hyakuri_air_policing", "rapid_pacific_2022", None, 6),
    ("jmsdf_with_snmg2", "jmsdf_trains_with_snmg2_2022", None, 4),
]


@pytest.mark.parametrize("branch, event, setup, turn", HEADLINES, ids=[h[0] for h in HEADLINES])
def test_switching_off_the_key_precedent_blocks_a_headline_prospect(scenario, branch, event,
                                                                    setup, turn):
    for off in ((), (event,)):
        s = start(scenario, switched_off=off)
        if setup:
            setup(s)
        advance_to(s, turn)
        view = s.branch_view(branch)
        if not off:
            assert view.open, view.reason          # the same moves open it in the baseline
            continue
        assert not view.open
        assert event in view.reason
        failing = [c for c in view.clauses if not c.holds]
        assert failing and event in failing[0].text
        assert ("occurred(" + event + ")", "false") in failing[0].values
        cited = {ce.event.id: ce for ce in view.events}
        assert cited[event].switched_off and not cited[event].occurred


def test_every_precondition_starts_with_its_key_precedent(scenario):
    """Each branch's first clause is occurred(<an event it cites>), so switching that event
    off blocks the branch and the reason names it, whatever the rest of the state."""
    for b in scenario.branches.values():
        assert b.when is not None, b.id
        first = b.when.clauses[0].text
        assert first.startswith("occurred(") and first.endswith(")"), b.id
        event = first[len("occurred("):-1]
        assert event in b.cites, b.id
        s = start(scenario, switched_off=[event])
        advance_to(s, min(b.turns))
        view = s.branch_view(b.id)
        assert not view.open, b.id
        assert view.reason == f"precondition fails: occurred({event})", b.id


# ----------------------------------------------------------------------------- provenance

def test_every_branch_rests_on_traceable_catalogue_events(scenario):
    """Every branch cites at least one event. Every event a branch rests on (its citations and
    the events its precondition names) exists, and is traceable to a document: each citation
    names a catalogued source, and at least one citation gives an article footnote or points
    to a separate document (the news item, a cited book or paper). Footnote numbers on a
    citation of a separate document are ones that document is cited in."""
    for b in scenario.branches.values():
        assert b.cites, f"branch {b.id} cites no event"
        for eid in scenario.branch_events(b):
            assert eid in scenario.events, f"branch {b.id}: no event {eid}"
            event = scenario.events[eid]
            assert event.sources, f"event {eid} has no source"
            for c in event.sources:
                assert c.source in scenario.sources, f"event {eid}: no source {c.source}"
                source = scenario.sources[c.source]
                if c.source != ARTICLE and c.footnotes:
                    assert set(c.footnotes) <= set(source.footnotes), (eid, c.source)
            assert any(c.footnotes or c.source != ARTICLE for c in event.sources), \
                f"branch {b.id}: event {eid} has neither a footnote nor a document of its own"
            assert event.sort_key <= scenario.turns[0].date, (b.id, eid)


def test_injects_and_variables_cite_known_events(scenario):
    for inject in scenario.injects.values():
        assert inject.cites, inject.id
        assert all(e in scenario.events for e in inject.cites), inject.id


# ----------------------------------------------------------------------------- the follow-on

def test_northern_seas_need_the_philippine_sea_group_first(scenario):
    # Without the Philippine Sea group: the confrontation is institutionalised (declared at
    # the start, Beijing's protest at the office, North Korea's launches), yet the follow-on
    # stays closed, and the failing clause is the Philippine Sea one.
    s = start(scenario)
    advance_to(s, 2)
    play(s, "liaison_office", "table_it", success=True)
    advance_to(s, 4)
    assert "beijing_protests" in s.state.released      # scheduled: the office is open
    advance_to(s, 5)
    assert "dprk_missile_launches" in s.state.released  # the confrontation had sharpened
    advance_to(s, 9)
    assert value(s, "confrontation") == 3
    view = s.branch_view("northern_seas_group")
    assert not view.open
    assert view.reason == "precondition fails: philippine_sea in mission_areas"
    holds = {c.text: c.holds for c in view.clauses}
    assert holds == {"occurred(nato_strategic_concept_2022)": True,
                     "philippine_sea in mission_areas": False,
                     "confrontation >= 3": True}

    # The same path with the Philippine Sea group opens it: the West's own move sharpens the
    # confrontation as much as Beijing's.
    s = start(scenario)
    s.next_turn()
    play(s, "annualex", "nato_flag", success=True)
    s.next_turn()
    play(s, "liaison_office", "table_it", success=True)
    advance_to(s, 5)
    play(s, "philippine_sea_group", "pbp_circle", success=True)
    assert value(s, "confrontation") == 3
    advance_to(s, 9)
    play(s, "northern_seas_group", "east_china_sea", success=True)
    assert value(s, "mission_areas") == ["east_china_sea", "philippine_sea"]
    assert "geography_beyond_philippine_sea" in fired(s)


def test_northern_seas_need_an_institutionalised_confrontation(scenario):
    # Declared (1) at the start, sharpened (2) by the group itself; without Xi's visit to
    # Moscow there is no joint patrol in turn 8 to institutionalise it.
    s = start(scenario, switched_off=["xi_visit_russia_2023"])
    s.next_turn()
    play(s, "annualex", "nato_flag", success=True)
    advance_to(s, 5)
    play(s, "philippine_sea_group", "pbp_circle", success=True)
    advance_to(s, 9)
    assert value(s, "confrontation") == 2
    assert "joint_patrol_near_japan" not in s.state.released
    assert s.branch_view("northern_seas_group").reason == \
        "precondition fails: confrontation >= 3"


# ----------------------------------------------------------------------------- the article's levers

def annualex_modifiers(s):
    s.choose("annualex", "nato_flag", "test")
    mods = dict(s.pending_roll()[1])
    s.undo()
    return mods


def test_us_pressure_then_france_lifting_its_reservation_improve_the_odds(scenario):
    s = start(scenario)
    s.next_turn()
    before = annualex_modifiers(s)
    assert before == {"PBP drew Germany and Canada in (framework condition)": 1,
                      "Washington seeks to make up the Afghan loss": 1,
                      "France's reservation": -1}
    play(s, "us_formats", "widen_formats")
    advance_to(s, 3)
    assert s.branch_view("france_reconsiders").open       # Washington has leaned on Paris
    play(s, "france_reconsiders", "lift")
    assert value(s, "france_reservation") is False
    advance_to(s, 5)
    after = annualex_modifiers(s)
    assert "France's reservation" not in after
    assert after["US leverage through QUAD/AUKUS/PBP"] == 1
    # Widening the formats sharpened the confrontation (2), so North Korea's launches came
    # in turn 5 and add their own +1.
    assert after.pop("North Korean launches near Japan") == 1
    assert sum(after.values()) == sum(before.values()) + 2


def test_failed_open_us_request_costs_leverage(scenario):
    s = start(scenario)
    s.next_turn()
    play(s, "us_formats", "ask_openly", success=False)
    assert value(s, "us_leverage") == 0
    advance_to(s, 3)                 # the formats inject restores some of it, not all
    assert value(s, "us_leverage") == 1
    assert not s.branch_view("france_reconsiders").open


def test_japan_reaches_two_percent_only_on_the_nato_track(scenario):
    for option, reached in (("nato_targets", "two_percent"), ("national_pace", "ramping_up")):
        s = start(scenario)
        s.next_turn()
        play(s, "defence_planning", option)
        advance_to(s, 9)
        if option == "nato_targets":                  # the white cell judges it has kept pace
            s.release("japan_budget_2027", "test")
        else:
            assert not [i for i in s.inject_views() if i.id == "japan_budget_2027" and i.available]
        assert value(s, "japan_budget") == reached


# ----------------------------------------------------------------------------- robustness

def _random_playthrough(scenario, rng):
    s = start(scenario)
    while True:
        if s.state.turn >= 1:
            assert rules.open_branches(s.state, s.env), f"dead end in turn {s.state.turn}"
        for _ in range(rng.randint(0, 2)):
            ready = [i for i in s.inject_views() if i.available]
            if ready:
                s.release(rng.choice(ready).id, "random")
        opened = rules.open_branches(s.state, s.env)
        if opened and rng.random() < 0.85:
            b = rng.choice(opened)
            options = [o for o in b.options if rules.option_block_reason(o, s.state, s.env) is None]
            s.choose(b.id, rng.choice(options).id, "random")
            if s.state.pending is not None:
                s.decide(rng.random() < 0.5) if rng.random() < 0.5 else s.roll()
        if s.state.turn == scenario.last_turn:
            s.end("done")
            return s
        s.next_turn()


def test_random_playthroughs_have_no_dead_end_or_range_error(scenario):
    rng = random.Random(20230701)
    played = collections.Counter()
    for _ in range(300):
        try:
            s = _random_playthrough(scenario, rng)
        except SessionError as e:                 # an effect left its range, or similar
            pytest.fail(f"random playthrough failed: {e}")
        played.update(b for b in s.state.chosen if ":" not in b)
    assert set(played) == set(scenario.branches)


@pytest.mark.slow
def test_exhaustive_exploration_completes_within_the_documented_budget(scenario):
    """`spillover explore` with its default limit: every path (rolls both ways, on-demand
    injects as choices) is walked; no dead-end turn, no failing effect, every branch, option
    outcome and inject reachable."""
    from engine.analysis.explore import DEFAULT_MAX_STATES, explore
    result = explore(scenario, max_states=DEFAULT_MAX_STATES, probabilities=False)
    assert result.complete, f"{result.states} states and still going"
    assert not result.unreachable, result.unreachable
    assert not result.dead_ends, result.dead_ends
    assert not result.failures, result.failures
    assert not result.injects_never, result.injects_never
    assert not result.outcomes_never, result.outcomes_never
    assert set(result.played_branches) == set(scenario.branches)


def test_rule_errors_are_not_raised_by_scheduled_injects_alone(scenario):
    # Passing every turn releases each scheduled inject whose condition holds, without error.
    s = start(scenario)
    try:
        advance_to(s, scenario.last_turn)
    except (SessionError, RuleError) as e:
        pytest.fail(str(e))
    assert value(s, "force_pool") == "force_model_ready"
    assert value(s, "russia_load") == 2
