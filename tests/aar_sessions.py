"""Real session logs for the after-action tests: played through the engine, never hand-written."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from engine.bundled import tutorial_scenario
from engine.format.tables import load_scenario_in
from engine.play.session import Session

SEED = 21          # the first 2d6 roll comes up 6 + 6: Blue's contested push succeeds
HOTWASH = ("Consensus inside NATO was the bottleneck, not Beijing.\n"
           "Next time: brief the Pacific partners earlier.")


def fixed_clock(start: int = 0):
    """Deterministic timestamps, one minute apart."""
    counter = itertools.count(start)
    return lambda: f"2024-03-01T10:{next(counter) % 60:02d}:00+00:00"


def copy_tutorial(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "tutorial.yaml"
    shutil.copyfile(tutorial_scenario(), target)
    return target


def play_blue(scenario_path: Path, log: Path, group: str = "Blue", lang: str | None = None) -> Session:
    """Every kind of action: note, turn changes, choices with rationale, an inject released on
    demand and one on schedule, a contested choice rolled with modifiers, an override, an undo,
    and the end with a hotwash. 15 actions."""
    sc = load_scenario_in(scenario_path, lang)
    s = Session.start(sc, seed=SEED, group=group, log_path=log, clock=fixed_clock())
    s.note("Opening brief: the group plays Japan and NATO together")              # 1
    s.next_turn()                                                                     # 2
    s.choose("answer_beijing", "reassure", "Calm Beijing before the summit")          # 3
    s.release("ally_objects", "France raises the North Atlantic question")            # 4
    s.choose("press_negotiations", "push", "Tokyo wants the office before Vilnius")   # 5
    out = s.roll()                                                                    # 6
    assert out.roll is not None and out.roll.success, out.message
    s.override("china_pressure", "2", "Beijing reacts harder than the model says")    # 7
    s.next_turn()                                                                     # 8 (beijing_again)
    s.choose("open_office", "open", "Open it while the momentum lasts")               # 9
    s.choose("answer_beijing", "stand_firm", "No more concessions")                   # 10
    s.undo()                                                                          # 11 undoes 10
    s.choose("answer_beijing", "reassure", "Keep the tone calm after all")            # 12
    s.next_turn()                                                                     # 13
    s.choose("brief_partners", "australia", "Australia first: the closest partner")   # 14
    s.end(HOTWASH)                                                                    # 15
    s.close()
    return s


def play_red(scenario_path: Path, log: Path, group: str = "Red", lang: str | None = None) -> Session:
    """Same first three decisions as Blue, the push adjudicated by the facilitator, then a
    different fourth decision (China protests instead of Japan reassuring). 8 actions."""
    sc = load_scenario_in(scenario_path, lang)
    s = Session.start(sc, seed=SEED, group=group, log_path=log, clock=fixed_clock(30))
    s.next_turn()                                                                     # 1
    s.choose("answer_beijing", "reassure", "Lower the temperature first")             # 2
    s.choose("press_negotiations", "push", "Push now, the window is short")           # 3
    s.decide(True, "White cell: the NAC finds consensus after French assurances")     # 4
    s.next_turn()                                                                     # 5
    s.choose("open_office", "open", "Open it at once")                                # 6
    s.choose("china_protests", "protest", "Beijing must answer the opening")          # 7
    s.end("Red saw China escalate; the office still opened.")                         # 8
    s.close()
    return s
