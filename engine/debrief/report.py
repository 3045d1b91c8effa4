"""The after-action report (AAR) of one session: its content, rendered by `report_render`.

Laid out the way exercise planners expect an HSEEP-style AAR: the verification of the log
first, then the exercise overview, a timeline by turn of every logged action, the signposts
that fired, the final state against the baseline, the hotwash, and the sources behind every
branch played.

Everything shown about the game (states, dice, modifiers, signposts) is recomputed by replaying
the log against the scenario (`engine.play.replay`); the log's own values are used only for actions
the replay could not reach, and then they are marked as not confirmed. A log that does not
verify (edited, a changed scenario, a replay that diverges) still gets a report: it is flagged
at the top.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import attrs

from engine.debrief.aar import (
    Amendment,
    Debrief,
    build_debrief,
    local_time,
    show_field,
    zone_of,
)
from engine.debrief.cells import CellMoves, by_cell, cell_moves
from engine.debrief.charts import Series, state_series
from engine.i18n import _, ngettext
from engine.lang.text import render
from engine.model import Scenario, from_json_value
from engine.play import records as lr
from engine.play import rules
from engine.play.clock import turn_times
from engine.play.dice import Roll
from engine.play.hotwash import KINDS, RATINGS
from engine.play.log import read_log
from engine.play.replay import VERIFIED, ReplayReport, Step, replay, unreadable_reason
from engine.play.rules import RuleError
from engine.play.session import band_label
from engine.play.views import readable_value


class ReportError(Exception):
    """The log cannot be reported on at all (missing, empty, not a session log)."""


# ---------------------------------------------------------------------------- undo bookkeeping

def undone_map(actions: Iterable[dict]) -> dict[int, int]:
    """{action n undone: n of the undo that undid it}."""
    out: dict[int, int] = {}
    for rec in actions:
        if lr.kind(rec) is lr.Undo and isinstance(rec.get("undoes"), int):
            out[rec["undoes"]] = int(rec.get("n", 0))
    return out


def effective_actions(actions: Iterable[dict]) -> list[dict]:
    """The actions that still count: undos, and the actions they undid, are dropped."""
    actions = list(actions)
    undone = undone_map(actions)
    return [r for r in actions if lr.kind(r) is not lr.Undo and r.get("n") not in undone]


def amended_rationales(actions: Iterable[dict]) -> dict[Any, Any]:
    """{action n: its rationale as last amended} (the original stays in the log)."""
    return {r.get("amends"): r.get("value") for r in actions
            if lr.kind(r) is lr.Amend and r.get("field") == "rationale"}


def actions_by_n(actions: Iterable[dict]) -> dict[Any, dict]:
    """{n: the first logged action with that number}: one lookup per reference (an undo's,
    an observation's, an amendment's) instead of a scan of the log for each."""
    out: dict[Any, dict] = {}
    for rec in actions:
        n = rec.get("n")
        if isinstance(n, int) and not isinstance(n, bool):
            out.setdefault(n, rec)
    return out



# ---------------------------------------------------------------------------- data

@attrs.frozen
class Detail:
    label: str
    text: str


@attrs.frozen
class TimelineEntry:
    n: int                         # action number (log line n + 1)
    action: str                    # choose, roll, decide, release, override, note, undo, …
    kind: str                      # "Decision", "Roll", … for the reader
    title: str                     # one line
    at: str = ""                   # when it was logged
    details: tuple[Detail, ...] = ()
    undone_by: int | None = None   # the undo action that took it back
    confirmed: bool = True         # the replay reached this action and agreed with the log
    inherited: bool = False        # kept from the parent session (forks)
    amendments: tuple[Amendment, ...] = ()   # later actions that amended this one

    @property
    def line(self) -> int:
        return self.n + 1

    @property
    def undone(self) -> bool:
        return self.undone_by is not None


@attrs.frozen
class TurnSection:
    turn: int
    label: str
    date: str
    entries: tuple[TimelineEntry, ...]
    continued: bool = False        # the same turn again, after an undone turn change


@attrs.frozen
class VariableRow:
    id: str
    label: str
    baseline: str
    final: str

    @property
    def changed(self) -> bool:
        return self.baseline != self.final


@attrs.frozen
class SignpostRow:
    id: str
    text: str
    turn: int
    turn_label: str


@attrs.frozen
class CitedSource:
    id: str
    kind: str
    issuer: str
    title: str
    footnotes: tuple[int, ...]
    url: str = ""
    published: str = ""
    details: str = ""

    @property
    def footnote_text(self) -> str:
        if not self.footnotes:
            return ""
        return _("fn. {numbers}").format(numbers=", ".join(map(str, self.footnotes)))


@attrs.frozen
class CitedEvent:
    id: str
    date: str
    title: str
    cited_by: tuple[str, ...]          # titles of the played branches / released injects
    sources: tuple[CitedSource, ...]   # ordered by footnote
    switched_off: bool = False


@attrs.frozen
class ForkInfo:
    parent_log: str
    at: int
    parent_group: str
    parent_found: bool
    parent_matches: bool | None        # the parent's header hash is the one recorded
    parent_next: str | None            # what the parent did after action `at`
    this_next: str | None              # what this session did after action `at`


@attrs.frozen
class AfterActionReport:
    log_path: str
    status: str
    banner: str
    verified: bool
    problems: tuple[str, ...]
    scenario_id: str
    scenario_title: str
    scenario_path: str
    scenario_hash: str
    group: str
    started: str
    last_at: str
    ended: bool
    seed: Any
    engine: str
    switched_off: tuple[tuple[str, str, str], ...]     # (event id, date, title)
    actions: int                                        # logged actions
    confirmed: int                                      # actions the replay reached
    turn_reached: str
    fork: ForkInfo | None
    timeline: tuple[TurnSection, ...]
    signposts: tuple[SignpostRow, ...]
    final_state: tuple[VariableRow, ...]
    hotwash: str | None
    events: tuple[CitedEvent, ...]
    sources: tuple[CitedSource, ...]                    # the bibliography, deduplicated
    ending: str = ""                                    # a scenario ending, in words
    purpose: str = ""
    scope: str = ""
    debrief: Debrief | None = None                      # objectives, observations, plan
    series: tuple[Series, ...] = ()                     # each variable over the turns
    last_turn: int = 0                                  # the x axis of the charts
    turn_labels: tuple[str, ...] = ()
    zone: str = "UTC"                                   # the session's local time zone
    started_local: str = ""
    last_local: str = ""
    tz: Any = attrs.field(default=None, eq=False, repr=False)
    turn_times: tuple[tuple[int, str, str], ...] = ()   # (turn, began, ended '' if open)
    cells: tuple[CellMoves, ...] = ()                   # each cell's moves and arguments

    def time(self, at: str) -> str:
        """A logged time in the session's zone: the time only on the day the session began."""
        if not at or self.tz is None:
            return at
        full = local_time(at, self.tz)
        return full[11:] if full[:10] == self.started_local[:10] else full

    @property
    def entries(self) -> list[TimelineEntry]:
        return [e for s in self.timeline for e in s.entries]


# ---------------------------------------------------------------------------- helpers

class _Names:
    """Titles and labels from the scenario, falling back to ids when it cannot say."""

    def __init__(self, scenario: Scenario | None):
        self.sc = scenario

    def branch(self, bid: Any) -> str:
        b = self.sc.branches.get(bid) if self.sc else None
        return b.title if b else str(bid)

    def option(self, bid: Any, oid: Any) -> str:
        b = self.sc.branches.get(bid) if self.sc else None
        o = b.option(oid) if b else None
        return o.label if o else str(oid)

    def option_obj(self, bid: Any, oid: Any):
        b = self.sc.branches.get(bid) if self.sc else None
        return b.option(oid) if b else None

    def inject(self, iid: Any):
        return self.sc.injects.get(iid) if self.sc else None

    def variable(self, vid: Any):
        return self.sc.variable(vid) if self.sc else None

    def turn(self, index: int) -> tuple[str, str]:
        if self.sc and 0 <= index < len(self.sc.turns):
            t = self.sc.turns[index]
            return t.label, t.date
        return _("Turn {n}").format(n=index), ""

    def signpost_texts(self) -> dict[str, str]:
        return self.sc.signpost_texts() if self.sc else {}

    def objective(self, oid: Any) -> str:
        if not oid:
            return _("General (not tied to an objective)")
        obj = self.sc.objective(str(oid)) if self.sc else None
        return obj.text if obj else str(oid)

    def value(self, var, value: Any) -> str:
        return readable_value(var, value, self.sc.actors if self.sc else None)


def _int(value: Any, default: int = 0) -> int:
    """A logged number, or `default` when a damaged line holds something else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _json_show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "{" + ", ".join(map(str, value)) + "}"
    return "—" if value is None else str(value)


def _signed(v: int) -> str:
    return f"+{v}" if v >= 0 else f"−{abs(v)}"


def summarize(rec: Mapping[str, Any] | lr.AnyRecord, scenario: Scenario | None) -> str:
    """One line for a logged action, with titles from the scenario."""
    typed = lr.as_record(rec)
    if typed is None:
        return str(cast(Mapping[str, Any], rec).get("action"))
    rec = typed
    names = _Names(scenario)
    match rec:
        case lr.Choose(branch=bid, option=oid):
            return _("chose '{option}' in '{branch}'").format(
                option=names.option(bid, oid), branch=names.branch(bid))
        case lr.Roll(band=band) if band is not None:    # a graded roll: the band it fell in
            return _("rolled {dice} ({faces}) for '{branch}': {total}, {result}").format(
                dice=rec.dice, faces=" + ".join(map(str, _list(rec.faces))),
                branch=names.branch(rec.branch), total=rec.total,
                result=band_label(scenario, rec))
        case lr.Roll():
            text = (_("rolled {dice} ({faces}) for '{branch}': {total} vs {target}, success")
                    if rec.success else
                    _("rolled {dice} ({faces}) for '{branch}': {total} vs {target}, failure"))
            return text.format(dice=rec.dice, faces=" + ".join(map(str, _list(rec.faces))),
                               branch=names.branch(rec.branch), total=rec.total,
                               target=rec.target)
        case lr.Decide(band=band) if band is not None:
            return _("facilitator decided {result} for '{branch}'").format(
                result=band_label(scenario, rec), branch=names.branch(rec.branch))
        case lr.Decide(success=success, branch=bid):
            return (_("facilitator decided success for '{branch}'") if success
                    else _("facilitator decided failure for '{branch}'")).format(
                branch=names.branch(bid))
        case lr.Release(inject=iid):
            inj = names.inject(iid)
            return _("released inject '{inject}'").format(inject=inj.title if inj else iid)
        case lr.Override(variable=vid, value=value):
            return _summarize_override(names, vid, value)
        case lr.Note(text=text):
            return _("note: {text}").format(text=text)
        case lr.Argument():
            who = _cell_name(names, rec.cell) if rec.cell else _("the group")
            return (_("argument by {who} ({strength}): {argument} — success") if rec.success
                    else _("argument by {who} ({strength}): {argument} — failure")).format(
                who=who, strength=rec.strength, argument=rec.argument)
        case lr.Undo(undoes=undoes):
            return _("undo of action {n}").format(n=undoes)
        case lr.NextTurn(turn=turn):
            return _("moved to turn {turn} ({label})").format(
                turn=turn, label=names.turn(_int(turn))[0])
        case lr.End():
            return _("ended the session")
        case lr.Observe(text=text):
            return _("observation: {text}").format(text=text)
        case lr.Hotwash(objective=objective):
            return _("hotwash entry for '{objective}'").format(
                objective=names.objective(objective))
        case lr.Amend(amends=amends, field=field):
            return _("amendment of action {n} ({field})").format(n=amends, field=field)
    return str(getattr(rec, "action", None))


def _summarize_override(names: _Names, vid: Any, value: Any) -> str:
    var = names.variable(vid)
    if var is None:
        return _("override {variable} = {value}").format(variable=vid, value=_json_show(value))
    try:
        shown = names.value(var, from_json_value(var.type, value))
    except (TypeError, ValueError, KeyError, IndexError):
        shown = _json_show(value)
    return _("set {variable} to {value} by hand").format(variable=var.label or var.id,
                                                         value=shown)


# ---------------------------------------------------------------------------- building

def after_action_report(log_path: str | Path,
                        scenario: Scenario | None = None) -> AfterActionReport:
    """Replay a session log and gather everything its after-action report shows.

    Raises ReportError only when the file is not a readable session log at all; an edited
    log, a changed scenario or a replay that diverges still gives a (flagged) report.
    """
    rep = replay(log_path, scenario)
    log = rep.log
    if log.header is None:
        raise ReportError(_("cannot report on {path}: {reason}").format(
            path=log_path, reason=unreadable_reason(rep)))
    header = log.header
    sc = rep.scenario
    if sc is not None and header["scenario"]["id"] != sc.id:
        raise ReportError(_("cannot report on {path}: {reason}").format(
            path=log_path, reason=unreadable_reason(rep)))
    names = _Names(sc)
    actions = list(log.actions)
    steps = list(rep.steps)
    confirmed = max(len(steps) - 1, 0)
    undone = undone_map(actions)
    by_n = actions_by_n(actions)

    problems = list(rep.problems)
    for d in log.diagnostics:
        if d.code == "SP603" and log.chain_broken_at:
            continue            # replay's own problem line already says where the chain breaks
        text = " ".join(d.format().split())
        if text not in problems and not any(text.endswith(p) for p in problems):
            problems.append(text)
    verified = rep.verified and log.ok         # not when a signed log is not authentic
    banner = rep.banner()
    if sc is None:
        path = (header.get("scenario") or {}).get("path", "")
        banner = _("Scenario not loaded: {path} cannot be loaded, so nothing could be "
                   "replayed; the log is shown as recorded (use --scenario if the file "
                   "moved)").format(path=path)
    elif rep.status == VERIFIED and not log.ok:
        banner = _("Log damaged: {problems}").format(problems="; ".join(
            d.message for d in log.diagnostics if d.severity == "error"))
    if confirmed < len(actions):
        problems.append(ngettext(
            "only {n} of {total} logged action replays; the rest are shown as logged and "
            "marked 'not confirmed'",
            "only {n} of {total} logged actions replay; the rest are shown as logged and "
            "marked 'not confirmed'", len(actions)).format(n=confirmed, total=len(actions)))
    if sc is None and rep.status != VERIFIED:
        problems.append(_("the scenario could not be loaded: titles, states and sources are "
                          "missing"))

    fork = _fork_info(header, actions, sc, log_path)
    inherited_upto = fork.at if fork else 0

    entries: list[tuple[int, TimelineEntry]] = []       # (turn it sits under, entry)
    prev_turn = 0
    for i, rec in enumerate(actions, start=1):
        before = steps[i - 1] if i - 1 < len(steps) else None
        after = steps[i] if i < len(steps) else None
        try:
            entry = _entry(i, rec, EntryContext(before, after, rep, names, by_n),
                           undone.get(rec.get("n", i)), inherited=i <= inherited_upto)
        except (TypeError, ValueError, KeyError, AttributeError, lr.RecordError):
            # A damaged line past the point where replay stopped: show it, do not fail.
            entry = TimelineEntry(i, str(rec.get("action", "?")), _("Unreadable record"),
                                  _("this logged line could not be read"),
                                  details=(Detail(_("As logged"), json.dumps(rec)[:300]),),
                                  confirmed=False)
        if lr.kind(rec) is lr.Undo:
            turn = prev_turn          # where the facilitator was when undoing
        else:
            turn = after.state.turn if after else _int(rec.get("turn"), prev_turn)
        entries.append((turn, entry))
        prev_turn = after.state.turn if after else _int(rec.get("turn"), turn)

    timeline = _sections(entries, names)

    # signposts and final state: from the last replayed state
    signposts: list[SignpostRow] = []
    final_rows: list[VariableRow] = []
    if steps and sc is not None:
        texts = names.signpost_texts()
        last = steps[-1].state
        for sid, turn in last.fired:
            signposts.append(SignpostRow(sid, texts.get(sid, sid), turn, names.turn(turn)[0]))
        base = steps[0].state
        for v in sc.variables:
            final_rows.append(VariableRow(v.id, v.label or v.id,
                                          names.value(v, base.values[v.index]),
                                          names.value(v, last.values[v.index])))

    effective = effective_actions(actions)
    debrief = build_debrief(actions, sc, lambda r: summarize(r, sc))
    amended: dict[int, list[Amendment]] = {}
    for am in debrief.amendments:
        amended.setdefault(am.target, []).append(am)
    timeline = tuple(attrs.evolve(sec, entries=tuple(
        attrs.evolve(e, amendments=tuple(amended.get(e.n, ()))) if e.n in amended else e
        for e in sec.entries)) for sec in timeline)
    end_rec = next((r for r in reversed(effective) if lr.kind(r) is lr.End), None)
    hotwash = None
    if end_rec is not None:
        hotwash = str(end_rec.get("hotwash", "") or "")
        for am in amended.get(_int(end_rec.get("n")), ()):
            if am.field == "hotwash":
                hotwash = str(am.value)
    series, last_turn = state_series(steps, sc, names.value) if sc is not None else ((), 0)
    tz, zone = zone_of(header)
    started = str(header.get("started", ""))
    ended = steps[-1].state.ended if steps else any(lr.kind(r) is lr.End for r in effective)
    events, sources = _bibliography(effective, sc, header)

    off = []
    for eid in header.get("switched_off", []) or []:
        ev = sc.events.get(eid) if sc else None
        off.append((eid, ev.date if ev else "", ev.title if ev else eid))
    reached = steps[-1].state.turn if steps else int((actions[-1] if actions else header)
                                                      .get("turn", 0) or 0)
    label, date = names.turn(reached)
    logged_sc = header.get("scenario", {}) or {}
    return AfterActionReport(
        log_path=str(log_path),
        status=rep.status if log.ok or rep.status != VERIFIED else "log damaged",
        banner=banner, verified=verified, problems=tuple(problems),
        scenario_id=str(logged_sc.get("id", sc.id if sc else "")),
        scenario_title=sc.title if sc else str(logged_sc.get("title", logged_sc.get("id", ""))),
        scenario_path=str(logged_sc.get("path", "")), scenario_hash=str(logged_sc.get("hash", "")),
        group=str(header.get("group", "")), started=str(header.get("started", "")),
        last_at=str((actions[-1] if actions else header).get("at", header.get("started", ""))),
        ended=bool(ended), seed=header.get("seed"), engine=str(header.get("engine", "")),
        switched_off=tuple(off), actions=len(actions), confirmed=confirmed,
        turn_reached=f"{reached}: {label}" + (f" ({date})" if date else ""),
        fork=fork, timeline=timeline, signposts=tuple(signposts), final_state=tuple(final_rows),
        hotwash=hotwash, events=events, sources=sources,
        purpose=sc.purpose if sc else "", scope=sc.scope if sc else "", debrief=debrief,
        series=series, last_turn=last_turn,
        turn_labels=tuple(t.label for t in sc.turns) if sc else (), zone=zone,
        started_local=local_time(started, tz) if started else "",
        last_local=local_time(str((actions[-1] if actions else header).get("at", started)), tz),
        tz=tz, ending=_ending_text(steps, rep), turn_times=tuple(turn_times(header, actions)),
        cells=_cells(steps, sc))


def _cells(steps, sc: Scenario | None) -> tuple[CellMoves, ...]:
    """Each cell's effective moves and arguments, as far as the log replays; empty for a
    scenario without cells where nobody argued (the timeline says it all)."""
    confirmed = [s.record for s in steps[1:]]
    turns = {s.record.get("n"): s.state.turn for s in steps[1:]}
    amended = amended_rationales(confirmed)
    moves = cell_moves(effective_actions(confirmed), turns, sc, amended)
    if not (sc is not None and sc.cells) and not any(m.kind == "argument" for m in moves):
        return ()
    return by_cell(moves, sc)


def _sections(entries: list[tuple[int, TimelineEntry]], names: _Names) -> tuple[TurnSection, ...]:
    sections: list[TurnSection] = []
    seen: set[int] = set()
    cur: list[TimelineEntry] = []
    cur_turn: int | None = None

    def flush():
        if cur_turn is not None:
            label, date = names.turn(cur_turn)
            sections.append(TurnSection(cur_turn, label, date, tuple(cur), cur_turn in seen))
            seen.add(cur_turn)

    for turn, entry in entries:
        if cur_turn is None or turn != cur_turn or entry.action == "next_turn":
            if cur_turn is not None or cur:
                flush()
            cur, cur_turn = [], turn
        cur.append(entry)
    flush()
    return tuple(sections)


def _state_changes(before: Step | None, after: Step | None, sc: Scenario | None
                   ) -> list[Detail]:
    out: list[Detail] = []
    if before is None or after is None or sc is None:
        return out
    for v in sc.variables:
        old, new = before.state.values[v.index], after.state.values[v.index]
        if old != new:
            out.append(Detail(_("State"), f"{v.label or v.id}: "
                              f"{readable_value(v, old, sc.actors)} → "
                              f"{readable_value(v, new, sc.actors)}"))
    texts = _Names(sc).signpost_texts()
    known = {sid for sid, _ in before.state.fired}
    for sid, _turn in after.state.fired:
        if sid not in known:
            out.append(Detail(_("Signpost fired"), texts.get(sid, sid)))
    return out


def _ending_text(steps, rep: ReplayReport) -> str:
    """The scenario ending (format 2) that ended the replayed session, with its narrative."""
    if not steps or rep.session is None or not steps[-1].state.ending:
        return ""
    state = steps[-1].state
    ending = next((e for e in rep.session.scenario.endings if e.id == state.ending), None)
    if ending is None:
        return state.ending
    narrative = render(ending.narrative, state, rep.session.env)
    return ending.title + (f": {narrative}" if narrative else "")


def _text(text: str, after, rep: ReplayReport) -> str:
    """A narrative with its {placeholders} filled in from the state after the action."""
    if after is None or rep.session is None:
        return text
    return render(text, after.state, rep.session.env)


def _band(names: _Names, bid, band_id: str):
    b = names.sc.branches.get(bid) if names.sc else None
    return b.adjudication.band(band_id) if b is not None and b.adjudication else None


def _outcome_narrative(names: _Names, bid, oid, success: bool | str, after=None,
                       rep: ReplayReport | None = None) -> list[Detail]:
    opt = names.option_obj(bid, oid)
    outcome = opt.outcome(success) if opt else None
    if outcome and outcome.narrative:
        return [Detail(_("Outcome"), _text(outcome.narrative.strip(), after, rep)
                       if rep is not None else outcome.narrative.strip())]
    return []


@attrs.frozen
class EntryContext:
    """What a timeline entry is made with besides its record: the replayed steps before and
    after it (None where the replay did not reach), the replay, the names, and the logged
    actions by number (for the actions an undo, observation or amendment points at)."""

    before: Step | None
    after: Step | None
    rep: ReplayReport
    names: _Names
    by_n: dict[Any, dict]

    def text(self, text: str) -> str:
        return _text(text, self.after, self.rep)

    def outcome(self, bid: Any, oid: Any, success: bool | str) -> list[Detail]:
        return _outcome_narrative(self.names, bid, oid, success, self.after, self.rep)


EntryParts = tuple[str, str, list[Detail]]      # the entry's kind, title and details


def _entry(n: int, rec: dict, c: EntryContext, undone_by: int | None,
           inherited: bool) -> TimelineEntry:
    """The timeline entry of logged action `n` (RecordError for a line that is no record)."""
    record = lr.action_from_json(rec, n + 1)
    kind, title, details = _entry_parts(record, c)
    changes = _state_changes(c.before, c.after, c.names.sc)
    if isinstance(record, lr.Override):     # the title already says old → new
        var = c.names.variable(record.variable)
        label = (var.label or var.id) if var else None
        changes = [ch for ch in changes if not (ch.label == _("State") and label
                                                and ch.text.startswith(label + ":"))]
    return TimelineEntry(n=n, action=record.action, kind=kind, title=title,
                         at=str(record.at), details=tuple(details + changes),
                         undone_by=undone_by, confirmed=c.after is not None,
                         inherited=inherited)


def _entry_parts(rec: lr.Record, c: EntryContext) -> EntryParts:
    match rec:
        case lr.Choose():
            return _choose_entry(rec, c)
        case lr.Roll():
            return _roll_entry(rec, c)
        case lr.Decide():
            return _decide_entry(rec, c)
        case lr.Release():
            return _release_entry(rec, c)
        case lr.Override():
            return _override_entry(rec, c)
        case lr.Seal():
            return _seal_entry(rec, c)
        case lr.Reveal(seals=seals):
            count = len(_list(seals))
            return _("Reveal"), ngettext("{n} sealed move revealed",
                                         "{n} sealed moves revealed together",
                                         count).format(n=count), []
        case lr.Argument():
            return _argument_entry(rec, c)
        case lr.Note(text=text):
            return _("Note"), str(text), []
        case lr.Undo():
            return _undo_entry(rec, c)
        case lr.NextTurn():
            return _turn_entry(rec, c)
        case lr.End():
            return _end_entry(rec)
        case lr.Observe():
            return _observe_entry(rec, c)
        case lr.Hotwash():
            return _hotwash_entry(rec, c)
        case lr.Amend():
            return _amend_entry(rec, c)
    return _("Action"), rec.action, []


def _move_title(names: _Names, bid: Any, oid: Any) -> str:
    return f"{names.branch(bid)} — {names.option(bid, oid)}"


def _rationale(text: Any) -> Detail:
    return Detail(_("Rationale"), text or _("(none recorded)"))


def _choose_entry(rec: lr.Choose, c: EntryContext) -> EntryParts:
    names, sc = c.names, c.names.sc
    d: list[Detail] = []
    b = sc.branches.get(rec.branch) if sc else None
    if sc and b and b.actor:
        d.append(Detail(_("Actor"), sc.actors.get(b.actor, b.actor)))
    if rec.cell:
        d.append(Detail(_("Cell"), _cell_name(names, rec.cell)))
    if rec.sealed is not None:
        d.append(Detail(_("Sealed"), _("sealed as action {n}, made when revealed").format(
            n=rec.sealed)))
    d.append(_rationale(rec.rationale))
    opt = names.option_obj(rec.branch, rec.option)
    if opt and opt.narrative:
        d.append(Detail(_("Narrative"), c.text(opt.narrative.strip())))
    if opt and opt.contested:
        d.append(Detail(_("Adjudication"), _("contested: to be rolled or decided")))
    return _("Decision"), _move_title(names, rec.branch, rec.option), d


def _replayed_roll(c: EntryContext) -> Roll | None:
    """The roll as the replay makes it again from the state before it (None when the
    replay did not reach it)."""
    if c.after is None or c.before is None or c.rep.session is None:
        return None
    try:
        return rules.roll(c.before.state, c.rep.session.env)[1]
    except (RuleError, KeyError, AttributeError):
        return None


def _roll_entry(rec: lr.Roll, c: EntryContext) -> EntryParts:
    roll = _replayed_roll(c)
    success: bool | str
    target: int | None
    mods: list[list[Any]]
    if roll is not None:
        faces, mods = list(roll.faces), [list(m) for m in roll.modifiers]
        total, target, success, dice = roll.total, roll.target, roll.result, roll.dice
        opposed: list[int] | tuple[int, ...] | None = roll.against
    else:
        faces, mods = _list(rec.faces), _list(rec.modifiers)
        total, target, dice = rec.total, rec.target, rec.dice
        success = str(rec.band) if rec.band is not None else bool(rec.success)
        opposed = rec.against
    d = [Detail(_("Dice"), f"{dice}: " + " + ".join(map(str, faces))
                + f" = {sum(int(f) for f in faces)}")]
    d += [Detail(_("Modifier"), f"{label}: {_signed(int(value))}") for label, value in mods]
    if not mods:
        d.append(Detail(_("Modifier"), _("none applied")))
    if opposed and not isinstance(success, str):     # an opposed roll: both pools
        d.append(_opposed_detail(c.names, rec, opposed, target))
    d.append(_roll_result(c.names, rec.branch, success, total, target))
    if roll is not None and (list(roll.faces) != rec.faces or roll.total != rec.total
                             or [v for _label, v in roll.modifiers]
                             != [m[1] for m in _list(rec.modifiers) if len(m) == 2]):
        # (labels are text: a session run in another language logged them translated)
        d.append(Detail(_("Log says"), describe_logged_roll(rec)))
    d += c.outcome(rec.branch, rec.option, success)
    return _("Roll"), _move_title(c.names, rec.branch, rec.option), d


def _opposed_detail(names: _Names, rec: lr.Roll, opposed: Iterable[int],
                    target: Any) -> Detail:
    branch = names.sc.branches.get(rec.branch) if names.sc else None
    who = branch.adjudication.against_label if branch and branch.adjudication else ""
    pool = f"{rec.against_dice}: " + " + ".join(map(str, opposed))
    return Detail(_("Opposed by"), (f"{who}: " if who else "") + f"{pool} = {target}")


def _roll_result(names: _Names, bid: Any, success: bool | str, total: Any,
                 target: Any) -> Detail:
    if isinstance(success, str):            # a graded roll: the band, and its totals
        band = _band(names, bid, success)
        return Detail(_("Result"), _("total {total} → {result} ({totals})").format(
            total=total, result=band.label if band else success,
            totals=band.totals_text() if band else "?"))
    return Detail(_("Result"), (_("total {total} vs target {target} → success") if success
                                else _("total {total} vs target {target} → failure")
                                ).format(total=total, target=target))


def _decide_entry(rec: lr.Decide, c: EntryContext) -> EntryParts:
    names = c.names
    success = str(rec.band) if rec.band is not None else bool(rec.success)
    if isinstance(success, str):
        title = f"{_move_title(names, rec.branch, rec.option)}: {band_label(names.sc, rec)}"
    else:
        title = (_("{branch} — {option}: success") if success
                 else _("{branch} — {option}: failure")).format(
            branch=names.branch(rec.branch), option=names.option(rec.branch, rec.option))
    return (_("Facilitator decision"), title,
            [_rationale(rec.rationale), *c.outcome(rec.branch, rec.option, success)])


def _release_entry(rec: lr.Release, c: EntryContext) -> EntryParts:
    inj = c.names.inject(rec.inject)
    title = _("{inject} (released on demand)").format(
        inject=inj.title if inj else str(rec.inject))
    d: list[Detail] = []
    if inj and inj.narrative:
        d.append(Detail(_("Narrative"), c.text(inj.narrative.strip())))
    if inj and inj.turn is not None:
        d.append(Detail(_("Scheduled"), _("for turn {turn}; its condition did not hold then, "
                                          "so the facilitator released it by hand").format(
            turn=inj.turn)))
    d.append(_rationale(rec.rationale))
    return _("Inject"), title, d


def _override_entry(rec: lr.Override, c: EntryContext) -> EntryParts:
    names = c.names
    var = names.variable(rec.variable)
    new = _json_show(rec.value)
    old = None
    if c.before is not None and var is not None:
        old = names.value(var, c.before.state.values[var.index])
        if c.after is not None:
            new = names.value(var, c.after.state.values[var.index])
    label = (var.label or var.id) if var else str(rec.variable)
    title = f"{label}: {old} → {new}" if old is not None else f"{label} → {new}"
    return _("Override"), title, [_rationale(rec.rationale)]


def _seal_entry(rec: lr.Seal, c: EntryContext) -> EntryParts:
    title = f"{_cell_name(c.names, rec.cell)}: {_move_title(c.names, rec.branch, rec.option)}"
    return _("Sealed move"), title, [
        _rationale(rec.rationale),
        Detail(_("Sealed"), _("hidden from the room until revealed, then made in the cells' "
                              "order"))]


def _argument_entry(rec: lr.Argument, c: EntryContext) -> EntryParts:
    who = _cell_name(c.names, rec.cell) if rec.cell else _("the group")
    d = [Detail(_("Counter-argument"), str(counter)) for counter in _list(rec.counters)]
    d.append(Detail(_("Strength"), f"{rec.strength} ({rec.dice} ≥ {rec.target})"))
    d.append(Detail(_("Dice"), f"{rec.dice}: " + " + ".join(map(str, _list(rec.faces)))
                    + f" = {rec.total}"))
    d.append(Detail(_("Result"), _("success: its effects follow as overrides") if rec.success
                    else _("failure")))
    return _("Argument"), f"{who}: {rec.argument}", d


def _undo_entry(rec: lr.Undo, c: EntryContext) -> EntryParts:
    undone = c.by_n.get(rec.undoes)
    title = (_("took back action {n} ({summary})").format(
        n=rec.undoes, summary=summarize(undone, c.names.sc)) if undone
        else _("took back action {n}").format(n=rec.undoes))
    return _("Undo"), title, []


def _turn_entry(rec: lr.NextTurn, c: EntryContext) -> EntryParts:
    names, sc = c.names, c.names.sc
    turn = c.after.state.turn if c.after else _int(rec.turn)
    label, _date = names.turn(turn)
    title = _("the game moves to turn {turn}: {label}").format(turn=turn, label=label)
    released = _list(rec.released)
    if c.after is not None and c.before is not None:
        order = list(sc.injects) if sc else []
        released = sorted(c.after.state.released - c.before.state.released,
                          key=lambda i: order.index(i) if i in order else 0)
    draws = {dr.get("inject"): dr for dr in _list(rec.draws) if isinstance(dr, dict)}
    d: list[Detail] = []
    for iid in released:
        inj = names.inject(iid)
        if iid in draws:
            text = _("{inject} (drawn at chance {p}, it happened)").format(
                inject=inj.title if inj else str(iid), p=draws[iid].get("chance"))
        else:
            text = _("{inject} (scheduled, released automatically)").format(
                inject=inj.title if inj else str(iid))
        if inj and inj.narrative:
            text += f" — {inj.narrative.strip()}"
        d.append(Detail(_("Inject"), text))
    for iid, dr in draws.items():          # chance injects drawn that did not happen
        if not dr.get("fired"):
            inj = names.inject(iid)
            d.append(Detail(_("Chance"), _("{title} did not happen (drawn at chance {p})")
                            .format(title=inj.title if inj else str(iid),
                                    p=dr.get("chance"))))
    return _("Turn change"), title, d


def _end_entry(rec: lr.End) -> EntryParts:
    d: list[Detail] = []
    if rec.hotwash:
        d.append(Detail(_("Hotwash"), _("recorded (see the hotwash notes)")))
    if rec.participants:
        d.append(Detail(_("Participants"), "; ".join(map(str, _list(rec.participants)))))
    if rec.contact:
        d.append(Detail(_("Point of contact"), str(rec.contact)))
    return _("End"), _("Session ended"), d


def _observe_entry(rec: lr.Observe, c: EntryContext) -> EntryParts:
    kind = str(rec.kind)
    d = [Detail(_("Objective"), c.names.objective(rec.objective)),
         Detail(_("Kind"), _(KINDS[kind]) if kind in KINDS else kind)]
    sup = rec.supports
    target = c.by_n.get(sup) if isinstance(sup, int) else None
    if target is not None:
        d.append(Detail(_("Supported by"), _("action {n}: {summary}").format(
            n=sup, summary=summarize(target, c.names.sc))))
    return _("Observation"), str(rec.text), d


def _hotwash_entry(rec: lr.Hotwash, c: EntryContext) -> EntryParts:
    d: list[Detail] = []
    if rec.rating in RATINGS:
        d.append(Detail(_("Rating"), f"{rec.rating} ({_(RATINGS[rec.rating]).lower()})"))
    for text, label in ((rec.sustain, _("Sustain")), (rec.improve, _("Improve")),
                        (rec.notes, _("Notes"))):
        if text:
            d.append(Detail(label, str(text)))
    for item in _list(rec.plan):
        if isinstance(item, dict):
            d.append(Detail(_("Improvement plan"), _(
                "{text} (owner: {owner}, due {due})").format(
                text=item.get('recommendation'), owner=item.get('owner') or '—',
                due=item.get('due') or '—')))
    return _("Hotwash"), c.names.objective(rec.objective), d


def _amend_entry(rec: lr.Amend, c: EntryContext) -> EntryParts:
    target = c.by_n.get(rec.amends)
    title = (_("amended the {field} of action {n} ({summary})").format(
        field=rec.field, n=rec.amends, summary=summarize(target, c.names.sc))
        if target else _("amended the {field} of action {n}").format(
            field=rec.field, n=rec.amends))
    d = [Detail(_("Now"), show_field(str(rec.field), rec.value))]
    if rec.reason:
        d.append(Detail(_("Reason"), str(rec.reason)))
    return _("Amendment"), title, d


def _cell_name(names: _Names, cell_id: Any) -> str:
    cell = names.sc.cell(str(cell_id)) if names.sc is not None else None
    return cell.name if cell is not None else str(cell_id)


def describe_logged_roll(rec: lr.Roll) -> str:
    faces = " + ".join(map(str, _list(rec.faces)))
    mods = ", ".join(f"{lab} {_signed(int(v))}" for lab, v in _list(rec.modifiers))
    text = (_("{dice}: {faces}; {modifiers} = {total} vs {target}") if mods
            else _("{dice}: {faces} = {total} vs {target}"))
    return text.format(dice=rec.dice, faces=faces, modifiers=mods, total=rec.total,
                       target=rec.target)


def _bibliography(effective: list[dict], sc: Scenario | None, header: dict
                  ) -> tuple[tuple[CitedEvent, ...], tuple[CitedSource, ...]]:
    if sc is None:
        return (), ()
    cited_by: dict[str, list[str]] = {}

    def cite(eid: str, who: str) -> None:
        lst = cited_by.setdefault(eid, [])
        if who not in lst:
            lst.append(who)

    def cite_inject(iid: Any) -> None:
        inj = sc.injects.get(iid) if isinstance(iid, str) else None
        if inj is None:
            return
        for eid in sc.inject_events(inj):
            cite(eid, _("inject: {title}").format(title=inj.title))

    for line in effective:
        try:
            rec = lr.from_json(line)
        except lr.RecordError:
            continue                    # a damaged line cites nothing
        match rec:
            case lr.Choose(branch=bid) if bid in sc.branches:
                b = sc.branches[bid]
                for eid in sc.branch_events(b):
                    cite(eid, b.title)
            case lr.Release(inject=iid):
                cite_inject(iid)
            case lr.NextTurn(released=released):
                for iid in _list(released):
                    cite_inject(iid)
    off = set(header.get("switched_off", []) or [])
    events = []
    merged: dict[str, set[int]] = {}
    for eid, who in cited_by.items():
        ev = sc.events.get(eid)
        if ev is None:
            continue
        srcs: dict[str, set[int]] = {}
        for c in ev.sources:
            srcs.setdefault(c.source, set()).update(c.footnotes)
        cited = []
        for sid, fns in srcs.items():
            src = sc.sources.get(sid)
            if src is None:
                continue
            merged.setdefault(sid, set()).update(fns)
            cited.append(_cited_source(src, fns))
        cited.sort(key=_source_order)
        events.append((ev.sort_key, CitedEvent(ev.id, ev.date, ev.title, tuple(who),
                                               tuple(cited), ev.id in off)))
    events.sort(key=lambda p: (p[0], p[1].id))
    sources = sorted((_cited_source(sc.sources[sid], fns) for sid, fns in merged.items()),
                     key=_source_order)
    return tuple(e for _, e in events), tuple(sources)


def _cited_source(src, fns) -> CitedSource:
    return CitedSource(src.id, src.kind, src.issuer, src.title, tuple(sorted(fns)), src.url,
                       src.published, src.details)


def _source_order(s: CitedSource):
    # by first footnote; sources no footnote cites come after, by issuer and title
    return (0, s.footnotes[0], s.title) if s.footnotes else (1, 0, f"{s.issuer} {s.title}".lower())


def _fork_info(header: dict, actions: list[dict], sc: Scenario | None,
               log_path: str | Path) -> ForkInfo | None:
    ff = header.get("forked_from")
    if not isinstance(ff, dict):
        return None
    at = _int(ff.get("at"))
    parent = str(ff.get("log", ""))
    candidates = [Path(parent)] if parent else []
    if parent:
        # moved together with the fork: look next to it too
        candidates.append(Path(log_path).parent / Path(parent).name)
    plog = pheader = None
    for c in candidates:
        if c.is_file():
            r = read_log(c)
            if r.header is not None:
                plog, pheader = r, r.header
                break
    parent_next = this_next = None
    matches = None
    if plog is not None and pheader is not None:
        matches = pheader.get("hash") == ff.get("header_hash")
        if at < len(plog.actions):
            parent_next = _("action {n}: {summary}").format(
                n=at + 1, summary=summarize(plog.actions[at], sc))
        else:
            parent_next = _("nothing: the parent session stopped there")
    if at < len(actions):
        this_next = _("action {n}: {summary}").format(n=at + 1, summary=summarize(actions[at], sc))
    else:
        this_next = _("nothing yet: no action after the fork point")
    return ForkInfo(parent, at, str(ff.get("group", "")), plog is not None, matches,
                    parent_next, this_next)
