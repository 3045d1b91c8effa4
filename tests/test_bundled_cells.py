"""The bundled exercise's cells: NATO HQ and the European capitals, Japan, Washington, Beijing
and Moscow. Each can make its move in a turn where it has a branch, two cells move in one
turn, the names are translated, and lint and explore take the cells into account."""

from __future__ import annotations

import shutil

import attrs
import pytest

from engine.bundled import main_scenario
from engine.format.loader import load_scenario
from engine.format.tables import load_scenario_in
from engine.play.replay import VERIFIED, replay
from engine.play.session import Session

# a cell → a branch of its actors that is open at the start of the turn, from the baseline
FIRST_MOVE = {"europe": ("annualex", 1), "japan": ("defence_planning", 1),
              "washington": ("us_formats", 1), "beijing_moscow": ("china_answers", 7)}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(main_scenario())


def start(sc, tmp_path):
    return Session.start(sc, seed=7, group="tests", log_path=tmp_path / "s.jsonl",
                         clock=lambda: "2026-01-01T09:00:00+00:00")


def test_the_teams_and_who_plays_what(scenario):
    assert [(c.id, c.name, c.actors, c.moves_per_turn) for c in scenario.cells] == [
        ("europe", "NATO HQ and European capitals",
         ("nato", "germany", "france", "uk", "italy", "canada"), 1),
        ("japan", "Japan", ("japan",), 1),
        ("washington", "Washington", ("us",), 1),
        ("beijing_moscow", "Beijing and Moscow", ("china", "russia"), 1)]
    assert not scenario.sealed_moves
    # every branch is some cell's move; the injects' other actors are the white cell's
    assert all(scenario.cell_of_actor(b.actor) for b in scenario.branches.values())
    assert scenario.cell_of_actor("north_korea") is None


@pytest.mark.parametrize("cell", list(FIRST_MOVE))
def test_each_cell_makes_its_move_in_a_turn_where_it_has_a_branch(scenario, tmp_path, cell):
    branch_id, turn = FIRST_MOVE[cell]
    assert scenario.cell_of_actor(scenario.branches[branch_id].actor).id == cell
    s = start(scenario, tmp_path)
    while s.state.turn < turn:
        s.next_turn()
    name = scenario.cells[[c.id for c in scenario.cells].index(cell)].name
    assert (name, 0, 1) in s.allowances()
    view = s.branch_view(branch_id)
    assert view.open, view.reason
    out = s.choose(branch_id, scenario.branches[branch_id].options[0].id, "the cell's call")
    assert out.record["cell"] == cell and out.message.startswith(f"{name}: ")
    if s.pending_roll():
        s.roll()
    assert [used for n, used, _ in s.allowances() if n == name] == [1]
    assert all(used == 0 for n, used, _ in s.allowances() if n != name)
    s.close()
    assert replay(s.log_path, scenario).status == VERIFIED


def test_three_cells_move_in_turn_one_and_a_cell_has_one_move(scenario, tmp_path):
    s = start(scenario, tmp_path)
    s.next_turn()
    s.choose("us_formats", "widen_formats", "Washington draws Europe in")
    s.choose("defence_planning", "nato_targets", "Tokyo plans by NATO's yardsticks")
    s.choose("annualex", "nato_flag", "Europe tries the flag")
    s.roll()
    assert s.allowances() == [("NATO HQ and European capitals", 1, 1), ("Japan", 1, 1),
                              ("Washington", 1, 1), ("Beijing and Moscow", 0, 1)]
    s.next_turn()
    s.next_turn()                                    # turn 3: Europe has three branches
    s.choose("liaison_office", "table_it", "")
    s.roll()
    blocked = s.branch_view("france_reconsiders")
    assert not blocked.open
    assert blocked.said == "NATO HQ and European capitals's 1 move has been played"
    assert s.branch_view("jmsdf_with_snmg2").open    # Japan's move is still its own
    s.close()
    assert replay(s.log_path, scenario).status == VERIFIED


def test_the_cell_names_are_translated_and_lint_checks_them(tmp_path, capsys):
    from tui.cli import main
    ru = load_scenario_in(main_scenario(), "ru")
    assert [c.name for c in ru.cells] == [
        "Штаб НАТО и европейские столицы", "Япония", "Вашингтон", "Пекин и Москва"]
    folder = tmp_path / "scenarios"
    shutil.copytree(main_scenario().parent, folder)
    shutil.copytree(main_scenario().parent.parent / "seeds", tmp_path / "seeds")
    # a cell's name is text, not logic: renaming a cell leaves old logs valid
    path = folder / "nato-japan-prospects.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "name: Washington", "name: The White House"), encoding="utf-8")
    renamed = load_scenario(path)
    assert renamed.cells[2].name == "The White House"
    assert renamed.logic_hash == load_scenario(main_scenario()).logic_hash
    # a cell name with no translation is reported, with its key
    table = folder / "nato-japan-prospects.ru.yaml"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace('text: "Вашингтон"', 'text: ""'), encoding="utf-8")
    main(["lint", str(folder / "nato-japan-prospects.yaml")])
    out = capsys.readouterr().out
    assert "SP803" in out and "cell.washington.name" in out


@pytest.mark.slow
def test_explore_walks_the_cells_moves_as_one_combined_choice(scenario):
    """With its default limit, explore completes on the cells; the same scenario played by one
    group (no cells: one move a turn) has fewer states, as two or three cells can move in one
    turn."""
    from engine.analysis.explore import explore
    with_cells = explore(scenario, probabilities=False)
    one_group = explore(attrs.evolve(scenario, cells=()), probabilities=False)
    assert with_cells.complete and one_group.complete
    assert not with_cells.dead_ends and not with_cells.unreachable
    assert with_cells.states > one_group.states


@pytest.mark.slow
def test_the_command_line_explores_the_bundled_scenario_with_its_defaults(capsys):
    from tui.cli import main
    assert main(["explore", str(main_scenario())]) == 0
    out = capsys.readouterr().out
    assert "complete:" in out and "Dead ends: none" in out
    assert "Branches: 13 of 13 can be played" in out
