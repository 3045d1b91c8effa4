"""How long the after-action report takes, and what the Jinja2 templates cost.

Run by hand: `python bench/bench_report.py [N]`. Plays one long session of the bundled
scenario through the engine (every turn, a move per turn where one is open, an observation
every other action, the hotwash for every objective, a few amendments), then times, N times
each, alternating: replaying the log (the reference), building the report's content model
(replay included), rendering it to Markdown and to HTML through the templates, and, for
comparison, the hand-written Markdown/HTML renderers this branch replaced (taken from git,
commit 4d863ea, written to a temporary folder and imported from there). Prints medians with
min–max, as ratios to the replay, and the peak memory of model + HTML.
"""

from __future__ import annotations

import importlib
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bundled import main_scenario  # noqa: E402
from engine.debrief.report import after_action_report  # noqa: E402
from engine.debrief.report_render import to_html, to_markdown  # noqa: E402
from engine.format.loader import load_scenario  # noqa: E402
from engine.play.replay import replay  # noqa: E402
from engine.play.session import Session, SessionError  # noqa: E402

OLD_COMMIT = "4d863ea"


def play(log: Path) -> int:
    sc = load_scenario(main_scenario())
    s = Session.start(sc, seed=5, group="Bench", log_path=log,
                      zone={"name": "CET", "offset": "+01:00"})
    objectives = [o.id for o in sc.objectives] + [""]
    k = 0
    while not s.state.ended:
        views = [v for v in s.branch_views() if v.open]
        if views:
            v = views[k % len(views)]
            s.choose(v.id, v.branch.options[k % len(v.branch.options)].id, f"reason {k}")
            if s.state.pending:
                s.roll()
            s.observe(objectives[k % len(objectives)], ("strength", "improve")[k % 2],
                      f"observation {k}", len(s.records) - 1)
        s.note(f"note {k}")
        k += 1
        try:
            s.next_turn()
        except SessionError:
            s.end("Hotwash notes.", ["Blue cell", "White cell"], "Exercise director")
    for i, oid in enumerate(objectives):
        s.hotwash_entry(oid, rating="PSMU"[i % 4], sustain=f"sustain {i}", improve=f"improve {i}",
                        plan=[{"recommendation": f"do {i}", "owner": "desk", "due": "2027-06"}])
    first_choice = next(r["n"] for r in s.records[1:] if r["action"] == "choose")
    s.amend(first_choice, "rationale", "amended reason", "minutes")
    n = len(s.records) - 1
    s.close()
    return n


def old_renderer():
    text = subprocess.run(["git", "-C", str(ROOT), "show",
                           f"{OLD_COMMIT}:engine/debrief/report_render.py"],
                          capture_output=True, text=True, check=False).stdout
    if not text:
        return None
    folder = tempfile.mkdtemp()
    (Path(folder) / "old_report_render.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, folder)
    return importlib.import_module("old_report_render")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    n_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    folder = Path(tempfile.mkdtemp())
    log = folder / "bench.jsonl"
    actions = play(log)
    report = after_action_report(log)
    old = old_renderer()
    cases = {
        "replay (reference)": lambda: replay(log),
        "content model (replay included)": lambda: after_action_report(log),
        "Markdown, templates": lambda: to_markdown(report),
        "HTML, templates": lambda: to_html(report),
    }
    if old is not None:
        cases["Markdown, hand-written (old)"] = lambda: old.to_markdown(report)
        cases["HTML, hand-written (old)"] = lambda: old.to_html(report)
    for fn in cases.values():     # warm up: template compilation, imports
        fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(n_runs):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    ref = statistics.median(times["replay (reference)"])
    print(f"bundled scenario, {actions} actions, {len(report.series)} variables charted, "
          f"{n_runs} runs each, alternating")
    print(f"{'measure':36} {'median ms':>10} {'min–max ms':>16} {'× replay':>9}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:36} {med * 1000:10.1f} {min(ts) * 1000:7.1f}–{max(ts) * 1000:<8.1f} "
              f"{med / ref:9.2f}")
    tracemalloc.start()
    to_html(after_action_report(log))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory, content model + HTML: {peak / 2**20:.1f} MiB; "
          f"HTML {len(to_html(report)) / 1024:.0f} KiB, "
          f"Markdown {len(to_markdown(report)) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
