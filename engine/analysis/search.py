"""The search of `explore`: every reachable state of the packed machine, each stored once,
expanded in the order that makes the state graph a DAG (see `engine.analysis.explore`).

`Search(...).run()` gives a `Graph`: the states (packed ints), for each its shortest-path
link, its outgoing edges (`(chance, pairs[, actions[, fired]])`, pairs being child number
or −(failure number + 1), then its weight: whole numbers at a decision, `Fraction` odds at
a roll, any number of either; `fired` the signposts' bits each move set, where the reduced
states keep none of them and some move set one), the expanded states in topological order,
the end states, the possible dead ends, the failures, and the shortest way found to play
each option, take each roll outcome and release each inject. Paths, odds and findings are
made from it elsewhere.
"""

from __future__ import annotations

import math
import time
from array import array
from fractions import Fraction

from engine.analysis.machine import Layout, Machine, RangeFail
from engine.analysis.moves import ROLL_KO, ROLL_OK, Policy, rule_refusal
from engine.analysis.odds import roll_odds
from engine.analysis.reduce import Full, Reduction, end_mask
from engine.play.rules import Env

Best = tuple[int, int, tuple]        # (distance, state, action): a shortest way to do it


class Graph:
    """The explored state graph and what was noted on the way (see the module docstring)."""

    def __init__(self, machine: Machine, root: int):
        self.machine = machine
        self.keys: list[int] = [root]
        # the index of each state, kept only while searching (`Search.run` frees it)
        self.index: dict[int, int] = {root: 0}
        # per state, as 4-byte machine ints (a list would hold an 8-byte pointer and, above
        # 256, a 28-byte int object each)
        self.dist = array("i", [0])
        self.parent = array("i", [-1])
        self.pact = array("i", [-1])         # the action into each state (index in actions)
        self.edges: list = [None]
        self.order: list[int] = []           # expanded states, in topological order
        self.ends: list[int] = []
        self.dead: list[int] = []            # dead ends, if entered by passing
        self.fail_msgs: dict[str, int] = {}  # message -> failure number
        self.fail_first: list[tuple[int, tuple]] = []   # (state, action) of a shortest one
        self.fail_count: list[int] = []
        self.best_branch: dict[str, Best] = {}
        self.best_option: dict[tuple, Best] = {}
        self.best_outcome: dict[tuple, Best] = {}
        self.best_inject: dict[str, Best] = {}
        # machine actions, then the outcomes of a roll as actions: success, failure, and
        # the result bands of graded rolls
        sc = machine.env.scenario
        self.band_ids = sorted({band.id for b in sc.branches.values()
                                if b.adjudication is not None for band in b.adjudication.bands})
        self.actions: list[tuple] = machine.actions + [ROLL_OK, ROLL_KO] + [
            ("roll", bid) for bid in self.band_ids]
        self.transitions = 0
        self.expanded = 0
        self.complete = True
        self.gave_up = False
        self.turn_reached_fully = 0          # turns below this were explored completely
        self.seconds = 0.0


def action_weights(machine: Machine, policy: Policy) -> list[int]:
    """The policy's weight of each machine action, scaled to whole numbers (a state's
    shares are w / sum(w), unchanged by a common factor)."""
    weight: list = [1] * len(machine.actions)
    for opts in policy.options.values():
        for action, w in opts:
            weight[machine.action_index[action]] = w
    for release, w in policy.inject_choice.values():
        weight[machine.action_index[release]] = w
    weight[machine.PASS] = weight[machine.END] = policy.pass_weight
    scale = math.lcm(*(Fraction(w).denominator for w in weight))
    return [int(w * scale) for w in weight]


def failure_reads(lay: Layout) -> int:
    """What a failing move's message can depend on: every bit of the state but this turn's
    moves and the signposts fired (effects read neither; the rules check the allowance
    before they apply a move, and the machine offers only moves the allowance leaves open)."""
    return ~(lay.moves_mask | lay.fired_mask)


class Search:
    """One exploration: set up by `__init__`, made by `run`."""

    def __init__(self, env: Env, machine: Machine, policy: Policy, *, max_states: int,
                 give_up_early: bool, reduce: bool):
        sc = env.scenario
        self.env, self.machine, self.policy = env, machine, policy
        self.lay = lay = machine.layout
        self.last = sc.last_turn
        self.max_states, self.give_up_early = max_states, give_up_early
        # the reductions (engine.analysis.reduce): per turn the bits a state keeps, what an
        # end state keeps, and the canonical moves of a used-up allowance
        self.reduction = Reduction.of(sc, lay, machine.uses) if reduce else Reduction.none(sc)
        self.keep = self.reduction.keep
        self.end_keep = end_mask(lay) if reduce else -1
        self.full = Full.of(sc, lay) if reduce else None
        # this turn's moves -> the same made canonical (a handful of distinct values), and
        # what leaves a state's moves alone (a roll pending, or the session ended)
        self.canon: dict[int, int] | None = {} if self.full is not None else None
        self.busy = lay.pending_mask | lay.ended
        self.fail_reads = failure_reads(lay)
        self.fail_memo: dict[tuple, str] = {}
        self.ctx: tuple = ()                 # set by `run`
        # set by explore when the odds need them: each edge's action, and (with `reduce`, no
        # state keeping them) the fired bits each edge sets, when this mask is not 0
        self.keep_actions = False
        self.fired_on_edges = 0
        self.graph = g = Graph(machine, machine.root & self.keep[0])
        self.weight = action_weights(machine, policy)
        self.R_OK, self.R_KO = len(machine.actions), len(machine.actions) + 1
        self.R_BAND = {bid: self.R_KO + 1 + i for i, bid in enumerate(g.band_ids)}
        self.adjudication: list = [None] + [sc.branches[b].adjudication for b, _o in lay.contested]
        # per pending no., modifiers' sum -> the roll's odds: `roll_odds` is cached too, but
        # its key hashes the whole adjudication (its expression trees) on every call
        self.odds_memo: list[dict[int, tuple]] = [{} for _ in self.adjudication]
        self.roll_weight: list = [0] * len(g.actions)     # a roll's odds, at R_OK and R_KO
        # per action: the shortest distance it was taken at (outcomes, passing and ending
        # are tracked elsewhere)
        self.best_d = [1 << 62] * len(g.actions)
        for a in (self.R_OK, self.R_KO, *self.R_BAND.values(), machine.PASS, machine.END):
            self.best_d[a] = -1
        # how much each move raises the in-turn order key (see engine.analysis.explore): a
        # choice +2 (+1 when a roll follows), a release +2, a roll +1; passing and ending 0
        self.order_step = [0] * len(g.actions)
        for a, action in enumerate(g.actions):
            if action[0] == "choose":
                option = sc.branches[action[1]].option(action[2])
                assert option is not None
                contested = option.contested
                self.order_step[a] = 1 if contested else 2
            elif action[0] == "release":
                self.order_step[a] = 2
        for a in (self.R_OK, self.R_KO, *self.R_BAND.values()):
            self.order_step[a] = 1
        self.first_draw = len(g.actions)      # passings with a draw's outcome from here on
        self.draw_index: dict[tuple, int] = {}
        self.n_keys = 2 * machine.mpt + 2 * len(sc.injects) + 2
        self.buckets: list[list[list[int]]] = [[[] for _ in range(self.n_keys)]
                                               for _ in range(self.last + 1)]
        self.buckets[0][lay.order_key(g.keys[0])].append(0)

    # ------------------------------------------------------------------ the loop

    def run(self) -> Graph:
        g, last, lay = self.graph, self.last, self.lay
        canon = self.canon
        # what `register` reads, fetched once (it runs once per expanded state)
        self.ctx = (g, g.keys, g.dist, g.parent, g.pact, g.index, self.keep, self.end_keep,
                    self.best_d, self.order_step, lay.turn_shift, lay.ended, lay.released_mask,
                    canon, canon.get if canon is not None else None, self.busy,
                    lay.moves_mask, self.buckets, g.edges)
        t0 = time.perf_counter()
        prev_known, growth = 1, []
        for t in range(last + 1):
            g.turn_reached_fully = t
            if not self.turn(t):
                g.complete = False
                break
            if self.give_up_early and t < last:
                known = len(g.keys)
                growth.append(known / max(1, prev_known))
                prev_known = known
                if known >= self.max_states // 20 and len(growth) >= 2 and \
                        known * min(growth[-2:]) ** (last - t) > 4 * self.max_states:
                    g.complete, g.gave_up = False, True
                    g.turn_reached_fully = t + 1
                    break
        else:
            g.turn_reached_fully = last + 1
        g.index = {}             # only the search looks states up: free it for the odds
        self.buckets = []
        self.ctx = ()
        g.seconds = time.perf_counter() - t0
        return g

    def turn(self, t: int) -> bool:
        """Expand every state of turn t, in order of the in-turn key; False at the budget."""
        g, lay = self.graph, self.lay
        tc = self.machine.turn(t)
        expects_play = t >= 1 and self.policy.expects_play[t]
        pmask, pshift, mmask = lay.pending_mask, lay.pending_shift, lay.moves_mask
        keys, dist = g.keys, g.dist
        for m0 in range(self.n_keys):
            for sid in self.buckets[t][m0]:
                c = keys[sid]
                k = (c & pmask) >> pshift
                wts: list | dict
                if k:
                    choices, kids, wts = self.roll(sid, c, tc, k, dist[sid])
                else:
                    choices, kids, wts = self.decide(sid, c, tc)
                    if len(choices) == 1 and expects_play and not c & mmask:
                        g.dead.append(sid)
                if not self.register(sid, c, choices, kids, wts, t, m0):
                    return False
            self.buckets[t][m0] = []         # expanded: its list is needed no more
        return True

    def roll(self, sid: int, c: int, tc, k: int, d: int) -> tuple[list[int], list[int], list]:
        """A pending roll, a chance node: each outcome (its action, and the machine's move
        for it) with its odds from `odds.roll_odds`, in the same order, of any number;
        impossible ones are left out."""
        g = self.graph
        wts = self.roll_weight
        choices, kids = [], []
        mod = tc.mods[k](c)
        odds = self.odds_memo[k].get(mod)
        if odds is None:
            odds = self.odds_memo[k][mod] = roll_odds(self.adjudication[k], mod)
        for p, result in odds:
            if result is True:
                a, move = self.R_OK, tc.win[k]
            elif result is False:
                a, move = self.R_KO, tc.lose[k]
            else:                                   # a graded roll's result band
                a, move = self.R_BAND[result], tc.bands[k][result]
            wts[a] = p
            choices.append(a)
            try:
                kids.append(move(c))
            except RangeFail:
                kids.append(self.fail(sid, g.actions[a]))
                continue
            okey = self.lay.contested[k - 1] + (g.actions[a][1],)
            b = g.best_outcome.get(okey)
            if b is None or d < b[0]:
                g.best_outcome[okey] = (d, sid, g.actions[a])
        return choices, kids, wts

    def decide(self, sid: int, c: int, tc) -> tuple[list[int], list[int], list | dict]:
        """A decision point: every open action, weighted by the policy."""
        choices = tc.open(c)
        if tc.pass_odds is not None and choices[-1] == self.machine.PASS:
            return self.decide_drawing(sid, c, tc, choices)
        steps = tc.steps
        try:
            kids = [steps[a](c) for a in choices]
        except RangeFail:                           # rare: find which, from the rules
            kids = self.kids_or_failures(sid, c, steps, choices)
        return choices, kids, self.weight

    def kids_or_failures(self, sid: int, c: int, steps: list, choices: list[int]) -> list[int]:
        """Each choice's child, or its failure number where the move leaves a range."""
        kids = []
        actions = self.graph.actions
        for a in choices:
            try:
                kids.append(steps[a](c))
            except RangeFail:
                kids.append(self.fail(sid, actions[a]))
        return kids

    def decide_drawing(self, sid: int, c: int, tc, choices: list[int]
                       ) -> tuple[list[int], list[int], dict]:
        """A decision point whose passing enters a turn that draws chance injects (format
        2): passing is followed by its chance node, folded in here as one move per outcome
        of the draws, weighted by passing's weight times the outcome's exact odds (every
        weight scaled by the odds' common denominator, so they stay whole numbers and the
        other moves keep their shares)."""
        steps, weight, head = tc.steps, self.weight, choices[:-1]
        kids = self.kids_or_failures(sid, c, steps, head)
        odds = tc.pass_odds(c)
        scale = math.lcm(*(p.denominator for _o, p, _c in odds))
        wts = {a: weight[a] * scale for a in head}
        choices = list(head)
        for outcome, p, child in odds:
            a = self.draw_action(outcome)
            wts[a] = int(weight[self.machine.PASS] * p * scale)
            choices.append(a)
            kids.append(child if child is not None else self.fail(sid, self.graph.actions[a]))
        return choices, kids, wts

    def draw_action(self, outcome: tuple) -> int:
        """The action number of passing with this outcome of the draws (made on first use):
        ("pass", ((inject, fired), …))."""
        a = self.draw_index.get(outcome)
        if a is None:
            g = self.graph
            a = self.draw_index[outcome] = len(g.actions)
            g.actions.append(("pass", outcome))
            self.best_d.append(-1)           # tracked as passing is
            self.order_step.append(0)        # into the next turn
            self.roll_weight.append(0)
        return a

    def fail(self, sid: int, action: tuple) -> int:
        """Note a move the rules refuse (their message), and give its failure number."""
        g = self.graph
        c = g.keys[sid]
        # the rules' message depends on the move and on what effects read or check (the
        # values, the branches chosen, the injects released, a pending roll, the turn), not
        # on this turn's moves or the signposts fired: asked once per such state and move
        key = (action, c & self.fail_reads)
        message = self.fail_memo.get(key)
        if message is None:
            message = self.fail_memo[key] = rule_refusal(self.lay.decode(c), self.env, action)
        k = g.fail_msgs.get(message)
        if k is None:
            k = g.fail_msgs[message] = len(g.fail_first)
            g.fail_first.append((sid, action))
            g.fail_count.append(0)
        elif g.dist[sid] < g.dist[g.fail_first[k][0]]:
            g.fail_first[k] = (sid, action)
        g.fail_count[k] += 1
        return -(k + 1)

    def register(self, sid: int, c: int, choices: list[int], kids: list[int], wts: list | dict,
                 t: int, m0: int) -> bool:
        """Store the children of an expanded state (new ones in their bucket) and its edges;
        False when the budget is reached."""
        (g, keys, dist, parent, pact, index, keep, end_keep, best_d, order_step, tsh,
         ended_bit, rmask, canon, canon_get, busy, mmask, buckets, edges) = self.ctx
        d = dist[sid]
        d1 = d + 1
        pairs: list = []
        moved = 0
        fmask = self.fired_on_edges
        fired: list[int] | None = [] if fmask else None
        for a, child in zip(choices, kids):
            w = wts[a]
            if fired is not None:
                fired.append(child & fmask if child >= 0 else 0)
            if child < 0:
                pairs += (child, w)                      # a failure
                continue
            if d < best_d[a]:                           # a shorter way to play a branch …
                best_d[a] = d
                self.note_best(a, d, sid)
            step = order_step[a]
            # … or an inject released on passing
            if not step and (child ^ c) & rmask:
                self.note_scheduled(c, child, d, sid, g.actions[a])
            moved += 1
            child &= keep[child >> tsh]
            if child & ended_bit:
                child &= end_keep
            elif canon_get is not None and not child & busy:    # used-up allowances' moves
                moves = child & mmask
                same = canon_get(moves)
                if same is None:
                    assert canon is not None
                    same = canon[moves] = self.full_moves(moves)
                if same != moves:
                    child ^= moves ^ same
            cid = index.get(child)
            if cid is None:
                if len(keys) >= self.max_states:
                    g.transitions += moved       # the transitions seen so far still count
                    return False
                cid = len(keys)
                index[child] = cid
                keys.append(child)
                dist.append(d1)
                parent.append(sid)
                pact.append(a)
                edges.append(None)
                if child & ended_bit:            # the last pass, or a scenario ending
                    g.ends.append(cid)
                elif step:                       # same turn: the key grows by a known step
                    buckets[t][m0 + step].append(cid)
                else:                            # passing: the next turn, from its releases
                    ct = child >> tsh
                    if ct != t + 1:
                        raise AssertionError(f"exploration order broken: passing from turn {t} "
                                             f"leads to turn {ct}")
                    buckets[ct][2 * (child & rmask).bit_count()].append(cid)
            elif d1 < dist[cid]:
                dist[cid] = d1
                parent[cid] = sid
                pact[cid] = a
            pairs += (cid, w)
        g.transitions += moved
        chance = wts is self.roll_weight
        if not self.keep_actions:
            edges[sid] = (chance, tuple(pairs))
        elif fired is not None and any(fired):
            edges[sid] = (chance, tuple(pairs), tuple(choices), tuple(fired))
        else:
            edges[sid] = (chance, tuple(pairs), tuple(choices))
        g.order.append(sid)
        g.expanded += 1
        return True

    def full_moves(self, moves: int) -> int:
        """This turn's moves with those of each used-up allowance made canonical."""
        assert self.full is not None
        return self.full.canonical(moves) & self.lay.moves_mask

    def note_best(self, a: int, d: int, sid: int) -> None:
        """A first or shorter way to play an option (and its branch) or release an inject."""
        g = self.graph
        action = g.actions[a]
        if a < self.machine.n_choose:
            g.best_option[action] = (d, sid, action)
            b = g.best_branch.get(action[1])
            if b is None or d < b[0]:
                g.best_branch[action[1]] = (d, sid, action)
        else:
            b = g.best_inject.get(action[1])
            if b is None or d < b[0]:
                g.best_inject[action[1]] = (d, sid, action)

    def note_scheduled(self, c: int, child: int, d: int, sid: int, action: tuple) -> None:
        """Injects released on passing (scheduled for the new turn)."""
        g = self.graph
        for iid, bit in self.lay.released.items():
            if child & bit and not c & bit:
                b = g.best_inject.get(iid)
                if b is None or d < b[0]:
                    g.best_inject[iid] = (d, sid, action)


__all__ = ["Graph", "Search", "action_weights", "failure_reads"]
