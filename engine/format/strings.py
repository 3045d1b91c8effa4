"""A scenario's text as a string table: stable keys → text, and back onto the model.

Keys follow the ids the scenario already has, plus the field (Yarn Spinner's line ids):

    scenario.title   scenario.summary   actor.<id>   cell.<id>.name   turn.<n>.label
    variable.<id>.label   variable.<id>.description   variable.<id>.value.<enum value or set member>
    event.<id>.title   event.<id>.summary   source.<id>.title   source.<id>.issuer
    source.<id>.details (year, volume, issue, pages as the loader joins them)
    branch.<id>.title   branch.<id>.narrative   branch.<id>.adjudication.note
    branch.<id>.modifier.<n>.label   branch.<id>.signpost.<n>.text
    branch.<id>.option.<id>.label   branch.<id>.option.<id>.narrative
    branch.<id>.option.<id>.on_success.narrative   (and on_failure)
    branch.<id>.result.<result id>.label   branch.<id>.option.<id>.outcome.<result id>.narrative
    branch.<id>.against.label
    inject.<id>.title   inject.<id>.narrative   signpost.<id>.text
    scenario.purpose   scenario.scope   objective.<id>.text
    objective.<id>.capability.<n>   objective.<id>.question.<n>

`source_strings` reads them off a loaded scenario (only the non-empty ones); `translated`
gives the scenario back with some of them replaced (attrs.evolve: the logic is untouched).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import attrs

from engine.lang.expr import EnumType, SetType
from engine.model import Branch, Option, Scenario

SOURCE_LANG = "en"


def source_strings(sc: Scenario) -> dict[str, str]:
    """Every translatable text of the scenario by key, in the scenario's order."""
    out: dict[str, str] = {}

    def put(key: str, text: str) -> None:
        if text:
            out[key] = text

    put("scenario.title", sc.title)
    put("scenario.summary", sc.summary)
    for aid, name in sc.actors.items():
        put(f"actor.{aid}", name)
    for c in sc.cells:
        put(f"cell.{c.id}.name", c.name)
    for t in sc.turns:
        put(f"turn.{t.index}.label", t.label)
    for v in sc.variables:
        put(f"variable.{v.id}.label", v.label)
        put(f"variable.{v.id}.description", v.description)
        for value, text in value_texts(v, sc.actors):
            put(f"variable.{v.id}.value.{value}", text)
    for s in sc.sources.values():
        put(f"source.{s.id}.title", s.title)
        put(f"source.{s.id}.issuer", s.issuer)
        put(f"source.{s.id}.details", s.details)
    for e in sc.events.values():
        put(f"event.{e.id}.title", e.title)
        put(f"event.{e.id}.summary", e.summary)
    for b in sc.branches.values():
        k = f"branch.{b.id}"
        put(f"{k}.title", b.title)
        put(f"{k}.narrative", b.narrative)
        if b.adjudication:
            put(f"{k}.adjudication.note", b.adjudication.note)
            for n, m in enumerate(b.adjudication.modifiers, 1):
                put(f"{k}.modifier.{n}.label", m.label)
            for band in b.adjudication.bands:       # a graded roll's results (format 2)
                put(f"{k}.result.{band.id}.label", band.label)
            put(f"{k}.against.label", b.adjudication.against_label)    # an opposed roll's
        for o in b.options:
            put(f"{k}.option.{o.id}.label", o.label)
            put(f"{k}.option.{o.id}.narrative", o.narrative)
            for end in ("on_success", "on_failure"):
                outcome = getattr(o, end)
                if outcome:
                    put(f"{k}.option.{o.id}.{end}.narrative", outcome.narrative)
            for rid, outcome in o.outcomes:
                put(f"{k}.option.{o.id}.outcome.{rid}.narrative", outcome.narrative)
        for n, sp in enumerate(b.signposts, 1):
            put(f"{k}.signpost.{n}.text", sp.text)
    for i in sc.injects.values():
        put(f"inject.{i.id}.title", i.title)
        put(f"inject.{i.id}.narrative", i.narrative)
    for sp in sc.signposts:
        put(f"signpost.{sp.id}.text", sp.text)
    put("scenario.purpose", sc.purpose)           # what the exercise examines (the debrief)
    put("scenario.scope", sc.scope)
    for ob in sc.objectives:
        put(f"objective.{ob.id}.text", ob.text)
        for n, cap in enumerate(ob.capabilities, 1):
            put(f"objective.{ob.id}.capability.{n}", cap)
        for n, q in enumerate(ob.questions, 1):
            put(f"objective.{ob.id}.question.{n}", q)
    return out


def value_texts(v, actors: dict[str, str], every: bool = False) -> list[tuple[str, str]]:
    """(value, text) for an enum's values and a set's members: the scenario's label, else the
    id itself. A set member that is an actor's id and has no label is left out (its words are
    the actor's name, translated as `actor.<id>`) unless `every` ("" for it then)."""
    if isinstance(v.type, EnumType):
        names = v.type.values
    elif isinstance(v.type, SetType):
        names = v.type.universe
    else:
        return []
    out = []
    for i, name in enumerate(names):
        label = v.value_labels[i] if i < len(v.value_labels) else ""
        if label or name not in actors or isinstance(v.type, EnumType):
            out.append((name, label or name))
        elif every:
            out.append((name, ""))
    return out


def text_version(sc: Scenario) -> str:
    """A short hash of all the scenario's text as it now reads (in its language)."""
    text = json.dumps(source_strings(sc), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def translated(sc: Scenario, table: dict[str, str], lang: str) -> Scenario:
    """The scenario with the texts `table` gives (key → text); keys it lacks keep their text."""
    def tr(key: str, text: str) -> str:
        return table.get(key, text) if text else text

    def branch(b: Branch) -> Branch:
        k = f"branch.{b.id}"
        adj = b.adjudication
        if adj is not None:
            adj = attrs.evolve(adj, note=tr(f"{k}.adjudication.note", adj.note), modifiers=tuple(
                attrs.evolve(m, label=tr(f"{k}.modifier.{n}.label", m.label))
                for n, m in enumerate(adj.modifiers, 1)), bands=tuple(
                attrs.evolve(band, label=tr(f"{k}.result.{band.id}.label", band.label))
                for band in adj.bands), against_label=tr(f"{k}.against.label", adj.against_label))
        return attrs.evolve(
            b, title=tr(f"{k}.title", b.title), narrative=tr(f"{k}.narrative", b.narrative),
            adjudication=adj, options=tuple(option(k, o) for o in b.options),
            signposts=tuple(attrs.evolve(s, text=tr(f"{k}.signpost.{n}.text", s.text))
                            for n, s in enumerate(b.signposts, 1)))

    def option(k: str, o: Option) -> Option:
        k = f"{k}.option.{o.id}"
        ends = {end: attrs.evolve(getattr(o, end), narrative=tr(
                    f"{k}.{end}.narrative", getattr(o, end).narrative))
                for end in ("on_success", "on_failure") if getattr(o, end) is not None}
        outcomes = tuple((rid, attrs.evolve(out, narrative=tr(
            f"{k}.outcome.{rid}.narrative", out.narrative))) for rid, out in o.outcomes)
        return attrs.evolve(o, label=tr(f"{k}.label", o.label),
                            narrative=tr(f"{k}.narrative", o.narrative), outcomes=outcomes,
                            **ends)

    def variable(v):
        labels = tuple(tr(f"variable.{v.id}.value.{x}", text) for x, text in
                       value_texts(v, sc.actors, every=True))
        return attrs.evolve(v, label=tr(f"variable.{v.id}.label", v.label),
                            description=tr(f"variable.{v.id}.description", v.description),
                            value_labels=labels)

    def each(d: Any, f: Callable) -> dict:
        return {k: f(x) for k, x in d.items()}

    return attrs.evolve(
        sc, lang=lang,
        title=tr("scenario.title", sc.title), summary=tr("scenario.summary", sc.summary),
        actors={a: tr(f"actor.{a}", n) for a, n in sc.actors.items()},
        cells=tuple(attrs.evolve(c, name=tr(f"cell.{c.id}.name", c.name)) for c in sc.cells),
        turns=tuple(attrs.evolve(t, label=tr(f"turn.{t.index}.label", t.label)) for t in sc.turns),
        variables=tuple(variable(v) for v in sc.variables),
        sources=each(sc.sources, lambda s: attrs.evolve(
            s, title=tr(f"source.{s.id}.title", s.title),
            issuer=tr(f"source.{s.id}.issuer", s.issuer),
            details=tr(f"source.{s.id}.details", s.details))),
        events=each(sc.events, lambda e: attrs.evolve(
            e, title=tr(f"event.{e.id}.title", e.title),
            summary=tr(f"event.{e.id}.summary", e.summary))),
        branches=each(sc.branches, branch),
        injects=each(sc.injects, lambda i: attrs.evolve(
            i, title=tr(f"inject.{i.id}.title", i.title),
            narrative=tr(f"inject.{i.id}.narrative", i.narrative))),
        signposts=tuple(attrs.evolve(s, text=tr(f"signpost.{s.id}.text", s.text))
                        for s in sc.signposts),
        purpose=tr("scenario.purpose", sc.purpose), scope=tr("scenario.scope", sc.scope),
        objectives=tuple(attrs.evolve(
            ob, text=tr(f"objective.{ob.id}.text", ob.text),
            capabilities=tuple(tr(f"objective.{ob.id}.capability.{n}", c)
                               for n, c in enumerate(ob.capabilities, 1)),
            questions=tuple(tr(f"objective.{ob.id}.question.{n}", q)
                            for n, q in enumerate(ob.questions, 1))) for ob in sc.objectives),
    )
