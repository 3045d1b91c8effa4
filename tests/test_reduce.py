"""The reduced exploration (engine.analysis.reduce: dead chosen bits dropped, end states and
full turns stored once) gives exactly the results of the unreduced one: every finding, every
probability, every shortest path's length. Only the counts of stored states differ.
Hypothesis writes the scenarios (tests/test_differential.py's generator: chosen() reads,
once-only and repeatable branches, rolls, injects, signposts, endings, cells)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_differential import _load, scenarios

from engine.analysis.explore import explore
from engine.format.loader import load_scenario


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
