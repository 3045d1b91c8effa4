"""Branches that can never be played, proved without enumerating the states.

When exploration cannot finish, lint still wants to know whether a branch is dead. This
computes, for every variable separately, a set of values that contains every value it can
ever take (an over-approximation: a fixpoint over every effect of every branch, outcome and
inject that might be played or released, ignoring the order of turns, how many moves a turn
allows and whether a branch was played already). A clause of a precondition that is false
for every combination of those values (and every turn of the branch's window, and every
possible `chosen`/`released` flag) can never hold, so the branch can never be played. The
converse does not follow: a branch not proved dead here may still be dead; only a complete
exploration says so. Whenever a set grows too large to enumerate, the answer is "maybe",
never a false proof.
"""

from __future__ import annotations

import contextlib
import itertools

from engine.lang import expr as X
from engine.model import Clause, CondEffect, Scenario
from engine.play.rules import Env, GameState, initial_state

CAP = 4096          # contexts tried per clause or effect; beyond it the answer is "maybe"
MAX_VALUES = 512    # values kept per variable; beyond it the variable is "anything"


class _Top(Exception):
    """A variable's values are no longer enumerated: anything reading it may hold."""


def never_playable(scenario: Scenario, switched_off=()) -> list[tuple[str, str]]:
    """(branch id, the clause that can never hold) for every branch proved never playable."""
    return _Fixpoint(scenario, switched_off).run()


class _Fixpoint:
    def __init__(self, scenario: Scenario, switched_off):
        self.sc = scenario
        self.env = Env.for_session(scenario, switched_off)
        self.vars = {v.id: v for v in scenario.variables}
        # Format 2: an initial value may read the events (after the switches), so start from
        # the rules' own initial state; a derived variable may take any value.
        self.initial = initial_state(self.env).values
        self.values: dict[str, set] = {v.id: {self.initial[v.index]}
                                       for v in scenario.variables}
        self.top: set[str] = {v.id for v in scenario.variables if v.derived is not None}
        self.chosen: set[str] = set()       # keys that may have been chosen
        self.released: set[str] = set()
        self.all_turns = range(len(scenario.turns))

    # -- reads
    def _clause_reads(self, clause: Clause):
        vars_, chosen, released, turn = [], [], [], False
        for label, _fn, _t in clause.typed.refs:
            if label in self.vars:
                vars_.append(label)
            elif label == "turn" or label.startswith("occurred("):
                turn = True
            elif label.startswith("chosen("):
                chosen.append(label[7:-1].replace(", ", ":"))
            elif label.startswith("released("):
                released.append(label[9:-1])
        return list(dict.fromkeys(vars_)), chosen, released, turn

    def _effect_reads(self, eff: X.Effect):
        node = X.parse_effect(eff.text)
        vars_ = [node.target] if node.op != "=" else []
        chosen, released, turn = [], [], False

        def walk(n):
            nonlocal turn
            if n.kind == "name" and n.value in self.vars:
                vars_.append(n.value)
            elif n.kind == "name" and n.value == "turn":
                turn = True
            elif n.kind == "call" and n.args and n.args[0].kind == "name":
                key = ":".join(a.value for a in n.args if a.kind == "name")
                if n.value == "occurred":
                    turn = True
                elif n.value == "chosen":
                    chosen.append(key)
                elif n.value == "released":
                    released.append(key)
            for a in n.args:
                if isinstance(a, X.Node):
                    walk(a)
        walk(node.expr)
        return list(dict.fromkeys(vars_)), chosen, released, turn

    def _contexts(self, vars_, chosen, released, turns):
        """Every state the reads can see: GameStates over the product of their values."""
        if any(v in self.top for v in vars_):
            raise _Top
        dims = [sorted(self.values[v], key=repr) for v in vars_]
        dims += [[False, True] if k in self.chosen else [False] for k in chosen]
        dims += [[False, True] if k in self.released else [False] for k in released]
        dims.append(list(turns))
        size = 1
        for d in dims:
            size *= len(d)
        if size > CAP:
            raise _Top
        index = [self.vars[v].index for v in vars_]
        for ctx in itertools.product(*dims):
            vals = list(self.initial)
            for i, value in zip(index, ctx):
                vals[i] = value
            flags = ctx[len(vars_):-1]
            on = {k for k, f in zip(chosen, flags[:len(chosen)]) if f}
            on |= {k.split(":", 1)[0] for k in on}
            rel = frozenset(k for k, f in zip(released, flags[len(chosen):]) if f)
            yield GameState(ctx[-1], tuple(vals), frozenset(on), (), rel)

    def may_hold(self, clause: Clause, turns) -> bool:
        vars_, chosen, released, reads_turn = self._clause_reads(clause)
        try:
            for s in self._contexts(vars_, chosen, released,
                                    turns if reads_turn else [min(turns)]):
                fn = clause.typed.fn
                assert fn is not None            # every checked clause has its closure
                try:
                    if fn(s, self.env):
                        return True
                except (LookupError, TypeError, ValueError):   # a state the rules would
                    return True                                # never build: say maybe
        except _Top:
            return True
        return False

    def blocking_clause(self, when, turns) -> Clause | str | None:
        """A clause of `when` that can never hold in `turns`, "turns" when no turn of the
        window exists, or None."""
        if not turns:
            return "turns"                   # no turn of its window exists
        if when is None:
            return None
        for clause in when.clauses:
            if not self.may_hold(clause, turns):
                return clause
        return None

    def apply(self, effects, turns) -> bool:
        """Add what these effects can produce; True when anything grew."""
        grew = False
        for eff in _flat(effects):
            target = eff.variable
            if target in self.top:
                continue
            vars_, chosen, released, reads_turn = self._effect_reads(eff)
            new: set = set()
            try:
                for s in self._contexts(vars_, chosen, released,
                                        turns if reads_turn else [min(turns)]):
                    # out of range: that choice is refused
                    with contextlib.suppress(X.EffectRangeError):
                        new.add(eff.apply(s, self.env))
            except _Top:
                self.top.add(target)
                grew = True
                continue
            if not new <= self.values[target]:
                self.values[target] |= new
                grew = True
                if len(self.values[target]) > MAX_VALUES:
                    self.top.add(target)
        return grew

    def run(self) -> list[tuple[str, str]]:
        branches = list(self.sc.branches.values())
        injects = list(self.sc.injects.values())
        playable: set[str] = set()
        releasable: set[str] = set()
        last = len(self.sc.turns) - 1
        grew = True
        while grew:
            grew = False
            for b in branches:
                turns = sorted(b.turns)
                if b.id not in playable and self.blocking_clause(b.when, turns) is None:
                    playable.add(b.id)
                    self.chosen.add(b.id)
                    self.chosen.update(f"{b.id}:{o.id}" for o in b.options)
                    grew = True
                if b.id in playable:
                    for o in b.options:
                        outcomes = (o.on_success, o.on_failure, *(x for _r, x in o.outcomes))
                        for effects in (o.effects, *(x.effects for x in outcomes if x)):
                            grew = self.apply(effects, turns) or grew
            for i in injects:
                turns = list(range(i.turn, last + 1)) if i.turn is not None else list(
                    self.all_turns)
                if i.id not in releasable and self.blocking_clause(i.when, turns) is None:
                    releasable.add(i.id)
                    self.released.add(i.id)
                    grew = True
                if i.id in releasable:
                    grew = self.apply(i.effects, turns) or grew
        out = []
        for b in branches:
            if b.id not in playable:
                clause = self.blocking_clause(b.when, sorted(b.turns))
                text = clause if isinstance(clause, str) else \
                    clause.text if clause is not None else "?"
                out.append((b.id, text))
        return out


def _flat(effects):
    """Effects with every `{if, then, else}` opened up: both sides may apply (the order of
    effects is ignored here anyway, so this only widens the over-approximation)."""
    for eff in effects:
        if isinstance(eff, CondEffect):
            yield from _flat(eff.then)
            yield from _flat(eff.otherwise)
        else:
            yield eff
