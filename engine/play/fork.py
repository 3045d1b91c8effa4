"""Fork a session: keep its first N actions and continue from there in a new log.

The new session starts from the same scenario, seed and counterfactual switches, with
`forked_from` in its header, and re-performs the kept actions through `Session.apply_record`,
so they are checked by the rules and sealed into the new log's own hash chain: the fork
replays and verifies on its own, and `spillover resume NEW` continues it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path

from engine.i18n import _, ngettext
from engine.model import Scenario
from engine.play import records as lr
from engine.play.clock import stopped_at
from engine.play.replay import UNREADABLE, replay, unreadable_reason
from engine.play.session import Session, SessionError, utc_now


class ForkError(SessionError):
    """A fork that cannot be made. `usage` is true when the request itself is wrong
    (an action number out of range, a log file that already exists)."""

    def __init__(self, message: str, usage: bool = True):
        super().__init__(message)
        self.usage = usage


def default_fork_path(parent: Path, at: int, when: _dt.datetime | None = None) -> Path:
    """`<stem>-fork<N>-<timestamp>.jsonl` next to the parent (never an existing file)."""
    when = when or _dt.datetime.now()
    base = f"{parent.stem}-fork{at}-{when.strftime('%Y%m%d-%H%M%S')}"
    path = parent.with_name(base + ".jsonl")
    k = 2
    while path.exists():
        path = parent.with_name(f"{base}-{k}.jsonl")
        k += 1
    return path


def fork(log_path: str | Path, at: int, new_log: str | Path | None = None,
         group: str | None = None, clock: Callable[[], str] = utc_now,
         scenario: Scenario | None = None) -> Session:
    """A new, logged session holding actions 1..`at` of `log_path`, ready to continue.

    `at` may be 0 (the same set-up, nothing played) up to the last action that verifies:
    an edited log can be forked before the break, a diverging one before the divergence.
    The kept actions keep their original timestamps. Raises ForkError.
    """
    parent = Path(log_path)
    rep = replay(parent, scenario)
    if rep.log.header is None or rep.scenario is None or rep.status == UNREADABLE:
        raise ForkError(_("cannot fork {log}: {reason}").format(log=parent,
                                                                reason=unreadable_reason(rep)),
                        usage=False)
    actions = rep.log.actions
    total = len(actions)
    verified = len(rep.steps) - 1
    if not isinstance(at, int) or isinstance(at, bool) or at < 0 or at > total:
        raise ForkError(ngettext("--at {at} is out of range: {log} has {n} action; keep 0 to {n}",
                                 "--at {at} is out of range: {log} has {n} actions; keep 0 to "
                                 "{n}", total).format(at=at, log=parent, n=total))
    if at > verified:
        raise ForkError(_("--at {at} is past the last action that verifies ({why}); fork at "
                          "{n} or earlier").format(at=at, why=rep.banner(), n=verified))
    if at and lr.kind(actions[at - 1]) is lr.End:
        raise ForkError(_("action {at} ends the session, so a fork there could not continue; "
                          "fork at {before} to replace the ending").format(at=at, before=at - 1))
    header = rep.log.header
    target = Path(new_log) if new_log is not None else default_fork_path(parent, at)
    if target.resolve() == parent.resolve():
        raise ForkError(_("the fork needs a new log file, not the parent's"))
    if target.exists() and target.stat().st_size > 0:
        raise ForkError(_("{path} already exists; choose another file for the fork").format(
            path=target))
    parent_group = str(header.get("group", ""))
    forked_from = {"log": str(parent.resolve()), "header_hash": header.get("hash"), "at": at,
                   "group": parent_group}
    session = Session.start(
        rep.scenario, seed=int(header.get("seed", 0)),
        group=group if group else f"{parent_group} (fork)",
        switched_off=header.get("switched_off", []) or [], log_path=target,
        forked_from=forked_from, clock=clock,
        time_box=header.get("time_box") if isinstance(header.get("time_box"), int) else None)
    problem = None
    try:
        for rec in actions[:at]:
            logged_at = rec.get("at")
            session.clock = stopped_at(logged_at) if logged_at else clock
            try:
                outcome = session.apply_record(rec)
            except SessionError as e:
                problem = f"action {rec.get('n')} no longer applies ({e})"
                break
            if outcome.record["state"] != rec.get("state"):
                problem = f"action {rec.get('n')} gives a different state than in the parent"
                break
    finally:
        session.clock = clock
    if problem:
        session.close()
        target.unlink(missing_ok=True)      # a fork that was not made leaves no file behind
        raise ForkError(_("cannot fork: {problem}").format(problem=problem), usage=False)
    return session
