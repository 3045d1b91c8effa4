"""explore's default budget: one constant for the engine and the command line, and large
enough for the bundled exercise played by cells (issue 17)."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.analysis.explore import DEFAULT_MAX_STATES, explore
from engine.analysis.limits import DEFAULT_MAX_STATES as LIMIT
from engine.bundled import main_scenario, scenarios_dir, seeds_dir, tutorial_scenario
from engine.format.loader import load_scenario
from tui.cli import main

# the cells the bundled exercise is about to get (as bench/bench_reach.py builds them)
CELLS = """moves_per_turn: 1
cells:
  - {id: nato, name: NATO HQ & European capitals,
     actors: [nato, germany, france, uk, italy, canada]}
  - {id: japan, name: Japan, actors: [japan]}
  - {id: us, name: Washington, actors: [us]}
  - {id: east, name: Beijing & Moscow, actors: [china, russia]}
"""


def test_the_command_line_uses_the_engines_default(capsys):
    assert DEFAULT_MAX_STATES is LIMIT
    main(["explore", str(tutorial_scenario()), "--json"])
    assert json.loads(capsys.readouterr().out)["max_states"] == DEFAULT_MAX_STATES


@pytest.mark.slow
def test_the_bundled_exercise_with_cells_completes_with_defaults(tmp_path):
    shutil.copytree(scenarios_dir(), tmp_path / "scenarios")
    shutil.copytree(seeds_dir(), tmp_path / "seeds")
    path = tmp_path / "scenarios" / main_scenario().name
    text = path.read_text(encoding="utf-8")
    assert "\nmoves_per_turn: 1\n" in text and "\ncells:" not in text
    path.write_text(text.replace("\nmoves_per_turn: 1\n", "\n" + CELLS, 1), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.cells
    result = explore(scenario, probabilities=False)
    assert result.complete and result.states <= DEFAULT_MAX_STATES
