"""Benchmark of the player view's refresh (run by hand, not a test).

    python bench/bench_player_view.py [--actions 200 1000] [--runs 15]

`spillover watch` recomputes what the room sees from the whole log whenever the file grows
(engine.play.player_view: read, replay, then the view). This measures that refresh on logs
of the bundled scenario made by a seeded random facilitator (choices, rolls, notes,
overrides, undos, turn changes), against the reference in the same run: a bare
`engine.play.replay.replay` of the same log, alternating the two. The view should cost
little beyond the replay it needs (target ≤ 1.3×) and stay well under the half-second poll
at a long seminar's length (target ≤ 150 ms median at 1,000 actions).

Then what `spillover watch` does since: a `Follower` that replayed the log once refreshes
after 10 more lines are appended, replaying only those (target ≤ 50 ms at 1,000 actions).

Prints medians with min–max.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from engine.bundled import main_scenario
from engine.format.loader import load_scenario
from engine.play.player_view import Follower, player_view
from engine.play.replay import replay
from engine.play.session import Session, SessionError


def make_log(scenario, path: Path, actions: int, seed: int = 1) -> int:
    s = Session.start(scenario, seed=seed, group="bench", log_path=path)
    rng = random.Random(seed)
    var = scenario.variables[0]
    while len(s.records) - 1 < actions:
        r = rng.random()
        try:
            if s.state.pending is not None:
                s.roll()
            elif r < 0.35:
                s.note(f"note {len(s.records)}")
            elif r < 0.6:
                open_ = [v for v in s.branch_views() if v.open]
                if open_:
                    b = rng.choice(open_).branch
                    s.choose(b.id, rng.choice(b.options).id, "because")
                elif s.state.turn < scenario.last_turn:
                    s.next_turn()
            elif r < 0.7:
                s.undo()
            elif r < 0.85:
                s.override(var.id, var.show(var.initial), "bench")
            elif s.state.turn < scenario.last_turn and rng.random() < 0.3:
                s.next_turn()
            else:
                s.note("filler")
        except SessionError:
            s.note("refused")
    s.close()
    return len(s.records) - 1


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actions", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    sc = load_scenario(main_scenario())
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.actions:
            log = Path(tmp) / f"log{n}.jsonl"
            made = make_log(sc, log, n)
            views, replays = [], []
            for _ in range(args.runs):
                replays.append(timed(lambda log=log: replay(log, sc)))
                views.append(timed(lambda log=log: player_view(log, sc)))
            ratios = [v / r for v, r in zip(views, replays)]
            lines = log.read_bytes().splitlines(keepends=True)
            grow = Path(tmp) / f"grow{n}.jsonl"
            follows = []
            for _ in range(args.runs):
                grow.write_bytes(b"".join(lines[:-10]))
                follower = Follower(grow, sc)
                follower.view()
                grow.write_bytes(b"".join(lines))
                follows.append(timed(follower.view))
                assert follower.full_replays == 1
            print(f"{made} actions: Follower refresh after 10 appended lines "
                  f"{statistics.median(follows):.1f} ms ({min(follows):.1f}–{max(follows):.1f})")
            print(f"{made} actions: player_view {statistics.median(views):.1f} ms "
                  f"({min(views):.1f}–{max(views):.1f}); replay {statistics.median(replays):.1f} "
                  f"ms ({min(replays):.1f}–{max(replays):.1f}); ratio "
                  f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})")


if __name__ == "__main__":
    main()
