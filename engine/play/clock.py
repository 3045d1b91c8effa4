"""The seminar's clock: elapsed time since a logged moment, and a turn's time box.

Pure functions over ISO timestamps from the log and a `now` the caller passes in, so the
screens and the tests read the same numbers.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from engine.play import records as lr


def stopped_at(at: str) -> Callable[[], str]:
    """A clock that always reads `at`: a logged moment, while its action is made again."""
    return lambda: at


def parse_time(text: str) -> _dt.datetime | None:
    """A logged ISO time (with its offset), or None if it is missing or malformed."""
    try:
        t = _dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=_dt.UTC)


def seconds_since(since: str, now: _dt.datetime) -> int | None:
    start = parse_time(since)
    if start is None:
        return None
    if now.tzinfo is None:
        now = now.astimezone()
    return max(0, int((now - start).total_seconds()))


def hms(seconds: int) -> str:
    """3725 → '1:02:05'; under an hour '2:05'."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


def elapsed(since: str, now: _dt.datetime) -> str:
    """Time since a logged moment as h:mm:ss ('' when the moment is unknown)."""
    s = seconds_since(since, now)
    return "" if s is None else hms(s)


def time_box_left(turn_started: str, minutes: int | None, now: _dt.datetime) -> int | None:
    """Seconds left in a turn's time box (negative once over), or None without one."""
    if not minutes:
        return None
    s = seconds_since(turn_started, now)
    return None if s is None else minutes * 60 - s


def live_records(actions) -> list[dict]:
    """The logged actions that stand: undone ones and the undos themselves left out."""
    undone = {r.get("undoes") for r in actions if lr.kind(r) is lr.Undo}
    return [r for r in actions if lr.kind(r) is not lr.Undo and r.get("n") not in undone]


def turn_started_at(header: dict, actions, turn: int) -> str:
    """When `turn` began: the time of the turn change that stands, or the session's start."""
    at = str(header.get("started", ""))
    for rec in live_records(actions):
        if lr.kind(rec) is lr.NextTurn and rec.get("turn") == turn:
            at = str(rec.get("at", at))
    return at


def turn_times(header: dict, actions) -> list[tuple[int, str, str]]:
    """(turn, began, ended) for each turn played, from the turn changes that stand; the
    current turn ends '' (unless the session ended: then at the end)."""
    live = live_records(actions)
    starts = [(0, str(header.get("started", "")))]
    for rec in live:
        if lr.kind(rec) is lr.NextTurn and isinstance(rec.get("turn"), int):
            starts.append((rec["turn"], str(rec.get("at", ""))))
    end = next((str(r.get("at", "")) for r in live if lr.kind(r) is lr.End), "")
    out = []
    for i, (turn, began) in enumerate(starts):
        ended = starts[i + 1][1] if i + 1 < len(starts) else end
        out.append((turn, began, ended))
    return out
