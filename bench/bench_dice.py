"""Benchmark: exact odds of the largest accepted dice. Run by hand: python bench/bench_dice.py

Target (issue 10): the odds of any dice spec the loader accepts compute in well under 100 ms.
The work grows as count² × sides, so the slowest accepted specs have the most dice the span
limit allows; every accepted (count, sides) with count² × sides ≥ 40,000 is timed once with a
cold cache to find the slowest, which is then timed 15 times. Reference, in the same run: the
odds of 2d6 (what a seminar usually rolls) by the same code, cold cache.
"""

from __future__ import annotations

import statistics
import time

from engine.format.schema import MAX_DICE, MAX_SIDES, dice_limit_problem
from engine.play.dice import at_least_counts, success_probability


def cold(count: int, sides: int) -> float:
    at_least_counts.cache_clear()
    t = time.perf_counter()
    success_probability(count, sides, count * sides // 2, 0)
    return time.perf_counter() - t


def main() -> None:
    candidates = [(c, s) for c in range(1, MAX_DICE + 1) for s in range(1, MAX_SIDES + 1)
                  if not dice_limit_problem(c, s) and (c * c * s >= 40_000 or s == MAX_SIDES)]
    slowest = max(candidates, key=lambda cs: cold(*cs))
    specs = [slowest, (20, 100), (2, 6)]
    times = {spec: [] for spec in specs}
    for _ in range(15):
        for spec in specs:              # interleaved, so a busy machine weighs on all alike
            times[spec].append(cold(*spec))
    ref = statistics.median(times[(2, 6)])
    print(f"{len(candidates)} large accepted specs scanned; slowest {slowest[0]}d{slowest[1]}")
    for (c, s), ts in times.items():
        med = statistics.median(ts)
        print(f"{c}d{s}: median {med * 1000:.2f} ms (min {min(ts) * 1000:.2f}, max "
              f"{max(ts) * 1000:.2f}), {med / ref:,.0f}× 2d6")


if __name__ == "__main__":
    main()
