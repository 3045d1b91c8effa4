"""Exhaustive exploration of a scenario's reachable states (`spillover explore`, lint).

The explorer moves through the scenario compiled to integer-coded transitions
(`engine.analysis.machine`): the same moves as `engine.play.rules`, built per turn as
closures over one packed int per state — tests walk both side by side and check that they
agree move for move, and every failure's message is taken from the rules. From the initial
state it tries, at every decision point, every open branch with each of its options, every
inject the facilitator may release by hand (`rules.inject_block_reason` is None: an
on-demand inject whose condition holds, or a scheduled one after its turn began, when its
condition failed then and holds now), and passing (to the next turn, or ending the session
at the last turn); `available` lists them through the rules, as the reference the machine is
tested against. At every pending adjudication it tries both outcomes with their exact odds
(`engine.play.dice`, modifiers as they apply in that state). Identical states are explored
once.

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

**Memoisation** compares normalised states (`engine.analysis.machine` packs exactly this
form into one int, with this turn's moves and the fired signposts as bit sets): `rolls` is
set to 0 (exploration resolves rolls by outcome, not by generator); the turn's `moves` are
kept sorted; and `fired` keeps which signposts have fired but not in which turn or order
(stored as sorted `(id, 0)` pairs). The rules only ever ask whether a branch is among this
turn's moves, how many there are, and whether a signpost has fired, so states differing only
in those respects have the same moves ahead, the same end values and the same odds: merging
them changes no finding and no probability (the chance that a signpost fires is still
reported), it only shrinks the graph."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from engine.analysis.ends import tally_ends
from engine.analysis.explored_odds import explored_odds
from engine.analysis.findings import (
    explain_unreachable,
    find_dead_ends,
    located,
    warnings_for,
)
from engine.analysis.frozen import Frozen
from engine.analysis.limits import DEFAULT_MAX_STATES, LINT_MAX_STATES
from engine.analysis.machine import Machine
from engine.analysis.moves import (
    END,
    PASS,
    Policy,
    apply_action,
    available,
    check_weights,
    is_dead_end,
    normalise,
)
from engine.analysis.odds import p_success, propagate
from engine.analysis.paths import describe, parse_token, replay_steps, shortest_path
from engine.analysis.reduce import dropped_branches
from engine.analysis.results import (
    DeadEnd,
    EndOutcome,
    ExploreResult,
    Failure,
    Step,
    Unreachable,
)
from engine.analysis.search import Search
from engine.diagnostics import Diagnostic
from engine.model import Scenario
from engine.play.dice import modifier_text
from engine.play.rules import Env

# what other layers, the command line and tests use, importable from here as before
__all__ = [
    "DEFAULT_MAX_STATES", "END", "LINT_MAX_STATES", "PASS", "DeadEnd", "EndOutcome",
    "ExploreResult", "Failure", "Policy", "Step", "Unreachable", "apply_action", "available",
    "check_weights", "describe", "explore", "is_dead_end", "lint_warnings", "located",
    "modifier_text", "normalise", "p_success", "parse_token", "propagate", "replay_steps",
    "warnings_for",
]


def explore(scenario: Scenario, *, max_states: int = DEFAULT_MAX_STATES,
            weights: Mapping[str, Any] | None = None, injects: bool = True,
            switched_off: Iterable[str] = (), probabilities: bool = True,
            give_up_early: bool = False, reduce: bool = True) -> ExploreResult:
    """Explore every reachable state of `scenario` (up to `max_states` distinct states).

    With `give_up_early` (lint), stop as soon as the growth so far says the budget cannot
    be enough: after a turn, once a tenth of the budget is used, when states so far × (the
    smaller of the last two turns' growth factors) ^ (turns left) exceeds four times the
    budget. The result is then incomplete, as at the limit (`gave_up` is set).

    `reduce` (the default) stores states equivalent for the rest of the game once
    (`engine.analysis.reduce`); every finding and probability is the same without it, only
    the counts of states and transitions differ. Tests compare the two.

    The cyclic garbage collector is paused meanwhile: exploration allocates millions of
    small objects that never form cycles, and the collector's passes over them cost a third
    of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(scenario, max_states=max_states, weights=weights, injects=injects,
                        switched_off=switched_off, probabilities=probabilities,
                        give_up_early=give_up_early, reduce=reduce)
    finally:
        if was_enabled:
            gc.enable()


def _explore(scenario: Scenario, *, max_states: int, weights, injects: bool, switched_off,
             probabilities: bool, give_up_early: bool, reduce: bool) -> ExploreResult:
    if max_states < 1:
        raise ValueError("max_states must be at least 1")
    env = Env.for_session(scenario, switched_off)
    prep = Policy(scenario, injects, weights)
    last = prep.last
    branches = scenario.branches

    t0 = time.perf_counter()
    machine = Machine(env, injects)
    lay = machine.layout
    search = Search(env, machine, prep, max_states=max_states, give_up_early=give_up_early,
                    reduce=reduce)
    full = search.full
    dropped = dropped_branches(scenario, lay, search.keep)
    frozen = Frozen(search.reduction.dead, machine.root, lay.turn_shift)
    # the signposts' chances come from the moves that fire them (no state keeps that)
    signposts = tuple(lay.fired[s] for s in lay.signpost_ids) if reduce else ()
    # the edges keep their actions for the odds of dropped branches and signposts, and to
    # name the draws' outcomes in the paths into dead ends (format 2: chance injects); the
    # bits of the signposts each move fires only for the odds (lint asks for none)
    odds_from_moves = probabilities and bool(dropped or signposts)
    search.keep_actions = odds_from_moves or any(
        i.chance is not None for i in scenario.injects.values())
    search.fired_on_edges = lay.fired_mask if probabilities and signposts else 0
    graph = search.run()
    seconds = time.perf_counter() - t0
    complete, gave_up = graph.complete, graph.gave_up
    keys, order, edges, ends, dist = graph.keys, graph.order, graph.edges, graph.ends, graph.dist
    fail_msgs, fail_first, fail_count = graph.fail_msgs, graph.fail_first, graph.fail_count
    best_branch, best_option, best_outcome, best_inject = \
        graph.best_branch, graph.best_option, graph.best_outcome, graph.best_inject
    tsh = lay.turn_shift

    def path_to(sid: int, then: tuple | None = None) -> tuple[Step, ...]:
        return shortest_path(graph, env, sid, then)

    def best_path(entry) -> tuple[Step, ...]:
        _d, sid, action = entry
        return path_to(sid, action)

    # ------------------------------------------------------------------ probabilities
    tp = time.perf_counter()
    mass: list[int] | None = None              # over the common denominator `whole`
    fail_mass: list[int] = [0] * len(fail_first)
    whole = 1
    played_p: dict[str, int] = {}            # dropped branches: P(played and ends) · whole
    fired_p: dict[str, int] = {}             # signposts, when reduced: the same
    reached_anyway: frozenset[str] = frozenset()   # of those, played or fired at chance 0
    end_tags: dict[int, list[tuple[int, int]]] = {}    # forgotten values: see frozen.py
    if complete and probabilities:
        odds = explored_odds(graph, machine, dropped, signposts, frozen,
                             0 in prep.weights.values())
        mass, fail_mass, whole, end_tags = odds.mass, odds.fail_mass, odds.whole, odds.end_tags
        played_p, fired_p, reached_anyway = odds.played, odds.fired, odds.at_chance_0
    prob_seconds = time.perf_counter() - tp

    # ------------------------------------------------------------------ findings
    played_branches = {bid: best_path(e) for bid, e in best_branch.items()}
    played_options = {f"{a[1]}:{a[2]}": best_path(e) for a, e in best_option.items()}
    unreachable: list[Unreachable] = []
    not_covered: list[str] = []
    never = [b for b in branches.values() if b.id not in best_branch]
    if complete:
        unreachable += explain_unreachable(never, keys, lay, env, full is not None)
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
                    assert adj is not None
                    results: list[tuple[str, bool | str]] = \
                        [(band.id, band.id) for band in adj.bands] if adj.graded else \
                        [("success", True), ("failure", False)]
                    for word, result in results:
                        if (b.id, o.id, result) not in best_outcome:
                            outcomes_never.append(f"{b.id}:{o.id} {word}")
        injects_never = [i for i in scenario.injects if i not in best_inject
                         and (injects or scenario.injects[i].turn is not None)]

    dead_ends = find_dead_ends(graph.dead, order, edges, lambda sid: keys[sid] >> tsh, dist, last,
                           None if mass is None else (lambda sid: Fraction(mass[sid], whole)),
                           path_to, graph.actions)
    failures = tuple(
        Failure(msg, fail_count[k], Fraction(fail_mass[k], whole) if mass else None,
                path_to(fail_first[k][0], fail_first[k][1]))
        for msg, k in fail_msgs.items())

    # ------------------------------------------------------------------ end states
    if frozen.any and (mass is None or 0 in prep.weights.values()):
        # reached with a tag but no mass (no odds, or a choice weighted 0): listed all the same
        reached = frozen.reachable_tags(keys, order, edges, ends, graph.parent)
        end_tags = {e: [(tag, dict(end_tags.get(e, ())).get(tag, 0)) for tag in sorted(tags)]
                    for e, tags in reached.items()}
    ends_found = tally_ends(scenario, lay, keys, ends, mass, whole, played_p, end_tags,
                            fired_p, reached_anyway)
    outcomes, marginals = ends_found.outcomes, ends_found.marginals
    branch_p, signpost_p, ending_p = ends_found.branches, ends_found.signposts, ends_found.endings

    turn_reached = max(keys) >> tsh
    return ExploreResult(
        scenario=scenario.id, complete=complete, max_states=max_states, states=len(keys),
        expanded=graph.expanded, transitions=graph.transitions,
        # an end state with several tags (forgotten values) stands for as many
        end_states=sum(len(tags) for tags in end_tags.values()) if end_tags else len(ends),
        seconds=seconds,
        prob_seconds=prob_seconds, turns_total=last + 1,
        turns_complete=graph.turn_reached_fully, turn_reached=turn_reached,
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
