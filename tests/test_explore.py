"""Exhaustive exploration: reachability, dead ends, failures, exact odds, budgets, lint."""

import json
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.analysis.explore import Policy, available, explore, lint_warnings, replay_steps
from engine.format.loader import load_scenario
from engine.play import rules
from engine.play.rules import Env, RuleError
from tui.cli import main

HEAD = """\
spillover: 1
id: {id}
title: "{title}"
start: 2024-01-01
moves_per_turn: {moves}
turns:
{turns}
"""


def scenario_text(body: str, *, n_turns: int = 2, moves: int = 1, id: str = "t",
                  title: str = "Test") -> str:
    turns = "\n".join(f"  - {{label: T{i}, date: 2024-{i + 1:02d}-01}}" for i in range(n_turns))
    return HEAD.format(id=id, title=title, moves=moves, turns=turns) + body


@pytest.fixture
def make(write_scenario):
    def build(body: str, **kw):
        return load_scenario(write_scenario(scenario_text(body, **kw)))
    return build


GAMBLE = """
state:
  won: {type: bool, initial: false}
branches:
  - id: gamble
    title: Take a chance
    turns: 1
    adjudication: {dice: 2d6, target: 8}
    options:
      - id: try
        label: Try
        on_success: {effects: [won = true]}
        on_failure: {effects: []}
      - id: skip
        label: Skip
        effects: []
"""


# ---------------------------------------------------------------------------- odds

def test_outcome_probability_by_hand(make):
    # Turn 1 offers gamble:try, gamble:skip and passing, each 1/3; 2d6 ≥ 8 is 15/36.
    r = explore(make(GAMBLE))
    assert r.complete and not r.findings
    won = {o.values: o.probability for o in r.outcomes}
    assert won[(("won", "true"),)] == Fraction(1, 3) * Fraction(15, 36) == Fraction(5, 36)
    assert won[(("won", "false"),)] == Fraction(31, 36)
    assert r.marginals == {"won": {"false": Fraction(31, 36), "true": Fraction(5, 36)}}
    assert r.branch_probability == {"gamble": Fraction(2, 3)}
    assert r.failure_probability == 0
    assert [s.token for s in r.played_options["gamble:try"]] == ["pass", "choose gamble:try"]


def test_weights_change_the_policy(make):
    sc = make(GAMBLE)
    r = explore(sc, weights={"gamble:try": 2, "pass": 1.5})
    # try 2/(2+1+1.5) = 4/9, then 15/36
    won = {o.values: o.probability for o in r.outcomes}
    assert won[(("won", "true"),)] == Fraction(4, 9) * Fraction(15, 36)
    with pytest.raises(ValueError, match="no option 'gamble:nope'"):
        explore(sc, weights={"gamble:nope": 1})
    with pytest.raises(ValueError, match="negative"):
        explore(sc, weights={"pass": -1})


def test_modifiers_apply_in_the_state_rolled(make):
    body = """
state:
  won: {type: bool, initial: false}
  backing: {type: int, range: [0, 2], initial: 2}
branches:
  - id: gamble
    title: Take a chance
    turns: 1
    adjudication:
      dice: 1d6
      target: 6
      modifiers:
        - {label: Backing, value: backing}
    options:
      - id: try
        label: Try
        on_success: {effects: [won = true]}
"""
    r = explore(make(body))
    # 1d6 + 2 ≥ 6: faces 4, 5, 6 → 1/2; chosen with probability 1/2 (try or pass)
    won = {o.values[0]: o.probability for o in r.outcomes}
    assert won[("won", "true")] == Fraction(1, 4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_end_probabilities_sum_to_one(write_scenario, data):
    """Generated scenarios: when complete, end states and failures share all the mass."""
    n_turns = data.draw(st.integers(2, 4))
    lines = ["state:", "  x: {type: int, range: [0, 3], initial: 1}",
             "  f: {type: bool, initial: false}", "branches:"]
    for k in range(data.draw(st.integers(1, 4))):
        lo = data.draw(st.integers(0, n_turns - 1))
        when = data.draw(st.sampled_from(["", "x >= 1", "f", "not f", "x < 3"]))
        rep = data.draw(st.booleans())
        lines += [f"  - id: b{k}", f"    title: B{k}", f"    turns: {lo}..",
                  f"    repeatable: {str(rep).lower()}"]
        if when:
            lines.append(f"    when: {when}")
        contested = data.draw(st.booleans())
        if contested:
            lines.append("    adjudication: {dice: 2d6, target: %d}" % data.draw(st.integers(2, 13)))
        lines.append("    options:")
        for j in range(data.draw(st.integers(1, 2))):
            eff = data.draw(st.sampled_from(["x += 1", "x -= 1", "f = true", "x = 0"]))
            lines += [f"      - id: o{j}", f"        label: O{j}"]
            if contested and j == 0:
                lines.append(f"        on_success: {{effects: [{eff}]}}")
            else:
                lines.append(f"        effects: [{eff}]")
    lines += ["injects:", "  - {id: nudge, title: Nudge, effects: [f = true]}"]
    path = write_scenario(scenario_text("\n".join(lines) + "\n", n_turns=n_turns,
                                        moves=data.draw(st.integers(1, 2))))
    sc = load_scenario(path)
    r = explore(sc, max_states=50_000)
    assert r.complete
    total = sum((o.probability for o in r.outcomes), Fraction(0)) + r.failure_probability
    assert total == 1
    for dist in r.marginals.values():
        assert sum(dist.values()) == total - r.failure_probability
    # every failure's path reproduces it through the rules
    for f in r.failures:
        with pytest.raises(RuleError, match="outside its range"):
            replay_steps(sc, [s.token for s in f.path])


# ---------------------------------------------------------------------------- findings

UNREACHABLE = """
state:
  x: {type: int, range: [0, 3], initial: 0}
  flag: {type: bool, initial: false}
branches:
  - id: a
    title: Set x to one
    when: x == 0
    options: [{id: go, label: Go, effects: [x = 1]}]
  - id: b
    title: Raise the flag
    when: x == 0
    options: [{id: go, label: Go, effects: [flag = true, x = 2]}]
  - id: c
    title: Needs both
    when: [x == 1, flag]
    options: [{id: go, label: Go, effects: []}]
  - id: d
    title: Needs three
    when: [x >= 1, x == 3]
    options: [{id: go, label: Go, effects: []}]
"""


def test_unreachable_branches_name_the_clause(make):
    r = explore(make(UNREACHABLE, n_turns=4))
    assert r.complete
    by = {u.branch: u for u in r.unreachable}
    assert set(by) == {"c", "d"}
    assert by["d"].clauses == ("x == 3",)
    assert "`x == 3`" in by["d"].reason and "x >= 1" not in by["d"].reason
    assert by["c"].clauses == ()
    assert "never all together" in by["c"].reason
    assert r.findings


def test_branch_outside_every_turn_window(make):
    body = """
state:
  x: {type: int, range: [0, 3], initial: 0}
branches:
  - id: never
    title: Never
    turns: []
    options: [{id: go, label: Go}]
  - id: fine
    title: Fine
    options: [{id: go, label: Go}]
"""
    r = explore(make(body, n_turns=3))
    (u,) = r.unreachable
    assert u.branch == "never" and "turn window" in u.reason


DEAD_END = """
state:
  x: {type: int, range: [0, 3], initial: 0}
branches:
  - id: first
    title: The only move
    turns: 1..2
    options: [{id: go, label: Go, effects: [x += 1]}]
"""


def test_dead_end_turn_with_shortest_path_and_odds(make):
    r = explore(make(DEAD_END, n_turns=3))
    assert r.complete
    (d,) = r.dead_ends
    assert d.turn == 2
    assert [s.token for s in d.path] == ["pass", "choose first:go", "pass"]
    assert d.probability == Fraction(1, 2)     # play it in turn 1 (1/2), then nothing in turn 2
    assert "turn 1: The only move [first] → Go [go]" in d.path[1].text
    assert r.findings


def test_out_of_range_effect_is_a_failure_with_a_path(make):
    body = """
state:
  x: {type: int, range: [0, 1], initial: 0}
branches:
  - id: push
    title: Push
    repeatable: true
    options: [{id: go, label: Go, effects: [x += 1]}]
"""
    sc = make(body, n_turns=3)
    r = explore(sc)
    (f,) = r.failures
    assert "'x' would become 2, outside its range 0..1" in f.message
    assert [s.token for s in f.path] == ["pass", "choose push:go", "pass", "choose push:go"]
    # P: push in turn 1 (1/2), then push again in turn 2 (1/2)
    assert f.probability == Fraction(1, 4)
    assert r.failure_probability == Fraction(1, 4)
    with pytest.raises(RuleError, match="outside its range"):
        replay_steps(sc, [s.token for s in f.path])


def test_injects_are_choices_unless_switched_off(make):
    body = GAMBLE + """
injects:
  - id: windfall
    title: A windfall
    effects: [won = true]
"""
    sc = make(body)
    r = explore(sc)
    assert "windfall" not in r.injects_never
    won = {o.values: o.probability for o in r.outcomes}
    assert won[(("won", "true"),)] > Fraction(5, 36)
    r2 = explore(sc, injects=False)
    assert {o.values: o.probability for o in r2.outcomes}[(("won", "true"),)] == \
        Fraction(5, 36)


def _results(state, env) -> tuple:
    """What the pending roll can decide: success or failure, or a graded roll's results."""
    return rules.pending_option(state, env)[0].adjudication.results


def test_explorer_offers_exactly_what_the_rules_allow(tutorial):
    """The explorer's shortcuts (turn windows, used moves) never change what is open."""
    env = Env.for_session(tutorial)
    prep = Policy(tutorial, True, None)
    rng = random.Random(3)
    for _ in range(60):
        s = rules.initial_state(env)
        while not s.ended:
            if s.pending is not None:
                s = rules.resolve(s, env, rng.choice(_results(s, env)))
                continue
            offered = {a for a, _w in available(s, env, prep) if a[0] == "choose"}
            expected = {("choose", b.id, o.id) for b in rules.open_branches(s, env)
                        for o in b.options}
            assert offered == expected
            action = rng.choice([a for a, _w in available(s, env, prep)])
            from engine.analysis.explore import apply_action
            s = apply_action(s, env, action)


# ---------------------------------------------------------------------------- budget

BIG = """
state:
  a: {type: int, range: [0, 9], initial: 0}
  b: {type: int, range: [0, 9], initial: 0}
  c: {type: int, range: [0, 9], initial: 0}
branches:
  - {id: up_a, title: A up, repeatable: true, when: a < 9, options: [{id: go, label: Go, effects: [a += 1]}]}
  - {id: up_b, title: B up, repeatable: true, when: b < 9, options: [{id: go, label: Go, effects: [b += 1]}]}
  - {id: up_c, title: C up, repeatable: true, when: c < 9, options: [{id: go, label: Go, effects: [c += 1]}]}
"""


def test_max_states_stops_cleanly(make, write_scenario, capsys):
    sc = make(BIG, n_turns=8, moves=2)
    r = explore(sc, max_states=300)
    assert not r.complete and r.states == 300
    assert r.outcomes == () or all(o.probability is None for o in r.outcomes)
    assert r.failure_probability is None and r.marginals == {}
    assert r.unreachable == ()                    # nothing claimed unreachable
    assert 0 < r.turns_complete < 8
    # every stored state but the first was reached by a transition, counted even when the
    # state that reached the limit was being expanded
    for limit in (7, 50, 300):
        cut = explore(sc, max_states=limit)
        assert cut.transitions >= cut.states - 1 == limit - 1
    path = write_scenario(scenario_text(BIG, n_turns=8, moves=2), "big.yaml")
    assert main(["explore", str(path), "--max-states", "300"]) == 2
    out = capsys.readouterr().out
    assert "INCOMPLETE" in out
    assert "stopped at the limit of 300 distinct states (--max-states)" in out
    assert "explored completely" in out and "Probabilities are not computed" in out


# ---------------------------------------------------------------------------- tutorial, lint

def test_tutorial_explores_completely(tutorial):
    r = explore(tutorial)
    assert r.complete
    assert [u for u in r.unreachable if u.option is None] == []
    assert set(r.played_branches) == set(tutorial.branches)
    assert not r.failures
    assert sum(o.probability for o in r.outcomes) == 1
    # each branch's shortest path replays through the rules and ends by playing it
    for b, path in r.played_branches.items():
        state = replay_steps(tutorial, [s.token for s in path])
        assert b in state.chosen


def test_lint_warnings_locate_findings(make, tutorial):
    sc = make(UNREACHABLE, n_turns=4)
    ws = lint_warnings(sc)
    sp506 = [d for d in ws if d.code == "SP506"]
    assert {d.message.split("'")[1] for d in sp506} == {"c", "d"}
    d = next(d for d in sp506 if "'d'" in d.message)
    assert d.severity == "warning" and d.line > 0 and d.file.endswith("scenario.yaml")
    assert "x == 3" in d.message
    dead = lint_warnings(make(DEAD_END, n_turns=3))
    assert [d.code for d in dead] == ["SP507"] and "turn 2" in dead[0].message
    assert dead[0].line > 0
    # an exploration that cannot finish within the budget says nothing
    assert lint_warnings(make(BIG, n_turns=8, moves=2), max_states=200) == []


def test_lint_gives_up_early_only_when_the_budget_cannot_do(make, tutorial):
    sc = make(BIG, n_turns=8, moves=3)            # 9,017 states in all
    big = explore(sc, max_states=3_000, give_up_early=True)
    assert big.gave_up and not big.complete and big.states < 1_000
    assert explore(sc, max_states=10_000, give_up_early=True).complete
    # branching front-loaded in turn 1, then narrow: must not be abandoned
    front = """
state:
  x: {type: int, range: [0, 9], initial: 0}
branches:
  - id: pick
    title: Pick
    turns: 1
    options: [%s]
  - id: late
    title: Late
    turns: 2..
    when: x == 9
    options: [{id: go, label: Go}]
""" % ", ".join(f"{{id: o{k}, label: O{k}, effects: [x = {k}]}}" for k in range(10))
    sc = make(front, n_turns=9)
    r = explore(sc, max_states=2_000, give_up_early=True)
    assert r.complete and not r.gave_up
    assert explore(tutorial, max_states=20_000, give_up_early=True).complete


# ---------------------------------------------------------------------------- CLI

def test_cli_exit_codes_and_json(write_scenario, capsys, tmp_path):
    clean = write_scenario(scenario_text(GAMBLE), "clean.yaml")
    assert main(["explore", str(clean)]) == 0
    out = capsys.readouterr().out
    assert "complete:" in out and "5/36" in out
    assert main(["explore", str(clean), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] and data["outcomes"][1]["probability"]["exact"] == "5/36"
    weights = tmp_path / "w.json"
    weights.write_text('{"gamble:try": 2}')
    assert main(["explore", str(clean), "--weights", str(weights), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["policy"]["weights"] == {"gamble:try": "2"}
    weights.write_text('{"nope": 2}')
    assert main(["explore", str(clean), "--weights", str(weights)]) == 2
    assert "not a branch" in capsys.readouterr().err
    assert main(["explore", str(clean), "--weights", str(weights), "--lang", "ru"]) == 2
    assert "weights: «nope» — не ветвь" in capsys.readouterr().err
    assert main(["explore", str(clean), "--max-states", "0"]) == 2
    dead = write_scenario(scenario_text(DEAD_END, n_turns=3), "dead.yaml")
    assert main(["explore", str(dead)]) == 1
    assert "Dead ends: 1 turn" in capsys.readouterr().out
    unreachable = write_scenario(scenario_text(UNREACHABLE, n_turns=4), "unr.yaml")
    assert main(["explore", str(unreachable), "--paths"]) == 1
    out = capsys.readouterr().out
    assert "never playable (2)" in out and "`x == 3`" in out
    assert "shortest way to each branch" in out


def _fire_plainly(env, state):
    """rules.fire_signposts as first written, without its memo: the reference."""
    known = {sid for sid, _ in state.fired}
    new = []
    for s in env.scenario.signposts:
        if s.id not in known and s.when.holds(state, env):
            new.append((s.id, state.turn))
    for b in env.scenario.branches.values():
        for s in b.signposts:
            if s.when is not None and s.id not in known and s.when.holds(state, env):
                new.append((s.id, state.turn))
    return rules._replace(state, fired=state.fired + tuple(new)) if new else state


def test_signpost_memo_matches_plain_evaluation(write_scenario, tutorial):
    """The memo in rules.fire_signposts (exploration's hot path) changes no result."""
    body = """
state:
  x: {type: int, range: [0, 3], initial: 0}
branches:
  - id: up
    title: Up
    repeatable: true
    when: x < 3
    options: [{id: go, label: Go, effects: [x += 1]}]
    signposts:
      - {text: At two, when: x >= 2}
      - {text: Chosen up, when: "chosen(up) and x == 1"}
  - id: down
    title: Down
    repeatable: true
    when: x > 0
    options: [{id: go, label: Go, effects: [x -= 1]}]
signposts:
  - {id: late_three, text: Three late, when: "x == 3 and turn >= 2"}
"""
    sc = load_scenario(write_scenario(scenario_text(body, n_turns=4, moves=2)))
    # only value-only conditions, one of them true from the start
    plain = body.replace('      - {text: Chosen up, when: "chosen(up) and x == 1"}\n', "") + \
        "  - {id: always, text: Always, when: x >= 0}\n"
    sc2 = load_scenario(write_scenario(scenario_text(plain, n_turns=4, moves=2), "b.yaml"))
    assert not rules._signpost_plan(sc2).others
    rng = random.Random(5)
    for scenario in (sc, sc2, tutorial):
        for off in ((), tuple(scenario.events)[:1]):
            env = Env.for_session(scenario, off)
            prep = Policy(scenario, True, None)
            for _ in range(40):
                s = rules.initial_state(env)
                while not s.ended:
                    base = rules._replace(s, fired=())
                    assert rules.fire_signposts(env, base) == _fire_plainly(env, base)
                    if s.pending is not None:
                        s = rules.resolve(s, env, rng.choice(_results(s, env)))
                        continue
                    from engine.analysis.explore import apply_action
                    s = apply_action(s, env, rng.choice(available(s, env, prep))[0])


# ---------------------------------------------------------------------------- review fixes

LATE = """
state:
  x: {type: int, range: [0, 3], initial: 0}
branches:
  - id: bump
    title: Bump x
    turns: 1..2
    options: [{id: go, label: Go, effects: [x += 1]}]
injects:
  - id: sched
    title: Scheduled inject
    turn: 1
    when: x >= 1
    effects: [x += 1]
"""


def test_a_scheduled_inject_can_be_released_by_hand_after_its_turn(make):
    """Its condition fails when turn 1 begins (x = 0), so it is not released then; once
    `bump` makes it hold, the facilitator may release it by hand, as in a session."""
    sc = make(LATE, n_turns=3)
    r = explore(sc)
    assert r.complete
    assert r.injects_never == ()
    # turn 2 after bump (x = 1) is no dead end: the inject can still be released; it is one
    # only once the inject has been released too
    (d,) = r.dead_ends
    assert [s.token for s in d.path] == ["pass", "choose bump:go", "release sched", "pass"]
    assert d.probability == Fraction(1, 4)
    (w,) = lint_warnings(sc)
    assert w.code == "SP507" and "release sched" in w.message
    path = [s.token for s in r.played_branches["bump"]]
    assert replay_steps(sc, path + ["release sched"]).released == {"sched"}
    # --no-injects: no facilitator releases; at turn 1 its condition fails, so never
    off = explore(sc, injects=False)
    assert off.injects_never == ("sched",)
    assert [d.turn for d in off.dead_ends] == [2]


def test_no_injects_still_releases_scheduled_injects_at_their_turn(make):
    body = LATE.replace("when: x >= 1", "when: x == 0")
    r = explore(make(body, n_turns=3), injects=False)
    assert r.injects_never == ()


def _rules_moves(s, env):
    """What the rules allow at a decision point, asked of the rules alone."""
    moves = {("choose", b.id, o.id) for b in rules.open_branches(s, env) for o in b.options
             if rules.option_block_reason(o, s, env) is None}
    moves |= {("release", i.id) for i in env.scenario.injects.values()
              if rules.inject_block_reason(i, s, env) is None}
    if s.turn < env.scenario.last_turn:
        rules.next_turn(s, env)       # passing is possible (raises otherwise)
    moves.add(("pass",))
    return moves


def _check_moves(sc, seed: int, runs: int) -> None:
    """Random playthroughs: at every decision point, the explorer's (and randomtest's) moves
    are exactly those the rules allow."""
    from engine.analysis.explore import apply_action
    env = Env.for_session(sc)
    prep = Policy(sc, True, None)
    rng = random.Random(seed)
    for _ in range(runs):
        s = rules.initial_state(env)
        while not s.ended:
            if s.pending is not None:
                s = rules.resolve(s, env, rng.choice(_results(s, env)))
                continue
            offered = [a for a, _w in available(s, env, prep)]
            assert len(offered) == len(set(offered))
            assert set(offered) == _rules_moves(s, env), s
            try:
                s = apply_action(s, env, rng.choice(offered))
            except RuleError:
                break
    # without injects: everything but releases
    prep = Policy(sc, False, None)
    s = rules.initial_state(env)
    assert {a for a, _w in available(s, env, prep)} == \
        {a for a in _rules_moves(s, env) if a[0] != "release"}


@pytest.mark.parametrize("path", ["scenarios/tutorial.yaml",
                                  "scenarios/nato-japan-prospects.yaml"])
def test_moves_offered_equal_the_moves_the_rules_allow(path):
    _check_moves(load_scenario(path), 5, 40)


def test_moves_offered_include_a_late_scheduled_inject(make):
    _check_moves(make(LATE, n_turns=3), 1, 30)


DEAD_AFTER_RELEASE = """
state:
  x: {type: int, range: [0, 3], initial: 0}
branches:
  - id: b1
    title: B1
    turns: 1
    when: x == 0
    options: [{id: go, label: Go, effects: [x += 2]}]
injects:
  - id: ondem
    title: On demand
    effects: [x = 1]
"""


def test_a_dead_end_is_counted_only_when_the_turn_begins(make):
    """Release in turn 0 (1/2), then turn 1 begins with nothing to do: a dead end. Pass
    (1/2), then release in turn 1: nothing is left, but the turn began with choices."""
    r = explore(make(DEAD_AFTER_RELEASE))
    (d,) = r.dead_ends
    assert d.turn == 1 and d.states == 1
    assert d.probability == Fraction(1, 2)
    assert [s.token for s in d.path] == ["release ondem", "pass"]


def test_result_has_no_unused_exact_property(make):
    assert not hasattr(explore(make(GAMBLE)), "exact")


def test_cli_explore_switch_off_and_top_are_checked(write_scenario, capsys):
    body = GAMBLE + """
events:
  - {id: later, date: 2024-02-15, title: Later}
  - {id: before, date: 2023-12-01, title: Before}
"""
    path = write_scenario(scenario_text(body))
    assert main(["explore", str(path), "--switch-off", "later"]) == 2
    err = capsys.readouterr().err
    assert "only baseline events" in err and "later" in err
    assert main(["explore", str(path), "--switch-off", "before"]) == 0
    capsys.readouterr()
    assert main(["explore", str(path), "--top", "-1"]) == 2
    assert "--top" in capsys.readouterr().err
    assert main(["explore", str(path), "--top", "0"]) == 0
    out = capsys.readouterr().out
    assert "… 2 more" in out
    assert "in a session that ends (failures count as not ending)" in out


def test_one_values_only_and_one_modifier_text():
    import engine.analysis.explore as ex
    import engine.analysis.moves as moves
    import engine.analysis.randomtest as rt
    assert moves.values_only is rules.values_only
    import engine.play.dice as dice
    assert dice.modifier_text([("Flag up", -2), ("Ally", 1)]) == " − 2 (Flag up) + 1 (Ally)"
    assert rt.modifier_text is ex.modifier_text is dice.modifier_text
