"""Benchmark: the cost of a durable, atomic log append. Run by hand: python bench/bench_log.py

LogWriter.append (seal, one os.write of the whole line on a raw fd, fsync; a lock held) against
a reference in the same run: the former way, a buffered file's write + flush + fsync of the
same line. Both write 200 lines of a typical action record to files in one temporary folder,
alternating in rounds so that a busy disk weighs on both alike; medians with min–max.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from engine.play.log import LogWriter, encode_line, seal

RECORD = {"type": "action", "n": 5, "at": "2026-01-01T00:00:00+00:00", "action": "choose",
          "branch": "press_negotiations", "option": "push",
          "rationale": "Tokyo wants it settled before the summit " * 3, "turn": 1,
          "state": "85c464249289189e"}
LINES = 200


def durable(folder: Path, k: int) -> list[float]:
    w = LogWriter.create(folder / f"d{k}.jsonl")
    times = []
    for _ in range(LINES):
        t = time.perf_counter()
        w.append(RECORD)
        times.append(time.perf_counter() - t)
    w.close()
    return times


def reference(folder: Path, k: int) -> list[float]:
    times, prev = [], None
    with open(folder / f"r{k}.jsonl", "ab") as f:
        for _ in range(LINES):
            t = time.perf_counter()
            sealed = seal(RECORD, prev)
            f.write(encode_line(sealed))
            f.flush()
            os.fsync(f.fileno())
            prev = sealed["hash"]
            times.append(time.perf_counter() - t)
    return times


def main() -> None:
    d, r = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(5):
            d += durable(Path(tmp), k)
            r += reference(Path(tmp), k)
    for name, ts in (("durable append", d), ("reference (buffered + fsync)", r)):
        print(f"{name}: median {statistics.median(ts) * 1e3:.3f} ms "
              f"(min {min(ts) * 1e3:.3f}, max {max(ts) * 1e3:.3f}), n={len(ts)}")
    print(f"ratio of medians: {statistics.median(d) / statistics.median(r):.2f}×")
    print(json.dumps({"durable_ms": statistics.median(d) * 1e3,
                      "reference_ms": statistics.median(r) * 1e3}))


if __name__ == "__main__":
    main()
