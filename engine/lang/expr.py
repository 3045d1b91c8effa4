"""The expression language of preconditions, effects and modifiers.

Text is tokenised and parsed (Pratt parser) into a small tree, type-checked against the
scenario's declared names, then compiled into nested Python closures (`engine.analysis.packed_expr`
builds closures over packed states from the same trees). Nothing is ever handed to Python's
eval/exec. Grammar, loosest binding first:

    expr    := or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | cmp
    cmp     := sum (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not in') sum)?
    sum     := prod (('+'|'-') prod)*
    prod    := unary ('*' unary)*
    unary   := '-' unary | atom
    atom    := INT | 'true' | 'false' | NAME | NAME '(' args ')' | '(' expr ')' | '{' names '}'
    effect  := NAME ('=' | '+=' | '-=') expr

Functions: occurred(event), chosen(branch), chosen(branch, option), released(inject),
count(set_variable). `turn` is the current turn number. Enum values compare in declared
order, so `aegis >= political` reads naturally.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from typing import Any, Final, NoReturn

import attrs

from engine.diagnostics import did_you_mean
from engine.i18n import _, ngettext
from engine.lang.tree import EffectRangeError, TEffect, TExpr, closure, effect_closure  # noqa: F401

# ---------------------------------------------------------------------------- types

@attrs.frozen
class BoolType:
    def __str__(self) -> str:
        return "bool"


@attrs.frozen
class IntType:
    lo: int
    hi: int

    def __str__(self) -> str:
        return f"int {self.lo}..{self.hi}"


@attrs.frozen
class EnumType:
    values: tuple[str, ...]

    def __str__(self) -> str:
        return "enum {" + ", ".join(self.values) + "}"


@attrs.frozen
class SetType:
    universe: tuple[str, ...]

    def __str__(self) -> str:
        return "set of {" + ", ".join(self.universe) + "}"


BOOL = BoolType()
Type = BoolType | IntType | EnumType | SetType


def type_kind(t: Type) -> str:
    return {BoolType: "bool", IntType: "int", EnumType: "enum", SetType: "set"}[type(t)]


@attrs.frozen
class Scope:
    """The names an expression may use, with their types."""

    variables: dict[str, tuple[int, Type]]  # name -> (index in state values, type)
    events: frozenset[str] = frozenset()
    branches: dict[str, frozenset[str]] = attrs.field(factory=dict)  # branch -> options
    injects: frozenset[str] = frozenset()
    last_turn: int = 0
    readonly: frozenset[str] = frozenset()   # derived variables: effects cannot assign them


class ExprError(Exception):
    """A located problem in one expression; offsets index the expression's text."""

    def __init__(self, code: str, message: str, start: int = 0, end: int = 0,
                 hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.start, self.end, self.hint = code, message, start, end, hint


# ---------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<int>\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\+=|-=|==|!=|<=|>=|[<>=+\-*(),{}])
""", re.VERBOSE)

KEYWORDS = {"and", "or", "not", "in", "true", "false"}

# A token is a tuple (kind, text, start, end); kind is int, name, op, kw or end.
Tok = tuple[str, str, int, int]
# Final, so that mypy reads each index as a literal and knows the type of the field it picks.
_KIND: Final = 0
_TEXT: Final = 1
_START: Final = 2
_END: Final = 3


def _unexpected(text: str, pos: int) -> ExprError:
    return ExprError("SP401", _("unexpected character {char}").format(char=repr(text[pos])),
                     pos, pos + 1, _("expressions use names, whole numbers, and/or/not, "
                                     "comparisons, + - *"))


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    append = toks.append
    pos = 0
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if start != pos:  # finditer stepped over a character no token matches
            raise _unexpected(text, pos)
        pos = end
        kind = m.lastgroup
        assert kind is not None   # every alternative of _TOKEN is a named group
        if kind != "ws":
            word = m.group()
            if kind == "name" and word in KEYWORDS:
                kind = "kw"
            append((kind, word, start, end))
    if pos < len(text):
        raise _unexpected(text, pos)
    append(("end", "", len(text), len(text)))
    return toks


# ---------------------------------------------------------------------------- tree

@attrs.frozen
class Node:
    kind: str                 # lit, name, call, not, neg, bin, setlit
    start: int
    end: int
    op: str = ""
    value: Any = None         # literal value or name
    args: tuple = ()


@attrs.frozen
class EffectNode:
    target: str
    target_start: int
    op: str                   # '=', '+=', '-='
    expr: Node


_CMP = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"}


# Bounds, so that no expression can take unbounded time or memory, or exhaust the stack:
MAX_INT_DIGITS = 15       # a whole number literal (10^15 is far beyond any scenario's scale)
MAX_EXPR_DEPTH = 50       # nesting of parentheses, not, unary minus and operator chains


class _Parser:
    """Pratt parser over the token tuples; `tok` is the current token."""

    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.tok = self.toks[0]
        self.depth = 0

    def deeper(self, start: int) -> None:
        """Count one more level of nesting; a located SP401 past MAX_EXPR_DEPTH."""
        self.depth += 1
        if self.depth > MAX_EXPR_DEPTH:
            raise ExprError("SP401", _("the expression nests more than {n} levels deep").format(
                n=MAX_EXPR_DEPTH), start, start + 1,
                _("split it into simpler conditions, or name a part of it"))

    def take(self) -> Tok:
        t = self.tok
        self.i += 1
        self.tok = self.toks[self.i]
        return t

    def expect(self, text: str) -> Tok:
        t = self.tok
        if t[_TEXT] != text or t[_KIND] == "end":
            self.fail(_("expected '{text}'").format(text=text))
        return self.take()

    def fail(self, what: str) -> NoReturn:
        kind, text, start, end = self.tok
        found = _("the end of the expression") if kind == "end" else f"'{text}'"
        raise ExprError("SP401", _("{what}, found {found}").format(what=what, found=found),
                        start, max(end, start + 1))

    def parse_all(self) -> Node:
        if self.tok[_KIND] == "end":
            raise ExprError("SP401", _("the expression is empty"), 0, 0,
                            _("write a condition such as `aegis >= political`"))
        node = self.or_()
        kind, text, start, end = self.tok
        if kind != "end":
            hint = _("use 'and'/'or' to combine conditions") if kind == "name" else None
            raise ExprError("SP401", _("unexpected '{text}' after a complete expression").format(
                text=text), start, end, hint)
        _check_depth(node)
        return node

    def or_(self) -> Node:
        self.deeper(self.tok[_START])
        left = self.and_()
        while self.tok[_TEXT] == "or" and self.tok[_KIND] == "kw":
            self.take()
            right = self.and_()
            left = self.chain("bin", left, right, "or")
        self.depth -= 1
        return left

    @staticmethod
    def chain(kind: str, left: Node, right: Node, op: str) -> Node:
        return Node(kind, left.start, right.end, op, args=(left, right))

    def and_(self) -> Node:
        left = self.not_()
        while self.tok[_TEXT] == "and" and self.tok[_KIND] == "kw":
            self.take()
            right = self.not_()
            left = self.chain("bin", left, right, "and")
        return left

    def not_(self) -> Node:
        t = self.tok
        if t[_TEXT] == "not" and t[_KIND] == "kw":
            self.take()
            self.deeper(t[_START])
            operand = self.not_()
            self.depth -= 1
            return Node("not", t[_START], operand.end, args=(operand,))
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum_()
        kind, op = self.tok[_KIND], self.tok[_TEXT]
        if kind == "kw" and op == "not" and self.toks[self.i + 1][_TEXT] == "in":
            self.take()
            op = "not in"
        elif op == "=" and kind == "op":
            self.fail(_("use '==' to compare"))
        elif op not in _CMP or kind == "name":
            return left
        self.take()
        right = self.sum_()
        t = self.tok
        if t[_TEXT] in _CMP and t[_KIND] != "name":
            self.fail(_("comparisons cannot be chained; combine them with 'and'"))
        return Node("bin", left.start, right.end, op, args=(left, right))

    def sum_(self) -> Node:
        left = self.prod()
        while self.tok[_TEXT] in ("+", "-") and self.tok[_KIND] == "op":
            op = self.take()[_TEXT]
            right = self.prod()
            left = self.chain("bin", left, right, op)
        return left

    def prod(self) -> Node:
        left = self.unary()
        while self.tok[_TEXT] == "*":
            self.take()
            right = self.unary()
            left = self.chain("bin", left, right, "*")
        return left

    def unary(self) -> Node:
        t = self.tok
        if t[_TEXT] == "-" and t[_KIND] == "op":
            self.take()
            self.deeper(t[_START])
            operand = self.unary()
            self.depth -= 1
            return Node("neg", t[_START], operand.end, args=(operand,))
        return self.atom()

    def atom(self) -> Node:
        kind, text, start, end = self.tok
        if kind == "int":
            if len(text.lstrip("0")) > MAX_INT_DIGITS:
                raise ExprError("SP401", _("the number {number}… has more than {n} digits").format(
                    number=text[:12], n=MAX_INT_DIGITS), start, end,
                    _("state variables hold small whole numbers; use a smaller one"))
            self.take()
            return Node("lit", start, end, value=int(text))
        if kind == "kw" and text in ("true", "false"):
            self.take()
            return Node("lit", start, end, value=text == "true")
        if kind == "name":
            self.take()
            if self.tok[_TEXT] == "(":
                self.take()
                args = []
                if self.tok[_TEXT] != ")":
                    args.append(self.or_())
                    while self.tok[_TEXT] == ",":
                        self.take()
                        args.append(self.or_())
                close = self.expect(")")[_END]
                return Node("call", start, close, value=text, args=tuple(args))
            return Node("name", start, end, value=text)
        if text == "(":
            self.take()
            inner = self.or_()
            self.expect(")")
            return inner
        if text == "{":
            self.take()
            items = []
            while self.tok[_KIND] == "name":
                n = self.take()
                items.append(Node("name", n[_START], n[_END], value=n[_TEXT]))
                if self.tok[_TEXT] != ",":
                    break
                self.take()
            close = self.expect("}")[_END]
            return Node("setlit", start, close, args=tuple(items))
        self.fail(_("expected a value, a name or '('"))


def _check_depth(root: Node) -> None:
    """A located SP401 when the tree is deeper than MAX_EXPR_DEPTH: a long chain such as
    `a + b + c + …` nests as deep as it is long, and checking and evaluating recurse."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPR_DEPTH:
            raise ExprError("SP401", _("the expression nests more than {n} levels deep "
                                       "(counting each operator of a chain)").format(
                n=MAX_EXPR_DEPTH), node.start, max(node.end, node.start + 1),
                _("split it into simpler conditions, or name a part of it"))
        stack.extend((arg, depth + 1) for arg in node.args)


# Trees are immutable, so the parse of a text is kept and shared (checking is per scope).

@functools.lru_cache(maxsize=8192)
def _parse_expr(text: str) -> Node:
    return _Parser(text).parse_all()


@functools.lru_cache(maxsize=8192)
def _parse_effect(text: str) -> EffectNode:
    p = _Parser(text)
    t = p.tok
    if t[_KIND] != "name":
        raise ExprError("SP404", _("an effect starts with the name of a state variable"),
                        t[_START], max(t[_END], t[_START] + 1),
                        _("write e.g. `aegis = political` or `pool += 1`"))
    p.take()
    op = p.tok[_TEXT]
    if op not in ("=", "+=", "-="):
        raise ExprError("SP404", _("expected '=', '+=' or '-=' after '{name}'").format(
            name=t[_TEXT]), p.tok[_START], max(p.tok[_END], p.tok[_START] + 1),
            _("write e.g. `aegis = political` or `pool += 1`"))
    p.take()
    expr = p.parse_all()
    return EffectNode(t[_TEXT], t[_START], op, expr)


# str(): a LocStr from the YAML reader is parsed, and kept, as its plain text.

def parse_expr(text: str) -> Node:
    return _parse_expr(str(text))


def parse_effect(text: str) -> EffectNode:
    return _parse_effect(str(text))


# ---------------------------------------------------------------------------- checking

@attrs.frozen
class Typed:
    """A checked node: its type, its typed tree (`engine.lang.tree`), its int interval, and
    (for a whole checked expression) the reference closure built from the tree."""

    type: Type
    tree: TExpr
    node: Node
    interval: tuple[int, int] | None = None
    # What it reads, for explanations: (label, fn(state, env), type) per name or call.
    refs: tuple[tuple[str, Callable[[Any, Any], Any], Type], ...] = ()
    fn: Callable[[Any, Any], Any] | None = None   # fn(state, env) -> value

    @property
    def const(self) -> bool:
        return self.node.kind == "lit"


def _bounds(t: Typed) -> tuple[int, int]:
    """The interval of a node `want_int` accepted: every int-typed node is built with one."""
    assert t.interval is not None, t.node
    return t.interval


def _ref(label: str, tree: TExpr) -> tuple[tuple[str, Callable[[Any, Any], Any], Type]]:
    return ((label, closure(tree), tree.type),)


def _finished(t: Typed) -> Typed:
    return attrs.evolve(t, fn=closure(t.tree))


class _Checker:
    def __init__(self, scope: Scope):
        self.scope = scope

    def err(self, node: Node, message: str, code: str = "SP403",
            hint: str | None = None) -> NoReturn:
        raise ExprError(code, message, node.start, node.end, hint)

    # -- entry points
    def check(self, node: Node, want: Type | None = None) -> Typed:
        if node.kind == "name" and node.value not in self.scope.variables and node.value != "turn":
            if isinstance(want, EnumType):
                return self.enum_literal(node, want)
            self.undefined(node)
        typed = getattr(self, "c_" + node.kind)(node)
        return typed

    def undefined(self, node: Node) -> NoReturn:
        name = node.value
        candidates = list(self.scope.variables) + ["turn"]
        hint = did_you_mean(name, candidates)
        where = None
        if name in self.scope.events:
            where = _("'{name}' is an event: write occurred({name})").format(name=name)
        elif name in self.scope.branches:
            where = _("'{name}' is a branch: write chosen({name})").format(name=name)
        elif name in self.scope.injects:
            where = _("'{name}' is an inject: write released({name})").format(name=name)
        owners = self.value_of(name)
        if owners and not where:
            raise ExprError("SP403", _("'{name}' is a value of {owners}, not a state variable, "
                                       "and the other side is not that variable").format(
                name=name, owners=_names(owners)), node.start, node.end,
                _("did you mean {variable} == {name}?").format(variable=owners[0], name=name))
        raise ExprError("SP402", _("'{name}' is not a state variable").format(name=name),
                        node.start, node.end, where or hint or _("declare it under `state:`"))

    def value_of(self, name: str) -> list[str]:
        """The enum and set variables that have `name` among their values."""
        return [v for v, (_, t) in self.scope.variables.items()
                if name in getattr(t, "values", getattr(t, "universe", ()))]

    def enum_literal(self, node: Node, t: EnumType) -> Typed:
        name = node.value
        if name not in t.values:
            owners = self.value_of(name)
            raise ExprError("SP407", _("'{name}' is not one of {values}").format(
                name=name, values=', '.join(t.values)), node.start, node.end,
                _("'{name}' is a value of {owners}, not of this enum").format(
                    name=name, owners=_names(owners)) if owners else did_you_mean(name, t.values))
        return Typed(t, TExpr("const", t, value=t.values.index(name)), node)

    # -- node kinds
    def c_lit(self, node: Node) -> Typed:
        v = node.value
        if isinstance(v, bool):
            return Typed(BOOL, TExpr("const", BOOL, value=v), node)
        return Typed(IntType(v, v), TExpr("const", IntType(v, v), value=v), node, (v, v))

    def c_name(self, node: Node) -> Typed:
        name = node.value
        if name == "turn":
            turn = IntType(0, self.scope.last_turn)
            tree = TExpr("turn", turn)
            return Typed(turn, tree, node, (0, self.scope.last_turn), _ref("turn", tree))
        index, t = self.scope.variables[name]
        interval = (t.lo, t.hi) if isinstance(t, IntType) else None
        tree = TExpr("var", t, value=index)
        return Typed(t, tree, node, interval, _ref(name, tree))

    def c_setlit(self, node: Node) -> Typed:
        self.err(node, _("a {…} list of names is only allowed after 'in' or on the right of a "
                         "set assignment"))

    def c_not(self, node: Node) -> Typed:
        inner = self.want_bool(node.args[0])
        return Typed(BOOL, TExpr("not", BOOL, (inner.tree,)), node, refs=inner.refs)

    def c_neg(self, node: Node) -> Typed:
        inner = self.want_int(node.args[0])
        lo, hi = _bounds(inner)
        t = IntType(-hi, -lo)
        return Typed(t, TExpr("neg", t, (inner.tree,)), node, (-hi, -lo), inner.refs)

    def want_bool(self, node: Node) -> Typed:
        t = self.check(node)
        if t.type != BOOL:
            hint = None
            if isinstance(t.type, EnumType):
                hint = _("compare it, e.g. `… == {value}`").format(value=t.type.values[-1])
            elif isinstance(t.type, IntType):
                hint = _("compare it, e.g. `… >= 1`")
            self.err(node, _("expected a condition (true/false), found {type}").format(
                type=t.type), hint=hint)
        return t

    def want_int(self, node: Node) -> Typed:
        t = self.check(node)
        if not isinstance(t.type, IntType):
            self.err(node, _("expected a whole number, found {type}").format(type=t.type))
        return t

    def c_bin(self, node: Node) -> Typed:
        op = node.op
        a, b = node.args
        if op in ("and", "or"):
            ta, tb = self.want_bool(a), self.want_bool(b)
            return Typed(BOOL, TExpr(op, BOOL, (ta.tree, tb.tree)), node,
                         refs=ta.refs + tb.refs)
        if op in ("+", "-", "*"):
            ta, tb = self.want_int(a), self.want_int(b)
            (alo, ahi), (blo, bhi) = _bounds(ta), _bounds(tb)
            if op == "+":
                iv = (alo + blo, ahi + bhi)
            elif op == "-":
                iv = (alo - bhi, ahi - blo)
            else:
                prods = (alo * blo, alo * bhi, ahi * blo, ahi * bhi)
                iv = (min(prods), max(prods))
            t = IntType(*iv)
            return Typed(t, TExpr(op, t, (ta.tree, tb.tree)), node, iv, ta.refs + tb.refs)
        if op in ("in", "not in"):
            return self.membership(node, a, b, negate=op == "not in")
        return self.compare(node, op, a, b)

    def _pair(self, a: Node, b: Node) -> tuple[Typed, Typed]:
        """Check two operands; a bare unknown name takes its meaning from the other side."""
        def is_free(n: Node) -> bool:
            return n.kind == "name" and n.value not in self.scope.variables and n.value != "turn"
        if is_free(a) and not is_free(b):
            tb = self.check(b)
            return self.check(a, tb.type), tb
        ta = self.check(a)
        return ta, self.check(b, ta.type)

    def compare(self, node: Node, op: str, a: Node, b: Node) -> Typed:
        ta, tb = self._pair(a, b)
        ka, kb = type_kind(ta.type), type_kind(tb.type)
        if ka != kb or (ka == "enum" and ta.type != tb.type):
            self.err(node, _("cannot compare {a} with {b}").format(a=ta.type, b=tb.type))
        if ka in ("bool", "set") and op not in ("==", "!="):
            self.err(node, _("'{op}' does not apply to {kind} values; use '==' or '!='").format(
                op=op, kind=ka))
        return Typed(BOOL, TExpr(op, BOOL, (ta.tree, tb.tree)), node, refs=ta.refs + tb.refs)

    def membership(self, node: Node, a: Node, b: Node, negate: bool) -> Typed:
        if b.kind == "setlit":
            ta = self.check(a)
            if not isinstance(ta.type, EnumType):
                self.err(a, _("'in {{…}}' needs an enum on the left, found {type}").format(
                    type=ta.type))
            ranks = frozenset(self.enum_literal(item, ta.type).tree.value for item in b.args)
            tree = TExpr("not in" if negate else "in", BOOL, (ta.tree,), ranks)
            return Typed(BOOL, tree, node, refs=ta.refs)
        tb = self.check(b)
        if not isinstance(tb.type, SetType):
            self.err(b, _("'in' needs a set variable or a {{…}} list on the right, found "
                          "{type}").format(type=tb.type))
        if a.kind != "name":
            self.err(a, _("the left of 'in' must be one of the set's names"))
        elem = a.value
        if elem not in tb.type.universe:
            raise ExprError("SP407", _("'{name}' is not a possible member ({names})").format(
                name=elem, names=', '.join(tb.type.universe)),
                            a.start, a.end, did_you_mean(elem, tb.type.universe))
        tree = TExpr("lacks" if negate else "has", BOOL, (tb.tree,), elem)
        return Typed(BOOL, tree, node, refs=tb.refs)

    def c_call(self, node: Node) -> Typed:
        name, args = node.value, node.args
        arity = {"occurred": (1, 1), "chosen": (1, 2), "released": (1, 1), "count": (1, 1)}
        if name not in arity:
            raise ExprError("SP402", _("unknown function '{name}'").format(name=name),
                            node.start, node.end, did_you_mean(name, arity)
                            or _("functions: {names}").format(names=", ".join(arity)))
        lo, hi = arity[name]
        if not lo <= len(args) <= hi:
            self.err(node, ngettext("{name}() takes {n} argument", "{name}() takes {n} arguments",
                                    hi).format(name=name, n=lo) if lo == hi else
                     _("{name}() takes {lo} or {hi} arguments").format(name=name, lo=lo, hi=hi))
        if name == "count":
            t = self.check(args[0])
            if not isinstance(t.type, SetType):
                self.err(args[0], _("count() takes a set variable, found {type}").format(
                    type=t.type))
            n = len(t.type.universe)
            return Typed(IntType(0, n), TExpr("count", IntType(0, n), (t.tree,)), node, (0, n),
                         t.refs)
        for arg in args:
            if arg.kind != "name":
                self.err(arg, _("{name}() takes an id, not an expression").format(name=name))
        ident = args[0].value
        if name == "occurred":
            self._known(args[0], ident, self.scope.events, _("'{id}' is not a defined event"),
                        "SP302")
            tree = TExpr("occurred", BOOL, value=ident)
            return Typed(BOOL, tree, node, refs=_ref(f"occurred({ident})", tree))
        if name == "released":
            self._known(args[0], ident, self.scope.injects, _("'{id}' is not a defined inject"),
                        "SP402")
            tree = TExpr("released", BOOL, value=ident)
            return Typed(BOOL, tree, node, refs=_ref(f"released({ident})", tree))
        self._known(args[0], ident, self.scope.branches, _("'{id}' is not a defined branch"),
                    "SP402")
        key = ident
        if len(args) == 2:
            option = args[1].value
            self._known(args[1], option, self.scope.branches[ident],
                        _("'{id}' is not a defined option of '{branch}'"), "SP402", branch=ident)
            key = f"{ident}:{option}"
        tree = TExpr("chosen", BOOL, value=key)
        return Typed(BOOL, tree, node, refs=_ref(f"chosen({key.replace(':', ', ')})", tree))

    def _known(self, node: Node, ident: str, known: Collection[str], message: str, code: str,
               branch: str = "") -> None:
        if ident not in known:
            raise ExprError(code, message.format(id=ident, branch=branch), node.start, node.end,
                            did_you_mean(ident, known))


def _names(variables: list[str]) -> str:
    return _(" or ").join(f"'{v}'" for v in variables)


def check_condition(node: Node, scope: Scope) -> Typed:
    return _finished(_Checker(scope).want_bool(node))


def check_int(node: Node, scope: Scope) -> Typed:
    return _finished(_Checker(scope).want_int(node))


# ---------------------------------------------------------------------------- effects

@attrs.frozen
class Effect:
    """A checked assignment: `tree` says what it does; apply(state, env) returns the new
    value of its slot (the reference closure built from the tree)."""

    variable: str
    index: int
    text: str
    apply: Callable[[Any, Any], Any]
    tree: TEffect


def _effect(text: str, tree: TEffect) -> Effect:
    return Effect(tree.variable, tree.index, text, effect_closure(tree), tree)


def check_effect(eff: EffectNode, scope: Scope, text: str, derived: bool = False) -> Effect:
    """Check an assignment (`derived`: the recomputation of a derived variable itself)."""
    ch = _Checker(scope)
    name = eff.target
    if name not in scope.variables:
        hint = did_you_mean(name, scope.variables) or _("declare it under `state:`")
        raise ExprError("SP402", _("'{name}' is not a state variable").format(name=name),
                        eff.target_start, eff.target_start + len(name), hint)
    if name in scope.readonly and not derived:
        raise ExprError("SP408", _("'{name}' is derived (recomputed from other variables); "
                                   "effects cannot assign it").format(name=name), eff.target_start,
                        eff.target_start + len(name),
                        _("change the variables it is derived from instead"))
    index, t = scope.variables[name]
    node, op = eff.expr, eff.op
    if isinstance(t, SetType):
        if op == "=":
            if node.kind != "setlit":
                raise ExprError("SP404", _("assign a set with a {…} list, e.g. `areas = {a, b}`"),
                                node.start, node.end)
            items = []
            for item in node.args:
                if item.value not in t.universe:
                    raise ExprError("SP407", _("'{name}' is not a possible member").format(
                        name=item.value),
                                    item.start, item.end, did_you_mean(item.value, t.universe))
                items.append(item.value)
            return _effect(text, TEffect(name, index, t, "=", value=frozenset(items)))
        if node.kind != "name" or node.value not in t.universe:
            what = node.value if node.kind == "name" else _("that")
            raise ExprError("SP407", _("'{what}' is not a possible member of '{name}'").format(
                what=what, name=name),
                            node.start, node.end,
                            did_you_mean(str(node.value), t.universe) or
                            _("members: {names}").format(names=", ".join(t.universe)))
        return _effect(text, TEffect(name, index, t, op, value=node.value))
    if op != "=" and not isinstance(t, IntType):
        raise ExprError("SP404", _("'{op}' works on numbers and sets; '{name}' is {type}").format(
            op=op, name=name, type=t), eff.target_start, eff.target_start + len(name),
            _("write `{name} = …`").format(name=name))
    if isinstance(t, EnumType):
        rhs = ch.check(node, t)
        if rhs.type != t:
            raise ExprError("SP403", _("'{name}' is {type}; cannot assign {value}").format(
                name=name, type=t, value=rhs.type), node.start, node.end)
        return _effect(text, TEffect(name, index, t, "=", rhs.tree))
    if isinstance(t, BoolType):
        rhs = ch.want_bool(node)
        return _effect(text, TEffect(name, index, t, "=", rhs.tree))
    rhs = ch.want_int(node)
    lo, hi = _bounds(rhs)
    if op == "+=":
        lo, hi = t.lo + lo, t.hi + hi
    elif op == "-=":
        lo, hi = t.lo - hi, t.hi - lo
    # Statically knowable: every possible result falls outside the range.
    if hi < t.lo or lo > t.hi:
        raise ExprError("SP405", _("'{name}' ({lo}..{hi}) would always leave its range "
                                   "(result {rlo}..{rhi})").format(
            name=name, lo=t.lo, hi=t.hi, rlo=lo, rhi=hi), eff.target_start, node.end,
            _("check the sign and size of the change"))
    return _effect(text, TEffect(name, index, t, op, rhs.tree, bounds=(t.lo, t.hi),
                                 clamp=derived))


# ---------------------------------------------------------------------------- explanation

def conjuncts(node: Node) -> list[Node]:
    """The top-level 'and' clauses of a condition, in order."""
    if node.kind == "bin" and node.op == "and":
        return conjuncts(node.args[0]) + conjuncts(node.args[1])
    return [node]
