"""Scripted sessions that write every kind of log record (tests/test_records.py). No import of
engine.play.records: the same scripts made tests/fixtures/records/ with the engine from before
the records were typed (`python tests/records_play.py FOLDER`, with that engine importable)."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.session import Session

CELLS = """moves_per_turn: 2
sealed_moves: true
cells:
  - {id: blue, name: Blue, actors: [japan, nato], moves_per_turn: 1}
  - {id: red, name: Red, actors: [china]}
arguments:
  dice: 2d6
  scale:
    - {label: weak, target: 10}
    - {label: strong, target: 4}
"""
ZONE = {"name": "UTC", "offset": "+00:00"}


def clock() -> str:
    return "2026-01-01T09:00:00+00:00"


def write_scenarios(folder: Path) -> tuple[Path, Path]:
    """The tutorial, and the tutorial with cells and sealed moves, written into `folder`."""
    text = tutorial_scenario().read_text(encoding="utf-8")
    plain, sealed = folder / "tutorial.yaml", folder / "sealed.yaml"
    plain.write_text(text, encoding="utf-8")
    sealed.write_text(text.replace("moves_per_turn: 2\n", CELLS, 1), encoding="utf-8")
    return plain, sealed


def play_every_kind(path: Path, scenario, signer=None) -> Path:
    """A session on the sealed scenario that writes every kind of record but a roll."""
    s = Session.start(scenario, seed=3, group="Seminar", log_path=path, time_box=20,
                      clock=clock, signer=signer, zone=ZONE)
    s.next_turn()
    s.note("we begin")
    s.release("ally_objects", "on demand")
    s.undo()
    s.seal("press_negotiations", "push", "Blue's move")
    s.reveal()
    s.apply_revealed()                         # contested: decided by hand
    s.decide(True, "agreed in the room")
    s.override("office", "agreed", "")
    s.seal("china_protests", "protest", "Red's move")
    s.reveal()
    s.apply_revealed()
    s.argue("red", "Beijing cuts exports", "strong", ["Blue: stockpiles"])
    s.end("done", ["Blue: A. B."], "the organiser")
    s.observe("", "strength", "kept to time", 2)
    s.observe("", "improve", "the map was small")
    s.hotwash_entry("", rating="P", sustain="pace")
    s.amend(3, "rationale", "on demand of the white cell", "typo")
    s.close()
    return path


def play_rolls(path: Path, scenario) -> list[str]:
    """A target roll, a graded roll (its band) and an opposed roll (the other pool)."""
    s = Session.start(scenario, seed=5, group="g", log_path=path, clock=clock, zone=ZONE)
    shapes = []
    for office, branch, option in (("negotiating", "press_negotiations", "push"),
                                   ("open", "work_programme", "negotiate"),
                                   ("open", "narrow_the_office", "press")):
        s.next_turn()
        s.override("office", office, "")
        s.choose(branch, option, "")
        rec = s.roll().record
        shapes.append("band" if "band" in rec else "against" if "against" in rec else "target")
    s.close()
    return shapes


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    plain, sealed = write_scenarios(folder)
    play_every_kind(folder / "every_kind.jsonl", load_scenario(sealed))
    play_rolls(folder / "rolls.jsonl", load_scenario(plain))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
