"""Benchmark of `explore` (distinct states/s) and `randomtest` (playthroughs/s).

Run by hand, not a test:

    /work/venv/bin/python bench/bench_analysis.py [--max-states N] [--playthroughs N] [--json]

Scenarios: the bundled one (skipped if it is missing or does not load yet), the tutorial, and
a generated one with 200 branches over 12 turns (written to a temporary folder; its
preconditions and effects range over a handful of int/enum/bool/set variables so that its
state space is far larger than any budget). Each measurement runs in a fresh subprocess so
that its peak memory (ru_maxrss) is its own. Targets: ≥ 200,000 states/s, ≥ 2,000
playthroughs/s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------------------- generator

def generate_scenario(path: Path, branches: int = 200, turns: int = 12, seed: int = 1) -> Path:
    """Write a large synthetic scenario: `branches` branches over turns 1..`turns`."""
    rng = random.Random(seed)
    ints = [f"i{k}" for k in range(4)]
    enums = [f"e{k}" for k in range(2)]
    bools = [f"f{k}" for k in range(3)]
    levels = ["none", "low", "mid", "high"]
    members = ["alpha", "beta", "gamma", "delta"]
    out = ["spillover: 1", "id: generated", "title: Generated benchmark scenario",
           "start: 2030-01-01", "moves_per_turn: 2", "", "turns:"]
    for t in range(turns + 1):
        out.append(f"  - {{label: 'Turn {t}', date: {2030 + t // 12}-{t % 12 + 1:02d}-01}}")
    out += ["", "actors:", "  red: Red", "  blue: Blue", "  green: Green", "", "state:"]
    for v in ints:
        out.append(f"  {v}: {{type: int, range: [0, 6], initial: {rng.randint(0, 2)}}}")
    for v in enums:
        out.append(f"  {v}: {{type: enum, values: [{', '.join(levels)}], initial: none}}")
    for v in bools:
        out.append(f"  {v}: {{type: bool, initial: false}}")
    out.append(f"  s0: {{type: set, of: [{', '.join(members)}], initial: []}}")
    out += ["", "branches:"]
    for k in range(branches):
        start = 1 + k % turns
        end = min(turns, start + rng.randint(0, 2))
        clauses, effects_pool = [], []
        for _ in range(rng.randint(2, 4)):
            kind = rng.choice(["inc", "dec", "enum", "bool", "set"])
            if kind == "inc":
                v = rng.choice(ints)
                clauses.append(f"{v} < 6")
                effects_pool.append(f"{v} += 1")
            elif kind == "dec":
                v = rng.choice(ints)
                clauses.append(f"{v} >= 1")
                effects_pool.append(f"{v} -= 1")
            elif kind == "enum":
                effects_pool.append(f"{rng.choice(enums)} = {rng.choice(levels[1:])}")
            elif kind == "bool":
                effects_pool.append(f"{rng.choice(bools)} = {rng.choice(['true', 'false'])}")
            else:
                effects_pool.append(f"s0 += {rng.choice(members)}")
        extra = rng.choice(["", f"{rng.choice(enums)} >= low", f"not {rng.choice(bools)}",
                            f"{rng.choice(members)} in s0", "count(s0) <= 2",
                            f"{rng.choice(bools)}"])
        if extra and rng.random() < 0.5:
            clauses.append(extra)
        clauses = list(dict.fromkeys(clauses))
        out += [f"  - id: move_{k:03d}", f"    title: Move {k}",
                f"    actor: {rng.choice(['red', 'blue', 'green'])}",
                f"    turns: {start}..{end}"]
        if rng.random() < 0.15:
            out.append("    repeatable: true")
        if clauses:
            out.append(f"    when: [{', '.join(clauses)}]")
        contested = k % 7 == 0
        if contested:
            out += ["    adjudication:", "      dice: 2d6", "      target: 7",
                    f"      modifiers: [{{label: Support, when: {rng.choice(bools)}, value: 1}}]"]
        out.append("    options:")
        n_opts = rng.randint(2, 3)
        for j in range(n_opts):
            effs = []
            seen = set()
            for e in rng.sample(effects_pool, min(len(effects_pool), rng.randint(1, 2))):
                var = e.split()[0]
                if var not in seen:
                    seen.add(var)
                    effs.append(e)
            out.append(f"      - id: opt{j}")
            out.append(f"        label: Option {j}")
            if contested and j == 0:
                out.append(f"        on_success: {{effects: [{', '.join(effs)}]}}")
                out.append("        on_failure: {effects: []}")
            else:
                out.append(f"        effects: [{', '.join(effs)}]")
    out += ["", "injects:"]
    for k in range(4):
        out.append(f"  - {{id: surprise_{k}, title: Surprise {k}, "
                   f"effects: [{bools[k % 3]} = true]}}")
    for k in range(3):
        out.append(f"  - {{id: scheduled_{k}, title: Scheduled {k}, "
                   f"turn: {min(turns, 3 + 3 * k)}, effects: [{enums[k % 2]} = low]}}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- measurements

def _child(kind: str, path: str, amount: int) -> dict:
    """One measurement, in this (fresh) process."""
    from engine.format.loader import load_scenario
    sc = load_scenario(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if kind == "explore":
        from engine.analysis.explore import explore
        t0 = time.perf_counter()
        r = explore(sc, max_states=amount)
        wall = time.perf_counter() - t0
        out = {"states": r.states, "expanded": r.expanded, "transitions": r.transitions,
               "complete": r.complete, "explore_s": round(r.seconds, 3),
               "states_per_s": round(r.rate), "probabilities_s": round(r.prob_seconds, 3),
               "wall_s": round(wall, 3), "turns_complete": r.turns_complete,
               "end_states": r.end_states}
    else:
        from engine.analysis.randomtest import randomtest
        r = randomtest(sc, amount, seed=0, allow_dead_ends=True)
        out = {"playthroughs": r.playthroughs, "seconds": round(r.seconds, 3),
               "playthroughs_per_s": round(r.rate),
               "failure": None if r.failure is None else r.failure.message}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["peak_rss_mb"] = round(peak / 1024, 1)          # Linux: KiB
    out["rss_before_mb"] = round(before / 1024, 1)
    return out


def measure(kind: str, path: Path, amount: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(amount)],
                            capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr else "failed"}
    return json.loads(result.stdout)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "nproc": os.cpu_count(), "cpu": cpu, "platform": platform.platform()}


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-states", type=int, default=200_000)
    p.add_argument("--playthroughs", type=int, default=2_000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    scenarios = []
    bundled = ROOT / "scenarios" / "nato-japan-prospects.yaml"
    if bundled.exists():
        try:
            from engine.format.loader import load_scenario
            load_scenario(bundled)
            scenarios.append(("bundled", bundled))
        except Exception as e:   # not finished yet: say so and go on
            print(f"(bundled scenario skipped: {str(e).splitlines()[0]})", file=sys.stderr)
    scenarios.append(("tutorial", ROOT / "scenarios" / "tutorial.yaml"))
    tmp = tempfile.TemporaryDirectory()
    scenarios.append(("generated-200x12", generate_scenario(Path(tmp.name) / "generated.yaml")))

    results = {"machine": machine(), "targets": {"states_per_s": 200_000,
                                                 "playthroughs_per_s": 2_000}, "runs": []}
    for name, path in scenarios:
        ex = measure("explore", path, args.max_states)
        rt = measure("randomtest", path, args.playthroughs)
        results["runs"].append({"scenario": name, "explore": ex, "randomtest": rt})
        if not args.json:
            print(f"{name}:", file=sys.stderr)
            print(f"  explore    {json.dumps(ex)}", file=sys.stderr)
            print(f"  randomtest {json.dumps(rt)}", file=sys.stderr)
    tmp.cleanup()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    m = results["machine"]
    print(f"\nmachine: {m['cpu']} · nproc {m['nproc']} · Python {m['python']} "
          f"({m['implementation']}) · {m['platform']}")
    print(f"explore budget {args.max_states:,} states; randomtest {args.playthroughs:,} "
          "playthroughs (dead ends allowed, so runs are not cut short)\n")
    print(f"{'scenario':<18} {'states':>9} {'complete':>8} {'states/s':>9} {'prob s':>7} "
          f"{'peak MB':>8} │ {'playthr/s':>9} {'peak MB':>8}")
    for run in results["runs"]:
        ex, rt = run["explore"], run["randomtest"]
        if "error" in ex or "error" in rt:
            print(f"{run['scenario']:<18} error: {ex.get('error') or rt.get('error')}")
            continue
        print(f"{run['scenario']:<18} {ex['states']:>9,} {str(ex['complete']):>8} "
              f"{ex['states_per_s']:>9,} {ex['probabilities_s']:>7} {ex['peak_rss_mb']:>8} │ "
              f"{rt['playthroughs_per_s']:>9,} {rt['peak_rss_mb']:>8}")
    print("\ntargets: ≥ 200,000 states/s · ≥ 2,000 playthroughs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
