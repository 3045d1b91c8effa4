"""The compiled machine (engine.analysis.machine) against the rules (engine.play.rules), move for move.

The explorer and randomtest move through packed states; sessions move through the rules.
These tests walk random playthroughs through the rules and check, at every state, that the
packed form decodes back to the same normalised state, that the machine offers exactly the
moves `explore.available` offers, and that every move leads to the same state (or fails
the same way)."""

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analysis.explore import Policy, apply_action, available, explore, normalise
from engine.analysis.machine import Machine, RangeFail
from engine.bundled import main_scenario, tutorial_scenario
from engine.format.loader import load_scenario
from engine.play import rules
from engine.play.rules import Env, RuleError

# Every part of the expression language, a range failure, repeatable and contested branches,
# scheduled and on-demand injects with conditions, signposts of every kind.
EVERYTHING = """\
spillover: 1
id: everything
title: Every feature
start: 2024-01-01
moves_per_turn: 2
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-03-01}
  - {label: T2, date: 2024-06-01}
  - {label: T3, date: 2024-09-01}
events:
  - {id: early, date: 2023-12-01, title: Early}
  - {id: middle, date: 2024-05-01, title: Middle}
state:
  level: {type: int, range: [-2, 3], initial: 0}
  pool: {type: int, range: [0, 6], initial: 1}
  stance: {type: enum, values: [none, low, high], initial: none}
  open: {type: bool, initial: true}
  areas: {type: set, of: [north, south, east], initial: [north]}
  zones: {type: set, of: [south, north], initial: []}
signposts:
  - {id: high_level, text: Level is high, when: level >= 2}
  - {id: both_sets, text: Same areas and zones, when: areas == zones}
  - {id: after_press, text: Pressed and released, when: "chosen(press, hard) and released(surge)"}
  - {id: mid_open, text: Middle and open, when: "occurred(middle) and open"}
branches:
  - id: press
    title: Press
    turns: 1..3
    repeatable: true
    when: [level < 3, "stance in {none, low}"]
    options:
      - {id: hard, label: Hard, effects: [level += 2, "stance = low"]}
      - {id: soft, label: Soft, effects: [level -= 1, open = not open]}
  - id: spread
    title: Spread
    turns: 1..3
    when: "count(areas) < 3 and south not in areas"
    options:
      - {id: south, label: South, effects: [areas += south, zones += south, zones += north]}
      - {id: reset, label: Reset, effects: ["areas = {north, east}", zones -= south]}
  - id: gamble
    title: Gamble
    turns: [1, 3]
    when: "occurred(early) and (pool * 2 - level > 0 or -level >= 1)"
    adjudication:
      dice: 2d6
      target: 8
      modifiers:
        - {label: Pool, value: pool - 1}
        - {label: Open, when: open, value: 2}
        - {label: Turn, when: turn == 3, value: -1}
    options:
      - id: go
        label: Go
        on_success: {effects: [pool += 3, stance = high]}
        on_failure: {effects: [pool -= 1]}
      - {id: wait, label: Wait, effects: [open = chosen(spread) or released(calm)]}
    signposts: [Someone gambled, {text: High after gamble, when: stance == high}]
  - id: late
    title: Late
    turns: 2..3
    when: "turn >= 2 and stance != none and open == (level > 0)"
    options:
      - {id: only, label: Only, effects: [level = pool - 1]}
injects:
  - {id: surge, title: Surge, turn: 2, when: pool >= 1, effects: [pool += 1]}
  - {id: calm, title: Calm, when: "not open", effects: [open = true, level -= 1]}
"""


_LOADED: dict = {}


def scenario(name: str):
    """Loaded once per test run (hypothesis calls the tests many times)."""
    if name not in _LOADED:
        if name == "everything":
            folder = Path(tempfile.mkdtemp(prefix="spillover-machine-"))
            (folder / "everything.yaml").write_text(EVERYTHING, encoding="utf-8")
            _LOADED[name] = load_scenario(folder / "everything.yaml")
        else:
            _LOADED[name] = load_scenario(
                tutorial_scenario() if name == "tutorial" else main_scenario())
    return _LOADED[name]


def _check_walk(scenario, seed: int, switched_off=(), injects=True, steps=80):
    env = Env.for_session(scenario, switched_off)
    prep = Policy(scenario, injects, None)
    machine = Machine(env, injects)
    lay = machine.layout
    rng = random.Random(seed)
    state = rules.initial_state(env)
    assert lay.decode(machine.root) == normalise(state)
    for _ in range(steps):
        norm = normalise(state)
        c = lay.encode(norm)
        assert lay.decode(c) == norm
        tc = machine.turn(state.turn)
        if state.ended:
            return
        if state.pending is not None:
            k = lay.pending(c)
            branch, _o = rules.pending_option(state, env)
            assert tc.mods[k](c) == sum(v for _, v in rules.modifiers_now(branch, state, env))
            adj = branch.adjudication
            options = [(band.id, tc.bands[k][band.id]) for band in adj.bands] if adj.graded \
                else [(True, tc.win[k]), (False, tc.lose[k])]
            for success, fn in options:
                _same(lambda state=state, success=success: rules.resolve(state, env, success),
                      lambda fn=fn, c=c: fn(c), lay)
            state = _step_or_stop(
                lambda state=state, options=options: rules.resolve(
                    state, env, rng.choice(options)[0]))
        else:
            # available() offers passing at the last turn too: there, passing ends the session
            offered = [("pass",) if machine.actions[a] == ("end",) else machine.actions[a]
                       for a in tc.open(c)]
            expected = [a for a, _w in available(state, env, prep)]
            assert sorted(offered) == sorted(expected)
            assert offered[-1] == expected[-1]          # passing (or ending) comes last
            for a in tc.open(c):
                action = machine.actions[a]
                if a == machine.PASS and tc.pass_odds is not None:
                    _same_draws(state, env, tc.pass_odds(c), lay)
                    continue
                _same(lambda state=state, action=action: apply_action(state, env, action),
                      lambda tc=tc, a=a, c=c: tc.steps[a](c), lay)
            state = _step_or_stop(
                lambda state=state, expected=expected: apply_action(
                    state, env, rng.choice(expected)))
        if state is None:
            return


def _same_draws(state, env, by_machine, lay):
    """A turn that begins with chance injects drawn (format 2): the machine's chance node
    and the rules' outcomes agree on every outcome, its exact odds and its state."""
    by_rules = {key: (p, s) for p, key, s in rules.turn_outcomes(state, env)}
    assert sum(p for p, _s in by_rules.values()) == 1
    assert {key: p for key, p, _c in by_machine} == {key: p for key, (p, _s) in by_rules.items()}
    for key, _p, c in by_machine:
        expected = by_rules[key][1]
        if isinstance(expected, str):            # the rules refuse it: out of range
            assert c is None, (key, expected)
        else:
            assert c is not None and lay.decode(c) == normalise(expected), key


def _same(by_rules, by_machine, lay):
    try:
        expected = normalise(by_rules())
    except RuleError:
        with pytest.raises(RangeFail):
            by_machine()
        return
    assert lay.decode(by_machine()) == expected


def _step_or_stop(move):
    try:
        return move()
    except RuleError:
        return None


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), injects=st.booleans(),
       off=st.sampled_from([(), ("early",)]))
def test_machine_agrees_with_the_rules_on_every_feature(seed, injects, off):
    _check_walk(scenario("everything"), seed, off, injects)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_machine_agrees_with_the_rules_on_the_bundled_scenarios(seed):
    _check_walk(scenario("tutorial"), seed)
    _check_walk(scenario("bundled"), seed)


def test_the_feature_scenario_reaches_its_corners():
    """The walks above are only worth something if the scenario's features are reached:
    a range failure, every signpost, every branch, both outcomes, both injects."""
    r = explore(scenario("everything"))
    assert r.complete
    assert r.failures, "no effect ever leaves its range"
    assert not r.unreachable
    assert set(r.signpost_probability) == set(scenario("everything").signpost_texts())
    assert not r.outcomes_never and not r.injects_never
