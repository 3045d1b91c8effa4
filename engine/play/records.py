"""The session log's records, typed: one frozen class per kind of line, and one serialiser.

Line 1 of a log is a `Header`; every later line is one action (`Choose`, `Roll`, … `Amend`).
`from_json` turns a line's dict into its record and `to_json` turns a record back into the
dict, with the very keys, order and values the engine writes, so that a log re-serialised
hashes as it did (its chain still verifies). This module is the reference for what each
record holds: `engine.play.session` writes through `to_json`, and the readers (replay, the
report) dispatch on the classes with `match`.

A field is *required* (`from_json` refuses a line without it), *defaulted* (always written;
a line without it reads as the default) or *optional* (written only when it is not None).
A sealed line's `prev`, `hash` and the signer's fields (`mac`) ride along in `prev`, `hash`
and `extra`; so does any key this engine does not know, so that nothing read is dropped.

To add a kind of record: a class below with its `ACTION`, its fields in the order they are
written, and its entry in `_SPEC` (each field required, defaulted or optional) and `ACTIONS`;
then a `Session` method that builds it, and a `case` for it in `Session.apply_record`,
`describe_action` and the report's `_entry_parts`.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from engine.i18n import _
from engine.play.errors import SessionError

REQUIRED, DEFAULTED, OPTIONAL = "required", "defaulted", "optional"


class RecordError(SessionError):
    """A log line that is not a record this engine knows, or lacks a field it needs."""


@attrs.frozen(slots=True, kw_only=True)
class Record:
    """What every action line holds: its number (the line number less one), when it was
    taken, the turn and the state hash after it, and the seal (`prev`, `hash`, `extra`)."""

    ACTION: ClassVar[str] = ""
    n: int = 0
    at: str = ""
    turn: int = 0
    state: str = ""
    prev: str | None = None
    hash: str | None = None
    extra: Mapping[str, Any] | None = None     # the signer's fields (`mac`), unknown keys

    @property
    def action(self) -> str:
        return self.ACTION


@attrs.frozen(slots=True, kw_only=True)
class Choose(Record):
    ACTION: ClassVar[str] = "choose"
    branch: str
    option: str
    rationale: str = ""
    cell: str | None = None          # with cells: the cell whose actor the branch is
    sealed: int | None = None        # a revealed sealed move: the seal's action number


@attrs.frozen(slots=True, kw_only=True)
class Roll(Record):
    ACTION: ClassVar[str] = "roll"
    branch: str
    option: str
    dice: str
    faces: list[int]
    modifiers: list[list[Any]]       # [label, value] pairs
    total: int
    band: str | None = None          # a graded roll: the result the total fell in
    against_dice: str | None = None  # an opposed roll: the other pool's dice and faces
    against: list[int] | None = None
    target: int | None = None        # not graded: the target (opposed: the other total)
    success: bool | None = None


@attrs.frozen(slots=True, kw_only=True)
class Decide(Record):
    ACTION: ClassVar[str] = "decide"
    branch: str
    option: str
    band: str | None = None          # a graded adjudication's result, or
    success: bool | None = None      # success or failure
    rationale: str = ""


@attrs.frozen(slots=True, kw_only=True)
class Note(Record):
    ACTION: ClassVar[str] = "note"
    text: str
    sealed: int | None = None        # a revealed sealed move set aside: the seal's number


@attrs.frozen(slots=True, kw_only=True)
class Seal(Record):
    ACTION: ClassVar[str] = "seal"
    cell: str
    branch: str
    option: str
    rationale: str = ""


@attrs.frozen(slots=True, kw_only=True)
class Reveal(Record):
    ACTION: ClassVar[str] = "reveal"
    seals: list[int]


@attrs.frozen(slots=True, kw_only=True)
class Argument(Record):
    ACTION: ClassVar[str] = "argument"
    cell: str
    argument: str
    counters: list[str]
    strength: str
    dice: str = ""
    faces: list[int] = attrs.Factory(list)
    total: int = 0
    target: int = 0
    success: bool = False


@attrs.frozen(slots=True, kw_only=True)
class Release(Record):
    ACTION: ClassVar[str] = "release"
    inject: str
    rationale: str = ""


@attrs.frozen(slots=True, kw_only=True)
class Override(Record):
    ACTION: ClassVar[str] = "override"
    variable: str
    value: Any                       # the value as JSON (engine.model.to_json_value)
    rationale: str = ""


@attrs.frozen(slots=True, kw_only=True)
class Undo(Record):
    ACTION: ClassVar[str] = "undo"
    undoes: int


@attrs.frozen(slots=True, kw_only=True)
class NextTurn(Record):
    ACTION: ClassVar[str] = "next_turn"
    released: list[str] = attrs.Factory(list)
    draws: list[dict[str, Any]] | None = None    # chance injects drawn (format 2)


@attrs.frozen(slots=True, kw_only=True)
class End(Record):
    ACTION: ClassVar[str] = "end"
    hotwash: str = ""
    participants: list[str] | None = None
    contact: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class Observe(Record):
    ACTION: ClassVar[str] = "observe"
    objective: str
    kind: str
    text: str
    supports: int | None = None      # written as null when there is none


@attrs.frozen(slots=True, kw_only=True)
class Hotwash(Record):
    ACTION: ClassVar[str] = "hotwash"
    objective: str
    rating: str = ""
    sustain: str = ""
    improve: str = ""
    notes: str = ""
    plan: list[dict[str, Any]] = attrs.Factory(list)


@attrs.frozen(slots=True, kw_only=True)
class Amend(Record):
    ACTION: ClassVar[str] = "amend"
    amends: int
    field: str
    value: Any
    reason: str = ""


@attrs.frozen(slots=True, kw_only=True)
class Header:
    """Line 1: the scenario (id, title, path, content hashes, language, text version), the
    seed, the group, when it started, the events switched off, the session it was forked
    from, the room's time zone, signing and time box when set, and the state hash."""

    format: Any
    engine: str = ""
    scenario: dict[str, Any] = attrs.Factory(dict)
    seed: int = 0
    group: str = ""
    started: str = ""
    switched_off: list[str] = attrs.Factory(list)
    forked_from: dict[str, Any] | None = None
    zone: dict[str, Any] | None = None
    signing: dict[str, Any] | None = None
    time_box: int | None = None
    state: str | None = None
    prev: str | None = None
    hash: str | None = None
    extra: Mapping[str, Any] | None = None


ACTIONS: tuple[type[Record], ...] = (Choose, Roll, Decide, Note, Seal, Reveal, Argument, Release,
                                     Override, Undo, NextTurn, End, Observe, Hotwash, Amend)
BY_ACTION: dict[str, type[Record]] = {cls.ACTION: cls for cls in ACTIONS}
AnyRecord = Header | Record

# Per class, its own fields in the order they are written: (key, mode). Keys are the attribute
# names. The action lines' common fields frame them: type, n, at, action, …, turn, state.
_COMMON = (("n", DEFAULTED), ("at", DEFAULTED))
_TAIL = (("turn", DEFAULTED), ("state", DEFAULTED))
_SPEC: dict[type, tuple[tuple[str, str], ...]] = {
    Choose: (("branch", REQUIRED), ("option", REQUIRED), ("rationale", DEFAULTED),
             ("cell", OPTIONAL), ("sealed", OPTIONAL)),
    Roll: (("branch", REQUIRED), ("option", REQUIRED), ("dice", DEFAULTED),
           ("faces", DEFAULTED), ("modifiers", DEFAULTED), ("total", DEFAULTED),
           ("band", OPTIONAL), ("against_dice", OPTIONAL), ("against", OPTIONAL),
           ("target", OPTIONAL), ("success", OPTIONAL)),
    Decide: (("branch", REQUIRED), ("option", REQUIRED), ("band", OPTIONAL),
             ("success", OPTIONAL), ("rationale", DEFAULTED)),
    Note: (("text", REQUIRED), ("sealed", OPTIONAL)),
    Seal: (("cell", REQUIRED), ("branch", REQUIRED), ("option", REQUIRED),
           ("rationale", DEFAULTED)),
    Reveal: (("seals", DEFAULTED),),
    Argument: (("cell", REQUIRED), ("argument", REQUIRED), ("counters", DEFAULTED),
               ("strength", REQUIRED), ("dice", DEFAULTED), ("faces", DEFAULTED),
               ("total", DEFAULTED), ("target", DEFAULTED), ("success", DEFAULTED)),
    Release: (("inject", REQUIRED), ("rationale", DEFAULTED)),
    Override: (("variable", REQUIRED), ("value", REQUIRED), ("rationale", DEFAULTED)),
    Undo: (("undoes", DEFAULTED),),
    NextTurn: (("released", DEFAULTED), ("draws", OPTIONAL)),
    End: (("hotwash", DEFAULTED), ("participants", OPTIONAL), ("contact", OPTIONAL)),
    Observe: (("objective", REQUIRED), ("kind", REQUIRED), ("text", REQUIRED),
              ("supports", DEFAULTED)),
    Hotwash: (("objective", REQUIRED), ("rating", DEFAULTED), ("sustain", DEFAULTED),
              ("improve", DEFAULTED), ("notes", DEFAULTED), ("plan", DEFAULTED)),
    Amend: (("amends", REQUIRED), ("field", REQUIRED), ("value", REQUIRED),
            ("reason", DEFAULTED)),
    Header: (("format", REQUIRED), ("engine", DEFAULTED), ("scenario", DEFAULTED),
             ("seed", DEFAULTED), ("group", DEFAULTED), ("started", DEFAULTED),
             ("switched_off", DEFAULTED), ("forked_from", DEFAULTED), ("zone", OPTIONAL),
             ("signing", OPTIONAL), ("time_box", OPTIONAL), ("state", OPTIONAL)),
}
_SEAL = ("prev", "hash")
# what from_json reads, per class: (key, required?); the rest of a line goes to `extra`
_READ = {cls: tuple((k, mode == REQUIRED) for k, mode in
                    (spec if cls is Header else _COMMON + spec + _TAIL))
         for cls, spec in _SPEC.items()}
# what to_json writes, per class: the fields' getter (one call for all) and (key, optional?)
_WRITE = {cls: (operator.attrgetter(*(k for k, _m in spec)),
                tuple((k, mode == OPTIONAL) for k, mode in spec))
          for cls, spec in _SPEC.items()}
_KNOWN = {cls: frozenset(k for k, _r in keys) | {"type", *_SEAL}
          | (frozenset() if cls is Header else {"action"}) for cls, keys in _READ.items()}


def from_json(d: Mapping[str, Any], line: int | None = None) -> AnyRecord:
    """The record a log line's dict holds. `RecordError` for a line that is no known record or
    lacks a field it needs, with its line number (`line`, 1-based) when given. Values are taken
    as they are (no copy, no conversion): cheap enough to call for every line replayed."""
    if d.get("type") == "header":
        cls: type = Header
    else:
        action = d.get("action")
        found = BY_ACTION.get(action) if isinstance(action, str) else None
        if found is None:
            raise RecordError(_where(line, _("unknown action {action}").format(
                action=repr(action))))
        cls = found
    kwargs: dict[str, Any] = {}
    for key, required in _READ[cls]:
        if key in d:
            kwargs[key] = d[key]
        elif required:
            raise RecordError(_where(line, _("the record is incomplete or malformed "
                                             "({problem})").format(
                problem=_("no '{field}'").format(field=key))))
    if "prev" in d:
        kwargs["prev"] = d["prev"]
    if "hash" in d:
        kwargs["hash"] = d["hash"]
    if len(d) > len(kwargs) + ("type" in d) + (cls is not Header):
        known = _KNOWN[cls]
        kwargs["extra"] = {k: v for k, v in d.items() if k not in known}
    try:
        return cls(**kwargs)
    except TypeError as e:           # not reached for the fields above; a safety net
        raise RecordError(_where(line, str(e))) from None


def action_from_json(d: Mapping[str, Any], line: int | None = None) -> Record:
    """The action a log line after the first holds: `from_json`, and a RecordError for a
    line that calls itself a header (a log has one, its first line)."""
    if d.get("type") == "header":
        raise RecordError(_where(line, _("a second header")))
    rec = from_json(d, line)
    assert isinstance(rec, Record)       # only a line typed "header" is read as one
    return rec


def as_record(rec: Mapping[str, Any] | AnyRecord) -> AnyRecord | None:
    """`rec` typed: a record as it is, a line as read decoded; None for a line that is no
    record (for the one-line descriptions, which then show the action's name as written)."""
    if isinstance(rec, (Record, Header)):        # (not an ABC check: cheap per line)
        return rec
    try:
        return from_json(rec)
    except RecordError:
        return None


def kind(d: Mapping[str, Any]) -> type[Record] | None:
    """The class of an action line without decoding it (None for a header or an unknown
    action): for scans over a whole log that look at few of its lines."""
    action = d.get("action")
    return BY_ACTION.get(action) if isinstance(action, str) else None


def to_json(record: AnyRecord) -> dict[str, Any]:
    """The dict the engine writes for `record`: keys in the order it has always written them,
    optional ones left out when None. With `prev`/`hash` (a record read from a log), those
    and the `extra` fields follow, so `encode_line(to_json(from_json(d)))` is the line read."""
    action = record if isinstance(record, Record) else None
    if action is None:
        out: dict[str, Any] = {"type": "header"}
    else:
        out = {"type": "action", "n": action.n, "at": action.at, "action": action.ACTION}
    getter, keys = _WRITE[type(record)]
    values = getter(record)
    if len(keys) == 1:                   # attrgetter of one field gives it, not a tuple
        values = (values,)
    for (key, optional), value in zip(keys, values):
        if value is not None or not optional:
            out[key] = value
    if action is not None:
        out["turn"] = action.turn
        out["state"] = action.state
    if record.hash is not None or record.prev is not None:
        out["prev"] = record.prev
        if record.hash is not None:
            out["hash"] = record.hash
    if record.extra:
        out.update(record.extra)
    return out


def _where(line: int | None, problem: str) -> str:
    if line is None:
        return problem
    return _("line {n} is not a valid log record ({problem})").format(n=line, problem=problem)
