"""Benchmark: how far exploration gets, at what cost, and what lint says (issue 15).

Run by hand, not a test:

    .venv/bin/python bench/bench_reach.py [--runs 3] [--big 1000000] [--lint-only]
    .venv/bin/python bench/bench_reach.py --before /tmp/base   # against another commit

`--before DIR`: a checkout of an earlier commit (`git archive COMMIT | tar -x -C DIR`): each
exploration of 1 is also run with DIR's code, alternating, started the same way (DIR's own
`bench/bench_reach.py --child`), and the ratio after / before is given per pair.

1. `explore` with default settings (`DEFAULT_MAX_STATES`) on the bundled scenario (which
   has its cells since issue 17: NATO HQ and European capitals, Japan, Washington, Beijing
   and Moscow; one move each) and on a generated authoring-sized scenario (10 branches, 5
   turns after the baseline, two moves a turn, two variables of each type): complete or
   not, states, wall seconds of the whole process, peak memory. Each is run with the state
   reductions (the default) and, as the reference in the same session and
   started the same way, without them (`reduce=False`), alternating; the ratio
   reduced / unreduced is per pair. Targets from issue 15: bundled complete in < 2 s and
   < 200 MB; generated complete in < 10 s and < 1 GB.
2. Bytes per stored state: peak RSS of an exploration of `--big` states (or all, if fewer)
   minus that of a 20,000-state one, over the difference in states (each in a fresh
   process, reduced; the odds pass included).
3. `spillover lint` (with its reachability check and the abstract proof) against
   `lint --no-explore` on the bundled scenario, as a ratio, whole process, interleaved.
Each figure is the median of `--runs` runs with min–max. "cpu" is the whole child
process's user + system time (from `getrusage(RUSAGE_CHILDREN)` around it), less noisy than
wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.analysis.limits import DEFAULT_MAX_STATES  # noqa: E402  (after the path is set)

VARS = """\
state:
  ready: {type: bool, initial: false}
  alarm: {type: bool, initial: false}
  level: {type: int, range: [0, 5], initial: 1}
  pressure: {type: int, range: [0, 5], initial: 2}
  stance: {type: enum, values: [none, political, military], initial: none}
  mood: {type: enum, values: [calm, tense, crisis], initial: calm}
  areas: {type: set, of: [north, south, east], initial: []}
  partners: {type: set, of: [japan, korea, australia], initial: []}
"""

BRANCHES = [
    ("prepare", "not ready", ["ready = true", "level += 1"]),
    ("escalate", "level < 5", ["level += 1", "mood = tense"]),
    ("calm_down", "mood != calm", ["mood = calm", "pressure -= 1"]),
    ("push", "pressure < 5", ["pressure += 1", "alarm = true"]),
    ("go_north", "ready and north not in areas", ["areas += north"]),
    ("go_south", "level >= 2", ["areas += south", "stance = political"]),
    ("go_east", "stance >= political", ["areas += east", "mood = crisis"]),
    ("ask_japan", "count(partners) < 3", ["partners += japan", "pressure -= 1"]),
    ("ask_korea", "japan in partners or alarm", ["partners += korea", "stance = military"]),
    ("ask_australia", "level >= 1", ["partners += australia", "alarm = false"]),
]


def authoring_scenario(path: Path) -> Path:
    lines = ["spillover: 1", "id: authoring", "title: An author's ten-branch scenario",
             "start: 2024-01-01", "moves_per_turn: 2", "turns:"]
    lines += [f"  - {{label: T{t}, date: 2024-{t + 1:02d}-01}}" for t in range(6)]
    lines.append(VARS.rstrip())
    lines.append("branches:")
    for bid, when, effects in BRANCHES:
        lines += [f"  - id: {bid}", f"    title: {bid.replace('_', ' ').capitalize()}",
                  "    repeatable: true", f"    when: {when}", "    options:",
                  f"      - {{id: act, label: Act, effects: [{', '.join(effects)}]}}",
                  f"      - {{id: hold, label: Hold, effects: [{effects[0]}]}}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _child(path: str, budget: int, reduce: bool) -> dict:
    from engine.analysis.explore import explore
    from engine.format.loader import load_scenario
    sc = load_scenario(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    r = explore(sc, max_states=budget, reduce=reduce)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"states": r.states, "complete": r.complete, "seconds": round(wall, 2),
            "explore_s": round(r.seconds, 2), "odds_s": round(r.prob_seconds, 2),
            "peak_mb": round(peak / 1024), "before_mb": round(before / 1024),
            "turns_complete": r.turns_complete}


def run(path: Path, budget: int, reduce: bool = True, root: Path = ROOT) -> dict:
    """One exploration in a fresh process (`root`'s code); `wall` is the whole process,
    timed from here, and `cpu` its user + system time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, str(root / "bench" / "bench_reach.py"), "--child",
                          str(path), str(budget), "1" if reduce else "0"],
                         capture_output=True, text=True, cwd=root, check=True)
    result = json.loads(out.stdout)
    result["wall"] = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def spread(values) -> str:
    values = list(values)
    return f"{statistics.median(values):,.2f} ({min(values):,.2f}–{max(values):,.2f})"


def compare_before(name: str, path: Path, before: Path, runs: int) -> None:
    """`explore` with defaults, this code against `before`'s, alternating; then the bytes per
    stored state of each (against a 20,000-state run of the same code)."""
    now, then = [], []
    for _ in range(runs):
        now.append(run(path, DEFAULT_MAX_STATES))
        then.append(run(path, DEFAULT_MAX_STATES, root=before))
    for label, rs in (("after", now), ("before", then)):
        print(f"{name}, {label}: complete={rs[0]['complete']}, {rs[0]['states']:,} states; "
              f"whole process wall s {spread(r['wall'] for r in rs)}, "
              f"cpu s {spread(r['cpu'] for r in rs)} (explore {spread(r['explore_s'] for r in rs)}"
              f", odds {spread(r['odds_s'] for r in rs)}, wall inside); "
              f"peak MB {spread(r['peak_mb'] for r in rs)}")
    print(f"{name}: ratio after / before, per pair: wall "
          f"{spread(a['wall'] / b['wall'] for a, b in zip(now, then))}, cpu "
          f"{spread(a['cpu'] / b['cpu'] for a, b in zip(now, then))}")
    for label, rs, root in (("after", now, ROOT), ("before", then, before)):
        tiny = [run(path, 20_000, root=root) for _ in range(runs)]
        per_state = [(b["peak_mb"] - s["peak_mb"]) * 1024 * 1024 / max(1, b["states"] - s["states"])
                     for s, b in zip(tiny, rs)]
        print(f"{name}, {label}: bytes per stored state {spread(per_state)} "
              f"(peak RSS of the complete run − of a 20,000-state one, over the difference)")


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1")))
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--big", type=int, default=1_000_000)
    p.add_argument("--lint-only", action="store_true", help="only measure 3")
    p.add_argument("--no-big", action="store_true", help="skip the bytes-per-state runs")
    p.add_argument("--before", type=Path, help="a checkout of an earlier commit to compare")
    p.add_argument("--no-lint", action="store_true", help="skip 3")
    args = p.parse_args()
    tmp = tempfile.TemporaryDirectory()
    gen = authoring_scenario(Path(tmp.name) / "authoring.yaml")
    bundled = ROOT / "scenarios" / "nato-japan-prospects.yaml"

    cases = (("bundled (with its cells)", bundled), ("generated 10×5", gen))
    for name, path in () if args.lint_only else cases:
        if args.before is not None:
            compare_before(name, path, args.before, args.runs)
            continue
        small, ref = [], []
        for _ in range(args.runs):          # alternating: reduced, then the reference
            small.append(run(path, DEFAULT_MAX_STATES))
            ref.append(run(path, DEFAULT_MAX_STATES, reduce=False))
        ratios = [s["wall"] / r["wall"] for s, r in zip(small, ref)]
        print(f"{name}: default budget, reduced → complete={small[0]['complete']}, "
              f"{small[0]['states']:,} states, turns complete {small[0]['turns_complete']}, "
              f"whole process s {spread(r['wall'] for r in small)} (explore "
              f"{spread(r['explore_s'] for r in small)}, "
              f"odds {spread(r['odds_s'] for r in small)}), "
              f"peak MB {spread(r['peak_mb'] for r in small)}")
        print(f"{name}: default budget, unreduced → complete={ref[0]['complete']}, "
              f"{ref[0]['states']:,} states, turns complete {ref[0]['turns_complete']}, "
              f"whole process s {spread(r['wall'] for r in ref)}, "
              f"peak MB {spread(r['peak_mb'] for r in ref)}; "
              f"ratio reduced / unreduced {spread(ratios)}")
        if args.no_big:
            continue
        tiny = [run(path, 20_000) for _ in range(args.runs)]
        big = [run(path, args.big) for _ in range(args.runs)]
        per_state = [(b["peak_mb"] - s["peak_mb"]) * 1024 * 1024 / max(1, b["states"] - s["states"])
                     for s, b in zip(tiny, big)]
        print(f"{name}: budget {args.big:,} → complete={big[0]['complete']}, "
              f"{big[0]['states']:,} states, s {spread(r['seconds'] for r in big)}, "
              f"peak MB {spread(r['peak_mb'] for r in big)}; "
              f"bytes per stored state {spread(per_state)} (against a 20,000-state run)")

    if args.no_lint:
        tmp.cleanup()
        return 0
    times: dict = {"lint": [], "lint --no-explore": []}
    exe = [sys.executable, "-m", "tui.cli", "lint"]
    for _ in range(max(5, args.runs)):
        for name, extra in (("lint", []), ("lint --no-explore", ["--no-explore"])):
            t = time.perf_counter()
            subprocess.run(exe + extra + [str(bundled)], capture_output=True, cwd=ROOT)
            times[name].append(time.perf_counter() - t)
    ratios = [a / b for a, b in zip(times["lint"], times["lint --no-explore"])]
    print(f"lint bundled, whole process: {spread(times['lint'])} s vs --no-explore "
          f"{spread(times['lint --no-explore'])} s; ratio {spread(ratios)}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
