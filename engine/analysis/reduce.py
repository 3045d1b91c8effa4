"""What an explored state may forget, so that states equivalent for the rest of the game
are stored once (issue 15).

Five reductions, each exact for every figure `explore` reports:

- **dead chosen bits**: the bit "branch b was chosen" (and "b:o was chosen") is read only by
  the once-only check of a non-repeatable branch, in its own turns, and by `chosen(…)` in
  expressions. From the first turn after every such read (`engine.analysis.uses`), no
  later move can tell whether it is set, so it is cleared (`Reduction`). Whether a branch
  was ever played is then no longer in the end states: `explore` computes that probability
  from the moves instead (the chance of ending without ever playing it, subtracted from
  the chance of ending).
- **dead variables**: a variable that nothing reads or writes from some turn on keeps its
  value to the end (a signpost whose condition can no longer change counts as reading it
  only until then: `engine.analysis.uses`), so from that turn a state forgets it
  (`Reduction.dead`), and the odds
  carry the forgotten values beside each state's mass (`engine.analysis.frozen`): every
  end outcome still reports every variable, with the same probability.
- **signposts fired**: no expression reads whether a signpost fired, and a signpost only
  marks itself, so no state keeps the fired bits. The search notes on each edge which
  signposts' conditions its move made hold (or whose branch it played), and the odds
  compute the chance that each one fires as the chance of ending minus that of ending on a
  path with no such edge, as for a dropped chosen bit.
- **end states**: nothing follows an ended session, so an end state keeps only what is
  reported of it — the variables, the branches chosen and which ending ended it
  (`end_mask`).
- **a full allowance**: once an allowance of the turn is used (the group's, or a cell's),
  which of its branches were played this turn can matter no more (none of them can be
  played again this turn, and passing clears them), so their moves are replaced by one
  canonical set of the same size (`Full`). The order key of the exploration (which counts
  the moves) is unchanged.
"""

from __future__ import annotations

import attrs

from engine.analysis.machine import Layout, allowance_groups
from engine.analysis.uses import Uses
from engine.model import Scenario


@attrs.frozen
class Reduction:
    """Per turn t: `keep[t]`, the mask a state of turn t is reduced with — every bit but
    the chosen bits and the variables (`dead[t]`) that no state of turn t or later needs
    (`engine.analysis.uses`), and the signposts fired (nothing reads them).

    A variable is dead from turn t when nothing reads or writes it at turn t or later: it
    keeps to the end the value it had, so a state forgets it and the odds carry it beside
    the mass instead (`engine.analysis.frozen`)."""

    keep: list[int]
    dead: list[int]

    @classmethod
    def of(cls, scenario: Scenario, layout: Layout, uses: Uses) -> Reduction:
        keep, dead = [], []
        for t in range(scenario.last_turn + 1):
            gone = sum(layout.fields[v.index].mask << layout.fields[v.index].shift
                       for v in scenario.variables if uses.var_until.get(v.index, -1) < t)
            drop = sum(bit for name, bit in layout.chosen.items()
                       if uses.chosen_until.get(name, -1) < t)
            dead.append(gone)
            keep.append(~(drop | gone | layout.fired_mask))
        return cls(keep, dead)

    @classmethod
    def none(cls, scenario: Scenario) -> Reduction:
        """Keep everything (the reference the reduced exploration is tested against)."""
        return cls([-1] * (scenario.last_turn + 1), [0] * (scenario.last_turn + 1))


def dropped_branches(scenario: Scenario, layout: Layout, keep: list[int]) -> list[str]:
    """The branches whose chosen bit some turn drops: their probability of being played
    cannot be read from the end states."""
    return [b for b in scenario.branches if any(not m & layout.chosen[b] for m in keep)]


def end_mask(layout: Layout) -> int:
    """What an end state keeps: variables, chosen, ended, the ending and the turn."""
    return (layout.values_mask | layout.chosen_mask | layout.ended
            | -(1 << layout.ending_shift))


@attrs.frozen
class Full:
    """This turn's moves of each allowance that is used up: `canonical(c)` gives the state
    with those moves replaced by the allowance's canonical ones (its first `n` branches)."""

    groups: tuple[tuple[int, int, int], ...]   # (moves bits of the allowance, size, canon)
    busy: int                                  # pending roll or ended: left alone

    @classmethod
    def of(cls, scenario: Scenario, layout: Layout) -> Full | None:
        groups = []
        for mask, n in allowance_groups(scenario, layout):
            bits = _low_bits(mask, n)
            if bits is not None:         # fewer branches than moves: never used up
                groups.append((mask, n, bits))
        if not groups:
            return None
        return cls(tuple(groups), layout.pending_mask | layout.ended)

    def canonical(self, c: int) -> int:
        if c & self.busy:
            return c
        for mask, n, canon in self.groups:
            if (c & mask).bit_count() >= n:
                c = (c & ~mask) | canon
        return c


def _low_bits(mask: int, n: int) -> int | None:
    out = 0
    for _ in range(n):
        if not mask:
            return None
        low = mask & -mask
        out |= low
        mask ^= low
    return out


__all__ = ["Full", "Reduction", "dropped_branches", "end_mask"]
