"""Benchmark: lint start-up and validation speed. Run by hand: python bench/bench_lint.py

1. `spillover lint` on the bundled scenario as a whole process (target ≤ 0.3 s).
2. Validation of a generated 2,000-branch scenario (engine.format.loader.check_scenario) against
   the bare libyaml load of the same file (yaml.load with CSafeLoader) — target ≤ 1.5×.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import big_scenario  # noqa: E402

from engine.bundled import main_scenario  # noqa: E402
from engine.format.loader import check_scenario  # noqa: E402


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(fns: dict, repeat: int) -> dict:
    """Median time of each function, run in turns so that a busy machine weighs on all alike."""
    times: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    exe = Path(sys.executable).with_name("spillover")
    target = main_scenario()
    for flags in (["--no-explore"], []) if target.is_file() else ():
        cmd = [str(exe), "lint", *flags, str(target)]
        subprocess.run(cmd, check=True, capture_output=True)   # warm the file cache
        t = median_time(lambda cmd=cmd: subprocess.run(cmd, check=True, capture_output=True), 15)
        print(f"spillover lint {' '.join(flags)} {target.name}: {t * 1000:.0f} ms "
              "(whole process, median of 15)")

    with tempfile.TemporaryDirectory() as d:
        path = big_scenario(Path(d) / "big.yaml", branches=2000)
        text = path.read_text(encoding="utf-8")
        size = len(text.encode())
        scenario, diags = check_scenario(path)
        assert scenario is not None, [x.format() for x in diags[:5]]
        t = interleaved({"bare": lambda: yaml.load(text, Loader=yaml.CSafeLoader),
                         "full": lambda: check_scenario(path)}, 7)
        bare, full = t["bare"], t["full"]
        print(f"2,000-branch scenario ({size / 1e6:.1f} MB): "
              f"bare libyaml load {bare * 1000:.0f} ms, "
              f"full validation {full * 1000:.0f} ms, ratio {full / bare:.2f}x")


if __name__ == "__main__":
    main()
