"""Observations, the structured hotwash and amendments: the debrief's logged actions.

These actions record what the white cell saw and concluded; none changes the game state.
This module checks their fields (so the session, replay and resume share one set of rules)
and says which logged field an amendment may replace. `Session.observe`, `Session.hotwash`
and `Session.amend` log them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from engine.i18n import N_, _
from engine.model import Scenario
from engine.play import records as lr

# What an observation is, HSEEP-style.
KINDS = {"strength": N_("Strength"), "improve": N_("Area for improvement")}

# HSEEP's ratings of how an objective (its capability) was performed.
RATINGS = {
    "P": N_("Performed without challenges"),
    "S": N_("Performed with some challenges"),
    "M": N_("Performed with major challenges"),
    "U": N_("Unable to be performed"),
}

GENERAL = ""            # the objective id of observations and hotwash entries not tied to one

# Which fields of which logged action an amendment may replace, and with what.
AMENDABLE: dict[type[lr.Record], dict[str, str]] = {
    lr.Choose: {"rationale": "text"},
    lr.Decide: {"rationale": "text"},
    lr.Release: {"rationale": "text"},
    lr.Override: {"rationale": "text"},
    lr.Seal: {"rationale": "text"},             # a cell's sealed move (issue 13)
    lr.Argument: {"argument": "text"},          # a matrix-game argument (issue 13)
    lr.Note: {"text": "text"},
    lr.Observe: {"text": "text", "kind": "kind"},
    lr.End: {"hotwash": "text", "contact": "text", "participants": "lines"},
    lr.Hotwash: {"rating": "rating", "sustain": "text", "improve": "text", "notes": "text",
                 "plan": "plan"},
}

_DUE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
MAX_TEXT = 20_000       # characters in one field; a bound, not a style rule
MAX_ITEMS = 200         # participants or improvement-plan items in one record


class DebriefError(ValueError):
    """A debrief action that cannot be logged; the message says what to change."""


def check_objective(scenario: Scenario, objective: Any) -> str:
    if objective == GENERAL:
        return GENERAL
    if not isinstance(objective, str) or scenario.objective(objective) is None:
        known = ", ".join(o.id for o in scenario.objectives) or _("none declared")
        raise DebriefError(_("there is no objective {objective} (objectives: {known}; or leave "
                             "it empty for a general one)").format(objective=repr(objective),
                                                                   known=known))
    return objective


def check_text(value: Any, what: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise DebriefError(_("{what} should be text").format(what=what))
    if len(value) > MAX_TEXT:
        raise DebriefError(_("{what} is too long ({n} characters; at most {limit})").format(
            what=what, n=len(value), limit=MAX_TEXT))
    if required and not value.strip():
        raise DebriefError(_("{what} is empty").format(what=what))
    return value.strip()


def check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise DebriefError(_("an observation is a strength or an area for improvement (write "
                             "'strength' or 'improve', not {kind})").format(kind=repr(kind)))
    return kind


# Ratings and observation kinds are typed as letters; in the Cyrillic layout the facilitator
# types Р/П for P, С for S, М for M, У for U (they look or sound the same), and с/у
# (сильная сторона, улучшить) or ы/ш (the keys where s and i sit) for the kinds.
_RATING_LETTERS = str.maketrans("РПСМУрпсму", "PPSMUppsmu")
_KIND_LETTERS = {"s": "strength", "i": "improve", "с": "strength", "у": "improve",
                 "ы": "strength", "ш": "improve"}


def observation_kind(text: str) -> str:
    """'strength' or 'improve' from what the facilitator typed (a word or its first letter,
    in either layout); anything else is returned as typed, for `observe` to refuse."""
    typed = text.strip().lower()
    return _KIND_LETTERS.get(typed[:1], typed) if typed not in KINDS else typed


def check_rating(rating: Any) -> str:
    if isinstance(rating, str):
        rating = rating.strip().translate(_RATING_LETTERS)
    if rating == "":
        return ""
    if not isinstance(rating, str) or rating.upper() not in RATINGS:
        raise DebriefError(_("rating {rating} is not one of {ratings}").format(
            rating=repr(rating),
            ratings=", ".join(f"{k} ({_(v).lower()})" for k, v in RATINGS.items())))
    return rating.upper()


def check_lines(value: Any, what: str) -> list[str]:
    """A list of lines (participants): text, or a list of texts; empty lines dropped."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)) or len(value) > MAX_ITEMS:
        raise DebriefError(_("{what} should be a list of at most {n} lines").format(
            what=what, n=MAX_ITEMS))
    if not all(isinstance(v, str) for v in value):
        raise DebriefError(_("every item of {what} should be text").format(what=what))
    return [check_text(v, what) for v in value if v.strip()]


def check_plan(items: Any) -> list[dict]:
    """Improvement-plan items: each a recommendation, an owner and a due date (YYYY-MM-DD)."""
    if not isinstance(items, (list, tuple)) or len(items) > MAX_ITEMS:
        raise DebriefError(_("the improvement plan should be a list of at most {n} "
                             "items").format(n=MAX_ITEMS))
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DebriefError(_("improvement-plan item {n} should have a recommendation, an "
                                 "owner and a due date").format(n=i))
        rec = check_text(item.get("recommendation", ""),
                         _("the recommendation of item {n}").format(n=i), required=True)
        owner = check_text(item.get("owner", ""), _("the owner of item {n}").format(n=i))
        due = check_text(item.get("due", ""), _("the due date of item {n}").format(n=i))
        if due and not _DUE_RE.match(due):
            raise DebriefError(_("the due date of item {n} ({due}) should be a date like "
                                 "2025-06-30 (or 2025-06)").format(n=i, due=repr(due)))
        out.append({"recommendation": rec, "owner": owner, "due": due})
    return out


def check_amendment(records: Sequence[dict], target: Any, field: Any, value: Any) -> Any:
    """The amended value, checked; DebriefError says why an amendment cannot be made."""
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target < len(records):
        raise DebriefError(_("there is no logged action {n} to amend (actions 1–{last})").format(
            n=repr(target), last=len(records) - 1))
    kind = lr.kind(records[target])
    action = kind.ACTION if kind is not None else records[target].get("action")
    fields = AMENDABLE.get(kind) if kind is not None else None
    if not fields:
        raise DebriefError(_("action {n} ({action}) has nothing that can be amended").format(
            n=target, action=action))
    if field not in fields:
        raise DebriefError(_("action {n} ({action}): '{field}' cannot be amended (it can: "
                             "{fields})").format(n=target, action=action, field=field,
                                                 fields=', '.join(fields)))
    how = fields[field]
    what = _("the amended {field}").format(field=field)
    if how == "rating":
        return check_rating(value)
    if how == "kind":
        return check_kind(value)
    if how == "lines":
        return check_lines(value, what)
    if how == "plan":
        return check_plan(value)
    return check_text(value, what, required=field in ("text",))


def hotwash_entries(records: Iterable[dict]) -> dict[str, int]:
    """{objective id: action n} of the hotwash entries logged so far."""
    return {str(r.get("objective", "")): int(r.get("n", 0)) for r in records
            if lr.kind(r) is lr.Hotwash}


# ---------------------------------------------------------------------------- typed forms
# What the facilitator types in the app's dialogs, read into the actions' fields.

def parse_plan_lines(text: str) -> list[dict]:
    """Improvement-plan items typed one per line: `recommendation ; owner ; due date`
    (owner and due date may be left out)."""
    items = []
    for line in str(text).splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) > 3:
            raise DebriefError(_("'{line}': write recommendation ; owner ; due date (three "
                                 "parts at most)").format(line=line.strip()))
        parts += [""] * (3 - len(parts))
        items.append({"recommendation": parts[0], "owner": parts[1], "due": parts[2]})
    return check_plan(items)


def parse_action_number(text: str, what: str | None = None) -> int | None:
    """An action number typed in a field ('' for none); `what` names it in an error
    (default: the supporting action)."""
    what = what or _("the supporting action")
    text = str(text).strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit():
        raise DebriefError(_("{what} should be an action number, as the log panel shows it "
                             "(not {text})").format(what=what, text=repr(text)))
    return int(text)


def amendable_fields(records: list[dict], target: int | None) -> tuple[str, ...]:
    """The fields of a logged action an amendment may replace (none for an unknown one)."""
    if target is None or not 1 <= target < len(records):
        return ()
    kind = lr.kind(records[target])
    return tuple(AMENDABLE.get(kind, {})) if kind is not None else ()
