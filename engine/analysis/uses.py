"""What reads and writes a scenario's state, and until which turn: which variables and
chosen bits the states of a turn must still carry (`engine.analysis.reduce`), and from which
turn a signpost's condition can no longer change (`Machine` then stops checking it).

Readers, each with the last turn it is checked in:

- a branch's own parts (precondition, options, effects, adjudication): its turns;
- a signpost's condition (a branch's too: every signpost is checked after every move): up
  to the last turn, unless it is **sealed** (below);
- everything else — injects, scenario endings, derived variables' formulas: the last turn.

A signpost is sealed from turn T when its condition reads only variables that nothing writes
from turn T on, and events whose having occurred is the same in every turn from T on (no
`chosen(…)`, `released(…)` or `turn`). From the moment turn T begins its condition keeps one
value, which the check as T is entered sees: if it holds, the signpost fires then, or has
fired before; if not, it never will. So no move after that needs to check it, and its
variables are read, for it, only by the states of turn T − 1 (the ones entering T is made
from).

A signpost whose condition is `chosen(b)` or `chosen(b, o)` alone fires exactly on the move
that first chooses it (chosen bits are never cleared): like a branch's signpost without a
condition, it is marked by that move (`on_choosing`), and reads nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from engine.lang.tree import TEffect, TExpr, walk
from engine.model import Scenario, Signpost


def expressions(obj: Any) -> Iterator[TExpr | TEffect]:
    """Every expression tree and effect inside `obj` (attrs classes, containers)."""
    stack = [obj]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, (TExpr, TEffect)):
            yield x
        elif attrs.has(type(x)):
            stack.extend(getattr(x, f.name) for f in attrs.fields(type(x))
                         if f.name not in ("pos", "node", "fn", "apply"))
        elif isinstance(x, (tuple, list, frozenset, set)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())


@attrs.frozen
class Reads:
    """What the expressions and effects inside something read or write."""

    chosen: frozenset[str]           # `b` or `b:o`, read with chosen(…)
    slots: frozenset[int]            # variables read or written
    written: frozenset[int]          # variables written
    events: frozenset[str]           # read with occurred(…)
    moving: bool                     # reads the turn or released(…): changes as turns pass

    @classmethod
    def of(cls, obj: Any) -> Reads:
        chosen: set[str] = set()
        slots: set[int] = set()
        written: set[int] = set()
        events: set[str] = set()
        moving = False
        for t in expressions(obj):
            if isinstance(t, TEffect):
                slots.add(t.index)
                written.add(t.index)
                if t.rhs is None:
                    continue
                t = t.rhs
            for n in walk(t):
                if n.op == "var":
                    slots.add(n.value)
                elif n.op == "chosen":
                    chosen.add(n.value)
                elif n.op == "occurred":
                    events.add(n.value)
                elif n.op in ("turn", "released"):
                    moving = True
        return cls(frozenset(chosen), frozenset(slots), frozenset(written), frozenset(events),
                   moving)


@attrs.frozen
class Uses:
    """`var_until[slot]` and `chosen_until[name]`: the last turn whose states must carry a
    variable or a chosen bit (−1 or absent: none); `sealed[signpost id]`: the turn from
    whose beginning on a signpost cannot change (absent: it can until the end);
    `on_choosing[signpost id]`: the branch (`b`) or option (`b:o`) whose choice marks it,
    for a branch's signposts without a condition and those whose condition is that
    `chosen(…)` alone."""

    var_until: dict[int, int]
    chosen_until: dict[str, int]
    sealed: dict[str, int]
    on_choosing: dict[str, str]

    @classmethod
    def of(cls, scenario: Scenario, occurred: Sequence[frozenset[str]]) -> Uses:
        last = scenario.last_turn
        branches = list(scenario.branches.values())
        on_choosing = {s.id: b.id for b in branches for s in b.signposts if s.when is None}
        signposts: list[Signpost] = []
        for s in list(scenario.signposts) + [s for b in branches for s in b.signposts]:
            if s.when is None:
                continue
            clauses = s.when.clauses
            if len(clauses) == 1 and clauses[0].typed.tree is not None and \
                    clauses[0].typed.tree.op == "chosen":
                on_choosing[s.id] = clauses[0].typed.tree.value
            else:
                signposts.append(s)
        readers: list[tuple[Reads, int]] = [
            (Reads.of([getattr(b, f.name) for f in attrs.fields(type(b))
                       if f.name != "signposts"]), max(b.turns, default=-1))
            for b in branches]
        readers.append((Reads.of([getattr(scenario, f.name) for f in attrs.fields(Scenario)
                                  if f.name not in ("branches", "signposts")]), last))
        last_write: dict[int, int] = {}
        for reads, until in readers:
            _last_uses(last_write, reads.written, until)
        _last_uses(last_write, [v.index for v in scenario.variables if v.derived is not None],
                   last)
        sealed: dict[str, int] = {}
        for s in signposts:
            reads = Reads.of(s.when)
            since = _sealed_from(reads, last_write, occurred)
            if since is not None and since <= last:
                sealed[s.id] = since
                readers.append((reads, since - 1))
            else:
                readers.append((reads, last))
        var_until: dict[int, int] = {}
        chosen_until: dict[str, int] = {}
        for reads, until in readers:
            _last_uses(var_until, reads.slots, until)
            _last_uses(chosen_until, reads.chosen, until)
        _last_uses(var_until, [v.index for v in scenario.variables if v.derived is not None],
                   last)
        for b in branches:
            if not b.repeatable:                                 # the once-only check
                _last_uses(chosen_until, [b.id], max(b.turns, default=-1))
        return cls(var_until, chosen_until, sealed, on_choosing)


def _sealed_from(reads: Reads, last_write: dict[int, int],
                 occurred: Sequence[frozenset[str]]) -> int | None:
    """The first turn (≥ 1) from whose beginning a condition with these reads keeps its
    value, or None when it reads what changes in mid-turn."""
    if reads.chosen or reads.moving:
        return None
    since = 1 + max((last_write.get(v, -1) for v in reads.slots), default=-1)
    for e in reads.events:
        at_end = e in occurred[-1]
        t = len(occurred) - 1
        while t > 0 and (e in occurred[t - 1]) == at_end:
            t -= 1
        since = max(since, t)
    return max(since, 1)


def _last_uses(until: dict[Any, int], names: Iterable[Any], turn: int) -> None:
    for name in names:
        until[name] = max(until.get(name, -1), turn)


__all__ = ["Reads", "Uses", "expressions"]
