"""The after-action report (AAR) of one session, in Markdown or printable HTML.

Laid out the way exercise planners expect an HSEEP-style AAR: the verification of the log
first, then the exercise overview, a timeline by turn of every logged action, the signposts
that fired, the final state against the baseline, the hotwash, and the sources behind every
branch played.

Everything shown about the game (states, dice, modifiers, signposts) is recomputed by replaying
the log against the scenario (`engine.replay`); the log's own values are used only for actions
the replay could not reach, and then they are marked as not confirmed. A log that does not
verify (edited, a changed scenario, a replay that diverges) still gets a report: it is flagged
at the top.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Iterable

import attrs

from .log import read_log
from .model import Scenario
from .replay import VERIFIED, ReplayReport, replay
from .rules import RuleError
from . import rules


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


def unreadable_reason(rep: ReplayReport) -> str:
    """Why a log cannot be used, in one line (the diagnostics' messages, without placeholder
    locations, when it has no header)."""
    if rep.log.header is not None:
        return " ".join(" ".join(p.split()) for p in rep.problems) or "cannot be replayed"
    if rep.log.diagnostics:
        return "; ".join(d.message for d in rep.log.diagnostics if d.severity == "error") \
            or rep.log.diagnostics[0].message
    return "; ".join(rep.problems) or "not a session log"


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
        return "fn. " + ", ".join(map(str, self.footnotes))


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
        return f"Turn {index}", ""

    def signpost_texts(self) -> dict[str, str]:
        if not self.sc:
            return {}
        texts = {s.id: s.text for s in self.sc.signposts}
        for b in self.sc.branches.values():
            texts.update({s.id: s.text for s in b.signposts})
        return texts


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
        return f"chose '{names.option(rec.get('branch'), rec.get('option'))}' in " \
               f"'{names.branch(rec.get('branch'))}'"
    if a == "roll":
        faces = " + ".join(map(str, rec.get("faces", [])))
        return (f"rolled {rec.get('dice')} ({faces}) for '{names.branch(rec.get('branch'))}': "
                f"{rec.get('total')} vs {rec.get('target')}, "
                f"{'success' if rec.get('success') else 'failure'}")
    if a == "decide":
        return (f"facilitator decided {'success' if rec.get('success') else 'failure'} for "
                f"'{names.branch(rec.get('branch'))}'")
    if a == "release":
        inj = names.inject(rec.get("inject"))
        return f"released inject '{inj.title if inj else rec.get('inject')}'"
    if a == "override":
        return f"override {rec.get('variable')} = {_json_show(rec.get('value'))}"
    if a == "note":
        return f"note: {rec.get('text')}"
    if a == "undo":
        return f"undo of action {rec.get('undoes')}"
    if a == "next_turn":
        label, _ = names.turn(int(rec.get("turn", 0) or 0))
        return f"moved to turn {rec.get('turn')} ({label})"
    if a == "end":
        return "ended the session"
    return str(a)


# ---------------------------------------------------------------------------- building

def after_action_report(log_path: str | Path, scenario: Scenario | None = None) -> AfterActionReport:
    """Replay a session log and gather everything its after-action report shows.

    Raises ReportError only when the file is not a readable session log at all; an edited
    log, a changed scenario or a replay that diverges still gives a (flagged) report.
    """
    rep = replay(log_path, scenario)
    log = rep.log
    if log.header is None:
        raise ReportError(f"cannot report on {log_path}: {unreadable_reason(rep)}")
    header = log.header
    sc = rep.scenario
    names = _Names(sc)
    actions = list(log.actions)
    steps = list(rep.steps)
    confirmed = max(len(steps) - 1, 0)
    undone = undone_map(actions)

    problems = list(rep.problems)
    for d in log.diagnostics:
        if d.code == "SP603" and log.chain_broken_at:
            continue            # replay's own problem line already says where the chain breaks
        text = " ".join(d.format().split())
        if text not in problems and not any(text.endswith(p) for p in problems):
            problems.append(text)
    verified = rep.status == VERIFIED and log.ok
    banner = rep.banner()
    if sc is None:
        path = (header.get("scenario") or {}).get("path", "")
        banner = (f"Scenario not loaded: {path} cannot be loaded, so nothing could be replayed; "
                  "the log is shown as recorded (use --scenario if the file moved)")
    elif rep.status == VERIFIED and not log.ok:
        banner = "Log damaged: " + "; ".join(d.message for d in log.diagnostics
                                              if d.severity == "error")
    if confirmed < len(actions):
        problems.append(f"only {confirmed} of {len(actions)} logged actions replay; the rest are "
                        "shown as logged and marked 'not confirmed'")
    if sc is None and rep.status != VERIFIED:
        problems.append("the scenario could not be loaded: titles, states and sources are missing")

    fork = _fork_info(header, actions, sc, log_path)
    inherited_upto = fork.at if fork else 0

    entries: list[tuple[int, TimelineEntry]] = []       # (turn it sits under, entry)
    prev_turn = 0
    for i, rec in enumerate(actions, start=1):
        before = steps[i - 1] if i - 1 < len(steps) else None
        after = steps[i] if i < len(steps) else None
        entry = _entry(i, rec, before, after, rep, names, undone.get(rec.get("n", i)),
                       inherited=i <= inherited_upto)
        if rec.get("action") == "next_turn":
            turn = after.state.turn if after else int(rec.get("turn", prev_turn) or 0)
        elif rec.get("action") == "undo":
            turn = prev_turn          # where the facilitator was when undoing
        else:
            turn = after.state.turn if after else int(rec.get("turn", prev_turn) or 0)
        entries.append((turn, entry))
        prev_turn = after.state.turn if after else int(rec.get("turn", turn) or 0)

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
            final_rows.append(VariableRow(v.id, v.label or v.id, v.show(base.values[v.index]),
                                          v.show(last.values[v.index])))

    effective = effective_actions(actions)
    hotwash = next((r.get("hotwash", "") for r in reversed(effective) if r.get("action") == "end"),
                   None)
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
        log_path=str(log_path), status=rep.status if log.ok or rep.status != VERIFIED else "log damaged",
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
        hotwash=hotwash, events=events, sources=sources)


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
            out.append(Detail("State", f"{v.label or v.id}: {v.show(old)} → {v.show(new)}"))
    texts = _Names(sc).signpost_texts()
    known = {sid for sid, _ in before.state.fired}
    for sid, _turn in after.state.fired:
        if sid not in known:
            out.append(Detail("Signpost fired", texts.get(sid, sid)))
    return out


def _outcome_narrative(names: _Names, bid, oid, success: bool) -> list[Detail]:
    opt = names.option_obj(bid, oid)
    outcome = (opt.on_success if success else opt.on_failure) if opt else None
    if outcome and outcome.narrative:
        return [Detail("Outcome", outcome.narrative.strip())]
    return []


def _entry(n: int, rec: dict, before, after, rep: ReplayReport, names: _Names,
           undone_by: int | None, inherited: bool) -> TimelineEntry:
    a = str(rec.get("action"))
    d: list[Detail] = []
    confirmed = after is not None
    bid, oid = rec.get("branch"), rec.get("option")
    if a == "choose":
        kind = "Decision"
        title = f"{names.branch(bid)} — {names.option(bid, oid)}"
        b = names.sc.branches.get(bid) if names.sc else None
        if b and b.actor:
            d.append(Detail("Actor", names.sc.actors.get(b.actor, b.actor)))
        d.append(Detail("Rationale", rec.get("rationale") or "(none recorded)"))
        opt = names.option_obj(bid, oid)
        if opt and opt.narrative:
            d.append(Detail("Narrative", opt.narrative.strip()))
        if opt and opt.contested:
            d.append(Detail("Adjudication", "contested: to be rolled or decided"))
    elif a == "roll":
        kind = "Roll"
        title = f"{names.branch(bid)} — {names.option(bid, oid)}"
        roll = None
        if confirmed and before is not None and rep.session is not None:
            try:
                _, roll = rules.roll(before.state, rep.session.env)
            except (RuleError, KeyError, AttributeError):
                roll = None
        if roll is not None:
            faces, mods = list(roll.faces), [list(m) for m in roll.modifiers]
            total, target, success, dice = roll.total, roll.target, roll.success, roll.dice
        else:
            faces, mods = rec.get("faces", []), rec.get("modifiers", [])
            total, target = rec.get("total"), rec.get("target")
            success, dice = bool(rec.get("success")), rec.get("dice")
        d.append(Detail("Dice", f"{dice}: " + " + ".join(map(str, faces))
                        + f" = {sum(int(f) for f in faces)}"))
        for label, value in mods:
            d.append(Detail("Modifier", f"{label}: {_signed(int(value))}"))
        if not mods:
            d.append(Detail("Modifier", "none applied"))
        d.append(Detail("Result", f"total {total} vs target {target} → "
                        f"{'success' if success else 'failure'}"))
        if roll is not None and (list(roll.faces) != rec.get("faces") or roll.total != rec.get("total")
                                 or [list(m) for m in roll.modifiers] != rec.get("modifiers")):
            d.append(Detail("Log says", describe_logged_roll(rec)))
        d += _outcome_narrative(names, bid, oid, success)
    elif a == "decide":
        kind = "Facilitator decision"
        success = bool(rec.get("success"))
        title = (f"{names.branch(bid)} — {names.option(bid, oid)}: "
                 f"{'success' if success else 'failure'}")
        d.append(Detail("Rationale", rec.get("rationale") or "(none recorded)"))
        d += _outcome_narrative(names, bid, oid, success)
    elif a == "release":
        kind = "Inject"
        inj = names.inject(rec.get("inject"))
        title = (inj.title if inj else str(rec.get("inject"))) + " (released on demand)"
        if inj and inj.narrative:
            d.append(Detail("Narrative", inj.narrative.strip()))
        if inj and inj.turn is not None:
            d.append(Detail("Scheduled", f"for turn {inj.turn}, released early by the facilitator"))
        d.append(Detail("Rationale", rec.get("rationale") or "(none recorded)"))
    elif a == "override":
        kind = "Override"
        var = names.variable(rec.get("variable"))
        new = _json_show(rec.get("value"))
        old = None
        if before is not None and var is not None:
            old = var.show(before.state.values[var.index])
            if after is not None:
                new = var.show(after.state.values[var.index])
        label = (var.label or var.id) if var else str(rec.get("variable"))
        title = f"{label}: {old} → {new}" if old is not None else f"{label} → {new}"
        d.append(Detail("Rationale", rec.get("rationale") or "(none recorded)"))
    elif a == "note":
        kind = "Note"
        title = str(rec.get("text", ""))
    elif a == "undo":
        kind = "Undo"
        target = rec.get("undoes")
        undone_rec = next((r for r in rep.log.actions if r.get("n") == target), None)
        title = f"took back action {target}" + (
            f" ({summarize(undone_rec, names.sc)})" if undone_rec else "")
    elif a == "next_turn":
        kind = "Turn change"
        turn = after.state.turn if after else int(rec.get("turn", 0) or 0)
        label, date = names.turn(turn)
        title = f"the game moves to turn {turn}: {label}"
        released = rec.get("released") or []
        if after is not None and before is not None:
            released = sorted(after.state.released - before.state.released,
                              key=lambda i: list(names.sc.injects).index(i)
                              if names.sc and i in names.sc.injects else 0)
        for iid in released:
            inj = names.inject(iid)
            text = (inj.title if inj else str(iid)) + " (scheduled, released automatically)"
            if inj and inj.narrative:
                text += f" — {inj.narrative.strip()}"
            d.append(Detail("Inject", text))
    elif a == "end":
        kind = "End"
        title = "Session ended"
        if rec.get("hotwash"):
            d.append(Detail("Hotwash", "recorded (see the Hotwash section)"))
    else:
        kind = "Action"
        title = str(a)
    changes = _state_changes(before, after, names.sc)
    if a == "override":     # the title already says old → new
        var = names.variable(rec.get("variable"))
        label = (var.label or var.id) if var else None
        changes = [c for c in changes if not (c.label == "State" and label
                                               and c.text.startswith(label + ":"))]
    d += changes
    return TimelineEntry(n=n, action=a, kind=kind, title=title, at=str(rec.get("at", "")),
                         details=tuple(d), undone_by=undone_by, confirmed=confirmed,
                         inherited=inherited)


def describe_logged_roll(rec: dict) -> str:
    faces = " + ".join(map(str, rec.get("faces", [])))
    mods = ", ".join(f"{lab} {_signed(int(v))}" for lab, v in rec.get("modifiers", []))
    return (f"{rec.get('dice')}: {faces}" + (f"; {mods}" if mods else "")
            + f" = {rec.get('total')} vs {rec.get('target')}")


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
            for eid in inj.cites:
                cite(eid, f"inject: {inj.title}")
        elif rec.get("action") == "next_turn":
            for iid in rec.get("released") or []:
                inj = sc.injects.get(iid)
                for eid in (inj.cites if inj else ()):
                    cite(eid, f"inject: {inj.title}")
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
    at = int(ff.get("at", 0) or 0)
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
            parent_next = f"action {at + 1}: {summarize(plog.actions[at], sc)}"
        else:
            parent_next = "nothing: the parent session stopped there"
    if at < len(actions):
        this_next = f"action {at + 1}: {summarize(actions[at], sc)}"
    else:
        this_next = "nothing yet: no action after the fork point"
    return ForkInfo(parent, at, str(ff.get("group", "")), plog is not None, matches,
                    parent_next, this_next)


# ---------------------------------------------------------------------------- Markdown

def md_text(text: Any) -> str:
    """Inline Markdown text: one line, with the characters that would format escaped.

    Underscores inside words (ids like `office_open`) are left alone: they never format.
    """
    s = " ".join(str(text).split())
    s = re.sub(r"([\\`*\[\]<|~])", r"\\\1", s)
    s = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", s)
    return s


def md_cell(text: Any) -> str:
    return md_text(text) or " "


def to_markdown(report: AfterActionReport) -> str:
    r = report
    out: list[str] = []
    w = out.append
    w(f"# After-action report: {md_text(r.scenario_title)}")
    w("")
    mark = "✅" if r.verified else "⚠️"
    w(f"> {mark} **{'Verified' if r.verified else 'NOT VERIFIED'}** — {md_text(r.banner)}")
    if not r.verified:
        w(">")
        w("> This report was produced from a log that does not verify. States, dice and "
          "signposts below are recomputed from the scenario as far as the log replays; "
          "entries the replay did not reach are marked *not confirmed*.")
    for p in r.problems:
        w(f"> - {md_text(p)}")
    w("")

    w("## 1. Exercise overview")
    w("")
    w("| | |")
    w("|---|---|")
    for k, v in _overview_rows(r):
        w(f"| {md_cell(k)} | {md_cell(v)} |")
    w("")
    if r.fork:
        w(f"**Forked session.** {md_text(_fork_sentence(r.fork))}")
        w("")
        w(f"- the parent went on with: {md_text(r.fork.parent_next or 'unknown (parent log not found)')}")
        w(f"- this session went on with: {md_text(r.fork.this_next)}")
        w("")

    w("## 2. Timeline")
    w("")
    w("Every logged action in order. Undone actions are ~~struck through~~ and marked "
      "*undone*; they no longer count.")
    w("")
    if not r.timeline:
        w("No action was logged.")
        w("")
    for sec in r.timeline:
        head = f"### Turn {sec.turn}: {md_text(sec.label)}"
        if sec.date:
            head += f" ({md_text(sec.date)})"
        if sec.continued:
            head += " — continued"
        w(head)
        w("")
        fork_mark_done = False
        for e in sec.entries:
            if r.fork and not e.inherited and e.n == r.fork.at + 1 and not fork_mark_done:
                w(f"*— fork point: actions 1–{r.fork.at} come from the parent session; "
                  "this session departs here —*")
                w("")
                fork_mark_done = True
            headline = f"**{e.n}. {md_text(e.kind)}:** {md_text(e.title)}"
            if e.undone:
                headline = f"~~{headline}~~ *(undone by action {e.undone_by})*"
            tags = []
            if e.inherited:
                tags.append("from the parent session")
            if not e.confirmed:
                tags.append("not confirmed by replay")
            if tags:
                headline += " *(" + "; ".join(tags) + ")*"
            if e.at:
                headline += f" ({md_text(_short_time(e.at, r.started))})"
            w(f"- {headline}")
            for det in e.details:
                w(f"    - {md_text(det.label)}: {md_text(det.text)}")
        w("")
    if r.fork and r.fork.at >= r.actions:
        w(f"*— fork point after action {r.fork.at}: nothing has been played since —*")
        w("")

    w("## 3. Signposts")
    w("")
    if r.signposts:
        w("| Turn | Signpost |")
        w("|---|---|")
        for s in r.signposts:
            w(f"| {s.turn} ({md_cell(s.turn_label)}) | {md_cell(s.text)} |")
    else:
        w("No signpost fired." if r.final_state else "Not available: the log could not be replayed.")
    w("")

    w("## 4. Final state against the baseline")
    w("")
    if r.final_state:
        if r.confirmed < r.actions:
            w(f"*As of action {r.confirmed}, the last one that replays.*")
            w("")
        w("| Variable | Baseline | Final | Changed |")
        w("|---|---|---|---|")
        for v in r.final_state:
            changed = "**changed**" if v.changed else ""
            w(f"| {md_cell(v.label)} | {md_cell(v.baseline)} | {md_cell(v.final)} | "
              f"{changed or ' '} |")
    else:
        w("Not available: the log could not be replayed against the scenario.")
    w("")

    w("## 5. Hotwash")
    w("")
    if r.hotwash:
        for para in str(r.hotwash).split("\n"):
            w(f"> {md_text(para)}" if para.strip() else ">")
    elif r.hotwash == "":
        w("The session ended without hotwash notes.")
    else:
        w("The session has not ended: no hotwash was recorded.")
    w("")

    w("## 6. Sources of the branches played")
    w("")
    if r.events:
        w("### Events")
        w("")
        for ev in r.events:
            line = f"- **{md_text(ev.date)}** — {md_text(ev.title)}"
            if ev.switched_off:
                line += " *(switched off in this session)*"
            w(line)
            w(f"    - cited by: {md_text('; '.join(ev.cited_by))}")
            for s in ev.sources:
                w(f"    - {md_text(_source_line(s))}")
        w("")
        w("### Bibliography")
        w("")
        for i, s in enumerate(r.sources, start=1):
            w(f"{i}. {md_text(_source_line(s))}")
        w("")
    else:
        w("No branch that cites an event was played." if r.final_state or r.actions
          else "No branch was played.")
        w("")
    return "\n".join(out).rstrip() + "\n"


def _short_time(at: str, started: str) -> str:
    """`10:03 UTC` on the day the session started, the date and time otherwise."""
    m = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d)?(\+00:00|Z)?$", at)
    if not m:
        return at
    zone = " UTC" if m.group(3) else ""
    if started.startswith(m.group(1)):
        return m.group(2) + zone
    return f"{m.group(1)} {m.group(2)}{zone}"


def _overview_rows(r: AfterActionReport) -> list[tuple[str, str]]:
    rows = [
        ("Scenario", f"{r.scenario_title} ({r.scenario_id})"),
        ("Group", r.group or "—"),
        ("Started", r.started or "—"),
        ("Last action", r.last_at or "—"),
        ("Ended", "yes" if r.ended else "no (session still open)"),
        ("Turn reached", r.turn_reached),
        ("Actions logged", f"{r.actions} ({r.confirmed} confirmed by replay)"),
        ("Seed", str(r.seed)),
        ("Counterfactual switches", "; ".join(
            f"{title} ({date}, {eid}) switched off" if date else f"{eid} switched off"
            for eid, date, title in r.switched_off) or "none (history as it happened)"),
        ("Engine version", r.engine or "—"),
        ("Scenario hash", r.scenario_hash or "—"),
        ("Scenario file", r.scenario_path or "—"),
        ("Log", r.log_path),
    ]
    if r.fork:
        rows.append(("Forked from", f"{r.fork.parent_log} at action {r.fork.at}"))
    return rows


def _fork_sentence(f: ForkInfo) -> str:
    text = (f"This session was forked from {f.parent_log} (group {f.parent_group or '—'}) "
            f"at action {f.at}: it keeps that session's actions 1–{f.at} and departs from "
            f"action {f.at + 1}.")
    if not f.parent_found:
        text += " The parent log was not found, so what it did next cannot be shown."
    elif f.parent_matches is False:
        text += (" Warning: the parent log's header does not match the one recorded at the "
                 "fork (the file was replaced or edited).")
    return text


def _source_line(s: CitedSource) -> str:
    parts = []
    if s.issuer:
        parts.append(s.issuer)
    parts.append(f"“{s.title}”")
    if s.published:
        parts.append(s.published)
    if s.details:
        parts.append(s.details)
    if s.footnotes:
        parts.append(s.footnote_text)
    if s.url:
        parts.append(s.url)
    return ", ".join(parts)


# ---------------------------------------------------------------------------- HTML

_CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
html { font-family: Georgia, "Times New Roman", Times, serif; font-size: 11pt; line-height: 1.4;
       color: #111; }
body { max-width: 174mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 16pt 0 6pt; border-bottom: 1px solid #888;
     page-break-after: avoid; break-after: avoid; }
h3 { font-size: 12pt; margin: 12pt 0 4pt; page-break-after: avoid; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; page-break-inside: auto; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2pt 5pt; text-align: left; vertical-align: top; }
th { background: #eee; }
.banner { border: 2px solid; padding: 6pt 9pt; margin: 6pt 0 10pt;
          page-break-inside: avoid; break-inside: avoid; }
.banner.ok { border-color: #2a7a2a; background: #eef7ee; }
.banner.bad { border-color: #b00020; background: #fdecee; }
.banner ul { margin: 4pt 0 0; }
.entry { margin: 0 0 6pt; padding: 3pt 0 3pt 8pt; border-left: 3px solid #bbb;
         page-break-inside: avoid; break-inside: avoid; }
.entry .n { font-weight: bold; }
.entry .kind { font-weight: bold; }
.entry .at { color: #555; font-size: 9pt; }
.entry dl { margin: 2pt 0 0 0; display: grid; grid-template-columns: max-content 1fr;
            column-gap: 6pt; }
.entry dt { font-style: italic; color: #333; }
.entry dd { margin: 0; }
.entry.undone { border-left-color: #ddd; color: #666; }
.entry.undone .head { text-decoration: line-through; }
.tag { font-size: 9pt; font-style: italic; border: 1px solid #999; padding: 0 3pt;
       margin-left: 4pt; }
.fork { border-top: 2px dashed #555; margin: 8pt 0; padding-top: 2pt; font-style: italic; }
.changed { font-weight: bold; }
blockquote { margin: 4pt 0 4pt 12pt; padding-left: 8pt; border-left: 3px solid #999; }
a { color: #111; word-break: break-all; }
ol.bib li, ul.events li { margin-bottom: 3pt; page-break-inside: avoid; break-inside: avoid; }
@media print { a { text-decoration: none; } }
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def to_html(report: AfterActionReport) -> str:
    r = report
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>")
    w('<html lang="en"><head><meta charset="utf-8">')
    w(f"<title>After-action report: {_h(r.scenario_title)} — {_h(r.group)}</title>")
    w(f"<style>{_CSS}</style></head><body>")
    w(f"<h1>After-action report: {_h(r.scenario_title)}</h1>")
    cls = "ok" if r.verified else "bad"
    w(f'<div class="banner {cls}"><strong>{"Verified" if r.verified else "NOT VERIFIED"}</strong>'
      f" — {_h(r.banner)}")
    if not r.verified:
        w("<p>This report was produced from a log that does not verify. States, dice and "
          "signposts below are recomputed from the scenario as far as the log replays; entries "
          "the replay did not reach are marked <em>not confirmed</em>.</p>")
    if r.problems:
        w("<ul>" + "".join(f"<li>{_h(p)}</li>" for p in r.problems) + "</ul>")
    w("</div>")

    w("<h2>1. Exercise overview</h2>")
    w("<table>")
    for k, v in _overview_rows(r):
        w(f"<tr><th>{_h(k)}</th><td>{_h(v)}</td></tr>")
    w("</table>")
    if r.fork:
        w(f"<p><strong>Forked session.</strong> {_h(_fork_sentence(r.fork))}</p>")
        w("<ul>")
        w(f"<li>the parent went on with: {_h(r.fork.parent_next or 'unknown (parent log not found)')}</li>")
        w(f"<li>this session went on with: {_h(r.fork.this_next)}</li>")
        w("</ul>")

    w("<h2>2. Timeline</h2>")
    w("<p>Every logged action in order. Undone actions are struck through and marked "
      "<em>undone</em>; they no longer count.</p>")
    if not r.timeline:
        w("<p>No action was logged.</p>")
    for sec in r.timeline:
        head = f"Turn {sec.turn}: {_h(sec.label)}"
        if sec.date:
            head += f" ({_h(sec.date)})"
        if sec.continued:
            head += " — continued"
        w(f"<h3>{head}</h3>")
        for e in sec.entries:
            if r.fork and not e.inherited and e.n == r.fork.at + 1:
                w(f'<div class="fork">Fork point: actions 1–{r.fork.at} come from the parent '
                  "session; this session departs here.</div>")
            classes = "entry" + (" undone" if e.undone else "") + ("" if e.confirmed else " unconfirmed")
            w(f'<div class="{classes}" id="action-{e.n}">')
            tags = []
            if e.undone:
                tags.append(f"undone by action {e.undone_by}")
            if e.inherited:
                tags.append("from the parent session")
            if not e.confirmed:
                tags.append("not confirmed by replay")
            head = (f'<span class="n">{e.n}.</span> <span class="kind">{_h(e.kind)}:</span> '
                    f"{_h(e.title)}")
            if e.undone:
                head = f"<del>{head}</del>"
            w(f'<div><span class="head">{head}</span>'
              + "".join(f'<span class="tag">{_h(t)}</span>' for t in tags)
              + (f' <span class="at">{_h(_short_time(e.at, r.started))}</span>' if e.at else "")
              + "</div>")
            if e.details:
                w("<dl>" + "".join(f"<dt>{_h(d.label)}</dt><dd>{_h(d.text)}</dd>"
                                   for d in e.details) + "</dl>")
            w("</div>")
    if r.fork and r.fork.at >= r.actions:
        w(f'<div class="fork">Fork point after action {r.fork.at}: nothing has been played '
          "since.</div>")

    w("<h2>3. Signposts</h2>")
    if r.signposts:
        w("<table><tr><th>Turn</th><th>Signpost</th></tr>")
        for s in r.signposts:
            w(f"<tr><td>{s.turn} ({_h(s.turn_label)})</td><td>{_h(s.text)}</td></tr>")
        w("</table>")
    else:
        w("<p>" + ("No signpost fired." if r.final_state
                   else "Not available: the log could not be replayed.") + "</p>")

    w("<h2>4. Final state against the baseline</h2>")
    if r.final_state:
        if r.confirmed < r.actions:
            w(f"<p><em>As of action {r.confirmed}, the last one that replays.</em></p>")
        w("<table><tr><th>Variable</th><th>Baseline</th><th>Final</th><th>Changed</th></tr>")
        for v in r.final_state:
            c = ' class="changed"' if v.changed else ""
            w(f"<tr{c}><td>{_h(v.label)}</td><td>{_h(v.baseline)}</td><td>{_h(v.final)}</td>"
              f"<td>{'changed' if v.changed else ''}</td></tr>")
        w("</table>")
    else:
        w("<p>Not available: the log could not be replayed against the scenario.</p>")

    w("<h2>5. Hotwash</h2>")
    if r.hotwash:
        paras = [p for p in str(r.hotwash).split("\n\n") if p.strip()]
        w("<blockquote>" + "".join(f"<p>{_h(p).replace(chr(10), '<br>')}</p>" for p in paras)
          + "</blockquote>")
    elif r.hotwash == "":
        w("<p>The session ended without hotwash notes.</p>")
    else:
        w("<p>The session has not ended: no hotwash was recorded.</p>")

    w("<h2>6. Sources of the branches played</h2>")
    if r.events:
        w("<h3>Events</h3><ul class=\"events\">")
        for ev in r.events:
            off = " <em>(switched off in this session)</em>" if ev.switched_off else ""
            w(f"<li><strong>{_h(ev.date)}</strong> — {_h(ev.title)}{off}<br>"
              f"<small>cited by: {_h('; '.join(ev.cited_by))}</small>")
            if ev.sources:
                w("<ul>" + "".join(f"<li>{_source_html(s)}</li>" for s in ev.sources) + "</ul>")
            w("</li>")
        w("</ul><h3>Bibliography</h3><ol class=\"bib\">")
        for s in r.sources:
            w(f"<li>{_source_html(s)}</li>")
        w("</ol>")
    else:
        w("<p>No branch that cites an event was played.</p>")
    w("</body></html>")
    return "\n".join(out) + "\n"


def _source_html(s: CitedSource) -> str:
    parts = []
    if s.issuer:
        parts.append(_h(s.issuer))
    parts.append(f"“{_h(s.title)}”")
    if s.published:
        parts.append(_h(s.published))
    if s.details:
        parts.append(_h(s.details))
    if s.footnotes:
        parts.append(_h(s.footnote_text))
    if s.url.startswith(("http://", "https://")):
        parts.append(f'<a href="{_h(s.url)}">{_h(s.url)}</a>')
    elif s.url:
        parts.append(_h(s.url))
    return ", ".join(parts)
