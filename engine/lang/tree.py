"""The checked, typed expression tree, and the reference evaluator built from it.

`engine.lang.expr` parses text and checks it against a scenario's scope into a `TExpr`:
every name is already resolved (a variable to its slot, an enum value to its rank, a call
to its event/branch/inject key), every node carries its type. Both evaluators are built
from this one tree and nothing else: `closure` here (over a `GameState`, used by the rules)
and `engine.analysis.packed_expr` (over packed ints, used by the explorer). Neither reads
expression text or looks a name up while it evaluates.

Operators (`op`), with `value` and `args`:
    const    value: bool, int, or enum rank (type says which)
    var      value: the variable's slot in the state's values
    turn     the current turn number
    occurred / released   value: event / inject id
    chosen   value: "branch" or "branch:option"
    count    args: (set var,)
    not, neg args: (x,)
    and, or, +, -, *, ==, !=, <, <=, >, >=    args: (a, b)
    in, not in      args: (enum x,); value: frozenset of ranks
    has, lacks      args: (set var,); value: the member's name
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from engine.i18n import _


@attrs.frozen
class TExpr:
    op: str
    type: Any
    args: tuple[TExpr, ...] = ()
    value: Any = None


@attrs.frozen
class TEffect:
    """A checked assignment. `op` is '=', '+=' or '-='; for a set variable `value` is the
    assigned frozenset ('=') or the member added/removed; otherwise `rhs` is the expression
    and `bounds` the variable's range (ints only: the result must stay in it, or with
    `clamp` — a derived variable's recomputation — is brought back into it)."""

    variable: str
    index: int
    type: Any
    op: str
    rhs: TExpr | None = None
    value: Any = None
    bounds: tuple[int, int] | None = None
    clamp: bool = False


Fn = Callable[[Any, Any], Any]     # fn(state, env)


def walk(t: TExpr):
    """Every node of a tree, the root first."""
    stack = [t]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.args)


def closure(t: TExpr) -> Fn:
    """The reference evaluator: `fn(state, env)` over a `engine.play.rules.GameState`."""
    op = t.op
    if op == "const":
        v = t.value
        return lambda s, e: v
    if op == "var":
        i = t.value
        return lambda s, e: s.values[i]
    if op == "turn":
        return lambda s, e: s.turn
    if op == "occurred":
        ev = t.value
        return lambda s, e: ev in e.occurred[s.turn]
    if op == "released":
        key = t.value
        return lambda s, e: key in s.released
    if op == "chosen":
        key = t.value
        return lambda s, e: key in s.chosen
    if op in ("has", "lacks"):
        f, elem = closure(t.args[0]), t.value
        if op == "has":
            return lambda s, e: elem in f(s, e)
        return lambda s, e: elem not in f(s, e)
    if op in ("in", "not in"):
        f, ranks = closure(t.args[0]), t.value
        if op == "in":
            return lambda s, e: f(s, e) in ranks
        return lambda s, e: f(s, e) not in ranks
    if op == "count":
        f = closure(t.args[0])
        return lambda s, e: len(f(s, e))
    if op == "not":
        f = closure(t.args[0])
        return lambda s, e: not f(s, e)
    if op == "neg":
        f = closure(t.args[0])
        return lambda s, e: -f(s, e)
    fa, fb = closure(t.args[0]), closure(t.args[1])
    return _BINARY[op](fa, fb)


_BINARY: dict[str, Callable[[Fn, Fn], Fn]] = {
    "and": lambda fa, fb: lambda s, e: fa(s, e) and fb(s, e),
    "or": lambda fa, fb: lambda s, e: fa(s, e) or fb(s, e),
    "+": lambda fa, fb: lambda s, e: fa(s, e) + fb(s, e),
    "-": lambda fa, fb: lambda s, e: fa(s, e) - fb(s, e),
    "*": lambda fa, fb: lambda s, e: fa(s, e) * fb(s, e),
    "==": lambda fa, fb: lambda s, e: fa(s, e) == fb(s, e),
    "!=": lambda fa, fb: lambda s, e: fa(s, e) != fb(s, e),
    "<": lambda fa, fb: lambda s, e: fa(s, e) < fb(s, e),
    "<=": lambda fa, fb: lambda s, e: fa(s, e) <= fb(s, e),
    ">": lambda fa, fb: lambda s, e: fa(s, e) > fb(s, e),
    ">=": lambda fa, fb: lambda s, e: fa(s, e) >= fb(s, e),
}


class EffectRangeError(Exception):
    def __init__(self, variable: str, value: int, lo: int, hi: int):
        super().__init__(_("'{name}' would become {value}, outside its range {lo}..{hi}").format(
            name=variable, value=value, lo=lo, hi=hi))
        self.variable, self.value, self.lo, self.hi = variable, value, lo, hi


def effect_closure(t: TEffect) -> Fn:
    """The reference effect: `apply(state, env)` → the new value of the variable's slot
    (EffectRangeError when an int would leave its range)."""
    index, op, value = t.index, t.op, t.value
    if t.rhs is None:                                   # a set variable
        if op == "=":
            return lambda s, e: value
        if op == "+=":
            return lambda s, e: s.values[index] | {value}
        return lambda s, e: s.values[index] - {value}
    f = closure(t.rhs)
    if t.bounds is None:                                # bool or enum: plain assignment
        return f
    name, (lo, hi) = t.variable, t.bounds
    if t.clamp:
        return lambda s, e: min(max(f(s, e), lo), hi)

    def bounded(v: int) -> int:
        if not lo <= v <= hi:
            raise EffectRangeError(name, v, lo, hi)
        return v

    if op == "=":
        return lambda s, e: bounded(f(s, e))
    sign = 1 if op == "+=" else -1
    return lambda s, e: bounded(s.values[index] + sign * f(s, e))
