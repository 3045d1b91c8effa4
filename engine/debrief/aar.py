"""The HSEEP-shaped parts of the after-action report and improvement plan (AAR/IP).

From a session's logged debrief actions (observations, hotwash entries, amendments; see
`engine.play.hotwash`) and the scenario's objectives, this gathers: the executive summary's
facts, each objective with its observations, rating and hotwash, the improvement-plan matrix,
and every amendment. Amendments are applied in log order: the report shows the amended value
and keeps the original beside it.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import Any

import attrs

from engine.i18n import N_, _
from engine.model import Scenario
from engine.play import records as lr
from engine.play.hotwash import GENERAL, KINDS, RATINGS

GENERAL_TITLE = N_("General (not tied to an objective)")   # translated where shown


@attrs.frozen
class Amendment:
    n: int                 # the amending action
    target: int            # the action amended
    field: str
    original: Any
    value: Any
    reason: str = ""
    at: str = ""

    @property
    def original_text(self) -> str:
        return show_field(self.field, self.original)

    @property
    def value_text(self) -> str:
        return show_field(self.field, self.value)


@attrs.frozen
class Observation:
    n: int
    objective: str
    kind: str              # strength | improve
    text: str
    supports: int | None
    supports_text: str     # one line on the supporting action, with titles
    at: str = ""
    amendments: tuple[Amendment, ...] = ()


@attrs.frozen
class PlanItem:
    objective: str         # objective id ('' for general)
    objective_title: str
    recommendation: str
    owner: str
    due: str
    entry: int             # the hotwash action that holds it
    amended: bool = False


@attrs.frozen
class ObjectiveReport:
    id: str                # '' for the general section
    text: str
    capabilities: tuple[str, ...]
    questions: tuple[str, ...]
    rating: str            # P/S/M/U or ''
    strengths: tuple[Observation, ...]
    improvements: tuple[Observation, ...]
    sustain: str = ""
    improve: str = ""
    notes: str = ""
    entry: int | None = None            # the hotwash action, if any
    amendments: tuple[Amendment, ...] = ()   # of the hotwash entry
    plan: tuple[PlanItem, ...] = ()

    @property
    def title(self) -> str:
        return self.text if self.id else _(GENERAL_TITLE)

    @property
    def rating_label(self) -> str:
        return _(RATINGS[self.rating]) if self.rating in RATINGS else _("not rated")

    @property
    def empty(self) -> bool:
        return not (self.strengths or self.improvements or self.entry is not None)


@attrs.frozen
class Debrief:
    objectives: tuple[ObjectiveReport, ...]    # declared order, then the general section
    plan: tuple[PlanItem, ...]
    amendments: tuple[Amendment, ...]
    participants: tuple[str, ...]
    contact: str
    observations: int


def show_field(field: str, value: Any) -> str:
    """A logged field's value as the report prints it."""
    if field == "rating":
        return f"{value} ({_(RATINGS[value]).lower()})" if isinstance(value, str) and \
            value in RATINGS else _("not rated")
    if field == "kind":
        return _(KINDS[value]) if isinstance(value, str) and value in KINDS else str(value)
    if field == "plan" and isinstance(value, list):
        return "; ".join(_("{text} ({owner}, due {due})").format(
            text=i.get('recommendation'), owner=i.get('owner') or _('no owner'),
            due=i.get('due') or '—') for i in value if isinstance(i, dict)) or _("no items")
    if isinstance(value, list):
        return "; ".join(map(str, value)) or "—"
    return str(value) if value not in (None, "") else "—"


def build_debrief(actions: Iterable[dict], sc: Scenario | None, summarize) -> Debrief:
    """Gather the debrief from the logged actions (all of them: none of these is undoable).

    `summarize(record)` gives one line on an action, with titles, for the supporting action.
    """
    actions = [a for a in actions if isinstance(a, dict) and isinstance(a.get("n"), int)]
    by_n = {a["n"]: a for a in actions}
    current: dict[tuple[Any, str], Any] = {}   # (amended action's n, field) -> its value now
    amendments: list[Amendment] = []
    for rec in actions:
        if lr.kind(rec) is not lr.Amend:
            continue
        target, field = rec.get("amends"), str(rec.get("field", ""))
        if not isinstance(target, int) or (base := by_n.get(target)) is None:
            continue
        original = current.get((target, field), base.get(field, ""))
        current[(target, field)] = rec.get("value")
        amendments.append(Amendment(rec["n"], target, field, original,
                                    rec.get("value"), str(rec.get("reason", "") or ""),
                                    str(rec.get("at", ""))))

    def value(rec: dict, field: str, default: Any = "") -> Any:
        return current.get((rec.get("n"), field), rec.get(field, default))

    by_target: dict[Any, list[Amendment]] = {}
    for am in amendments:
        by_target.setdefault(am.target, []).append(am)

    def amended(n: Any) -> tuple[Amendment, ...]:
        return tuple(by_target.get(n, ()))

    observations: list[Observation] = []
    entries: dict[str, dict] = {}
    participants: list[str] = []
    contact = ""
    # (the amendable fields are read by name: an amendment names the field it changes)
    for rec in actions:
        kind = lr.kind(rec)
        if kind is lr.Observe:
            sup = rec.get("supports")
            sup_rec = by_n.get(sup) if isinstance(sup, int) else None
            observations.append(Observation(
                rec["n"], str(rec.get("objective", "")), str(value(rec, "kind")),
                str(value(rec, "text")), sup if isinstance(sup, int) else None,
                summarize(sup_rec) if sup_rec else "", str(rec.get("at", "")),
                amended(rec.get("n"))))
        elif kind is lr.Hotwash:
            entries.setdefault(str(rec.get("objective", "")), rec)
        elif kind is lr.End:
            people = value(rec, "participants", [])
            participants = [str(p) for p in people] if isinstance(people, list) else []
            contact = str(value(rec, "contact", "") or "")

    declared = list(sc.objectives) if sc else []
    ids = [o.id for o in declared]
    extra = sorted({o.objective for o in observations} | set(entries))
    sections: list[ObjectiveReport] = []
    plan: list[PlanItem] = []
    for oid in ids + [x for x in extra if x not in ids and x != GENERAL] + [GENERAL]:
        obj = sc.objective(oid) if sc and oid else None
        mine = [o for o in observations if o.objective == oid]
        entry = entries.get(oid)
        items: list[PlanItem] = []
        text = obj.text if obj else (oid if oid else _(GENERAL_TITLE))
        if entry is not None:
            n = entry["n"]
            plan_amended = any(a.field == "plan" for a in amended(n))
            items_logged = value(entry, "plan", [])
            for item in items_logged if isinstance(items_logged, list) else []:
                if isinstance(item, dict):
                    items.append(PlanItem(oid, text if oid else _(GENERAL_TITLE),
                                          str(item.get("recommendation", "")),
                                          str(item.get("owner", "")), str(item.get("due", "")),
                                          n, plan_amended))
        section = ObjectiveReport(
            oid, text, obj.capabilities if obj else (), obj.questions if obj else (),
            str(value(entry, "rating")) if entry else "",
            tuple(o for o in mine if o.kind == "strength"),
            tuple(o for o in mine if o.kind != "strength"),
            str(value(entry, "sustain")) if entry else "",
            str(value(entry, "improve")) if entry else "",
            str(value(entry, "notes")) if entry else "",
            entry["n"] if entry else None,
            amended(entry.get("n")) if entry else (), tuple(items))
        if oid == GENERAL and section.empty:
            continue
        sections.append(section)
        plan += items
    return Debrief(tuple(sections), tuple(plan), tuple(amendments), tuple(participants),
                   contact, len(observations))


# ---------------------------------------------------------------------------- times and values

def zone_of(header: dict) -> tuple[_dt.timezone, str]:
    """The session's local time zone (from its header), UTC when it was not recorded."""
    zone = header.get("zone")
    if not isinstance(zone, dict):
        zone = {}
    m = re.match(r"^([+-])(\d\d):(\d\d)$", str(zone.get("offset", "")))
    if not m:
        return _dt.UTC, "UTC"
    minutes = (int(m.group(2)) * 60 + int(m.group(3))) * (1 if m.group(1) == "+" else -1)
    name = str(zone.get("name", "") or "")
    label = f"UTC{m.group(1)}{m.group(2)}:{m.group(3)}"
    if minutes == 0 and name in ("", "UTC"):
        return _dt.UTC, "UTC"
    return _dt.timezone(_dt.timedelta(minutes=minutes)), (f"{name}, {label}" if name and
                                                           name != label else label)


def local_time(at: str, tz: _dt.timezone, *, day: bool = True) -> str:
    """A logged ISO time in the session's zone: '2024-03-01 13:05' (or '13:05')."""
    try:
        t = _dt.datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        return str(at)
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    t = t.astimezone(tz)
    return t.strftime("%Y-%m-%d %H:%M" if day else "%H:%M")


