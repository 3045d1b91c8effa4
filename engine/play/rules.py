"""The rules of play as pure functions over an immutable `GameState`.

The session (with its log), replay, and the explorer all move through states with these
functions, so they cannot disagree about what a move does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, Literal

import attrs

from engine.i18n import _, ngettext
from engine.lang.expr import Effect
from engine.lang.tree import EffectRangeError
from engine.model import (
    Branch,
    Cell,
    Clause,
    CondEffect,
    Condition,
    Inject,
    Option,
    Scenario,
    Variable,
    to_json_value,
)
from engine.play.dice import Roll, draw_below, roll_dice


@attrs.frozen
class Pending:
    """A contested option chosen and waiting for its adjudication."""

    branch: str
    option: str


@attrs.frozen(cache_hash=True)
class GameState:
    turn: int
    values: tuple
    chosen: frozenset[str] = frozenset()     # "branch" and "branch:option" ever chosen
    moves: tuple[str, ...] = ()              # branches played this turn, in order
    released: frozenset[str] = frozenset()   # injects released
    pending: Pending | None = None
    fired: tuple[tuple[str, int], ...] = ()  # signposts fired: (id, turn)
    rolls: int = 0                           # how many rolls the generator has made
    ended: bool = False
    ending: str | None = None                # the scenario ending that ended it (format 2)


def _replace(s: GameState, turn: int | None = None, values: tuple | None = None,
             chosen: frozenset[str] | None = None, moves: tuple[str, ...] | None = None,
             released: frozenset[str] | None = None,
             pending: Pending | None | Literal[False] = False,
             fired: tuple[tuple[str, int], ...] | None = None, rolls: int | None = None,
             ended: bool | None = None, ending: str | None = None) -> GameState:
    """attrs.evolve for GameState without its per-call introspection: every move goes
    through here, and exploration makes millions (`pending=None` clears the roll)."""
    return GameState(s.turn if turn is None else turn, s.values if values is None else values,
                     s.chosen if chosen is None else chosen, s.moves if moves is None else moves,
                     s.released if released is None else released,
                     s.pending if pending is False else pending,
                     s.fired if fired is None else fired, s.rolls if rolls is None else rolls,
                     s.ended if ended is None else ended, s.ending if ending is None else ending)


@attrs.frozen
class Env:
    """What stays fixed through a session: the scenario and the events that occurred."""

    scenario: Scenario
    occurred: tuple[frozenset[str], ...]     # per turn
    switched_off: frozenset[str] = frozenset()
    seed: int = 0

    @classmethod
    def for_session(cls, scenario: Scenario, switched_off: Iterable[str] = (),
                    seed: int = 0) -> Env:
        off = frozenset(switched_off)
        return cls(scenario, scenario.occurred_by_turn(off), off, seed)


class RuleError(Exception):
    """A move that the rules do not allow now; the message is for the facilitator."""


def initial_state(env: Env) -> GameState:
    """Turn 0: each variable's initial value (a format-2 initial reads the events that
    occurred by the start, after the session's switches), then the derived variables."""
    s = GameState(0, tuple(v.initial for v in env.scenario.variables))
    values = [initial_value(v, s, env) for v in env.scenario.variables]
    s = _replace(s, values=tuple(apply_effects((), s, env, values)))
    return fire_signposts(env, s)


def initial_value(var: Variable, state: GameState, env: Env) -> Any:
    for cond, value in var.initial_cases:
        if cond is None or cond.holds(state, env):
            return value
    return var.initial


def _derived(scenario: Scenario) -> tuple[Effect, ...]:
    found = _DERIVED.get(id(scenario))
    if found is None or found[0] is not scenario:
        if len(_DERIVED) >= 16:
            _DERIVED.pop(next(iter(_DERIVED)))
        found = _DERIVED[id(scenario)] = (
            scenario, tuple(v.derived for v in scenario.variables if v.derived is not None))
    return found[1]


_DERIVED: dict[int, tuple[Scenario, tuple[Effect, ...]]] = {}


# ---------------------------------------------------------------------------- queries

@attrs.frozen
class ClauseResult:
    text: str
    holds: bool
    values: tuple[tuple[str, str], ...]   # (name, shown value) for everything it reads


def explain(cond: Condition | None, state: GameState, env: Env) -> tuple[ClauseResult, ...]:
    from engine.model import show_value
    if cond is None:
        return ()
    out = []
    for clause in cond.clauses:
        fn = clause.typed.fn
        assert fn is not None       # every clause of a loaded scenario is checked
        values = []
        for label, read, t in clause.typed.refs:
            pair = (label, show_value(t, read(state, env)))
            if pair not in values:
                values.append(pair)
        out.append(ClauseResult(clause.text, bool(fn(state, env)), tuple(values)))
    return tuple(out)


def block_reason(branch: Branch, state: GameState, env: Env, *,
                 words: bool = False) -> str | None:
    """Why a branch cannot be played now (one line), or None if it is open. With `words`,
    for the room: variables by their labels, events and branches by their titles."""
    blocked = block(branch, state, env, words=words)
    return None if blocked is None else blocked[1]


def block(branch: Branch, state: GameState, env: Env, *,
          words: bool = False) -> tuple[str, str] | None:
    """Why a branch cannot be played now, as (kind, one line), or None if it is open. The
    kind, one of BLOCK_KINDS, lets a screen say it shorter (a list's status line)."""
    if state.ended:
        return "ended", _("the session has ended")
    if state.turn not in branch.turns:
        return "turn", _("not playable in turn {turn} (turns {turns})").format(
            turn=state.turn, turns=turns_text(branch.turns))
    if branch.repeatable:
        if branch.id in state.moves:
            return "played_this_turn", _("already played this turn")
    elif branch.id in state.chosen:
        return "played", _("already played (once per session)")
    if branch.when is not None:
        for clause in branch.when.clauses:
            fn = clause.typed.fn
            assert fn is not None   # every clause of a loaded scenario is checked
            if not fn(state, env):
                if words:
                    return "when", _("needs {condition}").format(
                        condition=clause_in_words(clause, state, env))
                return "when", _("precondition fails: {clause}").format(clause=clause.text)
    if branch.gated:
        reasons = [option_block_reason(o, state, env) for o in branch.options]
        if all(reasons):
            return "options", _("no option is open ({option}: {reason})").format(
                option=branch.options[0].id, reason=reasons[0])
    if state.pending is not None:
        return "roll", _("waiting for the roll on '{branch}'").format(
            branch=_title(env, state.pending.branch))
    used_up = allowance_reason(env.scenario, state, env.scenario.cell_of_actor(branch.actor)
                               if env.scenario.cells else None)
    return None if used_up is None else ("moves", used_up)


BLOCK_KINDS = ("ended", "turn", "played_this_turn", "played", "when", "options", "roll",
               "moves")


def allowance_reason(scenario: Scenario, state: GameState, cell: Cell | None) -> str | None:
    """Why `cell` (None: the group, or with cells the white cell) has no move left this turn.
    Without cells every move counts against the scenario's moves_per_turn; with cells each
    cell's moves count against its own allowance."""
    if scenario.cells:
        n = cell.moves_per_turn if cell is not None else scenario.moves_per_turn
        used = sum(1 for m in state.moves if scenario.cell_of_move(m) == cell)
    else:
        n, used = scenario.moves_per_turn, len(state.moves)
    if used >= n:
        if not scenario.cells:
            return ngettext("this turn's {n} move has been played",
                            "this turn's {n} moves have been played", n).format(n=n)
        if cell is None:
            return ngettext("the white cell's {n} move has been played",
                            "the white cell's {n} moves have been played", n).format(n=n)
        return ngettext("{cell}'s {n} move has been played", "{cell}'s {n} moves have been played",
                        n).format(cell=cell.name, n=n)
    return None


def option_block_reason(option: Option, state: GameState, env: Env) -> str | None:
    """Why an option of an open branch cannot be chosen now (its own `when`), or None."""
    if option.when is not None:
        for clause in option.when.clauses:
            fn = clause.typed.fn
            assert fn is not None   # every clause of a loaded scenario is checked
            if not fn(state, env):
                return _("condition fails: {clause}").format(clause=clause.text)
    return None
def _title(env: Env, branch_id: str) -> str:
    b = env.scenario.branches.get(branch_id)
    return b.title if b is not None else branch_id


def clause_in_words(clause: Clause, state: GameState, env: Env) -> str:
    """A clause as the room reads it: `office == agreed` → `Liaison office == agreed (now
    negotiating)`; `occurred(x)` → `“Title of x” to have occurred`."""
    from engine.model import show_value
    sc = env.scenario
    text = clause.text
    now = []
    for label, fn, t in clause.typed.refs:
        if label.startswith("occurred("):
            ev = sc.events.get(label[len("occurred("):-1])
            if ev is not None:
                text = text.replace(label, _("“{event}” to have occurred").format(
                    event=ev.title))
            continue
        var = sc.variable(label)
        if var is None:
            continue
        name = var.label or var.id
        text = re.sub(rf"(?<![\w.]){re.escape(label)}(?![\w(])", _literally(name), text)
        shown = _("now {value}").format(value=show_value(t, fn(state, env)))
        if shown not in now:
            now.append(shown)
    return text + (f" ({'; '.join(now)})" if now else "")


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for re.sub that inserts `text` as it is (no backslash escapes)."""
    return lambda _m: text


def turns_text(turns: frozenset[int]) -> str:
    nums = sorted(turns)
    if not nums:
        return _("none")
    if nums == list(range(nums[0], nums[-1] + 1)) and len(nums) > 2:
        return f"{nums[0]}–{nums[-1]}"
    return ", ".join(map(str, nums))


def open_branches(state: GameState, env: Env) -> list[Branch]:
    return [b for b in env.scenario.branches.values() if block_reason(b, state, env) is None]


def inject_block_reason(inject: Inject, state: GameState, env: Env, *,
                        words: bool = False, drawing: bool = False) -> str | None:
    """Why an inject cannot be released now, or None. A chance inject (format 2) is never
    released by hand: only its draw, when its turn begins (`drawing`), releases it."""
    if state.ended:
        return _("the session has ended")
    if inject.id in state.released:
        return _("already released")
    if inject.chance is not None and not drawing:       # drawn, never scheduled
        return _("drawn when turn {turn} begins (chance {p})").format(
            turn=inject.turn, p=chance_text(inject.chance))
    if inject.turn is not None and inject.turn > state.turn:
        return _("scheduled for turn {turn}").format(turn=inject.turn)
    if inject.when is not None:
        for clause in inject.when.clauses:
            fn = clause.typed.fn
            assert fn is not None   # every clause of a loaded scenario is checked
            if not fn(state, env):
                if words:
                    return _("needs {condition}").format(
                        condition=clause_in_words(clause, state, env))
                return _("condition fails: {clause}").format(clause=clause.text)
    return None


# ---------------------------------------------------------------------------- moves

def apply_effects(effects: Iterable[Effect | CondEffect], state: GameState, env: Env,
                  values: list | None = None) -> list:
    """Apply effects in order, each seeing the previous, then recompute the derived
    variables; RuleError if one leaves its range."""
    values = list(state.values) if values is None else values
    derived = _derived(env.scenario)
    for eff in (*effects, *derived) if derived else effects:
        current = _replace(state, values=tuple(values))
        if isinstance(eff, CondEffect):          # read here, after the effects before it
            branch = eff.then if eff.when.holds(current, env) else eff.otherwise
            _apply_plain(branch, state, env, values)
            continue
        try:
            values[eff.index] = eff.apply(current, env)
        except EffectRangeError as e:
            raise RuleError(_("effect `{effect}`: {problem}").format(effect=eff.text,
                                                                      problem=e)) from None
    return values


def _apply_plain(effects: Iterable[Effect | CondEffect], state: GameState, env: Env,
                 values: list) -> None:
    """Effects in order (conditional ones too), without recomputing derived variables."""
    for eff in effects:
        current = _replace(state, values=tuple(values))
        if isinstance(eff, CondEffect):
            _apply_plain(eff.then if eff.when.holds(current, env) else eff.otherwise,
                         state, env, values)
            continue
        try:
            values[eff.index] = eff.apply(current, env)
        except EffectRangeError as e:
            raise RuleError(_("effect `{effect}`: {problem}").format(effect=eff.text,
                                                                      problem=e)) from None


def choose(state: GameState, env: Env, branch_id: str, option_id: str) -> GameState:
    branch = env.scenario.branches.get(branch_id)
    if branch is None:
        raise RuleError(_("there is no branch '{branch}'").format(branch=branch_id))
    option = branch.option(option_id)
    if option is None:
        raise RuleError(_("branch '{branch}' has no option '{option}'").format(
            branch=branch_id, option=option_id))
    if block_reason(branch, state, env):
        raise RuleError(_("'{branch}' cannot be played: {reason}").format(
            branch=branch.title, reason=block_reason(branch, state, env, words=True)))
    reason = option_block_reason(option, state, env)
    if reason:
        raise RuleError(_("'{option}' cannot be chosen: {reason}").format(option=option.label,
                                                                           reason=reason))
    values = apply_effects(option.effects, state, env)
    new = _replace(
        state, values=tuple(values),
        chosen=state.chosen | {branch.id, f"{branch.id}:{option.id}"},
        moves=state.moves + (branch.id,),
        pending=Pending(branch.id, option.id) if option.contested else None)
    new = fire_branch_signposts(branch, new)
    return fire_signposts(env, new)


def pending_option(state: GameState, env: Env) -> tuple[Branch, Option]:
    if state.pending is None:
        raise RuleError(_("no roll is waiting: choose a contested option first"))
    branch = env.scenario.branches[state.pending.branch]
    option = branch.option(state.pending.option)
    assert option is not None   # a pending option was chosen from this branch of this scenario
    return branch, option


def modifiers_now(branch: Branch, state: GameState, env: Env) -> list[tuple[str, int]]:
    """The modifiers that apply in this state, with their values."""
    if branch.adjudication is None:
        return []
    out = []
    for m in branch.adjudication.modifiers:
        if m.when is None or m.when.holds(state, env):
            fn = m.value.fn
            assert fn is not None   # a modifier's value is a checked whole expression
            out.append((m.label, int(fn(state, env))))
    return out


def resolve(state: GameState, env: Env, result: bool | str) -> GameState:
    """Apply the outcome of the pending adjudication: `result` is True/False (success or
    failure) for a roll against a target, a band's id for a graded roll."""
    branch, option = pending_option(state, env)
    adj = branch.adjudication
    if adj is not None and (adj.graded != isinstance(result, str)
                            or isinstance(result, str) and adj.band(result) is None):
        if not adj.graded:
            raise RuleError(_("this roll succeeds or fails: it has no graded results"))
        raise RuleError(_("the roll has no result '{result}' (results: {results})").format(
            result=result, results=", ".join(b.id for b in adj.bands)))
    outcome = option.outcome(result)
    values = apply_effects(outcome.effects if outcome else (), state, env)
    new = _replace(state, values=tuple(values), pending=None)
    return fire_signposts(env, new)


def roll(state: GameState, env: Env) -> tuple[GameState, Roll]:
    """Roll the pending adjudication with the session's generator and apply the outcome."""
    branch, _option = pending_option(state, env)
    adj = branch.adjudication
    assert adj is not None      # the loader gives every branch with a contested option one
    faces = roll_dice(env.seed, state.rolls, adj.count, adj.sides)
    mods = modifiers_now(branch, state, env)
    total = sum(faces) + sum(v for _, v in mods)
    if adj.graded:
        band = adj.band_of(total)
        result = Roll(adj.dice, faces, tuple(mods), total, 0, False, band.id, band.label)
    elif adj.opposed:          # the opposing pool is the generator's next roll
        against = roll_dice(env.seed, state.rolls + 1, adj.against_count, adj.against_sides)
        other = sum(against)
        won = total > other or (total == other and adj.ties == "success")
        result = Roll(adj.dice, faces, tuple(mods), total, other, won,
                      against=against, against_dice=adj.against_dice)
        counted = _replace(state, rolls=state.rolls + 2)
        return resolve(counted, env, result.result), result
    else:
        result = Roll(adj.dice, faces, tuple(mods), total, adj.target, total >= adj.target)
    counted = _replace(state, rolls=state.rolls + 1)
    return resolve(counted, env, result.result), result


def argue(state: GameState, env: Env, cell_id: str, target: int) -> tuple[GameState, Roll]:
    """A matrix-game argument by a cell ("" without cells): roll the scenario's argument
    dice against the target its strength gives. It counts as one of the cell's moves; its
    effects, on success, are applied by the facilitator through overrides."""
    if state.ended:
        raise RuleError(_("the session has ended"))
    if state.pending is not None:
        raise RuleError(_("roll for '{branch}' first (or undo the choice)").format(
            branch=_title(env, state.pending.branch)))
    sc = env.scenario
    cell = sc.cell(cell_id) if cell_id else None
    if sc.cells and cell is None:
        raise RuleError(_("there is no cell '{cell}' (cells: {cells})").format(
            cell=cell_id, cells=', '.join(c.name for c in sc.cells)))
    reason = allowance_reason(sc, state, cell)
    if reason:
        raise RuleError(_("no argument now: {reason}").format(reason=reason))
    rules = sc.arguments
    faces = roll_dice(env.seed, state.rolls, rules.count, rules.sides)
    total = sum(faces)
    result = Roll(rules.dice, faces, (), total, target, total >= target)
    return _replace(state, rolls=state.rolls + 1,
                    moves=state.moves + (f"argument:{cell_id}",)), result


def release(state: GameState, env: Env, inject_id: str, *, drawing: bool = False) -> GameState:
    inject = env.scenario.injects.get(inject_id)
    if inject is None:
        raise RuleError(_("there is no inject '{inject}'").format(inject=inject_id))
    if inject_block_reason(inject, state, env, drawing=drawing):
        raise RuleError(_("'{inject}' cannot be released: {reason}").format(
            inject=inject.title,
            reason=inject_block_reason(inject, state, env, words=True, drawing=drawing)))
    values = apply_effects(inject.effects, state, env)
    new = _replace(state, values=tuple(values), released=state.released | {inject.id})
    return fire_signposts(env, new)


def override(state: GameState, env: Env, variable: str, value: Any) -> GameState:
    var = env.scenario.variable(variable)
    if var is None:
        raise RuleError(_("there is no state variable '{name}'").format(name=variable))
    if var.derived is not None:
        raise RuleError(_("'{name}' is derived ({derivation}): set the variables it is "
                          "derived from").format(name=variable, derivation=var.derived.text))
    values = list(state.values)
    values[var.index] = value
    values = apply_effects((), state, env, values)
    return fire_signposts(env, _replace(state, values=tuple(values)))


@attrs.frozen
class Draw:
    """A chance inject's draw when its turn began (format 2): the draw, from 0 to `of` − 1,
    fires the inject when it is below `below` (its chance is below/of)."""

    inject: str
    draw: int
    below: int
    of: int

    @property
    def fired(self) -> bool:
        return self.draw < self.below

    def as_json(self) -> dict:
        return {"inject": self.inject, "draw": self.draw,
                "chance": chance_text(Fraction(self.below, self.of)), "fired": self.fired}


def chance_text(p: Fraction) -> str:
    """A probability as authors write it: 1/6, 1/4, 1 or 0."""
    return str(p.numerator) if p.denominator == 1 else f"{p.numerator}/{p.denominator}"


def next_turn(state: GameState, env: Env) -> tuple[GameState, list[str]]:
    """Advance one turn; scheduled injects for the new turn are released. Returns them too."""
    new, released, _draws = next_turn_drawn(state, env)
    return new, released


class Undecided(Exception):
    """`next_turn_drawn` with `forced` met a chance inject that `forced` does not decide."""

    def __init__(self, inject: Inject):
        super().__init__(inject.id)
        self.inject = inject


def next_turn_drawn(state: GameState, env: Env, forced: dict[str, bool] | None = None
                    ) -> tuple[GameState, list[str], list[Draw]]:
    """Advance one turn: the injects scheduled for the new turn are released, in scenario
    order, each when its condition holds; a chance inject (format 2) is drawn then, from
    the session's generator, and released if the draw fires it. Returns the new state, the
    injects released and the draws made.

    `forced` (analysis only: a path through a chance node) says which chance injects fire
    instead of drawing; one it does not name raises `Undecided`, and an outcome its chance
    makes impossible (firing at 0, missing at 1) raises RuleError."""
    if state.ended:
        raise RuleError(_("the session has ended"))
    if state.pending is not None:
        raise RuleError(_("roll for '{branch}' before moving on (or undo the choice)").format(
            branch=_title(env, state.pending.branch)))
    if state.turn >= env.scenario.last_turn:
        raise RuleError(_("this is the last turn: end the session instead"))
    new = _replace(state, turn=state.turn + 1, moves=())
    if _derived(env.scenario):          # a derivation may read the turn or occurred(…)
        new = _replace(new, values=tuple(apply_effects((), new, env)))
    released: list[str] = []
    draws: list[Draw] = []
    for inject in env.scenario.injects.values():
        if inject.turn == new.turn and inject_block_reason(inject, new, env,
                                                           drawing=True) is None:
            if inject.chance is not None:
                p = inject.chance
                if forced is None:
                    drawn = draw_below(env.seed, new.rolls, p.denominator)
                elif inject.id not in forced:
                    raise Undecided(inject)
                elif not (p > 0 if forced[inject.id] else p < 1):
                    raise RuleError((_("'{title}' cannot happen at chance {p}")
                                     if forced[inject.id] else
                                     _("'{title}' cannot fail to happen at chance {p}")).format(
                        title=inject.title, p=chance_text(p)))
                else:
                    drawn = 0 if forced[inject.id] else p.numerator
                draw = Draw(inject.id, drawn, p.numerator, p.denominator)
                new = _replace(new, rolls=new.rolls + 1)
                draws.append(draw)
                if not draw.fired:
                    continue
            new = release(new, env, inject.id, drawing=True)
            released.append(inject.id)
    return fire_signposts(env, new), released, draws


def turn_outcomes(state: GameState, env: Env) -> list[tuple[Fraction, tuple, GameState | str]]:
    """Every way the next turn can begin, through the chance injects drawn then, with its
    exact probability: (p, ((inject, fired), …) in draw order, the new state or the rules'
    refusal). One outcome, with p = 1 and no draws, when nothing is drawn. The reference
    for the explorer's chance nodes (`engine.analysis.machine`)."""
    out: list[tuple[Fraction, tuple, GameState | str]] = []
    todo: list[dict[str, bool]] = [{}]
    chance = {i.id: i.chance for i in env.scenario.injects.values() if i.chance is not None}
    while todo:
        forced = todo.pop()
        new: GameState | str
        try:
            new, _released, draws = next_turn_drawn(state, env, forced)
        except Undecided as u:
            p = chance[u.inject.id]
            todo += [{**forced, u.inject.id: fired} for fired, q in ((False, 1 - p), (True, p))
                     if q]
            continue
        except RuleError as e:
            new, draws = str(e), [Draw(i, 0 if f else 1, 1, 2) for i, f in forced.items()]
        p = Fraction(1)
        for d in draws:
            p *= chance[d.inject] if d.fired else 1 - chance[d.inject]
        out.append((p, tuple((d.inject, d.fired) for d in draws), new))
    return out


def end(state: GameState) -> GameState:
    if state.pending is not None:
        raise RuleError(_("roll for '{branch}' before ending (or undo the choice)").format(
            branch=state.pending.branch))
    return _replace(state, ended=True)


# ---------------------------------------------------------------------------- signposts

def fire_branch_signposts(branch: Branch, state: GameState) -> GameState:
    new = [(s.id, state.turn) for s in branch.signposts if s.when is None]
    known = {sid for sid, _ in state.fired}
    new = [p for p in new if p[0] not in known]
    return _replace(state, fired=state.fired + tuple(new)) if new else state


def fire_signposts(env: Env, state: GameState) -> GameState:
    """After every move: fire the signposts (`_fire_signposts`), then end the session if a
    scenario ending (format 2) holds and no roll is pending."""
    state = _fire_signposts(env, state)
    endings = env.scenario.endings
    if endings and not state.ended and state.pending is None:
        for e in endings:
            if e.when.holds(state, env):
                return _replace(state, ended=True, ending=e.id)
    return state


def _fire_signposts(env: Env, state: GameState) -> GameState:
    """Record every conditional signpost whose condition holds for the first time.

    Scenario signposts first, then each branch's, in order. A condition that reads only
    variables, the turn and events (no chosen()/released()) has one truth per (events that
    occurred, turn, values), so its truth is remembered: this runs after every move, and
    exploration makes millions of moves."""
    plan = _signpost_plan(env.scenario)
    if not plan.signposts:
        return state
    known = {sid for sid, _ in state.fired}
    holding = None
    if not plan.others:                  # the common case: nothing new can fire
        holding = plan.holding(state, env)
        if not holding or holding <= known:
            return state
    new = []
    for s, when, values_only in plan.signposts:
        if s.id in known:
            continue
        if values_only:
            if holding is None:
                holding = plan.holding(state, env)
            ok = s.id in holding
        else:
            ok = when.holds(state, env)
        if ok:
            new.append((s.id, state.turn))
    return _replace(state, fired=state.fired + tuple(new)) if new else state


class _SignpostPlan:
    """A scenario's conditional signposts in firing order, with a memo of the truth of those
    whose condition reads only variables, the turn and events."""

    MEMO_LIMIT = 200_000

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        ordered = list(scenario.signposts) + [s for b in scenario.branches.values()
                                              for s in b.signposts]
        # (signpost, its condition, whether it reads only values): a scenario's signposts
        # all have a condition, and a branch's that have none fire when it is played
        self.signposts = tuple((s, s.when, values_only(s.when)) for s in ordered
                               if s.when is not None)
        self.by_values = tuple((s.id, when) for s, when, v in self.signposts if v)
        self.others = tuple(s for s, _when, v in self.signposts if not v)
        self.memo: dict[tuple, dict[tuple, frozenset[str]]] = {}

    def holding(self, state: GameState, env: Env) -> frozenset[str]:
        memo = self.memo.get(env.occurred)
        if memo is None:
            memo = self.memo[env.occurred] = {}
        key = (state.turn, state.values)
        found = memo.get(key)
        if found is None:
            if len(memo) >= self.MEMO_LIMIT:
                memo.clear()
            found = memo[key] = frozenset(sid for sid, when in self.by_values
                                          if when.holds(state, env))
        return found


def values_only(cond: Condition) -> bool:
    return not any(label.startswith(("chosen(", "released("))
                   for clause in cond.clauses for label, _fn, _t in clause.typed.refs)


_PLANS: dict[int, _SignpostPlan] = {}


def _signpost_plan(scenario: Scenario) -> _SignpostPlan:
    plan = _PLANS.get(id(scenario))
    if plan is None or plan.scenario is not scenario:
        if len(_PLANS) >= 16:
            _PLANS.pop(next(iter(_PLANS)))
        plan = _PLANS[id(scenario)] = _SignpostPlan(scenario)
    return plan


# ---------------------------------------------------------------------------- hashing

def state_json(state: GameState, env: Env) -> dict:
    """The plain, canonical form of a state, as logged and hashed."""
    return {
        "turn": state.turn,
        "values": {v.id: to_json_value(v.type, state.values[v.index])
                   for v in env.scenario.variables},
        "chosen": sorted(state.chosen),
        "moves": list(state.moves),
        "released": sorted(state.released),
        "pending": [state.pending.branch, state.pending.option] if state.pending else None,
        "fired": [list(p) for p in state.fired],
        "rolls": state.rolls,
        "ended": state.ended,
        # only when set, so that the hashes of sessions without endings stay as they were
        **({"ending": state.ending} if state.ending else {}),
    }


def state_hash(state: GameState, env: Env) -> str:
    text = json.dumps(state_json(state, env), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
