"""Views of any game state (not only a live session's): for the session, replay and reports.

Pure functions over the scenario and a `GameState`; `Session` uses them for its current
state, the replay screen for any logged step.
"""

from __future__ import annotations

from typing import Any

import attrs

from engine.i18n import _
from engine.model import Scenario
from engine.play.rules import GameState


@attrs.frozen
class VariableView:
    id: str
    label: str
    type: str
    value: str
    changed: bool        # differs from the value it is compared with (the turn's start)
    description: str = ""
    shown: str = ""      # the value for the room: yes/no, words, set members by name



_SMALL = {"of", "the", "and", "in", "on", "at", "to", "for", "a"}


def readable_name(name: str, actors: dict[str, str] | None = None) -> str:
    """An id as words: an actor's display name, else 'sea_of_japan' → 'Sea of Japan'."""
    if actors and name in actors:
        return actors[name]
    words = name.split("_")
    return " ".join(w if (i and w in _SMALL) else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def readable_value(var, value: Any, actors: dict[str, str] | None = None) -> str:
    """A state value for readers: yes/no, an enum value in words, a set's members by name."""
    kind = type(var.type).__name__
    if kind == "BoolType":
        return _("yes") if value else _("no")
    if kind == "SetType":
        members = [readable_name(x, actors) for x in var.type.universe if x in value]
        return ", ".join(members) if members else _("none")
    if kind == "EnumType":
        return var.show(value).replace("_", " ")      # a translated label when there is one
    return var.show(value)


def fired_signposts_at(scenario: Scenario, state: GameState) -> list[tuple[str, str, int]]:
    """(id, text, turn) of every signpost fired by `state`, in order."""
    texts = scenario.signpost_texts()
    return [(sid, texts.get(sid, sid), turn) for sid, turn in state.fired]


def variable_views_at(scenario: Scenario, state: GameState,
                      before: GameState | None = None) -> list[VariableView]:
    """The state variables of `state`, shown; `changed` when they differ from `before`."""
    out = []
    for v in scenario.variables:
        cur = state.values[v.index]
        changed = before is not None and before.values[v.index] != cur
        out.append(VariableView(v.id, v.label or v.id, str(v.type), v.show(cur), changed,
                                v.description, readable_value(v, cur, scenario.actors)))
    return out


def move_names(scenario: Scenario, state: GameState) -> list[str]:
    """This turn's moves by title (an argument as 'argument by <cell>')."""
    out = []
    for m in state.moves:
        if m.startswith("argument:"):
            cell = scenario.cell(m[len("argument:"):])
            out.append(_("argument by {cell}").format(cell=cell.name) if cell is not None
                       else _("argument"))
        else:
            b = scenario.branches.get(m)
            out.append(b.title if b is not None else m)
    return out
