"""The seminar's clock: elapsed time since a logged moment, and a turn's time box.

Pure functions over ISO timestamps from the log and a `now` the caller passes in, so the
screens and the tests read the same numbers.
"""

from __future__ import annotations

import datetime as _dt


def parse_time(text: str) -> _dt.datetime | None:
    """A logged ISO time (with its offset), or None if it is missing or malformed."""
    try:
        t = _dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=_dt.timezone.utc)


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
