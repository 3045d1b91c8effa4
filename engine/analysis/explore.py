"""Exhaustive exploration of a scenario's reachable states (`spillover explore`, lint).

The explorer moves through the scenario compiled to integer-coded transitions
(`engine.analysis.machine`): the same moves as `engine.play.rules`, built per turn as closures over one
packed int per state — tests walk both side by side and check that they agree move for
move, and every failure's message is taken from the rules. From the initial state it tries,
at every decision point, every open branch with each of its options, every inject the
facilitator may release by hand (`rules.inject_block_reason` is None: an on-demand inject
whose condition holds, or a scheduled one after its turn began, when its condition failed
then and holds now), and passing (to the next turn, or ending the session at the last
turn); `available` lists them through the rules, as the reference the machine is tested
against. At every pending adjudication it tries both outcomes with their exact odds
(`engine.play.dice`, modifiers as they apply in that state). Identical states are explored once.

**The state graph is a DAG.** Along every transition the key

    (turn, ended, 2·len(moves) + 2·len(released) − [pending])

strictly increases: a choice adds a move (+2, or +1 when it leaves a roll pending), a roll
clears the pending flag (+1), releasing an inject adds to `released` (+2), passing raises the
turn, and ending sets `ended`. States are therefore expanded in increasing key order (turn by
turn, and within a turn by that count): when a state is expanded every way into it is known,
so its shortest path is final, and probability mass can be pushed forward in that same order.
The explorer checks the key on every transition and fails loudly if a rule change breaks it.

**Probabilities** (only when exploration completes) follow a facilitator policy: at each
decision point each available choice — each `branch:option`, each inject that can be
released by hand (`inject:id`), and passing (`pass`) — is equally likely, or weighted by
`weights`; adjudications follow the dice. An **end state** is a state with `ended` set: the
group passed at the last turn (every session that does not stop on a failure ends in exactly
one end state). End states are grouped by their variable values, the outcome that matters to
a seminar. `branch_probability` and `signpost_probability` are P(played, or fired, *and* the
session ends): a session stopped by a failure counts as not playing it.

A **dead end** is counted where a turn begins — a state entered by passing — with nothing to
play and nothing to release (`is_dead_end`): a state reached by a release in mid-turn, even
if identical, is not a turn beginning, so its probability counts only the passing edges
into it.

**Memoisation** compares normalised states (`engine.analysis.machine` packs exactly this form into
one int, with this turn's moves and the fired signposts as bit sets): `rolls` is set to 0 (exploration resolves rolls
by outcome, not by generator); the turn's `moves` are kept sorted; and `fired` keeps which
signposts have fired but not in which turn or order (stored as sorted `(id, 0)` pairs). The
rules only ever ask whether a branch is among this turn's moves, how many there are, and
whether a signpost has fired, so states differing only in those respects have the same moves
ahead, the same end values and the same odds: merging them changes no finding and no
probability (the chance that a signpost fires is still reported), it only shrinks the graph.
"""

from __future__ import annotations

import gc
import math
import time
from collections import Counter
from fractions import Fraction
from functools import lru_cache
from typing import Any, Iterable, Mapping

import attrs

from engine.play import rules
from engine.diagnostics import WARNING, Diagnostic, diag
from engine.play.dice import modifier_text, opposed_probability, roll_odds, success_probability
from engine.analysis.machine import Layout, Machine, RangeFail
from engine.model import Branch, Inject, Scenario
from engine.play.rules import Env, GameState, RuleError, _values_only

DEFAULT_MAX_STATES = 200_000
LINT_MAX_STATES = 20_000

# Action tuples: ("choose", branch, option) · ("roll", success) · ("release", inject)
#                ("pass",) · ("end",)
PASS = ("pass",)
END = ("end",)
ROLL_OK = ("roll", True)
ROLL_KO = ("roll", False)


# ---------------------------------------------------------------------------- results

@attrs.frozen
class Step:
    """One choice in a path: a compact token (for replay) and a sentence (for people)."""

    token: str          # "choose b:o" · "roll success" · "roll failure" · "release i" · "pass" · "end"
    text: str
    turn: int


@attrs.frozen
class Unreachable:
    """A branch (or, with `option`, an option) that no reachable state can play."""

    branch: str
    reason: str                     # one sentence
    clauses: tuple[str, ...] = ()   # the precondition clauses never satisfied in its turns
    option: str | None = None


@attrs.frozen
class DeadEnd:
    """A turn whose play can start with nothing at all to do."""

    turn: int
    states: int                        # distinct dead-end states in this turn
    probability: Fraction | None       # P(a session meets a dead end in this turn)
    path: tuple[Step, ...]             # a shortest path to one


@attrs.frozen
class Failure:
    """A move the rules refuse although it was offered: an effect leaving its range."""

    message: str
    count: int                         # how many transitions fail this way
    probability: Fraction | None
    path: tuple[Step, ...]             # a shortest path to the failing move (included)


@attrs.frozen
class EndOutcome:
    """End states grouped by variable values."""

    values: tuple[tuple[str, str], ...]   # (variable, shown value), in declaration order
    probability: Fraction | None
    states: int


@attrs.frozen
class ExploreResult:
    scenario: str
    complete: bool
    max_states: int
    states: int                         # distinct states discovered
    expanded: int                       # states whose moves were all tried
    transitions: int
    end_states: int
    seconds: float
    prob_seconds: float
    turns_total: int                    # number of turns (0..last)
    turns_complete: int                 # turns 0..turns_complete-1 explored completely
    turn_reached: int                   # highest turn of any discovered state
    injects: bool
    weights: dict[str, Any]
    switched_off: tuple[str, ...]
    played_branches: dict[str, tuple[Step, ...]]     # branch -> a shortest path playing it
    played_options: dict[str, tuple[Step, ...]]      # "b:o" -> a shortest path playing it
    unreachable: tuple[Unreachable, ...]             # branches (and options) never played
    outcomes_never: tuple[str, ...]                  # "b:o success|failure" never happening
    injects_never: tuple[str, ...]                   # injects never released
    not_covered: tuple[str, ...]                     # branches not reached within the budget
    dead_ends: tuple[DeadEnd, ...]
    failures: tuple[Failure, ...]
    outcomes: tuple[EndOutcome, ...]                 # by probability, then values
    marginals: dict[str, dict[str, Fraction]]        # variable -> shown value -> P
    branch_probability: dict[str, Fraction]          # P(played and the session ends)
    signpost_probability: dict[str, Fraction]        # P(fired and the session ends)
    failure_probability: Fraction | None
    gave_up: bool = False                            # stopped early by projection (lint)
    ending_probability: dict[str, Fraction] = attrs.Factory(dict)  # scenario ending -> P

    @property
    def rate(self) -> float:
        """Distinct states per second of exploration (probabilities not included)."""
        return self.states / self.seconds if self.seconds > 0 else float("inf")

    @property
    def findings(self) -> bool:
        return bool(self.dead_ends or self.failures or
                    (self.complete and any(u.option is None for u in self.unreachable)))


# ---------------------------------------------------------------------------- preparation

class _Prep:
    """Per-scenario data computed once: branches by turn, options, injects, weights.

    `injects` False means no release by hand (scheduled injects are still released by the
    rules when their turn begins)."""

    def __init__(self, scenario: Scenario, injects: bool, weights: Mapping[str, Any] | None):
        self.scenario = scenario
        self.last = scenario.last_turn
        self.mpt = scenario.moves_per_turn
        branches = list(scenario.branches.values())
        self.by_turn = [tuple(b for b in branches if t in b.turns) for t in range(self.last + 1)]
        self.expects_play = [bool(bs) for bs in self.by_turn]
        # every inject may be released by hand once the rules allow it (a scheduled one
        # only after its turn began, when its condition failed then)
        self.releasable: tuple[Inject, ...] = tuple(scenario.injects.values()) if injects else ()
        w = _check_weights(scenario, weights or {})
        self.weights = w
        # per branch: ((action, weight), ...) for each option
        self.options = {
            b.id: tuple((("choose", b.id, o.id), w.get(f"{b.id}:{o.id}", w.get(b.id, 1)))
                        for o in b.options)
            for b in branches}
        self.inject_choice = {i.id: (("release", i.id), w.get(f"inject:{i.id}", 1))
                              for i in self.releasable}
        self.pass_weight = w.get("pass", 1)
        self.choice_keys = {action: f"{action[1]}:{action[2]}"
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
            vo = [b for b in bs if b.when is not None and _values_only(b.when)]
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
            c = self._always[t] + tuple(b for b in self._by_values[t] if b.when.holds(state, env))
            if len(self._cache) >= 500_000:
                self._cache.clear()
            self._cache[key] = c
        return c


def _check_weights(scenario: Scenario, weights: Mapping[str, Any]) -> dict[str, Any]:
    """Validate {"branch:option" | "branch" | "inject:id" | "pass": weight ≥ 0}."""
    out: dict[str, Any] = {}
    for key, value in weights.items():
        key = str(key)
        if key == "pass":
            pass
        elif key.startswith("inject:"):
            if key[7:] not in scenario.injects:
                raise ValueError(f"weights: there is no inject '{key[7:]}'")
        elif ":" in key:
            b, o = key.split(":", 1)
            if b not in scenario.branches or scenario.branches[b].option(o) is None:
                raise ValueError(f"weights: there is no option '{key}'")
        elif key not in scenario.branches:
            raise ValueError(f"weights: '{key}' is not a branch, branch:option, inject:id or pass")
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
            raise ValueError(f"weights: '{key}' should be a number, found {value!r}")
        try:
            w = Fraction(str(value)) if not isinstance(value, (int, Fraction)) else Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"weights: '{key}' should be a number, found {value!r}") from None
        if w < 0:
            raise ValueError(f"weights: '{key}' is negative")
        out[key] = w.numerator if w.denominator == 1 else w
    return out


@lru_cache(maxsize=4096)
def _p_success(count: int, sides: int, target: int, modifier: int) -> Fraction:
    return success_probability(count, sides, target, modifier)


@lru_cache(maxsize=4096)
def _p_pair(count: int, sides: int, target: int, modifier: int) -> tuple[Fraction, Fraction]:
    """(P(success), P(failure)) of a roll."""
    p = _p_success(count, sides, target, modifier)
    return p, 1 - p


def _opposed_pair(adj, modifier: int) -> tuple[Fraction, Fraction]:
    """(P(success), P(failure)) of an opposed roll (format 2), exactly."""
    p = opposed_probability(adj.count, adj.sides, adj.against_count, adj.against_sides,
                            modifier, adj.ties == "success")
    return p, 1 - p


def p_success(state: GameState, env: Env) -> Fraction:
    """Exact probability that the pending adjudication succeeds in this state."""
    branch, _option = rules.pending_option(state, env)
    adj = branch.adjudication
    mod = sum(v for _, v in rules.modifiers_now(branch, state, env))
    if adj.opposed:
        return _opposed_pair(adj, mod)[0]
    return _p_success(adj.count, adj.sides, adj.target, mod)


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


def _step_or_fail(step, c: int, failed) -> int:
    try:
        return step(c)
    except RangeFail:
        return failed()


def _rule_refusal(state: GameState, env: Env, action: tuple) -> str:
    """The rules' message for a move the compiled machine found out of range."""
    try:
        apply_action(state, env, action)
    except RuleError as e:
        return str(e)
    raise AssertionError(f"the compiled scenario refused {action!r} but the rules allow it "
                         "(engine.analysis.machine and engine.play.rules disagree)")


def available(state: GameState, env: Env, prep: _Prep) -> list[tuple[tuple, Any]]:
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
        return rules.next_turn(state, env)[0]
    if kind == "end":
        return rules.end(state)
    raise ValueError(f"unknown action {action!r}")


def is_dead_end(state: GameState, choices: list, prep: _Prep) -> bool:
    """Whether `state`, entered by passing (the turn change), is a dead end: turn ≥ 1 where
    the scenario expects play (some branch's window includes it), no move played yet this
    turn, nothing pending, and the only choice (`available`) is to pass. The caller checks
    how the state was entered: one reached by a release in mid-turn is not a dead end."""
    return (state.turn >= 1 and not state.moves and state.pending is None and not state.ended
            and prep.expects_play[state.turn] and len(choices) == 1)


# ---------------------------------------------------------------------------- describing

def describe(action: tuple, state: GameState, env: Env) -> Step:
    """A step of a path, described from the state it is taken in."""
    sc = env.scenario
    t = state.turn
    kind = action[0]
    if kind == "choose":
        b = sc.branches[action[1]]
        o = b.option(action[2])
        extra = " (contested: a roll follows)" if o.contested else ""
        return Step(f"choose {b.id}:{o.id}", f"turn {t}: {b.title} [{b.id}] → {o.label} "
                    f"[{o.id}]{extra}", t)
    if kind == "roll" and isinstance(action[1], str):       # a graded roll's result
        b, _o = rules.pending_option(state, env)
        adj = b.adjudication
        mods = rules.modifiers_now(b, state, env)
        p = dict((r, q) for q, r in roll_odds(adj, sum(v for _, v in mods))).get(action[1], 0)
        band = adj.band(action[1])
        return Step(f"roll {action[1]}", f"turn {t}: roll {adj.dice}{modifier_text(mods)} on "
                    f"{b.id} → {band.label if band else action[1]} "
                    f"({band.totals_text() if band else '?'}, p = {p})", t)
    if kind == "roll":
        b, _o = rules.pending_option(state, env)
        adj = b.adjudication
        mod_text = modifier_text(rules.modifiers_now(b, state, env))
        p = p_success(state, env)
        p = p if action[1] else 1 - p
        word = "success" if action[1] else "failure"
        if adj.opposed:
            return Step(f"roll {word}", f"turn {t}: roll {adj.dice}{mod_text} against "
                        f"{adj.against_dice} (ties: {adj.ties}) on {b.id} → {word} (p = {p})", t)
        return Step(f"roll {word}", f"turn {t}: roll {adj.dice}{mod_text} vs {adj.target} "
                    f"on {b.id} → {word} (p = {p})", t)
    if kind == "release":
        i = sc.injects[action[1]]
        return Step(f"release {i.id}", f"turn {t}: release inject {i.title} [{i.id}]", t)
    if kind == "pass" and t < sc.last_turn:
        nxt = sc.turns[t + 1]
        return Step("pass", f"turn {t}: pass → turn {t + 1} ({nxt.label})", t)
    return Step("end", f"turn {t}: end the session", t)


def replay_steps(scenario: Scenario, tokens: Iterable[str], *, switched_off: Iterable[str] = ()
                 ) -> GameState:
    """Apply step tokens (as in `Step.token`) from the initial state through the rules.

    Raises RuleError where the rules refuse a step — the way to reproduce a failure."""
    env = Env.for_session(scenario, switched_off)
    state = rules.initial_state(env)
    for token in tokens:
        state = apply_action(state, env, parse_token(token))
    return state


def parse_token(token: str) -> tuple:
    word, _, rest = token.strip().partition(" ")
    rest = rest.strip()
    if word == "choose" and ":" in rest:
        b, o = rest.split(":", 1)
        return ("choose", b, o)
    if word == "roll" and rest in ("success", "failure"):
        return ("roll", rest == "success")
    if word == "release" and rest:
        return ("release", rest)
    if word == "pass" and not rest:
        return PASS
    if word == "end" and not rest:
        return END
    raise ValueError(f"not a step: {token!r} (choose b:o · roll success|failure · "
                     "release i · pass · end)")


# ---------------------------------------------------------------------------- explore

def explore(scenario: Scenario, *, max_states: int = DEFAULT_MAX_STATES,
            weights: Mapping[str, Any] | None = None, injects: bool = True,
            switched_off: Iterable[str] = (), probabilities: bool = True,
            give_up_early: bool = False) -> ExploreResult:
    """Explore every reachable state of `scenario` (up to `max_states` distinct states).

    With `give_up_early` (lint), stop as soon as the growth so far says the budget cannot
    be enough: after a turn, once a tenth of the budget is used, when states so far × (the
    smaller of the last two turns' growth factors) ^ (turns left) exceeds four times the
    budget. The result is then incomplete, as at the limit (`gave_up` is set).

    The cyclic garbage collector is paused meanwhile: exploration allocates millions of
    small objects that never form cycles, and the collector's passes over them cost a third
    of the time."""
    if scenario.cells:
        # the exploration machine counts one allowance for the whole group; a per-cell
        # allowance would give other odds, so it says so instead of answering wrongly
        raise ValueError("explore does not handle scenarios with cells yet (each cell's own "
                         "move allowance); remove `cells:` from a copy to explore it as "
                         "one group")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(scenario, max_states=max_states, weights=weights, injects=injects,
                        switched_off=switched_off, probabilities=probabilities,
                        give_up_early=give_up_early)
    finally:
        if was_enabled:
            gc.enable()


def _explore(scenario: Scenario, *, max_states: int, weights, injects: bool, switched_off,
             probabilities: bool, give_up_early: bool) -> ExploreResult:
    if max_states < 1:
        raise ValueError("max_states must be at least 1")
    env = Env.for_session(scenario, switched_off)
    prep = _Prep(scenario, injects, weights)
    last = prep.last
    branches = scenario.branches
    n_m = 2 * prep.mpt + 2 * len(scenario.injects) + 2

    t0 = time.perf_counter()
    machine = Machine(env, injects)
    lay = machine.layout
    decode = lay.decode
    actions = machine.actions
    n_choose = machine.n_choose
    PASS_A = machine.PASS
    weight = [1] * len(actions)
    for opts in prep.options.values():
        for action, w in opts:
            weight[machine.action_index[action]] = w
    for iid, (action, w) in prep.inject_choice.items():
        weight[machine.action_index[action]] = w
    weight[PASS_A] = weight[machine.END] = prep.pass_weight
    # Weights given as fractions: scale them all to whole numbers once (a state's shares
    # are w / sum(w), unchanged by a common factor), so the odds stay in integers.
    scale = math.lcm(*(Fraction(w).denominator for w in weight))
    if scale > 1:
        weight = [int(w * scale) for w in weight]
    adjudication = [None] + [branches[b].adjudication for b, _o in lay.contested]
    released_bits = [(bit, iid) for iid, bit in lay.released.items()]
    tsh, ended_bit = lay.turn_shift, lay.ended
    pmask, mmask, rmask = lay.pending_mask, lay.moves_mask, lay.released_mask
    pshift = lay.pending_shift

    root = machine.root
    index: dict[int, int] = {root: 0}
    keys: list[int] = [root]
    dist: list[int] = [0]
    parent: list[int] = [-1]
    pact: list[int] = [-1]                # the action into each state (index in actions)
    edges: list[tuple | None] = [None]
    buckets = [[[] for _ in range(n_m)] for _ in range(last + 1)]
    buckets[0][lay.order_key(root)].append(0)
    order: list[int] = []                 # expanded states, in topological order
    ends: list[int] = []
    dead: list[int] = []                  # states that are dead ends if entered by passing
    fail_msgs: dict[str, int] = {}        # message -> failure number
    fail_first: list[tuple[int, tuple]] = []   # (state, action) of a shortest failing move
    fail_count: list[int] = []
    best_branch: dict[str, tuple[int, int, tuple]] = {}   # id -> (dist, state, action)
    best_option: dict[tuple, tuple[int, int, tuple]] = {}
    best_outcome: dict[tuple, tuple[int, int, tuple]] = {}
    best_inject: dict[str, tuple[int, int, tuple]] = {}
    transitions = 0
    truncated = gave_up = False
    prev_known = 1
    growth: list[float] = []
    expanded = 0
    cur_turn = 0

    def fail(sid: int, action: tuple) -> int:
        message = _rule_refusal(decode(keys[sid]), env, action)
        k = fail_msgs.get(message)
        if k is None:
            k = fail_msgs[message] = len(fail_first)
            fail_first.append((sid, action))
            fail_count.append(0)
        elif dist[sid] < dist[fail_first[k][0]]:
            fail_first[k] = (sid, action)
        fail_count[k] += 1
        return -(k + 1)

    index_get = index.get
    keys_append, dist_append, parent_append = keys.append, dist.append, parent.append
    pact_append, edges_append, order_append = pact.append, edges.append, order.append
    R_OK, R_KO = len(actions), len(actions) + 1      # the two outcomes of a roll, as actions
    band_ids = sorted({band.id for b in branches.values() if b.adjudication is not None
                       for band in b.adjudication.bands})
    R_BAND = {bid: R_KO + 1 + i for i, bid in enumerate(band_ids)}   # a graded roll's results
    actions = actions + [ROLL_OK, ROLL_KO] + [("roll", bid) for bid in band_ids]
    best_d = [1 << 62] * len(actions)       # per action: the shortest distance it was taken at
    # how much each move raises the in-turn order key (see the module docstring): a choice
    # +2 (+1 when a roll follows), a release +2, a roll +1; passing and ending leave the turn
    order_step = [0] * len(actions)
    for a, action in enumerate(actions):
        if action[0] == "choose":
            order_step[a] = 1 if branches[action[1]].option(action[2]).contested else 2
        elif action[0] == "release":
            order_step[a] = 2
    for a in (R_OK, R_KO, *R_BAND.values()):
        order_step[a] = 1
        best_d[a] = -1                      # outcomes are tracked per option, below
    roll_weight: list = [0] * len(actions)  # a roll's odds, at R_OK and R_KO (or its bands)
    band_memo: dict[tuple[int, int], list] = {}
    best_d[PASS_A] = best_d[machine.END] = -1

    def _note_best(a: int, action: tuple, d: int, sid: int) -> None:
        """A first or shorter path to play an option (and its branch) or release an inject."""
        if a < n_choose:
            best_option[action] = (d, sid, action)
            b = best_branch.get(action[1])
            if b is None or d < b[0]:
                best_branch[action[1]] = (d, sid, action)
        else:
            b = best_inject.get(action[1])
            if b is None or d < b[0]:
                best_inject[action[1]] = (d, sid, action)
    for t in range(last + 1):
        cur_turn = t
        tc = machine.turn(t)
        steps, tc_open = tc.steps, tc.open
        expects_play = t >= 1 and prep.expects_play[t]
        for m0 in range(n_m):
            for sid in buckets[t][m0]:
                c = keys[sid]
                d = dist[sid]
                k = (c & pmask) >> pshift
                if k:                                   # a roll: each outcome, with its odds
                    adj = adjudication[k]
                    wts = roll_weight
                    if adj.graded:                      # chance node over the result bands
                        mod = tc.mods[k](c)
                        odds = band_memo.get((k, mod))
                        if odds is None:
                            odds = band_memo[(k, mod)] = [(R_BAND[r], p)
                                                          for p, r in roll_odds(adj, mod)]
                        for a, p in odds:
                            wts[a] = p
                        choices = [a for a, _p in odds]
                    else:
                        wts[R_OK], wts[R_KO] = _opposed_pair(adj, tc.mods[k](c)) \
                            if adj.opposed else _p_pair(adj.count, adj.sides, adj.target,
                                                        tc.mods[k](c))
                        choices = [a for a in (R_OK, R_KO) if wts[a]]
                    kids = []
                    for a in choices:
                        result = actions[a][1]
                        try:
                            kids.append(tc.bands[k][result](c) if adj.graded else
                                        (tc.win if a == R_OK else tc.lose)[k](c))
                        except RangeFail:
                            kids.append(fail(sid, actions[a]))
                            continue
                        okey = lay.contested[k - 1] + (result,)
                        b = best_outcome.get(okey)
                        if b is None or d < b[0]:
                            best_outcome[okey] = (d, sid, actions[a])
                else:
                    wts = weight
                    choices = tc_open(c)
                    try:
                        kids = [steps[a](c) for a in choices]
                    except RangeFail:                   # rare: find which, from the rules
                        kids = [_step_or_fail(steps[a], c, lambda a=a: fail(sid, actions[a]))
                                for a in choices]
                    if len(choices) == 1 and expects_play and not c & mmask:
                        dead.append(sid)
                # register the children; the edges keep (child no. | failure, weight) pairs
                pairs: list = []
                d1 = d + 1
                for a, child in zip(choices, kids):
                    w = wts[a]
                    if child < 0:
                        pairs += (child, w)              # a failure
                        continue
                    if d < best_d[a]:                   # a shorter way to play a branch …
                        best_d[a] = d
                        _note_best(a, actions[a], d, sid)
                    if a == PASS_A and (child & rmask) != (c & rmask):   # … or an inject
                        for bit, iid in released_bits:
                            if child & bit and not c & bit:
                                b = best_inject.get(iid)
                                if b is None or d < b[0]:
                                    best_inject[iid] = (d, sid, PASS)
                    transitions += 1
                    cid = index_get(child)
                    if cid is None:
                        if len(keys) >= max_states:
                            truncated = True
                            break
                        cid = len(keys)
                        index[child] = cid
                        keys_append(child)
                        dist_append(d1)
                        parent_append(sid)
                        pact_append(a)
                        edges_append(None)
                        step = order_step[a]
                        if child & ended_bit:    # the last pass, or a scenario ending
                            ends.append(cid)
                        elif step:               # same turn: the key grows by a known step
                            buckets[t][m0 + step].append(cid)
                        else:                    # passing: the next turn, from its releases
                            ct = child >> tsh
                            if ct != t + 1:
                                raise AssertionError(
                                    f"exploration order broken: passing from turn {t} leads to "
                                    f"turn {ct}")
                            buckets[ct][2 * (child & rmask).bit_count()].append(cid)
                    elif d1 < dist[cid]:
                        dist[cid] = d1
                        parent[cid] = sid
                        pact[cid] = a
                    pairs += (cid, w)
                if truncated:
                    break
                edges[sid] = (wts is roll_weight, tuple(pairs))
                order_append(sid)
                expanded += 1
            if truncated:
                break
        if truncated:
            break
        if give_up_early and t < last:
            known = len(keys)
            growth.append(known / max(1, prev_known))
            prev_known = known
            if known >= max_states // 20 and len(growth) >= 2 and \
                    known * min(growth[-2:]) ** (last - t) > 4 * max_states:
                truncated = gave_up = True
                cur_turn = t + 1
                break
    seconds = time.perf_counter() - t0
    complete = not truncated

    # ------------------------------------------------------------------ paths
    def path_to(sid: int, then: tuple | None = None) -> tuple[Step, ...]:
        chain = []
        while sid > 0:
            chain.append(sid)
            sid = parent[sid]
        steps = []
        prev = 0
        for cid in reversed(chain):
            steps.append(describe(actions[pact[cid]], decode(keys[prev]), env))
            prev = cid
        if then is not None:
            steps.append(describe(then, decode(keys[prev]), env))
        return tuple(steps)

    def best_path(entry) -> tuple[Step, ...]:
        _d, sid, action = entry
        return path_to(sid, action)

    # ------------------------------------------------------------------ probabilities
    tp = time.perf_counter()
    mass: list[int] | None = None              # over the common denominator `whole`
    fail_mass: list[int] = [0] * len(fail_first)
    whole = 1
    if complete and probabilities:
        mass, fail_mass, whole = _propagate(len(keys), order, edges, len(fail_first))
    prob_seconds = time.perf_counter() - tp

    # ------------------------------------------------------------------ findings
    played_branches = {bid: best_path(e) for bid, e in best_branch.items()}
    played_options = {f"{a[1]}:{a[2]}": best_path(e) for a, e in best_option.items()}
    unreachable: list[Unreachable] = []
    not_covered: list[str] = []
    never = [b for b in branches.values() if b.id not in best_branch]
    if complete:
        unreachable += _explain_unreachable(never, keys, lay, env)
        for b in branches.values():
            if b.id in best_branch:
                for o in b.options:
                    if (("choose", b.id, o.id)) not in best_option:
                        unreachable.append(Unreachable(
                            b.id, "every time it was offered, an effect left its range",
                            option=o.id))
    else:
        not_covered = [b.id for b in never]
    outcomes_never = []
    injects_never = []
    if complete:
        for b in branches.values():
            if b.id not in best_branch:
                continue
            for o in b.options:
                if o.contested and ("choose", b.id, o.id) in best_option:
                    adj = b.adjudication
                    results = [(band.id, band.id) for band in adj.bands] if adj.graded else \
                        [("success", True), ("failure", False)]
                    for word, result in results:
                        if (b.id, o.id, result) not in best_outcome:
                            outcomes_never.append(f"{b.id}:{o.id} {word}")
        injects_never = [i for i in scenario.injects if i not in best_inject
                         and (injects or scenario.injects[i].turn is not None)]

    dead_ends = _dead_ends(dead, order, edges, lambda sid: keys[sid] >> tsh, dist, last,
                           None if mass is None else (lambda sid: Fraction(mass[sid], whole)),
                           path_to)
    failures = tuple(
        Failure(msg, fail_count[k], Fraction(fail_mass[k], whole) if mass else None,
                path_to(fail_first[k][0], fail_first[k][1]))
        for msg, k in fail_msgs.items())

    # ------------------------------------------------------------------ end states
    outcomes: list[EndOutcome] = []
    marginals: dict[str, dict[str, Fraction]] = {}
    branch_p: dict[str, Fraction] = {}
    signpost_p: dict[str, Fraction] = {}
    ending_p: dict[str, Any] = {}
    variables = scenario.variables
    if mass is not None:
        # end states grouped by their packed values, chosen and fired bits, then named
        by_values: dict[int, list] = {}
        by_chosen: dict[int, int] = {}
        by_fired: dict[int, int] = {}
        vmask, cmask, fmask = lay.values_mask, lay.chosen_mask, lay.fired_mask
        emask = (1 << len(lay.ending_ids).bit_length()) - 1
        for sid in ends:
            c, m = keys[sid], mass[sid]
            g = by_values.get(c & vmask)
            if g is None:
                g = by_values[c & vmask] = [0, 0]
            g[0] += m
            g[1] += 1
            by_chosen[c & cmask] = by_chosen.get(c & cmask, 0) + m
            by_fired[c & fmask] = by_fired.get(c & fmask, 0) + m
            ending = (c >> lay.ending_shift) & emask
            if ending:
                ending_p[lay.ending_ids[ending - 1]] = ending_p.get(
                    lay.ending_ids[ending - 1], 0) + m
        for found, by_bits, names in ((branch_p, by_chosen, lay.chosen),
                                      (signpost_p, by_fired, lay.fired)):
            sums: dict[str, int] = {}
            for bits, m in by_bits.items():
                for name, bit in names.items():
                    if bits & bit:
                        sums[name] = sums.get(name, 0) + m
            found.update({name: Fraction(m, whole) for name, m in sums.items()})
        marginal_sums: dict[str, dict[str, int]] = {}
        for packed, (m, count) in by_values.items():
            values = lay.values(packed)
            outcomes.append(EndOutcome(tuple((v.id, v.show(values[v.index])) for v in variables),
                                       Fraction(m, whole), count))
            for v in variables:
                shown = v.show(values[v.index])
                dist_v = marginal_sums.setdefault(v.id, {})
                dist_v[shown] = dist_v.get(shown, 0) + m
        marginals = {vid: {shown: Fraction(m, whole) for shown, m in d.items()}
                     for vid, d in marginal_sums.items()}
        outcomes.sort(key=lambda o: (-o.probability, o.values))
        for v in variables:      # order each marginal by value
            if v.id in marginals:
                marginals[v.id] = dict(sorted(marginals[v.id].items(),
                                              key=lambda kv: _value_rank(v, kv[0])))
    else:
        groups2: dict[tuple, int] = Counter(lay.values(keys[sid]) for sid in ends)
        for values, count in groups2.items():
            outcomes.append(EndOutcome(tuple((v.id, v.show(values[v.index])) for v in variables),
                                       None, count))
        outcomes.sort(key=lambda o: (-o.states, o.values))

    turn_reached = max(keys) >> tsh
    return ExploreResult(
        scenario=scenario.id, complete=complete, max_states=max_states, states=len(keys),
        expanded=expanded, transitions=transitions, end_states=len(ends), seconds=seconds,
        prob_seconds=prob_seconds, turns_total=last + 1,
        turns_complete=last + 1 if complete else cur_turn, turn_reached=turn_reached,
        injects=injects, weights=dict(prep.weights), switched_off=tuple(sorted(env.switched_off)),
        gave_up=gave_up,
        played_branches=played_branches, played_options=played_options,
        unreachable=tuple(unreachable), outcomes_never=tuple(outcomes_never),
        injects_never=tuple(injects_never), not_covered=tuple(not_covered),
        dead_ends=dead_ends, failures=failures, outcomes=tuple(outcomes), marginals=marginals,
        branch_probability={b: branch_p[b] for b in branches if b in branch_p} if mass else {},
        signpost_probability=dict(sorted(signpost_p.items())) if mass else {},
        failure_probability=Fraction(sum(fail_mass), whole) if mass else None,
        ending_probability={e.id: Fraction(ending_p.get(e.id, 0), whole)
                            for e in scenario.endings} if mass else {})


def _dead_ends(dead: list[int], order: list[int], edges: list, turn_of,
               dist: list[int], last: int, mass, path_to) -> tuple[DeadEnd, ...]:
    """Dead ends per turn, counting only the ways *into* a dead-end state by passing: a state
    can also be reached (identical) by a release in mid-turn, and that is no turn beginning.
    Passing is the last choice of every decision state before the last turn."""
    if not dead:
        return ()
    dead_set = set(dead)
    entries: dict[int, list[int]] = {}       # dead state -> states passing into it
    for p in order:
        chance, pairs = edges[p]
        if chance or turn_of(p) >= last:
            continue
        c = pairs[-2]
        if c >= 0 and c in dead_set:
            entries.setdefault(c, []).append(p)
    by_turn: dict[int, list[int]] = {}
    for c in entries:
        by_turn.setdefault(turn_of(c), []).append(c)
    out = []
    for t, sids in sorted(by_turn.items()):
        parents = [p for c in sids for p in entries[c]]
        prob = None
        if mass is not None:
            prob = sum((mass(p) * _share(edges[p][1], len(edges[p][1]) - 2) for p in parents),
                       Fraction(0))
        best = min(parents, key=lambda p: (dist[p], p))
        out.append(DeadEnd(t, len(sids), prob, path_to(best, PASS)))
    return tuple(out)


def _share(pairs: tuple, j: int) -> Fraction:
    """The share of a decision state's mass that goes to pair j (as `_propagate` does)."""
    ws = pairs[1::2]
    total = sum(ws)
    if total == 0:
        return Fraction(1, len(ws))
    return Fraction(pairs[j + 1]) / total


def _value_rank(v, shown: str):
    t = v.type
    from engine.lang.expr import EnumType
    if isinstance(t, EnumType):
        return (t.values.index(shown),)
    if shown in ("false", "true"):
        return (shown == "true",)
    try:
        return (int(shown),)
    except ValueError:
        return (shown.count(","), shown)


def _propagate(n: int, order: list[int], edges: list, n_fail: int
               ) -> tuple[list[int], list[int], int]:
    """Push probability mass along the DAG in topological order, exactly.

    Masses are whole numbers over one common denominator D (returned with them), which is
    far faster than fractions: every state's choices get whole weights summing to `total`
    (a roll's are its odds over their denominator), L is the lcm of every total, and
    D = L^(longest path + 1), so the mass reaching a state along any path still divides by
    L at every move after it. Returns (mass per state, mass per failure, D)."""
    plans: list = [None] * n
    depth = [0] * n
    lcm_all = 1
    for sid in order:
        chance, pairs = edges[sid]
        ws = pairs[1::2]
        if chance:
            d = math.lcm(*(w.denominator for w in ws))    # a graded roll's odds differ
            ws = tuple(w.numerator * (d // w.denominator) for w in ws)
            total = d
        else:                    # whole-number weights (explore scales fractional ones)
            total = sum(ws)
            if total == 0:       # every choice weighted 0: fall back to uniform
                ws = (1,) * len(ws)
                total = len(ws)
        plans[sid] = (ws, total)
        if lcm_all % total:
            lcm_all = math.lcm(lcm_all, total)
        d1 = depth[sid] + 1
        for c in pairs[0::2]:
            if c >= 0 and depth[c] < d1:
                depth[c] = d1
    denominator = lcm_all ** (max(depth, default=0) + 1)
    mass = [0] * n
    fail_mass = [0] * n_fail
    mass[0] = denominator
    for sid in order:
        m = mass[sid]
        if not m:
            continue
        ws, total = plans[sid]
        share = m // total
        pairs = edges[sid][1]
        for j, w in enumerate(ws):
            if w:
                c = pairs[2 * j]
                if c < 0:
                    fail_mass[-c - 1] += share * w
                else:
                    mass[c] += share * w
    return mass, fail_mass, denominator


# ---------------------------------------------------------------------------- unreachable

def _explain_unreachable(never: list[Branch], codes: list[int], lay: Layout,
                         env: Env) -> list[Unreachable]:
    """Why each never-played branch is never open: its clauses never satisfied in any
    reached decision state of its turn window, or never together, or other blocks."""
    if not never:
        return []
    busy = lay.pending_mask | lay.ended
    decisions = [c for c in codes if not c & busy]
    turns_seen = {lay.turn(c) for c in decisions}
    windows = set().union(*(b.turns for b in never))
    todo = []
    out: dict[str, Unreachable] = {}
    for b in never:
        window = b.turns & turns_seen
        if not b.turns:
            out[b.id] = Unreachable(b.id, "it has no turn window")
        elif not window:
            out[b.id] = Unreachable(b.id, "outside every reachable turn window "
                                    f"(turns {rules._turns_text(b.turns)})")
        else:
            clauses = b.when.clauses if b.when else ()
            todo.append([b, [False] * len(clauses), False, Counter()])
    if todo:
        for c in decisions:
            if lay.turn(c) not in windows:
                continue
            s = lay.decode(c)
            for item in todo:
                b, held, joint, reasons = item
                if s.turn not in b.turns:
                    continue
                ok = True
                for k, c in enumerate(b.when.clauses if b.when else ()):
                    if c.typed.fn(s, env):
                        held[k] = True
                    else:
                        ok = False
                if ok:
                    item[2] = True
                    if len(reasons) < 8:
                        reasons[rules.block_reason(b, s, env) or "open"] += 1
        for b, held, joint, reasons in todo:
            clauses = b.when.clauses if b.when else ()
            failing = tuple(c.text for c, h in zip(clauses, held) if not h)
            if failing:
                what = "; ".join(f"`{c}`" for c in failing)
                out[b.id] = Unreachable(
                    b.id, f"precondition never satisfied in its turns "
                    f"({rules._turns_text(b.turns)}): {what}", failing)
            elif not joint:
                out[b.id] = Unreachable(
                    b.id, "each clause of its precondition holds in some reachable state, but "
                    "never all together: " + "; ".join(f"`{c.text}`" for c in clauses))
            else:
                why = ", ".join(r for r, _ in reasons.most_common(3))
                out[b.id] = Unreachable(
                    b.id, f"its precondition holds only where it is blocked otherwise ({why}) — "
                    "once-only conflicts or the turn's moves already used")
    return [out[b.id] for b in never]


# ---------------------------------------------------------------------------- lint

def lint_warnings(scenario: Scenario, max_states: int = LINT_MAX_STATES) -> list[Diagnostic]:
    """SP506/SP507 warnings from a small exploration; nothing when it cannot complete."""
    try:
        result = explore(scenario, max_states=max_states, probabilities=False,
                         give_up_early=True)
    except ValueError:
        return []
    if not result.complete:
        return []
    return warnings_for(result, scenario)


def warnings_for(result: ExploreResult, scenario: Scenario) -> list[Diagnostic]:
    """SP506/SP507 warnings from a complete exploration."""
    out: list[Diagnostic] = []
    for u in result.unreachable:
        if u.option is not None:
            continue
        b = scenario.branches[u.branch]
        out.append(diag("SP506", f"branch '{b.id}' can never be played: {u.reason}",
                        _pos(b.pos, scenario),
                        "check its turns and precondition against what earlier moves can "
                        "reach (`spillover explore` shows the paths)", WARNING))
    for d in result.dead_ends:
        turn = scenario.turns[d.turn]
        how = "; ".join(s.token for s in d.path)
        out.append(diag("SP507", f"turn {d.turn} ({turn.label}) can begin with nothing to play "
                        f"({d.states} reachable state{'s' * (d.states != 1)}), e.g. after: {how}",
                        _pos(turn.pos, scenario),
                        "open a branch or an inject for that situation, or accept that the "
                        "group passes", WARNING))
    return out


def _pos(pos, scenario: Scenario):
    """Where to report: the item's position, or else the scenario file."""
    from engine.diagnostics import Pos
    return pos if isinstance(pos, Pos) else Pos(scenario.path, 0, 0)
