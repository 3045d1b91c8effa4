"""The reduced exploration (engine.analysis.reduce: dead chosen bits dropped, end states and
full turns stored once) gives exactly the results of the unreduced one: every finding, every
probability, every shortest path's length. Only the counts of stored states differ.
Hypothesis writes the scenarios (tests/test_differential.py's generator: chosen() reads,
once-only and repeatable branches, rolls, injects, signposts, endings, cells)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_differential import _load, scenarios
from test_machine import _check_walk

from engine.analysis.explore import explore
from engine.analysis.machine import Machine
from engine.format.loader import check_scenario, load_scenario
from engine.play.rules import Env


def _lengths(paths: dict) -> dict:
    return {k: len(v) for k, v in paths.items()}


def same_results(a, b) -> None:
    assert a.complete and b.complete
    assert a.unreachable == b.unreachable
    assert (a.outcomes_never, a.injects_never, a.not_covered) == \
        (b.outcomes_never, b.injects_never, b.not_covered)
    assert [(d.turn, d.probability, len(d.path)) for d in a.dead_ends] == \
        [(d.turn, d.probability, len(d.path)) for d in b.dead_ends]
    assert [(f.message, f.probability, len(f.path)) for f in a.failures] == \
        [(f.message, f.probability, len(f.path)) for f in b.failures]
    assert a.failure_probability == b.failure_probability
    assert [(o.values, o.probability) for o in a.outcomes] == \
        [(o.values, o.probability) for o in b.outcomes]
    assert a.marginals == b.marginals
    assert a.branch_probability == b.branch_probability
    assert a.signpost_probability == b.signpost_probability
    assert a.ending_probability == b.ending_probability
    assert _lengths(a.played_branches) == _lengths(b.played_branches)
    assert _lengths(a.played_options) == _lengths(b.played_options)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=scenarios(), injects=st.booleans(), off=st.sampled_from([(), ("early",)]))
def test_reduced_exploration_gives_the_same_results(text, injects, off):
    scenario = _load(text)
    assume(scenario is not None)
    full = explore(scenario, injects=injects, switched_off=off, reduce=False,
                   max_states=100_000)
    assume(full.complete)
    reduced = explore(scenario, injects=injects, switched_off=off, max_states=100_000)
    same_results(reduced, full)
    assert reduced.states <= full.states


@pytest.mark.parametrize("path", ["scenarios/tutorial.yaml"])
def test_reduced_exploration_of_a_bundled_scenario(path):
    sc = load_scenario(path)
    # with its cells the unreduced space (about 650,000 states) is past the default budget
    full, reduced = explore(sc, reduce=False, max_states=1_500_000), explore(sc)
    same_results(reduced, full)
    assert reduced.states < full.states


@pytest.mark.slow
def test_reduced_exploration_of_the_bundled_exercise():
    sc = load_scenario("scenarios/nato-japan-prospects.yaml")
    # with its cells the unreduced space (about 650,000 states) is past the default budget
    full, reduced = explore(sc, reduce=False, max_states=1_500_000), explore(sc)
    same_results(reduced, full)
    assert reduced.states < full.states / 2


# ------------------------------------------------------------ forgotten values, sealed signposts

@st.composite
def forgetful_scenarios(draw) -> str:
    """Scenarios whose variables die at different turns (written and read by early branches
    only), read by signposts that can be sealed (variables no longer written, an event that
    occurs between turns) or not (chosen(…)), so that the reduced exploration forgets values
    and stops checking signposts in many ways."""
    pick = lambda xs: draw(st.sampled_from(xs))           # noqa: E731
    early_until, mid_from = pick((1, 2)), pick((1, 2))
    mid_until = pick((mid_from, 3))
    ev_date = pick(("2023-06-01", "2024-04-01", "2024-08-01", "2025-06-01"))
    a_effect = lambda: pick(('"a = x"', '"a = y"', '"a = z"'))    # noqa: E731
    n_effect = lambda: pick(('"n += 1"', '"n -= 1"', '"n = 2"'))  # noqa: E731
    contested = draw(st.booleans())
    roll = f"""
    adjudication: {{dice: 1d6, target: {pick((2, 4, 6))}, modifiers: [{{label: M, when: "f", value: "1"}}]}}""" \
        if contested else ""
    go = (f'{{id: go, label: Go, effects: [{n_effect()}], on_success: {{effects: ["g = true"]}}, '
          f'on_failure: {{effects: [{n_effect()}]}}}}') if contested else \
        f'{{id: go, label: Go, effects: [{n_effect()}, "g = true"]}}'
    return f"""\
spillover: 2
id: forgetful
title: Forgetful
start: 2024-01-01
moves_per_turn: {pick((1, 2))}
turns:
  - {{label: T0, date: 2024-01-01}}
  - {{label: T1, date: 2024-03-01}}
  - {{label: T2, date: 2024-06-01}}
  - {{label: T3, date: 2024-09-01}}
events:
  - {{id: ev, date: {ev_date}, title: Event}}
state:
  a: {{type: enum, values: [x, y, z], initial: {pick(("x", "y", "z"))}}}
  n: {{type: int, range: [0, 3], initial: {pick((0, 1, 2))}}}
  f: {{type: bool, initial: {pick(("true", "false"))}}}
  g: {{type: bool, initial: false}}
signposts:
  - {{id: s_a, text: A, when: "a == {pick(("x", "y", "z"))}"}}
  - {{id: s_n, text: N, when: ["n >= {pick((1, 2, 3))}", "{pick(("occurred(ev)", "not occurred(ev)"))}"]}}
  - {{id: s_c, text: C, when: "{pick(("chosen(early)", "chosen(mid, go)", "f"))}"}}
branches:
  - id: early
    title: Early
    turns: 1..{early_until}
    repeatable: {pick(("true", "false"))}
    options:
      - {{id: one, label: One, effects: [{a_effect()}, {pick(('"f = true"', '"f = false"'))}]}}
      - {{id: two, label: Two, effects: [{a_effect()}, {n_effect()}]}}
    signposts:
      - {{text: Early A, when: "a == {pick(("x", "y", "z"))} and n >= 1"}}
  - id: mid
    title: Mid
    turns: {mid_from}..{mid_until}
    repeatable: {pick(("true", "false"))}
    when: {pick(('"a != z"', '"n <= 2"', '"true"'))}{roll}
    options:
      - {go}
      - {{id: stay, label: Stay, effects: [{pick(('"f = true"', '"g = true"', n_effect()))}]}}
  - id: late
    title: Late
    turns: 3
    when: {pick(('"g"', '"not g"', '"true"'))}
    options:
      - {{id: end, label: End, effects: ["g = false"]}}
"""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=forgetful_scenarios(), injects=st.booleans())
def test_forgotten_values_and_sealed_signposts_give_the_same_results(text, injects):
    scenario = _load(text)
    assume(scenario is not None)
    full = explore(scenario, injects=injects, reduce=False, max_states=100_000)
    assume(full.complete)
    reduced = explore(scenario, injects=injects, max_states=100_000)
    same_results(reduced, full)
    assert reduced.states <= full.states


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=forgetful_scenarios(), seed=st.integers(0, 2**32), injects=st.booleans())
def test_the_machine_stops_checking_sealed_signposts_as_the_rules_would(text, seed, injects):
    """The machine checks a sealed signpost as its turn begins and never after; walked
    beside the rules, every move still fires the same signposts."""
    scenario = _load(text)
    assume(scenario is not None)
    for k in range(3):
        _check_walk(scenario, seed + k, (), injects, steps=40)


SEALED_BY_AN_EVENT = """\
spillover: 2
id: sealed
title: Sealed
start: 2024-01-01
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-03-01}
  - {label: T2, date: 2024-06-01}
  - {label: T3, date: 2024-09-01}
events:
  - {id: ev, date: 2024-08-01, title: Event}
state:
  n: {type: int, range: [0, 3], initial: 0}
  g: {type: bool, initial: false}
signposts:
  - {id: s_n, text: N, when: ["n >= 2", "occurred(ev)"]}
branches:
  - id: early
    title: Early
    turns: 1
    options:
      - {id: up, label: Up, effects: ["n = 2"]}
      - {id: down, label: Down, effects: ["n = 1"]}
  - id: late
    title: Late
    turns: 2..3
    options:
      - {id: go, label: Go, effects: ["g = true"]}
"""


def test_a_signpost_sealed_by_an_event_keeps_its_variable_until_the_event_occurs():
    """`n` is last written in turn 1, but `s_n` can change only when `ev` occurs, as turn 3
    begins: the states of turn 2 carry `n` (entering turn 3 checks it), those of turn 3
    forget it, and the chance that `s_n` fires is the unreduced one."""
    scenario = _load(SEALED_BY_AN_EVENT)
    machine = Machine(Env.for_session(scenario, ()))
    n = next(v.index for v in scenario.variables if v.id == "n")
    assert machine.uses.sealed == {"s_n": 3}
    assert machine.uses.var_until[n] == 2
    full, reduced = explore(scenario, reduce=False), explore(scenario)
    same_results(reduced, full)
    assert reduced.signpost_probability["s_n"] == full.signpost_probability["s_n"] > 0
    assert reduced.states < full.states


@pytest.mark.parametrize("weights", [None, {"early:up": 0}])
def test_forgotten_values_are_in_the_end_outcomes_without_odds_or_weighted_zero(weights):
    """Without odds (no masses to carry them) and with a choice weighted 0 (sessions that
    carry no mass), the end outcomes still name every forgotten value they were reached
    with."""
    scenario = _load(SEALED_BY_AN_EVENT)
    full = explore(scenario, reduce=False, weights=weights)
    reduced = explore(scenario, weights=weights)
    assert sorted((o.values, o.probability) for o in reduced.outcomes) == \
        sorted((o.values, o.probability) for o in full.outcomes)
    assert any(o.probability == 0 for o in full.outcomes) == (weights is not None)
    bare, bare_full = explore(scenario, probabilities=False), \
        explore(scenario, probabilities=False, reduce=False)
    assert {o.values for o in bare.outcomes} == {o.values for o in bare_full.outcomes}


@pytest.mark.parametrize("weights", [{"early": 0}, {"early:up": 0}])
def test_what_only_sessions_weighted_0_play_or_fire_is_reported_at_chance_0(weights):
    """A branch or signpost that only sessions weighted 0 play or fire is reported, at chance
    0, by the unreduced exploration (those sessions' end states carry its bit, with no
    mass); the reduced one, which reads the dropped branches' and the signposts' chances
    from the moves, must report it too, not leave it out."""
    scenario = _load(SEALED_BY_AN_EVENT)
    full, reduced = explore(scenario, reduce=False, weights=weights), \
        explore(scenario, weights=weights)
    assert full.signpost_probability == {"s_n": 0}
    same_results(reduced, full)



@pytest.mark.parametrize("branch", ["early", "late"])
def test_a_scenario_signpost_may_not_take_the_id_of_a_branchs(branch):
    """A branch's signposts are named `b_1`, `b_2`, …: a scenario signpost named so would
    share its id (the rules record the id when either fires; the machine cannot tell them
    apart), so the loader refuses it, at its id, saying whose name it took."""
    sid = f"{branch}_1"
    turns = "    turns: 1\n" if branch == "early" else "    turns: 2..3\n"
    head, body = SEALED_BY_AN_EVENT.split("  - id: " + branch + "\n")
    body = body.replace(turns, turns + "    signposts:\n      - {text: Mine}\n", 1)
    text = (head + "  - id: " + branch + "\n" + body).replace(
        '  - {id: s_n, text: N, when: ["n >= 2", "occurred(ev)"]}',
        f'  - {{id: {sid}, text: Shared, when: "g"}}')
    path = Path(tempfile.mkdtemp(prefix="spillover-shared-")) / "shared.yaml"
    path.write_text(text, encoding="utf-8")
    scenario, diags = check_scenario(path)
    errors = [d for d in diags if d.severity == "error"]
    assert scenario is None and [d.code for d in errors] == ["SP301"]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if f"id: {sid}," in row)
    assert errors[0].line == line and f"'{branch}'" in errors[0].message


STOPPED_NEXT_TO_AN_END = SEALED_BY_AN_EVENT.replace(
    "  g: {type: bool, initial: false}\n",
    "  g: {type: bool, initial: false}\n  u: {type: int, range: [0, 3], initial: 2}\n").replace(
    '      - {id: go, label: Go, effects: ["g = true"]}\n',
    '      - {id: go, label: Go, effects: ["g = true"]}\n'
    '      - {id: stay, label: Stay, effects: ["n = 3"]}\n') + \
    "endings:\n  - {id: done, title: Done, when: g}\n"


@pytest.mark.parametrize("probabilities", [True, False])
def test_an_exploration_stopped_at_its_budget_reports_forgotten_values_as_reached(probabilities):
    """`u` is never read or written: it is 2 in every session, and forgotten from turn 0.
    Where the budget stops the search in the middle of a state's moves (`go` has ended the
    session, `stay` finds no room), the end state found there still reports u = 2, from the
    state it was found from, not the 0 its stored bits read as."""
    scenario = _load(STOPPED_NEXT_TO_AN_END)
    full = explore(scenario)
    assert full.complete and full.marginals["u"] == {"2": 1}
    for max_states in range(1, full.states):
        found = explore(scenario, max_states=max_states, probabilities=probabilities)
        assert not found.complete
        assert {dict(o.values)["u"] for o in found.outcomes} <= {"2"}, max_states
