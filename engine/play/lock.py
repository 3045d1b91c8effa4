"""One writer per session log: an exclusive lock on a sidecar file `LOG.lock`.

The lock is `fcntl.flock` on POSIX and `msvcrt.locking` on Windows. Both are released by the
operating system when the holding process dies, so a lock left by a crash never blocks. While
held, the sidecar names the holder (host, pid, since) so that a refused second writer can say
who has the log open.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import sys
from pathlib import Path

from engine.i18n import _
from engine.play.errors import LogLockedError, SessionError

# A platform check rather than try/except ImportError, so that mypy sees which branch runs.
if sys.platform == "win32":
    import msvcrt
else:                                    # POSIX
    import fcntl

_WIN_LOCK_OFFSET = 1 << 30               # Windows locks a byte far past the holder text


def lock_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + ".lock")


class LogLock:
    """Held from `acquire()` until `release()` (or until the process ends)."""

    def __init__(self, log_path: str | os.PathLike):
        self.log_path = Path(log_path)
        self.path = lock_path(self.log_path)
        self._fd: int | None = None

    def acquire(self) -> LogLock:
        """Hold the lock, or raise LogLockedError naming the holder (SessionError when the
        lock file cannot be made at all, e.g. a read-only folder)."""
        try:
            return self._acquire()
        except OSError as e:
            raise SessionError(_("cannot lock {log} for writing: {reason} ({lock})").format(
                log=self.log_path, reason=e.strerror or e, lock=self.path)) from None

    def _acquire(self) -> LogLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                holder = _read_holder(fd)
                os.close(fd)
                raise LogLockedError(_(
                    "{log} is already open for writing{holder}. Only one program may write a "
                    "session log: close the other window first (a lock left by a program that "
                    "crashed is released by the system and does not block)").format(
                        log=self.log_path, holder=holder))
            # The file may have been removed by a holder releasing it between our open and our
            # lock: then we hold a lock nobody else can see, so start again.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except OSError:
                same = False
            if same:
                self._fd = fd
                _write_holder(fd)
                return self
            _unlock(fd)
            os.close(fd)
        raise LogLockedError(_("cannot lock {log}: its lock file keeps changing").format(
            log=self.log_path))

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if sys.platform != "win32":
                self.path.unlink(missing_ok=True)   # while still held: see `acquire`
            else:
                os.ftruncate(fd, 0)
        except OSError:
            pass
        _unlock(fd)
        os.close(fd)

    def __del__(self):
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform != "win32":
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        if sys.platform != "win32":
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:
            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


def _write_holder(fd: int) -> None:
    info = {"host": socket.gethostname(), "pid": os.getpid(),
            "since": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(info).encode() + b"\n")
    except OSError:
        pass                              # the lock holds without the note


def _read_holder(fd: int) -> str:
    """' by pid 123 on host since …', or '' when the note is missing or unreadable."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8"))
        return " " + _("by process {pid} on {host} since {since}").format(
            pid=int(info['pid']), host=str(info['host'])[:100], since=str(info['since'])[:40])
    except (OSError, ValueError, KeyError, TypeError):
        return ""
