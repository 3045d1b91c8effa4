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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from engine.debrief.aar import Amendment, Debrief, build_debrief, local_time, zone_of
from engine.debrief.cells import CellMoves, by_cell, cell_moves
from engine.debrief.charts import Series, state_series
from engine.i18n import _, ngettext
from engine.lang.text import render
from engine.model import Scenario
from engine.play import rules
from engine.play.clock import turn_times
from engine.play.hotwash import KINDS, RATINGS
from engine.play.log import read_log
from engine.play.replay import VERIFIED, ReplayReport, replay, unreadable_reason
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
        if rec.get("action") == "undo" and isinstance(rec.get("undoes"), int):
            out[rec["undoes"]] = int(rec.get("n", 0))
    return out


def effective_actions(actions: Iterable[dict]) -> list[dict]:
    """The actions that still count: undos, and the actions they undid, are dropped."""
    actions = list(actions)
    undone = undone_map(actions)
    return [r for r in actions if r.get("action") != "undo" and r.get("n") not in undone]


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


def summarize(rec: dict, scenario: Scenario | None) -> str:
    """One line for a logged action, with titles from the scenario."""
    names = _Names(scenario)
    a = rec.get("action")
    if a == "choose":
        return _("chose '{option}' in '{branch}'").format(
            option=names.option(rec.get('branch'), rec.get('option')),
            branch=names.branch(rec.get('branch')))
    if a == "roll" and "band" in rec:           # a graded roll: the band the total fell in
        faces = " + ".join(map(str, rec.get("faces", [])))
        return _("rolled {dice} ({faces}) for '{branch}': {total}, {result}").format(
            dice=rec.get("dice"), faces=faces, branch=names.branch(rec.get("branch")),
            total=rec.get("total"), result=band_label(scenario, rec))
    if a == "roll":
        faces = " + ".join(map(str, rec.get("faces", [])))
        text = (_("rolled {dice} ({faces}) for '{branch}': {total} vs {target}, success")
                if rec.get('success') else
                _("rolled {dice} ({faces}) for '{branch}': {total} vs {target}, failure"))
        return text.format(dice=rec.get('dice'), faces=faces,
                           branch=names.branch(rec.get('branch')), total=rec.get('total'),
                           target=rec.get('target'))
    if a == "decide" and "band" in rec:
        return _("facilitator decided {result} for '{branch}'").format(
            result=band_label(scenario, rec), branch=names.branch(rec.get("branch")))
    if a == "decide":
        text = (_("facilitator decided success for '{branch}'") if rec.get('success')
                else _("facilitator decided failure for '{branch}'"))
        return text.format(branch=names.branch(rec.get('branch')))
    if a == "release":
        inj = names.inject(rec.get("inject"))
        return _("released inject '{inject}'").format(
            inject=inj.title if inj else rec.get('inject'))
    if a == "override":
        var = names.variable(rec.get("variable"))
        if var is None:
            return _("override {variable} = {value}").format(
                variable=rec.get('variable'), value=_json_show(rec.get('value')))
        try:
            from engine.model import from_json_value
            shown = names.value(var, from_json_value(var.type, rec.get("value")))
        except (TypeError, ValueError, KeyError, IndexError):
            shown = _json_show(rec.get("value"))
        return _("set {variable} to {value} by hand").format(variable=var.label or var.id,
                                                             value=shown)
    if a == "note":
        return _("note: {text}").format(text=rec.get('text'))
    if a == "argument":
        who = _cell_name(names, rec.get("cell")) if rec.get("cell") else _("the group")
        text = (_("argument by {who} ({strength}): {argument} — success") if rec.get('success')
                else _("argument by {who} ({strength}): {argument} — failure"))
        return text.format(who=who, strength=rec.get('strength'), argument=rec.get('argument'))
    if a == "undo":
        return _("undo of action {n}").format(n=rec.get('undoes'))
    if a == "next_turn":
        label = names.turn(int(rec.get("turn", 0) or 0))[0]
        return _("moved to turn {turn} ({label})").format(turn=rec.get('turn'), label=label)
    if a == "end":
        return _("ended the session")
    if a == "observe":
        return _("observation: {text}").format(text=rec.get('text'))
    if a == "hotwash":
        return _("hotwash entry for '{objective}'").format(
            objective=names.objective(rec.get('objective')))
    if a == "amend":
        return _("amendment of action {n} ({field})").format(n=rec.get('amends'),
                                                             field=rec.get('field'))
    return str(a)


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
            entry = _entry(i, rec, before, after, rep, names, undone.get(rec.get("n", i)),
                           inherited=i <= inherited_upto, by_n=by_n)
        except (TypeError, ValueError, KeyError, AttributeError):
            # A damaged line past the point where replay stopped: show it, do not fail.
            entry = TimelineEntry(i, str(rec.get("action", "?")), _("Unreadable record"),
                                  _("this logged line could not be read"),
                                  details=(Detail(_("As logged"), json.dumps(rec)[:300]),),
                                  confirmed=False)
        if rec.get("action") == "undo":
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
    amended = {}
    for am in debrief.amendments:
        amended.setdefault(am.target, []).append(am)
    timeline = tuple(attrs.evolve(sec, entries=tuple(
        attrs.evolve(e, amendments=tuple(amended.get(e.n, ()))) if e.n in amended else e
        for e in sec.entries)) for sec in timeline)
    end_rec = next((r for r in reversed(effective) if r.get("action") == "end"), None)
    hotwash = None
    if end_rec is not None:
        hotwash = str(end_rec.get("hotwash", "") or "")
        for am in amended.get(end_rec.get("n"), ()):
            if am.field == "hotwash":
                hotwash = str(am.value)
    series, last_turn = state_series(steps, sc, names.value) if sc is not None else ((), 0)
    tz, zone = zone_of(header)
    started = str(header.get("started", ""))
    ended = steps[-1].state.ended if steps else any(r.get("action") == "end" for r in effective)
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
    amended = {r.get("amends"): r.get("value") for r in confirmed
               if r.get("action") == "amend" and r.get("field") == "rationale"}
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


def _state_changes(before, after, sc: Scenario | None) -> list[Detail]:
    out = []
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


def _entry(n: int, rec: dict, before, after, rep: ReplayReport, names: _Names,
           undone_by: int | None, inherited: bool, by_n: dict[Any, dict]) -> TimelineEntry:
    a = str(rec.get("action"))
    d: list[Detail] = []
    confirmed = after is not None
    bid, oid = rec.get("branch"), rec.get("option")
    if a == "choose":
        kind = _("Decision")
        title = f"{names.branch(bid)} — {names.option(bid, oid)}"
        b = names.sc.branches.get(bid) if names.sc else None
        if b and b.actor:
            d.append(Detail(_("Actor"), names.sc.actors.get(b.actor, b.actor)))
        if rec.get("cell"):
            d.append(Detail(_("Cell"), _cell_name(names, rec.get("cell"))))
        if rec.get("sealed") is not None:
            d.append(Detail(_("Sealed"), _("sealed as action {n}, made when revealed").format(
                n=rec.get('sealed'))))
        d.append(Detail(_("Rationale"), rec.get("rationale") or _("(none recorded)")))
        opt = names.option_obj(bid, oid)
        if opt and opt.narrative:
            d.append(Detail(_("Narrative"), _text(opt.narrative.strip(), after, rep)))
        if opt and opt.contested:
            d.append(Detail(_("Adjudication"), _("contested: to be rolled or decided")))
    elif a == "roll":
        kind = _("Roll")
        title = f"{names.branch(bid)} — {names.option(bid, oid)}"
        roll = None
        if confirmed and before is not None and rep.session is not None:
            try:
                roll = rules.roll(before.state, rep.session.env)[1]
            except (RuleError, KeyError, AttributeError):
                roll = None
        success: bool | str
        if roll is not None:
            faces, mods = list(roll.faces), [list(m) for m in roll.modifiers]
            total, target, success, dice = roll.total, roll.target, roll.result, roll.dice
        else:
            faces, mods = rec.get("faces", []), rec.get("modifiers", [])
            total, target = rec.get("total"), rec.get("target")
            success = str(rec["band"]) if "band" in rec else bool(rec.get("success"))
            dice = rec.get("dice")
        d.append(Detail(_("Dice"), f"{dice}: " + " + ".join(map(str, faces))
                        + f" = {sum(int(f) for f in faces)}"))
        for label, value in mods:
            d.append(Detail(_("Modifier"), f"{label}: {_signed(int(value))}"))
        if not mods:
            d.append(Detail(_("Modifier"), _("none applied")))
        opposed = roll.against if roll is not None else rec.get("against")
        if opposed and not isinstance(success, str):     # an opposed roll: both pools
            branch = names.sc.branches.get(bid) if names.sc else None
            who = branch.adjudication.against_label if branch and branch.adjudication else ""
            pool = f"{rec.get('against_dice')}: " + " + ".join(map(str, opposed))
            d.append(Detail(_("Opposed by"), (f"{who}: " if who else "") + f"{pool} = {target}"))
        if isinstance(success, str):            # a graded roll: the band, and its totals
            band = _band(names, bid, success)
            d.append(Detail(_("Result"), _("total {total} → {result} ({totals})").format(
                total=total, result=band.label if band else success,
                totals=band.totals_text() if band else "?")))
        else:
            d.append(Detail(_("Result"), (_("total {total} vs target {target} → success")
                                          if success else
                                          _("total {total} vs target {target} → failure")
                                          ).format(total=total, target=target)))
        if roll is not None and (list(roll.faces) != rec.get("faces")
                                 or roll.total != rec.get("total")
                                 or [v for _label, v in roll.modifiers]
                                 != [m[1] for m in _list(rec.get("modifiers")) if len(m) == 2]):
            # (labels are text: a session run in another language logged them translated)
            d.append(Detail(_("Log says"), describe_logged_roll(rec)))
        d += _outcome_narrative(names, bid, oid, success, after, rep)
    elif a == "decide":
        kind = _("Facilitator decision")
        success = str(rec["band"]) if "band" in rec else bool(rec.get("success"))
        if isinstance(success, str):
            title = f"{names.branch(bid)} — {names.option(bid, oid)}: {band_label(names.sc, rec)}"
        else:
            title = (_("{branch} — {option}: success") if success
                     else _("{branch} — {option}: failure")).format(
                branch=names.branch(bid), option=names.option(bid, oid))
        d.append(Detail(_("Rationale"), rec.get("rationale") or _("(none recorded)")))
        d += _outcome_narrative(names, bid, oid, success, after, rep)
    elif a == "release":
        kind = _("Inject")
        inj = names.inject(rec.get("inject"))
        title = _("{inject} (released on demand)").format(
            inject=inj.title if inj else str(rec.get("inject")))
        if inj and inj.narrative:
            d.append(Detail(_("Narrative"), _text(inj.narrative.strip(), after, rep)))
        if inj and inj.turn is not None:
            d.append(Detail(_("Scheduled"), _("for turn {turn}; its condition did not hold then, "
                                              "so the facilitator released it by hand").format(
                turn=inj.turn)))
        d.append(Detail(_("Rationale"), rec.get("rationale") or _("(none recorded)")))
    elif a == "override":
        kind = _("Override")
        var = names.variable(rec.get("variable"))
        new = _json_show(rec.get("value"))
        old = None
        if before is not None and var is not None:
            old = names.value(var, before.state.values[var.index])
            if after is not None:
                new = names.value(var, after.state.values[var.index])
        label = (var.label or var.id) if var else str(rec.get("variable"))
        title = f"{label}: {old} → {new}" if old is not None else f"{label} → {new}"
        d.append(Detail(_("Rationale"), rec.get("rationale") or _("(none recorded)")))
    elif a == "seal":
        kind = _("Sealed move")
        title = (f"{_cell_name(names, rec.get('cell'))}: "
                 f"{names.branch(bid)} — {names.option(bid, oid)}")
        d.append(Detail(_("Rationale"), rec.get("rationale") or _("(none recorded)")))
        d.append(Detail(_("Sealed"), _("hidden from the room until revealed, then made in the "
                                       "cells' order")))
    elif a == "reveal":
        kind = _("Reveal")
        seals = len(_list(rec.get('seals')))
        title = ngettext("{n} sealed move revealed", "{n} sealed moves revealed together",
                         seals).format(n=seals)
    elif a == "argument":
        kind = _("Argument")
        success = bool(rec.get("success"))
        who = _cell_name(names, rec.get("cell")) if rec.get("cell") else _("the group")
        title = f"{who}: {rec.get('argument', '')}"
        for counter in _list(rec.get("counters")):
            d.append(Detail(_("Counter-argument"), str(counter)))
        d.append(Detail(_("Strength"), f"{rec.get('strength')} ({rec.get('dice')} ≥ "
                        f"{rec.get('target')})"))
        faces = _list(rec.get("faces"))
        d.append(Detail(_("Dice"), f"{rec.get('dice')}: " + " + ".join(map(str, faces))
                        + f" = {rec.get('total')}"))
        d.append(Detail(_("Result"), _("success: its effects follow as overrides") if success
                        else _("failure")))
    elif a == "note":
        kind = _("Note")
        title = str(rec.get("text", ""))
    elif a == "undo":
        kind = _("Undo")
        target = rec.get("undoes")
        undone_rec = by_n.get(target)
        title = (_("took back action {n} ({summary})").format(
            n=target, summary=summarize(undone_rec, names.sc)) if undone_rec
            else _("took back action {n}").format(n=target))
    elif a == "next_turn":
        kind = _("Turn change")
        turn = after.state.turn if after else int(rec.get("turn", 0) or 0)
        label, date = names.turn(turn)
        title = _("the game moves to turn {turn}: {label}").format(turn=turn, label=label)
        released = _list(rec.get("released"))
        if after is not None and before is not None:
            released = sorted(after.state.released - before.state.released,
                              key=lambda i: list(names.sc.injects).index(i)
                              if names.sc and i in names.sc.injects else 0)
        draws = {dr.get("inject"): dr for dr in _list(rec.get("draws")) if isinstance(dr, dict)}
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
    elif a == "end":
        kind = _("End")
        title = _("Session ended")
        if rec.get("hotwash"):
            d.append(Detail(_("Hotwash"), _("recorded (see the hotwash notes)")))
        if rec.get("participants"):
            d.append(Detail(_("Participants"), "; ".join(map(str, _list(rec.get("participants"))))))
        if rec.get("contact"):
            d.append(Detail(_("Point of contact"), str(rec.get("contact"))))
    elif a == "observe":
        kind = _("Observation")
        title = str(rec.get("text", ""))
        d.append(Detail(_("Objective"), names.objective(rec.get("objective"))))
        d.append(Detail(_("Kind"), _(KINDS[str(rec.get("kind"))]) if str(rec.get("kind")) in KINDS
                        else str(rec.get("kind"))))
        sup = rec.get("supports")
        target = by_n.get(sup) if isinstance(sup, int) else None
        if target is not None:
            d.append(Detail(_("Supported by"), _("action {n}: {summary}").format(
                n=sup, summary=summarize(target, names.sc))))
    elif a == "hotwash":
        kind = _("Hotwash")
        title = names.objective(rec.get("objective"))
        if rec.get("rating") in RATINGS:
            d.append(Detail(_("Rating"), f"{rec['rating']} ({_(RATINGS[rec['rating']]).lower()})"))
        for key, label in (("sustain", _("Sustain")), ("improve", _("Improve")),
                           ("notes", _("Notes"))):
            if rec.get(key):
                d.append(Detail(label, str(rec[key])))
        for item in _list(rec.get("plan")):
            if isinstance(item, dict):
                d.append(Detail(_("Improvement plan"), _(
                    "{text} (owner: {owner}, due {due})").format(
                    text=item.get('recommendation'), owner=item.get('owner') or '—',
                    due=item.get('due') or '—')))
    elif a == "amend":
        kind = _("Amendment")
        target = rec.get("amends")
        target_rec = by_n.get(target)
        title = (_("amended the {field} of action {n} ({summary})").format(
            field=rec.get('field'), n=target, summary=summarize(target_rec, names.sc))
            if target_rec else _("amended the {field} of action {n}").format(
                field=rec.get('field'), n=target))
        from engine.debrief.aar import show_field
        d.append(Detail(_("Now"), show_field(str(rec.get("field")), rec.get("value"))))
        if rec.get("reason"):
            d.append(Detail(_("Reason"), str(rec.get("reason"))))
    else:
        kind = _("Action")
        title = str(a)
    changes = _state_changes(before, after, names.sc)
    if a == "override":     # the title already says old → new
        var = names.variable(rec.get("variable"))
        label = (var.label or var.id) if var else None
        changes = [c for c in changes if not (c.label == _("State") and label
                                               and c.text.startswith(label + ":"))]
    d += changes
    return TimelineEntry(n=n, action=a, kind=kind, title=title, at=str(rec.get("at", "")),
                         details=tuple(d), undone_by=undone_by, confirmed=confirmed,
                         inherited=inherited)


def _cell_name(names: _Names, cell_id) -> str:
    cell = names.sc.cell(str(cell_id)) if names.sc is not None else None
    return cell.name if cell is not None else str(cell_id)


def describe_logged_roll(rec: dict) -> str:
    faces = " + ".join(map(str, rec.get("faces", [])))
    mods = ", ".join(f"{lab} {_signed(int(v))}" for lab, v in rec.get("modifiers", []))
    text = (_("{dice}: {faces}; {modifiers} = {total} vs {target}") if mods
            else _("{dice}: {faces} = {total} vs {target}"))
    return text.format(dice=rec.get('dice'), faces=faces, modifiers=mods, total=rec.get('total'),
                       target=rec.get('target'))


def _bibliography(effective: list[dict], sc: Scenario | None, header: dict
                  ) -> tuple[tuple[CitedEvent, ...], tuple[CitedSource, ...]]:
    if sc is None:
        return (), ()
    cited_by: dict[str, list[str]] = {}

    def cite(eid: str, who: str) -> None:
        lst = cited_by.setdefault(eid, [])
        if who not in lst:
            lst.append(who)

    for rec in effective:
        if rec.get("action") == "choose" and rec.get("branch") in sc.branches:
            b = sc.branches[rec["branch"]]
            for eid in sc.branch_events(b):
                cite(eid, b.title)
        elif rec.get("action") == "release" and rec.get("inject") in sc.injects:
            inj = sc.injects[rec["inject"]]
            for eid in sc.inject_events(inj):
                cite(eid, _("inject: {title}").format(title=inj.title))
        elif rec.get("action") == "next_turn":
            for iid in _list(rec.get("released")):
                inj = sc.injects.get(iid) if isinstance(iid, str) else None
                for eid in (sc.inject_events(inj) if inj else ()):
                    cite(eid, _("inject: {title}").format(title=inj.title))
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
    plog = None
    for c in candidates:
        if c.is_file():
            r = read_log(c)
            if r.header is not None:
                plog = r
                break
    parent_next = this_next = None
    matches = None
    if plog is not None:
        matches = plog.header.get("hash") == ff.get("header_hash")
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
