"""Observations, the structured hotwash and amendments: the debrief's logged actions.

These actions record what the white cell saw and concluded; none changes the game state.
This module checks their fields (so the session, replay and resume share one set of rules)
and says which logged field an amendment may replace. `Session.observe`, `Session.hotwash`
and `Session.amend` log them.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from engine.i18n import N_
from engine.model import Scenario

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
AMENDABLE: dict[str, dict[str, str]] = {
    "choose": {"rationale": "text"},
    "decide": {"rationale": "text"},
    "release": {"rationale": "text"},
    "override": {"rationale": "text"},
    "seal": {"rationale": "text"},             # a cell's sealed move (issue 13)
    "argument": {"argument": "text"},          # a matrix-game argument (issue 13)
    "note": {"text": "text"},
    "observe": {"text": "text", "kind": "kind"},
    "end": {"hotwash": "text", "contact": "text", "participants": "lines"},
    "hotwash": {"rating": "rating", "sustain": "text", "improve": "text", "notes": "text",
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
        known = ", ".join(o.id for o in scenario.objectives) or "none declared"
        raise DebriefError(f"there is no objective {objective!r} (objectives: {known}; "
                           "or leave it empty for a general one)")
    return objective


def check_text(value: Any, what: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise DebriefError(f"{what} should be text")
    if len(value) > MAX_TEXT:
        raise DebriefError(f"{what} is too long ({len(value)} characters; at most {MAX_TEXT})")
    if required and not value.strip():
        raise DebriefError(f"{what} is empty")
    return value.strip()


def check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise DebriefError(f"an observation is a strength or an area for improvement "
                           f"(write 'strength' or 'improve', not {kind!r})")
    return kind


def check_rating(rating: Any) -> str:
    if rating == "":
        return ""
    if not isinstance(rating, str) or rating.upper() not in RATINGS:
        raise DebriefError(f"rating {rating!r} is not one of "
                           + ", ".join(f"{k} ({v.lower()})" for k, v in RATINGS.items()))
    return rating.upper()


def check_lines(value: Any, what: str) -> list[str]:
    """A list of lines (participants): text, or a list of texts; empty lines dropped."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)) or len(value) > MAX_ITEMS:
        raise DebriefError(f"{what} should be a list of at most {MAX_ITEMS} lines")
    if not all(isinstance(v, str) for v in value):
        raise DebriefError(f"every item of {what} should be text")
    return [check_text(v, what) for v in value if v.strip()]


def check_plan(items: Any) -> list[dict]:
    """Improvement-plan items: each a recommendation, an owner and a due date (YYYY-MM-DD)."""
    if not isinstance(items, (list, tuple)) or len(items) > MAX_ITEMS:
        raise DebriefError(f"the improvement plan should be a list of at most {MAX_ITEMS} items")
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DebriefError(f"improvement-plan item {i} should have a recommendation, an "
                               "owner and a due date")
        rec = check_text(item.get("recommendation", ""), f"the recommendation of item {i}",
                         required=True)
        owner = check_text(item.get("owner", ""), f"the owner of item {i}")
        due = check_text(item.get("due", ""), f"the due date of item {i}")
        if due and not _DUE_RE.match(due):
            raise DebriefError(f"the due date of item {i} ({due!r}) should be a date like "
                               "2025-06-30 (or 2025-06)")
        out.append({"recommendation": rec, "owner": owner, "due": due})
    return out


def check_amendment(records: list[dict], target: Any, field: Any, value: Any) -> Any:
    """The amended value, checked; DebriefError says why an amendment cannot be made."""
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target < len(records):
        raise DebriefError(f"there is no logged action {target!r} to amend "
                           f"(actions 1–{len(records) - 1})")
    rec = records[target]
    action = rec.get("action")
    fields = AMENDABLE.get(str(action))
    if not fields:
        raise DebriefError(f"action {target} ({action}) has nothing that can be amended")
    if field not in fields:
        raise DebriefError(f"action {target} ({action}): '{field}' cannot be amended "
                           f"(it can: {', '.join(fields)})")
    how = fields[field]
    what = f"the amended {field}"
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
            if r.get("action") == "hotwash"}


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
            raise DebriefError(f"'{line.strip()}': write recommendation ; owner ; due date "
                               "(three parts at most)")
        parts += [""] * (3 - len(parts))
        items.append({"recommendation": parts[0], "owner": parts[1], "due": parts[2]})
    return check_plan(items)


def parse_action_number(text: str, what: str = "the supporting action") -> int | None:
    """An action number typed in a field ('' for none)."""
    text = str(text).strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit():
        raise DebriefError(f"{what} should be an action number, as the log panel shows it "
                           f"(not {text!r})")
    return int(text)


def amendable_fields(records: list[dict], target: int | None) -> tuple[str, ...]:
    """The fields of a logged action an amendment may replace (none for an unknown one)."""
    if target is None or not 1 <= target < len(records):
        return ()
    return tuple(AMENDABLE.get(str(records[target].get("action")), {}))
