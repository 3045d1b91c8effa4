"""Seeded random playthroughs (`spillover randomtest`), in the manner of ChoiceScript's.

Each playthrough starts from the initial state and, until the session ends, picks one of the
available choices (`engine.explore.available`, the explorer's own list) — each open
`branch:option`, each inject the facilitator may release by hand, passing — at random,
weighting each by 1/(1 + the times it was picked in earlier playthroughs), so play is
steered toward what has been tried least. Adjudications are rolled with the playthrough's
own `random.Random` (only here: sessions roll with `engine.dice`). Every move goes through
`engine.rules`.

Playthrough *i* of a run with seed *S* draws from `random.Random(derived_seed(S, i))`; its
steering depends on the counts of playthroughs 0..i−1, so `randomtest(…, seed=S,
playthrough=i)` re-runs those silently and then plays *i* again with a full trace: the same
choices, the same faces, the same failure. The failing choices are also given as step
tokens that `engine.explore.replay_steps` applies through the rules.

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
import random
import time
from collections import Counter
from typing import Iterable

import attrs

from . import rules
from .explore import (PASS, Step, _Prep, apply_action, available, describe, is_dead_end,
                      modifier_text)
from .model import Scenario
from .rules import Env, GameState, RuleError


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
    prep = _Prep(scenario, injects, None)
    uses: Counter = Counter()
    counts = {
        "branch": {b: 0 for b in scenario.branches},
        "option": {f"{b.id}:{o.id}": 0 for b in scenario.branches.values() for o in b.options},
        "inject": {i: 0 for i in scenario.injects},
        "outcome": {f"{b.id}:{o.id} {w}": 0 for b in scenario.branches.values()
                    for o in b.options if o.contested for w in ("success", "failure")},
    }
    ends: Counter = Counter()
    dead_ends = 0
    failure = None
    trace = None
    run = 0
    t0 = time.perf_counter()
    for i in range(n):
        run = i + 1
        rng = random.Random(derived_seed(seed, i))
        keep = playthrough == i
        steps: list = []
        try:
            state, met = _play(env, prep, rng, uses, counts, steps, allow_dead_ends)
        except _Stop as stop:
            described = describe_steps(steps, env)
            failure = RandomFailure(stop.kind, stop.message, i, derived_seed(seed, i), described)
            if keep:
                trace = described
            break
        dead_ends += met
        ends[state.values] += 1
        if keep:
            trace = describe_steps(steps, env)
    seconds = time.perf_counter() - t0
    shown = tuple(sorted(
        ((tuple((v.id, v.show(vals[v.index])) for v in scenario.variables), c)
         for vals, c in ends.items()), key=lambda x: (-x[1], x[0])))
    return RandomTestResult(
        scenario=scenario.id, seed=seed, requested=n, playthroughs=run, seconds=seconds,
        branch_counts=counts["branch"], option_counts=counts["option"],
        inject_counts=counts["inject"], outcome_counts=counts["outcome"],
        dead_ends=dead_ends, end_outcomes=shown, failure=failure, trace=trace)


def _play(env: Env, prep: _Prep, rng: random.Random, uses: Counter, counts: dict,
          steps: list, allow_dead_ends: bool) -> tuple[GameState, int]:
    """One playthrough; raises _Stop at a failure. `steps` collects (action, state, roll)
    for every choice and roll (the failing one last), described only when needed."""
    sc = env.scenario
    keys = prep.choice_keys
    pass_keys = [f"pass@{t}" for t in range(prep.last + 1)]
    state = rules.initial_state(env)
    met = 0
    just_passed = False                  # the state was entered by passing: a turn begins
    branch_counts, option_counts = counts["branch"], counts["option"]
    while not state.ended:
        if state.pending is not None:
            branch, option = rules.pending_option(state, env)
            adj = branch.adjudication
            faces = [rng.randint(1, adj.sides) for _ in range(adj.count)]
            mods = rules.modifiers_now(branch, state, env)
            total = sum(faces) + sum(v for _, v in mods)
            success = total >= adj.target
            steps.append(("roll", state, (faces, mods, total, success)))
            try:
                state = rules.resolve(state, env, success)
            except RuleError as e:
                raise _Stop("rule", str(e)) from None
            counts["outcome"][f"{branch.id}:{option.id} {'success' if success else 'failure'}"] += 1
            continue
        choices = available(state, env, prep)
        if just_passed and is_dead_end(state, choices, prep):
            if not allow_dead_ends:
                raise _Stop("dead end", f"turn {state.turn} ({sc.turns[state.turn].label}) "
                            "begins with nothing to play and nothing to release")
            met += 1
        names = [keys[a] if a is not PASS else pass_keys[state.turn] for a, _w in choices]
        i = _pick(rng, [1.0 / (1 + uses[k]) for k in names])
        action = choices[i][0]
        steps.append((action, state, None))
        before = state
        try:
            state = apply_action(state, env, action)
        except RuleError as e:
            raise _Stop("rule", str(e)) from None
        uses[names[i]] += 1
        kind = action[0]
        just_passed = kind == "pass"
        if kind == "choose":
            branch_counts[action[1]] += 1
            option_counts[names[i]] += 1
        elif kind == "release":
            counts["inject"][action[1]] += 1
        elif kind == "pass" and state.released is not before.released:
            for inj in state.released - before.released:
                counts["inject"][inj] += 1
    return state, met


def describe_steps(steps: list, env: Env) -> tuple[Step, ...]:
    out = []
    for action, state, roll in steps:
        if action == "roll":
            faces, mods, total, success = roll
            branch, _option = rules.pending_option(state, env)
            adj = branch.adjudication
            word = "success" if success else "failure"
            mod_text = modifier_text(mods)
            out.append(Step(f"roll {word}", f"turn {state.turn}: roll {adj.dice} on "
                            f"{branch.id}: {' + '.join(map(str, faces))}{mod_text} = {total} "
                            f"vs {adj.target} → {word}", state.turn))
        else:
            out.append(describe(action, state, env))
    return tuple(out)


def _pick(rng: random.Random, weights: list[float]) -> int:
    x = rng.random() * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1
