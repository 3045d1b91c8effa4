"""Benchmark: what a language costs when a scenario loads.

Run by hand: python bench/bench_strings.py

Loading the bundled scenario in Russian (engine.format.tables.load_scenario_in: the English
scenario, then its three string tables read, checked and applied) against loading it in
English (engine.format.loader.load_scenario), run in turns so a busy machine weighs on both
alike; target: Russian ≤ 1.5× English. Also the `spillover lint --no-explore --lang ru`
process against plain `lint --no-explore` (which checks every table language too).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from engine.bundled import main_scenario
from engine.format.loader import load_scenario
from engine.format.tables import load_scenario_in

REPEAT = 15


def interleaved(fns: dict, repeat: int) -> dict:
    times: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return times


def show(label: str, times: dict, ref: str) -> None:
    base = statistics.median(times[ref])
    for name, ts in times.items():
        ratios = sorted(t / statistics.median(times[ref]) for t in ts)
        print(f"{label} {name:>10}: median {statistics.median(ts) * 1000:7.1f} ms "
              f"(min {min(ts) * 1000:.1f}, max {max(ts) * 1000:.1f}); "
              f"{statistics.median(ts) / base:.2f}× {ref} (runs {ratios[0]:.2f}–{ratios[-1]:.2f}×)")


def main() -> None:
    path = main_scenario()
    load_scenario(path)                      # warm caches and imports
    show("load", interleaved({"english": lambda: load_scenario(path),
                              "russian": lambda: load_scenario_in(path, "ru")}, REPEAT),
         "english")
    cli = [sys.executable, "-m", "tui.cli", "lint", "--no-explore"]
    show("lint", interleaved({
        "plain": lambda: subprocess.run(cli + [str(path)], capture_output=True, check=False),
        "--lang ru": lambda: subprocess.run(cli + ["--lang", "ru", str(path)],
                                            capture_output=True, check=False)}, REPEAT // 2),
         "plain")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
