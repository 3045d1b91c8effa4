"""The report and the comparison by cell: each cell's moves and arguments, side by side."""

import pytest

from engine.bundled import tutorial_scenario
from engine.debrief.compare import compare, to_html, to_markdown
from engine.debrief.report import after_action_report
from engine.debrief.report_render import to_html as report_html
from engine.debrief.report_render import to_markdown as report_md
from engine.format.loader import load_scenario
from engine.play.dice import modifier_text
from engine.play.session import Session

CELLS = """moves_per_turn: 2
cells:
  - {id: blue, name: Blue, actors: [japan, nato], moves_per_turn: 1}
  - {id: red, name: Red, actors: [china]}
arguments:
  dice: 2d6
  scale:
    - {label: weak, target: 10}
    - {label: average, target: 7}
    - {label: strong, target: 4}
"""


@pytest.fixture
def celled(tmp_path):
    text = tutorial_scenario().read_text(encoding="utf-8")
    path = tmp_path / "cells.yaml"
    path.write_text(text.replace("moves_per_turn: 2\n", CELLS, 1), encoding="utf-8")
    return load_scenario(path)


def start(sc, tmp_path, group):
    return Session.start(sc, seed=7, group=group, log_path=tmp_path / f"{group}.jsonl",
                         clock=lambda: "2026-01-01T09:00:00+00:00")


def play_north(sc, tmp_path):
    """Blue pushes (rolled); Red argues (with a counter), then an argument it takes back."""
    s = start(sc, tmp_path, "North")
    s.next_turn()
    s.choose("press_negotiations", "push", "before the summit")
    roll = s.roll().record
    arg = s.argue("red", "Beijing cuts rare-earth exports to Japan", "strong",
                  ["Blue: Tokyo has stockpiles"]).record
    s.argue("red", "A slip the facilitator takes back", "weak")
    s.undo()
    s.next_turn()
    s.close()
    return s.log_path, roll, arg


def play_south(sc, tmp_path, argument="Beijing recalls its ambassador", option="wait",
               strength="weak"):
    s = start(sc, tmp_path, "South")
    s.next_turn()
    s.choose("press_negotiations", option, "let it ripen")
    if option == "push":
        s.roll()
    arg = s.argue("red", argument, strength).record
    s.next_turn()
    s.close()
    return s.log_path, arg


def test_the_report_lists_each_cells_moves_and_arguments_with_their_outcome(celled, tmp_path):
    log, roll, arg = play_north(celled, tmp_path)
    r = after_action_report(log, celled)
    assert [(g.name, [m.kind for m in g.moves]) for g in r.cells] == [
        ("Blue", ["choice"]), ("Red", ["argument"])]           # the undone argument is gone
    blue, red = r.cells
    push = blue.moves[0]
    verdict = "success" if roll["success"] else "failure"
    assert (push.turn, push.outcome, push.rationale) == (1, verdict, "before the summit")
    mods = modifier_text(roll["modifiers"])         # the sum reads right: dice + modifiers
    assert roll["modifiers"] and sum(roll["faces"]) != roll["total"]
    assert push.roll == \
        f"2d6: {roll['faces'][0]} + {roll['faces'][1]}{mods} = {roll['total']} vs 7"
    m = red.moves[0]
    assert (m.argument, m.strength, m.counters) == (
        "Beijing cuts rare-earth exports to Japan", "strong", ("Blue: Tokyo has stockpiles",))
    assert m.outcome == ("success" if arg["success"] else "failure")
    assert m.roll.endswith(f"= {arg['total']} vs 4")
    md = report_md(r)
    section = md.split("### Moves by cell")[1].split("### Turn")[0]
    assert "**Blue**" in section and "**Red**" in section
    assert section.index("**Blue**") < section.index("**Red**")
    assert f"action {arg['n']}: argument: Beijing cuts rare-earth exports to Japan (strong) → " \
           f"{m.outcome} ({m.roll})" in section
    assert "counter-argument: Blue: Tokyo has stockpiles" in section
    assert "A slip the facilitator takes back" not in section
    html = report_html(r)
    assert "<h3>Moves by cell</h3>" in html and f'href="#action-{arg["n"]}"' in html


def test_a_report_without_cells_or_arguments_has_no_cell_section(tmp_path):
    sc = load_scenario(tutorial_scenario())
    s = start(sc, tmp_path, "Solo")
    s.next_turn()
    s.choose("press_negotiations", "wait", "")
    s.close()
    r = after_action_report(s.log_path, sc)
    assert r.cells == () and "Moves by cell" not in report_md(r)


def test_without_cells_the_groups_arguments_are_its_own(tmp_path):
    sc = load_scenario(tutorial_scenario())
    s = start(sc, tmp_path, "Solo")
    s.next_turn()
    s.argue("", "Tokyo offers a joint statement", "average")
    s.close()
    (group,) = after_action_report(s.log_path, sc).cells
    assert group.name == "The group" and group.arguments[0].strength == "average"


def test_compare_sets_the_cells_side_by_side_across_groups(celled, tmp_path):
    north, _, n_arg = play_north(celled, tmp_path)
    south, s_arg = play_south(celled, tmp_path)
    c = compare([north, south], celled)
    (d,) = c.divergences
    assert d.index == 1 and d.a_decision.option == "push" and d.b_decision.option == "wait"
    md = to_markdown(c)
    table = md.split("## Moves by cell")[1].split("## Arguments")[0]
    rows = [line for line in table.splitlines() if line.startswith(("| Blue", "| Red"))]
    assert len(rows) == 2 and rows[0].startswith("| Blue | 1 (")
    assert "'Push for agreement now' in 'Japan presses for an agreement' →" in rows[0]
    assert "'Let the talks run their course'" in rows[0]
    assert rows[0].index("Push") < rows[0].index("Let the talks")      # North's column first
    assert "argument: Beijing cuts rare-earth exports to Japan (strong)" in rows[1]
    assert "argument: Beijing recalls its ambassador (weak)" in rows[1]
    args = md.split("## Arguments")[1].split("## Objectives")[0]
    north_line = next(x for x in args.splitlines() if x.startswith("- **North**"))
    assert f"Red (turn 1, action {n_arg['n']}): Beijing cuts rare-earth exports to Japan — " \
           f"strong, 2d6: " in north_line
    assert north_line.endswith(f"= {n_arg['total']} vs 4: **"
                               f"{'success' if n_arg['success'] else 'failure'}**")
    assert "counter-argument: Blue: Tokyo has stockpiles" in args
    assert f"vs 10: **{'success' if s_arg['success'] else 'failure'}**" in args
    assert "A slip the facilitator takes back" not in md
    # the options table counts the scenario's options only, never an argument
    assert "| Japan presses for an agreement | Push for agreement now | 1 | 0 |" in md
    html = to_html(c)
    assert '<section id="cells">' in html and '<section id="arguments">' in html


def test_groups_that_differ_only_in_an_argument_diverge_there(celled, tmp_path):
    north, _, _ = play_north(celled, tmp_path)
    (tmp_path / "South.jsonl").unlink(missing_ok=True)
    south, s_arg = play_south(celled, tmp_path,
                              argument="Beijing cuts rare-earth exports to Japan",
                              option="push", strength="average")
    (d,) = compare([north, south], celled).divergences
    # the same push and roll (same seed), the same argument and outcome, rated differently
    assert s_arg["success"] and d.a_decision.outcome.startswith("success")
    assert d.index == 2 and d.a_decision.strength == "strong" \
        and d.b_decision.strength == "average"
    assert "argument by Red: 'Beijing cuts rare-earth exports to Japan' (strong)" in \
        to_markdown(compare([north, south], celled))
