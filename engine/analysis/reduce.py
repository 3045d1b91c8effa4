"""What an explored state may forget, so that states equivalent for the rest of the game
are stored once (issue 15).

Three reductions, each exact for every figure `explore` reports:

- **dead chosen bits**: the bit "branch b was chosen" (and "b:o was chosen") is read only by
  the once-only check of a non-repeatable branch, in its own turns, and by `chosen(…)` in
  expressions. From the first turn after every such read, no later move can tell whether
  it is set, so it is cleared (`keep_masks`). Whether a branch was ever played is then no
  longer in the end states: `explore` computes that probability from the moves instead
  (the chance of ending without ever playing it, subtracted from the chance of ending).
- **end states**: nothing follows an ended session, so an end state keeps only what is
  reported of it — the variables, the branches chosen, the signposts fired and which
  ending ended it (`end_mask`).
- **a full allowance**: once an allowance of the turn is used (the group's, or a cell's),
  which of its branches were played this turn can matter no more (none of them can be
  played again this turn, and passing clears them), so their moves are replaced by one
  canonical set of the same size (`Full`). The order key of the exploration (which counts
  the moves) is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from engine.analysis.machine import Layout, allowance_groups
from engine.lang.tree import TExpr, walk
from engine.model import Scenario


def chosen_names(obj: Any) -> set[str]:
    """The names (`b` or `b:o`) that the expressions inside `obj` read with `chosen(…)`."""
    found: set[str] = set()
    stack = [obj]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, TExpr):
            found.update(n.value for n in walk(x) if n.op == "chosen")
        elif attrs.has(type(x)):
            stack.extend(getattr(x, f.name) for f in attrs.fields(type(x))
                         if f.name not in ("pos", "node", "fn", "apply"))
        elif isinstance(x, (tuple, list, frozenset, set)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    return found


def keep_masks(scenario: Scenario, layout: Layout) -> list[int]:
    """Per turn t, the mask a state of turn t is reduced with: every bit but the chosen
    bits that nothing at turn t or later reads."""
    last = scenario.last_turn
    live_until: dict[str, int] = {}          # name -> last turn in which it may be read

    def read(names: Iterable[str], until: int) -> None:
        for name in names:
            live_until[name] = max(live_until.get(name, -1), until)

    for b in scenario.branches.values():
        until = max(b.turns, default=-1)
        if not b.repeatable:
            read([b.id], until)                  # the once-only check
        read(chosen_names(b), until)
    everywhere = (list(scenario.injects.values()), scenario.signposts, scenario.endings,
                  scenario.variables)
    read(chosen_names(everywhere), last)
    out = []
    for t in range(last + 1):
        drop = sum(bit for name, bit in layout.chosen.items() if live_until.get(name, -1) < t)
        out.append(~drop)
    return out


def dropped_branches(scenario: Scenario, layout: Layout, keep: list[int]) -> list[str]:
    """The branches whose chosen bit some turn drops: their probability of being played
    cannot be read from the end states."""
    return [b for b in scenario.branches if any(not m & layout.chosen[b] for m in keep)]


def end_mask(layout: Layout) -> int:
    """What an end state keeps: variables, chosen, fired, ended, the ending and the turn."""
    return (layout.values_mask | layout.chosen_mask | layout.fired_mask | layout.ended
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


__all__ = ["Full", "chosen_names", "dropped_branches", "end_mask", "keep_masks"]
