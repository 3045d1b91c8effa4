"""Load a scenario: its file, includes and catalogue → a checked `Scenario`, or diagnostics.

Every problem is collected in one pass; nothing raises past `load_scenario` except
`DiagnosticError` carrying all of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from engine.diagnostics import WARNING, Diagnostic, DiagnosticError, Pos, diag, did_you_mean
from engine.format.prose import logic_digest, logic_of
from engine.format.schema import (
    CHANCE_RE,
    DICE_RE,
    FORMAT_VERSION,
    FORMAT_VERSIONS,
    TURNS_RE,
    Checker,
    Where,
    date_problem,
    pos_of,
    resolve_pos,
    turn_number,
    value_pos,
)
from engine.format.yamlsource import gc_paused, load_yaml_file, load_yaml_text
from engine.i18n import _, ngettext
from engine.lang import expr as X
from engine.lang.text import unknown_names
from engine.lang.tree import walk
from engine.model import (
    Adjudication,
    ArgumentRules,
    Band,
    Branch,
    Cell,
    Citation,
    Clause,
    CondEffect,
    Condition,
    Ending,
    Event,
    Inject,
    Modifier,
    Objective,
    Option,
    Outcome,
    Scenario,
    Signpost,
    Source,
    Turn,
    Variable,
    _day,
)


class _Files:
    """Reads YAML files once each, remembering their bytes for the content hash."""

    def __init__(self, root: Path, diags: list[Diagnostic], texts: dict | None = None):
        self.root = root
        self.diags = diags
        # Unsaved editor buffers by resolved path, read instead of the file (`spillover lsp`).
        self.texts = {Path(k).resolve(): v for k, v in (texts or {}).items()}
        self.read: list[tuple[Path, Any]] = []  # every file read, with its data
        self.hashes: dict[str, str] = {}
        self.paths: dict[str, Path] = {}  # display name -> path, to read a word back
        self.logic: dict[str, str] = {}      # the same files with their prose left out

    def name(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.root)
        except ValueError:
            return str(path)

    def load(self, path: Path, display: str | None = None) -> Any:
        name = display or self.name(path)
        text = self.texts.get(path.resolve())
        raw = None
        if text is not None:
            data, diags = load_yaml_text(text, name)
            raw = text.encode("utf-8")
        else:
            data, diags = load_yaml_file(path, name)
            try:
                if path.is_file():   # never a pipe or a device (load_yaml_file refused it)
                    raw = path.read_bytes()
            except OSError:
                pass
        if data is None and not diags:      # valid YAML, but nothing a scenario can use
            diags = [diag("SP103", _("the file's document is null (~ or null): there is "
                                     "nothing in it to use"), Pos(name, 1, 1),
                          _("write the YAML data (a mapping of keys) into the file"))]
        self.diags.extend(diags)
        self.paths[name] = path
        self.read.append((path, data))
        if raw is not None:
            self.hashes[self.name(path)] = hashlib.sha256(raw).hexdigest()
        self.logic[self.name(path)] = logic_digest(data)
        return data

    def word_at(self, pos: Pos | None) -> str | None:
        """The word written at `pos` (for a scalar YAML turned into something else)."""
        if pos is None:
            return None
        path = self.paths.get(pos.file)
        if path is None:
            return None
        try:
            text = self.texts.get(path.resolve())
            text = path.read_text(encoding="utf-8") if text is None else text
            line = text.splitlines()[pos.line - 1]
        except (OSError, UnicodeError, IndexError):
            return None
        m = _WORD.match(line, pos.col - 1)
        return m.group(0) if m else None


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNBOUNDED = 10**9   # the range of an int variable whose range could not be read


def _items(v: Any) -> list:
    """A list of mappings, or one mapping written without its '- ' (reported by the
    structural check) as the one item meant, so that its body is still checked."""
    if isinstance(v, list):
        return v
    return [v] if isinstance(v, dict) else []


def _listed(v: Any) -> list:
    """A list of names, or what a malformed one most likely meant (`values: a, b, c`, the
    brackets forgotten — reported by the structural check)."""
    if isinstance(v, list):
        return v
    return [w for w in re.split(r"[\s,\[\]]+", str(v)) if w]


def _infer_kind(raw: dict) -> str | None:
    """The type a declaration without a usable `type` most likely meant, from its keys."""
    for key, kind in (("values", "enum"), ("of", "set"), ("range", "int")):
        if key in raw:
            return kind
    init = raw.get("initial")
    if isinstance(init, bool):
        return "bool"
    if isinstance(init, int):
        return "int"
    if isinstance(init, list):
        return "set"
    return None


MAX_MOVES_PER_TURN = 100


def _raw_hash(data: Any) -> str:
    """An item's hash, over its logic only (wording changes do not show as changes)."""
    return hashlib.sha256(json.dumps(logic_of(data), sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


def _is_cases(init: Any) -> bool:
    return isinstance(init, list) and bool(init) and all(isinstance(x, dict) for x in init)


def _lowest(t: Any) -> Any:
    """A placeholder value of a type (a derived variable's value is computed at the start)."""
    return {X.BoolType: False, X.IntType: getattr(t, "lo", 0), X.EnumType: 0}[type(t)]


def _condition_events(cond: Condition | None) -> list[str]:
    return [n.value for c in (cond.clauses if cond else ()) for n in walk(c.typed.tree)
            if n.op == "occurred"]


def _expr_pos(text: Any, offset: int, fallback: Where) -> Pos | None:
    """Where character `offset` of an expression string sits in its file."""
    base = getattr(text, "pos", None) or resolve_pos(fallback)
    if base is None:
        return None
    before = str(text)[:offset]
    newlines = before.count("\n")
    if newlines:
        return Pos(base.file, base.line + newlines, offset - before.rfind("\n"))
    return base.shifted(offset)


class _Builder:
    def __init__(self, path: Path, texts: dict | None = None):
        self.path = path
        self.root = path.parent.resolve()
        self.diags: list[Diagnostic] = []
        self.files = _Files(self.root, self.diags, texts)
        self.check = Checker(self.diags)
        self.item_hashes: dict[str, str] = {}
        self._checked: dict[tuple[str, str], Any] = {}  # see checked()
        self._checked_scope: Any = None
        self.source_pos: dict[str, Pos | None] = {}

    def error(self, code, message, pos, hint=None, severity="error"):
        # `pos` may be lazy, as (container, key or index, fallback): see schema.resolve_pos.
        # Every diagnostic names a place: at worst the top of the file being checked.
        where = resolve_pos(pos) or Pos(str(self.path), 1, 1)
        self.diags.append(diag(code, message, where, hint, severity))

    # ------------------------------------------------------------------ files
    def resolve(self, ref: Any, base: Path, pos: Where, confine: bool) -> Path | None:
        text = str(ref)
        if os.path.isabs(text) or text.startswith("~"):
            self.error("SP305", _("'{path}' is an absolute path").format(path=text),
                       pos_of(ref, pos), _("write the path relative to the file that names it"))
            return None
        target = (base.parent / text).resolve()
        if confine and not target.is_relative_to(self.root):
            self.error("SP305", _("'{path}' leaves the scenario's folder tree").format(path=text),
                       pos_of(ref, pos),
                       _("includes must stay inside {folder}").format(folder=self.root))
            return None
        if not confine and not target.is_relative_to(self.root.parent):
            self.error("SP305", _("'{path}' leaves the scenario's project (its folder and the "
                                  "folder above it)").format(path=text), pos_of(ref, pos),
                       _("keep catalogues inside {folder}, e.g. ../seeds/events.yaml").format(
                           folder=self.root.parent))
            return None
        if target.suffix.lower() not in (".yaml", ".yml"):
            self.error("SP305", _("'{path}' is not a YAML file (.yaml or .yml)").format(path=text),
                       pos_of(ref, pos), _("includes and catalogues are YAML files"))
            return None
        if not target.is_file():
            here = base.parent
            names = [p.name for p in here.glob("*.y*ml")] if here.is_dir() else []
            self.error("SP306", _("'{path}' cannot be found (looked at {target})").format(
                path=text, target=target), pos_of(ref, pos),
                       did_you_mean(Path(text).name, names))
            return None
        return target

    def gather_includes(self, data: dict, base: Path, stack: list[Path], parts: list) -> None:
        for i, ref in enumerate(data.get("include") or []):
            ipos = data["include"].item_pos[i] if hasattr(data["include"], "item_pos") else None
            target = self.resolve(ref, base, ipos, confine=True)
            if target is None:
                continue
            if target in stack:
                chain = " → ".join(self.files.name(p) for p in stack + [target])
                self.error("SP307", _("includes form a cycle: {chain}").format(chain=chain),
                           pos_of(ref, ipos), _("remove one of the includes"))
                continue
            if any(target == p for p, _ in parts):
                continue  # included twice along different paths: read once
            part = self.files.load(target)
            if part is None or not self.check.obj(part, "include", None,
                                                  _("included file {name}").format(
                                                      name=self.files.name(target))):
                continue
            parts.append((target, part))
            self.gather_includes(part, target, stack + [target], parts)

    # ------------------------------------------------------------------ build
    def build(self) -> Scenario | None:
        data = self.files.load(self.path, str(self.path))
        if data is None:
            return None
        if not isinstance(data, dict):
            self.error("SP203", _("a scenario file should be a mapping of keys (spillover, id, "
                                  "title, start, turns, …)"),
                       pos_of(data, Pos(str(self.path), 1, 1)))
            return None
        self.version = data.get("spillover", 1)
        if self.version not in FORMAT_VERSIONS or isinstance(self.version, bool):
            self.version = FORMAT_VERSION
        # Keep going where the parts that matter are usable, to report more at once.
        if (not self.check.obj(data, "scenario", getattr(data, "pos", None), _("the scenario"))
                and (not isinstance(data.get("turns"), list) or not data.get("turns"))):
            return None
        parts = [(self.path, data)]
        self.gather_includes(data, self.path, [self.path.resolve()], parts)

        catalogues = []
        for i, ref in enumerate(data.get("catalogue") or []):
            ipos = data["catalogue"].item_pos[i] if hasattr(data["catalogue"], "item_pos") else None
            target = self.resolve(ref, self.path, ipos, confine=False)
            if target is None:
                continue
            cat = self.files.load(target)
            if cat is not None and self.check.obj(cat, "catalogue", getattr(cat, "pos", None),
                                                  _("catalogue {name}").format(
                                                      name=self.files.name(target))):
                catalogues.append(cat)

        def collect(key: str) -> list[tuple[Any, Pos | None]]:
            out: list[tuple[Any, Pos | None]] = []
            for source in catalogues + [p for _name, p in parts]:
                value = source.get(key)
                if isinstance(value, list):
                    out.extend((item, value.item_pos[i] if hasattr(value, "item_pos") else None)
                               for i, item in enumerate(value))
            return out

        self.actors = self.build_actors(catalogues + [p for _, p in parts])
        self.sources = self.build_sources(collect("sources"))
        self.events = self.build_events(collect("events"))
        self.turns = self.build_turns(data)
        if not self.turns:
            return None
        # Initial values may read only occurred(event) and constants (format 2).
        self.scope = X.Scope(variables={}, events=frozenset(self.events),
                             last_turn=len(self.turns) - 1)
        self._derived: list[tuple[int, Any, Pos | None]] = []
        variables = self.build_variables([p for _, p in parts])

        raw_branches = [(b, p) for b, p in collect("branches") if isinstance(b, dict) and "id" in b]
        raw_injects = [(b, p) for b, p in collect("injects") if isinstance(b, dict) and "id" in b]
        branch_options: dict[str, frozenset[str]] = {}
        for b, _p in raw_branches:
            opts = b.get("options")
            branch_options.setdefault(str(b["id"]), frozenset(
                str(o["id"]) for o in (opts if isinstance(opts, list) else [])
                if isinstance(o, dict) and "id" in o))
        self.scope = X.Scope(
            variables={v.id: (v.index, v.type) for v in variables},
            events=frozenset(self.events),
            branches=branch_options,
            injects=frozenset(str(i["id"]) for i, _ in raw_injects),
            last_turn=len(self.turns) - 1,
            readonly=frozenset(variables[i].id for i, _t, _p in self._derived),
        )
        variables = self.build_derived(variables)
        branches = self.build_branches(raw_branches)
        injects = self.build_injects(raw_injects)
        signposts = self.build_signposts(collect("signposts"), branches)
        objectives = self.build_objectives(collect("objectives"))
        endings = self.build_endings(data.get("endings"), value_pos(data, "endings", None))
        cells, arguments = self.build_cells(data), self.build_arguments(data)
        sealed = data.get("sealed_moves") is True
        if sealed and not cells:
            self.error("SP509", _("sealed moves need cells: whose moves would be sealed?"),
                       value_pos(data, "sealed_moves", None),
                       _("declare `cells:`, or remove `sealed_moves`"))
        self.check_catalogue_use()
        moves = data.get("moves_per_turn", 1)
        if isinstance(moves, int) and moves > MAX_MOVES_PER_TURN:
            self.error("SP203", _("moves_per_turn {n} is more than {limit}").format(
                n=moves, limit=MAX_MOVES_PER_TURN), value_pos(data, "moves_per_turn", None),
                _("how many branches the group may play in one turn: usually 1 to 3"))

        if any(d.severity == "error" for d in self.diags):
            return None
        # The main file counts under a fixed name, so renaming it does not change the hash.
        main = self.files.name(self.path)
        def combined(hashes: dict[str, str]) -> str:
            text = "\n".join(f"{'(scenario)' if k == main else k}:{v}"
                             for k, v in sorted(hashes.items()))
            return hashlib.sha256(text.encode()).hexdigest()
        content = combined(self.files.hashes)
        return Scenario(
            id=str(data["id"]), title=str(data["title"]), summary=str(data.get("summary", "")),
            start=self.turns[0].date, path=str(self.path.resolve()), content_hash=content,
            logic_hash=combined(self.files.logic),
            file_hashes=dict(self.files.hashes), item_hashes=self.item_hashes,
            turns=tuple(self.turns), actors=self.actors, variables=tuple(variables),
            events=self.events, sources=self.sources, branches=branches, injects=injects,
            signposts=signposts, moves_per_turn=int(data.get("moves_per_turn", 1)),
            version=self.version, endings=endings,
            objectives=objectives, purpose=_text(data.get("purpose")),
            scope=_text(data.get("scope")),
            time_box=int(data["time_box"]) if data.get("time_box") else None,
            cells=cells, arguments=arguments, sealed_moves=sealed,
        )

    def build_cells(self, data: dict) -> tuple[Cell, ...]:
        raw = data.get("cells")
        if not isinstance(raw, list):
            return ()
        default = int(data.get("moves_per_turn", 1) or 1)
        cells: list[Cell] = []
        owner: dict[str, str] = {}
        for i, c in enumerate(raw):
            if not isinstance(c, dict) or "id" not in c:
                continue
            ipos = raw.item_pos[i] if hasattr(raw, "item_pos") else None
            actors = [str(a) for a in (c.get("actors") or []) if isinstance(a, str)]
            for a in actors:
                self.check_actor(a, value_pos(c, "actors", ipos), f"cell '{c['id']}'")
                if a in owner:
                    self.error("SP509", _("actor '{actor}' is in cells '{a}' and '{b}'").format(
                        actor=a, a=owner[a], b=c['id']), value_pos(c, "actors", ipos),
                        _("an actor is played by one cell"))
                owner.setdefault(a, str(c["id"]))
            mpt = c.get("moves_per_turn")
            cells.append(Cell(str(c["id"]), str(c.get("name", c["id"])), tuple(actors),
                              int(mpt) if isinstance(mpt, int) and mpt > 0 else default))
        return tuple(cells)

    def build_arguments(self, data: dict) -> ArgumentRules:
        raw = data.get("arguments")
        if not isinstance(raw, dict):
            return ArgumentRules()
        m = DICE_RE.match(str(raw.get("dice", "")))
        scale = [(str(x["label"]), int(x["target"])) for x in raw.get("scale") or []
                 if isinstance(x, dict) and "label" in x and isinstance(x.get("target"), int)]
        labels = [label for label, _ in scale]
        if not scale or len(set(labels)) != len(labels):
            self.error("SP509", _("the argument strength scale is empty") if not scale else
                       _("the argument strength scale repeats a label"),
                       value_pos(data, "arguments", None),
                       _("list each strength once, weakest first, each with a target"))
        if not m or not scale:
            return ArgumentRules()
        return ArgumentRules(str(raw["dice"]), int(m.group(1)), int(m.group(2)), tuple(scale))

    # ------------------------------------------------------------------ pieces
    def build_actors(self, sources) -> dict[str, str]:
        actors: dict[str, str] = {}
        for src in sources:
            value = src.get("actors")
            if isinstance(value, dict):
                for k, v in value.items():
                    if isinstance(k, str):   # a name that is not text is reported; the id holds
                        actors[str(k)] = str(v)
            elif isinstance(value, list):    # reported by the structural check: a list of ids
                for k in value:
                    if isinstance(k, str):
                        actors.setdefault(str(k), str(k))
        return actors

    def check_actor(self, actor: Any, pos: Where, where: str) -> None:
        if actor and actor not in self.actors:
            self.error("SP303", _("{where}: actor '{actor}' is not defined").format(
                where=where, actor=actor), pos_of(actor, pos),
                did_you_mean(str(actor), self.actors) or _("add it under `actors:`"))

    def check_events(self, ids: Any, pos: Where, where: str) -> tuple[str, ...]:
        out = []
        if isinstance(ids, str):
            ids = [ids]   # brackets forgotten: reported by the structural check, read as meant
        for i, ev in enumerate(ids if isinstance(ids, list) else []):
            ipos = (ids, i, pos) if isinstance(ids, list) else pos
            if ev not in self.events:
                self.error("SP302", _("{where}: event '{event}' is not defined").format(
                    where=where, event=ev), pos_of(ev, ipos),
                    did_you_mean(str(ev), self.events) or
                    _("define it in a catalogue or under `events:`"))
            else:
                out.append(str(ev))
        return tuple(out)

    def unique(self, seen: dict[str, Where], ident: str, pos: Where, what: str) -> bool:
        if ident in seen:
            first = resolve_pos(seen[ident])
            if first:
                message = _("{kind} '{id}' is defined twice (first at {file}:{line})").format(
                    kind=what, id=ident, file=first.file, line=first.line)
            else:
                message = _("{kind} '{id}' is defined twice").format(kind=what, id=ident)
            self.error("SP301", message, pos, _("rename one of them"))
            return False
        seen[ident] = pos
        return True

    def build_sources(self, items) -> dict[str, Source]:
        out: dict[str, Source] = {}
        seen: dict[str, Where] = {}
        for raw, pos in items:
            if not isinstance(raw, dict) or "id" not in raw:
                continue    # a missing title is reported by the structural check
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw.get("id"), pos), _("source")):
                continue
            self.source_pos[ident] = pos_of(raw.get("id"), pos)
            details = ", ".join(f"{k} {raw[k]}" for k in ("year", "volume", "issue", "pages")
                                if k in raw)
            out[ident] = Source(
                id=ident, kind=str(raw.get("kind", "")), title=str(raw.get("title", "")),
                issuer=str(raw.get("issuer", "")), title_ru=str(raw.get("title_ru", "")),
                title_de=str(raw.get("title_de", "")),
                journal=str(raw.get("journal", "")), published=str(raw.get("published", "")),
                url=str(raw.get("url", "")), accessed=str(raw.get("accessed", "")),
                footnotes=tuple(raw.get("footnotes") or ()), cites_as=str(raw.get("cites_as", "")),
                details=details)
        return out

    def build_events(self, items) -> dict[str, Event]:
        out: dict[str, Event] = {}
        seen: dict[str, Where] = {}
        for raw, pos in items:
            if not isinstance(raw, dict) or "id" not in raw:
                continue    # a missing date or title is reported by the structural check
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw.get("id"), pos), _("event")):
                continue
            cites = []
            srcs = raw.get("sources") or []
            for c in srcs if isinstance(srcs, list) else []:
                if not isinstance(c, dict) or "source" not in c:
                    continue
                if c["source"] not in self.sources:
                    self.error("SP304", _("event '{event}': source '{source}' is not "
                                          "defined").format(event=ident, source=c['source']),
                               pos_of(c["source"], pos),
                               did_you_mean(str(c["source"]), self.sources))
                cites.append(Citation(str(c["source"]), tuple(c.get("footnotes") or ())))
            actors = raw.get("actors") or []
            for a in actors if isinstance(actors, list) else []:
                self.check_actor(a, pos, f"event '{ident}'")
            out[ident] = Event(
                id=ident, title=str(raw.get("title", "")),
                # an unusable date is reported; the event is still declared, never occurring
                date=str(raw["date"]) if date_problem(raw.get("date")) is None else "9999",
                summary=str(raw.get("summary", "")).strip(), title_ru=str(raw.get("title_ru", "")),
                actors=tuple(map(str, actors)), tags=tuple(map(str, raw.get("tags") or ())),
                sources=tuple(cites))
        return out

    def check_catalogue_use(self) -> None:
        cited = {c.source for e in self.events.values() for c in e.sources}
        for sid in self.sources:
            if sid not in cited:
                self.error("SP505", _("source '{id}' is not cited by any event").format(id=sid),
                           self.source_pos.get(sid),
                           _("cite it from an event or remove it"), severity=WARNING)

    def build_turns(self, data: dict) -> list[Turn]:
        raw = data.get("turns")
        if not isinstance(raw, list) or not raw:
            if "turns" in data:
                self.error("SP208", _("a scenario needs at least one turn (turn 0, the baseline)"),
                           value_pos(data, "turns", None))
            return []
        turns: list[Turn] = []
        start = str(data.get("start", ""))
        start = start if date_problem(start) is None else ""
        for i, t in enumerate(raw):
            if not isinstance(t, dict):
                return []
            # A turn missing its label or date is already reported; keep checking the rest.
            date = str(t["date"]) if date_problem(t.get("date")) is None else (
                turns[-1].date if turns else start or "2000")
            ipos = raw.item_pos[i] if hasattr(raw, "item_pos") else None
            turns.append(Turn(i, str(t.get("label", f"Turn {i}")), date, pos_of(t, ipos)))
            pos = value_pos(t, "date", ipos)
            if i and _day(turns[i].date) < _day(turns[i - 1].date):
                self.error("SP504", _("turn {n} ({date}) is dated before turn {m} "
                                      "({other})").format(n=i, date=turns[i].date, m=i - 1,
                                                          other=turns[i - 1].date),
                           pos, _("list turns in date order"))
        if start and turns[0].date != start:
            self.error("SP504", _("turn 0 is the baseline and should be dated at the start "
                                  "({start}), not {date}").format(start=start,
                                                                  date=turns[0].date),
                       value_pos(raw[0], "date", None),
                       _("write date: {start}").format(start=start))
        return turns

    def build_variables(self, parts) -> list[Variable]:
        out: list[Variable] = []
        seen: dict[str, Where] = {}
        for part in parts:
            state = part.get("state")
            if not isinstance(state, dict):
                continue
            for name, raw in state.items():
                kpos = state.key_pos.get(name) if hasattr(state, "key_pos") else None
                if not isinstance(raw, dict):
                    continue
                if "initial" not in raw and "derived" not in raw:
                    self.error("SP202", _("state variable '{name}' needs 'initial' (or, format "
                                          "2, 'derived')").format(name=name),
                               getattr(raw, "pos", kpos), _("e.g. initial: 0"))
                if not self.unique(seen, str(name), kpos, _("state variable")):
                    continue
                var = self.build_variable(str(name), raw, len(out), kpos)
                if var is not None:
                    out.append(var)
                    self.item_hashes[f"state:{name}"] = _raw_hash(raw)
        return out

    def build_variable(self, name: str, raw: dict, index: int, kpos) -> Variable | None:
        """A variable as declared. A declaration with an error is reported once (here or by
        the structural check) and still declared with what could be understood — a type
        missing or misspelt is inferred from the other keys, a bad or missing initial value
        becomes the lowest value, a malformed range is taken as unbounded — so that its uses
        are checked and no false "not a state variable" or "leaves its range" follows."""
        kind = raw.get("type")
        if kind not in ("bool", "int", "enum", "set"):
            kind = _infer_kind(raw)   # the missing or misspelt type is already reported
            if kind is None:
                return None
        ipos = value_pos(raw, "initial", kpos)
        t = self.variable_type(name, kind, raw, kpos)
        if t is None:
            return None
        for key, applies in (("range", "int"), ("values", "enum"), ("of", "set")):
            if key in raw and kind != applies and raw.get("type") == kind:
                self.error("SP201", _("'{key}' applies to {applies} variables, not {kind}").format(
                    key=key, applies=applies, kind=kind),
                           raw.key_pos.get(key) if hasattr(raw, "key_pos") else kpos)
        init = raw.get("initial")
        cases: tuple = ()
        if "derived" in raw and self.needs_v2("derived", value_pos(raw, "derived", kpos)):
            if kind == "set":
                self.error("SP203", _("'{name}' is a set; only bool, int and enum variables can "
                                      "be derived").format(name=name),
                           value_pos(raw, "derived", kpos))
            else:
                self._derived.append((index, raw["derived"], value_pos(raw, "derived", kpos)))
            value = _lowest(t) if init is None else self.constant(name, kind, t, init, ipos)
        elif _is_cases(init) or (kind == "bool" and isinstance(init, str)):
            cases = ()
            if self.needs_v2(_("an initial value that reads events"), ipos):
                cases = self.initial_cases(name, kind, t, init, ipos) or ()
            value = cases[-1][1] if cases else _lowest(t)
        elif "initial" in raw:
            value = self.constant(name, kind, t, init, ipos)
        else:
            value = _lowest(t)        # a missing initial is reported by build_variables
        rests = self.check_events(raw.get("rests_on"), value_pos(raw, "rests_on", kpos),
                                  f"state variable '{name}'")
        cites = self.check_events(raw.get("cites"), value_pos(raw, "cites", kpos),
                                  f"state variable '{name}'")
        if self.version >= 2 and "derived" not in raw and "initial" in raw:
            read = {ev for cond, _v in cases for ev in _condition_events(cond)}
            unread = [ev for ev in rests if ev not in read]
            if unread:
                self.error("SP508", ngettext(
                    "state variable '{name}' rests on {events} but its initial value never "
                    "reads it: switching it off changes nothing",
                    "state variable '{name}' rests on {events} but its initial value never "
                    "reads them: switching them off changes nothing", len(unread)).format(
                        name=name, events=', '.join(unread)),
                           value_pos(raw, "rests_on", kpos),
                           _("make the initial value read occurred(…) (see docs/AUTHORING.md), "
                             "or list the events under `cites:` if they are background only"),
                           severity=WARNING)
        return Variable(name, index, t, value, str(raw.get("label", "")),
                        str(raw.get("description", "")).strip(), rests, cases, cites=cites,
                        value_labels=self.value_labels(name, t, raw, kpos))

    def value_labels(self, name: str, t: Any, raw: dict, kpos) -> tuple[str, ...]:
        """The labels of an enum's values or a set's members, by index ("" for none given);
        a label of a value the variable does not have is an error at its key."""
        labels = raw.get("labels")
        if not isinstance(labels, dict) or not labels:
            return ()       # absent, or not a mapping (reported by the structural check)
        if not isinstance(t, (X.EnumType, X.SetType)):
            self.error("SP201", _("'labels' applies to enum and set variables, not "
                                  "'{name}'").format(name=name),
                       raw.key_pos.get("labels") if hasattr(raw, "key_pos") else kpos,
                       _("give the variable a `label:` (its name), or remove `labels:`"))
            return ()
        names = t.values if isinstance(t, X.EnumType) else t.universe
        for key in labels:
            if key not in names:
                where = labels.key_pos.get(key) if hasattr(labels, "key_pos") else None
                text = (_("'{key}' in the labels of '{name}' is not a value of it ({values})")
                        if isinstance(t, X.EnumType) else
                        _("'{key}' in the labels of '{name}' is not a possible member of it "
                          "({values})"))
                self.error("SP407", text.format(key=key, name=name, values=", ".join(names)),
                           where or value_pos(raw, "labels", kpos),
                           did_you_mean(str(key), names))
        return tuple(str(labels.get(x, "") or "") for x in names)

    def needs_v2(self, what: str, pos) -> bool:
        if self.version >= 2:
            return True
        self.error("SP209", _("{what} needs format version 2").format(what=what), pos,
                   _("write `spillover: 2` at the top of the scenario"))
        return False

    def variable_type(self, name: str, kind: str, raw: dict, kpos) -> Any:
        """The declared type, as far as it can be read: a malformed range is taken as
        unbounded, repeated enum values once each (each problem reported once)."""
        def need(key: str, example: str):
            if key not in raw:
                self.error("SP202", _("state variable '{name}' of type {kind} needs "
                                      "'{key}'").format(name=name, kind=kind, key=key), kpos,
                           _("e.g. {key}: {example}").format(key=key, example=example))
                return False
            return True

        if kind == "bool":
            return X.BOOL
        if kind == "int":
            rng = raw.get("range")
            if isinstance(rng, list) and len(rng) == 2 and all(
                    isinstance(x, int) and not isinstance(x, bool) for x in rng):
                lo, hi = sorted(rng)  # a reversed range is reported by the structural check
                return X.IntType(lo, hi)
            need("range", "[0, 5]")   # a malformed range is reported by the structural check
            return X.IntType(-_UNBOUNDED, _UNBOUNDED)
        if kind == "enum":
            if not need("values", "[none, political, military]"):
                return None
            values = tuple(self.names(_listed(raw["values"]), value_pos(raw, "values", kpos)))
            if len(set(values)) != len(values) or not values:
                self.error("SP203", _("enum '{name}' needs distinct values").format(name=name),
                           value_pos(raw, "values", kpos))
                values = tuple(dict.fromkeys(values)) or ("none",)
            return X.EnumType(values)
        if kind == "set":
            if not need("of", "[mediterranean, philippine_sea]"):
                return None
            return X.SetType(tuple(self.names(_listed(raw["of"]), value_pos(raw, "of", kpos))))
        return None

    def constant(self, name: str, kind: str, t: Any, init: Any, ipos) -> Any:
        """A constant value of the variable's type in its runtime form. A value that does not
        fit is reported and replaced by the lowest value (or, for a set, its good members),
        so the variable is still declared."""
        if kind == "bool":
            if not isinstance(init, bool):
                self.error("SP406", _("'{name}' is bool; initial should be true or false").format(
                    name=name),
                           pos_of(init, ipos))
                return False
            return init
        if kind == "int":
            ok = isinstance(init, int) and not isinstance(init, bool)
            if not ok or not t.lo <= init <= t.hi:
                bounded = t.hi < _UNBOUNDED
                shown = f"{t.lo}..{t.hi}" if bounded else "a whole number"
                self.error("SP406", _("'{name}' is int {range}; initial {value} does not "
                                      "fit").format(name=name, range=shown, value=repr(init)),
                           pos_of(init, ipos),
                           _("choose a whole number from {lo} to {hi}").format(lo=t.lo, hi=t.hi)
                           if bounded else _("write a whole number, e.g. initial: 0"))
                return max(t.lo, min(0, t.hi))
            return init
        if kind == "enum":
            word = self.name_of(init, ipos)
            if word not in t.values:
                self.error("SP407", _("'{value}' is not a value of '{name}' ({values})").format(
                    value=word, name=name, values=', '.join(t.values)),
                           pos_of(init, ipos), did_you_mean(str(word), t.values))
                return 0
            return t.values.index(word)
        if not isinstance(init, list):
            self.error("SP406", _("'{name}' is a set; initial should be a list of names, e.g. "
                                  "[]").format(name=name),
                       pos_of(init, ipos))
            return frozenset()
        members = [self.name_of(x, (init, i, ipos)) for i, x in enumerate(init)]
        for i, m in enumerate(members):
            if m not in t.universe:
                self.error("SP407", _("'{member}' is not a possible member of '{name}' "
                                      "({members})").format(member=m, name=name,
                                                            members=', '.join(t.universe)),
                           pos_of(init[i], (init, i, ipos)),
                           did_you_mean(str(m), t.universe))
        return frozenset(m for m in members if m in t.universe)

    def initial_cases(self, name: str, kind: str, t: Any, init: Any, ipos) -> tuple | None:
        """An initial value that reads events: a bool expression, or cases `{when, value}`
        of which the first that holds at the start wins (the last has no `when`)."""
        what = _("initial value of '{name}'").format(name=name)
        if isinstance(init, str):
            cond = self.condition(init, ipos, what)
            return None if cond is None else ((cond, True), (None, False))
        out, ok = [], True
        for i, case in enumerate(init):
            cpos = (init, i, ipos)
            last = i == len(init) - 1
            if not isinstance(case, dict) or "value" not in case or \
                    set(case) - {"when", "value"}:
                self.error("SP203", _("{what}: case {n} should be {{when: …, value: …}}").format(
                    what=what, n=i + 1), cpos, _("e.g. - {when: occurred(some_event), value: 2}"))
                ok = False
                continue
            if last == ("when" in case):
                self.error("SP203", (_("{what}: the last case needs no `when`") if last else
                                     _("{what}: case {n} needs a `when`")).format(what=what,
                                                                                  n=i + 1),
                           cpos, _("the last case is the value when no other case holds")
                           if last else _("only the last case may leave out `when`"))
                ok = False
            cond = None
            if "when" in case and not last:
                cond = self.condition(case["when"], value_pos(case, "when", ipos), what)
                ok = ok and cond is not None
            value = self.constant(name, kind, t, case["value"], value_pos(case, "value", ipos))
            ok = ok and value is not None
            out.append((cond, value))
        return tuple(out) if ok and out else None

    def build_derived(self, variables: list[Variable]) -> list[Variable]:
        """Check each derived variable's expression against the full scope: an assignment
        `x = expr` recomputed after every change, reading only variables that are not
        derived themselves."""
        for index, raw, pos in self._derived:
            v = variables[index]
            what = _("derived variable '{name}'").format(name=v.id)
            text = str(raw)
            try:
                eff = X.check_effect(X.EffectNode(v.id, 0, "=", X.parse_expr(text)), self.scope,
                                     f"{v.id} = {text}", derived=True)
            except X.ExprError as e:
                self.located(e, raw if isinstance(raw, str) else text, pos, what)
                continue
            rhs = eff.tree.rhs
            assert rhs is not None   # a derived variable is never a set (SP203): it has an rhs
            calls = [n.op for n in walk(rhs) if n.op in ("chosen", "released")]
            if calls:
                self.error("SP408", _("{what} reads {function}(…): a derivation reads state "
                                      "variables, turn and occurred(…) only").format(
                    what=what, function=calls[0]), pos,
                    _("keep the record of moves in a variable that an effect sets"))
                continue
            reads = [variables[n.value].id for n in walk(rhs) if n.op == "var"
                     and variables[n.value].id in self.scope.readonly]
            if reads:
                self.error("SP408", _("{what} reads itself").format(what=what)
                           if reads[0] == v.id else
                           _("{what} reads the derived variable '{name}'").format(
                               what=what, name=reads[0]), pos,
                           _("derive it from the variables that one is derived from"))
                continue
            variables[index] = attrs.evolve(v, derived=eff)
        return variables

    def name_of(self, v: Any, pos: Any) -> str:
        """A name as the author wrote it: a plain on/off/yes/no that YAML read as a boolean
        is given back as written (the structural check reports it), so it still declares."""
        if isinstance(v, bool):
            written = self.files.word_at(resolve_pos(pos))
            if written:
                return written
            return "true" if v else "false"
        return str(v)

    def names(self, items: list, pos: Any) -> list[str]:
        return [self.name_of(x, (items, i, pos)) for i, x in enumerate(items)]

    # ------------------------------------------------------------------ expressions
    def located(self, err: X.ExprError, text: Any, fallback: Where, what: str) -> None:
        self.error(err.code, _("{what}: {message}").format(what=what, message=err.message),
                   _expr_pos(text, err.start, fallback),
                   err.hint)

    def checked(self, kind: str, text: Any) -> Any:
        """An expression text checked against the scope: the clauses of a condition, an
        effect, or an int. The result depends only on the text and the scope, so each text is
        checked once per scope (scenarios repeat texts such as `level += 1`); a text that
        fails is not kept, so each place it is written raises, and is reported, again."""
        if self._checked_scope is not self.scope:
            self._checked, self._checked_scope = {}, self.scope
        key = (kind, str(text))
        found = self._checked.get(key)
        if found is None:
            if kind == "condition":
                # Checking each clause checks the whole: 'and' adds no error of its own, and
                # the clauses are checked in the order the whole would be.
                found = tuple(Clause(text[part.start:part.end],
                                     X.check_condition(part, self.scope))
                              for part in X.conjuncts(X.parse_expr(text)))
            elif kind == "effect":
                found = X.check_effect(X.parse_effect(text), self.scope, str(text).strip())
            else:
                found = X.check_int(X.parse_expr(text), self.scope)
            self._checked[key] = found
        return found

    def condition(self, raw: Any, pos: Where, what: str) -> Condition | None:
        if not isinstance(raw, (str, list)):
            return None  # absent, or reported by the structural check
        texts = [raw] if isinstance(raw, str) else list(raw)
        clauses: list[Clause] = []
        ok = True
        for i, text in enumerate(texts):
            if not isinstance(text, str) or id(text) in self.check.split_pieces:
                continue  # reported by the structural check
            tpos = (raw, i, pos) if isinstance(raw, list) else pos
            try:
                clauses.extend(self.checked("condition", text))
            except X.ExprError as e:
                self.located(e, text, tpos, what)
                ok = False
        if not ok:
            return None
        return Condition(" and ".join(c.text for c in clauses) if len(texts) > 1
                         else str(texts[0]).strip(), tuple(clauses))

    def effects(self, raw: Any, pos: Where, what: str) -> tuple[X.Effect, ...]:
        out: list = []
        if not isinstance(raw, list):
            return ()  # reported by the structural check (one error, not one per character)
        for i, text in enumerate(raw):
            tpos = (raw, i, pos)
            if isinstance(text, dict) and "if" in text:
                found = self.conditional_effect(text, tpos, what)
                if found is not None:
                    out.append(found)
                continue
            if not isinstance(text, str) or id(text) in self.check.split_pieces:
                continue
            try:
                out.append(self.checked("effect", text))
            except X.ExprError as e:
                self.located(e, text, tpos, what)
        return tuple(out)

    def conditional_effect(self, raw: dict, pos, what: str) -> CondEffect | None:
        if not self.needs_v2(_("`if`/`then`/`else` in effects"), pos_of(raw, pos)):
            return None
        when = self.condition(raw["if"], value_pos(raw, "if", pos), f"{what}, if")
        then = self.effects(raw.get("then"), value_pos(raw, "then", pos), f"{what}, then")
        otherwise = self.effects(raw.get("else"), value_pos(raw, "else", pos), f"{what}, else")
        return None if when is None else CondEffect(when, then, otherwise)

    def text(self, raw: Any, pos, what: str) -> str:
        """A narrative; in format 2 its placeholders must name state variables (SP409)."""
        text = str(raw).strip()
        if self.version >= 2 and isinstance(raw, str):
            for start, end, problem in unknown_names(raw, self.scope.variables):
                self.error("SP409", _("{what}: {message}").format(what=what, message=problem),
                           _expr_pos(raw, start, pos),
                           did_you_mean(raw[start + 1:end - 1], self.scope.variables) or
                           _("write {variable}, {variable.label} or {turn}; {{ and }} for "
                             "literal braces"))
        return text

    def int_value(self, raw: Any, pos: Where, what: str) -> X.Typed | None:
        text = str(raw)
        try:
            return self.checked("int", text)
        except X.ExprError as e:
            self.located(e, raw if isinstance(raw, str) else text, pos, what)
            return None

    # ------------------------------------------------------------------ branches, injects
    def turn_set(self, raw: Any, pos: Where, where: str) -> frozenset[int]:
        last = len(self.turns) - 1
        if raw is None:
            return frozenset(range(1, last + 1)) if last else frozenset({0})
        if isinstance(raw, str):
            m = TURNS_RE.match(raw.strip())
            if m is None:
                return frozenset()   # reported by the structural check
            lo = turn_number(m.group(1))
            hi = turn_number(m.group(2)) if m.group(2) else last
            lo, hi = min(lo, hi), max(lo, hi)  # a reversed range is reported by the checker
            # only the turns that exist: a range may name a billion of them
            nums = list(range(max(lo, 0), min(hi, last) + 1)) or [lo]
            check = [lo, hi]
        else:
            nums = [raw] if isinstance(raw, int) else [n for n in raw if isinstance(n, int)]
            check = nums
        for n in check:
            if not 0 <= n <= last:
                self.error("SP308", _("{where}: turn {n} does not exist (turns 0..{last})").format(
                    where=where, n=n, last=last), pos_of(raw, pos),
                    _("use a turn from 0 to {last}").format(last=last))
        return frozenset(n for n in nums if 0 <= n <= last)

    def build_branches(self, raws) -> dict[str, Branch]:
        out: dict[str, Branch] = {}
        seen: dict[str, Where] = {}
        for raw, pos in raws:
            ident = str(raw["id"])
            # A second branch with the same id is reported, and its body still checked.
            first = self.unique(seen, ident, pos_of(raw["id"], pos), _("branch"))
            # A branch without its title or options is reported by the structural check;
            # what it has is still checked.
            whole = isinstance(raw.get("title"), str) and isinstance(raw.get("options"), list)
            if ident in self.scope.injects and first:
                self.error("SP301", _("'{id}' names both a branch and an inject").format(id=ident),
                           pos_of(raw["id"], pos), _("rename one of them"))
            if first:
                self.item_hashes[f"branch:{ident}"] = _raw_hash(raw)
            what = _("branch '{id}'").format(id=ident)
            # Positions stay lazy, (mapping, key, fallback), until a problem is reported.
            self.check_actor(raw.get("actor"), (raw, "actor", pos), what)
            cites = self.check_events(raw.get("cites"), (raw, "cites", pos), what)
            when = self.condition(raw.get("when"), (raw, "when", pos),
                                  _("{what}, precondition").format(what=what))
            adjudication = self.adjudication(raw.get("adjudication"), (raw, "adjudication", pos),
                                             what)
            options = []
            oseen: dict[str, Where] = {}
            for i, o in enumerate(_items(raw.get("options"))):
                if not isinstance(o, dict):
                    continue     # reported by the structural check
                opos = (raw["options"], i, pos) if isinstance(raw["options"], list) else \
                    (raw, "options", pos)
                if "id" not in o:   # reported by the structural check; its body is checked
                    self.option(o, opos, what, adjudication is not None, ident=f"{i + 1}")
                    continue
                first_option = self.unique(oseen, str(o["id"]), pos_of(o["id"], opos),
                                           _("option of {what}").format(what=what))
                option = self.option(o, opos, what, adjudication is not None)
                if first_option:
                    options.append(option)
            if adjudication is not None:
                self.check_outcomes(raw, pos, options, adjudication, what)
            if adjudication is not None and not any(o.contested for o in options):
                self.error("SP502", _("{what} has an adjudication but no option has on_success/"
                                      "on_failure").format(what=what),
                           value_pos(raw, "adjudication", pos),
                           _("add on_success/on_failure to the contested option"), WARNING)
            if isinstance(raw.get("options"), list) and not raw["options"]:
                self.error("SP208", _("{what} needs at least one option").format(what=what),
                           value_pos(raw, "options", pos))
            signposts = []
            for i, s in enumerate(raw.get("signposts") or []):
                spos = (raw["signposts"], i, pos)
                sid = f"{ident}_{i + 1}"
                if isinstance(s, str):
                    signposts.append(Signpost(sid, s.strip(), None, ident))
                elif isinstance(s, dict) and "text" in s:
                    cond = self.condition(s.get("when"), (s, "when", spos),
                                          _("{what}, signpost {n}").format(what=what, n=i + 1))
                    signposts.append(Signpost(sid, str(s["text"]).strip(), cond, ident))
            turns = self.turn_set(raw.get("turns"), (raw, "turns", pos), what)
            if not first or not whole:
                continue
            out[ident] = Branch(
                id=ident, title=str(raw["title"]), options=tuple(options), turns=turns,
                actor=str(raw.get("actor", "")),
                narrative=self.text(raw.get("narrative", ""), (raw, "narrative", pos), what),
                repeatable=bool(raw.get("repeatable", False)), when=when, cites=cites,
                adjudication=adjudication, signposts=tuple(signposts),
                pos=pos_of(raw["id"], pos))
        return out

    def option(self, o: dict, pos, what: str, adjudicated: bool,
               ident: str | None = None) -> Option:
        ident = str(o["id"]) if ident is None else ident   # an option without id: its place
        owhat = _("{what}, option '{id}'").format(what=what, id=ident)
        outcomes = {}
        for key in ("on_success", "on_failure"):
            if key in o and isinstance(o[key], dict):
                if not adjudicated:
                    self.error("SP501", _("{what} has {key} but the branch has no "
                                          "adjudication").format(what=owhat, key=key),
                               o.key_pos.get(key) if hasattr(o, "key_pos") else pos,
                               _("add `adjudication: {dice: 2d6, target: 7}` to the branch"))
                out = o[key]
                outcomes[key] = Outcome(self.text(out.get("narrative", ""),
                                                  (out, "narrative", pos), f"{owhat}, {key}"),
                                        self.effects(out.get("effects"), (out, "effects", pos),
                                                     f"{owhat}, {key}"))
        graded: tuple[tuple[str, Outcome], ...] = ()
        if isinstance(o.get("outcomes"), dict) and \
                self.needs_v2(_("an option's `outcomes`"), value_pos(o, "outcomes", pos)):
            if not adjudicated:
                self.error("SP501", _("{what} has outcomes but the branch has no "
                                     "adjudication").format(what=owhat),
                           value_pos(o, "outcomes", pos),
                           _("add an adjudication with results to the branch"))
            graded = tuple(
                (str(band), Outcome(
                    self.text(out.get("narrative", ""), (out, "narrative", pos),
                              f"{owhat}, outcome '{band}'"),
                    self.effects(out.get("effects"), (out, "effects", pos),
                                 f"{owhat}, outcome '{band}'")))
                for band, out in o["outcomes"].items() if isinstance(out, dict))
        when = None
        if "when" in o and self.needs_v2(_("an option's `when`"), value_pos(o, "when", pos)):
            when = self.condition(o["when"], value_pos(o, "when", pos), f"{owhat}, when")
        return Option(id=ident, label=str(o.get("label", "")), when=when,
                      narrative=self.text(o.get("narrative", ""), (o, "narrative", pos), owhat),
                      effects=self.effects(o.get("effects"), (o, "effects", pos), owhat),
                      on_success=outcomes.get("on_success"), on_failure=outcomes.get("on_failure"),
                      outcomes=graded)

    def check_outcomes(self, raw: dict, pos, options, adj: Adjudication, what: str) -> None:
        """A graded roll's options say what follows with `outcomes` naming its results; a
        roll against a target, with on_success/on_failure (SP510)."""
        raws = {str(o.get("id")): o for o in _items(raw.get("options")) if isinstance(o, dict)}
        written = raw.get("adjudication")
        written_results = isinstance(written, dict) and "results" in written
        for option in options:
            o = raws.get(option.id)
            if o is None:
                continue
            owhat = _("{what}, option '{id}'").format(what=what, id=option.id)
            if adj.graded:
                for key in ("on_success", "on_failure"):
                    if key in o:
                        self.error("SP510", _("{what} has {key}, but the roll is graded "
                                              "(results)").format(what=owhat, key=key),
                                   o.key_pos.get(key) if hasattr(o, "key_pos") else pos,
                                   _("write `outcomes:` with one entry per result: "
                                     "{results}").format(
                                       results=", ".join(b.id for b in adj.bands)))
                ids = [b.id for b in adj.bands]
                outs = o.get("outcomes")
                if not isinstance(outs, dict):
                    outs = {}
                for band in outs:
                    if str(band) not in ids:
                        self.error("SP510", _("{what}: the roll has no result '{band}'").format(
                            what=owhat, band=band),
                            outs.key_pos.get(band) if hasattr(outs, "key_pos") else pos,
                            did_you_mean(str(band), ids) or
                            _("results: {results}").format(results=", ".join(ids)))
            elif "outcomes" in o and self.version >= 2 and not written_results:
                # (format 1 refuses `outcomes` itself, SP209; results that were written but
                # refused already have their error: a target here is only the fallback)
                self.error("SP510", _("{what} has outcomes, but the roll has a target, "
                                      "not results").format(what=owhat),
                           o.key_pos.get("outcomes") if hasattr(o, "key_pos") else pos,
                           _("use on_success/on_failure, or give the adjudication `results:` "
                             "instead of its target"))

    def adjudication(self, raw: Any, pos, what: str) -> Adjudication | None:
        """The branch's adjudication. Bad dice or a missing target are reported by the
        structural check; the adjudication still stands (as 2d6, target 7) so that its
        options and modifiers are checked and no false SP501 follows."""
        if not isinstance(raw, dict):
            return None
        m = DICE_RE.match(str(raw.get("dice", "")).strip().lower()) or DICE_RE.match("2d6")
        assert m is not None     # "2d6" matches DICE_RE
        target = raw.get("target")
        target = target if isinstance(target, int) and not isinstance(target, bool) else 7
        apos = resolve_pos(pos)
        bands: tuple[Band, ...] = ()
        if "results" in raw and "against" not in raw and \
                self.needs_v2(_("a graded roll (`results`)"), value_pos(raw, "results", apos)):
            if "target" in raw:
                self.error("SP510", _("{what}: an adjudication has either a target or "
                                      "results, not both").format(what=what),
                           value_pos(raw, "target", apos),
                           _("remove the target: the results say what each total means"))
            bands = self.bands(raw["results"], (raw, "results", apos), what)
        against = self.against(raw, apos, what)
        if not any(k in raw for k in ("target", "results", "against")):
            self.error("SP202", _("{what}: the adjudication needs 'target' (success when dice "
                                  "+ modifiers ≥ target) or, in format 2, 'results' or "
                                  "'against'").format(what=what), apos, _("e.g. target: 7"))
        mods = []
        for i, md in enumerate(_items(raw.get("modifiers"))):
            if not isinstance(md, dict):
                continue
            mpos = (raw["modifiers"], i, pos) if isinstance(raw["modifiers"], list) else \
                (raw, "modifiers", pos)
            label = str(md.get("label", i + 1))   # a missing label or value is reported by
            mwhat = _("{what}, modifier '{label}'").format(  # the structural check; the rest
                what=what, label=label)                        # is checked
            value = self.int_value(md["value"], (md, "value", mpos), mwhat) \
                if "value" in md else None
            cond = self.condition(md.get("when"), (md, "when", mpos), mwhat)
            if value is not None and "label" in md:
                mods.append(Modifier(label, value, cond))
        adj = Adjudication(m.group(0), int(m.group(1)), int(m.group(2)), target,
                           tuple(mods), str(raw.get("note", "")).strip(), bands)
        if against is not None:
            adj = attrs.evolve(adj, against_dice=against[0], against_count=against[1],
                               against_sides=against[2], against_label=against[3],
                               ties=str(raw.get("ties", "failure")))
        self.check_reach(adj, raw, apos, what)
        return adj

    def against(self, raw: dict, pos, what: str) -> tuple[str, int, int, str] | None:
        """An opposed roll's other pool (format 2): (dice, count, sides, label), or None.
        It excludes a target and results, and needs its ties declared (SP512)."""
        if "against" not in raw:
            if "ties" in raw:
                self.error("SP512", _("{what}: 'ties' belongs to an opposed roll, which this "
                                      "is not").format(what=what), value_pos(raw, "ties", pos),
                           _("add `against: {{dice: 2d6}}`, or remove ties"))
            return None
        if not self.needs_v2(_("an opposed roll (`against`)"), value_pos(raw, "against", pos)):
            return None
        for key in ("target", "results"):
            if key in raw:
                self.error("SP512", _("{what}: an opposed roll has no {key}: the opposing "
                                      "pool's total is what the acting side must beat").format(
                                          what=what, key=key), value_pos(raw, key, pos),
                           _("remove {key}").format(key=key))
        if "ties" not in raw:
            self.error("SP512", _("{what}: an opposed roll must say who wins a tie").format(
                what=what), value_pos(raw, "against", pos),
                _("add `ties: success` (the acting side) or `ties: failure` (the opposing "
                  "side)"))
        pool = raw["against"]
        if not isinstance(pool, dict):
            return None                      # reported by the structural check
        m = DICE_RE.match(str(pool.get("dice", "")).strip().lower())
        if m is None:
            return None                      # reported by the structural check
        return (m.group(0), int(m.group(1)), int(m.group(2)), str(pool.get("label", "")))

    def bands(self, raw: Any, pos, what: str) -> tuple[Band, ...]:
        """A graded roll's results, lowest first: consecutive bands must meet, with no gap
        and no overlap; the lowest has no min and the highest no max (modified totals beyond
        the written ones fall in the end bands). Every problem is reported (SP510)."""
        items = [(b, (raw, i, pos)) for i, b in enumerate(_items(raw))
                 if isinstance(b, dict) and isinstance(b.get("id"), str)]
        out: list[Band] = []
        seen: dict[str, Where] = {}

        def num(b: dict, key: str) -> int | None:
            v = b.get(key)
            return v if isinstance(v, int) and not isinstance(v, bool) else None
        for k, (b, bpos) in enumerate(items):
            bid = str(b["id"])
            self.unique(seen, bid, pos_of(b["id"], bpos), f"result of {what}")
            lo, hi = num(b, "min"), num(b, "max")
            first, last = k == 0, k == len(items) - 1
            where = resolve_pos(bpos)
            if first and "min" in b:
                self.error("SP510", _("{what}: result '{id}' is the lowest, so it takes every "
                                      "total below its max; it cannot have a min").format(
                                          what=what, id=bid), value_pos(b, "min", where),
                           _("remove min: modifiers may push a total below the dice's lowest"))
                lo = None
            if last and "max" in b:
                self.error("SP510", _("{what}: result '{id}' is the highest, so it takes every "
                                      "total above its min; it cannot have a max").format(
                                          what=what, id=bid), value_pos(b, "max", where),
                           _("remove max: modifiers may push a total above the dice's highest"))
                hi = None
            for key, missing in (("min", not first and lo is None),
                                 ("max", not last and hi is None)):
                if missing and key not in b:
                    self.error("SP510", _("{what}: result '{id}' needs '{key}' (only the lowest "
                                          "result has no min, only the highest no max)").format(
                                              what=what, id=bid, key=key), where,
                               _("e.g. {{id: partial, min: 5, max: 8}}"))
            if lo is not None and hi is not None and lo > hi:
                self.error("SP510", _("{what}: result '{id}' runs from {lo} down to {hi}").format(
                    what=what, id=bid, lo=lo, hi=hi), value_pos(b, "min", where),
                    _("min is the lowest total in the band, max the highest"))
            prev = out[-1] if out else None
            if prev is not None and prev.hi is not None and lo is not None:
                if lo <= prev.hi:
                    self.error("SP510", _("{what}: results '{a}' and '{b}' overlap: a total of "
                                          "{lo} would fall in both").format(
                                              what=what, a=prev.id, b=bid, lo=lo),
                               value_pos(b, "min", where),
                               _("start '{b}' at {n}, just above '{a}' (list results from the "
                                 "lowest totals up)").format(b=bid, a=prev.id, n=prev.hi + 1))
                elif lo > prev.hi + 1:
                    gap = str(prev.hi + 1) if lo == prev.hi + 2 else f"{prev.hi + 1}–{lo - 1}"
                    self.error("SP510", _("{what}: no result for a total of {gap}, between "
                                          "'{a}' and '{b}'").format(
                                              what=what, gap=gap, a=prev.id, b=bid),
                               value_pos(b, "min", where),
                               _("start '{b}' at {n}, or end '{a}' at {m}").format(
                                   b=bid, n=prev.hi + 1, a=prev.id, m=lo - 1))
            out.append(Band(bid, str(b.get("label", bid)), lo, hi))
        return tuple(out)

    def check_reach(self, adj: Adjudication, raw: dict, pos, what: str) -> None:
        """Warn (SP511) about a roll that can never succeed, or a result no total reaches,
        over the dice's totals widened by the range each modifier's value can take (a
        modifier with a `when` may also add nothing)."""
        if adj.opposed:
            return
        lo, hi = adj.count, adj.count * adj.sides
        for m in adj.modifiers:
            if m.value.interval is None:
                return
            mlo, mhi = m.value.interval
            if m.when is not None:           # it may not apply: 0 is possible too
                mlo, mhi = min(mlo, 0), max(mhi, 0)
            lo, hi = lo + mlo, hi + mhi
        if not adj.graded:
            if hi < adj.target:
                self.error("SP511", _("{what}: {dice} can never reach the target {target} (the "
                                      "highest total is {hi})").format(
                                          what=what, dice=adj.dice, target=adj.target, hi=hi),
                           value_pos(raw, "target", pos),
                           _("lower the target, or use more dice or more sides"), WARNING)
            return
        rpos = value_pos(raw, "results", pos)
        for b in adj.bands:
            if (b.lo is not None and b.lo > hi) or (b.hi is not None and b.hi < lo):
                self.error("SP511", _("{what}: no total of {dice} ({lo}–{hi}) falls in result "
                                      "'{id}'").format(what=what, dice=adj.dice, lo=lo, hi=hi,
                                                       id=b.id),
                           rpos, _("move the result's bounds within {lo}–{hi}").format(
                               lo=lo, hi=hi), WARNING)

    def build_injects(self, raws) -> dict[str, Inject]:
        out: dict[str, Inject] = {}
        seen: dict[str, Where] = {}
        for raw, pos in raws:
            ident = str(raw["id"])
            first = self.unique(seen, ident, pos_of(raw["id"], pos), _("inject"))
            whole = isinstance(raw.get("title"), str)   # else reported by the structural check
            if first:
                self.item_hashes[f"inject:{ident}"] = _raw_hash(raw)
            what = _("inject '{id}'").format(id=ident)
            self.check_actor(raw.get("actor"), value_pos(raw, "actor", pos), what)
            turn = raw.get("turn")
            if isinstance(turn, int) and not 0 <= turn <= len(self.turns) - 1:
                self.error("SP308", _("{where}: turn {n} does not exist (turns 0..{last})").format(
                    where=what, n=turn, last=len(self.turns) - 1), value_pos(raw, "turn", pos))
            inject = Inject(
                id=ident, title=str(raw.get("title", "")),
                narrative=self.text(raw.get("narrative", ""), (raw, "narrative", pos), what),
                actor=str(raw.get("actor", "")), turn=turn if isinstance(turn, int) else None,
                when=self.condition(raw.get("when"), value_pos(raw, "when", pos),
                                    _("{what}, condition").format(what=what)),
                effects=self.effects(raw.get("effects"), value_pos(raw, "effects", pos), what),
                cites=self.check_events(raw.get("cites"), value_pos(raw, "cites", pos), what),
                chance=self.chance(raw, pos, what))
            if first and whole:
                out[ident] = inject
        return out

    def chance(self, raw: dict, pos, what: str) -> Fraction | None:
        """A chance inject's probability, exact: a fraction (1/6) or a decimal (0.25, read
        from its text, not as a binary float). It must lie in 0–1 and the inject needs a
        turn for the draw (SP513); a mistyped value was reported by the structural check."""
        if "chance" not in raw:
            return None
        v, cpos = raw["chance"], value_pos(raw, "chance", pos)
        if not self.needs_v2(_("{what}: chance").format(what=what), cpos):
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            return None
        text = str(v).strip()
        try:
            if isinstance(v, str) and not CHANCE_RE.match(text):
                raise ValueError(text)
            p = Fraction(text.replace(" ", ""))
        except (ValueError, ZeroDivisionError):
            self.error("SP513", _("{what}: chance '{value}' is not a probability").format(
                what=what, value=text), cpos,
                _("write a fraction such as 1/6 or a decimal such as 0.25 (a fraction's "
                  "bottom cannot be 0)"))
            return None
        if not 0 <= p <= 1:
            self.error("SP513", _("{what}: chance {value} is outside 0–1").format(
                what=what, value=text), cpos,
                _("write a probability from 0 (never) to 1 (always), e.g. 1/6 or 0.25"))
            return None
        if not isinstance(raw.get("turn"), int) or isinstance(raw.get("turn"), bool):
            self.error("SP513", _("{what}: a chance inject needs the turn it is drawn in").format(
                what=what), cpos, _("add e.g. 'turn: 2': the draw is made when that turn begins"))
            return None
        return p

    def build_signposts(self, raws, branches: dict[str, Branch]) -> tuple[Signpost, ...]:
        out = []
        seen: dict[str, Where] = {}
        # a branch's signposts are named b_1, b_2, …: one of the scenario's may not be
        named = {s.id: b.id for b in branches.values() for s in b.signposts}
        for raw, pos in raws:
            if not isinstance(raw, dict) or not {"id", "text", "when"} <= set(raw):
                continue
            ident = str(raw["id"])
            if ident in named:
                self.error("SP301", _("signpost '{id}' has the id of a signpost of branch "
                                      "'{branch}' (a branch's signposts are named {branch}_1, "
                                      "{branch}_2, …)").format(id=ident, branch=named[ident]),
                           pos_of(raw["id"], pos), _("rename it"))
                continue
            if not self.unique(seen, ident, pos_of(raw["id"], pos), _("signpost")):
                continue
            self.item_hashes[f"signpost:{ident}"] = _raw_hash(raw)
            cond = self.condition(raw["when"], value_pos(raw, "when", pos), f"signpost '{ident}'")
            if cond is not None:
                out.append(Signpost(ident, str(raw["text"]).strip(), cond))
        return tuple(out)

    def build_objectives(self, raws) -> tuple[Objective, ...]:
        out = []
        seen: dict[str, Where] = {}
        for raw, pos in raws:
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) \
                    or not isinstance(raw.get("text"), str):
                continue  # reported by the structural check
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw["id"], pos), _("objective")):
                continue
            self.item_hashes[f"objective:{ident}"] = _raw_hash(raw)
            out.append(Objective(ident, " ".join(raw["text"].split()),
                                 _strs(raw.get("capabilities")), _strs(raw.get("questions"))))
        return tuple(out)

    def build_endings(self, raws, pos) -> tuple[Ending, ...]:
        if not isinstance(raws, list) or not raws or not self.needs_v2(_("`endings`"), pos):
            return ()
        out = []
        seen: dict[str, Where] = {}
        for i, raw in enumerate(raws):
            if not isinstance(raw, dict) or not {"id", "title", "when"} <= set(raw):
                continue
            ident = str(raw["id"])
            ipos = (raws, i, pos)
            if not self.unique(seen, ident, pos_of(raw["id"], ipos), _("ending")):
                continue
            self.item_hashes[f"ending:{ident}"] = _raw_hash(raw)
            what = _("ending '{id}'").format(id=ident)
            cond = self.condition(raw["when"], value_pos(raw, "when", ipos), what)
            narrative = self.text(raw.get("narrative", ""), (raw, "narrative", ipos), what)
            if cond is not None:
                out.append(Ending(ident, str(raw["title"]), cond, narrative))
        return tuple(out)


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(" ".join(v.split()) for v in value if isinstance(v, str)) \
        if isinstance(value, list) else ()


@attrs.frozen
class Checked:
    """A scenario checked, with what an editor needs even when it has errors: every file
    read (path and located data) and the display name each diagnostic uses for its file."""

    scenario: Scenario | None
    diagnostics: list[Diagnostic]
    files: list[tuple[Path, Any]]
    paths: dict[str, Path]


def check_scenario(path: str | os.PathLike) -> tuple[Scenario | None, list[Diagnostic]]:
    """Load and check a scenario; returns it (None on errors) with every diagnostic found."""
    checked = check_scenario_texts(path)
    return checked.scenario, checked.diagnostics


def check_scenario_texts(path: str | os.PathLike, texts: dict | None = None) -> Checked:
    """Check a scenario reading `texts` (path → unsaved text) in place of those files."""
    builder = _Builder(Path(path), texts)
    try:
        with gc_paused():
            scenario = builder.build()
    except RecursionError:
        builder.error("SP107", "the file nests too deeply to check", Pos(str(path), 1, 1),
                      "flatten the structure")
        scenario = None
    except Exception:
        # A structure broken in a way the builder did not foresee: if its cause was already
        # reported, report that rather than crash; otherwise it is a bug in the engine.
        if not any(d.severity == "error" for d in builder.diags):
            raise
        scenario = None
    diags = sorted(builder.diags, key=lambda d: (d.file, d.line, d.col, d.code))
    return Checked(scenario, diags, builder.files.read, dict(builder.files.paths))


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Load a scenario or raise DiagnosticError with every problem found."""
    scenario, diags = check_scenario(path)
    if scenario is None:
        errors = [d for d in diags if d.severity == "error"] or diags
        raise DiagnosticError(errors)
    return scenario


def check_catalogues(paths, texts: dict | None = None) -> list[Diagnostic]:
    """Check catalogue files together (events in one may cite sources in another);
    `texts` (path → unsaved text) are read in place of those files."""
    paths = [Path(p) for p in paths]
    builder = _Builder(paths[0], texts)
    datas = []
    for path in paths:
        data = builder.files.load(path, str(path))
        if data is not None and builder.check.obj(data, "catalogue", getattr(data, "pos", None),
                                                  _("catalogue {name}").format(name=path)):
            datas.append(data)

    def items(key):
        out = []
        for d in datas:
            value = d.get(key) or []
            out += [(x, value.item_pos[i] if hasattr(value, "item_pos") else None)
                    for i, x in enumerate(value)]
        return out

    builder.actors = builder.build_actors(datas)
    builder.sources = builder.build_sources(items("sources"))
    builder.events = builder.build_events(items("events"))
    if builder.sources:
        builder.check_catalogue_use()
    return sorted(builder.diags, key=lambda d: (d.file, d.line, d.col, d.code))
