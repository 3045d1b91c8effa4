"""Cells (teams with their own actors and move allowance) and matrix-game arguments."""

import attrs
import pytest

from engine.bundled import tutorial_scenario
from engine.debrief.report import after_action_report
from engine.debrief.report_render import to_markdown
from engine.format.loader import load_scenario
from engine.play.player_view import player_view
from engine.play.records import from_json, to_json
from engine.play.replay import VERIFIED, replay, resume
from engine.play.session import Session, SessionError

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
    assert "moves_per_turn: 2\n" in text
    path = tmp_path / "cells.yaml"
    path.write_text(text.replace("moves_per_turn: 2\n", CELLS, 1), encoding="utf-8")
    return load_scenario(path)


def start(sc, tmp_path, name="s.jsonl"):
    return Session.start(sc, seed=7, group="Seminar", log_path=tmp_path / name,
                         clock=lambda: "2026-01-01T09:00:00+00:00")


def test_cells_are_loaded_with_their_actors_and_allowances(celled):
    blue, red = celled.cells
    assert (blue.name, blue.actors, blue.moves_per_turn) == ("Blue", ("japan", "nato"), 1)
    assert (red.name, red.actors, red.moves_per_turn) == ("Red", ("china",), 2)
    assert celled.cell_of_actor("nato") is blue and celled.cell_of_actor("france") is None
    assert celled.arguments.target("strong") == 4


def test_each_cell_has_its_own_allowance_and_its_moves_are_logged_by_cell(celled, tmp_path):
    s = start(celled, tmp_path)
    s.next_turn()
    out = s.choose("answer_beijing", "reassure", "calm")          # Japan: Blue
    assert out.record["cell"] == "blue" and out.message.startswith("Blue: ")
    # Blue's one move is spent: another Blue branch is blocked, Red's are not
    blocked = s.branch_view("press_negotiations")
    assert not blocked.open and blocked.said == "Blue's 1 move has been played"
    s.override("office", "agreed", "the table agrees")           # not a move
    assert s.branch_view("china_protests").open
    s.choose("china_protests", "protest", "")
    v = player_view(s.log_path, celled)
    assert [cell for cell, _ in v.moves] == ["Blue", "White cell", "Red"]   # override: white
    s.close()
    assert replay(s.log_path, celled).status == VERIFIED


def test_an_argument_is_rolled_logged_replayed_and_reported(celled, tmp_path):
    s = start(celled, tmp_path)
    s.next_turn()
    with pytest.raises(SessionError, match="not on the strength scale"):
        s.argue("red", "Beijing cuts rare-earth exports", "crushing")
    with pytest.raises(SessionError, match="no cell"):
        s.argue("green", "x", "weak")
    with pytest.raises(SessionError, match="empty"):
        s.argue("red", "  ", "weak")
    out = s.argue("red", "Beijing cuts rare-earth exports to Japan", "strong",
                  ["Blue: Tokyo has stockpiles"])
    rec = out.record
    assert (rec["action"], rec["cell"], rec["strength"], rec["target"]) == (
        "argument", "red", "strong", 4)
    assert rec["total"] == sum(rec["faces"]) and rec["success"] == (rec["total"] >= 4)
    assert rec["counters"] == ["Blue: Tokyo has stockpiles"]
    # the effects on success go through the override path, the argument as the rationale
    s.override("china_pressure", "3", "argument: Beijing cuts rare-earth exports to Japan")
    # an argument is one of the cell's moves: Red has one left of two
    s.argue("red", "Beijing calls in the ambassador", "weak")
    with pytest.raises(SessionError, match="Red's 2 moves have been played"):
        s.argue("red", "a third", "weak")
    # undo restores the dice: the same argument rolls the same faces
    last = s.records[-1]
    s.undo()
    again = s.argue("red", "Beijing calls in the ambassador", "weak").record
    assert again["faces"] == last["faces"]
    s.close()
    rep = replay(s.log_path, celled)
    assert rep.status == VERIFIED
    resumed, _ = resume(s.log_path, celled)
    assert resumed.state == rep.steps[-1].state
    resumed.close()
    v = player_view(s.log_path, celled)
    red = dict(v.moves)["Red"]
    assert any("argument by Red (strong): Beijing cuts rare-earth exports" in m.text for m in red)
    md = to_markdown(after_action_report(s.log_path, celled))
    assert "Argument:** Red: Beijing cuts rare-earth exports to Japan" in md
    assert "Counter-argument: Blue: Tokyo has stockpiles" in md
    assert "Strength: strong (2d6 ≥ 4)" in md
    assert "took back action" in md and "argument by Red (weak)" in md     # the undo


def test_without_cells_the_group_argues_and_an_argument_is_its_move(tmp_path):
    sc = load_scenario(tutorial_scenario())
    s = start(sc, tmp_path)
    s.next_turn()
    rec = s.argue("", "Seoul asks to join the talks", "average").record
    assert rec["target"] == 7 and rec["dice"] == "2d6"     # the default scale
    s.choose("answer_beijing", "reassure", "")
    # two moves per turn: the argument and the choice used both
    assert s.branch_view("press_negotiations").reason == "this turn's 2 moves have been played"


def test_an_actor_in_two_cells_is_an_error(tmp_path):
    from engine.diagnostics import DiagnosticError
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "moves_per_turn: 2\n", "cells:\n  - {id: a, name: A, actors: [japan]}\n"
        "  - {id: b, name: B, actors: [japan, nobody]}\n", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        load_scenario(path)
    codes = {d.code for d in e.value.diagnostics}
    assert {"SP509", "SP303"} <= codes
    assert all(d.line > 0 for d in e.value.diagnostics)


def test_allowances_and_the_open_argument(celled, tmp_path):
    s = start(celled, tmp_path)
    s.next_turn()
    assert s.allowances() == [("Blue", 0, 1), ("Red", 0, 2)]    # every branch has a cell
    rec = s.argue("red", "Beijing cuts exports", "strong").record
    assert s.allowances()[1] == ("Red", 1, 2)
    assert (s.open_argument() == from_json(rec)) is bool(rec["success"])
    if rec["success"]:
        s.override("china_pressure", "3", "argument: Beijing cuts exports")
        assert s.open_argument() == from_json(rec)   # still open while its effects go in
    s.note("the room disagrees")
    assert s.open_argument() is None


SEALED = CELLS.replace("moves_per_turn: 2\n", "moves_per_turn: 2\nsealed_moves: true\n", 1)


@pytest.fixture
def sealed_sc(tmp_path):
    text = tutorial_scenario().read_text(encoding="utf-8")
    path = tmp_path / "sealed.yaml"
    path.write_text(text.replace("moves_per_turn: 2\n", SEALED, 1), encoding="utf-8")
    return load_scenario(path)


def test_sealed_moves_are_hidden_until_revealed_then_made_in_cell_order(sealed_sc, tmp_path):
    s = start(sealed_sc, tmp_path)
    s.next_turn()
    with pytest.raises(SessionError, match="sealed"):
        s.choose("answer_beijing", "reassure", "")
    s.override("office", "agreed", "")                      # so that Red has a move open
    s.seal("china_protests", "protest", "Red first")        # Red seals before Blue
    s.seal("answer_beijing", "reassure", "calm")
    with pytest.raises(SessionError, match="Blue has sealed all its moves"):
        s.seal("open_office", "open", "")
    assert s.state.moves == ()                              # nothing made yet
    with pytest.raises(SessionError, match="reveal them first"):
        s.next_turn()                                       # sealed moves are never dropped
    v = player_view(s.log_path, sealed_sc)
    assert dict(v.moves)["Red"][0].text == "a move is sealed"
    assert "China protests" not in str(v.moves) and "Beijing" not in str(v.moves)
    s.reveal()
    first = s.apply_revealed().record                       # Blue is declared first
    second = s.apply_revealed().record
    assert (first["branch"], first["cell"]) == ("answer_beijing", "blue")
    assert (second["branch"], second["cell"]) == ("china_protests", "red")
    assert s.revealed_queue() == []
    with pytest.raises(SessionError, match="no revealed move"):
        s.apply_revealed()
    v = player_view(s.log_path, sealed_sc)
    assert "China protests formally" in str(dict(v.moves)["Red"])
    s.close()
    assert replay(s.log_path, sealed_sc).status == VERIFIED
    md = to_markdown(after_action_report(s.log_path, sealed_sc))
    assert "Sealed move:** Red: China protests formally" in md
    assert "2 sealed moves revealed together" in md


def test_undo_a_seal_and_a_sealed_move_the_turn_no_longer_allows(sealed_sc, tmp_path):
    s = start(sealed_sc, tmp_path)
    s.next_turn()
    s.seal("answer_beijing", "reassure", "")
    s.undo()
    assert s.sealed() == []
    s.override("office", "agreed", "")
    s.seal("china_protests", "protest", "")                  # Red: needs the office agreed
    s.reveal()
    s.override("office", "negotiating", "the white cell rules the talks stall")
    out = s.apply_revealed()                                  # no longer allowed: set aside
    seal_n = next(r["n"] for r in s.actions if r["action"] == "seal" and r["branch"] == "china_protests")
    assert out.record["action"] == "note" and out.record["sealed"] == seal_n
    assert "cannot be played" in out.record["text"] and s.revealed_queue() == []
    assert "china_protests" not in s.state.moves
    v = player_view(s.log_path, sealed_sc)
    assert "cannot be played" in str(dict(v.moves)["White cell"])
    s.close()
    assert replay(s.log_path, sealed_sc).status == VERIFIED


def test_sealed_moves_need_cells(tmp_path):
    from engine.diagnostics import DiagnosticError
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "moves_per_turn: 2\n", "moves_per_turn: 2\nsealed_moves: true\n", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError, match="SP509"):
        load_scenario(path)


def test_this_turns_seals_read_back_from_the_end_agree_with_a_scan_of_the_whole_log(
        sealed_sc, tmp_path):
    """`sealed` and `revealed_queue` read the turn back from the end; the reference reads
    every record that stands, from the start (as they did before), on random sessions."""
    import random

    from engine.play.clock import live_records

    def sealed_ref(s):
        out = []
        for rec in live_records(s.actions):
            if rec.get("action") in ("reveal", "next_turn"):
                out = []
            elif rec.get("action") == "seal":
                out.append(rec)
        return out

    def queue_ref(s):
        live = live_records(s.actions)
        reveal = next((r for r in reversed(live) if r.get("action") in ("reveal", "next_turn")),
                      None)
        if reveal is None or reveal.get("action") != "reveal":
            return []
        done = {r.get("sealed") for r in live if r.get("action") in ("choose", "note")
                and r.get("sealed") is not None}
        seals = {r.get("n"): r for r in live if r.get("action") == "seal"}
        order = {c.id: i for i, c in enumerate(s.scenario.cells)}
        queue = [seals[n] for n in reveal.get("seals", []) if n in seals and n not in done]
        return sorted(queue, key=lambda r: order.get(r.get("cell"), len(order)))

    moves = [(b.id, o.id) for b in sealed_sc.branches.values() for o in b.options]
    checked = 0
    for seed in range(6):
        rng = random.Random(seed)
        s = Session.start(sealed_sc, seed=seed, group="G")
        for _ in range(80):
            pick = rng.random()
            try:
                if pick < 0.35:
                    s.seal(*rng.choice(moves), "")
                elif pick < 0.5:
                    s.reveal()
                elif pick < 0.65:
                    s.apply_revealed()
                elif pick < 0.8:
                    s.undo()
                elif pick < 0.87:
                    s.roll()
                elif pick < 0.93:
                    s.override("office", rng.choice(["agreed", "negotiating"]), "")
                else:
                    s.next_turn()
            except SessionError:
                pass
            assert [to_json(r) for r in s.sealed()] == sealed_ref(s)
            assert [to_json(r) for r in s.revealed_queue()] == queue_ref(s)
            checked += bool(s.sealed() or s.revealed_queue())
    assert checked > 20                  # the walks did seal and reveal


def test_the_setup_line_states_each_cells_allowance_from_the_scenario(celled, tmp_path):
    """Not '1 move per turn' for a scenario with cells: the allowance per cell (and the white
    cell's, when some branch's actor no cell plays), read from the model."""
    from engine.bundled import main_scenario
    from engine.format.tables import load_scenario_in
    from engine.i18n import language
    from engine.play.views import moves_text
    assert moves_text(load_scenario(tutorial_scenario())) == "2 moves per turn"
    assert moves_text(celled) == "cells: 2, moves a turn: Blue 1, Red 2"
    bundled = load_scenario(main_scenario())
    assert moves_text(bundled) == "cells: 4, one move each a turn"
    three = attrs.evolve(bundled, cells=tuple(attrs.evolve(c, moves_per_turn=3)
                                              for c in bundled.cells))
    assert moves_text(three) == "cells: 4, 3 moves each a turn"
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "moves_per_turn: 2\n", CELLS.replace("  - {id: red, name: Red, actors: [china]}\n", ""))
    (tmp_path / "blue.yaml").write_text(text, encoding="utf-8")
    assert moves_text(load_scenario(tmp_path / "blue.yaml")) == \
        "cells: 1, one move each a turn; white cell: 2 moves a turn"
    with language("ru"):
        assert moves_text(load_scenario_in(main_scenario(), "ru")) == \
            "ячеек: 4, у каждой одно действие за ход"
        assert moves_text(three) == "ячеек: 4, у каждой 3 действия за ход"
