"""The scenario format (version 2; version 1 is the same without the format-2 keys), declared once.

`OBJECTS` lists every kind of mapping with its keys. The same table drives structural
validation (unknown keys, missing keys, wrong types — each located), the JSON Schema printed
by `spillover schema`, and the key reference in docs/AUTHORING.md.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import attrs

from engine.diagnostics import Diagnostic, Pos, closest, diag, did_you_mean
from engine.i18n import N_, Messages, _, current_language

FORMAT_VERSION = 2                 # the newest; files say which they are written in
# Every format version the loader reads; the JSON Schema accepts exactly these.
FORMAT_VERSIONS: tuple[int, ...] = (1, 2)
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
DICE_RE = re.compile(r"^([1-9]\d?)d([1-9]\d{0,2})$")
# A chance inject's probability written as text: a fraction (1/6) or a decimal (0.25).
CHANCE_RE = re.compile(r"^(\d{1,9}\s*/\s*\d{1,9}|\d{0,9}\.?\d{1,9})$")
# Declared limits on dice, so that the exact odds of any accepted roll compute in well under
# 100 ms (bench/bench_dice.py): at most MAX_DICE dice of at most MAX_SIDES sides, and at most
# MAX_DICE_SPAN possible totals (count × sides).
MAX_DICE, MAX_SIDES, MAX_DICE_SPAN = 50, 999, 2000
DICE_LIMITS = N_("at most {dice} dice of at most {sides} sides, and dice × sides at most {span}")


def dice_limits() -> str:
    """DICE_LIMITS in the current language."""
    return _(DICE_LIMITS).format(dice=MAX_DICE, sides=MAX_SIDES, span=MAX_DICE_SPAN)
TURNS_RE = re.compile(r"^(\d+)\s*\.\.\s*(\d+)?$")
# Plain scalars YAML 1.1 reads as booleans: an author who writes them as names must quote them.
YAML_BOOL_WORDS = "yes, no, on, off, y, n, true, false"


# Top-level keys only a scenario has: a file with one of them is a scenario even when it
# lacks its `spillover:` line (and is told so), not a catalogue with unknown keys.
SCENARIO_ONLY_KEYS = ("spillover", "id", "title", "start", "turns", "state", "branches",
                      "injects", "signposts", "include", "catalogue", "moves_per_turn", "summary")
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:", re.MULTILINE)


def is_catalogue_text(text: str) -> bool:
    """Whether a YAML file's text is a catalogue (actors, sources, events) rather than a
    scenario: it has none of the keys only a scenario has at its top level."""
    return not any(m.group(1) in SCENARIO_ONLY_KEYS for m in _TOP_KEY.finditer(text))


def is_spillover_text(text: str) -> bool:
    """Whether a YAML file's text is one of ours (scenario, include part or catalogue): it
    has at least one of their top-level keys. An editor opens every YAML file."""
    ours = {f.name for kind in ("scenario", "include", "catalogue") for f in OBJECTS[kind]}
    return any(m.group(1) in ours for m in _TOP_KEY.finditer(text))


def date_problem(v: Any) -> str | None:
    """Why `v` is not a date YYYY, YYYY-MM or YYYY-MM-DD, or None when it is one.
    The form is checked by DATE_RE; a full date must also exist (no 2025-06-31)."""
    import datetime

    text = str(v) if isinstance(v, int) and not isinstance(v, bool) else v
    if not isinstance(text, str) or not DATE_RE.match(text):
        return _("not a date YYYY, YYYY-MM or YYYY-MM-DD")
    if len(text) == 10:
        import calendar

        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
        try:
            datetime.date(year, month, day)
        except ValueError:
            days = calendar.monthrange(year, month)[1]
            return _("not a real date: {month} has {days} days").format(
                month=Messages(current_language()).date(datetime.date(year, month, 1), "LLLL y"),
                days=days)
    return None


def flow_splits(items: list) -> list[tuple[int, int]]:
    """Where a flow-style list (`[x >= 1, chosen(r, go)]`) split one expression at its
    commas: (first, last) index ranges of consecutive plain strings whose brackets only
    balance when joined. YAML ends a flow item at each comma, so such a list holds the
    pieces `chosen(r` and `go)`."""
    out = []
    i = 0
    while i < len(items):
        depth = _depth(items[i])
        if depth > 0:
            j = i
            while depth > 0 and j + 1 < len(items) and isinstance(items[j + 1], str):
                j += 1
                depth += _depth(items[j])
            if j > i:
                out.append((i, j))
                i = j + 1
                continue
        i += 1
    return out


def _depth(text: Any) -> int:
    if not isinstance(text, str):
        return 0
    return sum(text.count(c) for c in "({") - sum(text.count(c) for c in ")}")


QUOTE_HINT = N_("in a flow-style [...] or {...} a comma ends the item, so YAML split the "
                "expression: quote it, e.g. \"chosen(branch, option)\", or write one '- item' "
                "per line")


@attrs.frozen
class F:
    """One key of a mapping. `kind` names a checker below or `obj:NAME` / `list:NAME`."""

    name: str
    kind: str
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()


OBJECTS: dict[str, list[F]] = {
    "scenario": [
        F("spillover", "version", "Format version of this file: 2 (1 still loads, without the "
          "format-2 keys).", True),
        F("id", "slug", "Short identifier of the scenario (lowercase, digits, - and _).", True),
        F("title", "str", "Title shown to the seminar.", True),
        F("summary", "str", "A paragraph on what the exercise explores."),
        F("purpose", "str", "Why the exercise is held (the AAR's executive summary)."),
        F("scope", "str", "What the exercise covers and leaves out (the AAR's executive summary)."),
        F("start", "date", "Date of the baseline; catalogue events on or before it have occurred.",
          True),
        F("catalogue", "paths",
          "Catalogue files (sources, events, actors), relative to this file."),
        F("include", "paths", "Further scenario parts, relative, inside this file's folder tree."),
        F("moves_per_turn", "posint", "How many branches the group may play in one turn "
          "(default 1)."),
        F("time_box", "posint", "Minutes allowed for each turn's discussion: the clock counts "
          "down from it (the setup screen can change it; default none)."),
        F("actors", "actors", "Actors: id → display name (added to the catalogue's)."),
        F("cells", "list:cell", "Teams in the room and the actors each plays (default: one "
          "group plays every actor)."),
        F("sealed_moves", "bool", "With cells: each cell seals its move, and the moves are "
          "revealed together before they are applied (default: false, cells move in turn)."),
        F("arguments", "obj:arguments", "Matrix-game arguments: the dice and the strength "
          "scale (default 2d6; very weak 11, weak 9, average 7, strong 5, very strong 3)."),
        F("turns", "list:turn", "Turns in order; the first is turn 0, the baseline.", True),
        F("state", "map:variable", "Declared state variables: id → declaration."),
        F("events", "list:event", "Events defined in the scenario itself (as in a catalogue)."),
        F("sources", "list:source", "Sources defined in the scenario itself (as in a catalogue)."),
        F("branches", "list:branch", "Moves the group may play."),
        F("injects", "list:inject", "Exogenous developments the facilitator releases."),
        F("signposts", "list:signpost", "Indicators watched through the whole session."),
        F("objectives", "list:objective", "What the exercise sets out to examine; observations "
          "and the hotwash are tied to them."),
        F("endings", "list:ending", "Format 2: ways the session ends early, checked in order "
          "after every move."),
    ],
    "ending": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("title", "str", "What the ending is called, e.g. 'Open conflict'.", True),
        F("when", "exprs", "The session ends the first time this holds (no roll pending).",
          True),
        F("narrative", "str", "What the seminar is told; may show state ({variable})."),
    ],
    "include": [
        F("include", "paths", "Further parts, relative, inside the scenario's folder tree."),
        F("actors", "actors", "Actors: id → display name."),
        F("state", "map:variable", "State variables: id → declaration."),
        F("events", "list:event", "Events."),
        F("sources", "list:source", "Sources."),
        F("branches", "list:branch", "Branches."),
        F("injects", "list:inject", "Injects."),
        F("signposts", "list:signpost", "Indicators."),
    ],
    "catalogue": [
        F("actors", "actors", "Actors: id → display name."),
        F("sources", "list:source", "Documents that events cite."),
        F("events", "list:event", "Dated real-world events."),
    ],
    "cell": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("name", "str", "What the room calls the cell, e.g. Blue.", True),
        F("actors", "ids", "The actors the cell plays (each in one cell at most).", True),
        F("moves_per_turn", "posint", "Moves (branches or arguments) the cell may make in one "
          "turn (default: the scenario's moves_per_turn)."),
    ],
    "arguments": [
        F("dice", "dice", "Dice in NdM form, e.g. 2d6.", True),
        F("scale", "list:strength", "Strengths from weakest to strongest, each with its "
          "target.", True),
    ],
    "strength": [
        F("label", "str", "What the facilitator calls the strength, e.g. strong.", True),
        F("target", "int", "Success when the dice reach it.", True),
    ],
    "turn": [
        F("label", "str", "What the seminar calls the turn, e.g. 'H2 2024'.", True),
        F("date", "date", "The date the turn reaches; events up to it have occurred.", True),
    ],
    "variable": [
        F("type", "choice", "bool, int, enum or set.", True, ("bool", "int", "enum", "set")),
        F("initial", "initial", "Value at the baseline (a list of names for a set). Format 2: "
          "for bool, an expression over occurred(event); for any type, a list of cases "
          "{when, value}, the first that holds at the start wins, the last has no when. "
          "Required unless derived."),
        F("derived", "str", "Format 2: an expression over other (not derived) variables; the "
          "variable is recomputed after every change and effects cannot assign it."),
        F("label", "str", "A readable name for the state panel."),
        F("description", "str", "What the variable models."),
        F("range", "range", "For int: [lowest, highest]."),
        F("values", "ids", "For enum: the values, in order (comparisons follow this order)."),
        F("of", "ids", "For set: the names it may contain."),
        F("labels", "labels", "For enum and set: the words the room reads for some or all of "
          "its values or members, e.g. {heightened: Heightened tension}; the others are shown "
          "as words made from their ids. Prose: translated by the string tables."),
        F("rests_on", "ids", "Events the initial value rests on (format 2: its initial must "
          "read them, or lint warns SP508)."),
        F("cites", "ids", "Events cited as background, which the initial does not read."),
    ],
    "event": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("date", "date", "YYYY, YYYY-MM or YYYY-MM-DD; the form gives the precision.", True),
        F("title", "str", "Short English title.", True),
        F("title_ru", "str", "Original (Russian) title, if any."),
        F("summary", "str", "What happened, in our own words."),
        F("actors", "ids", "Actors involved."),
        F("tags", "ids", "Themes: naval, air, political, cyber, …"),
        F("sources", "list:citation", "Where the event is documented."),
    ],
    "citation": [
        F("source", "id", "A source id from the catalogue.", True),
        F("footnotes", "ints", "The article's footnote numbers."),
    ],
    "source": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("kind", "choice", "What it is.", True,
          ("article", "document", "news", "speech", "statement", "literature", "web")),
        F("issuer", "str", "Author(s) or issuing body."),
        F("title", "str", "Title (in English).", True),
        F("title_ru", "str", "Russian title, as the article cites it."),
        F("title_de", "str", "German title, for a German document."),
        F("journal", "str", "Journal or outlet."),
        F("volume", "scalar", "Volume."),
        F("issue", "scalar", "Issue."),
        F("pages", "scalar", "Pages."),
        F("year", "int", "Year of publication."),
        F("published", "date", "Date of publication."),
        F("url", "str", "Address, exactly as cited."),
        F("accessed", "date", "Access date given by the citation."),
        F("footnotes", "ints", "The article's footnotes that cite it."),
        F("cites_as", "str", "Bracketed reference, e.g. [Dieter 2021]."),
    ],
    "branch": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("title", "str", "Short title shown in the branch list.", True),
        F("actor", "id", "The actor who makes the move."),
        F("narrative", "str", "What the move is, for the seminar."),
        F("turns", "turns", "When it may be played: 3, [1, 2], '2..' or '1..6' (default: every "
          "turn after the baseline)."),
        F("repeatable", "bool", "May be played again in later turns (once per turn). Default: "
          "once per session."),
        F("when", "exprs", "Precondition: an expression, or a list of them that must all hold."),
        F("cites", "ids", "Events the branch rests on."),
        F("adjudication", "obj:adjudication", "How a contested outcome is decided."),
        F("options", "list:option", "What the group may choose.", True),
        F("signposts", "signposts", "Observable signs that this branch is unfolding."),
    ],
    "adjudication": [
        F("dice", "dice", "Dice in NdM form, e.g. 2d6.", True),
        F("target", "int", "Success when dice + modifiers ≥ target (required unless the "
          "roll has results)."),
        F("results", "list:band", "Format 2, instead of target: a graded roll's results, "
          "lowest totals first, each a band of the modified total (dice + modifiers); the "
          "lowest band has no min and the highest no max, so every total has a result."),
        F("against", "obj:pool", "Format 2, instead of target: an opposed roll; success when "
          "the acting side's dice + modifiers beat this pool's total."),
        F("ties", "choice", "With against: who wins a tie, the acting side (success) or the "
          "opposing side (failure); required.", choices=("success", "failure")),
        F("modifiers", "list:modifier", "Adjustments to the roll."),
        F("note", "str", "What the roll stands for, for the facilitator."),
    ],
    "pool": [
        F("dice", "dice", "The opposing side's dice in NdM form, e.g. 2d6.", True),
        F("label", "str", "Whose dice they are, e.g. 'Beijing's response'."),
    ],
    "band": [
        F("id", "id", "Stable identifier (snake_case), named by options' outcomes.", True),
        F("label", "str", "What the result is called, e.g. 'Partial success'."),
        F("min", "int", "Lowest modified total in the band (not on the lowest band)."),
        F("max", "int", "Highest modified total in the band (not on the highest band)."),
    ],
    "modifier": [
        F("label", "str", "Why the roll is adjusted.", True),
        F("value", "intexpr", "The adjustment: a whole number or an int expression.", True),
        F("when", "exprs", "Applies only when this holds (default: always)."),
    ],
    "option": [
        F("id", "id", "Identifier, unique within the branch.", True),
        F("label", "str", "What the group decides.", True),
        F("when", "exprs", "Format 2: the option's own precondition (an expression or a list "
          "that must all hold); the option is offered only while it holds."),
        F("narrative", "str", "What follows."),
        F("effects", "effects", "Changes to the state, applied when chosen."),
        F("on_success", "obj:outcome", "After a successful roll (needs an adjudication)."),
        F("on_failure", "obj:outcome", "After a failed roll (needs an adjudication)."),
        F("outcomes", "map:outcome", "Format 2: after a graded roll, result id → outcome "
          "(a result not listed changes nothing)."),
    ],
    "conditional_effect": [
        F("if", "exprs", "Format 2: a condition, read when the effect is reached (after the "
          "effects before it).", True),
        F("then", "effects", "Effects applied when it holds.", True),
        F("else", "effects", "Effects applied when it does not."),
    ],
    "outcome": [
        F("narrative", "str", "What happens."),
        F("effects", "effects", "Changes to the state."),
    ],
    "inject": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("title", "str", "Short title.", True),
        F("narrative", "str", "What the facilitator reads out."),
        F("actor", "id", "Who acts."),
        F("turn", "int", "Released automatically when this turn begins; omit for on demand."),
        F("when", "exprs", "May be released only when this holds."),
        F("effects", "effects", "Changes to the state."),
        F("cites", "ids", "Events it rests on."),
        F("chance", "chance", "Format 2, with turn: fires with this probability when its turn "
          "begins (a fraction such as 1/6 or a decimal such as 0.25, from 0 to 1); the draw "
          "comes from the session's dice and is logged."),
    ],
    "signpost": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("text", "str", "The observable sign.", True),
        F("when", "exprs", "Fires the first time this holds.", True),
    ],
    "objective": [
        F("id", "id", "Stable identifier (snake_case).", True),
        F("text", "str", "What the exercise sets out to examine, in one sentence.", True),
        F("capabilities", "strs", "The capabilities it exercises (e.g. 'Alliance consensus')."),
        F("questions", "strs", "The questions it asks of the players."),
    ],
}


def dice_limit_problem(count: int, sides: int) -> str | None:
    """Why `count` dice of `sides` sides are beyond the declared limits, or None."""
    if count > MAX_DICE:
        return _("more than {n} dice").format(n=MAX_DICE)
    if sides > MAX_SIDES:
        return _("dice of more than {n} sides").format(n=MAX_SIDES)
    if count * sides > MAX_DICE_SPAN:
        return _("{n} possible totals, more than {limit}").format(n=count * sides,
                                                                limit=MAX_DICE_SPAN)
    return None


def turn_number(digits: str) -> int:
    """A turn number as written in a range; one too long to be a turn stays too large,
    without converting thousands of digits."""
    return int(digits) if len(digits) <= 15 else 10**15


class Checker:
    """Structural checks of raw, located YAML data against OBJECTS.

    Positions and the `where` descriptions are worked out only when a problem is reported:
    inside, a position may be given lazily (see `resolve_pos`) and a description as
    (template, [argument,] parent description) (see `_where`)."""

    def __init__(self, diags: list[Diagnostic]):
        self.diags = diags
        # ids of expression pieces split by a flow-style comma, already reported (the loader
        # does not parse them again)
        self.split_pieces: set[int] = set()

    def error(self, code: str, message: str, pos: Any, hint: str | None = None):
        self.diags.append(diag(code, message, resolve_pos(pos), hint))

    def obj(self, data: Any, name: str, pos: Any, where: Any) -> bool:
        """Check a mapping of kind `name`; returns False when it cannot be used at all."""
        if not isinstance(data, dict):
            self.error("SP203", _("{where} should be a mapping (key: value), found {found}").format(
                where=_where(where), found=describe(data)), pos_of(data, pos))
            return False
        fields = _fields(name)
        ok = self._flow_split_mapping(data, pos)
        misspelt = set()     # required keys an unknown key is a misspelling of: said once
        for key in data:
            if id(key) in self.split_pieces:
                continue
            if key not in fields:
                kpos = data.key_pos.get(key, pos) if hasattr(data, "key_pos") else pos
                close = closest(str(key), [f for f in fields if f not in data])
                hint = did_you_mean(str(key), [close] if close else fields) or \
                    _("allowed keys: {keys}").format(keys=", ".join(fields))
                if close:
                    misspelt.add(close)
                self.error("SP201", _("unknown key '{key}' in {where}").format(
                    key=key, where=_where(where)), kpos, hint)
                ok = False
        value = self.value
        for fname, f in fields.items():
            if fname not in data:
                if f.kind == "version":
                    self.error("SP202", _("{where} has no 'spillover:' line giving its format "
                                          "version").format(where=_where(where)),
                               getattr(data, "pos", pos),
                               _("add 'spillover: {n}' as the first line").format(
                                   n=FORMAT_VERSIONS[-1]))
                    ok = False
                elif f.required:
                    if fname not in misspelt:
                        self.error("SP202", _("{where} needs '{key}' ({doc})").format(
                            where=_where(where), key=fname, doc=f.doc.rstrip('.')),
                            getattr(data, "pos", pos))
                    ok = False
                continue
            ok = value(data[fname], f, (data, fname, pos), (IN, fname, where)) and ok
        return ok

    def _flow_split_mapping(self, data: dict, pos: Any) -> bool:
        """A flow mapping `{when: chosen(a, b)}` reads as when: 'chosen(a' plus a key 'b)'
        with no value: one error at the expression, and the stray key is not reported."""
        keys = list(data)
        ok = True
        for i, key in enumerate(keys):
            value = data[key]
            if not isinstance(value, str) or _depth(value) <= 0:
                continue
            depth, j = _depth(value), i
            while depth > 0 and j + 1 < len(keys) and data[keys[j + 1]] is None:
                j += 1
                depth += _depth(keys[j])
            if j > i and depth <= 0:
                whole = ", ".join([value] + [str(k) for k in keys[i + 1:j + 1]])
                self.error("SP401", _("'{text}' was split at its comma by YAML's flow "
                                      "style").format(text=whole),
                           value_pos(data, key, resolve_pos(pos)), _(QUOTE_HINT))
                self.split_pieces.update(id(x) for x in [value] + keys[i + 1:j + 1])
                ok = False
        return ok

    def flow_split_list(self, v: list, pos: Any) -> bool:
        """A flow list `[x >= 1, chosen(r, go)]` split an expression: one error, at its start."""
        ok = True
        for first, last in flow_splits(v):
            whole = ", ".join(str(x) for x in v[first:last + 1])
            self.error("SP401", _("'{text}' was split at its comma by YAML's flow "
                                  "style").format(text=whole),
                       pos_of(v[first], (v, first, pos)), _(QUOTE_HINT))
            self.split_pieces.update(id(x) for x in v[first:last + 1])
            ok = False
        return ok

    def value(self, v: Any, f: F, pos: Any, where: Any) -> bool:
        kind, target = _KINDS.get(f.kind) or _parse_kind(f.kind)
        if kind == "obj":
            return self.obj(v, target, pos, where)
        if kind == "list":
            if not isinstance(v, list):
                return self.wrong(v, _("a list"), pos, where,
                                  _("put '- ' before each item (its first key)")
                                  if isinstance(v, dict) else None)
            ok = True
            obj = self.obj
            for i, item in enumerate(v):
                ok = obj(item, target, (v, i, pos), (ITEM_OF, i + 1, where)) and ok
            return ok
        if kind == "map":
            if not isinstance(v, dict):
                return self.wrong(v, _("a mapping"), pos, where)
            ok = True
            for key, item in v.items():
                ok = self.ident(key, (v, key, pos, "key"), where) and ok
                ok = self.obj(item, target, (v, key, pos), (IN, key, where)) and ok
            return ok
        return getattr(self, "k_" + kind)(v, f, pos, where)

    def wrong(self, v: Any, want: str, pos: Any, where: Any, hint: str | None = None):
        self.error("SP203", _("{where} should be {want}, found {found}").format(
            where=_where(where), want=want, found=describe(v)), pos_of(v, pos), hint)
        return False

    def ident(self, v: Any, pos: Any, where: Any) -> bool:
        if isinstance(v, bool):
            return self.wrong(v, _("an id"), pos, where,
                              _("YAML reads the plain words {words} as true or false: quote a "
                                "name like that ('on') or choose another word").format(
                                  words=YAML_BOOL_WORDS))
        if not isinstance(v, str):
            return self.wrong(v, _("an id"), pos, where)
        if not ID_RE.match(v):
            suggestion = re.sub(r"[^a-z0-9_]+", "_", v.lower()).strip("_")
            self.error("SP206", _("'{id}' in {where} is not a snake_case id").format(
                id=v, where=_where(where)), pos_of(v, pos),
                _("use lowercase letters, digits and _, e.g. '{id}'").format(id=suggestion))
            return False
        return True

    # -- scalar kinds
    def k_str(self, v, f, pos, where):
        return isinstance(v, str) or self.wrong(v, _("text"), pos, where,
                                                _("quote it if it looks like a number or date"))

    def k_scalar(self, v, f, pos, where):
        return isinstance(v, (str, int)) and not isinstance(v, bool) or \
            self.wrong(v, _("text or a number"), pos, where)

    def k_int(self, v, f, pos, where):
        return isinstance(v, int) and not isinstance(v, bool) or \
            self.wrong(v, _("a whole number"), pos, where)

    def k_posint(self, v, f, pos, where):
        if not self.k_int(v, f, pos, where):
            return False
        if v < 1:
            self.error("SP203", _("{where} should be at least 1").format(where=_where(where)),
                       pos_of(v, pos))
            return False
        return True

    def k_bool(self, v, f, pos, where):
        return isinstance(v, bool) or self.wrong(v, _("true or false"), pos, where)

    def k_choice(self, v, f, pos, where):
        if v not in f.choices:
            self.error("SP204", _("{where} should be one of {choices}, found {found}").format(
                where=_where(where), choices=', '.join(f.choices), found=describe(v)),
                pos_of(v, pos),
                       did_you_mean(str(v), f.choices))
            return False
        return True

    def k_slug(self, v, f, pos, where):
        if not isinstance(v, str) or not SLUG_RE.match(v):
            return self.wrong(v, _("a short id (lowercase letters, digits, - and _)"), pos, where)
        return True

    def k_id(self, v, f, pos, where):
        return self.ident(v, pos, where)

    def k_date(self, v, f, pos, where):
        problem = date_problem(v)
        if problem is not None:
            if not isinstance(v, str) or not DATE_RE.match(v):
                self.error("SP205", _("{where} should be a date YYYY, YYYY-MM or YYYY-MM-DD, "
                                      "found {found}").format(where=_where(where),
                                                              found=describe(v)),
                           pos_of(v, pos), _("e.g. 2023-07-12"))
            else:
                self.error("SP205", _("{where}: {value} is {problem}").format(
                    where=_where(where), value=v, problem=problem), pos_of(v, pos),
                    _("check the day and month"))
            return False
        return True

    def k_version(self, v, f, pos, where):
        if v not in FORMAT_VERSIONS or isinstance(v, bool):
            self.error("SP207", _("format version {version} is not supported").format(
                version=describe(v)), pos_of(v, pos),
                _("this engine reads version {versions}").format(
                    versions=_(" or ").join(str(n) for n in FORMAT_VERSIONS)))
            return False
        return True

    def k_dice(self, v, f, pos, where):
        if not isinstance(v, str) or not DICE_RE.match(v):
            lower = isinstance(v, str) and DICE_RE.match(v.strip().lower())
            if lower and v != v.strip():
                hint = _("remove the spaces around it: write {dice}").format(
                    dice=v.strip().lower())
            elif lower:
                hint = _("write {dice} (a lowercase d)").format(dice=v.strip().lower())
            else:
                hint = _("N dice of M sides: 1d6, 2d6, 1d20; {limits}").format(
                    limits=dice_limits())
            self.error("SP503", _("{where} should be dice like 2d6, found {found}").format(
                where=_where(where), found=describe(v)), pos_of(v, pos), hint)
            return False
        dice = DICE_RE.match(v)
        assert dice is not None               # checked just above
        problem = dice_limit_problem(*map(int, dice.groups()))
        if problem:
            self.error("SP503", _("{where}: {value} is {problem}").format(
                where=_where(where), value=v, problem=problem), pos_of(v, pos), dice_limits())
            return False
        return True

    def _list_of(self, v, pos, where, check) -> bool:
        if not isinstance(v, list):
            return self.wrong(v, _("a list"), pos, where,
                              _("write [a, b] or one '- item' per line"))
        ok = True
        for i, item in enumerate(v):
            ok = check(item, (v, i, pos)) and ok
        return ok

    def k_ids(self, v, f, pos, where):
        if isinstance(v, list) and all(isinstance(x, str) and ID_RE.match(x) for x in v):
            return True  # the usual case, with nothing to report
        if isinstance(v, str):
            return self.wrong(v, _("a list"), pos, where,
                              _("write [{items}]").format(items=v.strip()))
        return self._list_of(v, pos, where, lambda item, p: self.ident(item, p, where))

    def k_strs(self, v, f, pos, where):
        return self._list_of(v, pos, where, lambda item, p: self.k_str(item, f, p, where))

    def k_ints(self, v, f, pos, where):
        return self._list_of(v, pos, where, lambda item, p: self.k_int(item, f, p, where))

    def k_paths(self, v, f, pos, where):
        return self._list_of(v, pos, where, lambda item, p: self.k_str(item, f, p, where))

    def k_effects(self, v, f, pos, where):
        if isinstance(v, str):
            return self.wrong(v, _("a list of effects"), pos, where,
                              _("write [{items}], or one '- effect' per line").format(
                                  items=v.strip()))
        if isinstance(v, list) and any(isinstance(x, dict) for x in v):
            def item(x, p):
                if isinstance(x, dict):                 # {if, then, else} (format 2)
                    return self.obj(x, "conditional_effect", p, where)
                return self.k_str(x, f, p, where)
            return self._list_of(v, pos, where, item)
        return self.k_exprs(v, f, pos, where)

    def k_exprs(self, v, f, pos, where):
        if isinstance(v, str):
            return True
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return self.flow_split_list(v, pos)  # the usual case: nothing to report
        return self._list_of(v, pos, where, lambda item, p: self.k_str(item, f, p, where))

    def k_intexpr(self, v, f, pos, where):
        return isinstance(v, (int, str)) and not isinstance(v, bool) or \
            self.wrong(v, _("a whole number or an expression"), pos, where)

    def k_chance(self, v, f, pos, where):
        # text is read by the loader (SP513), with the other chance problems
        return isinstance(v, (int, float, str)) and not isinstance(v, bool) or \
            self.wrong(v, _("a probability"), pos, where,
                       _("write a fraction such as 1/6 or a decimal such as 0.25"))

    def k_initial(self, v, f, pos, where):
        return True  # checked against the declared type by the loader

    def k_range(self, v, f, pos, where):
        if not (isinstance(v, list) and len(v) == 2 and all(
                isinstance(x, int) and not isinstance(x, bool) for x in v)):
            return self.wrong(v, _("[lowest, highest]"), pos, where, _("e.g. range: [0, 5]"))
        if v[0] > v[1]:
            self.error("SP203", _("{where}: lowest {lo} is above highest {hi}").format(
                where=_where(where), lo=v[0], hi=v[1]), pos_of(v, pos))
            return False
        return True

    def k_turns(self, v, f, pos, where):
        if isinstance(v, int) and not isinstance(v, bool):
            return True
        m = TURNS_RE.match(v.strip()) if isinstance(v, str) else None
        if m and m.group(2) and turn_number(m.group(2)) < turn_number(m.group(1)):
            self.error("SP203", _("{where}: turns '{turns}' run backwards").format(
                where=_where(where), turns=v.strip()), pos_of(v, pos),
                _("write '{lo}..{hi}'").format(lo=m.group(2), hi=m.group(1)))
            return False
        if m:
            return True
        if isinstance(v, list):
            return self._list_of(v, pos, where, lambda item, p: self.k_int(item, f, p, where))
        return self.wrong(v, _("a turn number, a list of them, or a range like '2..5'"), pos,
                          where)

    def k_actors(self, v, f, pos, where):
        if not isinstance(v, dict):
            return self.wrong(v, _("a mapping of actor id to name"), pos, where)
        ok = True
        for key, name in v.items():
            ok = self.ident(key, (v, key, pos, "key"), where) and ok
            ok = self.k_str(name, f, (v, key, pos), _("actor '{id}'").format(id=key)) and ok
        return ok

    def k_labels(self, v, f, pos, where):
        if not isinstance(v, dict):
            return self.wrong(v, "a mapping of value to its label, e.g. {heightened: "
                              "Heightened tension}", pos, where)
        ok = True
        for key, text in v.items():
            ok = self.ident(key, (v, key, pos, "key"), where) and ok
            ok = self.k_str(text, f, (v, key, pos), (LABEL_OF, key, where)) \
                and ok
        return ok

    def k_signposts(self, v, f, pos, where):
        def one(item, p):
            if isinstance(item, str):
                return True
            return self.obj(item, "branch_signpost", p, (A_SIGNPOST_IN, where))
        return self._list_of(v, pos, where, one)


# -- Checker internals: fields by object kind, lazy descriptions

_FIELD_CACHE: dict[str, tuple[list[F], int, dict[str, F]]] = {}


def _fields(name: str) -> dict[str, F]:
    """The fields of an object kind by name (made once per kind, again if OBJECTS changes)."""
    declared = OBJECTS[name]
    cached = _FIELD_CACHE.get(name)
    if cached is None or cached[0] is not declared or cached[1] != len(declared):
        cached = _FIELD_CACHE[name] = (declared, len(declared), {f.name: f for f in declared})
    return cached[2]


_KINDS: dict[str, tuple[str, str]] = {}


def _parse_kind(kind: str) -> tuple[str, str]:
    """'obj:NAME' -> ('obj', NAME); 'list:NAME', 'map:NAME' alike; a scalar kind -> (kind, '')."""
    head, _, target = kind.partition(":")
    parsed = _KINDS[kind] = (head, target) if head in ("obj", "list", "map") else (kind, "")
    return parsed


# The templates of those descriptions, translated when written out.
IN = N_("'{arg}' in {parent}")
ITEM_OF = N_("item {arg} of {parent}")
A_SIGNPOST_IN = N_("a signpost in {parent}")
LABEL_OF = N_("the label of '{arg}' in {parent}")


def _where(where: Any) -> str:
    """A description given lazily as (template, parent description) or (template, argument,
    parent description), written out in the current language."""
    if where.__class__ is not tuple:
        return where
    if len(where) == 2:
        return _(where[0]).format(parent=_where(where[1]))
    return _(where[0]).format(arg=where[1], parent=_where(where[2]))


OBJECTS["branch_signpost"] = [
    F("text", "str", "The observable sign.", True),
    F("when", "exprs", "Fires the first time this holds (default: when the branch is played)."),
]


def describe(v: Any) -> str:
    if v is None:
        return _("nothing")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return _("a mapping")
    if isinstance(v, list):
        return _("a list")
    if isinstance(v, str):
        return repr(str(v)) if len(v) < 40 else repr(str(v)[:37] + "...")
    return repr(v)


# Where a problem is: a `Pos`, None (the top of the file being checked), or a lazy position
# that `resolve_pos` works out only when a problem is reported.
Where = Pos | None | tuple[Any, Any, "Where"] | tuple[Any, Any, "Where", str]
_W = TypeVar("_W", bound=Where)   # a fallback comes back as it was given, lazy or not


def pos_of(v: Any, fallback: _W) -> Pos | _W:
    """`v`'s position, else `fallback` (a `Pos`, None, or a lazy position: see `resolve_pos`)."""
    return getattr(v, "pos", None) or fallback


def value_pos(data: Any, key: str, fallback: _W) -> Pos | _W:
    vp = getattr(data, "value_pos", None)
    if vp and key in vp:
        return vp[key]
    kp = getattr(data, "key_pos", None)
    return kp.get(key, fallback) if kp else fallback


def resolve_pos(pos: Where) -> Pos | None:
    """A position given lazily, worked out; anything else as it is. Lazy forms, so that
    positions are found only when a problem is reported: (mapping, key, fallback) for where
    a value starts (as `value_pos`), (mapping, key, fallback, "key") for where a key is
    written, (list, index, fallback) for where an item starts."""
    if not isinstance(pos, tuple):
        return pos
    container, key, fallback = pos[0], pos[1], resolve_pos(pos[2])
    if len(pos) == 4:  # where the key is written
        return container.key_pos.get(key, fallback) if hasattr(container, "key_pos") \
            else fallback
    if isinstance(container, dict):
        return value_pos(container, key, fallback)
    return container.item_pos[key] if hasattr(container, "item_pos") else fallback


# ---------------------------------------------------------------------------- JSON Schema

def _kind_schema(kind: str, f: F | None = None) -> dict:
    if kind.startswith("obj:"):
        return {"$ref": f"#/$defs/{kind[4:]}"}
    if kind.startswith("list:"):
        return {"type": "array", "items": {"$ref": f"#/$defs/{kind[5:]}"}}
    if kind.startswith("map:"):
        return {"type": "object", "propertyNames": {"pattern": ID_RE.pattern},
                "additionalProperties": {"$ref": f"#/$defs/{kind[4:]}"}}
    idd = {"type": "string", "pattern": ID_RE.pattern}
    schemas: dict[str, dict] = {
        "str": {"type": "string"},
        "scalar": {"type": ["string", "integer"]},
        "int": {"type": "integer"},
        "version": {"enum": list(FORMAT_VERSIONS)},
        "posint": {"type": "integer", "minimum": 1},
        "bool": {"type": "boolean"},
        "choice": {"enum": list(f.choices) if f else []},
        "slug": {"type": "string", "pattern": SLUG_RE.pattern},
        "id": idd,
        "date": {"type": ["string", "integer"], "pattern": DATE_RE.pattern},
        "dice": {"type": "string", "pattern": DICE_RE.pattern},
        "ids": {"type": "array", "items": idd},
        "ints": {"type": "array", "items": {"type": "integer"}},
        "strs": {"type": "array", "items": {"type": "string"}},
        "paths": {"type": "array", "items": {"type": "string"}},
        "effects": {"type": "array", "items": {"anyOf": [
            {"type": "string"}, {"$ref": "#/$defs/conditional_effect"}]}},
        "exprs": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "intexpr": {"type": ["integer", "string"]},
        "chance": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                             {"type": "string", "pattern": CHANCE_RE.pattern}]},
        "initial": {},
        "range": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
        "turns": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": TURNS_RE.pattern},
                            {"type": "array", "items": {"type": "integer"}}]},
        "actors": {"type": "object", "additionalProperties": {"type": "string"}},
        "labels": {"type": "object", "propertyNames": {"pattern": ID_RE.pattern},
                   "additionalProperties": {"type": "string"}},
        "signposts": {"type": "array", "items": {"anyOf": [
            {"type": "string"}, {"$ref": "#/$defs/branch_signpost"}]}},
    }
    return schemas[kind]


def _object_schema(name: str) -> dict:
    props = {}
    for f in OBJECTS[name]:
        s = dict(_kind_schema(f.kind, f))
        s["description"] = f.doc
        props[f.name] = s
    out = {"type": "object", "properties": props, "additionalProperties": False}
    required = [f.name for f in OBJECTS[name] if f.required]
    if required:
        out["required"] = required
    return out


def json_schema() -> dict:
    """A JSON Schema (draft 2020-12) for scenario, include and catalogue files."""
    defs = {name: _object_schema(name) for name in OBJECTS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://spillover.invalid/schema/scenario-v2.json",
        "title": "spillover scenario, include or catalogue file (format 2; format 1 is a subset)",
        "anyOf": [{"$ref": "#/$defs/scenario"}, {"$ref": "#/$defs/include"},
                  {"$ref": "#/$defs/catalogue"}],
        "$defs": defs,
    }
