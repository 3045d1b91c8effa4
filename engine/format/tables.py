"""String tables: a scenario's text in another language, kept beside the file it translates.

`scenarios/x.yaml` is translated by `scenarios/x.ru.yaml`, the catalogue `seeds/events.yaml`
by `seeds/events.ru.yaml`, and so on: one table per file and language, each entry keyed by
the stable ids of `engine.format.strings` and recording `of`, the short hash
(`engine.format.prose.short_hash`) of the source text it was translated from:

    spillover-strings: 1
    lang: ru
    strings:
      branch.liaison_office.title:
        of: '49e913a4'
        text: НАТО выносит на обсуждение офис связи в Токио

An entry whose `of` no longer matches the source text is *stale*: it is still used, and
`lint` says so. A text with no entry stays in the source language (English).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs

from engine.diagnostics import (
    WARNING,
    Diagnostic,
    DiagnosticError,
    Pos,
    diag,
    did_you_mean,
)
from engine.format.loader import check_scenario
from engine.format.prose import short_hash
from engine.format.schema import pos_of, value_pos
from engine.format.strings import SOURCE_LANG, source_strings, translated
from engine.format.yamlsource import LocDict, gc_paused, load_yaml_file
from engine.i18n import Messages, _, current_language, ngettext
from engine.model import Scenario

LANG_RE = re.compile(r"^[a-z]{2,3}$")
TABLE_KEYS = ("spillover-strings", "lang", "strings")
ENTRY_KEYS = ("of", "text")


@attrs.frozen
class Entry:
    text: str
    of: str
    pos: Pos | None


@attrs.frozen
class Coverage:
    """How much of a scenario's text a language's tables translate."""

    lang: str
    total: int
    current: int
    stale: int
    title: str = ""          # the scenario's title in the language

    @property
    def missing(self) -> int:
        return self.total - self.current - self.stale

    @property
    def percent(self) -> float:
        return 100.0 * (self.current + self.stale) / self.total if self.total else 100.0


def shown(path: Path) -> str:
    """A path as diagnostics show it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def table_path(file: str | os.PathLike, lang: str) -> Path:
    """Where the `lang` table of a scenario, include or catalogue file lives."""
    file = Path(file)
    return file.with_name(f"{file.stem}.{lang}.yaml")


def scenario_files(sc: Scenario) -> list[Path]:
    """The scenario's files (main first, then includes and catalogues), as loaded; resolved,
    so that they compare equal wherever they were named from."""
    main = Path(sc.path).resolve()
    files = [(main.parent / rel).resolve() for rel in sc.file_hashes]
    return [main] + [f for f in files if f != main]


def owners(sc: Scenario) -> dict[str, Path]:
    """Which file defines each item: 'branch.x', 'event.y', 'variable.z', 'actor.a' → path.
    Keys without an owner here (scenario.*, turn.*) belong to the main file."""
    out: dict[str, Path] = {}
    kinds = {"branches": "branch", "injects": "inject", "events": "event", "sources": "source",
             "signposts": "signpost", "cells": "cell"}
    for path in scenario_files(sc):
        data, _diags = load_yaml_file(path)
        if not isinstance(data, dict):
            continue
        for key, kind in kinds.items():
            for item in data.get(key) or []:
                if isinstance(item, dict) and "id" in item:
                    out.setdefault(f"{kind}.{item['id']}", path)
        for name in data.get("state") or {}:
            out.setdefault(f"variable.{name}", path)
        for name in data.get("actors") or {}:
            out.setdefault(f"actor.{name}", path)
    return out


def owner_of(key: str, owned: dict[str, Path], main: Path) -> Path:
    return owned.get(".".join(key.split(".")[:2]), main)


def read_table(path: Path, lang: str) -> tuple[dict[str, Entry], list[Diagnostic]]:
    """A table's entries, with located errors for what is wrong in it (SP1xx, SP801)."""
    data, diags = load_yaml_file(path, shown(path))
    if data is None:
        return {}, diags
    where = Pos(shown(path), 1, 1)

    def bad(message: str, pos, hint: str | None = None) -> None:
        diags.append(diag("SP801", message, pos or where, hint))

    if not isinstance(data, LocDict):         # every YAML mapping is a LocDict
        bad(_("a string table should be a mapping with the keys spillover-strings, lang, "
              "strings"),
            pos_of(data, where))
        return {}, diags
    for key in data:
        if key not in TABLE_KEYS:
            bad(_("unknown key '{key}' in the string table").format(key=key),
                data.key_pos.get(key), did_you_mean(str(key), TABLE_KEYS)
                or _("allowed keys: {keys}").format(keys=", ".join(TABLE_KEYS)))
    if data.get("spillover-strings") != 1:
        bad(_("a string table starts with `spillover-strings: 1`"),
            value_pos(data, "spillover-strings", where))
    if data.get("lang") != lang:
        bad(_("this table's lang is {found}, but its file name says '{lang}'").format(
            found=repr(data.get('lang')), lang=lang), value_pos(data, "lang", where),
            _("write `lang: {lang}`").format(lang=lang))
    strings = data.get("strings") or {}
    if not isinstance(strings, dict):          # a LocDict, or the empty default above
        bad(_("`strings` should map keys to {of, text}"), value_pos(data, "strings", where))
        return {}, diags
    out: dict[str, Entry] = {}
    for key, raw in strings.items():
        kpos = strings.key_pos.get(key)  # type: ignore[attr-defined]  # a LocDict when not empty
        if not isinstance(raw, LocDict) or not isinstance(raw.get("text"), str) \
                or not isinstance(raw.get("of"), str):
            bad(_("'{key}' should be a mapping with `of` (the source text's hash) and "
                  "`text`").format(key=key),
                kpos, _("write it as  key: {of: '1a2b3c4d', text: ...} (quote the hash: "
                        "YAML reads 00001234 as a number)"))
            continue
        for k in raw:
            if k not in ENTRY_KEYS:
                bad(_("unknown key '{key}' in the entry '{entry}'").format(key=k, entry=key),
                    raw.key_pos.get(k),
                    did_you_mean(str(k), ENTRY_KEYS) or _("an entry has `of` and `text`"))
        out[str(key)] = Entry(str(raw["text"]).strip(), str(raw["of"]), kpos)
    return out, diags


@attrs.frozen
class Translation:
    scenario: Scenario            # in the language (the source text where none is given)
    coverage: Coverage
    diagnostics: tuple[Diagnostic, ...]


def translate(sc: Scenario, lang: str, lint: bool = True) -> Translation:
    """Read every `lang` table of the scenario's files and apply them. Diagnostics: SP801
    (malformed table), SP802 (a key the scenario does not have, or in the wrong file's table)
    are errors; SP803 (missing) and SP804 (stale) are warnings. With `lint` False (to play or
    report) the tables are only checked for what stops their use (SP801, unknown keys, stale
    ones still count): finding the file that owns each text costs a second read of the
    scenario's files."""
    source = source_strings(sc)
    if lang == SOURCE_LANG:
        return Translation(sc, Coverage(lang, len(source), len(source), 0), ())
    main = Path(sc.path).resolve()
    owned = owners(sc) if lint else {}
    by_file: dict[Path, list[str]] = {}
    for key in source:
        by_file.setdefault(owner_of(key, owned, main) if lint else main, []).append(key)
    diags: list[Diagnostic] = []
    texts: dict[str, str] = {}
    current = stale = 0
    for file in scenario_files(sc):
        keys = by_file.get(file, []) if lint else list(source)
        table = table_path(file, lang)
        if not table.is_file():
            if keys and lint:
                diags.append(diag("SP803", ngettext(
                    "no {language} string table for {file}: its {n} text is untranslated",
                    "no {language} string table for {file}: its {n} texts are untranslated",
                    len(keys)).format(language=_name(lang), file=file.name, n=len(keys)),
                    Pos(shown(table), 0, 0),
                    _("`spillover translate {scenario} --lang {lang}` starts it "
                      "(docs/AUTHORING.md, Translations)").format(
                        scenario=shown(Path(sc.path)), lang=lang), WARNING))
            continue
        entries, problems = read_table(table, lang)
        diags += problems
        mine = set(keys)
        for key, e in entries.items():
            if key not in mine:
                if key in source and lint:
                    right = table_path(owner_of(key, owned, main), lang).name
                    diags.append(diag("SP802", _("'{key}' belongs in {file}, not here").format(
                        key=key, file=right), e.pos,
                        _("move the entry to {file}").format(file=right)))
                else:
                    diags.append(diag("SP802", _("'{key}' names no text of the scenario").format(
                        key=key), e.pos, did_you_mean(key, mine) or _("remove the entry")))
                continue
            if not e.text:                           # a placeholder still to be written
                diags.append(diag("SP803", _("'{key}' has no {language} translation yet").format(
                    key=key, language=_name(lang)), e.pos, _("write its `text`"), WARNING))
                continue
            texts[key] = e.text
            if e.of == short_hash(source[key]):
                current += 1
            else:
                stale += 1
                diags.append(diag("SP804", _("the translation of '{key}' is stale: the source "
                                             "text changed since it was translated").format(
                    key=key), e.pos, _("check it against the source text, then write "
                                       "`of: '{hash}'`").format(hash=short_hash(source[key])),
                    WARNING))
        for key in keys if lint else ():
            if key not in entries and key in source:
                diags.append(diag("SP803", _("'{key}' has no {language} translation").format(
                    key=key, language=_name(lang)), Pos(shown(table), 1, 1),
                    _("add  {key}: {{of: '{hash}', text: ...}}").format(
                        key=key, hash=short_hash(source[key])), WARNING))
    return Translation(translated(sc, texts, lang), Coverage(lang, len(source), current, stale),
                       tuple(diags))


def add_missing(sc: Scenario, lang: str) -> list[tuple[Path, int]]:
    """Append every text that `lang` lacks to the table of the file it belongs to, as an
    entry to fill in: `of` set, `text` empty, the English above it as a comment. Creates
    tables that do not exist. Returns (table, entries added) per table written. Raises
    DiagnosticError when a table has errors or does not end with its `strings:` mapping."""
    if lang == SOURCE_LANG or not LANG_RE.match(lang):
        raise ValueError(f"'{lang}' is not a language to translate into")
    source = source_strings(sc)
    main = Path(sc.path).resolve()
    owned = owners(sc)
    written = []
    for file in scenario_files(sc):
        keys = [k for k in source if owner_of(k, owned, main) == file]
        table = table_path(file, lang)
        have: dict[str, Entry] = {}
        if table.is_file():
            have, problems = read_table(table, lang)
            data, _diags = load_yaml_file(table)
            if not problems and isinstance(data, dict) and list(data)[-1:] != ["strings"]:
                problems = [diag("SP801", _("new entries go at the end of `strings:`, which "
                                            "must be the table's last key"),
                                 Pos(shown(table), 1, 1))]
            if any(d.severity == "error" for d in problems):
                raise DiagnosticError(problems)
        todo = [k for k in keys if k not in have]
        if not todo:
            continue
        lines = [] if table.is_file() else [
            f"# {_name(lang, 'en')} text of {file.name}: a spillover string table "
            "(docs/AUTHORING.md,",
            "# Translations). Write each `text`; `of` is the hash of the English it translates.",
            "spillover-strings: 1", f"lang: {lang}", "strings:"]
        for key in todo:
            english = " ".join(source[key].split())
            lines += [f"  # en: {english}", f"  {key}:", f"    of: '{short_hash(source[key])}'",
                      '    text: ""']
        old = table.read_text(encoding="utf-8") if table.is_file() else ""
        if old and not old.endswith("\n"):
            old += "\n"
        table.write_text(old + "\n".join(lines) + "\n", encoding="utf-8")
        _entries, problems = read_table(table, lang)
        if any(d.severity == "error" for d in problems):    # e.g. `strings: {}` written inline
            table.write_text(old, encoding="utf-8") if old else table.unlink()
            raise DiagnosticError(problems)
        written.append((table, len(todo)))
    return written


def table_langs(sc: Scenario) -> list[str]:
    """The languages for which any of the scenario's files has a table beside it."""
    langs = set()
    for file in scenario_files(sc):
        for p in file.parent.glob(f"{file.stem}.*.yaml"):
            lang = p.name[len(file.stem) + 1:-len(".yaml")]
            if LANG_RE.match(lang):
                langs.add(lang)
    return sorted(langs)


def load_scenario_in(path: str | os.PathLike, lang: str | None) -> Scenario:
    """Load a scenario with its text in `lang` (None, 'en' or not a language code: as
    written). Raises
    DiagnosticError for errors in the scenario or in its string tables."""
    sc, diags = check_scenario(path)
    if sc is None:
        raise DiagnosticError([d for d in diags if d.severity == "error"] or diags)
    if not isinstance(lang, str) or not LANG_RE.match(lang) or lang == SOURCE_LANG:
        return sc                                   # (a log header's odd `lang`: as written)
    with gc_paused():               # as the loader does: many small objects, no cycles
        t = translate(sc, lang, lint=False)
    errors = [d for d in t.diagnostics if d.severity == "error"]
    if errors:
        raise DiagnosticError(errors)
    return t.scenario


def _name(lang: str, locale: str | None = None) -> str:
    """The language's name in the interface language (Babel's), for messages: 'Russian',
    'German'; 'русский'. With `locale`, in that one (a table's English comment)."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(lang).get_display_name(
            locale or Messages(current_language()).locale) or f"'{lang}'"
    except (UnknownLocaleError, ValueError, LookupError):
        return f"'{lang}'"
