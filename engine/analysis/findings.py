"""Findings from an explored graph: dead ends per turn, why a branch is never played, and
the SP506/SP507 warnings lint reports from a complete exploration."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from engine.analysis.machine import Layout
from engine.analysis.moves import PASS
from engine.analysis.odds import share
from engine.analysis.results import DeadEnd, ExploreResult, Unreachable
from engine.diagnostics import WARNING, Diagnostic, Pos, diag
from engine.lang.expr import EnumType
from engine.model import Branch, Scenario
from engine.play import rules
from engine.play.rules import Env, GameState


def dead_end_entries(dead: list[int], order: list[int], edges: list, turn_of,
                     last: int) -> dict[int, list[tuple[int, int]]]:
    """Each possible dead end entered by passing -> the ways passing enters it: (state,
    index of the pair in its edges). Passing comes last among a decision state's choices:
    one pair, or (format 2) one per outcome of the chance injects drawn as the next turn
    begins, each into the next turn."""
    dead_set = set(dead)
    entries: dict[int, list[tuple[int, int]]] = {}
    if not dead_set:
        return entries
    for p in order:
        chance, pairs = edges[p][0], edges[p][1]
        t = turn_of(p)
        if chance or t >= last:
            continue
        for j in range(len(pairs) - 2, -1, -2):
            c = pairs[j]
            if c < 0:                        # a failure
                continue
            if turn_of(c) == t:              # the moves before passing
                break
            if c in dead_set:
                entries.setdefault(c, []).append((p, j))
    return entries


def find_dead_ends(dead: list[int], order: list[int], edges: list, turn_of,
               dist: Sequence[int], last: int, mass, path_to,
               actions: Sequence[tuple] = ()) -> tuple[DeadEnd, ...]:
    """Dead ends per turn, counting only the ways *into* a dead-end state by passing: a state
    can also be reached (identical) by a release in mid-turn, and that is no turn beginning.
    Passing is the last choice (or, into a turn that draws, the last choices) of every
    decision state before the last turn."""
    if not dead:
        return ()
    entries = dead_end_entries(dead, order, edges, turn_of, last)
    by_turn: dict[int, list[int]] = {}
    for c in entries:
        by_turn.setdefault(turn_of(c), []).append(c)
    out = []
    for t, sids in sorted(by_turn.items()):
        ways = [way for c in sids for way in entries[c]]
        prob = None
        if mass is not None:
            prob = sum((mass(p) * share(edges[p][1], j) for p, j in ways), Fraction(0))
        p, j = min(ways, key=lambda w: (dist[w[0]], w[0], w[1]))
        # the edges keep their action numbers (in `actions`) when draws may follow passing
        action = actions[edges[p][2][j // 2]] if len(edges[p]) > 2 and actions else PASS
        out.append(DeadEnd(t, len(sids), prob, path_to(p, action)))
    return tuple(out)



def value_rank(v, shown: str):
    t = v.type
    if isinstance(t, EnumType):
        return (t.values.index(shown),)
    if shown in ("false", "true"):
        return (shown == "true",)
    try:
        return (int(shown),)
    except ValueError:
        return (shown.count(","), shown)



def explain_unreachable(never: list[Branch], codes: list[int], lay: Layout,
                         env: Env, canonical_moves: bool = False) -> list[Unreachable]:
    """Why each never-played branch is never open: its clauses never satisfied in any
    reached decision state of its turn window, or never together, or other blocks."""
    if not never:
        return []
    busy = lay.pending_mask | lay.ended
    decisions = [c for c in codes if not c & busy]
    turns_seen = {lay.turn(c) for c in decisions}
    windows = set().union(*(b.turns for b in never))
    # per branch: [branch, which clauses held somewhere, all together somewhere, reasons]
    todo: list[list[Any]] = []
    out: dict[str, Unreachable] = {}
    for b in never:
        window = b.turns & turns_seen
        if not b.turns:
            out[b.id] = Unreachable(b.id, "it has no turn window")
        elif not window:
            out[b.id] = Unreachable(b.id, "outside every reachable turn window "
                                    f"(turns {rules.turns_text(b.turns)})")
        else:
            clauses = b.when.clauses if b.when else ()
            todo.append([b, [False] * len(clauses), False, Counter()])   # see below
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
                for k, clause in enumerate(b.when.clauses if b.when else ()):
                    if clause.typed.fn(s, env):
                        held[k] = True
                    else:
                        ok = False
                if ok:
                    item[2] = True
                    seen_as = not_played(b, s, env) if canonical_moves and b.id in s.moves else s
                    reasons[rules.block_reason(b, seen_as, env) or "open"] += 1
        for b, held, joint, reasons in todo:
            clauses = b.when.clauses if b.when else ()
            failing = tuple(c.text for c, h in zip(clauses, held) if not h)
            if failing:
                what = "; ".join(f"`{c}`" for c in failing)
                out[b.id] = Unreachable(
                    b.id, f"precondition never satisfied in its turns "
                    f"({rules.turns_text(b.turns)}): {what}", failing)
            elif not joint:
                out[b.id] = Unreachable(
                    b.id, "each clause of its precondition holds in some reachable state, but "
                    "never all together: " + "; ".join(f"`{c.text}`" for c in clauses))
            else:
                why = ", ".join(sorted(reasons)[:3])    # in a fixed order: counts of states
                #                                           depend on how states are stored
                out[b.id] = Unreachable(
                    b.id, f"its precondition holds only where it is blocked otherwise ({why}) — "
                    "once-only conflicts or the turn's moves already used")
    return [out[b.id] for b in never]


def not_played(b: Branch, s: GameState, env: Env) -> GameState:
    """A full turn's state as the rules see it, for a branch never played: its canonical
    moves (`engine.analysis.reduce.Full`) may name `b`, which was not played; in its place
    a move of the same allowance that no branch makes (an argument of b's cell, or of the
    group), so the rules give the same reason as in the state it stands for."""
    sc = env.scenario
    cell = sc.cell_of_actor(b.actor) if sc.cells else None
    stand_in = f"argument:{cell.id if cell is not None else ''}"
    return attrs.evolve(s, moves=tuple(stand_in if m == b.id else m for m in s.moves))



def warnings_for(result: ExploreResult, scenario: Scenario) -> list[Diagnostic]:
    """SP506/SP507 warnings from a complete exploration."""
    out: list[Diagnostic] = []
    for u in result.unreachable:
        if u.option is not None:
            continue
        b = scenario.branches[u.branch]
        out.append(diag("SP506", f"branch '{b.id}' can never be played: {u.reason}",
                        located(b.pos, scenario),
                        "check its turns and precondition against what earlier moves can "
                        "reach (`spillover explore` shows the paths)", WARNING))
    for d in result.dead_ends:
        turn = scenario.turns[d.turn]
        how = "; ".join(s.token for s in d.path)
        out.append(diag("SP507", f"turn {d.turn} ({turn.label}) can begin with nothing to play "
                        f"({d.states} reachable state{'s' * (d.states != 1)}), e.g. after: {how}",
                        located(turn.pos, scenario),
                        "open a branch or an inject for that situation, or accept that the "
                        "group passes", WARNING))
    return out


def located(pos, scenario: Scenario):
    """Where to report: the item's position, or else the scenario file."""
    return pos if isinstance(pos, Pos) else Pos(scenario.path, 0, 0)
