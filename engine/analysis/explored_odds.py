"""The exact odds of an explored state graph (`spillover explore`, once it completes): every
state's and failure's mass, and what the end states cannot tell by themselves — the chance
that each dropped branch was played and each signpost fired (from the moves), and each end
state's mass split by the values it forgot (`engine.analysis.frozen`)."""

from __future__ import annotations

import attrs

from engine.analysis.findings import dead_end_entries
from engine.analysis.frozen import Frozen
from engine.analysis.machine import Machine
from engine.analysis.odds import plan, push_avoiding, taken_on_the_way
from engine.analysis.search import Graph


@attrs.frozen
class ExploredOdds:
    """Masses are whole numbers over the common denominator `whole`."""

    mass: list[int]                  # per state kept (end states, ways into dead ends)
    fail_mass: list[int]             # per failure
    whole: int
    played: dict[str, int]           # dropped branch -> P(played and the session ends)
    fired: dict[str, int]            # signpost -> P(fired and the session ends), if reduced
    at_chance_0: frozenset[str]      # of those, played or fired only by sessions weighted 0
    end_tags: dict[int, list[tuple[int, int]]]   # end state -> (forgotten values, mass)


def explored_odds(graph: Graph, machine: Machine, dropped: list[str],
               signposts: tuple[int, ...], frozen: Frozen, weighted_0: bool) -> ExploredOdds:
    """The odds of a complete `graph`: `dropped` the branches whose chosen bit the states
    forget, `signposts` the fired bits they never keep (empty: they keep them), `weighted_0`
    whether the policy weighs some choice 0."""
    keys, order, edges, ends = graph.keys, graph.order, graph.edges, graph.ends
    lay, sc = machine.layout, machine.scenario
    branches, last, tsh = sc.branches, sc.last_turn, lay.turn_shift
    plans, whole = plan(len(keys), order, edges)
    # only the end states' masses and those of the states passing into a dead end are read
    # afterwards: the others are dropped once passed on
    needed = set(ends).union(*({p for p, _j in ways} for ways in dead_end_entries(
        graph.dead, order, edges, lambda sid: keys[sid] >> tsh, last).values()))
    # a field of the odds is settled — it can change no more — after a dropped branch's
    # last turn; for a signpost once its condition is sealed, or, marked only by a choice,
    # after the turns of its branch
    sealed, on_choosing = machine.uses.sealed, machine.uses.on_choosing
    after = [max(branches[b].turns, default=-1) + 1 for b in dropped] + [
        max(branches[on_choosing[s].split(":")[0]].turns, default=-1) + 1
        if s in on_choosing else sealed.get(s, last + 1)
        for s in lay.signpost_ids] * bool(signposts)
    avoids = [frozenset(machine.branch_actions[b]) for b in dropped]
    fired_at_start = machine.root & lay.fired_mask
    # and the chance of ending without ever playing each dropped branch, or without firing
    # each signpost, subtracted from the chance of ending
    mass, fail_mass, avoided, end_tags = push_avoiding(
        plans, order, edges, len(keys), len(graph.fail_first), whole, ends, avoids,
        keep=needed, frozen=frozen, keys=keys, turn_shift=tsh, signposts=signposts,
        fired_at_start=fired_at_start, settled=[t if t <= last else None for t in after])
    ended = sum(mass[e] for e in ends)
    at_chance_0: frozenset[str] = frozenset()
    if weighted_0:
        # sessions weighted 0 end with no mass: what they play or fire shows at chance 0
        taken = taken_on_the_way(order, edges, len(keys), ends, avoids, signposts,
                                 fired_at_start)
        at_chance_0 = frozenset(
            name for name, yes in zip(dropped + list(lay.signpost_ids) * bool(signposts),
                                      taken) if yes)
    return ExploredOdds(
        mass, fail_mass, whole,
        played={b: ended - m for b, m in zip(dropped, avoided)},
        fired={s: ended - m for s, m in zip(lay.signpost_ids, avoided[len(dropped):])},
        at_chance_0=at_chance_0, end_tags=end_tags)


__all__ = ["ExploredOdds", "explored_odds"]
