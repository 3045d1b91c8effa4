"""Cells (issue 13) meet the authoring checks (issue 15): exploration and randomtest count one
move allowance for the whole group, so with cells they say they cannot answer — lint says
its reachability check was skipped and why (still proving what needs no exploration), and
neither lint, explore nor randomtest ends in a traceback."""

import json
import shutil

import pytest

from engine.analysis.randomtest import randomtest
from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
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


@pytest.fixture
def celled_path(tmp_path):
    path = tmp_path / "cells.yaml"
    shutil.copy(tutorial_scenario(), path)
    text = path.read_text(encoding="utf-8").replace("moves_per_turn: 2\n", CELLS, 1)
    at = text.index("\ninjects:")
    path.write_text(text[:at] + NEVER.rstrip("\n") + text[at:], encoding="utf-8")
    return path


def test_lint_skips_exploration_with_cells_and_still_proves_what_it_can(celled_path, capsys):
    code = main(["lint", "--json", str(celled_path)])
    out = json.loads(capsys.readouterr().out)
    reach = out["reachability"][str(celled_path)]
    assert code == 0
    assert reach["complete"] is False and reach["states"] == 0
    assert "cells" in reach["skipped"] and "NOT checked" in reach["summary"]
    # the abstract proof does not depend on the move allowances: it still applies
    assert reach["proved_dead"] == ["never_played"]
    assert [d["code"] for d in out["diagnostics"]] == ["SP506"]
    assert "never_played" not in reach["not_reached"]


def test_lint_text_says_why_reachability_was_not_checked(celled_path, capsys):
    main(["lint", str(celled_path)])
    out = capsys.readouterr().out
    assert "reachability NOT checked — exploration does not handle cells" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("command", [["explore"], ["randomtest", "-n", "5", "--seed", "1"]])
def test_explore_and_randomtest_refuse_cells_in_words(celled_path, capsys, command):
    code = main([command[0], str(celled_path), *command[1:]])
    err = capsys.readouterr().err
    assert code == 2
    assert "does not handle scenarios with cells" in err


def test_randomtest_refuses_cells_rather_than_report_false_failures(celled_path):
    with pytest.raises(ValueError, match="cells"):
        randomtest(load_scenario(celled_path), 3, seed=1)
