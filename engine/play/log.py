"""The session log: JSON Lines, append-only, hash-chained, each line on disk before use.

Line 1 is the header; every later line is one action. Each line carries `prev` (the previous
line's hash) and `hash` (SHA-256 of the line's canonical JSON without `hash`), so an edited,
removed or reordered line breaks the chain at a known line number.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import attrs

from engine.diagnostics import Diagnostic, Pos, diag, WARNING

LOG_FORMAT = 1


def line_hash(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def seal(record: dict, prev: str | None) -> dict:
    record = dict(record, prev=prev)
    record["hash"] = line_hash(record)
    return record


class LogWriter:
    """Appends sealed records; each is flushed and fsync'd before `append` returns."""

    def __init__(self, path: Path, last_hash: str | None):
        self.path = Path(path)
        self.last_hash = last_hash
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "ab")

    def append(self, record: dict) -> dict:
        sealed = seal(record, self.last_hash)
        data = json.dumps(sealed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._file.write(data + b"\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.last_hash = sealed["hash"]
        return sealed

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


@attrs.frozen
class LogRead:
    path: str
    header: dict | None
    actions: tuple[dict, ...]
    diagnostics: tuple[Diagnostic, ...]
    torn: bytes = b""             # an incomplete last line, dropped
    chain_broken_at: int | None = None   # 1-based line number
    complete_bytes: int = 0       # length of the file up to the last complete line

    @property
    def ok(self) -> bool:
        return self.header is not None and not any(d.severity == "error" for d in self.diagnostics)


def read_log(path: str | os.PathLike) -> LogRead:
    """Read a log, recovering every complete line; never raises for bad content."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return LogRead(name, None, (), (diag("SP601", f"cannot read the log: {e.strerror or e}",
                                             Pos(name, 0, 0), "check the path"),))
    diags: list[Diagnostic] = []
    lines = data.split(b"\n")
    torn = lines.pop()           # after the last newline: empty unless a write was cut short
    complete = len(data) - len(torn)
    records: list[dict] = []
    for i, raw in enumerate(lines, start=1):
        try:
            rec = json.loads(raw.decode("utf-8"))
            if not isinstance(rec, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError) as e:
            if i == len(lines) and not torn:
                # A final line that is not JSON: the write was cut short; recover the rest.
                torn, complete = raw + b"\n", complete - len(raw) - 1
                break
            diags.append(diag("SP602", f"line {i} is not a valid log record ({e})",
                              _pos(name, i), "the log was damaged or edited by hand"))
            # The lines before it are kept; the chain counts as broken at this line.
            return LogRead(name, records[0] if records else None, tuple(records[1:]),
                           tuple(diags), torn, i, complete)
        records.append(rec)
    if torn:
        diags.append(diag("SP602", f"the last line was cut short ({len(torn)} bytes, probably a "
                          "crash while writing) and was dropped; every complete line was kept",
                          _pos(name, len(records) + 1), None, WARNING))
    if not records:
        diags.append(diag("SP601", "the log is empty", _pos(name, 1),
                          "a log starts with a header line written when the session starts"))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    header = records[0]
    if header.get("type") != "header":
        diags.append(diag("SP601", "the first line is not a session header", _pos(name, 1),
                          "is this a spillover session log?"))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    if header.get("format") != LOG_FORMAT:
        diags.append(diag("SP606", f"log format {header.get('format')!r} is not supported",
                          _pos(name, 1), f"this engine reads format {LOG_FORMAT}"))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    problem = header_problem(header)
    if problem:
        diags.append(diag("SP601", f"the session header is malformed: {problem}", _pos(name, 1),
                          "the log was damaged or edited by hand"))
        return LogRead(name, None, (), tuple(diags), torn, None, complete)
    for i, rec in enumerate(records[1:], start=2):
        if not isinstance(rec.get("action"), str):
            diags.append(diag("SP602", f"line {i} is not an action record (no action name)",
                              _pos(name, i), "the log was damaged or edited by hand"))
            return LogRead(name, header, tuple(records[1:i - 1]), tuple(diags), torn, i, complete)
    broken = None
    prev = None
    for i, rec in enumerate(records, start=1):
        if rec.get("prev") != prev or rec.get("hash") != line_hash(rec):
            broken = i
            diags.append(diag("SP603", f"the hash chain breaks at line {i}: the log was edited "
                              "after it was written", _pos(name, i),
                              "replay the original log, or fork a new session from before this line"))
            break
        prev = rec.get("hash")
    return LogRead(name, header, tuple(records[1:]), tuple(diags), torn, broken, complete)


# The header fields that replay relies on, with their JSON types.
_HEADER_FIELDS = {"scenario": dict, "seed": int, "group": str, "switched_off": list}


def header_problem(header: dict) -> str | None:
    """What is wrong with a header's shape, or None."""
    for key, kind in _HEADER_FIELDS.items():
        if not isinstance(header.get(key), kind) or isinstance(header.get(key), bool):
            return f"'{key}' should be {kind.__name__ if kind is not dict else 'an object'}"
    scenario = header["scenario"]
    if not isinstance(scenario.get("id"), str) or not isinstance(scenario.get("hash"), str):
        return "'scenario' needs an id and a hash"
    if not all(isinstance(e, str) for e in header["switched_off"]):
        return "'switched_off' should list event ids"
    return None


def _pos(name: str, line: int) -> Pos:
    return Pos(name, line, 1)


def set_aside_torn_tail(path: Path, read: LogRead) -> Path | None:
    """Before appending to a log with a torn last line, move the fragment to LOG.torn.

    The fragment is kept (never silently lost) and the log ends on a complete line again.
    """
    if not read.torn:
        return None
    aside = path.with_name(path.name + ".torn")
    with open(aside, "ab") as f:
        f.write(read.torn)
        f.flush()
        os.fsync(f.fileno())
    with open(path, "r+b") as f:
        f.truncate(read.complete_bytes)
        f.flush()
        os.fsync(f.fileno())
    return aside


def json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
