"""Load a scenario: its file, includes and catalogue → a checked `Scenario`, or diagnostics.

Every problem is collected in one pass; nothing raises past `load_scenario` except
`DiagnosticError` carrying all of them.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from engine.lang import expr as X
from engine.diagnostics import Diagnostic, DiagnosticError, Pos, diag, did_you_mean, WARNING
from engine.model import (Adjudication, ArgumentRules, Branch, Cell, Citation, Clause, Condition, Event, Inject, Modifier,
                    Option, Outcome, Scenario, Signpost, Source, Turn, Variable, _day)
from engine.format.schema import (DATE_RE, DICE_RE, FORMAT_VERSION, TURNS_RE, Checker, pos_of, resolve_pos,
                     value_pos)
from engine.format.yamlsource import gc_paused, load_yaml_file


class _Files:
    """Reads YAML files once each, remembering their bytes for the content hash."""

    def __init__(self, root: Path, diags: list[Diagnostic]):
        self.root = root
        self.diags = diags
        self.hashes: dict[str, str] = {}

    def name(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.root)
        except ValueError:
            return str(path)

    def load(self, path: Path, display: str | None = None) -> Any:
        data, diags = load_yaml_file(path, display or self.name(path))
        self.diags.extend(diags)
        try:
            self.hashes[self.name(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            pass
        return data


def _raw_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


def _expr_pos(text: Any, offset: int, fallback: Any) -> Pos | None:
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
    def __init__(self, path: Path):
        self.path = path
        self.root = path.parent.resolve()
        self.diags: list[Diagnostic] = []
        self.files = _Files(self.root, self.diags)
        self.check = Checker(self.diags)
        self.item_hashes: dict[str, str] = {}
        self._checked: dict[tuple[str, str], Any] = {}  # see checked()
        self._checked_scope: Any = None

    def error(self, code, message, pos, hint=None, severity="error"):
        # `pos` may be lazy, as (container, key or index, fallback): see schema.resolve_pos.
        self.diags.append(diag(code, message, resolve_pos(pos), hint, severity))

    # ------------------------------------------------------------------ files
    def resolve(self, ref: Any, base: Path, pos: Pos | None, confine: bool) -> Path | None:
        text = str(ref)
        if os.path.isabs(text) or text.startswith("~"):
            self.error("SP305", f"'{text}' is an absolute path", pos_of(ref, pos),
                       "write the path relative to the file that names it")
            return None
        target = (base.parent / text).resolve()
        if confine and not target.is_relative_to(self.root):
            self.error("SP305", f"'{text}' leaves the scenario's folder tree", pos_of(ref, pos),
                       f"includes must stay inside {self.root}")
            return None
        if not target.is_file():
            here = base.parent
            names = [p.name for p in here.glob("*.y*ml")] if here.is_dir() else []
            self.error("SP306", f"'{text}' cannot be found (looked at {target})", pos_of(ref, pos),
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
                self.error("SP307", f"includes form a cycle: {chain}", pos_of(ref, ipos),
                           "remove one of the includes")
                continue
            if any(target == p for p, _ in parts):
                continue  # included twice along different paths: read once
            part = self.files.load(target)
            if part is None or not self.check.obj(part, "include", None,
                                                  f"included file {self.files.name(target)}"):
                continue
            parts.append((target, part))
            self.gather_includes(part, target, stack + [target], parts)

    # ------------------------------------------------------------------ build
    def build(self) -> Scenario | None:
        data = self.files.load(self.path, str(self.path))
        if data is None:
            return None
        if not isinstance(data, dict):
            self.error("SP203", "a scenario file should be a mapping of keys "
                       "(spillover, id, title, start, turns, …)", pos_of(data, Pos(str(self.path), 1, 1)))
            return None
        if "spillover" in data and data["spillover"] != FORMAT_VERSION:
            self.error("SP207", f"format version {data['spillover']!r} is not supported",
                       value_pos(data, "spillover", None), f"this engine reads version {FORMAT_VERSION}")
        if not self.check.obj(data, "scenario", getattr(data, "pos", None), "the scenario"):
            # Keep going where the parts that matter are usable, to report more at once.
            if not isinstance(data.get("turns"), list) or not data.get("turns"):
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
                                                  f"catalogue {self.files.name(target)}"):
                catalogues.append(cat)

        def collect(key):
            out = []
            for source in catalogues + [p for _, p in parts]:
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
        variables = self.build_variables([p for _, p in parts])

        raw_branches = [(b, p) for b, p in collect("branches") if isinstance(b, dict) and "id" in b]
        raw_injects = [(b, p) for b, p in collect("injects") if isinstance(b, dict) and "id" in b]
        branch_options: dict[str, frozenset[str]] = {}
        for b, p in raw_branches:
            opts = b.get("options") if isinstance(b.get("options"), list) else []
            branch_options[str(b["id"])] = frozenset(
                str(o["id"]) for o in opts if isinstance(o, dict) and "id" in o)
        self.scope = X.Scope(
            variables={v.id: (v.index, v.type) for v in variables},
            events=frozenset(self.events),
            branches=branch_options,
            injects=frozenset(str(i["id"]) for i, _ in raw_injects),
            last_turn=len(self.turns) - 1,
        )
        branches = self.build_branches(raw_branches)
        injects = self.build_injects(raw_injects)
        signposts = self.build_signposts(collect("signposts"))
        cells, arguments = self.build_cells(data), self.build_arguments(data)
        sealed = data.get("sealed_moves") is True
        if sealed and not cells:
            self.error("SP508", "sealed moves need cells: whose moves would be sealed?",
                       value_pos(data, "sealed_moves", None),
                       "declare `cells:`, or remove `sealed_moves`")
        self.check_catalogue_use()

        if any(d.severity == "error" for d in self.diags):
            return None
        # The main file counts under a fixed name, so renaming it does not change the hash.
        main = self.files.name(self.path)
        content = hashlib.sha256("\n".join(
            f"{'(scenario)' if k == main else k}:{v}"
            for k, v in sorted(self.files.hashes.items())).encode()).hexdigest()
        return Scenario(
            id=str(data["id"]), title=str(data["title"]), summary=str(data.get("summary", "")),
            start=self.turns[0].date, path=str(self.path.resolve()), content_hash=content,
            file_hashes=dict(self.files.hashes), item_hashes=self.item_hashes,
            turns=tuple(self.turns), actors=self.actors, variables=tuple(variables),
            events=self.events, sources=self.sources, branches=branches, injects=injects,
            signposts=signposts, moves_per_turn=int(data.get("moves_per_turn", 1)),
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
                    self.error("SP508", f"actor '{a}' is in cells '{owner[a]}' and '{c['id']}'",
                               value_pos(c, "actors", ipos), "an actor is played by one cell")
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
            self.error("SP508", "the argument strength scale " + (
                "is empty" if not scale else "repeats a label"), value_pos(data, "arguments", None),
                "list each strength once, weakest first, each with a target")
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
                    if isinstance(k, str) and isinstance(v, str):
                        actors[str(k)] = str(v)
        return actors

    def check_actor(self, actor: Any, pos: Pos | None, where: str) -> None:
        if actor and actor not in self.actors:
            self.error("SP303", f"{where}: actor '{actor}' is not defined", pos_of(actor, pos),
                       did_you_mean(str(actor), self.actors) or "add it under `actors:`")

    def check_events(self, ids: Any, pos: Pos | None, where: str) -> tuple[str, ...]:
        out = []
        for i, ev in enumerate(ids or []):
            ipos = (ids, i, pos) if isinstance(ids, list) else pos
            if ev not in self.events:
                self.error("SP302", f"{where}: event '{ev}' is not defined", pos_of(ev, ipos),
                           did_you_mean(str(ev), self.events) or
                           "define it in a catalogue or under `events:`")
            else:
                out.append(str(ev))
        return tuple(out)

    def unique(self, seen: dict, ident: str, pos: Pos | None, what: str) -> bool:
        if ident in seen:
            first = resolve_pos(seen[ident])
            where = f" (first at {first.file}:{first.line})" if first else ""
            self.error("SP301", f"{what} '{ident}' is defined twice{where}", pos,
                       "rename one of them")
            return False
        seen[ident] = pos
        return True

    def build_sources(self, items) -> dict[str, Source]:
        out: dict[str, Source] = {}
        seen: dict[str, Pos | None] = {}
        for raw, pos in items:
            if not isinstance(raw, dict) or "id" not in raw or "title" not in raw:
                continue
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw.get("id"), pos), "source"):
                continue
            details = ", ".join(f"{k} {raw[k]}" for k in ("year", "volume", "issue", "pages")
                                if k in raw)
            out[ident] = Source(
                id=ident, kind=str(raw.get("kind", "")), title=str(raw["title"]),
                issuer=str(raw.get("issuer", "")), title_ru=str(raw.get("title_ru", "")),
                journal=str(raw.get("journal", "")), published=str(raw.get("published", "")),
                url=str(raw.get("url", "")), accessed=str(raw.get("accessed", "")),
                footnotes=tuple(raw.get("footnotes") or ()), cites_as=str(raw.get("cites_as", "")),
                details=details)
        return out

    def build_events(self, items) -> dict[str, Event]:
        out: dict[str, Event] = {}
        seen: dict[str, Pos | None] = {}
        for raw, pos in items:
            if not isinstance(raw, dict) or not {"id", "date", "title"} <= set(raw):
                continue
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw.get("id"), pos), "event"):
                continue
            cites = []
            srcs = raw.get("sources") or []
            for i, c in enumerate(srcs if isinstance(srcs, list) else []):
                if not isinstance(c, dict) or "source" not in c:
                    continue
                if c["source"] not in self.sources:
                    self.error("SP304", f"event '{ident}': source '{c['source']}' is not defined",
                               pos_of(c["source"], pos), did_you_mean(str(c["source"]), self.sources))
                cites.append(Citation(str(c["source"]), tuple(c.get("footnotes") or ())))
            actors = raw.get("actors") or []
            for i, a in enumerate(actors if isinstance(actors, list) else []):
                self.check_actor(a, pos, f"event '{ident}'")
            out[ident] = Event(
                id=ident, date=str(raw["date"]), title=str(raw["title"]),
                summary=str(raw.get("summary", "")).strip(), title_ru=str(raw.get("title_ru", "")),
                actors=tuple(map(str, actors)), tags=tuple(map(str, raw.get("tags") or ())),
                sources=tuple(cites))
        return out

    def check_catalogue_use(self) -> None:
        cited = {c.source for e in self.events.values() for c in e.sources}
        for sid in self.sources:
            if sid not in cited:
                self.error("SP505", f"source '{sid}' is not cited by any event", None,
                           "cite it from an event or remove it", severity=WARNING)

    def build_turns(self, data: dict) -> list[Turn]:
        raw = data.get("turns")
        if not isinstance(raw, list) or not raw:
            if "turns" in data:
                self.error("SP208", "a scenario needs at least one turn (turn 0, the baseline)",
                           value_pos(data, "turns", None))
            return []
        turns: list[Turn] = []
        start = str(data.get("start", ""))
        start = start if DATE_RE.match(start) else ""
        for i, t in enumerate(raw):
            if not isinstance(t, dict):
                return []
            # A turn missing its label or date is already reported; keep checking the rest.
            date = str(t["date"]) if DATE_RE.match(str(t.get("date", ""))) else (
                turns[-1].date if turns else start or "2000")
            ipos = raw.item_pos[i] if hasattr(raw, "item_pos") else None
            turns.append(Turn(i, str(t.get("label", f"Turn {i}")), date, pos_of(t, ipos)))
            pos = value_pos(t, "date", ipos)
            if i and _day(turns[i].date) < _day(turns[i - 1].date):
                self.error("SP504", f"turn {i} ({turns[i].date}) is dated before turn {i - 1} "
                           f"({turns[i - 1].date})", pos, "list turns in date order")
        if start and turns[0].date != start:
            self.error("SP504", f"turn 0 is the baseline and should be dated at the start "
                       f"({start}), not {turns[0].date}", value_pos(raw[0], "date", None),
                       f"write date: {start}")
        return turns

    def build_variables(self, parts) -> list[Variable]:
        out: list[Variable] = []
        seen: dict[str, Pos | None] = {}
        for part in parts:
            state = part.get("state")
            if not isinstance(state, dict):
                continue
            for name, raw in state.items():
                kpos = state.key_pos.get(name) if hasattr(state, "key_pos") else None
                if not isinstance(raw, dict) or "type" not in raw or "initial" not in raw:
                    continue
                if not self.unique(seen, str(name), kpos, "state variable"):
                    continue
                var = self.build_variable(str(name), raw, len(out), kpos)
                if var is not None:
                    out.append(var)
                    self.item_hashes[f"state:{name}"] = _raw_hash(raw)
        return out

    def build_variable(self, name: str, raw: dict, index: int, kpos) -> Variable | None:
        kind = raw["type"]
        ipos = value_pos(raw, "initial", kpos)
        init = raw["initial"]

        def need(key: str, example: str):
            if key not in raw:
                self.error("SP202", f"state variable '{name}' of type {kind} needs '{key}'", kpos,
                           f"e.g. {key}: {example}")
                return False
            return True

        t: Any
        value: Any = None
        if kind == "bool":
            t = X.BOOL
            if not isinstance(init, bool):
                self.error("SP406", f"'{name}' is bool; initial should be true or false",
                           pos_of(init, ipos))
                return None
            value = init
        elif kind == "int":
            if not need("range", "[0, 5]") or not isinstance(raw["range"], list):
                return None
            lo, hi = raw["range"]
            t = X.IntType(lo, hi)
            if not isinstance(init, int) or isinstance(init, bool) or not lo <= init <= hi:
                self.error("SP406", f"'{name}' is int {lo}..{hi}; initial {init!r} does not fit",
                           pos_of(init, ipos))
                return None
            value = init
        elif kind == "enum":
            if not need("values", "[none, political, military]"):
                return None
            values = tuple(map(str, raw["values"]))
            if len(set(values)) != len(values) or not values:
                self.error("SP203", f"enum '{name}' needs distinct values", value_pos(raw, "values", kpos))
                return None
            t = X.EnumType(values)
            if init not in values:
                self.error("SP407", f"'{init}' is not a value of '{name}' ({', '.join(values)})",
                           pos_of(init, ipos), did_you_mean(str(init), values))
                return None
            value = values.index(init)
        elif kind == "set":
            if not need("of", "[mediterranean, philippine_sea]"):
                return None
            universe = tuple(map(str, raw["of"]))
            t = X.SetType(universe)
            if not isinstance(init, list):
                self.error("SP406", f"'{name}' is a set; initial should be a list of names, e.g. []",
                           pos_of(init, ipos))
                return None
            bad = [x for x in init if x not in universe]
            if bad:
                self.error("SP407", f"'{bad[0]}' is not a possible member of '{name}'",
                           pos_of(bad[0], ipos), did_you_mean(str(bad[0]), universe))
                return None
            value = frozenset(map(str, init))
        else:
            return None
        for key, applies in (("range", "int"), ("values", "enum"), ("of", "set")):
            if key in raw and kind != applies:
                self.error("SP201", f"'{key}' applies to {applies} variables, not {kind}",
                           raw.key_pos.get(key) if hasattr(raw, "key_pos") else kpos)
        rests = self.check_events(raw.get("rests_on"), value_pos(raw, "rests_on", kpos),
                                  f"state variable '{name}'")
        return Variable(name, index, t, value, str(raw.get("label", "")),
                        str(raw.get("description", "")).strip(), rests)

    # ------------------------------------------------------------------ expressions
    def located(self, err: X.ExprError, text: Any, fallback: Pos | None, what: str) -> None:
        self.error(err.code, f"{what}: {err.message}", _expr_pos(text, err.start, fallback),
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

    def condition(self, raw: Any, pos: Pos | None, what: str) -> Condition | None:
        if raw is None:
            return None
        texts = [raw] if isinstance(raw, str) else list(raw)
        clauses: list[Clause] = []
        ok = True
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                continue
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

    def effects(self, raw: Any, pos: Pos | None, what: str) -> tuple[X.Effect, ...]:
        out = []
        for i, text in enumerate(raw or []):
            if not isinstance(text, str):
                continue
            tpos = (raw, i, pos) if isinstance(raw, list) else pos
            try:
                out.append(self.checked("effect", text))
            except X.ExprError as e:
                self.located(e, text, tpos, what)
        return tuple(out)

    def int_value(self, raw: Any, pos: Pos | None, what: str) -> X.Typed | None:
        text = str(raw)
        try:
            return self.checked("int", text)
        except X.ExprError as e:
            self.located(e, raw if isinstance(raw, str) else text, pos, what)
            return None

    # ------------------------------------------------------------------ branches, injects
    def turn_set(self, raw: Any, pos: Pos | None, where: str) -> frozenset[int]:
        last = len(self.turns) - 1
        if raw is None:
            return frozenset(range(1, last + 1)) if last else frozenset({0})
        if isinstance(raw, str):
            m = TURNS_RE.match(raw.strip())
            if m is None:
                return frozenset()   # reported by the structural check
            lo, hi = int(m.group(1)), int(m.group(2)) if m.group(2) else last
            nums = list(range(lo, hi + 1)) or [lo]
            check = [lo, hi]
        else:
            nums = [raw] if isinstance(raw, int) else [n for n in raw if isinstance(n, int)]
            check = nums
        for n in check:
            if not 0 <= n <= last:
                self.error("SP308", f"{where}: turn {n} does not exist (turns 0..{last})",
                           pos_of(raw, pos), f"use a turn from 0 to {last}")
        return frozenset(n for n in nums if 0 <= n <= last)

    def build_branches(self, raws) -> dict[str, Branch]:
        out: dict[str, Branch] = {}
        seen: dict[str, Pos | None] = {}
        for raw, pos in raws:
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw["id"], pos), "branch"):
                continue
            if not isinstance(raw.get("title"), str) or not isinstance(raw.get("options"), list):
                continue  # reported by the structural check
            if ident in self.scope.injects:
                self.error("SP301", f"'{ident}' names both a branch and an inject",
                           pos_of(raw["id"], pos), "rename one of them")
            self.item_hashes[f"branch:{ident}"] = _raw_hash(raw)
            what = f"branch '{ident}'"
            # Positions stay lazy, (mapping, key, fallback), until a problem is reported.
            self.check_actor(raw.get("actor"), (raw, "actor", pos), what)
            cites = self.check_events(raw.get("cites"), (raw, "cites", pos), what)
            when = self.condition(raw.get("when"), (raw, "when", pos), f"{what}, precondition")
            adjudication = self.adjudication(raw.get("adjudication"), (raw, "adjudication", pos),
                                             what)
            options = []
            oseen: dict[str, Pos | None] = {}
            for i, o in enumerate(raw.get("options") or []):
                if not isinstance(o, dict) or "id" not in o or "label" not in o:
                    continue
                opos = (raw["options"], i, pos)
                if not self.unique(oseen, str(o["id"]), pos_of(o["id"], opos), f"option of {what}"):
                    continue
                options.append(self.option(o, opos, what, adjudication is not None))
            if adjudication is not None and not any(o.contested for o in options):
                self.error("SP502", f"{what} has an adjudication but no option has on_success/"
                           "on_failure", value_pos(raw, "adjudication", pos),
                           "add on_success/on_failure to the contested option", WARNING)
            if isinstance(raw.get("options"), list) and not raw["options"]:
                self.error("SP208", f"{what} needs at least one option", value_pos(raw, "options", pos))
            signposts = []
            for i, s in enumerate(raw.get("signposts") or []):
                spos = (raw["signposts"], i, pos)
                sid = f"{ident}_{i + 1}"
                if isinstance(s, str):
                    signposts.append(Signpost(sid, s.strip(), None, ident))
                elif isinstance(s, dict) and "text" in s:
                    cond = self.condition(s.get("when"), (s, "when", spos),
                                          f"{what}, signpost {i + 1}")
                    signposts.append(Signpost(sid, str(s["text"]).strip(), cond, ident))
            out[ident] = Branch(
                id=ident, title=str(raw["title"]), options=tuple(options),
                turns=self.turn_set(raw.get("turns"), (raw, "turns", pos), what),
                actor=str(raw.get("actor", "")), narrative=str(raw.get("narrative", "")).strip(),
                repeatable=bool(raw.get("repeatable", False)), when=when, cites=cites,
                adjudication=adjudication, signposts=tuple(signposts),
                pos=pos_of(raw["id"], pos))
        return out

    def option(self, o: dict, pos, what: str, adjudicated: bool) -> Option:
        owhat = f"{what}, option '{o['id']}'"
        outcomes = {}
        for key in ("on_success", "on_failure"):
            if key in o and isinstance(o[key], dict):
                if not adjudicated:
                    self.error("SP501", f"{owhat} has {key} but the branch has no adjudication",
                               o.key_pos.get(key) if hasattr(o, "key_pos") else pos,
                               "add `adjudication: {dice: 2d6, target: 7}` to the branch")
                out = o[key]
                outcomes[key] = Outcome(str(out.get("narrative", "")).strip(),
                                        self.effects(out.get("effects"), (out, "effects", pos),
                                                     f"{owhat}, {key}"))
        return Option(id=str(o["id"]), label=str(o["label"]),
                      narrative=str(o.get("narrative", "")).strip(),
                      effects=self.effects(o.get("effects"), (o, "effects", pos), owhat),
                      on_success=outcomes.get("on_success"), on_failure=outcomes.get("on_failure"))

    def adjudication(self, raw: Any, pos, what: str) -> Adjudication | None:
        if not isinstance(raw, dict) or "dice" not in raw or not isinstance(raw.get("target"), int):
            return None
        m = DICE_RE.match(str(raw["dice"]))
        if not m:
            return None
        mods = []
        for i, md in enumerate(raw.get("modifiers") or []):
            if not isinstance(md, dict) or "label" not in md or "value" not in md:
                continue
            mpos = (raw["modifiers"], i, pos)
            value = self.int_value(md["value"], (md, "value", mpos),
                                   f"{what}, modifier '{md['label']}'")
            cond = self.condition(md.get("when"), (md, "when", mpos),
                                  f"{what}, modifier '{md['label']}'")
            if value is not None:
                mods.append(Modifier(str(md["label"]), value, cond))
        return Adjudication(str(raw["dice"]), int(m.group(1)), int(m.group(2)), int(raw["target"]),
                            tuple(mods), str(raw.get("note", "")).strip())

    def build_injects(self, raws) -> dict[str, Inject]:
        out: dict[str, Inject] = {}
        seen: dict[str, Pos | None] = {}
        for raw, pos in raws:
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw["id"], pos), "inject"):
                continue
            if not isinstance(raw.get("title"), str):
                continue  # reported by the structural check
            self.item_hashes[f"inject:{ident}"] = _raw_hash(raw)
            what = f"inject '{ident}'"
            self.check_actor(raw.get("actor"), value_pos(raw, "actor", pos), what)
            turn = raw.get("turn")
            if isinstance(turn, int) and not 0 <= turn <= len(self.turns) - 1:
                self.error("SP308", f"{what}: turn {turn} does not exist "
                           f"(turns 0..{len(self.turns) - 1})", value_pos(raw, "turn", pos))
            out[ident] = Inject(
                id=ident, title=str(raw["title"]), narrative=str(raw.get("narrative", "")).strip(),
                actor=str(raw.get("actor", "")), turn=turn if isinstance(turn, int) else None,
                when=self.condition(raw.get("when"), value_pos(raw, "when", pos),
                                    f"{what}, condition"),
                effects=self.effects(raw.get("effects"), value_pos(raw, "effects", pos), what),
                cites=self.check_events(raw.get("cites"), value_pos(raw, "cites", pos), what))
        return out

    def build_signposts(self, raws) -> tuple[Signpost, ...]:
        out = []
        seen: dict[str, Pos | None] = {}
        for raw, pos in raws:
            if not isinstance(raw, dict) or not {"id", "text", "when"} <= set(raw):
                continue
            ident = str(raw["id"])
            if not self.unique(seen, ident, pos_of(raw["id"], pos), "signpost"):
                continue
            self.item_hashes[f"signpost:{ident}"] = _raw_hash(raw)
            cond = self.condition(raw["when"], value_pos(raw, "when", pos), f"signpost '{ident}'")
            if cond is not None:
                out.append(Signpost(ident, str(raw["text"]).strip(), cond))
        return tuple(out)


def check_scenario(path: str | os.PathLike) -> tuple[Scenario | None, list[Diagnostic]]:
    """Load and check a scenario; returns it (None on errors) with every diagnostic found."""
    builder = _Builder(Path(path))
    try:
        with gc_paused():
            scenario = builder.build()
    except RecursionError:
        builder.error("SP107", "the file nests too deeply to check", None, "flatten the structure")
        scenario = None
    except Exception:
        # A structure broken in a way the builder did not foresee: if its cause was already
        # reported, report that rather than crash; otherwise it is a bug in the engine.
        if not any(d.severity == "error" for d in builder.diags):
            raise
        scenario = None
    diags = sorted(builder.diags, key=lambda d: (d.file, d.line, d.col, d.code))
    return scenario, diags


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Load a scenario or raise DiagnosticError with every problem found."""
    scenario, diags = check_scenario(path)
    if scenario is None:
        errors = [d for d in diags if d.severity == "error"] or diags
        raise DiagnosticError(errors)
    return scenario


def check_catalogues(paths) -> list[Diagnostic]:
    """Check catalogue files together (events in one may cite sources in another)."""
    paths = [Path(p) for p in paths]
    builder = _Builder(paths[0])
    datas = []
    for path in paths:
        data = builder.files.load(path, str(path))
        if data is not None and builder.check.obj(data, "catalogue", getattr(data, "pos", None),
                                                  f"catalogue {path}"):
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
