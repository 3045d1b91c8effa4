"""The reachability check of `lint`, which says what it covered — and plainly when it gave up.

An exploration within a budget either completes, and then proves which branches can never be
played (SP506) and which turns can begin with nothing to play (SP507), or it stops at the
budget (or earlier, when the growth so far shows the budget cannot be enough), and then it
proves nothing of the kind: `Reachability` says so, with the turns it explored completely,
the branches it did see played, and those it never reached. For those, a cheaper proof
still applies (`engine.analysis.abstract`): a branch whose precondition has a clause that no
value any variable can take would satisfy is reported SP506 all the same; and seeded random
playthroughs (`engine.analysis.randomtest`) look for a witness of each branch not reached,
which shows it playable.
"""

from __future__ import annotations

import attrs

from engine.analysis.abstract import never_playable
from engine.analysis.explore import LINT_MAX_STATES, explore
from engine.analysis.findings import located, warnings_for
from engine.analysis.randomtest import randomtest
from engine.analysis.results import ExploreResult
from engine.diagnostics import WARNING, Diagnostic, diag
from engine.i18n import Messages, _, current_language, ngettext
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
    witnessed: tuple[str, ...] = ()            # not reached, but played in a random playthrough
    playthroughs: int = 0                      # random playthroughs run to look for them

    def covered(self) -> str:
        """What an incomplete check covered, in words."""
        last = self.turns_total - 1
        parts = [_("turns 0–{last} explored completely").format(last=self.turns_complete - 1)
                 if self.turns_complete > 1 else
                 _("turn 0 explored completely") if self.turns_complete == 1 else
                 _("no turn explored completely")]
        if self.turns_complete <= last:
            hi = max(self.turn_reached, self.turns_complete)
            parts.append(_("turn {n} not fully explored").format(n=self.turns_complete)
                         if hi == self.turns_complete else
                         _("turns {lo}–{hi} not fully explored").format(lo=self.turns_complete,
                                                                        hi=hi))
        if self.witnessed:
            seen = ngettext("{n} of {total} branch seen played ({k} of them only in {runs} "
                            "random playthroughs)",
                            "{n} of {total} branches seen played ({k} of them only in {runs} "
                            "random playthroughs)", self.branches_total)
        else:
            seen = ngettext("{n} of {total} branch seen played",
                            "{n} of {total} branches seen played", self.branches_total)
        parts.append(seen.format(n=len(self.played), total=self.branches_total,
                                 k=len(self.witnessed), runs=self.playthroughs))
        return "; ".join(parts)

    def summary(self) -> str:
        m = Messages(current_language())
        dead = "; " + _("proved never playable all the same: {ids}").format(
            ids=", ".join(self.proved_dead)) if self.proved_dead else ""
        if self.complete:
            return _("reachability checked completely ({n} states): every branch and turn was "
                     "tried").format(n=m.number(self.states))
        why = (_("gave up after {n} states, as the growth so far needs more than its budget "
                 "of {budget}").format(n=m.number(self.states), budget=m.number(self.max_states))
               if self.gave_up else
               _("stopped at its budget of {budget} states").format(
                   budget=m.number(self.max_states)))
        missed = "; " + _("not reached: {ids}").format(ids=", ".join(self.not_reached)) \
            if self.not_reached else ""
        return _("reachability NOT checked completely — {why}; {covered}{dead}{missed}. Other "
                 "branches that can never be played, and turns with nothing to play, are not "
                 "reported; `spillover explore` with a larger --max-states finishes the "
                 "check").format(why=why, covered=self.covered(), dead=dead, missed=missed)

    def to_json(self) -> dict:
        return {"complete": self.complete, "states": self.states, "max_states": self.max_states,
                "gave_up": self.gave_up, "turns": self.turns_total,
                "turns_complete": self.turns_complete, "turn_reached": self.turn_reached,
                "branches": self.branches_total, "branches_played": list(self.played),
                "not_reached": list(self.not_reached), "proved_dead": list(self.proved_dead),
                "witnessed": list(self.witnessed), "playthroughs": self.playthroughs,
                "covered": None if self.complete else self.covered(),
                "summary": self.summary()}


WITNESS_PLAYTHROUGHS = 500     # about 50 ms on the bundled scenario


def _proved_dead(scenario: Scenario) -> tuple[list[str], list[Diagnostic]]:
    """Branches a clause of whose precondition no reachable value satisfies (SP506), proved
    without exploring (`engine.analysis.abstract`)."""
    dead, found = [], []
    for bid, clause in never_playable(scenario):
        branch = scenario.branches[bid]
        dead.append(bid)
        found.append(diag(
            "SP506", _("branch '{id}' can never be played: `{clause}` holds for no value its "
                       "variables can ever take (proved without exploring every state)").format(
                id=bid, clause=clause),
            located(branch.pos, scenario), _("check that precondition against the effects that "
                                             "set those variables"), WARNING))
    return dead, found


def check_reachability(scenario: Scenario, max_states: int = LINT_MAX_STATES,
                       playthroughs: int = WITNESS_PLAYTHROUGHS) -> Reachability:
    result: ExploreResult = explore(scenario, max_states=max_states, probabilities=False,
                                    give_up_early=True)
    if result.complete:
        dead: list[str] = []
        found = warnings_for(result, scenario)
    else:
        dead, found = _proved_dead(scenario)
    witnessed: list[str] = []
    missing = [b for b in result.not_covered if b not in dead]
    ran = 0
    batch, seed = 50, 0
    while missing and ran < playthroughs:      # small batches first: most are found at once
        n = min(batch, playthroughs - ran)
        rt = randomtest(scenario, n, seed=seed, allow_dead_ends=True)
        ran += rt.playthroughs
        found_now = [b for b in missing if rt.branch_counts.get(b)]
        witnessed += found_now
        missing = [b for b in missing if b not in found_now]
        if rt.failure is not None or rt.playthroughs < n:
            break                               # stopped at a failure: randomtest shows it
        batch, seed = batch * 3, seed + 1
    seen = set(result.played_branches) | set(witnessed)
    return Reachability(
        complete=result.complete, states=result.states, max_states=max_states,
        gave_up=result.gave_up, turns_total=result.turns_total,
        turns_complete=result.turns_complete, turn_reached=result.turn_reached,
        branches_total=len(scenario.branches),
        played=tuple(b for b in scenario.branches if b in seen),
        not_reached=tuple(missing),
        diagnostics=tuple(found), proved_dead=tuple(dead), witnessed=tuple(witnessed),
        playthroughs=ran)
