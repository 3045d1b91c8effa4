"""Differential test: random well-typed scenarios, played step by step through the reference
rules (engine.play.rules, closures from engine.lang.tree) and the packed machine
(engine.analysis.machine), which must agree on every offered move, every result and every
failure (`test_machine._check_walk`).

Hypothesis writes the scenarios: int variables with random ranges and initial values at
or near their limits, an enum, a bool, two sets over different universes; preconditions,
effects, modifiers, signpost and inject conditions built from every operator of the
expression language, with constants on either side and at the range limits; chance injects
(format 2) whose draws the rules and the machine must weigh alike."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_machine import _check_walk

from engine.format.loader import check_scenario

ENUM = ("none", "low", "high")
AREAS = ("n", "s", "e")
ZONES = ("s", "n")
CMP = ("==", "!=", "<", "<=", ">", ">=")
# chance injects' probabilities (format 2): fractions, decimals, and the sure ends 0 and 1
CHANCES = ("1/2", "1/3", "2/7", "0.25", "1", "0")


class Gen:
    """Draws expression texts; `ranges` holds each int variable's (lo, hi)."""

    def __init__(self, draw, ranges: dict[str, tuple[int, int]]):
        self.draw, self.ranges = draw, ranges
        self.reads: tuple[str, ...] = ()     # further int variables expressions may read

    def pick(self, items):
        return self.draw(st.sampled_from(list(items)))

    def const(self) -> int:
        lo, hi = self.ranges[self.pick(self.ranges)]
        return self.pick((lo, hi, lo - 1, hi + 1, 0, 1, -1, 2))

    def int_(self, depth: int) -> str:
        kind = self.pick(("leaf", "leaf", "op", "neg") if depth else ("leaf",))
        if kind == "leaf":
            return self.pick((*self.ranges, *self.reads, str(self.const()), str(self.const()),
                              "turn",
                              "count(areas)", "count(zones)"))
        if kind == "neg":
            return f"-({self.int_(depth - 1)})"
        return f"({self.int_(depth - 1)}) {self.pick('+-*')} ({self.int_(depth - 1)})"

    def bool_(self, depth: int) -> str:
        kinds = ["leaf", "int", "enum", "set", "boolcmp"]
        if depth:
            kinds += ["and", "or", "not"]
        kind = self.pick(kinds)
        if kind == "leaf":
            return self.pick(("flag", "mark", "watch", "true", "false", "occurred(early)",
                              "occurred(middle)",
                              "chosen(alpha)", "chosen(alpha, up)", "chosen(gamble, go)",
                              "released(surge)", "released(calm)"))
        if kind == "int":
            return f"({self.int_(min(depth, 1))}) {self.pick(CMP)} ({self.int_(min(depth, 1))})"
        if kind == "enum":
            a, b = "stance", self.pick((*ENUM, "stance", "mood"))
            if self.draw(st.booleans()):
                a, b = b, a
            if a in ENUM and b in ENUM:
                b = "stance"
            if self.draw(st.booleans()):
                a, b = self.pick((("phase", "mood"), ("phase", "low"), ("high", "phase")))
            return self.pick((f"{a} {self.pick(CMP)} {b}",
                              f"stance {self.pick(('in', 'not in'))} {{{self.members(ENUM)}}}"))
        if kind == "set":
            return self.pick((f"{self.pick(AREAS)} {self.pick(('in', 'not in'))} areas",
                              f"{self.pick(ZONES)} {self.pick(('in', 'not in'))} zones",
                              f"areas {self.pick(('==', '!='))} zones"))
        if kind == "boolcmp":
            return f"flag {self.pick(('==', '!='))} ({self.bool_(0)})"
        if kind == "not":
            return f"not ({self.bool_(depth - 1)})"
        return f"({self.bool_(depth - 1)}) {kind} ({self.bool_(depth - 1)})"

    def members(self, universe) -> str:
        chosen = self.draw(st.lists(st.sampled_from(universe), min_size=1, max_size=3,
                                    unique=True))
        return ", ".join(chosen)

    def effect(self) -> str:
        kind = self.pick(("int", "int", "bool", "enum", "set"))
        if kind == "int":
            var = self.pick(self.ranges)
            op = self.pick(("+=", "-=", "="))
            return f"{var} {op} {self.int_(1)}"
        if kind == "bool":
            return f"flag = {self.bool_(1)}"
        if kind == "enum":
            return f"stance = {self.pick((*ENUM, 'mood'))}"
        return self.pick((f"areas += {self.pick(AREAS)}", f"areas -= {self.pick(AREAS)}",
                          f"zones += {self.pick(ZONES)}", f"zones -= {self.pick(ZONES)}",
                          f"areas = {{{self.members(AREAS)}}}", "zones = {}"))

    def effects(self, n: int = 2, depth: int = 1) -> str:
        k = self.draw(st.integers(0, n))
        items = []
        for _ in range(k):
            if depth and self.draw(st.integers(0, 3)) == 0:      # {if, then, else}
                items.append(f'{{if: "{self.bool_(1)}", then: {self.effects(2, depth - 1)}, '
                             f'else: {self.effects(1, depth - 1)}}}')
            else:
                items.append(f'"{self.effect()}"')
        return "[" + ", ".join(items) + "]"

    def when(self) -> str:
        """A condition: one clause, a list of two clauses, or constantly true."""
        kind = self.draw(st.integers(0, 3))
        if kind == 0:
            return '"true"'
        if kind == 1:
            return f'["{self.bool_(1)}", "{self.bool_(1)}"]'
        return f'"{self.bool_(2)}"'


@st.composite
def scenarios(draw) -> str:
    ranges = {}
    for name in ("level", "pool"):
        lo = draw(st.integers(-4, 2))
        ranges[name] = (lo, lo + draw(st.integers(1, 6)))
    g = Gen(draw, ranges)
    state = [f"  {n}: {{type: int, range: [{lo}, {hi}], initial: "
             f"{g.pick((lo, hi, (lo + hi) // 2))}}}" for n, (lo, hi) in ranges.items()]
    state += [f"  stance: {{type: enum, values: [{', '.join(ENUM)}], initial: {g.pick(ENUM)}}}",
              f"  mood: {{type: enum, values: [{', '.join(ENUM)}], initial: {g.pick(ENUM)}}}",
              f"  flag: {{type: bool, initial: {g.pick(('true', 'false'))}}}",
              f"  areas: {{type: set, of: [{', '.join(AREAS)}], initial: [{g.members(AREAS)}]}}",
              f"  zones: {{type: set, of: [{', '.join(ZONES)}], initial: []}}",
              # format 2: initial values that read events, derived variables
              f"  mark: {{type: bool, initial: \"{g.pick(('occurred(early)', 'not occurred(early)'))}\"}}",
              f"  phase: {{type: enum, values: [{', '.join(ENUM)}], initial: [{{when: \"occurred(early)"
              f"\", value: {g.pick(ENUM)}}}, {{value: {g.pick(ENUM)}}}]}}",
              f"  total: {{type: int, range: [-3, 6], derived: \"{g.int_(1)}\"}}",
              f"  watch: {{type: bool, derived: \"({g.int_(1)}) {g.pick(CMP)} ({g.int_(1)})\"}}"]
    g.reads = ("total",)
    cells = draw(st.sampled_from(("none", "cells", "sealed")))
    actors = {b: g.pick(("red", "blue", "white")) for b in ("alpha", "beta", "gamble")}
    # with cells: Red and Blue each play one actor with an allowance of their own; branches
    # of the white actor count against moves_per_turn (the white cell's)
    cell_text = "" if cells == "none" else (
        "actors: {red: Red, blue: Blue, white: White}\n"
        f"cells:\n  - {{id: r, name: R, actors: [red], moves_per_turn: {g.pick((1, 2))}}}\n"
        f"  - {{id: b, name: B, actors: [blue], moves_per_turn: {g.pick((1, 2))}}}\n"
        + ("sealed_moves: true\n" if cells == "sealed" else ""))
    mods = "\n".join(f"        - {{label: M{k}, when: {g.when()}, value: \"{g.int_(1)}\"}}"
                     for k in range(draw(st.integers(0, 2))))
    # a graded roll: 2..4 result bands cut at distinct totals of 2d6 (and a little beyond)
    cuts = sorted(draw(st.sets(st.integers(1, 14), min_size=1, max_size=3)))
    bounds = [(None, cuts[0] - 1)] + [(a, b - 1) for a, b in zip(cuts, cuts[1:])] + \
        [(cuts[-1], None)]
    bands = "\n".join(
        f"        - {{id: r{i}{'' if lo is None else f', min: {lo}'}"
        f"{'' if hi is None else f', max: {hi}'}}}"
        for i, (lo, hi) in enumerate(bounds))
    outcomes = "\n".join(f"          r{i}: {{effects: {g.effects()}}}"
                         for i in range(len(bounds)) if g.pick((True, True, False)))
    gmods = "\n".join(f"        - {{label: G{k}, when: {g.when()}, value: \"{g.int_(1)}\"}}"
                      for k in range(draw(st.integers(0, 2))))
    text = f"""\
spillover: 2
id: differential
title: Differential
start: 2024-01-01
moves_per_turn: {g.pick((1, 2))}
{cell_text}turns:
  - {{label: T0, date: 2024-01-01}}
  - {{label: T1, date: 2024-03-01}}
  - {{label: T2, date: 2024-06-01}}
  - {{label: T3, date: 2024-09-01}}
events:
  - {{id: early, date: 2023-12-01, title: Early}}
  - {{id: middle, date: 2024-05-01, title: Middle}}
state:
{chr(10).join(state)}
signposts:
  - {{id: s1, text: One, when: "{g.bool_(2)}"}}
  - {{id: s2, text: Two, when: "{g.bool_(1)}"}}
branches:
  - id: alpha
    title: Alpha
    actor: {actors["alpha"]}
    turns: 1..3
    repeatable: {g.pick(('true', 'false'))}
    when: {g.when()}
    options:
      - {{id: up, label: Up, when: {g.when()}, effects: {g.effects(3)}}}
      - {{id: down, label: Down, effects: {g.effects()}}}
  - id: beta
    title: Beta
    actor: {actors["beta"]}
    turns: [{g.pick((1, 2))}, 3]
    repeatable: {g.pick(('true', 'false'))}
    when: {g.when()}
    options:
      - {{id: only, label: Only, when: {g.when()}, effects: {g.effects(3)}}}
  - id: gamble
    title: Gamble
    actor: {actors["gamble"]}
    turns: 1..3
    when: {g.when()}
    adjudication:
      dice: 2d6
      target: {draw(st.integers(2, 13))}
      modifiers:
{mods or "        []"}
    options:
      - id: go
        label: Go
        effects: {g.effects(1)}
        on_success: {{effects: {g.effects()}}}
        on_failure: {{effects: {g.effects()}}}
      - {{id: wait, label: Wait, when: {g.when()}, effects: {g.effects(1)}}}
  - id: grade
    title: Grade
    turns: 1..3
    repeatable: {g.pick(('true', 'false'))}
    when: {g.when()}
    adjudication:
      dice: 2d6
      modifiers:
{gmods or "        []"}
      results:
{bands}
    options:
      - id: try
        label: Try
        effects: {g.effects(1)}
        outcomes:
{outcomes or "          {}"}
  - id: duel
    title: Duel
    turns: 1..3
    repeatable: {g.pick(('true', 'false'))}
    when: {g.when()}
    adjudication:
      dice: {g.pick(('1d6', '2d4', '2d6'))}
      against: {{dice: {g.pick(('1d6', '2d4', '1d8'))}}}
      ties: {g.pick(('success', 'failure'))}
      modifiers: [{{label: D, when: {g.when()}, value: "{g.int_(1)}"}}]
    options:
      - id: meet
        label: Meet
        on_success: {{effects: {g.effects()}}}
        on_failure: {{effects: {g.effects()}}}
injects:
  - {{id: surge, title: Surge, turn: {g.pick((1, 2))}, when: {g.when()}, effects: {g.effects()}}}
  - {{id: calm, title: Calm, when: {g.when()}, effects: {g.effects()}}}
  - {{id: storm, title: Storm, turn: {g.pick((1, 2))}, chance: "{g.pick(CHANCES)}", when: {g.when()}, effects: {g.effects()}}}
  - {{id: quake, title: Quake, turn: {g.pick((1, 2, 3))}, chance: {g.pick(CHANCES)}, effects: {g.effects()}}}
endings:           # from turn 2 on, so that most sessions are played before one ends
  - {{id: e1, title: One, when: ["turn >= 2", "{g.bool_(1)}"]}}
  - {{id: e2, title: Two, when: ["turn >= {g.pick((2, 3))}", "{g.bool_(1)}"]}}
"""
    text = text.replace("modifiers:\n        []", "modifiers: []").replace(
        "outcomes:\n          {}", "outcomes: {}")
    if cells == "none":           # without cells the actors are not declared: drop them
        text = "\n".join(line for line in text.split("\n") if not line.startswith("    actor:"))
    return text


def _load(text: str):
    folder = Path(tempfile.mkdtemp(prefix="spillover-diff-"))
    path = folder / "differential.yaml"
    path.write_text(text, encoding="utf-8")
    scenario, diags = check_scenario(path)
    errors = [d for d in diags if d.severity == "error"]
    # The only errors a well-typed generated scenario may get: an effect that always leaves
    # its range (SP405), which the loader rejects statically.
    assert all(d.code == "SP405" for d in errors), "\n".join(map(str, errors)) + "\n" + text
    return scenario if not errors else None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=scenarios(), seed=st.integers(0, 2**32), injects=st.booleans(),
       off=st.sampled_from([(), ("early",)]))
def test_rules_and_machine_agree_on_random_scenarios(text, seed, injects, off):
    scenario = _load(text)
    assume(scenario is not None)
    for k in range(3):
        _check_walk(scenario, seed + k, off, injects, steps=40)


# ---------------------------------------------------------------- every operator, exhaustively

EXHAUSTIVE = """\
spillover: 2
id: exhaustive
title: Exhaustive
start: 2024-01-01
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-06-01}
events:
  - {id: early, date: 2023-01-01, title: Early}
state:
  x: {type: int, range: [-2, 3], initial: 0}
  e: {type: enum, values: [a, b, c], initial: a}
  f: {type: bool, initial: true}
  s: {type: set, of: [p, q], initial: []}
  t: {type: set, of: [q, p], initial: []}
branches:
  - {id: b, title: B, options: [{id: o, label: O}]}
"""


def _exhaustive_texts() -> list[str]:
    out = []
    for op in CMP:
        for k in range(-3, 5):
            out += [f"x {op} {k}", f"{k} {op} x", f"-x {op} {k}", f"{k} {op} x + 1",
                    f"{k} {op} x * 2 - 1", f"x - {k} {op} 0"]
        out += [f"x {op} x", f"count(s) {op} count(t)", f"{op_const(op)} {op} count(s)"]
        for v in ("a", "b", "c"):
            out += [f"e {op} {v}", f"{v} {op} e"]
    for op in ("==", "!="):
        out += [f"f {op} true", f"false {op} f", f"s {op} t", f"t {op} s", f"f {op} (x > 0)"]
    out += ["p in s", "p not in s", "q in t", "e in {a, c}", "e not in {b}", "not f",
            "f and x > 0", "f or x < 0", "not (x >= 1 and e != b)", "occurred(early)",
            "turn == 0", "0 < turn"]
    return out


def op_const(op: str) -> int:
    return {"==": 1, "!=": 0, "<": 1, "<=": 2, ">": 0, ">=": 1}[op]


def test_every_operator_agrees_in_every_state_with_either_operand_order(tmp_path):
    """Each operator, with constants on either side and at the range limits, evaluated by the
    reference closure and the packed closure in every state of the variables it can read."""
    from itertools import product

    from engine.analysis.machine import Machine
    from engine.analysis.packed_expr import NC, Compiler
    from engine.lang import expr as X
    from engine.play.rules import Env, GameState

    path = tmp_path / "exhaustive.yaml"
    path.write_text(EXHAUSTIVE, encoding="utf-8")
    scenario, diags = check_scenario(path)
    assert scenario is not None, diags
    env = Env.for_session(scenario)
    machine = Machine(env)
    lay = machine.layout
    scope = X.Scope({v.id: (v.index, v.type) for v in scenario.variables},
                    events=frozenset(scenario.events), last_turn=scenario.last_turn)
    compiler = Compiler(lay, machine.types, scenario.last_turn, 0, env.occurred[0])
    subsets = [frozenset(), frozenset({"p"}), frozenset({"q"}), frozenset({"p", "q"})]
    states = [GameState(0, vals) for vals in product(range(-2, 4), range(3), (False, True),
                                                      subsets, subsets)]
    checked = 0
    for text in _exhaustive_texts():
        typed = X.check_condition(X.parse_expr(text), scope)
        packed = compiler.expr(typed.tree)
        for s in states:
            c = lay.encode(s)
            got = packed.const if packed.const is not NC else packed.fn(c & lay.values_mask, c)
            assert bool(got) == bool(typed.fn(s, env)), (text, s.values)
            checked += 1
    assert checked > 100_000


@pytest.mark.parametrize("text", [
    *(f"s {op} t" for op in ("<", "<=", ">", ">=")),
    *(f"f {op} true" for op in ("<", "<=", ">", ">=")),
    *(f"true {op} f" for op in ("<", "<=", ">", ">=")),
    "e == x", "x == f", "s == x", "e < 1", "count(e) > 0", "x in s", "p in e", "x + f > 0",
    "-e < x", "not x", "f and x", "x == {p}",
])
def test_the_checker_refuses_what_only_one_evaluator_could_mean(text):
    """Both evaluators are only asked about well-typed trees: `<` on sets (a subset test to
    the rules, a comparison of bits to the machine) and the like are refused when checked."""
    from engine.lang import expr as X
    folder = Path(tempfile.mkdtemp(prefix="spillover-diff-"))
    (folder / "x.yaml").write_text(EXHAUSTIVE, encoding="utf-8")
    scenario, _ = check_scenario(folder / "x.yaml")
    scope = X.Scope({v.id: (v.index, v.type) for v in scenario.variables},
                    events=frozenset(scenario.events), last_turn=scenario.last_turn)
    with pytest.raises(X.ExprError) as e:
        X.check_condition(X.parse_expr(text), scope)
    assert e.value.code in ("SP402", "SP403", "SP407")


# ---------------------------------------------------------------- graded rolls: odds vs totals

@settings(max_examples=200, deadline=None)
@given(count=st.integers(1, 4), sides=st.integers(1, 8), modifier=st.integers(-12, 12),
       cuts=st.lists(st.integers(-4, 36), min_size=0, max_size=4, unique=True))
def test_band_odds_agree_with_counting_every_face(count, sides, modifier, cuts):
    """`dice.roll_odds` (cumulative counts, what explore weighs results by) and
    `Adjudication.band_of` (what a session's roll applies) agree: counting every face of
    the dice, each band gets exactly its odds; a target roll likewise."""
    from collections import Counter
    from fractions import Fraction
    from itertools import product as faces_of

    from engine.model import Adjudication, Band
    from engine.play.dice import roll_odds
    cuts = sorted(cuts)
    bounds = [(None, c - 1) for c in cuts[:1]] + \
        [(a, b - 1) for a, b in zip(cuts, cuts[1:])] + [(cuts[-1] if cuts else None, None)]
    bands = tuple(Band(f"r{i}", f"R{i}", lo, hi) for i, (lo, hi) in enumerate(bounds))
    graded = Adjudication(f"{count}d{sides}", count, sides, 0, (), "", bands)
    target = Adjudication(f"{count}d{sides}", count, sides, cuts[0] if cuts else 7)
    rolls = list(faces_of(range(1, sides + 1), repeat=count))
    seen = Counter(graded.band_of(sum(f) + modifier).id for f in rolls)
    assert roll_odds(graded, modifier) == [(Fraction(seen[b.id], len(rolls)), b.id)
                                           for b in bands if seen[b.id]]
    for f in rolls:         # band_of agrees with each band's own bounds
        assert graded.band_of(sum(f) + modifier).holds(sum(f) + modifier)
    wins = sum(1 for f in rolls if sum(f) + modifier >= target.target)
    n = len(rolls)
    expected = [(Fraction(wins, n), True), (Fraction(n - wins, n), False)]
    assert roll_odds(target, modifier) == [(p, r) for p, r in expected if p]


@settings(max_examples=150, deadline=None)
@given(a=st.tuples(st.integers(1, 3), st.integers(1, 6)),
       b=st.tuples(st.integers(1, 3), st.integers(1, 6)), modifier=st.integers(-8, 8),
       ties=st.sampled_from(["success", "failure"]))
def test_opposed_odds_agree_with_counting_every_face(a, b, modifier, ties):
    """`dice.roll_odds` of an opposed roll (what explore weighs it by) and the comparison
    `rules.roll` makes agree, counting every face of both pools."""
    from fractions import Fraction
    from itertools import product as faces_of

    from engine.model import Adjudication
    from engine.play.dice import roll_odds
    adj = Adjudication(f"{a[0]}d{a[1]}", a[0], a[1], 0, against_dice=f"{b[0]}d{b[1]}",
                       against_count=b[0], against_sides=b[1], ties=ties)
    rolls = list(faces_of(range(1, a[1] + 1), repeat=a[0]))
    others = list(faces_of(range(1, b[1] + 1), repeat=b[0]))
    wins = sum(1 for f in rolls for g in others
               if sum(f) + modifier > sum(g) or (sum(f) + modifier == sum(g) and ties == "success"))
    p = Fraction(wins, len(rolls) * len(others))
    assert roll_odds(adj, modifier) == [(q, r) for q, r in ((p, True), (1 - p, False)) if q]


# ---------------------------------------------------------------- the bundled exercise's cells

def _bundled_rests_on() -> list[str]:
    from test_machine import scenario
    sc = scenario("bundled")
    return sorted({e for v in sc.variables for e in v.rests_on})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), off=st.lists(st.sampled_from(_bundled_rests_on()),
                                                max_size=3, unique=True))
def test_rules_and_machine_agree_on_the_bundled_cells_with_events_switched_off(seed, off):
    """Four cells, each with its own move a half-year: in the turns where several cells have a
    branch, the machine's combined choice offers exactly what the rules offer, move by move,
    also with the events the difficulties rest on switched off."""
    from test_machine import scenario
    sc = scenario("bundled")
    assert len(sc.cells) == 4
    _check_walk(sc, seed, tuple(off), True, steps=80)
