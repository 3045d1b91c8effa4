"""Live reload for authors: the session's actions re-applied to a new version of its scenario,
and test sessions that start at a chosen turn with a chosen state.

A reload never touches the running session or its log. When the new version has errors,
they come back and the session goes on unchanged. Otherwise a new session on the new version
is started with the same seed, group and counterfactual switches, logged to a new file that
names the old one (`forked_from`, with `"reload": true`), and the old session's actions are
re-applied in order, with their original timestamps, until one no longer applies; that one
and those after it are reported, not lost — they stay in the old log.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path

import attrs

from engine.diagnostics import Diagnostic
from engine.format.loader import check_scenario
from engine.i18n import _, ngettext
from engine.model import Scenario
from engine.play.clock import stopped_at
from engine.play.session import Session, SessionError, describe_action, utc_now


@attrs.frozen
class Reloaded:
    session: Session | None          # the new session, or None when the new version has errors
    diagnostics: tuple[Diagnostic, ...] = ()
    changes: tuple[str, ...] = ()    # "branch:x changed", "state:y added", …
    applied: int = 0                 # how many of the old session's actions were re-applied
    dropped: tuple[str, ...] = ()    # the actions that no longer apply, described
    problem: str = ""                # why the first dropped action no longer applies

    def summary(self) -> str:
        if self.session is None:
            errors = [d for d in self.diagnostics if d.severity == "error"]
            return ngettext("not reloaded: {n} error", "not reloaded: {n} errors",
                            len(errors)).format(n=len(errors))
        if not self.changes:
            return _("unchanged")
        what = ", ".join(self.changes)
        text = ngettext("reloaded ({what}); {n} action re-applied",
                        "reloaded ({what}); {n} actions re-applied", self.applied).format(
            what=what, n=self.applied)
        if self.dropped:
            text += "; " + ngettext("{n} no longer applies, from {first}: {problem}",
                                    "{n} no longer apply, from {first}: {problem}",
                                    len(self.dropped)).format(
                n=len(self.dropped), first=self.dropped[0], problem=self.problem)
        return text


def changes_between(old: Scenario, new: Scenario) -> tuple[str, ...]:
    """Items added, removed or changed from one version of a scenario to the next."""
    a, b = old.item_hashes, new.item_hashes
    out = [_("{item} removed").format(item=k) if k not in b else
           _("{item} added").format(item=k) if k not in a else
           _("{item} changed").format(item=k)
           for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    if not out and old.content_hash != new.content_hash:
        out = [_("wording or layout only")]
    return tuple(out)


def reload_log_path(old: Path, when: _dt.datetime | None = None) -> Path:
    """Next to the old log: <stem>-reload-<timestamp>[-N].jsonl."""
    stamp = (when or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = old.with_name(f"{old.stem.split('-reload-')[0]}-reload-{stamp}")
    path, n = base.with_suffix(".jsonl"), 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}").with_suffix(".jsonl")
    return path


def reload(session: Session, path: str | Path | None = None, *,
           log_path: str | Path | None = None, clock: Callable[[], str] = utc_now) -> Reloaded:
    """Check the scenario again (at `path`, default where the session's came from) and, if it
    loads, replay the session's actions on it in a new session (see the module's note)."""
    scenario, diags = check_scenario(path or session.scenario.path)
    if scenario is None:
        return Reloaded(None, tuple(diags))
    if scenario.content_hash == session.scenario.content_hash:
        return Reloaded(session, tuple(diags), applied=len(session.actions))  # nothing changed
    if log_path is None and session.log_path is not None:
        log_path = reload_log_path(session.log_path)
    header = session.header
    forked_from = {"log": str(session.log_path.resolve()) if session.log_path else None,
                   "header_hash": header.get("hash"), "at": len(session.actions),
                   "group": session.group, "reload": True}
    new = Session.start(scenario, seed=session.seed, group=session.group,
                        switched_off=header.get("switched_off", []) or [], log_path=log_path,
                        forked_from=forked_from, clock=clock,
                        time_box=header.get("time_box") if isinstance(header.get("time_box"), int)
                        else None)
    applied, problem = 0, ""
    dropped: list[str] = []
    try:
        for rec in session.actions:
            if dropped:
                dropped.append(describe_action(rec))
                continue
            logged_at = rec.get("at")
            new.clock = stopped_at(logged_at) if logged_at else clock
            try:
                new.apply_record(rec)
                applied += 1
            except SessionError as e:
                dropped.append(describe_action(rec))
                problem = str(e)
    finally:
        new.clock = clock
    return Reloaded(new, tuple(diags), changes_between(session.scenario, scenario), applied,
                    tuple(dropped), problem)


def start_at(session: Session, turn: int, values: dict[str, str] | None = None) -> Session:
    """Bring a new session to `turn` (releasing scheduled injects on the way) and set
    `values` (variable → value as typed), each a logged override, so that replay stays exact.
    Raises SessionError when the turn or a value does not fit."""
    last = len(session.scenario.turns) - 1
    if not 0 <= turn <= last:
        raise SessionError(_("turn {n} does not exist (turns 0..{last})").format(n=turn,
                                                                                 last=last))
    while session.state.turn < turn:
        session.next_turn()
    for name, text in (values or {}).items():
        session.override(name, text, "test session set-up")
    return session
