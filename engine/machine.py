"""A scenario compiled to integer-coded transitions, for exhaustive and random exploration.

`engine.rules` is the reference: sessions, replay and the TUI use it, and every finding the
analysis reports in words is re-derived through it. The explorer and randomtest make
millions of moves, though, and moving attrs states through closures costs ~20 µs a move.
Here a *normalised* state (`engine.explore.normalise`: rolls 0, this turn's moves and the
fired signposts as sets) is packed into one Python int, and each turn's moves are generated
as small Python functions over that int, with the turn and the events that occurred by then
folded in as constants.

The generated source is made only of integer literals, operators and names this module
chooses (`c`, `fire`, `K3`…); nothing of the author's text reaches it — ids become bit
positions, enum values ranks — so compiling it is as safe as the closures in `engine.expr`.

Packing, low bits first: each variable (int: value − low end; enum: rank; bool: one bit;
set: one bit per possible member), then one bit per branch and per branch:option chosen,
per inject released, per signpost fired, per branch played this turn, then the pending
contested option (0: none), the ended flag and the turn. `decode` gives back the normalised
`GameState`; tests check the two agree move for move with `engine.rules`.

A move whose effect leaves a variable's range raises `RangeFail`; the caller asks the rules
for the exact message (the rules raise `RuleError` for the same move).
"""

from __future__ import annotations

from typing import Any

from .expr import BoolType, EnumType, IntType, Node, SetType, parse_effect
from .model import Condition, Scenario
from .rules import Env, GameState, Pending, _values_only

# Action numbers: every branch:option in scenario order, then every inject, then PASS, END.


class RangeFail(Exception):
    """An effect would leave its variable's range (ask `engine.rules` for the message)."""


class _Field:
    __slots__ = ("shift", "width", "mask", "lo", "kind", "t")

    def __init__(self, shift: int, width: int, lo: int, kind: str, t: Any):
        self.shift, self.width, self.lo, self.kind, self.t = shift, width, lo, kind, t
        self.mask = (1 << width) - 1


class Layout:
    """Where each part of a normalised state lives in the packed int."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        shift = 0
        self.fields: list[_Field] = []
        for v in scenario.variables:
            t = v.type
            if isinstance(t, BoolType):
                f = _Field(shift, 1, 0, "bool", t)
            elif isinstance(t, IntType):
                f = _Field(shift, max(1, (t.hi - t.lo).bit_length()), t.lo, "int", t)
            elif isinstance(t, EnumType):
                f = _Field(shift, max(1, (len(t.values) - 1).bit_length()), 0, "enum", t)
            else:
                f = _Field(shift, max(1, len(t.universe)), 0, "set", t)
            self.fields.append(f)
            shift += f.width
        self.values_bits = shift
        self.values_mask = (1 << shift) - 1

        def bits(names: list[str]) -> dict[str, int]:
            nonlocal shift
            out = {n: 1 << (shift + k) for k, n in enumerate(names)}
            shift += len(names)
            return out

        # The bits the moves test most (branch chosen, released, this turn's moves) sit
        # low: bit tests on a big int cost more the higher the bit.
        def mask_of(d: dict[str, int]) -> int:
            return sum(d.values())

        branches = list(scenario.branches.values())
        self.chosen = bits([b.id for b in branches])
        self.released = bits(list(scenario.injects))
        self.released_mask = mask_of(self.released)
        self.moves = bits([b.id for b in branches])
        self.moves_mask = mask_of(self.moves)
        self.chosen.update(bits([f"{b.id}:{o.id}" for b in branches for o in b.options]))
        self.chosen_mask = mask_of(self.chosen)
        self.signpost_ids = list(dict.fromkeys(
            [s.id for s in scenario.signposts] +
            [s.id for b in branches for s in b.signposts]))
        self.fired_shift = shift
        self.fired = bits(self.signpost_ids)
        self.fired_mask = mask_of(self.fired)
        self.contested = [(b.id, o.id) for b in branches for o in b.options if o.contested]
        self.pending_index = {p: k + 1 for k, p in enumerate(self.contested)}
        self.pending_shift = shift
        shift += max(1, len(self.contested).bit_length())
        self.pending_mask = ((1 << shift) - 1) & ~((1 << self.pending_shift) - 1)
        self.ended = 1 << shift
        shift += 1
        self.turn_shift = shift
        self.turn_one = 1 << shift
        self._name_at = {bit.bit_length() - 1: name
                         for d in (self.chosen, self.released, self.fired, self.moves)
                         for name, bit in d.items()}

    # -------------------------------------------------------------- conversions

    def encode(self, s: GameState) -> int:
        c = 0
        for f, value in zip(self.fields, s.values):
            if f.kind == "set":
                v = sum(1 << f.t.universe.index(x) for x in value)
            else:
                v = int(value) - f.lo
            c |= v << f.shift
        for name in s.chosen:
            c |= self.chosen[name]
        for name in s.released:
            c |= self.released[name]
        for sid, _turn in s.fired:
            c |= self.fired[sid]
        for bid in s.moves:
            c |= self.moves[bid]
        if s.pending is not None:
            c |= self.pending_index[(s.pending.branch, s.pending.option)] << self.pending_shift
        if s.ended:
            c |= self.ended
        return c | (s.turn << self.turn_shift)

    def values(self, c: int) -> tuple:
        out = []
        for f in self.fields:
            v = (c >> f.shift) & f.mask
            if f.kind == "bool":
                out.append(bool(v))
            elif f.kind == "set":
                out.append(frozenset(x for k, x in enumerate(f.t.universe) if v >> k & 1))
            else:
                out.append(v + f.lo)
        return tuple(out)

    def decode(self, c: int) -> GameState:
        """The normalised GameState a code stands for."""
        chosen = frozenset(self._names(c & self.chosen_mask))
        released = frozenset(self._names(c & self.released_mask))
        fired = tuple(sorted((n, 0) for n in self._names(c & self.fired_mask)))
        moves = tuple(sorted(self._names(c & self.moves_mask)))
        p = (c & self.pending_mask) >> self.pending_shift
        pending = Pending(*self.contested[p - 1]) if p else None
        return GameState(self.turn(c), self.values(c), chosen, moves, released, pending,
                         fired, 0, bool(c & self.ended))

    def _names(self, bits: int) -> list[str]:
        """The names of the set bits (of one of the name→bit maps), lowest first."""
        out = []
        while bits:
            low = bits & -bits
            out.append(self._name_at[low.bit_length() - 1])
            bits ^= low
        return out

    def turn(self, c: int) -> int:
        return c >> self.turn_shift

    def pending(self, c: int) -> int:
        """0, or 1 + the index of the pending contested option in `contested`."""
        return (c & self.pending_mask) >> self.pending_shift

    def order_key(self, c: int) -> int:
        """The explorer's in-turn order: 2·moves + 2·released − [pending]."""
        return (2 * (c & self.moves_mask).bit_count() + 2 * (c & self.released_mask).bit_count()
                - bool(c & self.pending_mask))


class TurnCode:
    """The generated moves of one turn: `open(c)` lists the actions at a decision state;
    `steps[a](c)` applies one; `mods[k]`, `win[k]`, `lose[k]` serve a pending roll."""

    __slots__ = ("turn", "open", "steps", "mods", "win", "lose", "enter", "fire", "source")


class Machine:
    """A scenario's moves as functions over packed states, per turn, generated on demand."""

    MEMO_LIMIT = 300_000        # entries per turn in each memo (`fire`, `open_`)

    def __init__(self, env: Env, injects: bool = True):
        sc = env.scenario
        self.env = env
        self.scenario = sc
        self.layout = lay = Layout(sc)
        self.injects = injects
        self.last = sc.last_turn
        self.mpt = sc.moves_per_turn
        self.variables = {v.id: (v.index, v.type) for v in sc.variables}
        self.actions: list[tuple] = []
        self.branch_actions: dict[str, list[int]] = {}
        for b in sc.branches.values():
            ids = []
            for o in b.options:
                ids.append(len(self.actions))
                self.actions.append(("choose", b.id, o.id))
            self.branch_actions[b.id] = ids
        self.n_choose = len(self.actions)          # actions below this number choose
        self.inject_action = {}
        for i in sc.injects:
            self.inject_action[i] = len(self.actions)
            self.actions.append(("release", i))
        self.PASS = len(self.actions)
        self.actions.append(("pass",))
        self.END = len(self.actions)
        self.actions.append(("end",))
        self.action_index = {a: k for k, a in enumerate(self.actions)}
        self._turns: list[TurnCode | None] = [None] * (self.last + 1)
        self._consts: dict[Any, str] = {}
        self._ns_consts: dict[str, Any] = {}
        self.root = lay.encode(_normalised_root(env))

    def turn(self, t: int) -> TurnCode:
        """Turn t's code (generated on first use), its passing linked to turn t+1's entry."""
        tc = self._code(t)
        if t < self.last and tc.steps[self.PASS] is None:
            tc.steps[self.PASS] = self._code(t + 1).enter
        return tc

    def _code(self, t: int) -> TurnCode:
        tc = self._turns[t]
        if tc is None:
            tc = self._turns[t] = self._generate(t)
        return tc

    # -------------------------------------------------------------- generation

    def _const(self, value: Any) -> str:
        name = self._consts.get(value)
        if name is None:
            name = self._consts[value] = f"K{len(self._consts)}"
            self._ns_consts[name] = value
        return name

    def _generate(self, t: int) -> TurnCode:
        sc, lay = self.scenario, self.layout
        g = _Gen(self, t, self.env.occurred[t])
        src: list[str] = []
        branches = [b for b in sc.branches.values() if t in b.turns]
        src += self._fire_source(g)

        # the decision list. Which branches' preconditions hold, when they read only
        # variables, is kept per packed values in the turn's memo `O` (built by `cands`).
        vm = lay.values_mask
        memo_src, direct = [], []
        for b in branches:
            cond, const = g.cond(b.when)
            if const is False:
                continue
            ids = self.branch_actions[b.id]
            bit = lay.moves[b.id] if b.repeatable else lay.chosen[b.id]
            if b.when is None or _values_only(b.when):
                memo_src.append(f"    r.append(({bit}, {tuple(ids)!r}))" if const is not _NC
                                else f"    if {cond}: r.append(({bit}, {tuple(ids)!r}))")
            else:
                direct.append(f"        if not c & {bit} and {cond}: out += {tuple(ids)!r}")
        src.append("def cands(v):")
        src.append("    r = []")
        src += memo_src
        src.append(f"    if len(O) >= {self.MEMO_LIMIT}: O.clear()")
        src.append("    r = O[v] = tuple(r)")
        src.append("    return r")
        src.append("def open_(c):")
        src.append(f"    v = c & {vm}")
        src.append("    out = []")
        if memo_src or direct:
            src.append(f"    if ({lay.moves_mask} & c).bit_count() < {self.mpt}:")
            if memo_src:
                src.append("        cand = O.get(v)")
                src.append("        if cand is None: cand = cands(v)")
                src.append("        for bit, ids in cand:")
                src.append("            if not c & bit: out += ids")
            src += direct
        if self.injects:
            for i in sc.injects.values():
                if i.turn is not None and i.turn > t:
                    continue
                cond, const = g.cond(i.when)
                if const is False:
                    continue
                extra = f" and {cond}" if const is _NC else ""
                src.append(f"    if not c & {lay.released[i.id]}{extra}: "
                           f"out.append({self.inject_action[i.id]})")
        src.append(f"    out.append({self.PASS if t < self.last else self.END})")
        src.append("    return out")

        # choosing an option
        steps: dict[int, str] = {}
        for b in branches:
            uncond = 0
            for s in b.signposts:
                if s.when is None:
                    uncond |= lay.fired[s.id]
            for o, a in zip(b.options, self.branch_actions[b.id]):
                steps[a] = f"s{a}"
                src.append(f"def s{a}(c):")
                src.append(f"    v = c & {vm}")
                src += g.effects(o.effects)
                add = lay.chosen[b.id] | lay.chosen[f"{b.id}:{o.id}"] | lay.moves[b.id] | uncond
                if o.contested:
                    add |= lay.pending_index[(b.id, o.id)] << lay.pending_shift
                src.append(f"    return fire(c | {add})")
        # releasing an inject by hand
        if self.injects:
            for i in sc.injects.values():
                if i.turn is not None and i.turn > t:
                    continue
                a = self.inject_action[i.id]
                steps[a] = f"s{a}"
                src.append(f"def s{a}(c):")
                src.append(f"    v = c & {vm}")
                src += g.effects(i.effects)
                src.append(f"    return fire(c | {lay.released[i.id]})")
        # entering this turn by passing from the previous one (scheduled injects released)
        src.append("def enter(c):")
        src.append(f"    c = (c & {~lay.moves_mask}) + {lay.turn_one}")
        src.append(f"    v = c & {vm}")
        for i in sc.injects.values():
            if i.turn == t:
                bit = lay.released[i.id]
                cond, const = g.cond(i.when)
                if const is False:
                    continue
                extra = f" and {cond}" if const is _NC else ""
                src.append(f"    if not c & {bit}{extra}:")
                src += ["    " + line for line in g.effects(i.effects)]
                src.append(f"        c = fire(c | {bit})")
        src.append("    return fire(c)")
        # the rolls of contested options played this turn
        rolls: dict[int, tuple[str, str, str]] = {}
        for b in branches:
            for o in b.options:
                if not o.contested:
                    continue
                k = lay.pending_index[(b.id, o.id)]
                rolls[k] = (f"m{k}", f"w{k}", f"l{k}")
                src.append(f"def m{k}(c):")
                src.append(f"    v = c & {vm}")
                src.append("    total = 0")
                for m in b.adjudication.modifiers:
                    value = g.expr(m.value.node)[0]
                    cond, const = g.cond(m.when)
                    if const is False:
                        continue
                    src.append(f"    total += {value}" if const is not _NC else
                               f"    if {cond}: total += {value}")
                src.append("    return total")
                for fname, outcome in (("w", o.on_success), ("l", o.on_failure)):
                    src.append(f"def {fname}{k}(c):")
                    src.append(f"    v = c & {vm}")
                    src += g.effects(outcome.effects if outcome else ())
                    src.append(f"    return fire(c & {~lay.pending_mask})")

        source = "\n".join(src) + "\n"
        ns: dict[str, Any] = {"__builtins__": {}, "RangeFail": RangeFail, "M": {}, "O": {},
                              "len": len, "tuple": tuple}
        ns.update(self._ns_consts)
        exec(compile(source, f"<spillover turn {t}>", "exec"), ns)  # noqa: S102 — see docstring
        tc = TurnCode()
        tc.turn, tc.source = t, source
        tc.open, tc.fire, tc.enter = ns["open_"], ns["fire"], ns["enter"]
        tc.steps = [None] * len(self.actions)
        for a, name in steps.items():
            tc.steps[a] = ns[name]
        tc.mods = [None] * (len(lay.contested) + 1)
        tc.win, tc.lose = list(tc.mods), list(tc.mods)
        for k, (m, w, lo) in rolls.items():
            tc.mods[k], tc.win[k], tc.lose[k] = ns[m], ns[w], ns[lo]
        tc.steps[self.END] = _make_end(lay.ended)
        return tc

    def _fire_source(self, g: _Gen) -> list[str]:
        """`fire(c)`: mark every conditional signpost, not yet fired, whose condition holds.

        In one turn the answer depends only on the packed values, the fired bits and the
        chosen/released bits the conditions read, so it is kept per those bits in the turn's
        memo `M`: fire runs after every move, and most moves meet a known combination."""
        sc, lay = self.scenario, self.layout
        conditional = list(sc.signposts) + [s for b in sc.branches.values()
                                            for s in b.signposts if s.when is not None]
        tests = []
        reads = lay.values_mask | lay.fired_mask
        for s in conditional:
            cond, const = g.cond(s.when)
            if const is False:
                continue
            tests.append((lay.fired[s.id], cond, const))
            reads |= self._bits_read(s.when)
        out = ["def fire(c):"]
        if not tests:
            return out + ["    return c"]
        out.append(f"    k = c & {reads}")
        out.append("    n = M.get(k)")
        out.append("    if n is None:")
        out.append(f"        v = c & {lay.values_mask}")
        out.append("        n = 0")
        for bit, cond, const in tests:
            out.append(f"        if not c & {bit}" + (f" and {cond}:" if const is _NC else ":"))
            out.append(f"            n |= {bit}")
        out.append(f"        if len(M) >= {self.MEMO_LIMIT}: M.clear()")
        out.append("        M[k] = n")
        out.append("    return c | n if n else c")
        return out

    def _bits_read(self, cond: Condition) -> int:
        """The chosen/released bits a condition reads."""
        lay, bits = self.layout, 0
        stack = [c.typed.node for c in cond.clauses]
        while stack:
            node = stack.pop()
            if node.kind == "call" and node.value in ("chosen", "released"):
                ids = [a.value for a in node.args]
                bits |= lay.released[ids[0]] if node.value == "released" else \
                    lay.chosen[":".join(ids)]
            stack.extend(node.args)
        return bits


def _make_end(bit: int):
    def end(c: int) -> int:
        return c | bit
    return end


def _normalised_root(env: Env) -> GameState:
    from .explore import normalise
    from .rules import initial_state
    return normalise(initial_state(env))


_NC = object()     # "not a constant"


class _Gen:
    """Python source for checked expressions in one turn. The turn and the events that
    occurred by then are constants, and constant parts are folded away. `expr` returns
    (source, type, constant or _NC); enum values are ranks, sets are member bits."""

    def __init__(self, machine: Machine, turn: int, occurred: frozenset[str]):
        self.m, self.lay, self.turn, self.occurred = machine, machine.layout, turn, occurred

    def cond(self, cond: Condition | None) -> tuple[str, Any]:
        """(source, constant or _NC) of a condition's clauses joined with 'and'."""
        if cond is None:
            return "True", True
        out = self.expr(cond.clauses[0].typed.node)
        for clause in cond.clauses[1:]:
            out = self.andor("and", out, self.expr(clause.typed.node))
        return out[0], out[2]

    def read(self, name: str) -> tuple[str, Any, Any]:
        index, t = self.m.variables[name]
        f = self.lay.fields[index]
        src = f"(v >> {f.shift} & {f.mask})" if f.shift else f"(v & {f.mask})"
        if f.lo:
            src = f"({src} + {f.lo})"
        return src, t, _NC

    def bit(self, bit: int) -> tuple[str, Any, Any]:
        return f"(c & {bit} != 0)", BOOL, _NC

    @staticmethod
    def const(value: Any, t: Any) -> tuple[str, Any, Any]:
        if isinstance(value, bool):
            return ("True" if value else "False"), t, value
        return f"({value!r})", t, value

    def expr(self, node: Node, want: Any = None) -> tuple[str, Any, Any]:
        k = node.kind
        if k == "lit":
            v = node.value
            return self.const(v, BOOL if isinstance(v, bool) else IntType(v, v))
        if k == "name":
            name = node.value
            if name == "turn":
                return self.const(self.turn, IntType(0, self.m.last))
            if name in self.m.variables:
                return self.read(name)
            return self.const(want.values.index(name), want)   # an enum value, typed by context
        if k == "not":
            src, _t, v = self.expr(node.args[0])
            return self.const(not v, BOOL) if v is not _NC else (f"(not {src})", BOOL, _NC)
        if k == "neg":
            src, t, v = self.expr(node.args[0])
            return self.const(-v, t) if v is not _NC else (f"(-{src})", t, _NC)
        if k == "call":
            return self.call(node)
        op = node.op
        a, b = node.args
        if op in ("and", "or"):
            return self.andor(op, self.expr(a), self.expr(b))
        if op in ("+", "-", "*"):
            (sa, ta, va), (sb, _, vb) = self.expr(a), self.expr(b)
            if va is not _NC and vb is not _NC:
                return self.const(_ARITH[op](va, vb), ta)
            return f"({sa} {op} {sb})", ta, _NC
        if op in ("in", "not in"):
            return self.membership(a, b, op)
        (sa, ta, va), (sb, tb, vb) = self.pair(a, b)
        if va is not _NC and vb is not _NC:
            return self.const(_COMPARE[op](va, vb), BOOL)
        if isinstance(ta, SetType) and ta.universe != tb.universe:
            fs = self.m._const(_frozensets)
            sa = f"{fs}({sa}, {self.m._const(ta.universe)})"
            sb = f"{fs}({sb}, {self.m._const(tb.universe)})"
        return f"({sa} {op} {sb})", BOOL, _NC

    def andor(self, op: str, a, b) -> tuple[str, Any, Any]:
        """'and'/'or' with constants folded (only truth matters: every bool reads as 0/1)."""
        (sa, _, va), (sb, _, vb) = a, b
        absorbing = op == "or"           # True absorbs 'or', False absorbs 'and'
        if va is not _NC:
            return self.const(absorbing, BOOL) if bool(va) is absorbing else b
        if vb is not _NC:
            return self.const(absorbing, BOOL) if bool(vb) is absorbing else a
        return f"({sa} {op} {sb})", BOOL, _NC

    def pair(self, a: Node, b: Node):
        def free(n):
            return n.kind == "name" and n.value not in self.m.variables and n.value != "turn"
        if free(a) and not free(b):
            eb = self.expr(b)
            return self.expr(a, eb[1]), eb
        ea = self.expr(a)
        return ea, self.expr(b, ea[1])

    def membership(self, a: Node, b: Node, op: str) -> tuple[str, Any, Any]:
        if b.kind == "setlit":
            sa, ta, va = self.expr(a)
            ranks = tuple(sorted({ta.values.index(item.value) for item in b.args}))
            if va is not _NC:
                return self.const((va in ranks) == (op == "in"), BOOL)
            return f"({sa} {op} {ranks!r})", BOOL, _NC
        index, t = self.m.variables[b.value]
        f = self.lay.fields[index]
        src = f"(v >> {f.shift + t.universe.index(a.value)} & 1)"
        return (f"(not {src})" if op == "not in" else src), BOOL, _NC

    def call(self, node: Node) -> tuple[str, Any, Any]:
        name, args = node.value, node.args
        if name == "count":
            index, t = self.m.variables[args[0].value]
            f = self.lay.fields[index]
            return f"((v >> {f.shift} & {f.mask}).bit_count())", IntType(0, 0), _NC
        ident = args[0].value
        if name == "occurred":
            return self.const(ident in self.occurred, BOOL)
        if name == "released":
            return self.bit(self.lay.released[ident])
        key = ident if len(args) == 1 else f"{ident}:{args[1].value}"
        return self.bit(self.lay.chosen[key])

    def effects(self, effects) -> list[str]:
        """Statements applying effects in order to `c`, each seeing the previous (`v`, the
        packed values, is kept up to date)."""
        out = []
        for eff in effects:
            node = parse_effect(eff.text)
            index, t = self.m.variables[eff.variable]
            f = self.lay.fields[index]
            clear = ~(f.mask << f.shift)
            if isinstance(t, SetType):
                if node.op == "=":
                    bits = sum(1 << t.universe.index(item.value) for item in node.expr.args)
                    out.append(f"    c = (c & {clear}) | {bits << f.shift}")
                else:
                    bit = 1 << (f.shift + t.universe.index(node.expr.value))
                    out.append(f"    c |= {bit}" if node.op == "+=" else f"    c &= {~bit}")
            elif isinstance(t, BoolType):
                src, _t, v = self.expr(node.expr)
                if v is not _NC:
                    out.append(f"    c = (c & {clear}) | {(1 << f.shift) if v else 0}")
                else:
                    out.append(f"    c = (c & {clear}) | ({1 << f.shift} if {src} else 0)")
            elif isinstance(t, EnumType):
                src, _t, v = self.expr(node.expr, t)
                shifted = str(v << f.shift) if v is not _NC else f"({src} << {f.shift})"
                out.append(f"    c = (c & {clear}) | {shifted}")
            else:
                rhs = self.expr(node.expr)[0]
                if node.op != "=":
                    rhs = f"{self.read(eff.variable)[0]} {node.op[0]} {rhs}"
                out.append(f"    x = {rhs}")
                out.append(f"    if not {t.lo} <= x <= {t.hi}: raise RangeFail")
                sub = f"x - {t.lo}" if t.lo else "x"
                out.append(f"    c = (c & {clear}) | (({sub}) << {f.shift})")
            out.append(f"    v = c & {self.lay.values_mask}")
        return out


BOOL = BoolType()
_ARITH = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}
_COMPARE = {"==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}


def _frozensets(bits: int, universe: tuple) -> frozenset:
    return frozenset(x for k, x in enumerate(universe) if bits >> k & 1)


__all__ = ["Layout", "Machine", "RangeFail", "TurnCode"]
