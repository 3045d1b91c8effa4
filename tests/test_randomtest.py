"""Seeded random playthroughs: planted failures, reproduction, coverage, CLI."""

import json

import pytest
from test_explore import DEAD_END, GAMBLE, scenario_text

from engine.analysis.explore import replay_steps
from engine.analysis.randomtest import derived_seed, randomtest
from engine.format.loader import load_scenario
from engine.play.rules import RuleError
from tui.cli import main

PLANTED = """
state:
  tension: {type: int, range: [0, 2], initial: 0}
  calm: {type: bool, initial: true}
branches:
  - id: escalate
    title: Escalate
    repeatable: true
    adjudication: {dice: 2d6, target: 6}
    options:
      - id: probe
        label: Probe
        on_success: {effects: [tension += 1]}
        on_failure: {effects: [calm = false]}
      - id: talk
        label: Talk
        effects: [calm = true]
  - id: relax
    title: Relax
    repeatable: true
    when: tension >= 1
    options:
      - {id: ease, label: Ease, effects: [tension -= 1]}
"""


@pytest.fixture
def planted(write_scenario):
    return load_scenario(write_scenario(scenario_text(PLANTED, n_turns=8, moves=2)))


def test_finds_a_planted_out_of_range_effect_and_reproduces_it(planted):
    r = randomtest(planted, 500, seed=11)
    f = r.failure
    assert f is not None and f.kind == "rule"
    assert "'tension' would become 3, outside its range 0..2" in f.message
    assert f.playthrough_seed == derived_seed(11, f.playthrough)
    assert r.playthroughs == f.playthrough + 1
    # the reported steps reproduce it through the rules
    with pytest.raises(RuleError) as e:
        replay_steps(planted, f.tokens)
    assert str(e.value) == f.message
    # ... and so do the seed and the playthrough index
    again = randomtest(planted, seed=11, playthrough=f.playthrough)
    assert again.failure == f
    assert again.trace == f.steps
    assert f.steps[-1].token == "roll success" and "→ success" in f.steps[-1].text


def test_same_seed_same_run(planted):
    a = randomtest(planted, 40, seed=5)
    b = randomtest(planted, 40, seed=5)
    assert a.failure == b.failure and a.branch_counts == b.branch_counts


def test_dead_end_is_a_failure_unless_allowed(write_scenario):
    sc = load_scenario(write_scenario(scenario_text(DEAD_END, n_turns=3)))
    r = randomtest(sc, 200, seed=0)
    assert r.failure is not None and r.failure.kind == "dead end"
    assert "turn 2" in r.failure.message
    assert r.failure.tokens == ("pass", "choose first:go", "pass")
    allowed = randomtest(sc, 200, seed=0, allow_dead_ends=True)
    assert allowed.failure is None and 0 < allowed.dead_ends < 200


def test_coverage_steers_to_every_option(write_scenario):
    sc = load_scenario(write_scenario(scenario_text(GAMBLE)))
    r = randomtest(sc, 60, seed=1)
    assert r.failure is None and r.playthroughs == 60
    assert r.never_branches == () and r.never_options == ()
    # steering: the three choices of turn 1 come out nearly even
    assert abs(r.option_counts["gamble:try"] - r.option_counts["gamble:skip"]) <= 3
    assert r.option_counts["gamble:try"] == sum(
        v for k, v in r.outcome_counts.items() if k.startswith("gamble:try"))
    assert sum(c for _v, c in r.end_outcomes) == 60


def test_tutorial_runs_with_dead_ends_allowed(tutorial):
    r = randomtest(tutorial, 300, seed=0, allow_dead_ends=True)
    assert r.failure is None
    assert r.never_branches == ()


def test_cli_exit_codes(write_scenario, capsys):
    bad = write_scenario(scenario_text(PLANTED, n_turns=8, moves=2), "bad.yaml")
    assert main(["randomtest", str(bad), "-n", "500", "--seed", "11"]) == 1
    out = capsys.readouterr().out
    assert "FAILURE (rule) in playthrough" in out
    assert f"reproduce: spillover randomtest {bad} --seed 11 --playthrough" in out
    assert "steps: " in out
    good = write_scenario(scenario_text(GAMBLE), "good.yaml")
    assert main(["randomtest", str(good), "-n", "50", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failure"] is None and data["playthroughs"] == 50
    assert data["never"]["branches"] == []
    assert main(["randomtest", str(good), "--playthrough", "3"]) == 0
    assert "Playthrough 3:" in capsys.readouterr().out
    assert main(["randomtest", str(good), "-n", "-1"]) == 2


def test_scheduled_inject_released_by_hand_after_its_turn(write_scenario):
    from test_explore import LATE
    sc = load_scenario(write_scenario(scenario_text(LATE, n_turns=3)))
    r = randomtest(sc, 100, seed=0, allow_dead_ends=True)
    assert r.inject_counts["sched"] > 0 and r.never_injects == ()
    # turn 2 after bump is a dead end only once the inject has been released as well
    for seed in range(10):
        f = randomtest(sc, 50, seed=seed).failure
        assert f is not None and f.kind == "dead end"
        assert f.tokens == ("pass", "choose bump:go", "release sched", "pass")
    off = randomtest(sc, 100, seed=0, injects=False, allow_dead_ends=True)
    assert off.inject_counts["sched"] == 0 and off.dead_ends > 0


def test_a_dead_end_is_met_only_when_the_turn_begins(write_scenario):
    from test_explore import DEAD_AFTER_RELEASE
    sc = load_scenario(write_scenario(scenario_text(DEAD_AFTER_RELEASE)))
    for seed in range(30):
        r = randomtest(sc, 20, seed=seed)
        if r.failure is not None:
            assert r.failure.kind == "dead end"
            assert r.failure.tokens == ("release ondem", "pass")
    # exactly the playthroughs that release in turn 0 meet one
    traced = [randomtest(sc, seed=1, playthrough=i, allow_dead_ends=True) for i in range(20)]
    met = sum(1 for t in traced if t.trace[0].token == "release ondem")
    assert randomtest(sc, 20, seed=1, allow_dead_ends=True).dead_ends == met


def test_reproduce_line_quotes_the_path_and_events(write_scenario, tmp_path, capsys):
    import shlex
    body = PLANTED + """
events:
  - {id: ev_a, date: 2023-12-01, title: A}
"""
    d = tmp_path / "my dir"
    d.mkdir()
    path = d / "bad scenario.yaml"
    path.write_text(scenario_text(body, n_turns=8, moves=2), encoding="utf-8")
    assert main(["randomtest", str(path), "-n", "500", "--seed", "11",
                 "--switch-off", "ev_a"]) == 1
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "reproduce:" in ln)
    argv = shlex.split(line.split("reproduce: ", 1)[1])
    assert argv[2] == str(path) and argv[-2:] == ["--switch-off", "ev_a"]


def test_cli_switch_off_only_baseline_events(write_scenario, capsys):
    body = GAMBLE + """
events:
  - {id: later, date: 2024-02-15, title: Later}
"""
    path = write_scenario(scenario_text(body))
    assert main(["randomtest", str(path), "-n", "5", "--switch-off", "later"]) == 2
    assert "only baseline events" in capsys.readouterr().err
