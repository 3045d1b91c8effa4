"""A scenario compiled to integer-coded transitions, for exhaustive and random exploration.

`engine.play.rules` is the reference: sessions, replay and the TUI use it, and every finding the
analysis reports in words is re-derived through it. The explorer and randomtest make
millions of moves, though, and moving attrs states through closures costs ~20 µs a move.
Here a *normalised* state (`engine.analysis.moves.normalise`: rolls 0, this turn's moves and the
fired signposts as sets) is packed into one Python int, and each turn's moves are built as
closures over that int (`engine.analysis.packed_expr`: the checked expression trees, never Python
text), with the turn and the events that occurred by then folded in as constants. Which
signposts fire, which preconditions hold and which injects can be released are remembered
per packed values (and the bits they read) in each turn.

Packing, low bits first: each variable (int: value − low end; enum: rank; bool: one bit;
set: one bit per possible member), then one bit per branch chosen, per inject released, per
branch played this turn, per branch:option chosen, per signpost fired, then the pending
contested option (0: none), the ended flag and the turn. `decode` gives back the normalised
`GameState`; tests check the two agree move for move with `engine.play.rules`.

A move whose effect leaves a variable's range raises `RangeFail`; the caller asks the rules
for the exact message (the rules raise `RuleError` for the same move).
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from engine.analysis.moves import normalise
from engine.analysis.packed_expr import Compiler, Fn, RangeFail, apply, then
from engine.analysis.uses import Uses
from engine.lang.expr import BoolType, EnumType, IntType
from engine.model import Scenario
from engine.play.rules import Env, GameState, Pending, initial_state, values_only

# Action numbers: every branch:option in scenario order, then every inject, then PASS, END.


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
        self.fired = bits(self.signpost_ids)
        self.fired_mask = mask_of(self.fired)
        self.contested = [(b.id, o.id) for b in branches for o in b.options if o.contested]
        self.pending_index = {p: k + 1 for k, p in enumerate(self.contested)}
        self.pending_shift = shift
        shift += max(1, len(self.contested).bit_length())
        self.pending_mask = ((1 << shift) - 1) & ~((1 << self.pending_shift) - 1)
        self.ended = 1 << shift
        shift += 1
        self.ending_ids = tuple(e.id for e in scenario.endings)     # format 2: which ending
        self.ending_shift = shift
        shift += len(self.ending_ids).bit_length()
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
        if s.ending is not None:
            c |= (self.ending_ids.index(s.ending) + 1) << self.ending_shift
        return c | (s.turn << self.turn_shift)

    def values(self, c: int) -> tuple:
        out: list[Any] = []
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
        e = (c >> self.ending_shift) & ((1 << len(self.ending_ids).bit_length()) - 1)
        return GameState(self.turn(c), self.values(c), chosen, moves, released, pending,
                         fired, 0, bool(c & self.ended), self.ending_ids[e - 1] if e else None)

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
    """The moves of one turn: `open(c)` lists the actions at a decision state; `steps[a](c)`
    applies one; `mods[k]`, `win[k]`, `lose[k]` serve a pending roll (`bands[k]`, result id
    → step, a graded one); `enter(c)` passes into this turn from the previous one."""

    __slots__ = ("turn", "open", "steps", "mods", "win", "lose", "bands", "enter",
                 "enter_odds", "pass_odds")

    turn: int
    open: Callable[[int], list[int]]
    steps: list[Any]            # per action: c -> c (None where not playable this turn)
    mods: list[Any]             # per pending no.: c -> the modifiers' sum
    win: list[Any]              # per pending no.: c -> c after success
    lose: list[Any]             # … after failure
    bands: list[Any]            # per pending no. of a graded roll: result id -> (c -> c)
    enter: Callable[[int], int]
    # format 2: a turn whose start draws chance injects is entered by `enter_odds(c)`, a
    # chance node: [(outcome, p, c or None where the rules refuse it)], the outcome being
    # ((inject, fired), …) in draw order (`engine.play.rules.turn_outcomes`); `enter` then
    # refuses. `pass_odds` is the next turn's `enter_odds` (None: passing is one move).
    enter_odds: Callable[[int], list[tuple[tuple, Fraction, int | None]]] | None
    pass_odds: Callable[[int], list[tuple[tuple, Fraction, int | None]]] | None


class Machine:
    """A scenario's moves as closures over packed states, per turn, built on demand."""

    MEMO_LIMIT = 300_000        # entries per turn in each memo (signposts, open moves)

    def __init__(self, env: Env, injects: bool = True):
        sc = env.scenario
        self.env = env
        self.scenario = sc
        self.layout = lay = Layout(sc)
        self.injects = injects
        self.last = sc.last_turn
        self.allowances = allowance_groups(sc, lay)
        self.mpt = sum(n for _mask, n in self.allowances)    # most moves a turn can hold
        self.types = tuple(v.type for v in sc.variables)
        # Derived variables: recomputed after every list of effects, as the rules do.
        self.derived = tuple(v.derived for v in sc.variables if v.derived is not None)
        # what reads what until when; a signpost sealed from turn T is checked as T begins
        # and not after (its condition can no longer change: `engine.analysis.uses`)
        self.uses = Uses.of(sc, env.occurred)
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
        self.root = lay.encode(_normalised_root(env))

    def turn(self, t: int) -> TurnCode:
        """Turn t's moves (built on first use), its passing linked to turn t+1's entry."""
        tc = self._code(t)
        if t < self.last and tc.steps[self.PASS] is None:
            nxt = self._code(t + 1)
            tc.steps[self.PASS] = nxt.enter
            tc.pass_odds = nxt.enter_odds
        return tc

    def _code(self, t: int) -> TurnCode:
        tc = self._turns[t]
        if tc is None:
            tc = self._turns[t] = self._build(t)
        return tc

    # -------------------------------------------------------------- building

    def _build(self, t: int) -> TurnCode:
        sc, lay = self.scenario, self.layout
        x = Compiler(lay, self.types, self.last, t, self.env.occurred[t])
        derived = self.derived
        branches = [b for b in sc.branches.values() if t in b.turns]
        by_hand = [i for i in sc.injects.values()      # a chance inject only by its draw
                   if self.injects and (i.turn is None or i.turn <= t) and i.chance is None]
        tc = TurnCode()
        tc.turn = t
        tc.pass_odds = None
        sealed = self.uses.sealed
        fire = self._finish(x, self._fire(x, {s for s, since in sealed.items() if since <= t}))
        fire_entering = self._finish(x, self._fire(
            x, {s for s, since in sealed.items() if since < t}))
        tc.open = self._open(x, branches, by_hand)
        steps: list[Any] = [None] * len(self.actions)
        tc.steps = steps
        marks: dict[str, int] = {}                  # b or b:o -> the signposts it fires
        for sid, name in self.uses.on_choosing.items():
            marks[name] = marks.get(name, 0) | lay.fired[sid]
        for b in branches:                          # choosing an option
            for o, a in zip(b.options, self.branch_actions[b.id]):
                add = lay.chosen[b.id] | lay.chosen[f"{b.id}:{o.id}"] | lay.moves[b.id] | \
                    marks.get(b.id, 0) | marks.get(f"{b.id}:{o.id}", 0)
                if o.contested:
                    add |= lay.pending_index[(b.id, o.id)] << lay.pending_shift
                steps[a] = then(x.effects(o.effects + derived), -1, add, fire)
        for i in by_hand:                           # releasing an inject by hand
            steps[self.inject_action[i.id]] = then(x.effects(i.effects + derived), -1,
                                                   lay.released[i.id], fire)
        steps[self.END] = _make_end(lay.ended)
        tc.enter, tc.enter_odds = self._enter(x, fire_entering)
        tc.mods = [None] * (len(lay.contested) + 1)
        tc.win, tc.lose, tc.bands = list(tc.mods), list(tc.mods), list(tc.mods)
        for b in branches:                          # the rolls of contested options
            for o in b.options:
                if o.contested:
                    k = lay.pending_index[(b.id, o.id)]
                    assert b.adjudication is not None       # contested: adjudicated
                    tc.mods[k] = self._modifiers(x, b.adjudication.modifiers)
                    if b.adjudication.graded:       # one step per result band
                        tc.bands[k] = {
                            band.id: then(x.effects(_effects(o.outcome(band.id)) + derived),
                                          ~lay.pending_mask, 0, fire)
                            for band in b.adjudication.bands}
                        continue
                    for outcomes, outcome in ((tc.win, o.on_success), (tc.lose, o.on_failure)):
                        effects = (outcome.effects if outcome else ()) + derived
                        outcomes[k] = then(x.effects(effects),
                                           ~lay.pending_mask, 0, fire)
        return tc

    def _fire(self, x: Compiler, sealed: set[str]):
        """`fire(c)`: mark every conditional signpost, not yet fired, whose condition holds
        (but the `sealed` ones: they cannot change).

        In one turn the answer depends only on the packed values, the fired bits and the
        chosen/released bits the conditions read, so it is kept per those bits in a memo:
        fire runs after every move, and most moves meet a known combination."""
        sc, lay = self.scenario, self.layout
        conditional = list(sc.signposts) + [s for b in sc.branches.values()
                                            for s in b.signposts if s.when is not None]
        tests = []
        reads = lay.values_mask | lay.fired_mask
        for s in conditional:
            if s.id in sealed or s.id in self.uses.on_choosing:
                continue
            fn, const = x.cond(s.when)
            if const is not False:
                tests.append((lay.fired[s.id], fn))
                reads |= x.bits_read(s.when) if s.when is not None else 0
        if not tests:
            return lambda c: c
        memo: dict[int, int] = {}
        known, vm, limit = memo.get, lay.values_mask, self.MEMO_LIMIT

        def fire(c: int) -> int:
            key = c & reads
            new = known(key)
            if new is None:
                v, new = c & vm, 0
                for bit, fn in tests:
                    if not c & bit and (fn is None or fn(v, c)):
                        new |= bit
                if len(memo) >= limit:
                    memo.clear()
                memo[key] = new
            return c | new if new else c
        return fire

    def _finish(self, x: Compiler, fire):
        """`fire`, then end the session at the first scenario ending (format 2) that holds
        while no roll is pending: the ended bit and the ending's number are set."""
        lay = self.layout
        tests = []
        for k, e in enumerate(self.scenario.endings, start=1):
            fn, const = x.cond(e.when)
            if const is not False:
                tests.append((fn, lay.ended | (k << lay.ending_shift)))
                if fn is None:
                    break                        # always holds here: later ones never count
        if not tests:
            return fire
        busy, vm = lay.ended | lay.pending_mask, lay.values_mask

        def finish(c: int) -> int:
            c = fire(c)
            if c & busy:
                return c
            for fn, bits in tests:
                if fn is None or fn(c & vm, c):
                    return c | bits
            return c
        return finish

    def _open(self, x: Compiler, branches, by_hand):
        """`open(c)`: the actions at a decision state, passing (or ending) last.

        Which branches' value-only preconditions hold is kept per packed values: on a miss,
        each distinct clause of the turn is evaluated once and each branch needs its own
        clauses' bits. Which injects can be released is kept per the values and the bits
        their conditions read."""
        lay = self.layout
        by_values, direct = [], []
        clause_bit: dict[str, int] = {}
        clause_fns: list[tuple[int, Fn]] = []
        mine: dict[int, int] = {}               # a branch's test bit -> its moves bit
        for b in branches:
            bit = lay.moves[b.id] if b.repeatable else lay.chosen[b.id]
            mine[bit] = lay.moves[b.id]
            actions = self.branch_actions[b.id]
            # one entry for the branch, or one per option when options carry a `when`
            groups = [(o.when, (a,)) for o, a in zip(b.options, actions)] if b.gated else \
                [(None, tuple(actions))]
            for option_when, ids in groups:
                conds = [c for c in (b.when, option_when) if c is not None]
                if all(values_only(c) for c in conds):
                    need = 0
                    for c in conds:
                        clauses = x.clauses(c)
                        if clauses is None:
                            break
                        for text, fn in clauses:
                            if text not in clause_bit:
                                clause_bit[text] = 1 << len(clause_fns)
                                clause_fns.append((clause_bit[text], fn))
                            need |= clause_bit[text]
                    else:
                        by_values.append((bit, need, ids))
                    continue
                fns = [x.cond(c) for c in conds]
                if all(const is not False for _fn, const in fns):
                    direct.append((bit, _all([fn for fn, _c in fns if fn is not None]), ids))
        releases = []
        inject_reads = lay.values_mask | lay.released_mask
        for i in by_hand:
            test, const = x.cond(i.when)
            if const is not False:
                releases.append((lay.released[i.id], test, self.inject_action[i.id]))
                inject_reads |= x.bits_read(i.when) if i.when else 0
        last = self.PASS if x.turn < self.last else self.END
        vm, limit = lay.values_mask, self.MEMO_LIMIT
        # each allowance (the group's, or with cells each cell's and the white cell's): the
        # moves bits of its branches and how many it may play; `full` collects the moves
        # bits of every allowance used up, and a branch is open only outside them
        allowances = tuple(self.allowances)
        every = sum(mask for mask, _n in allowances)
        holding: dict[int, tuple] = {}          # packed values -> open candidates
        by_clauses: dict[int, tuple] = {}       # which clauses hold -> open candidates
        releasable: dict[int, tuple] = {}
        holding_get, releasable_get = holding.get, releasable.get
        any_branch = bool(by_values or direct)

        def open_(c: int) -> list[int]:
            full = 0
            for mask, n in allowances:
                if (c & mask).bit_count() >= n:
                    full |= mask
            if any_branch and full != every:
                v = c & vm
                cand = holding_get(v)
                if cand is None:
                    holds = 0
                    for clause, fn in clause_fns:
                        if fn(v, 0):
                            holds |= clause
                    cand = by_clauses.get(holds)     # many values give the same clauses
                    if cand is None:
                        cand = by_clauses[holds] = tuple(
                            (bit, ids) for bit, need, ids in by_values if holds & need == need)
                    if len(holding) >= limit:
                        holding.clear()
                        by_clauses.clear()
                    holding[v] = cand
                if full:
                    out = [a for bit, ids in cand if not c & bit and not mine[bit] & full
                           for a in ids]
                    for bit, fn, ids in direct:
                        if not c & bit and not mine[bit] & full and fn(v, c):
                            out += ids
                else:
                    out = [a for bit, ids in cand if not c & bit for a in ids]
                    for bit, fn, ids in direct:
                        if not c & bit and fn(v, c):
                            out += ids
            else:
                out = []
            if releases:
                key = c & inject_reads
                ready = releasable_get(key)
                if ready is None:
                    v = c & vm
                    ready = tuple(a for bit, fn, a in releases
                                  if not c & bit and (fn is None or fn(v, c)))
                    if len(releasable) >= limit:
                        releasable.clear()
                    releasable[key] = ready
                out += ready
            out.append(last)
            return out
        return open_

    def _enter(self, x: Compiler, fire):
        """`enter(c)`: pass into this turn: this turn's moves cleared, the turn advanced, the
        injects scheduled for it released (in order, each when its condition holds). With
        chance injects scheduled, `enter_odds(c)` instead (see `TurnCode`), else None."""
        lay = self.layout
        scheduled = []
        for i in self.scenario.injects.values():
            if i.turn == x.turn:
                fn, const = x.cond(i.when)
                if const is not False:
                    effects = apply(x.effects(i.effects + self.derived))
                    scheduled.append((lay.released[i.id], fn, effects, i.id, i.chance))
        clear, one, vm, ended = ~lay.moves_mask, lay.turn_one, lay.values_mask, lay.ended
        derive = apply(x.effects(self.derived))

        if any(p is not None for *_rest, p in scheduled):
            def refuse(c: int) -> int:
                raise AssertionError(f"turn {x.turn} begins with a draw: use enter_odds")

            def enter_odds(c: int) -> list[tuple[tuple, Fraction, int | None]]:
                out: list[tuple[tuple, Fraction, int | None]] = []

                def walk(k: int, c: int, p: Fraction, drawn: tuple) -> None:
                    """Release or draw the scheduled injects from the k-th on, in order."""
                    while k < len(scheduled):
                        bit, fn, effects, iid, q = scheduled[k]
                        k += 1
                        if c & ended:            # a scenario ending stops the releases
                            break
                        if c & bit or not (fn is None or fn(c & vm, c)):
                            continue
                        if q is None:
                            try:
                                c = fire(effects(c) | bit)
                            except RangeFail:
                                out.append((drawn, p, None))
                                return
                            continue
                        if q < 1:                # it does not happen
                            walk(k, c, p * (1 - q), drawn + ((iid, False),))
                        if q > 0:                # it happens
                            try:
                                fired = fire(effects(c) | bit)
                            except RangeFail:
                                out.append((drawn + ((iid, True),), p * q, None))
                                return
                            walk(k, fired, p * q, drawn + ((iid, True),))
                        return
                    out.append((drawn, p, fire(c)))

                try:
                    start = derive((c & clear) + one)
                except RangeFail:
                    return [((), Fraction(1), None)]
                walk(0, start, Fraction(1), ())
                return out
            return refuse, enter_odds

        def enter(c: int) -> int:
            c = derive((c & clear) + one)
            for bit, fn, effects, _iid, _p in scheduled:
                if c & ended:                    # a scenario ending stops the releases
                    break
                if not c & bit and (fn is None or fn(c & vm, c)):
                    c = fire(effects(c) | bit)
            return fire(c)
        return enter, None

    def _modifiers(self, x: Compiler, modifiers):
        """`mods(c)`: the sum of the roll's modifiers that apply in this state."""
        items = []
        for m in modifiers:
            fn, const = x.cond(m.when)
            if const is not False:
                value = x.expr(m.value.tree)
                items.append((fn, value.fn, value.const))
        vm = self.layout.values_mask

        def mods(c: int) -> int:
            v, total = c & vm, 0
            for when, value, const in items:
                if when is None or when(v, c):
                    total += const if value is None else value(v, c)
            return total
        return mods


def allowance_groups(scenario: Scenario, layout: Layout) -> list[tuple[int, int]]:
    """The move allowances of a turn, as the rules count them (`rules.allowance_reason`):
    without cells one, every branch against `moves_per_turn`; with cells one per cell (the
    branches whose actor it plays, against its own allowance) and one for the white cell
    (branches whose actor no cell plays, against `moves_per_turn`). Each is (the moves bits
    of its branches, how many it may play); an allowance with no branch is left out."""
    if not scenario.cells:
        return [(layout.moves_mask, scenario.moves_per_turn)]
    masks: dict[str | None, int] = {}
    for b in scenario.branches.values():
        cell = scenario.cell_of_actor(b.actor)
        key = cell.id if cell is not None else None
        masks[key] = masks.get(key, 0) | layout.moves[b.id]
    out = [(masks[c.id], c.moves_per_turn) for c in scenario.cells if c.id in masks]
    if None in masks:
        out.append((masks[None], scenario.moves_per_turn))
    return out


def _effects(outcome) -> tuple:
    return outcome.effects if outcome is not None else ()


def _all(fns: list) -> Fn:
    """The conjunction of closures `fn(v, c)` (true when there are none)."""
    if len(fns) == 1:
        return fns[0]
    return lambda v, c: all(fn(v, c) for fn in fns)


def _make_end(bit: int):
    def end(c: int) -> int:
        return c | bit
    return end


def _normalised_root(env: Env) -> GameState:
    return normalise(initial_state(env))


__all__ = ["Layout", "Machine", "RangeFail", "TurnCode", "allowance_groups"]
