"""The moves at a decision point, asked of the rules: the one list that explore, randomtest
and lint use (`available`), the facilitator policy that weighs them (`Policy`), applying a
move through the rules, and the normalised form states are compared in."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from engine.i18n import _
from engine.model import Branch, Inject, Scenario
from engine.play import rules
from engine.play.rules import Env, GameState, RuleError, values_only

# Action tuples: ("choose", branch, option) · ("roll", success) · ("release", inject)
#                ("pass",) · ("pass", ((inject, fired), …)): into a turn that draws chance
#                injects, with the draws' outcome · ("end",)
PASS = ("pass",)
END = ("end",)
ROLL_OK = ("roll", True)
ROLL_KO = ("roll", False)


class Policy:
    """Per-scenario data computed once: branches by turn, options, injects, weights.

    `injects` False means no release by hand (scheduled injects are still released by the
    rules when their turn begins)."""

    def __init__(self, scenario: Scenario, injects: bool, weights: Mapping[str, Any] | None):
        self.scenario = scenario
        self.last = scenario.last_turn
        # the most moves a turn can hold (with cells: every cell's and the white cell's)
        self.mpt = scenario.moves_per_turn + sum(c.moves_per_turn for c in scenario.cells)
        branches = list(scenario.branches.values())
        self.by_turn = [tuple(b for b in branches if t in b.turns) for t in range(self.last + 1)]
        self.expects_play = [bool(bs) for bs in self.by_turn]
        # every inject may be released by hand once the rules allow it (a scheduled one
        # only after its turn began, when its condition failed then)
        self.releasable: tuple[Inject, ...] = tuple(scenario.injects.values()) if injects else ()
        w = check_weights(scenario, weights or {})
        self.weights = w
        # per branch: ((action, weight), ...) for each option
        self.options = {
            b.id: tuple((("choose", b.id, o.id), w.get(f"{b.id}:{o.id}", w.get(b.id, 1)))
                        for o in b.options)
            for b in branches}
        self.inject_choice = {i.id: (("release", i.id), w.get(f"inject:{i.id}", 1))
                              for i in self.releasable}
        self.pass_weight = w.get("pass", 1)
        self.choice_keys: dict[tuple, str] = {action: f"{action[1]}:{action[2]}"
                            for opts in self.options.values() for action, _w in opts}
        self.choice_keys.update({action: f"inject:{iid}"
                                 for iid, (action, _w) in self.inject_choice.items()})
        # Block-check cache. A precondition that reads only variables, the turn and events
        # (no chosen()/released()) has the same truth in every state with the same turn and
        # values, so the branches whose such precondition fails are skipped without asking
        # again; whatever is left still goes through rules.block_reason, which decides.
        self._by_values: list[list[Branch]] = []    # per turn: value-only preconditions
        self._always: list[tuple[Branch, ...]] = []  # per turn: everything else
        for bs in self.by_turn:
            vo = [b for b in bs if b.when is not None and values_only(b.when)]
            self._by_values.append(vo)
            value_only = {b.id for b in vo}
            self._always.append(tuple(b for b in bs if b.id not in value_only))
        self._cache: dict[tuple, tuple[Branch, ...]] = {}

    def candidates(self, state: GameState, env: Env) -> tuple[Branch, ...]:
        """Branches of this turn not excluded by a value-only precondition (cached)."""
        key = (state.turn, state.values)
        c = self._cache.get(key)
        if c is None:
            t = state.turn
            c = self._always[t] + tuple(
                b for b in self._by_values[t] if b.when is not None and b.when.holds(state, env))
            if len(self._cache) >= 500_000:
                self._cache.clear()
            self._cache[key] = c
        return c


def check_weights(scenario: Scenario, weights: Mapping[str, Any]) -> dict[str, Any]:
    """Validate {"branch:option" | "branch" | "inject:id" | "pass": weight ≥ 0}."""
    out: dict[str, Any] = {}
    for key, value in weights.items():
        key = str(key)
        if key == "pass":
            pass
        elif key.startswith("inject:"):
            if key[7:] not in scenario.injects:
                raise ValueError(_("weights: there is no inject '{id}'").format(id=key[7:]))
        elif ":" in key:
            b, o = key.split(":", 1)
            if b not in scenario.branches or scenario.branches[b].option(o) is None:
                raise ValueError(_("weights: there is no option '{key}'").format(key=key))
        elif key not in scenario.branches:
            raise ValueError(_("weights: '{key}' is not a branch, branch:option, inject:id or "
                               "pass").format(key=key))
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
            raise ValueError(_("weights: '{key}' should be a number, found {value}").format(
                key=key, value=repr(value)))
        try:
            w = Fraction(str(value)) if not isinstance(value, (int, Fraction)) else Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise ValueError(_("weights: '{key}' should be a number, found {value}").format(
                key=key, value=repr(value))) from None
        if w < 0:
            raise ValueError(_("weights: '{key}' is negative").format(key=key))
        out[key] = w.numerator if w.denominator == 1 else w
    return out



def normalise(s: GameState) -> GameState:
    """The memoisation form: rolls 0, this turn's moves sorted, and fired signposts as a
    sorted tuple of (id, 0) — which signposts have fired, not when."""
    moves, fired = s.moves, s.fired
    if fired and (any(t for _, t in fired) or (len(fired) > 1 and list(fired) != sorted(fired))):
        fired = tuple(sorted((f, 0) for f, _ in fired))
    if len(moves) > 1 and list(moves) != sorted(moves):
        moves = tuple(sorted(moves))
    if moves is not s.moves or fired is not s.fired or s.rolls:
        return GameState(s.turn, s.values, s.chosen, moves, s.released, s.pending, fired, 0,
                         s.ended, s.ending)
    return s


def rule_refusal(state: GameState, env: Env, action: tuple) -> str:
    """The rules' message for a move the compiled machine found out of range."""
    try:
        apply_action(state, env, action)
    except RuleError as e:
        return str(e)
    raise AssertionError(f"the compiled scenario refused {action!r} but the rules allow it "
                         "(engine.analysis.machine and engine.play.rules disagree)")


def available(state: GameState, env: Env, prep: Policy) -> list[tuple[tuple, Any]]:
    """The choices at a decision point — the one list of moves the explorer, randomtest and
    lint use: (action, weight) for each open branch:option (`rules.block_reason` None), each
    inject the facilitator may release by hand (`rules.inject_block_reason` None; none when
    `prep` was made without injects), and passing (at the last turn: ending). Empty when a
    roll is pending or the session has ended (the caller resolves the roll instead)."""
    if state.pending is not None or state.ended:
        return []
    out: list[tuple[tuple, Any]] = []
    if len(state.moves) < prep.mpt:          # otherwise block_reason says the moves are used
        chosen = state.chosen
        options = prep.options
        block_reason = rules.block_reason
        for b in prep.candidates(state, env):
            if not b.repeatable and b.id in chosen:
                continue                      # block_reason: already played (once per session)
            if block_reason(b, state, env) is None:
                if b.gated:
                    out += [choice for o, choice in zip(b.options, options[b.id])
                            if rules.option_block_reason(o, state, env) is None]
                else:
                    out += options[b.id]
    if prep.releasable:
        released = state.released
        inject_block = rules.inject_block_reason
        for i in prep.releasable:
            if i.id not in released and inject_block(i, state, env) is None:
                out.append(prep.inject_choice[i.id])
    out.append((PASS, prep.pass_weight))
    return out


def apply_action(state: GameState, env: Env, action: tuple) -> GameState:
    """Apply one action through the rules (RuleError as the rules raise it)."""
    kind = action[0]
    if kind == "choose":
        return rules.choose(state, env, action[1], action[2])
    if kind == "roll":
        return rules.resolve(state, env, action[1])
    if kind == "release":
        return rules.release(state, env, action[1])
    if kind == "pass":
        if state.turn >= env.scenario.last_turn:
            return rules.end(state)
        if len(action) > 1:      # with the outcome of the chance injects drawn (format 2)
            try:
                return rules.next_turn_drawn(state, env, dict(action[1]))[0]
            except rules.Undecided as u:
                raise RuleError(_("the step does not say whether '{title}' happens: add "
                                  "+{id} or -{id}").format(title=u.inject.title,
                                                           id=u.inject.id)) from None
        return rules.next_turn(state, env)[0]
    if kind == "end":
        return rules.end(state)
    raise ValueError(f"unknown action {action!r}")


def is_dead_end(state: GameState, choices: list, prep: Policy) -> bool:
    """Whether `state`, entered by passing (the turn change), is a dead end: turn ≥ 1 where
    the scenario expects play (some branch's window includes it), no move played yet this
    turn, nothing pending, and the only choice (`available`) is to pass. The caller checks
    how the state was entered: one reached by a release in mid-turn is not a dead end."""
    return (state.turn >= 1 and not state.moves and state.pending is None and not state.ended
            and prep.expects_play[state.turn] and len(choices) == 1)
