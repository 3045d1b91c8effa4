"""The session log: JSON Lines, append-only, hash-chained, each line on disk before use.

Line 1 is the header; every later line is one action. Each line carries `prev` (the previous
line's hash) and `hash` (SHA-256 of the line's canonical JSON without `hash`), so an edited,
removed or reordered line breaks the chain at a known line number.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from pathlib import Path
from typing import Any, overload

import attrs

from engine.diagnostics import WARNING, Diagnostic, Pos, diag
from engine.format.yamlsource import gc_paused
from engine.i18n import _
from engine.play.errors import LogWriteError, SessionError
from engine.play.lock import LogLock

LOG_FORMAT = 1
MAX_LINE_BYTES = 1 << 20          # one record; a long rationale is a few kilobytes
MAX_LOG_BYTES = 64 << 20          # a whole log; a seminar's is well under a megabyte
_UNHASHED = ("hash", "mac")       # the fields a line's hash does not cover


def line_hash(record: dict) -> str:
    body = {k: v for k, v in record.items() if k not in _UNHASHED}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def clean_text(value: Any) -> Any:
    """`value` with every lone surrogate (text that is not valid Unicode, e.g. pasted from a
    broken clipboard) replaced by U+FFFD, so that the record can be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {clean_text(k): clean_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_text(v) for v in value]
    return value


def seal(record: dict, prev: str | None, signer: Callable[[str], dict] | None = None) -> dict:
    """The record as it goes on disk: `prev`, its own `hash`, and, in a signed session, the
    fields `signer` adds for the chain's head (see engine.play.signing)."""
    record = dict(clean_text(record), prev=prev)
    record["hash"] = line_hash(record)
    if signer is not None:
        record.update(signer(record["hash"]))
    return record


def encode_line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class LogDamaged(SessionError):
    """A line a checkpoint vouched for turned out not to be a record when it was decoded."""


def decode_line(raw: bytes, line: int = 0) -> dict:
    """One log line's record (the one place a raw line becomes a record: a typed decoder
    plugs in here). LogDamaged, with the line number, when it is not a JSON object."""
    try:
        rec = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        rec = None
    if type(rec) is not dict:
        raise LogDamaged(_("line {n} of the log is not a valid record, though the checkpoint "
                           "beside the log vouched for it; delete the .checkpoint file next to "
                           "the log and open it again to check every line").format(n=line))
    return rec


class RawLines:
    """A log's complete lines as read (one buffer and where each line starts), each decoded
    the first time it is read and then kept, for every sequence that shares it."""

    __slots__ = ("data", "ends", "decoded")

    def __init__(self, data: bytes, lines: list[bytes]) -> None:
        """The first lines of `data`, `lines` (`data.split(b"\\n")`'s first ones)."""
        self.data = data
        # line j starts at ends[j] + j (the bytes of the lines before it, their newlines)
        self.ends = list(itertools.accumulate(map(len, lines), initial=0))
        self.decoded: list[dict | None] = [None] * len(lines)

    def start(self, j: int) -> int:
        """Where line j (0-based) begins in `data`; `start(len)`: the end of the last."""
        return self.ends[j] + j

    def raw(self, j: int) -> bytes:
        return self.data[self.start(j):self.start(j + 1) - 1]

    def record(self, j: int) -> dict:
        rec = self.decoded[j]
        if rec is None:
            rec = self.decoded[j] = decode_line(self.raw(j), j + 1)
        return rec


class LazyRecords(MutableSequence[dict]):
    """A log's records, header first: the log's lines (`RawLines`, decoded on first read),
    then the records appended since (dicts). Resuming from a checkpoint hands these on, so a
    long log's lines are not parsed at resume, only those the screen or a rule reads. Works
    as a list: a slice is another LazyRecords sharing the same lines; equal to any sequence
    of the same records."""

    __slots__ = ("_lines", "_lo", "_n", "_tail")

    def __init__(self, lines: RawLines | None = None, lo: int = 0, n: int | None = None,
                 tail: Iterable[dict] = ()) -> None:
        self._lines = lines
        self._lo = lo                     # item i < _n is the log's line _lo + i (0-based)
        self._n = 0 if lines is None else (len(lines.decoded) - lo if n is None else n)
        self._tail: list[dict] = list(tail)

    def __len__(self) -> int:
        return self._n + len(self._tail)

    @overload
    def __getitem__(self, i: int) -> dict: ...

    @overload
    def __getitem__(self, i: slice) -> LazyRecords: ...

    def __getitem__(self, i: int | slice) -> dict | LazyRecords:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return LazyRecords(tail=[self[k] for k in range(start, stop, step)])
            stop = max(start, stop)
            head = max(min(stop, self._n) - start, 0)
            return LazyRecords(self._lines, self._lo + start, head,
                               self._tail[max(start - self._n, 0):max(stop - self._n, 0)])
        if i < 0:
            i += len(self)
        if 0 <= i < self._n:
            assert self._lines is not None
            return self._lines.record(self._lo + i)
        return self._tail[i - self._n]

    def _materialise(self) -> None:
        """Every record as a dict of its own list (before a change inside the log's lines)."""
        if self._n:
            self._tail = [self[i] for i in range(self._n)] + self._tail
            self._lines, self._lo, self._n = None, 0, 0

    def __setitem__(self, i: Any, value: Any) -> None:
        self._materialise()
        self._tail[i] = value

    def __delitem__(self, i: int | slice) -> None:
        self._materialise()
        del self._tail[i]

    def insert(self, index: int, value: dict) -> None:
        if index < self._n:
            self._materialise()
        self._tail.insert(index - self._n, value)

    def append(self, value: dict) -> None:
        self._tail.append(value)

    def __iter__(self) -> Iterator[dict]:
        for i in range(len(self)):
            yield self[i]

    def __reversed__(self) -> Iterator[dict]:
        for i in range(len(self) - 1, -1, -1):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]   # mutable, like a list

    def __repr__(self) -> str:
        return f"LazyRecords({len(self)} records, {self.undecoded} not decoded)"

    @property
    def undecoded(self) -> int:
        """How many of these records no one has read yet."""
        if self._lines is None:
            return 0
        return self._lines.decoded[self._lo:self._lo + self._n].count(None)

    def raw_span(self, start: int = 0) -> tuple[bytes, int, int, int]:
        """Where the log's lines behind records `start`… are: (the buffer, from, to, how many
        records), `from` at the newline before the first of them (0 for the log's first
        line); the records after those are dicts."""
        if self._lines is None or start >= self._n:
            return b"", 0, 0, 0
        lines, lo = self._lines, self._lo + max(start, 0)
        return (lines.data, max(lines.start(lo) - 1, 0), lines.start(self._lo + self._n),
                self._n - max(start, 0))

    def raw(self, i: int) -> bytes | None:
        """Record `i`'s line as logged, or None for a record appended since."""
        if 0 <= i < self._n:
            assert self._lines is not None
            return self._lines.raw(self._lo + i)
        return None


def records_of(header: dict, actions: Sequence[dict]) -> list[dict] | LazyRecords:
    """The header and then `actions`, as a sequence the session can append to; lazy records
    stay lazy (nothing decoded)."""
    if isinstance(actions, LazyRecords):
        if actions._lines is not None and actions._lo == 1 \
                and actions._lines.decoded[0] is header:
            return LazyRecords(actions._lines, 0, actions._n + 1, actions._tail)
        return LazyRecords(tail=[header, *actions])
    return [header, *actions]


def last_with_action(records: Sequence[dict], action: str) -> int | None:
    """The index of the last record of `action`, or None; a record still undecoded is
    decoded only when its line holds the action's name."""
    name = json.dumps(action, ensure_ascii=False).encode("utf-8")
    lazy = records if isinstance(records, LazyRecords) else None
    for i in range(len(records) - 1, -1, -1):
        raw = lazy.raw(i) if lazy is not None else None
        if raw is not None and name not in raw:
            continue
        if records[i].get("action") == action:
            return i
    return None


# Any action as the engine writes it: its number and name at the line's fixed start.
_ACTION_LINE = re.compile(rb'\n\{"type":"action","n":(\d+),"at":"[^"\\\n]*","action":"(\w+)"'
                          rb'(?:,"undoes":(\d+))?')


def standing_actions(records: Sequence[dict], names: frozenset[str]) -> list[int] | None:
    """The numbers of the records of actions `names` that no undo took back, in log order;
    read off the raw lines of a long log without decoding them. None when a line is not in
    the form the engine writes (the caller then does not take the shortcut)."""
    found: list[tuple[int, str, int | None]] = []
    if isinstance(records, LazyRecords):
        data, begin, end, covered = records.raw_span(1)
        hits = _ACTION_LINE.findall(data, begin, end)
        if len(hits) != covered:
            return None
        for n, name, undoes in hits:
            found.append((int(n), name.decode(), int(undoes) if undoes else None))
        tail = range(1 + covered, len(records))
    else:
        tail = range(1, len(records))
    for i in tail:
        rec = records[i]
        n, name, undoes = rec.get("n"), rec.get("action"), rec.get("undoes")
        if not isinstance(n, int) or not isinstance(name, str):
            return None
        found.append((n, name, undoes if isinstance(undoes, int) else None))
    stack: list[int] = []
    for n, name, undoes in found:
        if name == "undo":
            if not stack or stack[-1] != undoes:
                return None
            stack.pop()
        elif name in names:
            stack.append(n)
    return stack


class LogWriter:
    """Appends sealed records to a log it holds the lock of.

    Each record is one `os.write` of the whole line to a raw file descriptor (no buffer that
    could keep a failed line and write it again later), then fsync; only then does `append`
    return. If either fails, the file is cut back to the end of the last complete line and
    `LogWriteError` says that the action was not recorded: the log holds exactly what it held
    before, and the next append (once the disk has room) continues the chain cleanly.

    `write` and `fsync` are the seam where tests inject a failing disk.
    """

    def __init__(self, path: str | os.PathLike, last_hash: str | None, *,
                 lock: LogLock | None = None, signer: Callable[[str], dict] | None = None):
        self.path = Path(path)
        self.last_hash = last_hash
        self.signer = signer
        self.write: Callable[[int, bytes], int] = os.write
        self.fsync: Callable[[int], None] = os.fsync
        self._lock = lock if lock is not None else LogLock(self.path).acquire()
        try:
            require_regular(self.path, missing_ok=True)
            self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | _O_BINARY, 0o644)
            self._good = os.fstat(self._fd).st_size    # the end of the last complete line
        except OSError as e:
            self._lock.release()
            raise SessionError(_("cannot open the log {path} for writing: {reason}").format(
                path=self.path, reason=e.strerror or e)) from None
        except SessionError:
            self._lock.release()
            raise
        self._dirty = False
        self._digest: Any = None      # SHA-256 of the complete lines, once asked for

    @classmethod
    def create(cls, path: str | os.PathLike, signer=None) -> LogWriter:
        """A writer for a new session's log. Under the lock, so two programs starting a
        session on one path never both write a header: the second is refused. A file that
        holds only a header cut short by a crash (no complete line) is set aside in LOG.torn
        and the session starts afresh."""
        path = Path(path)
        lock = LogLock(path).acquire()
        try:
            require_regular(path, missing_ok=True)
            if path.exists() and path.stat().st_size > 0:
                with open(path, "rb") as f:
                    head = f.read(MAX_LINE_BYTES + 1)
                if b"\n" in head:
                    raise SessionError(_("{path} already holds a session; choose another log "
                                         "file or `spillover resume` it").format(path=path))
                if len(head) > MAX_LINE_BYTES:
                    raise SessionError(_("{path} is not a session log (no line in its first {n} "
                                         "bytes); choose another log file").format(
                        path=path, n=f"{MAX_LINE_BYTES:,}"))
                _set_aside(path, head, 0)
        except OSError as e:
            lock.release()
            raise SessionError(_("cannot use {path} as a log: {reason}").format(
                path=path, reason=e.strerror or e)) from None
        except SessionError:
            lock.release()
            raise
        return cls(path, None, lock=lock, signer=signer)

    def append(self, record: dict) -> dict:
        if self._fd is None:
            raise LogWriteError(_("the action was NOT recorded: the log {path} is closed").format(
                path=self.path))
        sealed = seal(record, self.last_hash, self.signer)
        data = encode_line(sealed)
        try:
            if self._dirty:
                self._cut_back()
            os.lseek(self._fd, self._good, os.SEEK_SET)
            written = self.write(self._fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes were written")
            self.fsync(self._fd)
        except OSError as e:
            self._dirty = True
            with contextlib.suppress(OSError):  # tried again before the next line is written
                self._cut_back()
            raise LogWriteError(_(
                "the action was NOT recorded: writing to {path} failed ({reason}). Everything "
                "recorded before is intact and the session is as it was; free some space (or "
                "fix the drive) and take the action again").format(path=self.path,
                                                                    reason=e.strerror or e)
            ) from None
        self._good += len(data)
        self.last_hash = sealed["hash"]
        if self._digest is not None:
            self._digest.update(data)
        return sealed

    @property
    def size(self) -> int:
        """The length of the log up to its last complete line."""
        return self._good

    def digest(self) -> str:
        """The SHA-256 of the log's complete lines (its first `size` bytes). The file is read
        once, on the first call; after that each append updates it, so it costs nothing
        that grows with the log."""
        if self._digest is None:
            if self._fd is None:
                raise LogWriteError(_("the log {path} is closed").format(path=self.path))
            h = hashlib.sha256()
            left = self._good
            with open(self.path, "rb") as f:
                while left > 0:
                    chunk = f.read(min(1 << 20, left))
                    if not chunk:
                        break
                    h.update(chunk)
                    left -= len(chunk)
            self._digest = h
        return str(self._digest.hexdigest())

    def _cut_back(self) -> None:
        assert self._fd is not None           # only called while the log is open
        os.ftruncate(self._fd, self._good)
        self.fsync(self._fd)
        self._dirty = False

    @property
    def closed(self) -> bool:
        return self._fd is None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        self._lock.release()


_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def require_regular(path: Path, *, missing_ok: bool = False) -> None:
    """SessionError unless `path` is a regular file (not a FIFO, a device such as /dev/zero,
    a directory or a socket), which reading or writing could block on or never finish."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as e:
        if missing_ok:
            return
        raise SessionError(f"{path}: {e.strerror}") from None
    except OSError as e:
        raise SessionError(f"{path}: {e.strerror or e}") from None
    if not stat.S_ISREG(mode):
        raise SessionError((_("{path} is a folder; give the path of a file")
                            if stat.S_ISDIR(mode) else
                            _("{path} is not a regular file (a pipe or a device); give the path "
                              "of a file")).format(path=path))


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; SessionError otherwise."""
    require_regular(Path(path))
    try:
        fd = os.open(path, os.O_RDONLY | _O_BINARY | _O_NONBLOCK)
    except OSError as e:
        raise SessionError(f"{path}: {e.strerror or e}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):      # swapped since the check
            raise SessionError(_("{path} is not a regular file (a pipe or a device)").format(
                path=path))
        size = os.fstat(fd).st_size
        if size > limit:
            raise SessionError(_("{path} is {size} bytes, more than the {limit} this reads; is "
                                 "it the right file?").format(path=path, size=f"{size:,}",
                                                              limit=f"{limit:,}"))
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise SessionError(_("{path} grew past {limit} bytes while being read").format(
                path=path, limit=f"{limit:,}"))
        return b"".join(chunks)
    except OSError as e:
        raise SessionError(f"{path}: {e.strerror or e}") from None
    finally:
        os.close(fd)


@attrs.frozen
class LogRead:
    path: str
    header: dict | None
    actions: Sequence[dict]       # a LazyRecords when a checkpoint vouched for lines
    diagnostics: tuple[Diagnostic, ...]
    torn: bytes = b""             # an incomplete last line, dropped
    chain_broken_at: int | None = None   # 1-based line number
    complete_bytes: int = 0       # length of the file up to the last complete line
    trusted_lines: int = 0        # leading lines taken as verified (`read_log`'s `trusted`)

    @property
    def ok(self) -> bool:
        return self.header is not None and not any(d.severity == "error" for d in self.diagnostics)


def read_log(path: str | os.PathLike,
             trusted: Callable[[bytes], int] | None = None) -> LogRead:
    """Read a log, recovering every complete line; never raises for bad content.

    `trusted` is given the log's bytes and answers how many of its leading bytes are known to
    be byte for byte a chain verified before (a checkpoint's, engine.play.checkpoint), or 0:
    those lines are neither parsed nor hashed here: `actions` is then a LazyRecords that
    decodes each of them when it is first read."""
    name = str(path)
    try:
        data = read_regular(path, MAX_LOG_BYTES)
    except SessionError as e:
        return LogRead(name, None, (), (diag("SP601", _("cannot read the log: {problem}").format(
            problem=e), Pos(name, 0, 0), _("check the path")),))
    diags: list[Diagnostic] = []
    lines = data.split(b"\n")
    torn = lines.pop()           # after the last newline: empty unless a write was cut short
    complete = len(data) - len(torn)
    vouched = trusted(data[:complete]) if trusted is not None and lines else 0
    skip = data.count(b"\n", 0, vouched) if vouched and data[vouched - 1:vouched] == b"\n" \
        else 0
    records: list[dict] | LazyRecords
    if skip:           # kept raw; the rest parsed at once, one by one below if one is bad
        records = LazyRecords(RawLines(data, lines[:skip]))
        try:                 # the lines read here: not records after all, then trust none
            records[0], records[skip - 1]
        except LogDamaged:
            skip = 0
    if skip:
        records.extend(parse_lines(lines[skip:]) if skip < len(lines) else [])
    else:
        records = parse_lines(lines)
    for i, raw in enumerate(lines[len(records):], start=len(records) + 1):
        try:
            if len(raw) > MAX_LINE_BYTES:
                raise ValueError(_("{n} bytes, longer than any record ({limit})").format(
                    n=f"{len(raw):,}", limit=f"{MAX_LINE_BYTES:,}"))
            rec = json.loads(raw.decode("utf-8"))
            if not isinstance(rec, dict):
                raise ValueError(_("not an object"))
        except RecursionError:
            deep = ValueError(_("nested too deeply to be a record"))
            diags.append(diag("SP602", _("line {n} is not a valid log record ({problem})").format(
                n=i, problem=deep), _pos(name, i), _("the log was damaged or edited by hand")))
            return LogRead(name, records[0] if records else None, _actions(records),
                           tuple(diags), torn, i, complete)
        except (ValueError, UnicodeDecodeError) as e:
            if i == len(lines) and not torn:
                # A final line that is not JSON: the write was cut short; recover the rest.
                torn, complete = raw + b"\n", complete - len(raw) - 1
                break
            diags.append(diag("SP602", _("line {n} is not a valid log record ({problem})").format(
                n=i, problem=e), _pos(name, i), _("the log was damaged or edited by hand")))
            # The lines before it are kept; the chain counts as broken at this line.
            return LogRead(name, records[0] if records else None, _actions(records),
                           tuple(diags), torn, i, complete)
        records.append(rec)
    if torn:
        diags.append(diag("SP602", _("the last line was cut short ({n} bytes, probably a crash "
                                     "while writing) and was dropped; every complete line was "
                                     "kept").format(n=len(torn)),
                          _pos(name, len(records) + 1), None, WARNING))
    if not records and torn:
        diags = [diag("SP601", _("the log holds only a session header cut short by a crash "
                                 "({n} bytes): no action was recorded").format(n=len(torn)),
                      _pos(name, 1),
                      _("start the session again with `spillover run --log {log}` (the "
                        "fragment is set aside in a .torn file next to it)").format(log=name))]
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    if not records:
        diags.append(diag("SP601", _("the log is empty"), _pos(name, 1),
                          _("a log starts with a header line written when the session starts")))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    header = records[0]
    if header.get("type") != "header":
        diags.append(diag("SP601", _("the first line is not a session header"), _pos(name, 1),
                          _("is this a spillover session log?")))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    if header.get("format") != LOG_FORMAT:
        diags.append(diag("SP606", _("log format {format} is not supported").format(
            format=repr(header.get('format'))), _pos(name, 1),
            _("this engine reads format {format}").format(format=LOG_FORMAT)))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    problem = header_problem(header)
    if problem:
        diags.append(diag("SP601", _("the session header is malformed: {problem}").format(
            problem=problem), _pos(name, 1), _("the log was damaged or edited by hand")))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    for i, rec in enumerate(records[max(skip, 1):], start=max(skip, 1) + 1):
        if not isinstance(rec.get("action"), str):
            diags.append(diag("SP602", _("line {n} is not an action record (no action "
                                         "name)").format(n=i),
                              _pos(name, i), _("the log was damaged or edited by hand")))
            return LogRead(name, header, _actions(records, i - 1), tuple(diags), torn, i, complete)
    broken = None
    prev = records[skip - 1].get("hash") if skip else None
    for i, rec in enumerate(records[skip:], start=skip + 1):
        if rec.get("prev") != prev or rec.get("hash") != line_hash(rec):
            broken = i
            diags.append(diag("SP603", _("the hash chain breaks at line {n}: the log was edited "
                                         "after it was written").format(n=i), _pos(name, i),
                              _("replay the original log, or fork a new session from before "
                                "this line")))
            break
        prev = rec.get("hash")
    return LogRead(name, header, _actions(records), tuple(diags), torn, broken, complete,
                   skip)


def _actions(records: list[dict] | LazyRecords, stop: int | None = None) -> Sequence[dict]:
    """The records after the header (up to `stop`): lazy ones stay lazy."""
    if isinstance(records, LazyRecords):
        return records[1:stop]
    return tuple(records[1:stop])


def parse_lines(lines: list[bytes]) -> list[dict]:
    """Every line's record, parsed in one call (a long log's lines one by one cost several
    times more), or [] when any line is not a record of its own: `read_log` then parses them
    one by one to say which line is bad. The garbage collector is paused meanwhile: the
    records hold no reference cycles, and walking them again and again as they pile up cost
    more than the parse (bench/RESULTS.md, long sessions)."""
    if not lines or max(map(len, lines)) > MAX_LINE_BYTES:
        return []
    try:
        with gc_paused():
            records = json.loads(b"".join((b"[", b",".join(lines), b"]")).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    if len(records) != len(lines) or not all(type(r) is dict for r in records):
        return []
    return records


# The header fields that replay relies on, with their JSON types.
_HEADER_FIELDS = {"scenario": dict, "seed": int, "group": str, "switched_off": list}


def header_problem(header: dict) -> str | None:
    """What is wrong with a header's shape, or None."""
    for key, kind in _HEADER_FIELDS.items():
        if not isinstance(header.get(key), kind) or isinstance(header.get(key), bool):
            return _("'{key}' should be {kind}").format(
                key=key, kind=kind.__name__ if kind is not dict else _("an object"))
    scenario = header["scenario"]
    if not isinstance(scenario.get("id"), str) or not isinstance(scenario.get("hash"), str):
        return _("'scenario' needs an id and a hash")
    if not all(isinstance(e, str) for e in header["switched_off"]):
        return _("'switched_off' should list event ids")
    return None


def _pos(name: str, line: int) -> Pos:
    return Pos(name, line, 1)


def set_aside_torn_tail(path: Path, read: LogRead) -> Path | None:
    """Before appending to a log with a torn last line, move the fragment to LOG.torn.

    The fragment is kept (never silently lost) and the log ends on a complete line again.
    """
    if not read.torn:
        return None
    return _set_aside(path, read.torn, read.complete_bytes)


def _set_aside(path: Path, fragment: bytes, keep: int) -> Path:
    aside = path.with_name(path.name + ".torn")
    with open(aside, "ab") as f:
        f.write(fragment)
        f.flush()
        os.fsync(f.fileno())
    with open(path, "r+b") as f:
        f.truncate(keep)
        f.flush()
        os.fsync(f.fileno())
    return aside
