"""Every name a scenario defines, where, and what to say about it — even when it has errors.

Built from the located data of every file the checker read (the scenario, its includes and
catalogues), so completions and go-to-definition keep working while the author is mid-edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from engine.format.loader import Checked
from engine.i18n import _, ngettext

KINDS = ("actor", "source", "event", "variable", "branch", "option", "inject", "signpost")


@attrs.frozen
class Definition:
    kind: str           # one of KINDS
    name: str           # an option is named "branch.option"
    path: Path
    line: int           # 1-based, where its id (or key) is written
    col: int
    hover: str          # Markdown
    data: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Outline:
    definitions: tuple[Definition, ...]

    def named(self, name: str, kinds: tuple[str, ...] = KINDS) -> list[Definition]:
        return [d for d in self.definitions if d.name == name and d.kind in kinds]

    def names(self, kind: str) -> list[str]:
        return list(dict.fromkeys(d.name for d in self.definitions if d.kind == kind))

    def of(self, kind: str, name: str) -> Definition | None:
        found = self.named(name, (kind,))
        return found[0] if found else None


def outline(checked: Checked) -> Outline:
    out: list[Definition | None] = []     # None: an id that is not a string, dropped below
    sources: dict[str, Any] = {}
    for _path, data in checked.files:
        for s in _items(data, "sources"):
            if isinstance(s.get("id"), str):
                sources.setdefault(str(s["id"]), s)
    for path, data in checked.files:
        if not isinstance(data, dict):
            continue
        actors = data.get("actors")
        if isinstance(actors, dict):
            for key, name in actors.items():
                out.append(_def("actor", key, path, _key_pos(actors, key),
                                _("**actor** `{id}` — {name}").format(id=key, name=name)))
        for s in _items(data, "sources"):
            out.append(_def("source", s.get("id"), path, _pos(s.get("id")), _source_md(s), s))
        for e in _items(data, "events"):
            out.append(_def("event", e.get("id"), path, _pos(e.get("id")),
                            _event_md(e, sources), e))
        state = data.get("state")
        if isinstance(state, dict):
            for name, decl in state.items():
                if isinstance(decl, dict):
                    out.append(_def("variable", name, path, _key_pos(state, name),
                                    _variable_md(str(name), decl), decl))
        for b in _items(data, "branches"):
            out.append(_def("branch", b.get("id"), path, _pos(b.get("id")), _branch_md(b), b))
            for o in _items(b, "options"):
                if isinstance(b.get("id"), str) and isinstance(o.get("id"), str):
                    out.append(_def("option", f"{b['id']}.{o['id']}", path, _pos(o.get("id")),
                                    _("**option** `{option}` of `{branch}` — {label}").format(
                                        option=o["id"], branch=b["id"],
                                        label=o.get("label", "")), o))
        for i in _items(data, "injects"):
            out.append(_def("inject", i.get("id"), path, _pos(i.get("id")),
                            _("**inject** `{id}` — {title}").format(
                                id=i.get("id"), title=i.get("title", ""))
                            + _when_md(i.get("when"), _("released only when")), i))
        for s in _items(data, "signposts"):
            out.append(_def("signpost", s.get("id"), path, _pos(s.get("id")),
                            _("**signpost** `{id}` — {text}").format(
                                id=s.get("id"), text=s.get("text", "")), s))
    return Outline(tuple(d for d in out if d is not None))


def _items(data: Any, key: str) -> list[dict]:
    value = data.get(key) if isinstance(data, dict) else None
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _pos(v: Any) -> tuple[int, int]:
    pos = getattr(v, "pos", None)
    return (pos.line, pos.col) if pos is not None else (1, 1)


def _key_pos(mapping: Any, key: Any) -> tuple[int, int]:
    pos = getattr(mapping, "key_pos", {}).get(key)
    return (pos.line, pos.col) if pos is not None else (1, 1)


def _def(kind, name, path, at, hover, data=None) -> Definition | None:
    if not isinstance(name, str):
        return None
    return Definition(kind, str(name), Path(path).resolve(), at[0], at[1], hover, data)


def _when_md(when: Any, lead: str) -> str:
    if isinstance(when, str):
        return f"\n\n{lead}: `{when.strip()}`"
    if isinstance(when, list):
        return f"\n\n{lead}:\n" + "".join(f"\n- `{str(w).strip()}`" for w in when)
    return ""


def _source_md(s: dict) -> str:
    bits = [str(s[k]) for k in ("issuer", "journal", "year", "published") if s.get(k)]
    text = _("**source** `{id}` — {title}").format(id=s.get("id"), title=s.get("title", ""))
    if bits:
        text += f" ({', '.join(bits)})"
    if s.get("url"):
        text += f"\n\n{s['url']}"
    notes = s.get("footnotes")
    if notes:
        text += "\n\n" + _footnotes(notes)
    return text


def _event_md(e: dict, sources: dict[str, Any]) -> str:
    text = _("**event** `{id}` — {date} — {title}").format(
        id=e.get("id"), date=e.get("date", "?"), title=e.get("title", ""))
    if e.get("summary"):
        text += f"\n\n{str(e['summary']).strip()}"
    lines = []
    for c in e.get("sources") or []:
        if not isinstance(c, dict):
            continue
        src = sources.get(str(c.get("source")))
        title = src.get("title", "") if isinstance(src, dict) else _("(not defined)")
        notes = c.get("footnotes") or []
        lines.append(f"- `{c.get('source')}` {title}"
                     + (f" — {_footnotes(notes)}" if notes else ""))
    if lines:
        text += "\n\n" + _("sources:") + "\n" + "\n".join(lines)
    return text


def _variable_md(name: str, decl: dict) -> str:
    kind = decl.get("type", "?")
    shape = {"int": f" {decl.get('range')}", "enum": f" {decl.get('values')}",
             "set": " " + _("of {actors}").format(actors=decl.get("of"))}.get(str(kind), "")
    text = f"**{kind}**{shape} `{name}`"
    if decl.get("label"):
        text += f" — {decl['label']}"
    text += "\n\n" + _("initial: `{value}`").format(value=decl.get("initial"))
    if decl.get("description"):
        text += f"\n\n{str(decl['description']).strip()}"
    return text


def _branch_md(b: dict) -> str:
    text = _("**branch** `{id}` — {title}").format(id=b.get("id"), title=b.get("title", ""))
    if b.get("turns") is not None:
        text += " " + _("(turns {turns})").format(turns=b["turns"])
    return text + _when_md(b.get("when"), _("precondition"))


def _footnotes(notes: Any) -> str:
    numbers = list(notes) if isinstance(notes, list) else [notes]
    return ngettext("footnote {numbers}", "footnotes {numbers}", len(numbers)).format(
        numbers=", ".join(map(str, numbers)))
