"""Checked expressions and effects as closures over packed states (`engine.analysis.machine`).

`engine.lang.expr` compiles a checked tree into closures over a `GameState`; here the same trees
become closures over the packed form: `f(v, c)`, where `c` is the packed state and `v` its
packed variable values (`c & values_mask`, a small int). Nothing is evaluated as Python
text. Within one turn the turn number and the events that occurred are constants, and
constant parts are folded away; a variable read compared with a constant becomes one
shift-mask-compare. Effects become operations on `c`: constant ones (`x = 2`, `areas +=
north`) a pair (and-mask, or-bits) that consecutive ones merge into, the others closures.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from engine.lang.expr import BoolType, EnumType, SetType
from engine.lang.tree import TExpr, walk
from engine.model import CondEffect, Condition

NC = object()     # "not a constant"
BOOL = BoolType()

Fn = Callable[[int, int], Any]        # f(v, c)


class RangeFail(Exception):
    """An effect would leave its variable's range (ask `engine.play.rules` for the message)."""


class E:
    """A compiled expression: a constant, or a closure `fn(v, c)`; `read` is (shift, mask,
    low end) when it is a bare variable read, so comparisons with constants can fold."""

    __slots__ = ("fn", "const", "type", "read")

    def __init__(self, type_: Any, const: Any = NC, fn: Fn | None = None, read=None):
        self.type, self.const, self.read = type_, const, read
        self.fn: Any = fn          # a closure exactly when `const` is NC, else None


_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge, "+": operator.add, "-": operator.sub,
        "*": operator.mul}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _read_vs_const(op: str, sh: int, m: int, k: int) -> Fn:
    """`raw field op k`, one closure per operator (no operator call in the hot path)."""
    if op == "==":
        return lambda v, c: (v >> sh & m) == k
    if op == "!=":
        return lambda v, c: (v >> sh & m) != k
    if op == "<":
        return lambda v, c: (v >> sh & m) < k
    if op == "<=":
        return lambda v, c: (v >> sh & m) <= k
    if op == ">":
        return lambda v, c: (v >> sh & m) > k
    return lambda v, c: (v >> sh & m) >= k


def _fn_vs_const(op: str, f: Fn, k: Any) -> Fn:
    fop = _OPS[op]
    return lambda v, c: fop(f(v, c), k)


def _fn_vs_fn(op: str, f: Fn, g: Fn) -> Fn:
    fop = _OPS[op]
    return lambda v, c: fop(f(v, c), g(v, c))


def _and(f: Fn, g: Fn) -> Fn:
    return lambda v, c: f(v, c) and g(v, c)


def _or(f: Fn, g: Fn) -> Fn:
    return lambda v, c: f(v, c) or g(v, c)


def _not(f: Fn) -> Fn:
    return lambda v, c: not f(v, c)


def _neg(f: Fn) -> Fn:
    return lambda v, c: -f(v, c)


def _bit_set(bit: int) -> Fn:
    return lambda v, c: c & bit != 0


def _member(pos: int, negate: bool) -> Fn:
    if negate:
        return lambda v, c: not v >> pos & 1
    return lambda v, c: v >> pos & 1


def _read(sh: int, m: int, lo: int) -> Fn:
    if lo:
        return lambda v, c: (v >> sh & m) + lo
    return lambda v, c: v >> sh & m


def _count(sh: int, m: int) -> Fn:
    return lambda v, c: (v >> sh & m).bit_count()


def _in_ranks(f: Fn, ranks: frozenset, negate: bool) -> Fn:
    if negate:
        return lambda v, c: f(v, c) not in ranks
    return lambda v, c: f(v, c) in ranks


def _as_sets(f: Fn, universe: tuple) -> Fn:
    """Set bits as a frozenset of names: comparing sets over different universes."""
    return lambda v, c: frozenset(x for k, x in enumerate(universe) if f(v, c) >> k & 1)


class Compiler:
    """Closures for one turn's expressions and effects (turn and events are constants)."""

    def __init__(self, layout, types: tuple, last_turn: int, turn: int,
                 occurred: frozenset[str]):
        self.lay, self.types, self.last = layout, types, last_turn
        self.turn, self.occurred = turn, occurred

    # -------------------------------------------------------------- conditions

    def cond(self, cond: Condition | None) -> tuple[Fn | None, Any]:
        """(closure, constant or NC) for a condition's clauses joined with 'and'; a
        constant condition has no closure."""
        if cond is None:
            return None, True
        out = self.expr(cond.clauses[0].typed.tree)
        for clause in cond.clauses[1:]:
            out = self.andor("and", out, self.expr(clause.typed.tree))
        return (out.fn if out.const is NC else None), out.const

    def clauses(self, cond: Condition | None) -> list[tuple[str, Fn]] | None:
        """(text without spaces, closure) per clause that is not constantly true, or None
        when the condition is constantly false. The same text means the same in one turn."""
        out = []
        for clause in cond.clauses if cond is not None else ():
            e = self.expr(clause.typed.tree)
            if e.const is not NC:
                if not e.const:
                    return None
                continue
            out.append(("".join(clause.text.split()), e.fn))
        return out

    def field(self, index: int):
        return self.lay.fields[index], self.types[index]

    def expr(self, t: TExpr) -> E:
        """A typed tree (`engine.lang.tree`) as a constant or a closure `fn(v, c)`."""
        op = t.op
        if op == "const":
            return E(t.type, t.value)
        if op == "turn":
            return E(t.type, self.turn)
        if op == "var":
            f, vt = self.field(t.value)
            return E(vt, fn=_read(f.shift, f.mask, f.lo), read=(f.shift, f.mask, f.lo))
        if op == "occurred":
            return E(BOOL, t.value in self.occurred)
        if op == "released":
            return E(BOOL, fn=_bit_set(self.lay.released[t.value]))
        if op == "chosen":
            return E(BOOL, fn=_bit_set(self.lay.chosen[t.value]))
        if op == "count":
            f, vt = self.field(t.args[0].value)
            return E(t.type, fn=_count(f.shift, f.mask))
        if op in ("has", "lacks"):
            f, vt = self.field(t.args[0].value)
            return E(BOOL, fn=_member(f.shift + vt.universe.index(t.value), op == "lacks"))
        if op in ("in", "not in"):
            ea, negate = self.expr(t.args[0]), op == "not in"
            if ea.const is not NC:
                return E(BOOL, (ea.const in t.value) != negate)
            return E(BOOL, fn=_in_ranks(ea.fn, t.value, negate))
        if op == "not":
            a = self.expr(t.args[0])
            return E(BOOL, not a.const) if a.const is not NC else E(BOOL, fn=_not(a.fn))
        if op == "neg":
            a = self.expr(t.args[0])
            return E(t.type, -a.const) if a.const is not NC else E(t.type, fn=_neg(a.fn))
        ea, eb = self.expr(t.args[0]), self.expr(t.args[1])
        if op in ("and", "or"):
            return self.andor(op, ea, eb)
        if op in ("+", "-", "*"):
            return self.binary(op, ea, eb, t.type)
        if isinstance(ea.type, SetType) and ea.type.universe != eb.type.universe:
            ea = E(ea.type, fn=_as_sets(ea.fn, ea.type.universe))
            eb = E(eb.type, fn=_as_sets(eb.fn, eb.type.universe))
        return self.compare(op, ea, eb)

    def binary(self, op: str, ea: E, eb: E, t: Any) -> E:
        if ea.const is not NC and eb.const is not NC:
            return E(t, _OPS[op](ea.const, eb.const))
        if eb.const is not NC:
            return E(t, fn=_fn_vs_const(op, ea.fn, eb.const))
        if ea.const is not NC:
            k, f, fop = ea.const, eb.fn, _OPS[op]
            return E(t, fn=lambda v, c: fop(k, f(v, c)))
        return E(t, fn=_fn_vs_fn(op, ea.fn, eb.fn))

    def compare(self, op: str, ea: E, eb: E) -> E:
        if ea.const is NC and eb.const is not NC and ea.read is not None:
            sh, m, lo = ea.read
            return E(BOOL, fn=_read_vs_const(op, sh, m, eb.const - lo))
        if eb.const is NC and ea.const is not NC and eb.read is not None:
            return self.compare(_MIRROR[op], eb, ea)
        return self.binary(op, ea, eb, BOOL)

    def andor(self, op: str, a: E, b: E) -> E:
        """'and'/'or' with constants folded (only truth matters: every bool reads as 0/1)."""
        absorbing = op == "or"           # True absorbs 'or', False absorbs 'and'
        if a.const is not NC:
            return E(BOOL, absorbing) if bool(a.const) is absorbing else b
        if b.const is not NC:
            return E(BOOL, absorbing) if bool(b.const) is absorbing else a
        return E(BOOL, fn=(_or if absorbing else _and)(a.fn, b.fn))

    # -------------------------------------------------------------- effects

    def effects(self, effects) -> list:
        """Operations applying effects in order, each seeing the previous: (and-mask,
        or-bits) pairs for constant ones, merged when consecutive, closures `op(c)` else."""
        ops: list = []
        for eff in effects:
            if isinstance(eff, CondEffect):
                fn, const = self.cond(eff.when)
                if const is not NC:              # decided in this turn: inline that side
                    ops += self.effects(eff.then if const else eff.otherwise)
                    continue
                assert fn is not None            # not constant: a closure
                op = _if(fn, apply(self.effects(eff.then)), apply(self.effects(eff.otherwise)),
                         self.lay.values_mask)
            else:
                op = self.effect(eff)
            if isinstance(op, tuple) and ops and isinstance(ops[-1], tuple):
                (a1, o1), (a2, o2) = ops[-1], op
                ops[-1] = (a1 & a2, (o1 & a2) | o2)
            else:
                ops.append(op)
        return ops

    def effect(self, eff):
        te = eff.tree
        f, t = self.field(te.index)
        clear = ~(f.mask << f.shift)
        vm, sh = self.lay.values_mask, f.shift
        if isinstance(t, SetType):
            if te.op == "=":
                bits = sum(1 << t.universe.index(x) for x in te.value)
                return (clear, bits << sh)
            bit = 1 << (sh + t.universe.index(te.value))
            return (-1, bit) if te.op == "+=" else (~bit, 0)
        e = self.expr(te.rhs)
        if isinstance(t, BoolType):
            if e.const is not NC:
                return (clear, (1 << sh) if e.const else 0)
            g, bit = e.fn, 1 << sh
            return lambda c: (c & clear) | (bit if g(c & vm, c) else 0)
        if isinstance(t, EnumType):
            if e.const is not NC:
                return (clear, e.const << sh)
            g = e.fn
            return lambda c: (c & clear) | (g(c & vm, c) << sh)
        return self.int_effect(te.op, e, f, t, clear, te.clamp)

    def int_effect(self, op: str, e: E, f, t, clear, clamp: bool = False):
        sh, m, lo, hi, vm = f.shift, f.mask, t.lo, t.hi, self.lay.values_mask
        if clamp:                               # a derived variable's recomputation
            if e.const is not NC:
                return (clear, (min(max(e.const, lo), hi) - lo) << sh)
            g = e.fn
            return lambda c: (c & clear) | ((min(max(g(c & vm, c), lo), hi) - lo) << sh)
        if e.const is not NC:
            k = e.const
            if op == "=":
                if lo <= k <= hi:
                    return (clear, (k - lo) << sh)
            else:
                step = k if op == "+=" else -k
                span = hi - lo

                def add(c: int) -> int:
                    x = (c >> sh & m) + step
                    if not 0 <= x <= span:
                        raise RangeFail
                    return c + (step << sh)
                return add
        g = e.fn if e.const is NC else (lambda v, c, k=e.const: k)
        sign = 0 if op == "=" else (1 if op == "+=" else -1)

        def assign(c: int) -> int:
            x = g(c & vm, c)
            if sign:
                x = (c >> sh & m) + lo + sign * x
            if not lo <= x <= hi:
                raise RangeFail
            return (c & clear) | ((x - lo) << sh)
        return assign

    def bits_read(self, cond: Condition) -> int:
        """The chosen/released bits a condition reads."""
        bits = 0
        for clause in cond.clauses:
            for n in walk(clause.typed.tree):
                if n.op == "released":
                    bits |= self.lay.released[n.value]
                elif n.op == "chosen":
                    bits |= self.lay.chosen[n.value]
        return bits


def apply(ops: list) -> Callable[[int], int]:
    """One function applying a list of effect operations (see `Compiler.effects`)."""
    fns = [op if callable(op) else _masked(*op) for op in ops]
    if not fns:
        return lambda c: c
    if len(fns) == 1:
        return fns[0]

    def run(c: int) -> int:
        for fn in fns:
            c = fn(c)
        return c
    return run


def _if(cond: Fn, then: Callable[[int], int], otherwise: Callable[[int], int], vm: int):
    return lambda c: then(c) if cond(c & vm, c) else otherwise(c)


def _masked(keep: int, bits: int) -> Callable[[int], int]:
    return lambda c: c & keep | bits


def then(ops: list, keep: int, add: int, fire: Callable[[int], int]) -> Callable[[int], int]:
    """A move: the effect operations, then `c & keep | add`, then fire the signposts."""
    if all(not callable(op) for op in ops):
        and_mask, or_bits = -1, 0
        for a, o in ops:
            and_mask, or_bits = and_mask & a, (or_bits & a) | o
        and_mask, or_bits = and_mask & keep, (or_bits & keep) | add
        return lambda c: fire(c & and_mask | or_bits)
    run = apply(ops)
    if keep == -1:
        return lambda c: fire(run(c) | add)
    return lambda c: fire(run(c) & keep | add)
