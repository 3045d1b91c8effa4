"""Exact odds: a roll's outcomes (`roll_odds`, the one function that gives them) and the
probability mass pushed along the explored graph in whole numbers (`propagate`).

A chance node is a tuple of outcome odds, one per outcome (success and failure, or a graded
roll's result bands), each a `Fraction`; a decision node's are whole-number weights. `plan` and
`push` accept either, of any length."""

from __future__ import annotations

import math
from array import array
from fractions import Fraction
from functools import lru_cache

from engine.analysis.frozen import Frozen, TagFields
from engine.model import Adjudication
from engine.play import dice, rules
from engine.play.rules import Env, GameState


@lru_cache(maxsize=4096)
def roll_odds(adj: Adjudication, modifier: int) -> tuple[tuple[Fraction, bool | str], ...]:
    """Every possible result of a roll with its exact probability, given the modifiers' sum:
    success and failure (against a target or an opposing pool), or a graded roll's result
    bands (`engine.play.dice.roll_odds`, which the rules share). Impossible ones are left
    out."""
    return tuple(dice.roll_odds(adj, modifier))


def result_probability(state: GameState, env: Env, result: bool | str) -> Fraction:
    """Exact probability that the pending roll gives `result` (True/False, or a band id)."""
    branch, _option = rules.pending_option(state, env)
    adj = branch.adjudication
    assert adj is not None          # a contested option's branch has one
    mod = sum(v for _, v in rules.modifiers_now(branch, state, env))
    return sum((p for p, r in roll_odds(adj, mod) if r == result), Fraction(0))


def p_success(state: GameState, env: Env) -> Fraction:
    """Exact probability that the pending adjudication succeeds in this state."""
    return result_probability(state, env, True)



def share(pairs: tuple, j: int) -> Fraction:
    """The share of a decision state's mass that goes to pair j (as `_propagate` does)."""
    ws = pairs[1::2]
    total = sum(ws)
    if total == 0:
        return Fraction(1, len(ws))
    return Fraction(pairs[j + 1]) / total



def propagate(n: int, order: list[int], edges: list, n_fail: int
               ) -> tuple[list[int], list[int], int]:
    """Push probability mass along the DAG in topological order, exactly.

    Masses are whole numbers over one common denominator D (returned with them), which is
    far faster than fractions: every state's choices get whole weights summing to `total`
    (a roll's are its odds over their denominator), L is the lcm of every total, and
    D = L^(longest path + 1), so the mass reaching a state along any path still divides by
    L at every move after it. Returns (mass per state, mass per failure, D)."""
    plans, denominator = plan(n, order, edges)
    mass, fail_mass = push(plans, order, edges, n, n_fail, denominator)
    return mass, fail_mass, denominator


def plan(n: int, order: list[int], edges: list) -> tuple[list, int]:
    """Each state's whole-number weights and their total, and the common denominator.
    Equal plans are stored once (most states share a handful: the same weights over the
    same number of choices, or the same roll odds)."""
    plans: list = [None] * n
    seen: dict[tuple, tuple] = {}
    depth = array("i", bytes(4 * n))
    lcm_all = 1
    for sid in order:
        chance, pairs = edges[sid][0], edges[sid][1]
        ws = pairs[1::2]
        if chance:
            d = math.lcm(*(w.denominator for w in ws))     # a graded roll's odds differ
            ws = tuple(w.numerator * (d // w.denominator) for w in ws)
            total = d
        else:                    # whole-number weights (explore scales fractional ones)
            total = sum(ws)
            if total == 0:       # every choice weighted 0: fall back to uniform
                ws = (1,) * len(ws)
                total = len(ws)
        p = (ws, total)
        plans[sid] = seen.setdefault(p, p)
        if lcm_all % total:
            lcm_all = math.lcm(lcm_all, total)
        d1 = depth[sid] + 1
        for c in pairs[0::2]:
            if c >= 0 and depth[c] < d1:
                depth[c] = d1
    return plans, lcm_all ** (max(depth, default=0) + 1)


def push(plans: list, order: list[int], edges: list, n: int, n_fail: int, denominator: int,
          avoid: frozenset[int] = frozenset(), keep: set[int] | None = None
          ) -> tuple[list[int], list[int]]:
    """The mass of every state and failure; with `avoid`, only of the sessions that never
    take one of those actions (the edges then hold their actions, third). With `keep`, the
    mass of an expanded state not in it is dropped (set to 0) once passed on, so that only
    the frontier's and the kept states' wide ints stay in memory."""
    mass = [0] * n
    fail_mass = [0] * n_fail
    mass[0] = denominator
    for sid in order:
        m = mass[sid]
        if not m:
            continue
        if keep is not None and sid not in keep:
            mass[sid] = 0
        ws, total = plans[sid]
        share = m // total
        edge = edges[sid]
        pairs = edge[1]
        acts = edge[2] if avoid and not edge[0] else ()
        for j, w in enumerate(ws):
            if w and not (acts and acts[j] in avoid):
                c = pairs[2 * j]
                if c < 0:
                    fail_mass[-c - 1] += share * w
                else:
                    mass[c] += share * w
    return mass, fail_mass


def push_avoiding(plans: list, order: list[int], edges: list, n: int, n_fail: int,
                  denominator: int, ends: list[int], avoids: list[frozenset[int]],
                  keep: set[int] | None = None, frozen: Frozen | None = None,
                  keys: list[int] | None = None, turn_shift: int = 0,
                  signposts: tuple[int, ...] = (), fired_at_start: int = 0,
                  settled: list[int | None] | None = None
                  ) -> tuple[list[int], list[int], list[int], dict[int, list[tuple[int, int]]]]:
    """`push`, and the chance of ending without ever taking some actions, in one pass: the
    mass of every state kept (all, or those in `keep` and the end states) and of every
    failure, and for each set of actions in `avoids`, then each signpost's bit in
    `signposts`, the mass of the sessions that end without ever taking one of those actions,
    or without a move that sets that bit (the edges' fourth element; `fired_at_start`: the
    bits set before any move); with `frozen` (and the states' `keys`), each end state's
    mass split by the values its states forgot (`engine.analysis.frozen`), as (tag, mass)
    pairs.

    The masses travel packed in one int, one field each, `W` bits wide: field 0 the plain
    mass (never cleared), then one per set or signpost. A field never exceeds
    `denominator`, and every field of a state's mass divides by that state's total just as
    the plain mass does (each is a sum of some of the same shares), so dividing or scaling
    the packed int acts on every field exactly and separately. An edge taking an avoided
    action passes on its share with that field cleared. Without `avoids` and `signposts`
    the packed int is the plain mass.

    `settled[i]`: the turn from whose beginning field i can no longer change (None: it can
    to the end). Where no move fails, every session that gets there ends, so as that turn
    begins the field's mass is counted as ended and cleared; the fields settled earliest
    sit highest, so that cleared, they make the ints narrower.

    A state reached with several tags carries their masses in a second packed int, one
    field per tag of its tag list (`engine.analysis.frozen.TagFields`)."""
    width = denominator.bit_length() + 1
    field0 = (1 << width) - 1
    k = len(avoids) + len(signposts)
    settle = settled if settled and keys is not None and n_fail == 0 else [None] * k
    # field numbers: the fields never settled lowest, then the later settled, the earliest
    # settled highest
    rank = sorted(range(k), key=lambda i: -(settle[i] or 1 << 30))
    place = {i: r + 1 for r, i in enumerate(rank)}
    fields = [field0 << (width * place[i]) for i in range(k)]
    clear: dict[int, int] = {}                   # action -> mask clearing its sets' fields
    for i, avoid in enumerate(avoids):
        for a in avoid:
            clear[a] = clear.get(a, -1) & ~fields[i]
    get = clear.get
    signpost_fields = list(zip(signposts, fields[len(avoids):]))
    clear_fired: dict[int, int] = {}             # signposts' bits -> mask clearing fields

    def fired_cut(bits: int) -> int:
        cut = clear_fired[bits] = ~sum(f for bit, f in signpost_fields if bits & bit)
        return cut

    settling: dict[int, int] = {}                # turn -> its fields settled as it begins
    for i, turn in enumerate(settle):
        if turn is not None:
            settling[turn] = settling.get(turn, 0) | fields[i]
    mass = [0] * n
    fail_mass = [0] * n_fail
    mass[0] = denominator * sum(1 << (width * i) for i in range(k + 1))
    if fired_at_start:
        mass[0] &= fired_cut(fired_at_start)
    tagged = frozen is not None and frozen.any
    lists = TagFields(width)
    tag_list = array("i")          # per state, its tag list's number (−1: none yet)
    tag_mass: list[int] = []       # per state with several tags, their packed masses
    if tagged:
        assert frozen is not None
        tag_list = array("i", [-1]) * n
        tag_mass = [0] * n
        tag_list[0] = lists.number((frozen.first,))
        before_dying, dying = frozen.before_dying, frozen.dying
        passed, merged, several = lists.passed, lists.merged, lists.several
    # an end state keeps only its plain mass: the other fields are summed over all of them
    # as they arrive (so tens of thousands of wide ints are not kept to the end)
    is_end = bytearray(n)
    if fields:
        for e in ends:
            is_end[e] = 1
    total_ended = 0
    by_turn = tagged or bool(settling)
    tsh = turn_shift
    adds, settles, t, mine, passing, many = 0, 0, 0, 0, 0, False
    for sid in order:
        m = mass[sid]
        if not m:
            continue
        # passed on: only the frontier's and the kept states' wide ints stay in memory
        mass[sid] = m & field0 if keep is None or sid in keep else 0
        ws, total = plans[sid]
        share = m // total
        edge = edges[sid]
        pairs = edge[1]
        acts = edge[2] if clear and not edge[0] else None
        fired = edge[3] if len(edge) > 3 else None
        if by_turn:
            t = keys[sid] >> tsh                                # type: ignore[index]
            settles = settling.get(t + 1, 0)
        if tagged:
            mine = tag_list[sid]
            many = several[mine]
            if many:
                tag_share = tag_mass[sid] // total
                tag_mass[sid] = 0
            adds = keys[sid] & dying[t + 1] if t in before_dying else 0  # type: ignore[index]
            passing = passed(mine, adds) if adds else mine   # its tag list in the next turn
        for j, w in enumerate(ws):
            if not w:
                continue
            v = share if w == 1 else share * w
            if acts is not None:
                cut = get(acts[j])
                if cut is not None:
                    v &= cut
            if fired is not None and fired[j]:
                v &= clear_fired.get(fired[j]) or fired_cut(fired[j])
            c = pairs[2 * j]
            if c < 0:
                fail_mass[-c - 1] += v & field0
                continue
            entering = by_turn and keys[c] >> tsh > t                # type: ignore[index]
            if settles and entering:
                got = v & settles
                if got:
                    total_ended += got
                    v ^= got
            if is_end[c]:
                total_ended += v
                v &= field0
            if tagged:
                kc = passing if entering else mine
                theirs = tag_list[c]
                if theirs == -1:
                    tag_list[c] = kc
                    if many:
                        tag_mass[c] = tag_share * w
                elif theirs == kc:
                    if many:
                        tag_mass[c] += tag_share * w
                else:        # different tag lists meet: fields into their union
                    tag_mass[c], tag_list[c] = merged(
                        tag_mass[c] if several[theirs] else mass[c] & field0, theirs,
                        tag_share * w if many else v & field0, kc)
            mass[c] += v
    end_tags: dict[int, list[tuple[int, int]]] = {}
    if tagged:
        for e in ends:
            kc = tag_list[e]
            end_tags[e] = sorted(lists.split(tag_mass[e] if several[kc] else mass[e], kc))
    return mass, fail_mass, [(total_ended & f) >> (width * place[i])
                             for i, f in enumerate(fields)], end_tags


def taken_on_the_way(order: list[int], edges: list, n: int, ends: list[int],
                     avoids: list[frozenset[int]], signposts: tuple[int, ...] = (),
                     fired_at_start: int = 0) -> list[bool]:
    """For each set of actions in `avoids`, then each signpost's bit in `signposts` (as
    `push_avoiding` takes them): whether some session that ends takes one of those actions,
    or a move that sets that bit, whatever its mass. A choice weighted 0 passes on no mass,
    but its sessions are still reached, and the end states of an unreduced exploration
    name what they played and fired, at chance 0."""
    k = len(avoids)
    by_action: dict[int, int] = {}
    for i, avoid in enumerate(avoids):
        for a in avoid:
            by_action[a] = by_action.get(a, 0) | 1 << i
    signpost_bits = [(bit, 1 << (k + j)) for j, bit in enumerate(signposts)]

    def of_fired(bits: int) -> int:
        return sum(mine for bit, mine in signpost_bits if bits & bit)

    seen: list[int | None] = [None] * n
    seen[0] = of_fired(fired_at_start)
    for sid in order:
        mine = seen[sid]
        if mine is None:
            continue
        edge = edges[sid]
        acts = edge[2] if len(edge) > 2 and not edge[0] else None
        fired = edge[3] if len(edge) > 3 else None
        for j, c in enumerate(edge[1][0::2]):
            if c < 0:
                continue
            got = mine
            if acts is not None:
                got |= by_action.get(acts[j], 0)
            if fired is not None and fired[j]:
                got |= of_fired(fired[j])
            theirs = seen[c]
            seen[c] = got if theirs is None else theirs | got
    union = 0
    for e in ends:
        union |= seen[e] or 0
    return [bool(union >> i & 1) for i in range(k + len(signposts))]
