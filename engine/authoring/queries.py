"""Answers at a place in a file: completions, hover, definition, symbols, diagnostic ranges.

Places are 0-based (line, character), as editors count; `text` is the file as the editor
holds it. Nothing here parses YAML again: the structure around the cursor is read from the
indentation of the lines above, which works on a half-written file.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from engine.authoring.outline import Definition, Outline
from engine.format.schema import OBJECTS
from engine.format.yamlsource import LocDict, load_yaml_text
from engine.i18n import N_, _

FUNCTIONS = {"occurred": "event", "chosen": "branch", "released": "inject", "count": "variable"}
FUNCTION_DETAILS = {
    "occurred": N_("occurred(event): whether the event has occurred"),
    "chosen": N_("chosen(branch) or chosen(branch, option): whether it was played"),
    "released": N_("released(inject): whether the inject was released"),
    "count": N_("count(set variable): how many members it holds"),
}
EXPRESSION_KEYS = {"when", "effects", "value"}
REFERENCE_KEYS = {"actor": "actor", "actors": "actor", "cites": "event", "rests_on": "event",
                  "source": "source"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$")


@attrs.frozen
class Completion:
    label: str
    kind: str      # "key", "variable", "event", "branch", "option", "inject", "actor",
    detail: str    # "source", "value", "function", "keyword"


@attrs.frozen
class Location:
    path: Path
    line: int      # 0-based
    start: int
    end: int


@attrs.frozen
class Symbol:
    name: str
    kind: str      # "section", "variable", "branch", "option", "inject", "event", ...
    detail: str
    line: int      # 0-based
    start: int
    end: int
    children: tuple[Symbol, ...] = ()


# ---------------------------------------------------------------------------- words

def word_at(text: str, line: int, character: int) -> tuple[str, int, int] | None:
    """The identifier under (line, character): (word, start, end), or None."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return None
    for m in _WORD.finditer(lines[line]):
        if m.start() <= character <= m.end():
            return m.group(0), m.start(), m.end()
    return None


def diagnostic_range(text: str, line: int, col: int) -> tuple[int, int, int]:
    """(line, start, end), 0-based, for a diagnostic at 1-based (line, col): its word, or
    one character."""
    lines = text.splitlines()
    ln = max(line - 1, 0)
    start = max(col - 1, 0)
    if ln < len(lines):
        m = re.compile(r"[A-Za-z0-9_.\-]+").match(lines[ln], start)
        if m and m.end() > start:
            return ln, start, m.end()
    return ln, start, start + 1


# ---------------------------------------------------------------------------- structure

def _key_column(line: str) -> int:
    m = re.match(r"^(\s*)(-\s+)*", line)
    return m.end() if m else 0


def key_path(text: str, line: int) -> list[str]:
    """The keys enclosing `line`, outermost first, read from the indentation above."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return []
    current = lines[line]
    col = _key_column(current) if current.strip() else len(current)
    path: list[str] = []
    for prev in reversed(lines[:line]):
        if not prev.strip() or prev.lstrip().startswith("#"):
            continue
        kcol = _key_column(prev)
        m = _KEY_LINE.match(prev)
        if m and kcol < col:
            path.append(m.group(2))
            col = kcol
        if col == 0:
            break
    return list(reversed(path))


def object_at(path: list[str], top: str = "scenario") -> str | None:
    """The kind of mapping (a name in OBJECTS) that `path` of keys leads into."""
    kind: str | None = top
    expect_map_key = None
    for key in path:
        if expect_map_key is not None:
            kind, expect_map_key = expect_map_key, None
            continue
        fields = {f.name: f for f in OBJECTS.get(kind or "", [])}
        f = fields.get(key)
        if f is None:
            return None
        head, _, target = f.kind.partition(":")
        if head in ("obj", "list"):
            kind = target
        elif head == "map":
            expect_map_key = target
        elif f.kind == "signposts":
            kind = "branch_signpost"
        else:
            return None
    return None if expect_map_key else kind


# ---------------------------------------------------------------------------- completion

def completions(text: str, line: int, character: int, outline: Outline) -> list[Completion]:
    lines = text.splitlines() or [""]
    current = lines[line] if line < len(lines) else ""
    before = current[:character]
    path = key_path(text, line)
    top = "scenario" if re.search(r"^spillover\s*:", text, re.MULTILINE) else "catalogue"
    if re.fullmatch(r"\s*(-\s+)?[A-Za-z_]*", before):
        # A key being written, unless this is an item of a list of expressions or names.
        parent = path[-1] if path else None
        if not (before.lstrip().startswith("-")
                and parent in EXPRESSION_KEYS | set(REFERENCE_KEYS)):
            kind = object_at(path, top)
            return [Completion(f.name, "key", _(f.doc)) for f in OBJECTS.get(kind or "", [])]
    m = _KEY_LINE.match(current)
    key = m.group(2) if m and character > current.index(":") else (path[-1] if path else None)
    # within a flow mapping on this line, the nearest `key:` before the cursor wins
    inline = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*:", before)
    if inline:
        key = inline[-1]
    if key in REFERENCE_KEYS:
        return _names(outline, REFERENCE_KEYS[key])
    if key in EXPRESSION_KEYS:
        return expression_completions(before, outline)
    return []


def _names(outline: Outline, kind: str) -> list[Completion]:
    out = []
    for d in outline.definitions:
        if d.kind == kind:
            label = d.name.split(".", 1)[1] if kind == "option" else d.name
            out.append(Completion(label, kind, d.hover.split("\n")[0]))
    return list({c.label: c for c in out}.values())


def expression_completions(before: str, outline: Outline) -> list[Completion]:
    """Names that fit where the cursor is in an expression."""
    call = re.search(r"(occurred|chosen|released|count)\(\s*([A-Za-z0-9_]*)\s*(,\s*)?"
                     r"[A-Za-z0-9_]*$", before)
    if call:
        fn = call.group(1)
        if fn == "chosen" and call.group(3):
            return [Completion(d.name.split(".", 1)[1], "option", d.hover.split("\n")[0])
                    for d in outline.definitions
                    if d.kind == "option" and d.name.startswith(call.group(2) + ".")]
        if fn == "count":
            return [c for c in _names(outline, "variable") if _type_of(outline, c.label) == "set"]
        return _names(outline, FUNCTIONS[fn])
    compared = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>|\+=|-=|=|\s+in)\s*\{?"
                         r"(?:[A-Za-z0-9_]+\s*,\s*)*[A-Za-z0-9_]*$", before)
    if compared:
        values = _values_of(outline, compared.group(1))
        if values:
            detail = _("a value of {variable}").format(variable=compared.group(1))
            return [Completion(v, "value", detail) for v in values]
    member = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s+(not\s+)?in\s+[A-Za-z0-9_]*$", before)
    out = _names(outline, "variable")
    if member is None:
        out.append(Completion("turn", "variable", _("the current turn number")))
    out += [Completion(f, "function", _(FUNCTION_DETAILS[f])) for f in FUNCTIONS]
    out += [Completion(k, "keyword", "") for k in ("and", "or", "not", "in", "true", "false")]
    return out


def _type_of(outline: Outline, name: str) -> str | None:
    d = outline.of("variable", name)
    return str(d.data.get("type")) if d is not None and isinstance(d.data, dict) else None


def _values_of(outline: Outline, name: str) -> list[str]:
    d = outline.of("variable", name)
    if d is None or not isinstance(d.data, dict):
        return []
    key = {"enum": "values", "set": "of"}.get(str(d.data.get("type")))
    values = d.data.get(key) if key else None
    return [str(v) for v in values] if isinstance(values, list) else []


# ---------------------------------------------------------------------------- hover, definition

def _targets(text: str, line: int, character: int, outline: Outline) -> list[Definition]:
    found = word_at(text, line, character)
    if found is None:
        return []
    word, start, _end = found
    current = text.splitlines()[line]
    # chosen(branch, option): the option is named with its branch
    m = re.search(r"chosen\(\s*([A-Za-z0-9_]+)\s*,\s*$", current[:start])
    if m:
        return outline.named(f"{m.group(1)}.{word}", ("option",))
    prefix = current[:start]
    fn = re.search(r"(occurred|chosen|released)\(\s*$", prefix)
    if fn:
        return outline.named(word, (FUNCTIONS[fn.group(1)],))
    # an option id under a branch: its definition is itself
    defs = outline.named(word)
    if not defs:
        values = [d for d in outline.definitions if d.kind == "variable"
                  and word in _values_of(outline, d.name)]
        return values
    return defs


def hover(text: str, line: int, character: int, outline: Outline) -> str | None:
    defs = _targets(text, line, character, outline)
    found = word_at(text, line, character)
    if not defs or found is None:
        return None
    word = found[0]
    parts = []
    for d in defs:
        if d.name != word and d.kind == "variable" and word in _values_of(outline, d.name):
            parts.append(_("`{value}`: a value of {variable}").format(
                value=word, variable=d.hover.split("\n")[0]))
        else:
            parts.append(d.hover)
    return "\n\n---\n\n".join(dict.fromkeys(parts))


def definition(text: str, line: int, character: int, outline: Outline) -> list[Location]:
    out = []
    for d in _targets(text, line, character, outline):
        name = d.name.split(".", 1)[-1]
        out.append(Location(d.path, d.line - 1, d.col - 1, d.col - 1 + len(name)))
    return out


# ---------------------------------------------------------------------------- symbols

_SECTIONS = {"actors": "actor", "state": "variable", "events": "event", "sources": "source",
             "branches": "branch", "injects": "inject", "signposts": "signpost", "turns": "turn"}


def symbols(text: str, name: str = "<input>") -> list[Symbol]:
    """The outline of one file: its sections, and in each the items it defines."""
    data, _diags = load_yaml_text(text, name)
    if not isinstance(data, LocDict):         # every YAML mapping is a LocDict
        return []
    out = []
    for key, kind in _SECTIONS.items():
        if key not in data:
            continue
        kp = data.key_pos.get(key)
        value = data[key]
        children: list[Symbol] = []
        if isinstance(value, LocDict):
            for k, v in value.items():
                p = value.key_pos.get(k)
                detail = v.get("type", "") if isinstance(v, dict) else str(v)
                children.append(_sym(str(k), kind, str(detail), p))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                if kind == "turn":
                    p = value.item_pos[i] if hasattr(value, "item_pos") else None
                    children.append(_sym(f"{i}: {item.get('label', '')}", kind,
                                         str(item.get("date", "")), p))
                    continue
                ident = item.get("id")
                if not isinstance(ident, str):
                    continue
                opts = tuple(_sym(str(o["id"]), "option", str(o.get("label", "")),
                                  getattr(o["id"], "pos", None))
                             for o in item.get("options") or []
                             if isinstance(o, dict) and isinstance(o.get("id"), str))
                detail = item.get("title") or item.get("text") or ""
                children.append(_sym(ident, kind, str(detail), getattr(ident, "pos", None),
                                     opts if kind == "branch" else ()))
        out.append(_sym(key, "section", f"{len(children)}", kp, tuple(children)))
    return out


def _sym(name: str, kind: str, detail: str, pos, children=()) -> Symbol:
    line, col = (pos.line - 1, pos.col - 1) if pos is not None else (0, 0)
    return Symbol(name, kind, detail, line, col, col + len(name), tuple(children))
