"""The reachability check of `lint`, which says what it covered — and plainly when it gave up.

An exploration within a budget either completes, and then proves which branches can never be
played (SP506) and which turns can begin with nothing to play (SP507), or it stops at the
budget (or earlier, when the growth so far shows the budget cannot be enough), and then it
proves nothing of the kind: `Reachability` says so, with the turns it explored completely,
the branches it did see played, and those it never reached. For those, a cheaper proof
still applies (`engine.analysis.abstract`): a branch whose precondition has a clause that no
value any variable can take would satisfy is reported SP506 all the same.
"""

from __future__ import annotations

import attrs

from engine.analysis.abstract import never_playable
from engine.analysis.explore import (
    LINT_MAX_STATES,
    ExploreResult,
    _pos,
    explore,
    warnings_for,
)
from engine.diagnostics import WARNING, Diagnostic, diag
from engine.model import Scenario


@attrs.frozen
class Reachability:
    complete: bool
    states: int                      # distinct states found
    max_states: int                  # the budget
    gave_up: bool                    # stopped before the budget: it could not have been enough
    turns_total: int
    turns_complete: int              # turns 0..turns_complete-1 were explored completely
    turn_reached: int
    branches_total: int
    played: tuple[str, ...]          # branches seen played
    not_reached: tuple[str, ...]     # branches not reached within the budget (may be playable)
    diagnostics: tuple[Diagnostic, ...] = ()   # SP506/SP507 (when incomplete: proved SP506)
    proved_dead: tuple[str, ...] = ()          # incomplete, yet proved never playable

    def covered(self) -> str:
        """What an incomplete check covered, in words."""
        last = self.turns_total - 1
        parts = [f"turns 0–{self.turns_complete - 1} explored completely"
                 if self.turns_complete > 1 else
                 "turn 0 explored completely" if self.turns_complete == 1 else
                 "no turn explored completely"]
        if self.turns_complete <= last:
            hi = max(self.turn_reached, self.turns_complete)
            parts.append(f"turn {self.turns_complete} not fully explored" if hi == self.turns_complete
                         else f"turns {self.turns_complete}–{hi} not fully explored")
        parts.append(f"{len(self.played)} of {self.branches_total} branches seen played")
        return "; ".join(parts)

    def summary(self) -> str:
        if self.complete:
            return (f"reachability checked completely ({self.states:,} states): every branch "
                    "and turn was tried")
        why = (f"gave up after {self.states:,} states, as the growth so far needs more than "
               f"its budget of {self.max_states:,}" if self.gave_up else
               f"stopped at its budget of {self.max_states:,} states")
        text = (f"reachability NOT checked completely — {why}; {self.covered()}")
        if self.proved_dead:
            text += (f"; proved never playable all the same: {', '.join(self.proved_dead)}")
        if self.not_reached:
            text += f"; not reached: {', '.join(self.not_reached)}"
        return text + (". Other branches that can never be played, and turns with nothing to "
                       "play, are not reported; `spillover explore` with a larger --max-states "
                       "finishes the check")

    def to_json(self) -> dict:
        return {"complete": self.complete, "states": self.states, "max_states": self.max_states,
                "gave_up": self.gave_up, "turns": self.turns_total,
                "turns_complete": self.turns_complete, "turn_reached": self.turn_reached,
                "branches": self.branches_total, "branches_played": list(self.played),
                "not_reached": list(self.not_reached), "proved_dead": list(self.proved_dead),
                "covered": None if self.complete else self.covered(), "summary": self.summary()}


def check_reachability(scenario: Scenario, max_states: int = LINT_MAX_STATES) -> Reachability:
    result: ExploreResult = explore(scenario, max_states=max_states, probabilities=False,
                                    give_up_early=True)
    if result.complete:
        found, dead = warnings_for(result, scenario), []
    else:
        found, dead = [], []
        for bid, clause in never_playable(scenario):
            branch = scenario.branches[bid]
            dead.append(bid)
            found.append(diag(
                "SP506", f"branch '{bid}' can never be played: `{clause}` holds for no value "
                "its variables can ever take (proved without exploring every state)",
                _pos(branch.pos, scenario), "check that precondition against the effects "
                "that set those variables", WARNING))
    return Reachability(
        complete=result.complete, states=result.states, max_states=max_states,
        gave_up=result.gave_up, turns_total=result.turns_total,
        turns_complete=result.turns_complete, turn_reached=result.turn_reached,
        branches_total=len(scenario.branches),
        played=tuple(b for b in scenario.branches if b in result.played_branches),
        not_reached=tuple(b for b in result.not_covered if b not in dead),
        diagnostics=tuple(found), proved_dead=tuple(dead))
