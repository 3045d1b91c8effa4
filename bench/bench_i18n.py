"""Benchmark: what the interface language costs. Run by hand:

    git archive <reference commit> | tar -x -C /tmp/ref
    python bench/bench_i18n.py /tmp/ref

Whole processes, started the same way from outside, alternating: validating a generated
2,000-branch scenario (interpreter start, imports, check_scenario), and the Markdown report of a
2,000-action session (start, imports, replay, report, render), each by the reference tree
(before messages went through the catalogue), by this tree in English and in Russian.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_long_sessions import long_log  # noqa: E402
from generate import big_scenario  # noqa: E402

VALIDATE = ("import sys; from engine import i18n; i18n.set_language(sys.argv[1]); "
            "from engine.format.loader import check_scenario; "
            "assert check_scenario(sys.argv[2])[0] is not None")
REPORT = ("import sys; from engine import i18n; i18n.set_language(sys.argv[1]); "
          "from engine.debrief.report import after_action_report; "
          "from engine.debrief.report_render import to_markdown; "
          "assert to_markdown(after_action_report(sys.argv[2]))")


def main() -> None:
    reference = Path(sys.argv[1]).resolve()
    sides = {"reference": (reference, "en"), "now, en": (HERE.parent, "en"),
             "now, ru": (HERE.parent, "ru")}
    with tempfile.TemporaryDirectory() as d:
        inputs = {"validate 2,000 branches": (VALIDATE, big_scenario(Path(d) / "big.yaml",
                                                                    branches=2000)),
                  "report of 2,000 actions": (REPORT, long_log(Path(d) / "long.jsonl", 2000))}
        for name, (code, path) in inputs.items():
            times: dict[str, list[float]] = {k: [] for k in sides}
            for rnd in range(12):
                for side, (root, lang) in sides.items():
                    t = time.perf_counter()
                    subprocess.run([sys.executable, "-c", code, lang, str(path)], cwd=root,
                                   check=True, env={**os.environ, "PYTHONPATH": str(root)})
                    if rnd:                                  # the first round warms caches
                        times[side].append(time.perf_counter() - t)
            ref = statistics.median(times["reference"])
            for side, ts in times.items():
                m = statistics.median(ts)
                print(f"{name}, {side}: {m * 1000:.0f} ms (min {min(ts) * 1000:.0f}, max "
                      f"{max(ts) * 1000:.0f}; median of {len(ts)}), {m / ref:.2f}× the reference")


if __name__ == "__main__":
    main()
