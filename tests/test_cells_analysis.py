"""Cells (issue 13) in the analysis: explore, randomtest and lint's reachability check count
each cell's own move allowance exactly as the rules do (`rules.allowance_reason`), so a turn
can hold one move of each cell, and the exact odds keep their meaning (every choice open at
a decision point, of any cell, equally likely). Checked here against a plain recursion
through the rules; tests/test_differential.py walks generated scenarios with cells move by
move."""

import contextlib
import json
import shutil
from fractions import Fraction
from functools import cache

import pytest

from engine.analysis.explore import (
    Policy,
    apply_action,
    available,
    explore,
    normalise,
    replay_steps,
)
from engine.analysis.randomtest import randomtest
from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play import rules
from engine.play.dice import roll_odds
from engine.play.rules import Env, RuleError, initial_state
from tui.cli import main

CELLS = """moves_per_turn: 2
cells:
  - {id: blue, name: Blue, actors: [japan, nato], moves_per_turn: 1}
  - {id: red, name: Red, actors: [china]}
"""
NEVER = """
  - id: never_played
    title: A move whose precondition cannot hold
    when: china_pressure > 3
    options:
      - {id: go, label: Go}
"""


def _celled(tmp_path, extra: str = "", never: bool = True):
    path = tmp_path / "cells.yaml"
    shutil.copy(tutorial_scenario(), path)
    text = path.read_text(encoding="utf-8").replace("moves_per_turn: 2\n", CELLS + extra, 1)
    if never:
        at = text.index("\ninjects:")
        text = text[:at] + NEVER.rstrip("\n") + text[at:]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def celled_path(tmp_path):
    return _celled(tmp_path)


def by_the_rules(scenario):
    """End values -> exact probability (and "failure"), by a plain recursion through the
    rules over normalised states: every available choice equally likely, rolls by the dice."""
    env = Env.for_session(scenario)
    prep = Policy(scenario, True, None)

    @cache
    def dist(s):
        if s.ended:
            return ((s.values, Fraction(1)),)
        if s.pending is not None:          # every result of the roll (graded ones too)
            branch, _o = rules.pending_option(s, env)
            mod = sum(v for _, v in rules.modifiers_now(branch, s, env))
            moves = [(("roll", r), p) for p, r in roll_odds(branch.adjudication, mod)]
        else:
            choices = available(s, env, prep)
            moves = []
            for a, _w in choices:
                share = Fraction(1, len(choices))
                if a == ("pass",) and s.turn < scenario.last_turn:   # the draws (format 2)
                    moves += [(("pass", key), share * p)
                              for p, key, _s in rules.turn_outcomes(s, env)]
                else:
                    moves.append((a, share))
        out: dict = {}
        for action, p in moves:
            if not p:
                continue
            try:
                child = normalise(apply_action(s, env, action))
            except RuleError:
                out["failure"] = out.get("failure", 0) + p
                continue
            for values, q in dist(child):
                out[values] = out.get(values, 0) + p * q
        return tuple(out.items())

    return dict(dist(normalise(initial_state(env))))


@pytest.mark.parametrize("sealed", ["", "sealed_moves: true\n"])
def test_explore_with_cells_gives_the_rules_odds(tmp_path, sealed):
    sc = load_scenario(_celled(tmp_path, sealed, never=False))
    r = explore(sc)
    assert r.complete and not r.failures
    expected: dict = {}
    for values, p in by_the_rules(sc).items():
        key = shown(sc, values)
        expected[key] = expected.get(key, 0) + p
    got = {o.values: o.probability for o in r.outcomes}
    assert got == expected
    assert sum(got.values()) == 1


def shown(sc, values):
    return tuple((v.id, v.show(values[v.index])) for v in sc.variables)


def test_a_turn_holds_one_move_of_each_cell(tmp_path):
    """Blue (one move) and Red (two) move in the same turn; the white cell (France, no cell)
    has the scenario's own two: the explorer finds a turn with a move of each, and none
    with two of Blue's."""
    sc = load_scenario(_celled(tmp_path, never=False))
    blue = {b.id for b in sc.branches.values() if b.actor in ("japan", "nato")}
    red = {b.id for b in sc.branches.values() if b.actor == "china"}
    env = Env.for_session(sc)
    prep = Policy(sc, True, None)
    seen_both = False
    stack, seen = [normalise(initial_state(env))], set()
    while stack:
        s = stack.pop()
        if s in seen or s.ended:
            continue
        seen.add(s)
        assert len(blue & set(s.moves)) <= 1
        seen_both |= bool(blue & set(s.moves)) and bool(red & set(s.moves))
        if s.pending is not None:          # every result of the roll (graded ones too)
            branch, _o = rules.pending_option(s, env)
            mod = sum(v for _, v in rules.modifiers_now(branch, s, env))
            nxt = [("roll", r) for _p, r in roll_odds(branch.adjudication, mod)]
        else:
            nxt = [a for a, _w in available(s, env, prep)]
            if ("pass",) in nxt and s.turn < sc.last_turn:      # every outcome of the draws
                nxt += [("pass", key) for _p, key, _s in rules.turn_outcomes(s, env)]
                nxt.remove(("pass",))
        for a in nxt:
            with contextlib.suppress(RuleError):
                stack.append(normalise(apply_action(s, env, a)))
    assert seen_both
    unreduced = explore(sc, reduce=False)     # every normalised state, as the rules make them
    assert unreduced.states == len(seen) + unreduced.end_states


def test_randomtest_with_cells_plays_only_what_the_rules_allow(celled_path):
    sc = load_scenario(celled_path)
    r = randomtest(sc, 150, seed=3)
    assert r.failure is None and r.playthroughs == 150
    assert r.branch_counts["answer_beijing"] and r.branch_counts["china_protests"]
    for i in (0, 7, 42):
        trace = randomtest(sc, 1, seed=3, playthrough=i).trace
        replay_steps(sc, [s.token for s in trace])      # the rules refuse nothing offered


def test_lint_checks_reachability_with_cells_completely(celled_path, capsys):
    code = main(["lint", "--json", str(celled_path)])
    out = json.loads(capsys.readouterr().out)
    reach = out["reachability"][str(celled_path)]
    assert code == 0
    assert reach["complete"] is True and reach["states"] > 0
    assert "skipped" not in reach and reach["not_reached"] == []
    assert [d["code"] for d in out["diagnostics"]] == ["SP506"]
    assert "never_played" in out["diagnostics"][0]["message"]


@pytest.mark.parametrize("command", [["explore"], ["randomtest", "-n", "5", "--seed", "1"]])
def test_explore_and_randomtest_run_with_cells(celled_path, capsys, command):
    code = main([command[0], str(celled_path), *command[1:]])
    out, err = capsys.readouterr()
    assert code == (1 if command[0] == "explore" else 0)     # explore: never_played
    assert "cells" not in err and "Traceback" not in out + err
    if command[0] == "explore":
        assert "never_played" in out
