"""Real session logs for the after-action tests: played through the engine, never hand-written."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
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


PARTICIPANTS = ["Blue cell: Japan and NATO (4)", "Red cell: China (2)", "White cell: 2 facilitators"]
CONTACT = "Dr A. Example, exercise director"
OBSERVATIONS = [   # (objective, kind, text, supports)
    ("consensus", "improve", "The group pushed before answering France's objection", 5),
    ("managing_beijing", "strength", "Reassurance came early and calmed the room", 3),
    ("", "strength", "Every move was argued from a cited event", None),
]
PLAN = [{"recommendation": "Brief allies before pressing the NAC", "owner": "NATO desk",
         "due": "2024-06-30"},
        {"recommendation": "Draft a standing message line for Beijing", "owner": "Press office",
         "due": "2024-09"}]
AMENDED_RATIONALE = "Tokyo wants the office before Vilnius, and France had been told"
AMENDED_SUSTAIN = "Early, calm messages to Beijing, agreed in the cell first"


def play_gold(scenario_path: Path, log: Path, group: str = "Gold") -> Session:
    """A session with a full debrief: observations during play (one tied to no objective),
    the end with participants and a point of contact, the structured hotwash per objective with
    ratings and improvement-plan items, then amendments of a rationale and a hotwash entry."""
    sc = load_scenario(scenario_path)
    s = Session.start(sc, seed=SEED, group=group, log_path=log, clock=fixed_clock(10),
                      zone={"name": "MSK", "offset": "+03:00"})
    s.next_turn()                                                                     # 1
    s.choose("answer_beijing", "reassure", "Calm Beijing before the summit")          # 2
    s.observe(*OBSERVATIONS[1][:3], supports=2)                                       # 3
    s.release("ally_objects", "France raises the North Atlantic question")            # 4
    s.choose("press_negotiations", "push", "Tokyo wants the office before Vilnius")   # 5
    s.roll()                                                                          # 6
    s.observe(*OBSERVATIONS[0][:3], supports=5)                                       # 7
    s.next_turn()                                                                     # 8
    s.choose("open_office", "open", "Open it while the momentum lasts")               # 9
    s.observe(*OBSERVATIONS[2][:3])                                                   # 10
    s.next_turn()                                                                     # 11
    s.end("Consensus first, then speed.", PARTICIPANTS, CONTACT)                      # 12
    s.hotwash_entry("consensus", rating="S", sustain="France was heard in the end",
                    improve="Ask allies first", plan=PLAN[:1])                         # 13
    s.hotwash_entry("managing_beijing", rating="P", sustain="Early reassurance",
                    plan=PLAN[1:])                                                     # 14
    s.hotwash_entry("", notes="Run the tutorial before the main exercise")            # 15
    s.amend(5, "rationale", AMENDED_RATIONALE, "The cell's minutes say more")         # 16
    s.amend(14, "sustain", AMENDED_SUSTAIN)                                           # 17
    s.close()
    return s
