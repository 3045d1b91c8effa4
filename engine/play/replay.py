"""Replay a session log against its scenario, verify it, and resume it.

Replay recomputes every state from the scenario and the logged actions and says which of
these holds: verified; the scenario changed since the session (naming what changed); the log
was edited (the hash chain breaks at line N); or a logged action no longer applies.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from engine.diagnostics import DiagnosticError
from engine.format.tables import load_scenario_in
from engine.i18n import N_, _, ngettext
from engine.model import Scenario
from engine.play import records as lr
from engine.play.checkpoint import EVERY as CHECKPOINT_EVERY
from engine.play.checkpoint import (
    Checkpoint,
    CheckpointIgnored,
    prefix_matches,
    read_checkpoint,
    restore,
)
from engine.play.lock import LogLock
from engine.play.log import (
    LogDamaged,
    LogRead,
    LogWriter,
    last_with_action,
    read_log,
    records_of,
    set_aside_torn_tail,
)
from engine.play.rules import Env, GameState, state_json
from engine.play.session import UNDOABLE, Session, SessionError, utc_now
from engine.play.signing import (
    AUTHENTIC,
    KEY_MISSING,
    NOT_AUTHENTIC,
    UNSIGNED,
    Authenticity,
    check_authenticity,
    load_key,
)

# (statuses are compared as written; N_ marks them to be translated where they are shown)
VERIFIED = N_("verified")
# What a verified log proves about its end (ReplayReport.verdict):
VERIFIED_ENDED = N_("verified and ended")
VERIFIED_SO_FAR = N_("verified so far")
TORN_TAIL = N_("torn tail")
SCENARIO_CHANGED = N_("scenario changed")
LOG_EDITED = N_("log edited")
DIVERGED = N_("diverged")
UNREADABLE = N_("unreadable")


@attrs.frozen
class Step:
    """The state after one logged line (line 1 is the header: the initial state).

    States are immutable and shared: an action that leaves the state as it was (a note, an
    observation) and an undo (which restores an earlier state) hold the very same object, so
    a step costs a reference, not a copy. Its plain form (`values`) is built only when asked.
    """

    line: int
    record: dict
    state: GameState
    env: Env = attrs.field(repr=False, eq=False)

    @property
    def values(self) -> dict:
        """The state's plain, canonical form (as logged and hashed)."""
        return state_json(self.state, self.env)


@attrs.frozen
class ReplayReport:
    status: str
    log: LogRead
    scenario: Scenario | None
    steps: tuple[Step, ...]
    problems: tuple[str, ...]
    changed: tuple[str, ...] = ()        # what differs in the scenario since the session
    session: Session | None = attrs.field(default=None, eq=False)
    authenticity: Authenticity = Authenticity(UNSIGNED)
    checkpoint_lines: int = 0            # lines taken from a checkpoint, not replayed (resume)
    checkpoint_ignored: str = ""         # why a checkpoint beside the log was not used

    @property
    def verified(self) -> bool:
        """Every logged action replays to its logged state and the chain is unbroken (and,
        in a signed session, no line is known to be not authentic)."""
        return self.status == VERIFIED and self.authenticity.status != NOT_AUTHENTIC

    @property
    def ended(self) -> bool:
        return self._after_end is not None

    @property
    def _after_end(self) -> int | None:
        """How many debrief records (hotwash, amendments, observations) follow the end
        record, or None when the log has no end record."""
        actions = self.log.actions
        i = last_with_action(actions, lr.End.ACTION)
        return None if i is None else len(actions) - 1 - i

    @property
    def verdict(self) -> str:
        """What the verification proves about the log's end: *verified and ended* (the
        end-of-session record is there), *verified so far* (no end record: lines may be
        missing at the end), *torn tail* (a crash cut the last line short), or the status
        when it did not verify."""
        if self.status != VERIFIED:
            return self.status
        if self.authenticity.status == NOT_AUTHENTIC:
            return NOT_AUTHENTIC
        if self.log.torn:
            return TORN_TAIL
        return VERIFIED_ENDED if self.ended else VERIFIED_SO_FAR

    def banner(self) -> str:
        """One line for the top of a screen or report."""
        text = self._banner()
        if self.checkpoint_ignored:
            text += _("; a checkpoint beside the log was ignored ({reason}), so every line "
                      "was replayed").format(reason=self.checkpoint_ignored)
        return text

    def _banner(self) -> str:
        n = len(self.steps) - 1 if self.steps else 0
        if self.checkpoint_lines and self.status == VERIFIED \
                and self.authenticity.status != NOT_AUTHENTIC:
            text = _("Resumed from a checkpoint at line {line} (the log up to it is byte for "
                     "byte the one checked when it was written); {n} later actions replay "
                     "exactly; `spillover replay --verify` checks every line").format(
                         line=self.checkpoint_lines, n=n)
            return text + self._signed_suffix()
        if self.authenticity.status == NOT_AUTHENTIC:
            text = _("Not authentic: {why}").format(why=self.authenticity.describe())
        elif self.status == VERIFIED and self.ended:
            if self._after_end:
                k = self._after_end
                text = ngettext(
                    "Verified and ended: {actions} to the logged states exactly, up to the end "
                    "record, and {k} debrief entry after it (lines after the end record may be "
                    "missing)",
                    "Verified and ended: {actions} to the logged states exactly, up to the end "
                    "record, and {k} debrief entries after it (lines after the end record may "
                    "be missing)", k).format(actions=_actions(n), k=k)
            else:
                text = _("Verified and ended: {actions} to the logged states exactly, up to "
                         "the end record").format(actions=_actions(n))
        elif self.status == VERIFIED and self.log.torn:
            text = _("Torn tail: {actions} exactly; the last line was cut short ({bytes} "
                     "bytes, a crash?) and dropped").format(actions=_actions(n, complete=True),
                                                           bytes=len(self.log.torn))
            return text + self._signed_suffix()
        elif self.status == VERIFIED:
            text = _("Verified so far: {actions} exactly; not ended, so lines may be missing "
                     "at the end").format(actions=_actions(n))
        elif self.status == SCENARIO_CHANGED:
            what = ", ".join(self.changed[:4]) + ("…" if len(self.changed) > 4 else "")
            text = _("Scenario changed since the session ({what})").format(
                what=what or _("content differs"))
        elif self.status == LOG_EDITED:
            text = _("Log edited: the hash chain breaks at line {line}").format(
                line=self.log.chain_broken_at)
        elif self.status == DIVERGED:
            text = _("Replay diverged: {problem}").format(
                problem=self.problems[-1] if self.problems else "")
        else:
            text = _("Log unreadable: {problem}").format(
                problem=self.problems[0] if self.problems else "")
        if self.log.torn:
            text += " " + _("(a torn last line of {bytes} bytes was dropped)").format(
                bytes=len(self.log.torn))
        return text + self._signed_suffix()

    def _signed_suffix(self) -> str:
        a = self.authenticity
        if a.status == AUTHENTIC:
            return "; " + _("signed: authentic (key {key})").format(key=a.key_id)
        if a.status == KEY_MISSING:
            return "; " + _("signed with key {key}, not on this machine: authenticity not "
                            "checked").format(key=a.key_id)
        return ""


def _replay_line(session: Session, line: dict, i: int) -> str | None:
    """Apply log line `i` to `session`; what went wrong, or None when it replayed to the
    logged state (the same dice, the same chance draws)."""
    try:
        rec = lr.action_from_json(line, i)
        outcome = session.apply_record(rec)
    except SessionError as e:
        return _("line {n} ({action}): no longer applies — {problem}").format(
            n=i, action=line.get('action'), problem=e)
    match rec:
        case lr.Roll(faces=faces) | lr.Argument(faces=faces) if \
                outcome.roll and list(outcome.roll.faces) != faces:
            return _("line {n}: the dice came up {faces}, the log says {logged}").format(
                n=i, faces=list(outcome.roll.faces), logged=faces)
        case lr.NextTurn(draws=draws) if outcome.record.get("draws") != draws:
            return _("line {line}: the chance draws came out {replayed}, the log says "
                     "{logged}").format(line=i, replayed=outcome.record.get("draws"),
                                        logged=draws)
    if outcome.record["state"] != rec.state:
        return _("line {n} ({action}): the state differs from the logged one").format(
            n=i, action=rec.action)
    return None


def _actions(n: int, complete: bool = False) -> str:
    """'1 action replays', '2 actions replay' (the banner's count and verb)."""
    if complete:
        return ngettext("{n} complete action replays", "{n} complete actions replay",
                        n).format(n=n)
    return ngettext("{n} action replays", "{n} actions replay", n).format(n=n)


def changed_items(header: dict, scenario: Scenario) -> list[str]:
    logged = header.get("scenario", {})
    out = []
    # Item hashes are over logic since logs record a logic hash; older ones hashed the text too.
    old_items = logged.get("items", {}) if "logic" in logged else {}
    new_items = scenario.item_hashes if "logic" in logged else {}
    for key in sorted(set(old_items) | set(new_items)):
        if key not in new_items:
            out.append(_("{item} removed").format(item=key))
        elif key not in old_items:
            out.append(_("{item} added").format(item=key))
        elif old_items[key] != new_items[key]:
            out.append(_("{item} changed").format(item=key))
    if not out:
        old_files, new_files = logged.get("files", {}), scenario.file_hashes
        out = [_("file {file} changed").format(file=f)
               for f in sorted(set(old_files) | set(new_files))
               if old_files.get(f) != new_files.get(f)]
    return out


def logged_lang(log_path: str | Path) -> str | None:
    """The text language a session log says it was played in (None: unknown or unreadable)."""
    header = read_log(log_path).header or {}
    lang = (header.get("scenario") or {}).get("lang")
    return lang if isinstance(lang, str) else None


def same_logic(header: dict, scenario: Scenario) -> bool:
    """Whether the log was played on this scenario's logic. Logs record the logic hash (over
    everything but prose, so any language or wording replays); older logs only the hash of
    the files, which must then match exactly."""
    logged = header.get("scenario", {})
    if "logic" in logged:
        return logged["logic"] == scenario.logic_hash
    return logged.get("hash") == scenario.content_hash


def session_for_header(scenario: Scenario, header: dict) -> Session:
    """An unlogged session set up exactly as the header says."""
    env = Env.for_session(scenario, header.get("switched_off", []), int(header.get("seed", 0)))
    # Replay compares states, never the time of an action, so it does not read the clock
    # (the logged records replace the replayed ones at the end).
    session = Session(scenario, env, header, None, clock=_no_clock)
    return session


def _no_clock() -> str:
    return ""


def replay(log_path: str | Path, scenario: Scenario | None = None, *,
           checkpoint: Checkpoint | None = None) -> ReplayReport:
    """Replay a log, every line; with `checkpoint` (resume), from the checkpoint on when it
    holds for this log and scenario (engine.play.checkpoint), else every line and the report
    says why it was ignored."""
    if checkpoint is not None:
        cp = checkpoint
        log = read_log(log_path, lambda data: cp.size if prefix_matches(data, cp) else 0)
    else:
        log = read_log(log_path)
    if log.header is None:
        return ReplayReport(UNREADABLE, log, None, (), tuple(d.format() for d in log.diagnostics))
    damaged = [d.message for d in log.diagnostics if d.severity == "error" and d.code == "SP602"]
    if scenario is None:
        path = str(log.header["scenario"].get("path", ""))
        try:     # in the language the session was played in (the logic is the same in any)
            scenario = load_scenario_in(path, log.header["scenario"].get("lang"))
        except DiagnosticError as e:
            return ReplayReport(UNREADABLE, log, None, (), (
                f"the session's scenario {path} cannot be loaded:",
                *(d.format() for d in e.diagnostics)))
    logged_id = log.header["scenario"]["id"]
    if logged_id != scenario.id:
        return ReplayReport(UNREADABLE, log, scenario, (), (
            _("the log is of scenario '{logged}', not '{given}'").format(logged=logged_id,
                                                                         given=scenario.id),))
    problems: list[str] = []
    changed: list[str] = []
    if not same_logic(log.header, scenario):
        changed = changed_items(log.header, scenario)
        problems.append(_("the scenario differs from the one recorded: {what}").format(
            what=", ".join(changed) or _("content differs")))
    try:
        session = session_for_header(scenario, log.header)
    except (KeyError, ValueError, TypeError) as e:
        return ReplayReport(UNREADABLE, log, scenario, (),
                            (_("the header is malformed ({problem})").format(problem=e),))
    env = session.env
    base, ignored = 0, ""           # actions taken from the checkpoint; why it was not used
    covered = 0                     # lines taken from the checkpoint
    if checkpoint is not None:
        try:
            if log.trusted_lines != checkpoint.lines:
                raise CheckpointIgnored(_("it is stale: the log is not the one it was made of"))
            records = records_of(log.header, log.actions)
            session.restore(restore(checkpoint, records, env, UNDOABLE), records)
            base, covered = checkpoint.lines - 1, checkpoint.lines
        except (CheckpointIgnored, LogDamaged) as e:   # a line it vouched for is no record
            ignored = str(e)
            if log.trusted_lines:       # check the chain of the lines it covered after all
                return attrs.evolve(replay(log_path, scenario), checkpoint_ignored=ignored)
    steps = [Step(base + 1, log.header if not base else log.actions[base - 1], session.state,
                  env)]
    diverged = False
    if not base and log.header.get("state") not in (None, session.state_hash):
        problems.append(_("line 1: the initial state differs from the logged one"))
        diverged = True
    limit = (log.chain_broken_at - 2) if log.chain_broken_at else len(log.actions)
    for i, rec in enumerate(log.actions[base:max(limit, 0)] if not diverged else (),
                            start=base + 2):
        problem = _replay_line(session, rec, i)
        if problem:
            problems.append(problem)
            diverged = True
            break
        steps.append(Step(i, rec, session.state, env))
    session.records = records_of(log.header, log.actions[:base + len(steps) - 1])
    if log.chain_broken_at:
        status = LOG_EDITED
        problems.insert(0, damaged[0] if damaged else
                        f"the hash chain breaks at line {log.chain_broken_at}")
    elif changed:
        status = SCENARIO_CHANGED
    elif diverged:
        status = DIVERGED
    else:
        status = VERIFIED
    authenticity = check_authenticity(log.header, records_of(log.header, log.actions))
    return ReplayReport(status, log, scenario, tuple(steps), tuple(problems), tuple(changed),
                        session, authenticity, covered, ignored)


def resume(log_path: str | Path, scenario: Scenario | None = None) -> tuple[Session, ReplayReport]:
    """Continue a logged session: replay it, then append new actions to the same log.

    The log's lock is taken before it is read and held by the session's writer, so no other
    program can append to it in between (LogLockedError names the holder)."""
    lock = LogLock(log_path).acquire()
    try:
        return _resume_locked(log_path, scenario, lock)
    except BaseException:
        lock.release()
        raise


def _resume_locked(log_path, scenario, lock) -> tuple[Session, ReplayReport]:
    try:
        checkpoint, ignored = read_checkpoint(log_path), ""
    except CheckpointIgnored as e:
        checkpoint, ignored = None, str(e)
    report = replay(log_path, scenario, checkpoint=checkpoint)
    if ignored:
        report = attrs.evolve(report, checkpoint_ignored=ignored)
    if report.session is None or report.status == UNREADABLE:
        raise SessionError(_("cannot resume: {problems}").format(
            problems="; ".join(report.problems)))
    if report.status in (LOG_EDITED, DIVERGED):
        raise SessionError(_("cannot resume: {why}. Fork a new session from an earlier action "
                             "instead (spillover fork).").format(why=report.banner()))
    replayed = max(report.checkpoint_lines - 1, 0) + len(report.steps) - 1
    if replayed != len(report.log.actions):
        raise SessionError(_("cannot resume: not every logged action replays ({n} of "
                             "{total})").format(n=replayed, total=len(report.log.actions)))
    signer = None
    if report.authenticity.status == NOT_AUTHENTIC:
        raise SessionError(_("cannot resume: {why}. Fork a new session from an earlier action "
                             "instead (spillover fork).").format(
            why=report.authenticity.describe()))
    if report.authenticity.status == KEY_MISSING:
        raise SessionError(_("cannot resume: {why}; resume it where its key is, so that the "
                             "rest of it is signed too").format(
            why=report.authenticity.describe()))
    if report.authenticity.status == AUTHENTIC:
        assert report.authenticity.key_id is not None   # an authentic log names its key
        signer = load_key(report.authenticity.key_id)
    session = report.session
    session.clock = utc_now       # replay read no clock; the actions from now on are timed
    try:
        set_aside_torn_tail(Path(log_path), report.log)
    except OSError as e:
        raise SessionError(_("cannot resume: the torn last line cannot be set aside ({reason}); "
                             "nothing was changed").format(reason=e.strerror or e)) from None
    header = report.log.header
    assert header is not None                 # a log that replays has its header
    last = (report.log.actions[-1] if report.log.actions else header)["hash"]
    session.writer = LogWriter(Path(log_path), last, lock=lock, signer=signer)
    if len(report.steps) > CHECKPOINT_EVERY:     # replayed many lines: spare the next resume
        session.save_checkpoint()
    if session.state.ended:
        end = next((lr.from_json(r) for r in reversed(report.log.actions)
                    if lr.kind(r) is lr.End), None)
        session.hotwash = end.hotwash if isinstance(end, lr.End) else ""
    return session, report

def unreadable_reason(rep: ReplayReport) -> str:
    """Why a log cannot be used, in one line (the diagnostics' messages, without placeholder
    locations, when it has no header)."""
    if rep.log.header is not None:
        return "; ".join(" ".join(p.split()) for p in rep.problems) or _("cannot be replayed")
    if rep.log.diagnostics:
        return "; ".join(d.message for d in rep.log.diagnostics if d.severity == "error") \
            or rep.log.diagnostics[0].message
    return "; ".join(rep.problems) or _("not a session log")

