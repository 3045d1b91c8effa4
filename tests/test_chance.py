"""Format 2 chance injects: an inject that fires with a declared probability when its turn
begins, drawn from the session's seeded generator and logged, fired or not."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from engine.format.loader import check_scenario, load_scenario
from engine.i18n import language
from engine.play import rules
from engine.play.dice import draw_below
from engine.play.rules import Env, RuleError

CHANCE = """\
spillover: 2
id: chance
title: Chance
start: 2024-01-01
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-06-01}
  - {label: T2, date: 2025-01-01}
state:
  tension: {type: int, range: [0, 3], initial: 0}
  storm: {type: bool, initial: false}
branches:
  - id: talks
    title: Talks
    turns: 1..2
    options:
      - {id: calm, label: Calm things, effects: [tension = 0]}
injects:
  - id: incident
    title: An incident at sea
    narrative: "A patrol boat is rammed; tension is {tension}."
    turn: 1
    chance: 1/6
    effects: [tension += 2]
  - id: typhoon
    title: A typhoon
    turn: 2
    chance: 0.25
    when: not storm
    effects: [storm = true]
"""


def _env(write_scenario, seed=0, text=CHANCE):
    return Env.for_session(load_scenario(write_scenario(text)), seed=seed)


def test_fractions_and_decimals_are_read_exactly(write_scenario):
    sc = load_scenario(write_scenario(CHANCE))
    assert sc.injects["incident"].chance == Fraction(1, 6)
    assert sc.injects["typhoon"].chance == Fraction(1, 4)      # 0.25 read from its text
    assert sc.injects["typhoon"].chance != Fraction(0.1)
    third = load_scenario(write_scenario(CHANCE.replace("0.25", "0.1")))
    assert third.injects["typhoon"].chance == Fraction(1, 10)  # not the binary float


def _found(write_scenario, text):
    return [(d.code, d.line, d.message, d.hint) for d in check_scenario(write_scenario(text))[1]]


def test_bad_chances_are_located_with_a_hint_in_one_pass(write_scenario):
    bad = CHANCE.replace("chance: 1/6", "chance: 7/6").replace("chance: 0.25", "chance: -0.5") \
        + "  - {id: rumour, title: A rumour, chance: 1/2}\n" \
        + "  - {id: guess, title: A guess, turn: 1, chance: often}\n" \
        + "  - {id: zero, title: Zero, turn: 1, chance: 1/0}\n"
    found = _found(write_scenario, bad)
    lines = bad.splitlines()
    sp513 = [f for f in found if f[0] == "SP513"]
    by_text = {f[2]: f for f in sp513}
    over = next(f for m, f in by_text.items() if "7/6 is outside 0–1" in m)
    assert "chance: 7/6" in lines[over[1] - 1] and "1/6 or 0.25" in over[3]
    assert any("-0.5 is outside 0–1" in m for m in by_text)
    no_turn = next(f for m, f in by_text.items() if "needs the turn" in m)
    assert "rumour" in no_turn[2] and "id: rumour" in lines[no_turn[1] - 1]
    assert any("1/0" in m for m in by_text)
    typo = [f for f in sp513 if "often" in f[2]]
    assert typo and "1/6" in typo[0][3]


def test_chance_needs_format_2(write_scenario):
    v1 = CHANCE.replace("spillover: 2\n", "spillover: 1\n")
    assert any(f[0] == "SP209" and "chance" in f[2] for f in _found(write_scenario, v1))


def test_draws_are_uniform_and_fire_exactly_below_the_numerator():
    counts = [0] * 6
    for counter in range(3000):
        counts[draw_below(7, counter, 6)] += 1
    assert all(400 < c < 600 for c in counts), counts
    assert {draw_below(1, n, 1) for n in range(50)} == {0}


def test_the_rules_draw_when_the_turn_begins_and_count_the_draw(write_scenario):
    fired = 0
    for seed in range(600):
        env = _env(write_scenario, seed)
        s0 = rules.initial_state(env)
        s, released, draws = rules.next_turn_drawn(s0, env)
        assert [d.inject for d in draws] == ["incident"] and s.rolls == s0.rolls + 1
        d = draws[0]
        assert (d.below, d.of) == (1, 6)
        assert d.draw == draw_below(seed, s0.rolls, 6)
        assert d.fired == (d.draw < 1) == ("incident" in s.released) == (released == ["incident"])
        assert s.values[0] == (2 if d.fired else 0)
        fired += d.fired
    assert 70 < fired < 130          # about one in six of 600


def test_a_chance_inject_is_not_released_by_hand_and_its_condition_gates_the_draw(
        write_scenario):
    env = _env(write_scenario, seed=1)
    s = rules.next_turn(rules.initial_state(env), env)[0]
    with pytest.raises(RuleError, match="drawn when turn 1 begins"):
        rules.release(s, env, "incident")
    s = rules.override(s, env, "storm", True)
    s2, _released, draws = rules.next_turn_drawn(s, env)     # not storm fails: no draw
    assert draws == [] and s2.rolls == s.rolls


def test_a_session_logs_every_draw_and_replay_verifies_it(write_scenario, tmp_path):
    from engine.play.replay import DIVERGED, LOG_EDITED, VERIFIED, replay
    from engine.play.session import Session, describe_action
    sc = load_scenario(write_scenario(CHANCE))
    seen = set()
    for seed in range(12):
        log = tmp_path / f"s{seed}.jsonl"
        s = Session.start(sc, seed=seed, group="g", log_path=log)
        out = s.next_turn()
        (draw,) = out.record["draws"]
        assert draw["inject"] == "incident" and draw["chance"] == "1/6"
        assert draw["fired"] == ("incident" in out.released)
        if not draw["fired"]:
            assert "did not happen" in out.message
            assert "did not happen: 'An incident at sea' 1/6" in describe_action(out.record, sc)
        seen.add(draw["fired"])
        s.next_turn()
        s.end()
        s.close()
        rep = replay(log, sc)
        assert rep.status == VERIFIED, rep.problems
    assert seen == {True, False}
    # a log whose draw was changed (and re-chained) is caught at that line
    lines = log.read_text().splitlines()
    rec = json.loads(lines[1])
    assert rep.status == VERIFIED and rec["action"] == "next_turn"
    rec["draws"][0]["fired"] = not rec["draws"][0]["fired"]
    lines[1] = json.dumps(rec)
    log.write_text("\n".join(lines) + "\n")
    assert replay(log, sc).status in (LOG_EDITED, DIVERGED)


def test_an_undone_turn_draws_the_same_again(write_scenario, tmp_path):
    from engine.play.session import Session
    sc = load_scenario(write_scenario(CHANCE))
    s = Session.start(sc, seed=4, group="g", log_path=tmp_path / "u.jsonl")
    first = s.next_turn().record["draws"]
    s.undo()
    assert s.next_turn().record["draws"] == first
    s.close()


def _one_draw(write_scenario, text=CHANCE):
    """Two turns, both injects drawn as turn 1 begins, then calm or end."""
    return load_scenario(write_scenario(text.replace(
        "  - {label: T2, date: 2025-01-01}\n", "").replace("turns: 1..2", "turns: 1").replace(
        "turn: 2\n    chance: 0.25", "turn: 1\n    chance: 0.25")))


def test_explore_weighs_the_draw_exactly(write_scenario):
    from engine.analysis.explore import explore
    sc = _one_draw(write_scenario)
    r = explore(sc)
    assert r.complete
    odds = {o.values: o.probability for o in r.outcomes}
    # turn 1 begins with the incident (1/6: tension 2) then the typhoon (1/4: storm); then
    # the group calms things (tension 0) or ends the session, equally likely
    inc, typ, half = Fraction(1, 6), Fraction(1, 4), Fraction(1, 2)
    assert odds[(("tension", "2"), ("storm", "true"))] == inc * typ * half
    assert odds[(("tension", "2"), ("storm", "false"))] == inc * (1 - typ) * half
    assert odds[(("tension", "0"), ("storm", "true"))] == typ * (half + (1 - inc) * half)
    assert odds[(("tension", "0"), ("storm", "false"))] == (1 - typ) * (half + (1 - inc) * half)
    assert sum(odds.values()) == 1


def test_a_path_through_a_draw_replays_through_the_rules(write_scenario):
    from engine.analysis.paths import describe, parse_token, replay_steps
    sc = _one_draw(write_scenario)
    env = Env.for_session(sc)
    step = describe(("pass", (("incident", True), ("typhoon", False))),
                    rules.initial_state(env), env)
    assert step.token == "pass +incident -typhoon"
    assert "An incident at sea [incident] happens (p = 1/6)" in step.text
    assert "does not happen (p = 3/4)" in step.text
    assert parse_token(step.token) == ("pass", (("incident", True), ("typhoon", False)))
    s = replay_steps(sc, [step.token])
    assert s.released == {"incident"} and s.values == (2, False)
    with pytest.raises(RuleError, match=r"whether 'A typhoon' happens: add \+typhoon"):
        replay_steps(sc, ["pass -incident"])


def test_randomtest_draws_with_the_declared_odds_and_names_the_draw(write_scenario):
    from engine.analysis.randomtest import randomtest
    sc = _one_draw(write_scenario)
    r = randomtest(sc, 1200, seed=3)
    assert r.failure is None and r.playthroughs == 1200
    assert 140 < r.inject_counts["incident"] < 260      # about 1200 / 6
    assert 230 < r.inject_counts["typhoon"] < 370       # about 1200 / 4
    # a failure after a draw is reproduced by its tokens, the draw's outcome included
    full = CHANCE.replace("effects: [tension += 2]", "effects: [tension += 1]").replace(
        "initial: 0}", "initial: 3}")
    broken = randomtest(_one_draw(write_scenario, full), 200, seed=1)
    f = broken.failure
    assert f is not None and f.tokens[-1] == "pass +incident"
    assert "tension" in f.message and "+incident" in " ".join(f.tokens)


def test_graph_draws_a_chance_inject_dashed_with_its_chance(write_scenario):
    from engine.analysis.graph import build_graph, to_dot, to_mermaid
    g = build_graph(load_scenario(write_scenario(CHANCE)))
    node = next(n for n in g.nodes if n.item == "incident")
    assert node.chance == "1/6" and node.label == "An incident at sea (chance 1/6)"
    assert next(n for n in g.nodes if n.item == "typhoon").chance == "1/4"
    dot = next(line for line in to_dot(g).splitlines() if '"i_incident" [' in line)
    assert 'style="filled,dashed"' in dot
    mermaid = to_mermaid(g)
    assert "class i_incident,i_typhoon chance" in mermaid and "stroke-dasharray:5 4" in mermaid
    plain = build_graph(load_scenario(write_scenario(CHANCE.replace("    chance: 1/6\n", ""))))
    assert not next(n for n in plain.nodes if n.item == "incident").chance


def test_the_aar_the_player_view_and_the_screen_show_what_the_draw_did(write_scenario,
                                                                      tmp_path):
    from engine.debrief.report import after_action_report
    from engine.debrief.report_render import to_markdown
    from engine.play.player_view import player_view
    from engine.play.session import Session
    sc = load_scenario(write_scenario(CHANCE))
    fired_seed = missed_seed = None
    for seed in range(40):
        env = Env.for_session(sc, seed=seed)
        d = rules.next_turn_drawn(rules.initial_state(env), env)[2][0]
        if d.fired and fired_seed is None:
            fired_seed = seed
        if not d.fired and missed_seed is None:
            missed_seed = seed
    assert fired_seed is not None and missed_seed is not None
    for seed in (fired_seed, missed_seed):
        log = tmp_path / f"a{seed}.jsonl"
        s = Session.start(sc, seed=seed, group="g", log_path=log)
        out = s.next_turn()
        fired = seed == fired_seed
        assert out.released == (("incident",) if fired else ())   # the screen's inject card
        view = player_view(log)
        s.end()
        s.close()
        md = to_markdown(after_action_report(log))
        if fired:
            assert "An incident at sea (drawn at chance 1/6, it happened)" in md
            assert "A patrol boat is rammed" in md
            assert view.inject is not None and view.inject.title == "An incident at sea"
        else:
            assert "An incident at sea did not happen (drawn at chance 1/6)" in md
            assert view.inject is None


def test_a_dead_end_entered_through_a_draw_counts_every_outcome(write_scenario):
    from engine.analysis.explore import explore
    # turn 2 begins with nothing to play whenever the talks were held in turn 1 (one in
    # two), whichever way the typhoon's draw goes: both outcomes pass into the dead end
    r = explore(load_scenario(write_scenario(CHANCE)))
    (dead,) = r.dead_ends
    assert dead.turn == 2 and dead.probability == Fraction(1, 2)
    tokens = [s.token for s in dead.path]
    assert tokens[0] in ("pass +incident", "pass -incident")
    assert tokens[-1] in ("pass +typhoon", "pass -typhoon")
    from engine.analysis.paths import replay_steps
    assert replay_steps(load_scenario(write_scenario(CHANCE)), tokens).turn == 2


def _reasons(s) -> dict[str, str | None]:
    return {v.id: v.reason for v in s.inject_views()}


def test_the_inject_list_says_a_draw_missed_and_when(write_scenario, tmp_path):
    """Before its turn a chance inject is drawn (never 'scheduled'); after its draw missed,
    the list says so, not that it will be drawn; a draw its condition stopped says that; an
    undo of the turn change takes it back; a resumed session says the same."""
    from engine.play.replay import resume
    from engine.play.session import Session
    sc = load_scenario(write_scenario(CHANCE.replace("chance: 1/6", "chance: 0")))
    s = Session.start(sc, seed=3, group="g", log_path=tmp_path / "s.jsonl")
    assert _reasons(s) == {"incident": "drawn when turn 1 begins (chance 0)",
                           "typhoon": "drawn when turn 2 begins (chance 1/4)"}
    s.next_turn()
    assert _reasons(s)["incident"] == "drawn when turn 1 began: missed (chance 0)"
    s.undo()
    assert _reasons(s)["incident"] == "drawn when turn 1 begins (chance 0)"
    s.next_turn()
    s.override("storm", "true", "a storm season")      # the typhoon's condition fails
    s.next_turn()
    assert _reasons(s) == {
        "incident": "drawn when turn 1 began: missed (chance 0)",
        "typhoon": "not drawn when turn 2 began: its condition did not hold"}
    with language("ru"):
        assert _reasons(s)["incident"] == "разыгран в начале хода 1: не произошло (вероятность 0)"
    before = _reasons(s)
    s.close()
    again, _report = resume(tmp_path / "s.jsonl")
    assert _reasons(again) == before
    again.close()


def test_a_drawn_inject_is_said_to_be_drawn_not_scheduled(write_scenario):
    from engine.play.session import Session
    sc = load_scenario(write_scenario(CHANCE.replace("chance: 1/6", "chance: 1")))
    s = Session.start(sc, seed=3, group="g")
    out = s.next_turn()
    assert out.released == ("incident",)
    assert s.release_text("incident") == \
        "drawn at the start of this turn with chance 1: it happened"
    s.override("storm", "true", "")
    s.next_turn()
    assert s.draw_text("incident") == "drawn when turn 1 began with chance 1: it happened"


def test_a_step_that_is_not_one_is_refused_in_the_interface_language():
    from engine.analysis.paths import parse_token
    from engine.i18n import language
    with pytest.raises(ValueError, match=r"not a step: 'jump b:o' \(choose b:o"):
        parse_token("jump b:o")
    with language("ru"), pytest.raises(ValueError, match=r"не шаг: 'jump b:o' \(choose b:o"):
        parse_token("jump b:o")


@pytest.mark.parametrize("checkpointed", [False, True])
def test_a_turn_entered_again_after_an_undo_draws_afresh(write_scenario, tmp_path,
                                                         checkpointed):
    """A draw that missed, then the turn change undone and the turn entered again when the
    inject's condition no longer holds: the list says it was not drawn (the earlier draw was
    taken back), and so does a resumed session, from its log or from a checkpoint."""
    from engine.play.replay import resume
    from engine.play.session import Session
    sc = load_scenario(write_scenario(CHANCE.replace("chance: 0.25", "chance: 0")))
    path = tmp_path / "s.jsonl"
    s = Session.start(sc, seed=3, group="g", log_path=path)
    s.next_turn()
    s.next_turn()
    assert _reasons(s)["typhoon"] == "drawn when turn 2 began: missed (chance 0)"
    s.undo()
    s.override("storm", "true", "the storm season came early")
    s.next_turn()
    fresh = "not drawn when turn 2 began: its condition did not hold"
    assert _reasons(s)["typhoon"] == fresh
    if checkpointed:
        assert s.save_checkpoint()
    s.writer.close()
    again, report = resume(path)
    assert (report.checkpoint_lines > 0) == checkpointed
    assert _reasons(again)["typhoon"] == fresh
    again.close()
