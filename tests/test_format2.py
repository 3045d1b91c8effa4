"""Format 2: state that rests on events (initial values that read occurred(…), derived
variables), what a switch changes, and the bundled scenario's counterfactuals."""

from __future__ import annotations

import contextlib

import pytest
from test_machine import _check_walk

from engine.analysis.switches import switch_reach
from engine.bundled import main_scenario
from engine.format.loader import check_scenario, load_scenario
from engine.play import rules
from engine.play.rules import Env, RuleError

HEAD = """\
spillover: {version}
id: f2
title: Format two
start: 2024-01-01
turns:
  - {{label: T0, date: 2024-01-01}}
  - {{label: T1, date: 2024-06-01}}
  - {{label: T2, date: 2025-01-01}}
events:
  - {{id: objection, date: 2023-06-01, title: An objection}}
  - {{id: war, date: 2022-02-01, title: A war}}
  - {{id: model, date: 2022-06-01, title: A force model}}
  - {{id: later, date: 2024-03-01, title: Later}}
state:
"""

STATE = """\
  reservation:
    type: bool
    initial: occurred(objection) and not occurred(later)
    rests_on: [objection]
  load:
    type: int
    range: [0, 3]
    label: Load on the east
    initial:
      - {when: occurred(war), value: 2}
      - {value: 1}
    rests_on: [war]
    cites: [model]
  pool:
    type: enum
    values: [small, large, ready]
    initial:
      - {when: [occurred(model), occurred(war)], value: large}
      - {value: small}
    rests_on: [model, war]
  strain:
    type: int
    range: [0, 4]
    derived: load + (turn * 2) - 1
  blocked:
    type: bool
    derived: reservation or load >= 3
"""

BRANCHES = """\
branches:
  - id: press
    title: Press
    turns: 1..2
    repeatable: true
    when: not blocked
    adjudication:
      dice: 2d6
      target: 5
      modifiers:
        - {label: Strain, value: 0 - strain}
        - {label: War, when: occurred(war), value: -1}
    options:
      - id: push
        label: Push
        effects: [{if: occurred(war), then: [load += 1], else: [reservation = true]}]
        on_success: {effects: [pool = ready]}
        on_failure: {effects: [load -= 1]}
      - {id: ease, label: Ease, when: [load >= 2, pool != ready], effects: [reservation = false]}
  - id: settle
    title: Settle
    turns: 1..2
    options:
      - id: calm
        label: Calm
        narrative: "{load.label} stands at {load} in {turn}; pool {pool}. {{sic}}"
        when: occurred(war) and strain >= 3
        effects:
          - load -= 1
          - if: load >= 1
            then: [{if: pool == large, then: [pool = ready], else: [pool = large]}]
            else: [reservation = true]
      - {id: wait, label: Wait, when: "load == 0", effects: []}
injects:
  - {id: relief, title: Relief, turn: 2, when: load >= 2, effects: [load -= 1]}
endings:
  - {id: overload, title: Overload, when: load >= 3, narrative: "Load {load} in {turn}."}
"""


def scenario_text(state: str = STATE, branches: str = BRANCHES, version: int = 2) -> str:
    return HEAD.format(version=version) + state + branches


@pytest.fixture
def f2(write_scenario):
    return load_scenario(write_scenario(scenario_text()))


def values(scenario, off=()):
    env = Env.for_session(scenario, off)
    s = rules.initial_state(env)
    return {v.id: v.show(s.values[v.index]) for v in scenario.variables}


def test_initial_values_read_the_events_after_the_switches(f2):
    assert values(f2) == {"reservation": "true", "load": "2", "pool": "large",
                          "strain": "1", "blocked": "true"}
    assert values(f2, ["objection"])["reservation"] == "false"
    assert values(f2, ["objection"])["blocked"] == "false"      # derived from it
    off_war = values(f2, ["war"])
    assert (off_war["load"], off_war["pool"], off_war["strain"]) == ("1", "small", "0")
    assert values(f2, ["model"])["pool"] == "small"             # both clauses must hold


def test_derived_variables_are_recomputed_after_every_change_and_kept_in_range(f2):
    env = Env.for_session(f2, ["objection"])
    s = rules.initial_state(env)
    s, _ = rules.next_turn(s, env)
    strain = f2.variable("strain")
    assert s.values[strain.index] == 3                 # 2 + 1*2 - 1: the turn is read
    s = rules.choose(s, env, "press", "push")          # load 3: blocked, strain 4 (clamped 5)
    assert s.values[f2.variable("blocked").index] is True
    assert s.values[strain.index] == 4
    with pytest.raises(RuleError, match="derived"):
        rules.override(s, env, "strain", 1)
    s = rules.override(s, env, "load", 0)
    assert s.values[strain.index] == 1 and s.values[f2.variable("blocked").index] is False


@pytest.mark.parametrize("off", [(), ("objection",), ("war",), ("model", "objection")])
@pytest.mark.parametrize("seed", range(4))
def test_the_machine_agrees_with_the_rules_on_format_two(f2, off, seed):
    _check_walk(f2, seed, off, True, steps=30)


def errors(write_scenario, text):
    _s, diags = check_scenario(write_scenario(text))
    return diags


def test_version_one_files_refuse_format_two_keys_with_a_located_hint(write_scenario):
    diags = errors(write_scenario, scenario_text(version=1))
    found = [d for d in diags if d.code == "SP209"]
    assert len(found) == 11     # 3 initials, 2 derived, 3 option whens, 2 ifs, endings
    assert found[0].line == 17 and "spillover: 2" in found[0].hint


def test_version_three_is_refused(write_scenario):
    diags = errors(write_scenario, scenario_text(version=3))
    assert [d.code for d in diags] == ["SP207"]


@pytest.mark.parametrize("state, code, words", [
    ("  x: {type: int, range: [0, 3], derived: x + 1}\n"
     "  y: {type: int, range: [0, 3], initial: 0}\n", "SP408", "reads itself"),
    ("  y: {type: int, range: [0, 3], initial: 0}\n"
     "  x: {type: int, range: [0, 3], derived: y + 1}\n"
     "  z: {type: int, range: [0, 3], derived: x}\n", "SP408", "reads the derived variable 'x'"),
    ("  x: {type: bool, derived: chosen(press)}\n", "SP408", "reads chosen"),
    ("  x: {type: set, of: [a], derived: a}\n", "SP203", "only bool, int and enum"),
    ("  x: {type: bool, initial: occurred(nope)}\n", "SP302", "'nope' is not a defined event"),
    ("  x: {type: bool, initial: \"y\"}\n  y: {type: bool, initial: true}\n",
     "SP402", "'y' is not a state variable"),
    ("  x: {type: int, range: [0, 3], initial: [{when: occurred(war), value: 1}]}\n",
     "SP203", "the last case needs no `when`"),
    ("  x: {type: int, range: [0, 3], initial: [{value: 1}, {value: 2}]}\n",
     "SP203", "case 1 needs a `when`"),
    ("  x: {type: int, range: [0, 3], initial: [{when: occurred(war), value: 9}, {value: 2}]}\n",
     "SP406", "initial 9 does not fit"),
    ("  x: {type: int, range: [0, 3], initial: [{when: war, value: 1}, {value: 2}]}\n",
     "SP402", "write occurred(war)"),
    ("  x: {type: int, range: [0, 3]}\n", "SP202", "needs 'initial'"),
])
def test_bad_format_two_state_gets_a_located_error(write_scenario, state, code, words):
    text = scenario_text(state, "branches:\n  - id: press\n    title: P\n    options: "
                                "[{id: o, label: O}]\n")
    diags = [d for d in errors(write_scenario, text) if d.severity == "error"]
    assert diags, text
    d = diags[0]
    assert d.code == code and words in (d.message + " " + (d.hint or "")), d
    assert d.line and d.line >= 15


def test_assigning_a_derived_variable_is_a_located_error(write_scenario):
    text = scenario_text(branches=BRANCHES.replace("then: [load += 1]",
                                                   "then: [strain += 1]"))
    diags = [d for d in errors(write_scenario, text) if d.severity == "error"]
    assert [d.code for d in diags] == ["SP408"]
    assert "'strain' is derived" in diags[0].message
    assert text.splitlines()[diags[0].line - 1][diags[0].col - 1:].startswith("strain += 1]")


def test_rests_on_an_event_the_initial_never_reads_warns_in_format_two_only(write_scenario):
    state = "  x: {type: int, range: [0, 3], initial: 1, rests_on: [war, model]}\n"
    text = scenario_text(state, "branches:\n  - id: b\n    title: B\n    options: "
                                "[{id: o, label: O}]\n")
    diags = errors(write_scenario, text)
    assert [d.code for d in diags] == ["SP508"] and diags[0].severity == "warning"
    assert "war, model" in diags[0].message and "cites" in diags[0].hint
    assert errors(write_scenario, text.replace("spillover: 2", "spillover: 1")) == []


def test_switch_reach_lists_what_a_switch_changes(f2):
    reach = switch_reach(f2, "objection")
    assert reach.initial == (("reservation", "true", "false"), ("blocked", "true", "false"))
    assert reach.variables == ("reservation", "blocked")
    assert reach.branches == ("press",)             # `not blocked`
    assert reach.lines()[0] == "reservation starts false instead of true"
    war = switch_reach(f2, "war")
    assert set(war.variables) == {"load", "pool", "strain", "blocked"}
    assert war.modifiers == (("press", "Strain"), ("press", "War"))
    assert war.injects == ("relief",)
    with pytest.raises(ValueError):
        switch_reach(f2, "later")


# ---------------------------------------------------------------- the bundled scenario

BUNDLED_SWITCHES = {
    "france_objects_liaison_office_2023": ("france_reservation", "true", "false"),
    "russia_war_on_ukraine_2022": ("russia_load", "2", "1"),
    "nato_force_model_2022": ("force_pool", "force_model", "nrf_40000"),
}


@pytest.fixture(scope="module")
def bundled():
    return load_scenario(main_scenario())


@pytest.mark.parametrize("event", BUNDLED_SWITCHES)
def test_bundled_switches_reach_their_variables(bundled, event):
    var, before, after = BUNDLED_SWITCHES[event]
    reach = switch_reach(bundled, event)
    assert (var, before, after) in reach.initial
    assert reach.modifiers or reach.branches or reach.injects


@pytest.mark.slow
@pytest.mark.parametrize("event", BUNDLED_SWITCHES)
def test_explore_switch_off_changes_the_outcome_distribution(bundled, event):
    """The issue's Done-means: `spillover explore --switch-off E` changes the distribution
    of the variable resting on E at the end of the session."""
    from engine.analysis.explore import explore
    var = BUNDLED_SWITCHES[event][0]
    base = _baseline_marginals(bundled)
    off = explore(bundled, max_states=1_500_000, switched_off=[event])
    assert off.complete
    assert off.marginals[var] != base[var], (var, off.marginals[var])


_BASE: dict = {}


def _baseline_marginals(bundled):
    if "m" not in _BASE:
        from engine.analysis.explore import explore
        r = explore(bundled, max_states=1_500_000)
        assert r.complete
        _BASE["m"] = r.marginals
    return _BASE["m"]


def test_explore_says_what_each_switch_changes(write_scenario, capsys):
    from tui.cli import main
    path = write_scenario(scenario_text())
    with contextlib.suppress(SystemExit):
        main(["explore", str(path), "--switch-off", "objection", "--switch-off", "war"])
    out = capsys.readouterr().out
    assert "switching off objection changes: reservation starts false instead of true; " \
           "blocked starts false instead of true; preconditions of: press" in out
    assert "switching off war changes: load starts 1 instead of 2" in out
    with contextlib.suppress(SystemExit):
        main(["explore", str(path), "--switch-off", "war", "--json"])
    import json
    data = json.loads(capsys.readouterr().out)
    assert data["switch_changes"]["war"][0] == "load starts 1 instead of 2"


# ---------------------------------------------------------------- option conditions

def test_an_option_is_offered_only_while_its_condition_holds(f2):
    env = Env.for_session(f2, ["objection"])
    s, _ = rules.next_turn(rules.initial_state(env), env)     # load 2, strain 3
    settle = f2.branches["settle"]
    calm, wait = settle.options
    assert rules.option_block_reason(calm, s, env) is None
    assert rules.option_block_reason(wait, s, env) == "condition fails: load == 0"
    with pytest.raises(RuleError, match="'Wait' cannot be chosen: condition fails: load == 0"):
        rules.choose(s, env, "settle", "wait")
    clauses = rules.explain(wait.when, s, env)
    assert [(c.text, c.holds, c.values) for c in clauses] == [("load == 0", False,
                                                               (("load", "2"),))]
    s = rules.choose(s, env, "settle", "calm")                  # load 1, strain 2
    # the next turn neither option of settle holds: the branch is blocked and says why
    env2 = Env.for_session(f2, ["objection", "war"])
    s2, _ = rules.next_turn(rules.initial_state(env2), env2)
    assert rules.block_reason(settle, s2, env2) == \
        "no option is open (calm: condition fails: occurred(war))"


def test_a_bad_option_condition_is_a_located_error(write_scenario):
    text = scenario_text(branches=BRANCHES.replace('when: "load == 0"', 'when: "load + 1"'))
    diags = [d for d in errors(write_scenario, text) if d.severity == "error"]
    assert [d.code for d in diags] == ["SP403"]
    assert "expected a condition" in diags[0].message and "option 'wait'" in diags[0].message
    line = text.splitlines()[diags[0].line - 1]
    assert line[diags[0].col - 1:].startswith("load + 1")


def test_graph_draws_what_an_option_condition_reads(f2):
    from engine.analysis.graph import build_graph
    edges = {(e.src, e.dst, e.kind) for e in build_graph(f2).edges}
    # settle has no precondition of its own: only its options' conditions read `load`
    assert ("b_press", "b_settle", "enables") in edges
    assert ("b_press", "b_settle", "blocks") in edges


# ---------------------------------------------------------------- conditional effects

def test_conditional_effects_read_the_state_where_they_stand(f2):
    env = Env.for_session(f2, ["objection"])
    start, _ = rules.next_turn(rules.initial_state(env), env)
    start, _ = rules.next_turn(start, env)                      # turn 2: strain >= 3

    def calm(load: int, pool: int):
        s = rules.override(rules.override(start, env, "load", load), env, "pool", pool)
        return values_of(f2, rules.choose(s, env, "settle", "calm"))[:3]
    # `load -= 1` first, then `if: load >= 1` reads the new load
    assert calm(2, 1) == ("false", "1", "ready")       # then → inner then (pool == large)
    assert calm(2, 0) == ("false", "1", "large")       # then → inner else (pool small)
    assert calm(1, 1) == ("true", "0", "large")        # else: reservation = true


def values_of(scenario, s):
    return tuple(v.show(s.values[v.index]) for v in scenario.variables)


def test_a_bad_conditional_effect_is_located(write_scenario):
    text = scenario_text(branches=BRANCHES.replace("then: [pool = ready]", "then: [pool = 3]")
                         .replace("            else: [reservation = true]",
                                  "            else: [reservation = true]\n"
                                  "            otherwise: []"))
    diags = [d for d in errors(write_scenario, text) if d.severity == "error"]
    assert sorted(d.code for d in diags) == ["SP201", "SP403"]
    bad = next(d for d in diags if d.code == "SP403")
    assert "then" in bad.message
    assert text.splitlines()[bad.line - 1][bad.col - 1:].startswith("3")


# ---------------------------------------------------------------- text that shows state

def test_narratives_show_the_state_when_they_are_shown(f2, tmp_path):
    from engine.debrief.report import after_action_report
    from engine.play.session import Session
    s = Session.start(f2, seed=1, group="Blue", switched_off=["objection"],
                      log_path=tmp_path / "blue.jsonl")
    s.next_turn()
    view = s.branch_view("settle")
    assert view.option("calm").narrative == \
        "Load on the east stands at 2 in T1; pool large. {sic}"
    s.choose("settle", "calm")
    assert s.text(f2.branches["settle"].option("calm").narrative).startswith(
        "Load on the east stands at 1 in T1; pool ready.")
    report = after_action_report(tmp_path / "blue.jsonl", f2)
    details = [d.text for sec in report.timeline for e in sec.entries for d in e.details
               if d.label == "Narrative"]
    assert details == ["Load on the east stands at 1 in T1; pool ready. {sic}"]


def test_a_placeholder_that_names_nothing_is_located(write_scenario):
    text = scenario_text(branches=BRANCHES.replace("pool {pool}", "pool {poll} {x.y}"))
    diags = [d for d in errors(write_scenario, text) if d.severity == "error"]
    assert [d.code for d in diags] == ["SP409", "SP409"]
    assert "'poll' is not a state variable" in diags[0].message and "pool" in diags[0].hint
    assert "'{x.y}' is not a placeholder" in diags[1].message
    line = text.splitlines()[diags[0].line - 1]
    assert line[diags[0].col - 1:].startswith("{poll}")
    # version 1 shows braces as written
    v1 = scenario_text(state="  load: {type: int, range: [0, 3], initial: 1}\n",
                       branches="branches:\n  - id: b\n    title: B\n    narrative: "
                                "\"{nope}\"\n    options: [{id: o, label: O}]\n", version=1)
    assert errors(write_scenario, v1) == []


# ---------------------------------------------------------------- endings

def test_an_ending_ends_the_session_once_no_roll_is_pending(f2, tmp_path):
    from engine.debrief.report import after_action_report
    from engine.play.session import Session
    s = Session.start(f2, seed=3, group="Red", switched_off=["objection"],
                      log_path=tmp_path / "red.jsonl")
    s.next_turn()
    s.override("load", "2", "test")
    s.choose("press", "push")                    # load 3, but the roll is still pending
    assert not s.state.ended and s.state.pending is not None
    out = s.decide(False, "test")                # failure: load 2
    assert not s.state.ended
    s.undo()
    out = s.decide(True, "test")                 # success: load stays 3 → Overload
    assert s.state.ended and s.state.ending == "overload"
    assert out.message.endswith("the session has ended: Overload. Load 3 in T1.")
    assert rules.state_json(s.state, s.env)["ending"] == "overload"
    with pytest.raises(Exception, match="ended"):
        s.next_turn()
    report = after_action_report(tmp_path / "red.jsonl", f2)
    assert report.verified and report.ended and report.ending == "Overload: Load 3 in T1."


def test_explore_gives_the_exact_odds_of_an_ending(f2):
    from engine.analysis.explore import explore
    r = explore(f2, switched_off=["objection"])
    assert r.complete and not r.failures
    p = r.ending_probability["overload"]
    assert 0 < p < 1
    ended_early = sum(o.probability for o in r.outcomes if dict(o.values)["load"] == "3")
    assert p <= ended_early
    assert explore(f2, switched_off=["objection", "war"]).ending_probability["overload"] < p


def test_states_without_an_ending_hash_as_before(f2):
    env = Env.for_session(f2)
    assert "ending" not in rules.state_json(rules.initial_state(env), env)


def test_graph_draws_endings_and_what_moves_them(f2):
    from engine.analysis.graph import build_graph, to_dot, to_mermaid
    g = build_graph(f2)
    assert g.node("ending", "overload").id == "x_overload"
    edges = {(e.src, e.dst, e.kind) for e in g.edges}
    assert ("b_press", "x_overload", "enables") in edges       # push raises the load
    assert ("i_relief", "x_overload", "blocks") in edges
    assert "doubleoctagon" in to_dot(g) and 'x_overload[["Overload' in to_mermaid(g)
