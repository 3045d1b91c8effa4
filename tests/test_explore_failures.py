"""Failures found by explore are worded by the rules, asked once per move and state as the
rules see it (`engine.analysis.search.failure_reads`: this turn's moves and the signposts
fired left out). Remembering a message must never merge two different ones: explore gives
the same failures, with the same counts and odds, as asking the rules at every failing
transition."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from test_differential import _load, scenarios

from engine.analysis import search
from engine.analysis.explore import explore

TWO_MESSAGES = """\
spillover: 1
id: two_messages
title: One move, two ways to fail
start: 2024-01-01
moves_per_turn: 2
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-02-01}
  - {label: T2, date: 2024-03-01}
state:
  level: {type: int, range: [0, 3], initial: 1}
branches:
  - id: up
    title: Up
    repeatable: true
    turns: 1..2
    options:
      - {id: go, label: Go, effects: [level += 1]}
  - id: jump
    title: Jump
    repeatable: true
    turns: 1..2
    options:
      - {id: go, label: Go, effects: [level += 2]}
"""


def failures(result) -> list:
    return sorted((f.message, f.count, f.probability, len(f.path))
                  for f in result.failures)


def test_the_same_move_failing_two_ways_gives_two_failures():
    scenario = _load(TWO_MESSAGES)
    r = explore(scenario)
    jumps = sorted(f.message for f in r.failures if "level += 2" in f.message)
    assert len(jumps) == 2, jumps
    assert "would become 4" in jumps[0] and "would become 5" in jumps[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=scenarios())
def test_remembered_messages_are_the_rules_messages(text):
    scenario = _load(text)
    assume(scenario is not None)
    remembered = explore(scenario, max_states=50_000)
    assume(remembered.complete and remembered.failures)
    original = search.failure_reads
    search.failure_reads = lambda lay: -1          # every bit: one question per transition
    try:
        asked = explore(scenario, max_states=50_000)
    finally:
        search.failure_reads = original
    assert failures(remembered) == failures(asked)
