"""Branches proved never playable without exploring every state (issue 15)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_explore import UNREACHABLE, scenario_text

from engine.analysis.abstract import never_playable
from engine.analysis.explore import explore
from engine.format.loader import load_scenario


@pytest.fixture
def make(write_scenario):
    def build(body: str, **kw):
        return load_scenario(write_scenario(scenario_text(body, **kw)))
    return build


def test_proves_what_no_value_allows_and_claims_nothing_else(make):
    sc = make(UNREACHABLE, n_turns=4)
    # d needs x == 3, and nothing ever sets x above 2: proved. c needs x == 1 and flag
    # together, which never happens, but each alone can: only exploration proves that.
    assert never_playable(sc) == [("d", "x == 3")]
    assert {u.branch for u in explore(sc).unreachable} == {"c", "d"}


def test_bundled_scenarios_have_nothing_dead(tutorial):
    assert never_playable(tutorial) == []


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_never_claims_a_playable_branch_dead(write_scenario, data):
    """Soundness on generated scenarios: whatever is proved dead, a complete exploration
    never plays."""
    lines = ["state:", "  x: {type: int, range: [0, 4], initial: 1}",
             "  f: {type: bool, initial: false}",
             "  g: {type: bool, initial: false}",
             "  e: {type: enum, values: [lo, mid, hi], initial: lo}",
             "  s: {type: set, of: [p, q], initial: []}", "branches:"]
    conds = ["", "x >= 3", "x == 0", "f", "not f", "e == hi", "e > lo", "p in s",
             "count(s) == 2", "chosen(b0)", "g", "not chosen(b1)", "released(nudge)", "x > 2 and f",
             "turn >= 2"]
    effects = ["x += 1", "x -= 1", "f = true", "x = 0", "e = mid", "e = hi", "s += p",
               "s += q", "s -= p", "x = x + 1", "f = x >= 3", "e = lo"]
    n = data.draw(st.integers(1, 5))
    for k in range(n):
        when = data.draw(st.sampled_from(conds)) if k else ""   # b0 is always open
        lines += [f"  - id: b{k}", f"    title: B{k}",
                  f"    repeatable: {str(data.draw(st.booleans())).lower()}"]
        if when:
            lines.append(f"    when: {when}")
        lines.append("    options:")
        for j in range(data.draw(st.integers(1, 2))):
            effs = data.draw(st.lists(st.sampled_from(effects), min_size=1, max_size=2))
            lines += [f"      - id: o{j}", f"        label: O{j}",
                      f"        effects: [{', '.join(effs)}]"]
    when = data.draw(st.sampled_from(["x >= 2", "f", "e == mid"]))
    effect = data.draw(st.sampled_from(["g = true", "x = 4", "s += q"]))  # g: only the inject
    lines += ["injects:", f"  - {{id: nudge, title: Nudge, when: {when}, effects: [{effect}]}}"]
    text = scenario_text("\n".join(lines) + "\n", n_turns=4, moves=2)
    if "chosen(b1)" in text and n < 2:
        text = text.replace("not chosen(b1)", "not chosen(b0)")
    sc = load_scenario(write_scenario(text))
    r = explore(sc, max_states=200_000, probabilities=False)
    assert r.complete
    dead = {u.branch for u in r.unreachable if u.option is None}
    assert {b for b, _ in never_playable(sc)} <= dead


def test_unknown_sizes_answer_maybe(make):
    body = """
state:
  n: {type: int, range: [0, 100000], initial: 0}
  m: {type: int, range: [0, 100000], initial: 0}
branches:
  - {id: up, title: Up, repeatable: true, options: [{id: go, label: Go, effects: [n = m + 1, m = n + 1]}]}
  - {id: far, title: Far, when: n + m < 0, options: [{id: go, label: Go}]}
"""
    # far is dead (n + m >= 0), but n and m take too many values to enumerate: no claim
    assert never_playable(make(body, n_turns=3)) == []


FORMAT2 = """
events:
  - {id: war, date: 2022-02-24, title: War, summary: A war.}
state:
  load:
    type: int
    range: [0, 3]
    initial:
      - {when: occurred(war), value: 2}
      - {value: 0}
  strained: {type: bool, derived: load >= 3}
  y: {type: int, range: [0, 3], initial: 0}
branches:
  - id: push
    title: Push
    options:
      - id: go
        label: Go
        effects:
          - {if: load >= 2, then: [load += 1], else: [y += 1]}
  - id: only_if_strained
    title: Needs the strain
    when: strained
    options: [{id: ok, label: OK, effects: []}]
  - id: only_if_y
    title: Needs y
    when: y >= 1
    options: [{id: ok, label: OK, effects: []}]
"""


def test_format2_initials_derived_variables_and_conditional_effects(write_scenario):
    # The initial value reads the war, `strained` is derived, and the effect is {if, then,
    # else}: proving nothing dead that exploration plays, with or without the war.
    sc = load_scenario(write_scenario(scenario_text(FORMAT2, n_turns=3).replace(
        "spillover: 1", "spillover: 2")))
    for off in ((), ("war",)):
        dead = {b for b, _ in never_playable(sc, off)}
        played = set(sc.branches) - {u.branch for u in explore(sc, switched_off=off).unreachable}
        assert not dead & played, (off, dead & played)
    # The case this guards: with the war, load starts at 2, one push makes it 3 and the
    # derived `strained` holds. Taking initials as written, or derived variables as fixed,
    # would "prove" that branch dead.
    assert "only_if_strained" not in {u.branch for u in explore(sc).unreachable}
