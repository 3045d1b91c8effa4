"""`spillover play`: JSON actions in, an acknowledgement only once each is on disk (issue 10)."""

import errno
import json
import os
import random
import signal
import subprocess
import sys

import pytest

from engine.bundled import tutorial_scenario
from engine.play.driver import BAD_JSON, BAD_REQUEST, NOT_RECORDED, REFUSED, Driver
from engine.play.log import read_log
from engine.play.replay import VERIFIED, replay
from engine.play.session import Session

CLOCK = lambda: "2026-01-01T00:00:00+00:00"  # noqa: E731


def lines(*reqs):
    return [json.dumps(r) for r in reqs]


def test_the_driver_acknowledges_refuses_and_goes_on(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    s = Session.start(tutorial, seed=7, group="G", log_path=path, clock=CLOCK)
    d = Driver(s)
    assert d.hello() == {"ok": True, "ready": True, "log": str(path), "n": 0, "turn": 0,
                         "state": s.records[0]["state"], "ended": False}
    script = [
        ('{"action": "next_turn"}', True, None),
        ('{"action": "choose", "branch": "press_negotiations", "option": "push", '
         '"rationale": "now"}', True, None),
        ('{"action": "next_turn"}', False, REFUSED),          # a roll is waiting
        ("not json", False, BAD_JSON),
        ("[" * 100_000, False, BAD_JSON),
        ('{"action": "teleport"}', False, BAD_REQUEST),
        ('{"action": "decide", "success": "yes"}', False, BAD_REQUEST),
        ('{"action": "decide", "success": true, "rationale": "the room agreed"}', True, None),
        ('{"action": "override", "variable": "china_pressure", "value": 99}', False, REFUSED),
        ('{"action": "override", "variable": "china_pressure", "value": 2}', True, None),
        ('{"action": "inject", "inject": "ally_objects"}', True, None),
        ('{"action": "note", "text": "bad paste \\ud800"}', True, None),
        ('{"action": "undo"}', True, None),
        ('{"action": "end", "hotwash": "done"}', True, None),
    ]
    acks = []
    for line, ok, code in script:
        answer = d.handle_line(line)
        assert answer["ok"] is ok, (line, answer)
        if ok:
            acks.append(answer)
        else:
            assert answer["code"] == code and answer["message"], (line, answer)
    s.close()
    logged = read_log(path).actions
    assert [(a["n"], a["action"], a["turn"], a["state"]) for a in acks] == [
        (r["n"], r["action"], r["turn"], r["state"]) for r in logged]
    assert replay(path).status == VERIFIED


def test_a_full_disk_is_a_refusal_and_the_same_action_then_goes_through(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    s = Session.start(tutorial, seed=7, group="G", log_path=path, clock=CLOCK)
    d = Driver(s)

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    s.writer.write = full
    answer = d.handle_line('{"action": "next_turn"}')
    assert answer["code"] == NOT_RECORDED and "NOT recorded" in answer["message"]
    s.writer.write = os.write
    assert d.handle_line('{"action": "next_turn"}') == {
        "ok": True, "n": 1, "action": "next_turn", "turn": 1,
        "state": read_log(path).actions[0]["state"], "message": "Turn 1: Summer 2023"}
    s.close()


def spawn(*args):
    return subprocess.Popen([sys.executable, "-m", "tui.cli", "play", *map(str, args)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def test_play_over_pipes_and_one_writer(tmp_path):
    path = tmp_path / "s.jsonl"
    proc = spawn(tutorial_scenario(), "--log", path, "--group", "Blue", "--seed", "3")
    hello = json.loads(proc.stdout.readline())
    assert hello["ready"] and hello["n"] == 0
    proc.stdin.write('{"action": "next_turn"}\n')
    assert json.loads(proc.stdout.readline())["n"] == 1
    second = spawn("--resume", path)                       # the log is held by the first
    out, _ = second.communicate("", timeout=60)
    refused = json.loads(out.splitlines()[0])
    assert refused["code"] == "cannot_start" and f"process {proc.pid}" in refused["message"]
    assert second.returncode == 1
    out, _ = proc.communicate('{"action": "note", "text": "bye"}\n', timeout=60)
    assert json.loads(out)["n"] == 2 and proc.returncode == 0
    header = json.loads(path.read_text().splitlines()[0])
    assert (header["group"], header["seed"]) == ("Blue", 3)


# ---------------------------------------------------------------------------- kill -9

def plan(session, rng):
    """A legal action for the session now (by the engine's own views)."""
    if session.pending_roll() is not None:
        return {"action": "roll"} if rng.random() < 0.8 else {
            "action": "decide", "success": rng.random() < 0.5, "rationale": "decided"}
    r = rng.random()
    open_ = [v for v in session.branch_views() if v.open]
    if open_ and r < 0.5:
        view = rng.choice(open_)
        option = rng.choice(view.branch.options)
        return {"action": "choose", "branch": view.id, "option": option.id,
                "rationale": f"because {rng.randrange(1000)}"}
    if r < 0.65 or session.state.turn == len(session.scenario.turns) - 1:
        return {"action": "note", "text": "ü" * rng.randrange(1, 3000)}
    if r < 0.75 and session.actions and session.actions[-1].get("action") != "undo":
        return {"action": "undo"}
    return {"action": "next_turn"}


def kill_loop(tmp_path, kills, seed):
    rng = random.Random(seed)
    path = tmp_path / "s.jsonl"
    acked: list[dict] = []
    mirror = None
    for life in range(kills):
        proc = (spawn(tutorial_scenario(), "--log", path, "--seed", seed) if life == 0
                else spawn("--resume", path))
        try:
            hello = json.loads(proc.stdout.readline())
            assert hello["ready"], hello
            if mirror is None:
                rep = replay(path)
                mirror = rep.session
            assert hello["n"] == len(mirror.actions)
            driver = Driver(mirror)
            for _ in range(rng.randrange(0, 6)):
                req = plan(mirror, rng)
                if req is None:
                    break
                proc.stdin.write(json.dumps(req) + "\n")
                proc.stdin.flush()
                answer = json.loads(proc.stdout.readline())
                expected = driver.handle(req)               # the same action, unlogged
                assert answer["ok"] == expected["ok"], (req, answer, expected)
                if answer["ok"]:
                    assert answer["state"] == expected["state"]
                    acked.append(answer)
            if rng.random() < 0.5:                          # one more, killed in flight
                proc.stdin.write(json.dumps(plan(mirror, rng)) + "\n")
                proc.stdin.flush()
                if rng.random() < 0.5:
                    os.sched_yield()
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdin.close()
            proc.stdout.close()
        log = read_log(path)
        logged = {r["n"]: r for r in log.actions}
        for a in acked:
            assert logged[a["n"]]["state"] == a["state"], (life, a)
            assert logged[a["n"]]["action"] == a["action"]
        rep = replay(path)
        assert rep.status == VERIFIED, (life, rep.banner())
        mirror = rep.session          # the in-flight action may or may not have landed
    assert len(acked) >= kills // 2
    return acked


POSIX = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@POSIX
def test_kill_9_never_loses_an_acknowledged_action(tmp_path):
    kill_loop(tmp_path, 20, seed=11)


@POSIX
@pytest.mark.slow
def test_kill_9_many_times(tmp_path):
    kill_loop(tmp_path, 120, seed=12)
