"""Cost per action in long sessions. Run by hand: python bench/bench_long_sessions.py [FOLDER]

Makes engine-made logs of the bundled scenario with 1,000 / 10,000 / 100,000 actions (choices,
rolls, undos of both, notes, new turns; see `long_log`) through the `Session` API, kept in
FOLDER (default: a temporary one) so a second run reuses them. Then measures:

1. recording a choice (the `Session.choose` call, durable append and fsync included) in a
   session resumed from the 10,000-action log, against the same call in a fresh session —
   alternating, 40 rounds; medians with min–max, and the ratio of medians (target ≤ 1.5×);
2. `resume` of each log to a ready Session, in-process, with and without the checkpoint a
   previous resume left beside it (target for 100,000 actions: ≤ 2 s);
3. `spillover report` against `spillover replay --verify` of the same log, each a whole
   process started the same way through its entry point, alternating (target: report ≤ 10×);
4. the peak memory (tracemalloc, and the process's peak RSS, VmHWM) of `replay` of each log, in a
   fresh process each.

Environment: BENCH_SIZES (default 1000,10000,100000), BENCH_ONLY (default
record,resume,report,memory), BENCH_RESUME (default full,checkpoint: which resumes to time,
each with the CPU time it used), BENCH_RUNS (repeats below 100,000 actions, default 5; 3 at
100,000). To measure another checkout's engine, copy this script into
its bench/ and run it from there with that checkout first on PYTHONPATH (the `spillover`
entry point then imports it too).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bundled import main_scenario  # noqa: E402
from engine.format.loader import load_scenario  # noqa: E402
from engine.play.checkpoint import checkpoint_path  # noqa: E402
from engine.play.replay import resume  # noqa: E402
from engine.play.session import Session, SessionError  # noqa: E402

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))       # repeats below 100,000 actions
SPILLOVER = str(Path(sys.executable).with_name("spillover"))


def _clock() -> str:
    return "2026-11-29T02:00:00+00:00"


def long_log(path: Path, n: int, seed: int = 7) -> Path:
    """A log of exactly `n` actions made by the engine: each round chooses an open option
    (rolling when it is contested) and, two rounds in three, undoes the roll and the choice;
    when nothing is open it moves to the next turn, and after the last turn it undoes three
    actions (turn changes included) and plays on from there; every other round adds a note.
    The disk sync is skipped while generating (the LogWriter's seam), not while measuring."""
    if path.exists():
        return path
    sc = load_scenario(main_scenario())
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    s = Session.start(sc, seed=seed, group="Bench", log_path=tmp, clock=_clock,
                      zone={"name": "UTC", "offset": "+00:00"})
    s.writer.fsync = lambda fd: None
    k = 0

    def left() -> int:
        return n - (len(s.records) - 1)

    while left() > 0:
        k += 1
        opens = [(v, [o for o in v.options if o.reason is None]) for v in s.branch_views()
                 if v.open]
        opens = [(v, options) for v, options in opens if options]
        if opens and left() >= 4:
            v, options = opens[k % len(opens)]
            s.choose(v.id, options[k % len(options)].id, f"reason {k}")
            made = 1
            if s.state.pending:
                s.roll()
                made += 1
            if k % 3:                        # two rounds in three take it back
                for _ in range(made):
                    s.undo()
        elif left() >= 4:
            try:
                s.next_turn()
            except SessionError:             # the last turn: go back a few steps
                for _ in range(3):
                    try:
                        s.undo()
                    except SessionError:
                        break
        if k % 2 and left() > 0:
            s.note(f"note {k}")
        if left() < 4:
            while left() > 0:
                s.note(f"note {k}")
    s.close()
    tmp.rename(path)
    made = checkpoint_path(tmp)          # written beside the log as it was made: follow it
    if made.exists():
        made.replace(checkpoint_path(path))
    return path


def stats(ts: list[float], unit: float = 1e3) -> str:
    return (f"median {statistics.median(ts) * unit:.2f} (min {min(ts) * unit:.2f}, "
            f"max {max(ts) * unit:.2f})")


def open_option(s: Session) -> tuple:
    """A branch and option that can be chosen now, moving on a turn (or, after the last
    turn, undoing) until there is one."""
    for _ in range(100):
        for v in s.branch_views():
            if v.open and not s.state.pending:
                for o in v.options:
                    if o.reason is None:
                        return v, o.id
        try:
            if s.state.pending:
                raise SessionError("a roll is pending")
            s.next_turn()
        except SessionError:
            s.undo()
    raise RuntimeError("no option can be chosen")


def bench_record(log10k: Path, folder: Path, rounds: int = 40) -> dict:
    """Time `choose` in a fresh session and in one resumed from the 10,000-action log."""
    sc = load_scenario(main_scenario())
    for old in folder.glob("record-*"):
        old.unlink()
    copy = folder / "record-10k.jsonl"
    copy.write_bytes(log10k.read_bytes())
    long_s, _ = resume(copy, sc)
    fresh = Session.start(sc, seed=3, group="Fresh", log_path=folder / "record-fresh.jsonl",
                          zone={"name": "UTC", "offset": "+00:00"})
    times: dict[str, list[float]] = {"fresh": [], "10k": []}
    for _ in range(rounds):
        for name, s in (("fresh", fresh), ("10k", long_s)):
            v, opt = open_option(s)
            t = time.perf_counter()
            s.choose(v.id, opt, "bench")
            times[name].append(time.perf_counter() - t)
            s.undo()
    fresh.close()
    long_s.close()
    (folder / "record-fresh.jsonl").unlink()
    copy.unlink()
    return times


def bench_resume(log: Path, folder: Path, runs: int = 5) -> dict[str, list[float]]:
    """`resume` of a copy of `log` to a ready Session: "full" without a checkpoint beside it
    (every line replayed; the checkpoint it then writes is removed before the next run),
    "checkpoint" with the one a previous resume wrote (alternating)."""
    sc = load_scenario(main_scenario())
    copy = folder / f"resume-{log.name}"
    copy.write_bytes(log.read_bytes())
    cp = checkpoint_path(copy)
    cp.unlink(missing_ok=True)
    kinds = os.environ.get("BENCH_RESUME", "full,checkpoint").split(",")
    out: dict[str, list[float]] = {k: [] for name in kinds for k in (name, name + " CPU")}
    if "full" not in kinds:                       # the checkpoint the runs resume from
        resume(copy, sc)[0].close()
    for _ in range(runs):
        for name in kinds:
            if name == "full":
                cp.unlink(missing_ok=True)
            t, c = time.perf_counter(), time.process_time()
            s, rep = resume(copy, sc)
            out[name].append(time.perf_counter() - t)
            out[name + " CPU"].append(time.process_time() - c)
            s.close()
            assert (rep.checkpoint_lines > 0) == (name == "checkpoint"), rep.banner()
    cp.unlink(missing_ok=True)
    copy.unlink()
    return out


def whole_process(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([SPILLOVER, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - t


MEMORY = """
import json, sys, time, tracemalloc
from engine.format.loader import load_scenario
from engine.play.replay import replay
sc = load_scenario(sys.argv[1])
tracemalloc.start()
t = time.perf_counter()
rep = replay(sys.argv[2], sc)
elapsed = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1]
hwm = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM"))          # this process's peak (ru_maxrss survives exec)
print(json.dumps({"status": rep.status, "peak_mb": peak / 2**20, "seconds": elapsed,
                  "maxrss_mb": hwm / 1024}))
"""


def replay_memory(log: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEMORY, str(main_scenario()), str(log)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    only = set(os.environ.get("BENCH_ONLY", "record,resume,report,memory").split(","))
    logs = {}
    for n in SIZES:
        t = time.perf_counter()
        logs[n] = long_log(folder / f"long-{n}.jsonl", n)
        print(f"log of {n:,} actions: {logs[n].stat().st_size / 2**20:.1f} MB "
              f"({time.perf_counter() - t:.1f} s to make or find)", flush=True)
    results: dict = {}
    if "record" in only and 10_000 in logs:
        times = bench_record(logs[10_000], folder) if 10_000 in logs else {}
        for name, ts in times.items():
            print(f"choose, {name} session: {stats(ts)} ms, n={len(ts)}")
        ratio = statistics.median(times["10k"]) / statistics.median(times["fresh"])
        print(f"  ratio 10k / fresh: {ratio:.2f}× (target ≤ 1.5×)", flush=True)
        results["record_ratio"] = ratio
    if "resume" in only:
        for n in SIZES:
            times = bench_resume(logs[n], folder, RUNS if n < 100_000 else 3)
            for name, ts in times.items():
                print(f"resume {n:,}, {name}: {stats(ts, 1)} s", flush=True)
                results[f"resume_{n}_{name}_s"] = statistics.median(ts)
    if "report" in only:
        for n in SIZES:
            runs = RUNS if n < 100_000 else 3
            rep, ver = [], []
            for _ in range(runs):
                ver.append(whole_process(["replay", "--verify", str(logs[n])]))
                rep.append(whole_process(["report", str(logs[n])]))
            ratio = statistics.median(rep) / statistics.median(ver)
            print(f"{n:,}: replay --verify {stats(ver, 1)} s; report {stats(rep, 1)} s; "
                  f"ratio {ratio:.2f}× (target ≤ 10×)", flush=True)
            results[f"report_ratio_{n}"] = ratio
    if "memory" in only:
        for n in SIZES:
            m = replay_memory(logs[n])
            print(f"replay {n:,}: {m['status']}, {m['seconds']:.1f} s under tracemalloc, "
                  f"peak {m['peak_mb']:.0f} MB traced, max RSS {m['maxrss_mb']:.0f} MB",
                  flush=True)
            results[f"replay_peak_mb_{n}"] = m["peak_mb"]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
