"""Format 2 graded adjudication: a roll whose modified total falls in one of several
result bands, each option saying what follows each result."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.format.loader import check_scenario, load_scenario
from engine.play import rules
from engine.play.dice import roll_odds
from engine.play.rules import Env, RuleError

GRADED = """\
spillover: 2
id: graded
title: Graded
start: 2024-01-01
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-06-01}
  - {label: T2, date: 2025-01-01}
state:
  trust: {type: int, range: [0, 3], initial: 1}
  deal: {type: enum, values: [none, partial, full], initial: none}
branches:
  - id: talks
    title: Talks
    repeatable: true
    adjudication:
      dice: 2d6
      modifiers:
        - {label: Trust, value: trust - 1}
      results:
        - {id: failure, label: Failure, max: 4}
        - {id: partial, label: Partial success, min: 5, max: 8}
        - {id: success, label: Success, min: 9}
    options:
      - id: open
        label: Open talks
        outcomes:
          failure: {narrative: They walk out., effects: [trust -= 1]}
          partial: {narrative: "Some progress at {trust}.", effects: [deal = partial]}
          success: {effects: [deal = full, trust += 1]}
      - id: wait
        label: Wait
"""


def _load(write_scenario, text=GRADED):
    return load_scenario(write_scenario(text))


def test_band_odds_are_exact_and_follow_the_modifiers(write_scenario):
    sc = _load(write_scenario)
    adj = sc.branches["talks"].adjudication
    # 2d6: ≤4 in 6 of 36, 5–8 in 20, ≥9 in 10
    assert roll_odds(adj, 0) == [(Fraction(6, 36), "failure"), (Fraction(20, 36), "partial"),
                                 (Fraction(10, 36), "success")]
    # +2: totals 4..14; ≤4 only a 2 on the dice (1/36), ≥9 from 7 on the dice (21/36)
    assert roll_odds(adj, 2) == [(Fraction(1, 36), "failure"), (Fraction(14, 36), "partial"),
                                 (Fraction(21, 36), "success")]
    # −10 puts every total in the lowest band: the ends are open
    assert roll_odds(adj, -10) == [(Fraction(1), "failure")]
    assert roll_odds(adj, 10) == [(Fraction(1), "success")]


def test_a_graded_roll_applies_the_band_the_total_fell_in(write_scenario):
    sc = _load(write_scenario)
    seen = set()
    for seed in range(40):
        env = Env.for_session(sc, seed=seed)
        s = rules.next_turn(rules.initial_state(env), env)[0]
        s = rules.choose(s, env, "talks", "open")
        new, result = rules.roll(s, env)
        band = sc.branches["talks"].adjudication.band_of(result.total)
        assert result.band == band.id and result.band_label == band.label
        assert band.lo is None or result.total >= band.lo
        assert band.hi is None or result.total <= band.hi
        deal = sc.variable("deal").type.values[new.values[1]]
        assert deal == {"failure": "none", "partial": "partial", "success": "full"}[band.id]
        assert result.band_label in result.describe()
        seen.add(band.id)
    assert seen == {"failure", "partial", "success"}


def test_deciding_a_graded_roll_takes_a_result(write_scenario):
    sc = _load(write_scenario)
    env = Env.for_session(sc)
    s = rules.next_turn(rules.initial_state(env), env)[0]
    s = rules.choose(s, env, "talks", "open")
    assert rules.resolve(s, env, "partial").values[1] == 1
    with pytest.raises(RuleError, match="no result 'draw'"):
        rules.resolve(s, env, "draw")
    with pytest.raises(RuleError, match="no result"):
        rules.resolve(s, env, True)


def _codes(write_scenario, text):
    return [(d.code, d.line, d.message, d.hint)
            for d in check_scenario(write_scenario(text))[1]]


def test_overlaps_gaps_and_misplaced_bounds_are_located_in_one_pass(write_scenario):
    bad = GRADED.replace("- {id: partial, label: Partial success, min: 5, max: 8}",
                         "- {id: partial, label: Partial success, min: 4, max: 7}") \
        .replace("- {id: success, label: Success, min: 9}",
                 "- {id: success, label: Success, min: 10, max: 12}") \
        .replace("- {id: failure, label: Failure, max: 4}",
                 "- {id: failure, label: Failure, min: 2, max: 4}") \
        .replace("partial: {narrative", "partail: {narrative")
    found = _codes(write_scenario, bad)
    lines = bad.splitlines()
    sp510 = [f for f in found if f[0] == "SP510"]
    msgs = " | ".join(f[2] for f in sp510)
    assert "cannot have a min" in msgs                       # lowest band with min
    assert "overlap: a total of 4" in msgs                    # failure ≤4, partial from 4
    assert "no result for a total of 8–9" in msgs             # partial ≤7, success from 10
    assert "cannot have a max" in msgs                        # highest band with max
    assert "no result 'partail'" in msgs
    assert any("did you mean 'partial'" in (f[3] or "") for f in sp510)
    by_msg = {f[2].split(": ", 1)[1]: f[1] for f in sp510}
    overlap = next(v for k, v in by_msg.items() if "overlap" in k)
    assert "min: 4, max: 7" in lines[overlap - 1]
    gap = next(v for k, v in by_msg.items() if "no result for" in k)
    assert "min: 10" in lines[gap - 1]


def test_a_target_with_results_and_mixed_outcomes_are_errors(write_scenario):
    both = GRADED.replace("      dice: 2d6\n", "      dice: 2d6\n      target: 7\n")
    assert any("either a target or results" in f[2] for f in _codes(write_scenario, both))
    mixed = GRADED.replace("      - id: wait\n        label: Wait\n",
                           "      - id: wait\n        label: Wait\n"
                           "        on_success: {effects: [trust += 1]}\n")
    assert any("has on_success, but the roll is graded" in f[2]
               for f in _codes(write_scenario, mixed))
    v1 = GRADED.replace("spillover: 2", "spillover: 1")
    assert "SP209" in [f[0] for f in _codes(write_scenario, v1)]


def test_outcomes_under_a_target_roll_are_one_error_and_never_a_cascade(write_scenario):
    """`outcomes` under a roll with a target is SP510 at the option's `outcomes`; when the
    results were refused (format 1, or a target beside them), the fallback target says
    nothing more: the one real error is already there."""
    target = GRADED.replace(
        "      results:\n"
        "        - {id: failure, label: Failure, max: 4}\n"
        "        - {id: partial, label: Partial success, min: 5, max: 8}\n"
        "        - {id: success, label: Success, min: 9}\n", "      target: 7\n")
    found = [f for f in _codes(write_scenario, target) if f[0] == "SP510"]
    assert [f[2] for f in found] == ["branch 'talks', option 'open' has outcomes, but the roll "
                                     "has a target, not results"]
    assert "outcomes:" in target.splitlines()[found[0][1] - 1]
    both = GRADED.replace("      dice: 2d6\n", "      dice: 2d6\n      target: 7\n")
    assert [f[2] for f in _codes(write_scenario, both) if f[0] == "SP510"] == [
        "branch 'talks': an adjudication has either a target or results, not both"]
    v1 = GRADED.replace("spillover: 2", "spillover: 1")
    assert "SP510" not in [f[0] for f in _codes(write_scenario, v1)]


def test_unreachable_results_and_hopeless_targets_are_warned_where_written(write_scenario):
    hopeless = GRADED.split("branches:")[0] + """\
branches:
  - id: talks
    title: Talks
    adjudication: {dice: 2d1, target: 7}
    options:
      - {id: open, label: Open, on_success: {effects: [deal = full]}}
"""
    found = _codes(write_scenario, hopeless)
    assert [f[0] for f in found] == ["SP511"], found
    assert "2d1 can never reach the target 7" in found[0][2]
    assert "target: 7" in hopeless.splitlines()[found[0][1] - 1]
    # modifiers widen the totals: trust - 1 spans -1..2, so 2d6 reaches 1..14
    far = GRADED.replace("min: 9}", "min: 15}").replace("max: 8}", "max: 14}")
    found = _codes(write_scenario, far)
    assert [(f[0], "'success'" in f[2]) for f in found] == [("SP511", True)], found
    assert not _codes(write_scenario, GRADED.replace("min: 9}", "min: 14}")
                      .replace("max: 8}", "max: 13}"))


def test_dice_with_a_leading_space_get_the_right_hint(write_scenario):
    found = _codes(write_scenario, GRADED.replace("dice: 2d6", "dice: ' 2d6'"))
    assert found[0][0] == "SP503" and "remove the spaces" in found[0][3], found
    found = _codes(write_scenario, GRADED.replace("dice: 2d6", "dice: 2D6"))
    assert "lowercase d" in found[0][3]


def test_a_graded_session_logs_the_band_and_replays_it(write_scenario, tmp_path):
    from engine.play.replay import VERIFIED, replay
    from engine.play.session import Session, describe_action
    path = write_scenario(GRADED)
    sc = load_scenario(path)
    log = tmp_path / "s.jsonl"
    s = Session.start(sc, seed=3, group="g", log_path=log)
    s.next_turn()
    s.choose("talks", "open", "why not")
    mods, odds = s.result_odds("talks")
    assert [r for _p, r in odds] == ["failure", "partial", "success"]
    out = s.roll()
    rec = out.record
    assert rec["band"] == sc.branches["talks"].adjudication.band_of(rec["total"]).id
    assert "success" not in rec and "target" not in rec
    label = sc.branches["talks"].adjudication.band(rec["band"]).label
    assert label in describe_action(rec, sc)
    s.next_turn()
    s.choose("talks", "open")
    s.decide("partial", "the room agreed")
    assert "Partial success" in describe_action(s.records[-1], sc)
    s.end()
    s.close()
    report = replay(log, sc)
    assert report.status == VERIFIED and report.ended, report.problems
    assert len(report.steps) == len(s.records)


def test_explore_follows_each_result_with_its_exact_odds(write_scenario):
    from engine.analysis.explore import explore
    one_turn = GRADED.replace("  - {label: T2, date: 2025-01-01}\n", "") \
        .replace("    repeatable: true\n", "") \
        .replace("      - id: wait\n        label: Wait\n", "")
    r = explore(load_scenario(write_scenario(one_turn)))
    assert r.complete and not r.outcomes_never
    odds = {o.values: o.probability for o in r.outcomes}
    half = Fraction(1, 2)         # turn 1: open the talks or pass, equally likely
    assert odds[(("trust", "0"), ("deal", "none"))] == half * Fraction(6, 36)
    assert odds[(("trust", "1"), ("deal", "partial"))] == half * Fraction(20, 36)
    assert odds[(("trust", "2"), ("deal", "full"))] == half * Fraction(10, 36)
    assert odds[(("trust", "1"), ("deal", "none"))] == half


def test_explore_names_a_result_that_never_happens(write_scenario):
    from engine.analysis.explore import explore
    # trust is always 0 at the roll, so the modifier is −1 and the total at most 11
    never = GRADED.replace("initial: 1}", "initial: 0}").replace("min: 9}", "min: 12}") \
        .replace("max: 8}", "max: 11}").replace("effects: [deal = full, trust += 1]",
                                                "effects: [deal = full]") \
        .replace("effects: [trust -= 1]", "effects: []")
    r = explore(load_scenario(write_scenario(never)))
    assert r.complete and r.outcomes_never == ("talks:open success",)


def test_the_report_the_comparison_and_the_player_view_name_the_result(write_scenario,
                                                                         tmp_path):
    from engine.debrief.compare import compare
    from engine.debrief.report import after_action_report
    from engine.debrief.report_render import to_markdown
    from engine.play.player_view import player_view
    from engine.play.session import Session
    path = write_scenario(GRADED)
    sc = load_scenario(path)
    log = tmp_path / "s.jsonl"
    s = Session.start(sc, seed=5, group="g", log_path=log)
    s.next_turn()
    s.choose("talks", "open", "try")
    rolled = s.roll().record
    label = sc.branches["talks"].adjudication.band(rolled["band"]).label
    view = player_view(log)                    # the room sees the result, not the odds
    assert [m.text for _c, ms in view.moves for m in ms][-1] == f"'Talks': {label} (rolled)"
    s.next_turn()
    s.choose("talks", "open", "again")
    s.decide("success", "the room was sure")
    s.end()
    s.close()
    md = to_markdown(after_action_report(log))
    band = sc.branches["talks"].adjudication.band(rolled["band"])
    assert f"total {rolled['total']} → {label} ({band.totals_text()})" in md
    assert "Open talks: Success" in md
    outcomes = [d.outcome for d in compare([log, log]).runs[0].decisions]
    assert outcomes == [f"{label} (roll {rolled['total']})",
                        "Success (facilitator: the room was sure)"]


DERIVED = """\
spillover: 2
id: derived
title: Derived
start: 2024-01-01
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-06-01}
state:
  load: {type: int, range: [0, 3], initial: 1}
  strained: {type: bool, derived: load >= 2}
branches:
  - id: burden
    title: Burden
    options: [{id: add, label: Add, effects: [load += 1]}]
  - id: relieve
    title: Relieve
    options: [{id: ease, label: Ease, effects: [load -= 1]}]
  - id: venture
    title: Venture
    when: not strained
    options: [{id: go, label: Go}]
"""


def test_graph_follows_derived_variables_and_draws_graded_results(write_scenario):
    from engine.analysis.graph import BLOCKS, ENABLES, build_graph
    g = build_graph(load_scenario(write_scenario(DERIVED)))
    edges = {(e.src, e.dst, e.kind) for e in g.edges}
    assert ("b_burden", "b_venture", BLOCKS) in edges       # load += 1 makes it strained
    assert ("b_relieve", "b_venture", ENABLES) in edges
    assert ("b_burden", "b_venture", ENABLES) not in edges
    g = build_graph(load_scenario(write_scenario(GRADED, "g.yaml")))
    assert g.node("branch", "talks").label == \
        "Talks (2d6: Failure / Partial success / Success)"
    # the outcomes' effects move the roll's own odds (trust is a modifier)
    assert {(e.src, e.dst, e.kind, e.label) for e in g.edges} >= {
        ("b_talks", "b_talks", "odds", "trust −, trust +")}


def test_the_tutorial_teaches_a_graded_roll_in_both_languages():
    from engine.bundled import tutorial_scenario
    from engine.format.tables import load_scenario_in
    en = load_scenario_in(tutorial_scenario(), None)
    ru = load_scenario_in(tutorial_scenario(), "ru")
    assert en.version == 2
    adj = ru.branches["work_programme"].adjudication
    assert [b.label for b in adj.bands] == ["Тупик", "Скромная программа", "Широкая программа"]
    assert adj.bands == tuple(attrs_evolve_label(b, e) for b, e in
                              zip(adj.bands, en.branches["work_programme"].adjudication.bands))
    stalled = ru.branches["work_programme"].option("negotiate").outcome("stalled")
    assert stalled.narrative.startswith("Переговоры заходят в тупик")
    assert ru.branches["narrow_the_office"].adjudication.against_label == "Решимость Токио"
    assert en.branches["narrow_the_office"].adjudication.opposed
    assert ru.logic_hash == en.logic_hash


def attrs_evolve_label(ru_band, en_band):
    """The Russian band is the English one with only its label changed."""
    import attrs
    return attrs.evolve(en_band, label=ru_band.label)


# ---------------------------------------------------------------- opposed rolls

OPPOSED = GRADED.replace("""      modifiers:
        - {label: Trust, value: trust - 1}
      results:
        - {id: failure, label: Failure, max: 4}
        - {id: partial, label: Partial success, min: 5, max: 8}
        - {id: success, label: Success, min: 9}
""", """      against: {dice: 1d6, label: Beijing's response}
      ties: failure
      modifiers:
        - {label: Trust, value: trust - 1}
""").replace("""        outcomes:
          failure: {narrative: They walk out., effects: [trust -= 1]}
          partial: {narrative: "Some progress at {trust}.", effects: [deal = partial]}
          success: {effects: [deal = full, trust += 1]}
""", """        on_success: {narrative: Tokyo holds firm., effects: [deal = full]}
        on_failure: {narrative: Beijing prevails., effects: [trust -= 1]}
""")


def test_opposed_odds_count_every_face_of_both_pools(write_scenario):
    from itertools import product
    sc = _load(write_scenario, OPPOSED)
    adj = sc.branches["talks"].adjudication
    assert adj.opposed and adj.against_label == "Beijing's response"
    for mod in (-2, 0, 1, 5):
        for ties in ("failure", "success"):
            a = __import__("attrs").evolve(adj, ties=ties)
            wins = sum(1 for f in product(range(1, 7), repeat=3)
                       if f[0] + f[1] + mod > f[2] or
                       (f[0] + f[1] + mod == f[2] and ties == "success"))
            p = Fraction(wins, 216)
            assert roll_odds(a, mod) == [(q, r) for q, r in ((p, True), (1 - p, False)) if q]


def test_an_opposed_roll_rolls_both_pools_and_logs_them(write_scenario, tmp_path):
    from engine.play.replay import VERIFIED, replay
    from engine.play.session import Session
    sc = _load(write_scenario, OPPOSED)
    log = tmp_path / "o.jsonl"
    s = Session.start(sc, seed=11, group="g", log_path=log)
    seen = set()
    for _turn in range(2):
        s.next_turn()
        s.choose("talks", "open")
        out = s.roll()
        r, rec = out.roll, out.record
        assert len(r.faces) == 2 and len(r.against) == 1 and r.target == sum(r.against)
        assert r.success == (r.total > r.target)          # ties go to the opposing side
        assert rec["against"] == list(r.against) and rec["success"] == r.success
        assert "vs 1d6:" in r.describe()
        seen.add(r.success)
    s.end()
    s.close()
    rep = replay(log, sc)
    assert rep.status == VERIFIED and rep.ended


def test_opposed_roll_errors_are_located_in_one_pass(write_scenario):
    bad = OPPOSED.replace("      ties: failure\n", "      target: 7\n")
    found = _codes(write_scenario, bad)
    msgs = [f[2] for f in found if f[0] == "SP512"]
    assert any("has no target" in m for m in msgs) and any("who wins a tie" in m for m in msgs)
    stray = GRADED.replace("      dice: 2d6\n", "      dice: 2d6\n      ties: success\n")
    assert any(f[0] == "SP512" and "'ties'" in f[2] for f in _codes(write_scenario, stray))
    assert "SP209" in [f[0] for f in _codes(write_scenario,
                                            OPPOSED.replace("spillover: 2", "spillover: 1"))]


@pytest.mark.parametrize("ties", ["success", "failure"])
def test_an_opposed_roll_gives_ties_as_declared(write_scenario, ties):
    sc = _load(write_scenario, OPPOSED.replace("ties: failure", f"ties: {ties}"))
    outcomes = set()
    for seed in range(80):
        env = Env.for_session(sc, seed=seed)
        s = rules.next_turn(rules.initial_state(env), env)[0]
        s = rules.choose(s, env, "talks", "open")
        new, r = rules.roll(s, env)
        tie = r.total == r.target
        assert r.success == (r.total > r.target or (tie and ties == "success"))
        assert new.rolls == s.rolls + 2                 # one roll number for each pool
        deal = sc.variable("deal").type.values[new.values[1]]
        assert deal == ("full" if r.success else "none")
        outcomes.add((tie, r.success))
    assert (True, ties == "success") in outcomes        # a tie did happen


def test_explore_weighs_an_opposed_roll_exactly(write_scenario):
    from engine.analysis.explore import explore
    one_turn = OPPOSED.replace("  - {label: T2, date: 2025-01-01}\n", "") \
        .replace("    repeatable: true\n", "") \
        .replace("      - id: wait\n        label: Wait\n", "")
    r = explore(load_scenario(write_scenario(one_turn)))
    odds = {o.values: o.probability for o in r.outcomes}
    assert odds[(("trust", "1"), ("deal", "full"))] == Fraction(1, 2) * Fraction(181, 216)
    assert odds[(("trust", "0"), ("deal", "none"))] == Fraction(1, 2) * Fraction(35, 216)


def test_the_reachability_proof_counts_a_graded_outcomes_effects(write_scenario):
    """A branch that only a graded result opens is not proved dead (the proof's abstract
    effects include every result's)."""
    from engine.analysis.abstract import never_playable
    text = GRADED + """\
  - id: follow_up
    title: Follow up
    when: deal == full
    options: [{id: go, label: Go}]
"""
    assert never_playable(load_scenario(write_scenario(text))) == []
