"""explore's default budget: one constant for the engine and the command line, and large
enough for the bundled exercise played by cells (issue 17)."""

from __future__ import annotations

import json

import pytest

from engine.analysis.explore import DEFAULT_MAX_STATES, explore
from engine.analysis.limits import DEFAULT_MAX_STATES as LIMIT
from engine.bundled import main_scenario, tutorial_scenario
from engine.format.loader import load_scenario
from tui.cli import main


def test_the_command_line_uses_the_engines_default(capsys):
    assert DEFAULT_MAX_STATES is LIMIT
    main(["explore", str(tutorial_scenario()), "--json"])
    assert json.loads(capsys.readouterr().out)["max_states"] == DEFAULT_MAX_STATES


@pytest.mark.slow
def test_the_bundled_exercise_with_cells_completes_with_defaults():
    scenario = load_scenario(main_scenario())
    assert len(scenario.cells) == 4
    result = explore(scenario, probabilities=False)
    assert result.complete and result.states <= DEFAULT_MAX_STATES
