"""Benchmark of the facilitator's app (run by hand, not a test).

    python bench/bench_tui.py [--runs 10] [--keys 20] [--scenario PATH] [--long LOG]

1. Start-up: wall time from process start (just before the parent spawns it) to the first
   painted frame of the exercise screen (`spillover resume` of a fresh log of the bundled
   scenario, or the tutorial when the bundled one is missing), against a bare Textual app
   with a Header, a ListView and a Footer, measured in the same run, alternating. Each child
   runs in a real pseudo-terminal (120×40) and reports after its first frame was written
   (`call_after_refresh`), then exits. Target: ≤ 1.3× the bare app.
2. Keystroke latency: in a child on a pseudo-terminal, the time from a key event reaching the
   app to the first frame written that shows its effect: moving through the branch list
   (down/up: the detail pane shows the newly highlighted branch), and choosing an option
   (enter on the rationale field → the engine logs the choice → the log panel shows it; the
   choice is undone between repeats). Target: ≤ 50 ms median.

   Keys are 20 ms apart, as a fast typist's would be at the very least; enter comes 20 ms
   after the choose panel's frame (`--choose-pause`). Sent in the same instant as that frame,
   enter also waits for Textual's next frame slot (it draws at most 60 frames a second), up
   to 16.7 ms that no typist meets; that variant is measured and printed too, for reference.

Prints medians (and min/max); the lead copies them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (120, 40)


# ---------------------------------------------------------------------------- children

def _report(fd: int, payload: dict) -> None:
    os.write(fd, (json.dumps(payload) + "\n").encode())


def painted(widget) -> bool:
    """No refresh of the widget is pending: the frame just written shows its content."""
    return not (widget._styles_cache._dirty_lines or widget._repaint_required
                or widget._layout_required)


class FrameWatch:
    """Hooks an app's display: `key_to_frame` sends a key event and waits for the first frame
    written after it for which `predicate()` holds."""

    def __init__(self, app) -> None:
        self.app = app
        self.cpu = []
        self.predicate = None
        self.event = None
        display = app._display

        def hooked(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None and self.predicate is not None and self.predicate():
                self.predicate = None
                self.event.set()

        app._display = hooked

    cpu: list[float]

    async def key_to_frame(self, key: str, predicate) -> float:
        """Wall milliseconds from the key event to the frame; the CPU milliseconds the
        process spent meanwhile are appended to `self.cpu` (a loaded machine inflates the
        first, hardly the second)."""
        import asyncio

        from textual import events
        self.event = asyncio.Event()
        self.predicate = predicate
        start, cpu = time.perf_counter(), time.process_time()
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(self.app)
        self.app._driver.send_message(event)
        await asyncio.wait_for(self.event.wait(), 5)
        self.cpu.append((time.process_time() - cpu) * 1000)
        return (time.perf_counter() - start) * 1000


def child_bare(fd: int, mode: str, keys: int) -> None:
    import asyncio

    from textual.app import App
    from textual.widgets import Footer, Header, Label, ListItem, ListView

    class Bare(App):
        def compose(self):
            yield Header()
            yield ListView(*(ListItem(Label(f"item {i}")) for i in range(20)))
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            if mode == "startup":
                _report(fd, {"painted": time.time()})
                self.exit()
            else:
                self.run_worker(self.measure())

        async def measure(self) -> None:
            lv = self.query_one(ListView)
            moves = []
            for i in range(keys):
                down = (i // 10) % 2 == 0
                target = lv.index + (1 if down else -1)
                moves.append(await watch.key_to_frame("down" if down else "up",
                                                      lambda t=target: lv.index == t))
                await asyncio.sleep(0.02)
            _report(fd, {"moves": moves, "moves_cpu": watch.cpu})
            self.exit()

    app = Bare()
    watch = FrameWatch(app)
    app.run()


def child_spillover(fd: int, log: str, mode: str, keys: int, choose_pause: float = 0.02) -> None:
    import asyncio
    import gc

    if os.environ.get("BENCH_GC") != "off":    # as `spillover` starts the app (`tui.cli._tui`)
        gc.disable()
    from tui.app import SpilloverApp
    from tui.screens import exercise

    original = exercise.ExerciseScreen.on_mount

    def on_mount(self) -> None:
        original(self)
        if mode == "startup":
            self.call_after_refresh(lambda: (_report(fd, {"painted": time.time(),
                                                          "cpu": time.process_time()}),
                                             self.app.exit()))
        else:
            self.call_after_refresh(lambda: self.app.run_worker(latency(self.app)))

    exercise.ExerciseScreen.on_mount = on_mount

    app = SpilloverApp(resume_log=log, cursor_blink=False)
    app.animation_level = "none"
    watch = FrameWatch(app)
    key_to_frame = watch.key_to_frame

    async def latency(app) -> None:
        try:
            await measure(app)
        except Exception:
            import traceback
            _report(fd, {"error": traceback.format_exc()})
        app.exit()

    async def measure(app) -> None:
        screen = app.screen
        ol = screen.query_one("#branches")          # an OptionList before issue 11's LineList
        detail = screen.query_one("#detail")
        log_panel = screen.query_one("#log-pane")
        moves, moves_cpu = [], []
        n = ol.option_count
        for i in range(keys):
            going_down = (i // max(n - 1, 1)) % 2 == 0
            target = max(0, min(n - 1, ol.highlighted + (1 if going_down else -1)))
            if target == ol.highlighted:
                continue
            title = screen._views[ol.get_option_at_index(target).id].branch.title
            moves.append(await key_to_frame("down" if target > ol.highlighted else "up",
                                            lambda t=title: painted(detail)
                                            and detail.plain.startswith(t)))
            moves_cpu.append(watch.cpu[-1])
            await asyncio.sleep(0.02)
        # choose an option of the first (open) branch: "1" opens the choose panel on option 1
        # with the rationale field focused, enter records the choice; then undo, and again
        ol.highlighted = 0
        await asyncio.sleep(0.05)
        session = app.session
        opens, chooses, chooses_cpu, undos = [], [], [], []
        for _ in range(max(keys // 2, 10)):
            before = len(session.records)
            opens.append(await key_to_frame("1", screen.busy))
            await asyncio.sleep(choose_pause)
            chooses.append(await key_to_frame(
                "enter", lambda before=before: len(session.records) > before and not screen.busy()
                and painted(log_panel)))
            chooses_cpu.append(watch.cpu[-1])
            await asyncio.sleep(0.02)
            count = len(session.records)
            undos.append(await key_to_frame("u", lambda count=count: len(session.records) > count
                                            and painted(log_panel)))
            await asyncio.sleep(0.02)
        _report(fd, {"moves": moves, "moves_cpu": moves_cpu, "open_choose": opens,
                     "choose": chooses, "choose_cpu": chooses_cpu, "undo": undos})

    # as `spillover` runs it (`run_app`); BENCH_GC=off: without its garbage-collector pauses
    from tui.app import run_in_terminal
    run_in_terminal(app, manage_gc=os.environ.get("BENCH_GC") != "off")


# ---------------------------------------------------------------------------- parent

def run_child(args: list[str], env_extra: dict | None = None) -> tuple[float, dict]:
    """Spawn a child on a pseudo-terminal; returns (seconds to its report, the report)."""
    import fcntl
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    rd, wr = os.pipe()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]),
               TEXTUAL_ANIMATIONS="none", **(env_extra or {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)     # as installed: bytecode is cached
    stop = threading.Event()

    def drain() -> None:        # keep the terminal's buffer empty, as a terminal would
        while not stop.is_set():
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    start_wall = time.time()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args, "--fd", str(wr)],
                            stdin=slave, stdout=slave, stderr=slave, pass_fds=(wr,), env=env,
                            cwd=ROOT, start_new_session=True)
    os.close(wr)
    with os.fdopen(rd) as reader:
        line = reader.readline()
    proc.wait(timeout=60)
    stop.set()
    os.close(slave)
    os.close(master)
    if not line:
        raise RuntimeError(f"child {args} reported nothing (exit {proc.returncode})")
    report = json.loads(line)
    if "error" in report:
        raise RuntimeError(f"child {args} failed:\n{report['error']}")
    return report.get("painted", time.time()) - start_wall, report


def make_log(scenario: Path, folder: Path) -> Path:
    from engine.format.loader import load_scenario
    from engine.play.session import Session
    log = folder / f"bench-{time.time_ns()}.jsonl"
    s = Session.start(load_scenario(scenario), seed=1, group="bench", log_path=log)
    s.next_turn()          # turn 1: branches are open
    s.close()
    return log


def med(xs) -> str:
    return f"{statistics.median(xs):7.1f} ms (min {min(xs):.1f}, max {max(xs):.1f}, n={len(xs)})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--keys", type=int, default=20)
    p.add_argument("--scenario")
    p.add_argument("--child")
    p.add_argument("--fd", type=int)
    p.add_argument("--log")
    p.add_argument("--mode", default="startup")
    p.add_argument("--long", help="also time resuming a copy of this (long) log to the first "
                   "frame, with the checkpoint its first resume leaves")
    p.add_argument("--choose-pause", type=float, default=20,
                   help="milliseconds between the choose panel's frame and enter (default 20)")
    args = p.parse_args()

    if args.child == "bare":
        child_bare(args.fd, args.mode, args.keys)
        return 0
    if args.child == "spillover":
        child_spillover(args.fd, args.log, args.mode, args.keys, args.choose_pause / 1000)
        return 0

    from engine.bundled import main_scenario, tutorial_scenario
    scenario = Path(args.scenario) if args.scenario else main_scenario()
    if not scenario.exists():
        scenario = tutorial_scenario()
    import textual
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Textual {textual.__version__}, {platform.system()} {platform.machine()}")
    print(f"scenario: {scenario.relative_to(ROOT) if scenario.is_relative_to(ROOT) else scenario}")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        run_child(["bare"])                     # warm the file cache and bytecode
        run_child(["spillover", "--log", str(make_log(scenario, tmpdir))])
        bare, ours, ours_cpu = [], [], []
        for _ in range(args.runs):
            bare.append(run_child(["bare"])[0] * 1000)
            wall, report = run_child(["spillover", "--log", str(make_log(scenario, tmpdir))])
            ours.append(wall * 1000)
            ours_cpu.append(report["cpu"] * 1000)
        ratio = statistics.median(ours) / statistics.median(bare)
        print("\nstart-up, process start → first painted frame (pseudo-terminal 120×40)")
        print(f"  bare Textual app (Header, ListView, Footer): {med(bare)}")
        print(f"  spillover exercise screen (resume):          {med(ours)}")
        print(f"    CPU of the app's process to that frame:    {med(ours_cpu)}")
        print(f"  ratio: {ratio:.2f}×  (target ≤ 1.3×)")

        if args.long:
            copy = tmpdir / "long.jsonl"
            copy.write_bytes(Path(args.long).read_bytes())
            first = run_child(["spillover", "--log", str(copy)])[0] * 1000
            bare, ours, cpu = [], [], []
            for _ in range(args.runs):
                bare.append(run_child(["bare"])[0] * 1000)
                wall, report = run_child(["spillover", "--log", str(copy)])
                ours.append(wall * 1000)
                cpu.append(report["cpu"] * 1000)
            print(f"\nresume of {args.long} → first painted frame")
            print(f"  without a checkpoint (the first resume): {first:7.1f} ms")
            print(f"  bare Textual app:                        {med(bare)}")
            print(f"  with the checkpoint:                     {med(ours)}  (target ≤ 2 s)")
            print(f"    CPU of the app's process to that frame: {med(cpu)}")

        _, report = run_child(["spillover", "--log", str(make_log(scenario, tmpdir)),
                               "--mode", "latency", "--keys", str(args.keys),
                               "--choose-pause", str(args.choose_pause)])
        _, at_once = run_child(["spillover", "--log", str(make_log(scenario, tmpdir)),
                                "--mode", "latency", "--keys", str(args.keys),
                                "--choose-pause", "0"])
        _, bare_report = run_child(["bare", "--mode", "latency", "--keys", str(args.keys)])
        print("\nkeystroke → updated frame (pseudo-terminal 120×40); wall time, and in brackets")
        print("the CPU time the app used meanwhile (less sensitive to a loaded machine)")
        print(f"  bare app, move in the ListView (reference): {med(bare_report['moves'])}"
              f"  [cpu {statistics.median(bare_report['moves_cpu']):.1f} ms]")
        print(f"  move in the branch list (detail updated):   {med(report['moves'])}"
              f"  [cpu {statistics.median(report['moves_cpu']):.1f} ms]")
        print(f"  open the choose panel (1):                  {med(report['open_choose'])}")
        print(f"  record a choice (enter → logged, shown):    {med(report['choose'])}"
              f"  [cpu {statistics.median(report['choose_cpu']):.1f} ms]")
        print(f"    (enter {args.choose_pause:g} ms after the panel's frame; sent with that frame: "
              f"{statistics.median(at_once['choose']):.1f} ms "
              f"[cpu {statistics.median(at_once['choose_cpu']):.1f} ms])")
        print(f"  undo (u → logged, shown):                   {med(report['undo'])}")
        worst = max(statistics.median(report["moves"]), statistics.median(report["choose"]))
        print(f"  target ≤ 50 ms median (move, record a choice): "
              f"{'met' if worst <= 50 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
