"""Seeded random playthroughs (`spillover randomtest`), in the manner of ChoiceScript's.

Each playthrough starts from the initial state and, until the session ends, picks one of the
available choices (the explorer's own list, from the compiled scenario of `engine.analysis.machine`,
which tests keep equal to the rules') — each open `branch:option`, each inject the
facilitator may release by hand, passing — at random, weighting each by 1/(1 + the times it
was picked in earlier playthroughs), so play is steered toward what has been tried least.
Adjudications are rolled with the playthrough's own `random.Random` (only here: sessions
roll with `engine.play.dice`). A failure's message comes from `engine.play.rules`.

Playthrough *i* of a run with seed *S* draws from `random.Random(derived_seed(S, i))`; its
steering depends on the counts of playthroughs 0..i−1, so `randomtest(…, seed=S,
playthrough=i)` re-runs those silently and then plays *i* again with a full trace: the same
choices, the same faces, the same failure. The failing choices are also given as step
tokens that `engine.analysis.paths.replay_steps` applies through the rules.

A run stops at the first failure:
- **rule**: a move offered as available that the rules refuse — an effect pushing a variable
  out of its range (RuleError);
- **dead end** (unless allowed): a turn ≥ 1 in which the scenario expects play (some branch's
  turn window includes it) begins — right after passing — with nothing to play and no
  inject to release: the group can only pass. (Running out of moves after a release in
  mid-turn is not one.)
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

import attrs

from engine.analysis.machine import Machine, RangeFail
from engine.analysis.moves import Policy, rule_refusal
from engine.analysis.paths import describe
from engine.analysis.results import Step
from engine.model import Scenario
from engine.play import rules
from engine.play.dice import modifier_text
from engine.play.rules import Env


def derived_seed(seed: int, playthrough: int) -> int:
    """The seed of one playthrough: independent of how much earlier ones drew."""
    digest = hashlib.sha256(f"spillover-randomtest:{seed}:{playthrough}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@attrs.frozen
class RandomFailure:
    kind: str                    # "rule" or "dead end"
    message: str
    playthrough: int             # 0-based index in the run
    playthrough_seed: int
    steps: tuple[Step, ...]      # every choice and roll of the playthrough up to the failure

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(s.token for s in self.steps)


@attrs.frozen
class RandomTestResult:
    scenario: str
    seed: int
    requested: int
    playthroughs: int                       # playthroughs run (the failing one included)
    seconds: float
    branch_counts: dict[str, int]           # every branch, in scenario order
    option_counts: dict[str, int]           # every "branch:option"
    inject_counts: dict[str, int]           # every inject (scheduled ones too)
    outcome_counts: dict[str, int]          # "branch:option success|failure"
    dead_ends: int                          # met (only counted when allowed)
    end_outcomes: tuple[tuple[tuple[tuple[str, str], ...], int], ...]   # values, count
    failure: RandomFailure | None
    trace: tuple[Step, ...] | None = None   # the replayed playthrough, when asked for

    @property
    def rate(self) -> float:
        return self.playthroughs / self.seconds if self.seconds > 0 else float("inf")

    @property
    def never_branches(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.branch_counts.items() if not v)

    @property
    def never_options(self) -> tuple[str, ...]:
        played = {b for b, v in self.branch_counts.items() if v}
        return tuple(k for k, v in self.option_counts.items()
                     if not v and k.split(":", 1)[0] in played)

    @property
    def never_injects(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.inject_counts.items() if not v)

    @property
    def never_outcomes(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.outcome_counts.items()
                     if not v and self.option_counts.get(k.split(" ")[0]))


class _Stop(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


def randomtest(scenario: Scenario, n: int = 1000, seed: int = 0, *, injects: bool = True,
               switched_off: Iterable[str] = (), allow_dead_ends: bool = False,
               playthrough: int | None = None) -> RandomTestResult:
    """Run `n` seeded playthroughs (or, with `playthrough=i`, re-run 0..i and trace i)."""
    if n < 0:
        raise ValueError("the number of playthroughs cannot be negative")
    if playthrough is not None:
        if playthrough < 0:
            raise ValueError("the playthrough index cannot be negative")
        n = playthrough + 1
    env = Env.for_session(scenario, switched_off)
    t0 = time.perf_counter()
    player = _Player(env, injects, allow_dead_ends)
    ends: Counter = Counter()
    dead_ends = 0
    failure = None
    trace = None
    run = 0
    for i in range(n):
        run = i + 1
        rng = random.Random(derived_seed(seed, i))
        keep = playthrough == i
        steps: list = []
        try:
            end, met = player.play(rng, steps)
        except _Stop as stop:
            described = describe_steps(steps, env, player.machine)
            failure = RandomFailure(stop.kind, stop.message, i, derived_seed(seed, i), described)
            if keep:
                trace = described
            break
        dead_ends += met
        ends[end & player.values_mask] += 1
        if keep:
            trace = describe_steps(steps, env, player.machine)
    seconds = time.perf_counter() - t0
    values = player.machine.layout.values
    shown = tuple(sorted(
        ((tuple((v.id, v.show(vals[v.index])) for v in scenario.variables), c)
         for vals, c in ((values(bits), c) for bits, c in ends.items())),
        key=lambda x: (-x[1], x[0])))
    counts = player.counts()
    return RandomTestResult(
        scenario=scenario.id, seed=seed, requested=n, playthroughs=run, seconds=seconds,
        branch_counts=counts["branch"], option_counts=counts["option"],
        inject_counts=counts["inject"], outcome_counts=counts["outcome"],
        dead_ends=dead_ends, end_outcomes=shown, failure=failure, trace=trace)


class _Player:
    """Plays seeded playthroughs on the compiled scenario (`engine.analysis.machine`), steering each
    choice by how often its key ("b:o", "inject:i", "pass@turn") was picked before."""

    def __init__(self, env: Env, injects: bool, allow_dead_ends: bool):
        sc = env.scenario
        self.env, self.allow_dead_ends = env, allow_dead_ends
        self.machine = m = Machine(env, injects)
        lay = m.layout
        self.values_mask = lay.values_mask
        prep = Policy(sc, injects, None)
        self.expects_play = [t >= 1 and e for t, e in enumerate(prep.expects_play)]
        # steering: how often each choose/release action, and passing in each turn, was
        # picked; `weight` holds 1 / (1 + uses) per action (at PASS and END: this turn's)
        self.uses = [0] * len(m.actions)
        self.pass_uses = [0] * (m.last + 1)
        self.weight = [1.0] * len(m.actions)
        # (pending no., success, or a graded roll's band id) -> n
        self.rolls: Counter[tuple[int, bool | str]] = Counter()
        self.scheduled: Counter[str] = Counter()                       # injects released on passing

    def play(self, rng: random.Random, steps: list) -> tuple[int, int]:
        """One playthrough to its end; returns (end state, dead ends met) or raises _Stop.
        `steps` collects (action number or "roll", state, faces) for every choice and roll,
        the failing one last, described only when needed."""
        m, env = self.machine, self.env
        lay = m.layout
        sc = env.scenario
        pmask, pshift, ended, rmask, tshift = (lay.pending_mask, lay.pending_shift, lay.ended,
                                               lay.released_mask, lay.turn_shift)
        PASS, END = m.PASS, m.END
        weight, uses, pass_uses = self.weight, self.uses, self.pass_uses
        weight_of = weight.__getitem__
        c = m.root
        met = 0
        just_passed = False                  # the state was entered by passing: a turn begins
        t = c >> tshift                      # the turn of `tc` and `steps_of`
        tc = m.turn(t)
        steps_of = tc.steps
        weight[PASS] = weight[END] = 1.0 / (1 + pass_uses[t])
        random_ = rng.random
        while not c & ended:
            if (c >> tshift) != t:
                t = c >> tshift
                tc = m.turn(t)
                steps_of = tc.steps
                weight[PASS] = weight[END] = 1.0 / (1 + pass_uses[t])
            k = (c & pmask) >> pshift
            if k:
                b, _o = lay.contested[k - 1]
                adj = sc.branches[b].adjudication
                assert adj is not None
                faces: Any = [rng.randint(1, adj.sides) for _ in range(adj.count)]
                total = sum(faces) + tc.mods[k](c)
                if adj.opposed:        # the opposing pool (format 2), kept with the faces
                    against = [rng.randint(1, adj.against_sides)
                               for _ in range(adj.against_count)]
                    other = sum(against)
                    success = total > other or (total == other and adj.ties == "success")
                    faces = (faces, against)
                else:
                    success = adj.band_of(total).id if adj.graded else total >= adj.target
                steps.append(("roll", c, faces))
                try:
                    c = tc.bands[k][success](c) if adj.graded else \
                        tc.win[k](c) if success else tc.lose[k](c)
                except RangeFail:
                    raise _Stop("rule", rule_refusal(lay.decode(steps[-1][1]), env,
                                                      ("roll", success))) from None
                self.rolls[(k, success)] += 1
                continue
            choices = tc.open(c)
            last = len(choices) - 1
            if just_passed and not last and self.expects_play[t]:
                if not self.allow_dead_ends:
                    raise _Stop("dead end", f"turn {t} ({sc.turns[t].label}) begins with "
                                "nothing to play and nothing to release")
                met += 1
            # weighted pick: 1/(1 + uses) for each choice (passing: this turn's passes)
            cum = list(accumulate(map(weight_of, choices)))
            i = bisect_right(cum, random_() * cum[-1])
            a = choices[i if i <= last else last]
            if a == PASS and tc.pass_odds is not None:      # the next turn draws (format 2)
                child = self.draw(rng, tc.pass_odds(c), c, steps)
            else:
                steps.append((a, c, None))
                try:
                    child = steps_of[a](c)
                except RangeFail:
                    raise _Stop("rule", rule_refusal(lay.decode(c), env, m.actions[a])) from None
            just_passed = a == PASS
            if a < PASS:
                uses[a] += 1
                weight[a] = 1.0 / (1 + uses[a])
            else:
                pass_uses[t] += 1
                weight[PASS] = weight[END] = 1.0 / (1 + pass_uses[t])
                if (child & rmask) != (c & rmask):
                    for iid, bit in lay.released.items():
                        if child & bit and not c & bit:
                            self.scheduled[iid] += 1
            c = child
        return c, met

    def draw(self, rng: random.Random, odds: list, c: int, steps: list) -> int:
        """Passing into a turn that draws chance injects: one outcome, drawn with its exact
        odds (a whole number below their common denominator)."""
        scale = math.lcm(*(p.denominator for _o, p, _c in odds))
        pick = rng.randrange(scale)
        for outcome, p, child in odds:     # noqa: B007 (the one drawn is used after the loop)
            pick -= int(p * scale)
            if pick < 0:
                break
        steps.append((("pass", outcome), c, None))
        if child is None:
            raise _Stop("rule", rule_refusal(self.machine.layout.decode(c), self.env,
                                             ("pass", outcome)))
        return child

    def counts(self) -> dict[str, dict]:
        m = self.machine
        sc = m.scenario
        option = {f"{b.id}:{o.id}": 0 for b in sc.branches.values() for o in b.options}
        inject = dict.fromkeys(sc.injects, 0)
        for a, action in enumerate(m.actions[:m.PASS]):
            if action[0] == "choose":
                option[f"{action[1]}:{action[2]}"] += self.uses[a]
            else:
                inject[action[1]] += self.uses[a]
        for iid, n in self.scheduled.items():
            inject[iid] += n
        branch = {b: sum(option[f"{b}:{o.id}"] for o in sc.branches[b].options)
                  for b in sc.branches}
        outcome = {f"{b.id}:{o.id} {w}": 0 for b in sc.branches.values()
                   for o in b.options if o.contested
                   for w in ([band.id for band in (b.adjudication.bands if b.adjudication else ())]
                             or ("success", "failure"))}
        for (k, success), n in self.rolls.items():
            b, o = m.layout.contested[k - 1]
            word = success if isinstance(success, str) else \
                "success" if success else "failure"
            outcome[f"{b}:{o} {word}"] += n
        return {"branch": branch, "option": option, "inject": inject, "outcome": outcome}


def describe_steps(steps: list, env: Env, machine: Machine) -> tuple[Step, ...]:
    out = []
    decode = machine.layout.decode
    for action, code, faces in steps:
        state = decode(code)
        if isinstance(action, int):
            action = machine.actions[action]
        if action == "roll":
            branch, _option = rules.pending_option(state, env)
            adj = branch.adjudication
            assert adj is not None               # a roll is pending: it is adjudicated
            mods = rules.modifiers_now(branch, state, env)
            against: list = []
            if adj.opposed:
                faces, against = faces
            total = sum(faces) + sum(v for _, v in mods)
            mod_text = modifier_text(mods)
            if adj.opposed:
                other = sum(against)
                word = "success" if total > other or (
                    total == other and adj.ties == "success") else "failure"
                out.append(Step(f"roll {word}", f"turn {state.turn}: roll {adj.dice} on "
                                f"{branch.id}: {' + '.join(map(str, faces))}{mod_text} = "
                                f"{total} vs {adj.against_dice}: "
                                f"{' + '.join(map(str, against))} = {other} → {word}",
                                state.turn))
                continue
            if adj.graded:
                band = adj.band_of(total)
                out.append(Step(f"roll {band.id}", f"turn {state.turn}: roll {adj.dice} on "
                                f"{branch.id}: {' + '.join(map(str, faces))}{mod_text} = "
                                f"{total} → {band.label}", state.turn))
                continue
            success = total >= adj.target
            word = "success" if success else "failure"
            out.append(Step(f"roll {word}", f"turn {state.turn}: roll {adj.dice} on "
                            f"{branch.id}: {' + '.join(map(str, faces))}{mod_text} = {total} "
                            f"vs {adj.target} → {word}", state.turn))
        else:
            out.append(describe(action, state, env))
    return tuple(out)
