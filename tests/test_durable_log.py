"""The log survives a full disk and a second writer (issue 10)."""

import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest

from engine.play.errors import LogLockedError, LogWriteError
from engine.play.lock import lock_path
from engine.play.log import read_log
from engine.play.replay import VERIFIED, replay, resume
from engine.play.session import Session, SessionError

CLOCK = lambda: "2026-01-01T00:00:00+00:00"  # noqa: E731


def start(tutorial, path, **kw):
    return Session.start(tutorial, seed=7, group="Group A", log_path=path, clock=CLOCK, **kw)


class FullDisk:
    """A write function that accepts `room` more bytes, writes what fits (as a real full
    disk does) and then fails with ENOSPC, until `free()` is called."""

    def __init__(self, room: int):
        self.room = room
        self.failures = 0

    def __call__(self, fd: int, data: bytes) -> int:
        if self.room is None or len(data) <= self.room:
            if self.room is not None:
                self.room -= len(data)
            return os.write(fd, data)
        if self.room:
            os.write(fd, data[:self.room])      # the part that fitted lands on disk
        self.room = 0
        self.failures += 1
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def free(self):
        self.room = None


@pytest.mark.parametrize("room", [0, 1, 57, 200])
def test_a_full_disk_records_nothing_loses_nothing_and_recovers(tutorial, tmp_path, room):
    path = tmp_path / "s.jsonl"
    s = start(tutorial, path)
    s.next_turn()
    s.choose("press_negotiations", "push", "first")
    before_bytes, before_state, before_records = path.read_bytes(), s.state, list(s.records)
    disk = FullDisk(room)
    s.writer.write = disk
    with pytest.raises(LogWriteError, match="NOT recorded.*No space left"):
        s.roll()
    assert path.read_bytes() == before_bytes          # cut back at once, not on the next try
    with pytest.raises(LogWriteError):
        s.undo()                     # a failed undo must not lose its place on the stack
    assert disk.failures == 2
    assert path.read_bytes() == before_bytes          # cut back to the last complete line
    assert s.state == before_state and s.records == before_records
    disk.free()
    s.roll()                         # the disk has room again: the same action goes through
    s.undo()
    s.roll()
    s.end("done")
    s.close()
    report = replay(path)
    assert report.status == VERIFIED, report.problems
    assert [r["action"] for r in report.log.actions] == [
        "next_turn", "choose", "roll", "undo", "roll", "end"]


def test_a_failing_fsync_is_not_recorded_either(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    s = start(tutorial, path)
    before = path.read_bytes()
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        os.fsync(fd)

    s.writer.fsync = fsync
    with pytest.raises(LogWriteError, match="Input/output error"):
        s.next_turn()
    assert path.read_bytes() == before and s.state.turn == 0
    s.next_turn()
    s.close()
    assert replay(path).status == VERIFIED


def test_a_full_disk_while_writing_the_header_leaves_no_half_session(tutorial, tmp_path,
                                                                     monkeypatch):
    path = tmp_path / "s.jsonl"
    from engine.play import log as log_module
    real_init = log_module.LogWriter.__init__

    def init(self, *a, **kw):
        real_init(self, *a, **kw)
        self.write = FullDisk(10)

    monkeypatch.setattr(log_module.LogWriter, "__init__", init)
    with pytest.raises(LogWriteError):
        start(tutorial, path)
    monkeypatch.undo()
    assert path.read_bytes() == b""
    start(tutorial, path).close()    # nothing blocks a second try: not the file, not the lock
    assert replay(path).status == VERIFIED


def test_a_lone_surrogate_in_a_rationale_is_recorded(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    s = start(tutorial, path)
    s.next_turn()
    out = s.choose("press_negotiations", "push", "broken \ud800 paste")
    assert out.record["rationale"] == "broken \ufffd paste"
    s.close()
    assert replay(path).status == VERIFIED


# ---------------------------------------------------------------------------- one writer

def test_a_second_writer_is_refused_with_the_holder(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    s = start(tutorial, path)
    s.next_turn()
    with pytest.raises(LogLockedError, match=rf"already open for writing by process "
                                             rf"{os.getpid()} on .+ since 20"):
        resume(path)
    with pytest.raises(LogLockedError):
        start(tutorial, path)
    s.choose("press_negotiations", "push", "still the only writer")
    s.close()
    assert not lock_path(path).exists()               # nothing left behind
    again, _ = resume(path)
    again.close()


def test_starting_on_a_log_that_holds_a_session_is_refused(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    start(tutorial, path).close()
    with pytest.raises(SessionError, match="already holds a session"):
        start(tutorial, path)


def test_a_torn_header_is_set_aside_and_explained(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    start(tutorial, path).close()
    header = path.read_bytes()
    path.write_bytes(header[:80])                       # a crash while the header was written
    read = read_log(path)
    assert read.header is None
    [d] = read.diagnostics
    assert "cut short" in d.message and f"spillover run --log {path}" in d.hint
    with pytest.raises(SessionError, match="cut short"):
        resume(path)
    start(tutorial, path).close()                       # run --log recovers it
    assert (tmp_path / "s.jsonl.torn").read_bytes() == header[:80]
    assert replay(path).status == VERIFIED


HOLD = textwrap.dedent("""
    import sys, time
    from engine.bundled import tutorial_scenario
    from engine.format.loader import load_scenario
    from engine.play.session import Session
    s = Session.start(load_scenario(tutorial_scenario()), seed=1, group="g", log_path=sys.argv[1])
    print("holding", flush=True)
    time.sleep(60)
""")


def _holder(path):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_two_processes_one_log(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    proc = _holder(path)
    try:
        with pytest.raises(LogLockedError, match=f"by process {proc.pid} "):
            resume(path)
        with pytest.raises(LogLockedError):
            start(tutorial, path)
    finally:
        proc.kill()                                      # a crash: no clean release
        proc.wait()
    assert lock_path(path).exists()                      # the stale lock file is still there…
    session, report = resume(path)                       # …and does not block
    assert report.status == VERIFIED
    session.next_turn()
    session.close()
    assert len(path.read_bytes().splitlines()) == 2      # one header, one action


def test_two_processes_starting_on_one_path_write_one_header(tmp_path):
    path = tmp_path / "s.jsonl"
    code = textwrap.dedent("""
        import sys
        from engine.bundled import tutorial_scenario
        from engine.format.loader import load_scenario
        from engine.play.session import Session, SessionError
        sc = load_scenario(tutorial_scenario())
        try:
            Session.start(sc, seed=1, group=sys.argv[2], log_path=sys.argv[1])
            print("started")
        except SessionError as e:
            print("refused")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), f"g{i}"],
                              stdout=subprocess.PIPE, text=True) for i in range(4)]
    outs = sorted(p.communicate()[0].strip() for p in procs)
    assert outs == ["refused"] * 3 + ["started"]
    [header] = [json.loads(x) for x in path.read_text().splitlines()]
    assert header["type"] == "header"


def test_a_big_file_without_lines_is_not_taken_for_a_torn_header(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"x" * (2 << 20))
    with pytest.raises(SessionError, match="not a session log"):
        start(tutorial, path)
    assert path.stat().st_size == 2 << 20 and not (tmp_path / "s.jsonl.torn").exists()
