"""Views of any game state (not only a live session's): for the session, replay and reports.

Pure functions over the scenario and a `GameState`; `Session` uses them for its current
state, the replay screen for any logged step.
"""

from __future__ import annotations

from typing import Any

import attrs

from engine.i18n import _, ngettext
from engine.model import Scenario, readable_name  # noqa: F401 (readable_name: re-exported)
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



def moves_text(scenario: Scenario) -> str:
    """The scenario's move allowance a turn, as the setup screen states it: the group's, or
    with cells each cell's (and the white cell's, when some branch's actor no cell plays)."""
    n = scenario.moves_per_turn
    if not scenario.cells:
        return ngettext("{n} move per turn", "{n} moves per turn", n).format(n=n)
    cells = len(scenario.cells)
    each = {c.moves_per_turn for c in scenario.cells}
    if len(each) == 1:
        m = each.pop()
        text = (_("cells: {cells}, one move each a turn") if m == 1 else ngettext(
            "cells: {cells}, {n} move each a turn", "cells: {cells}, {n} moves each a turn",
            m)).format(cells=cells, n=m)
    else:
        text = _("cells: {cells}, moves a turn: {each}").format(cells=cells, each=", ".join(
            f"{c.name} {c.moves_per_turn}" for c in scenario.cells))
    if any(scenario.cell_of_actor(b.actor) is None for b in scenario.branches.values()):
        text += "; " + ngettext("white cell: {n} move a turn", "white cell: {n} moves a turn",
                                n).format(n=n)
    return text


def readable_value(var, value: Any, actors: dict[str, str] | None = None) -> str:
    """A state value for readers: yes/no, an enum value or set members by their labels (or
    words made from their ids)."""
    return var.words(value, actors)


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


@attrs.frozen
class ResultView:
    """One result of an adjudication, as the roll dialog shows it: success or failure (a
    roll against a target) or a band of a graded roll, with the totals that give it, its
    chance now, and what follows it for the chosen option."""

    result: bool | str
    label: str
    totals: str                   # "≥ 7" / "≤ 6"; a band's "≤ 4", "5–8", "≥ 9"
    chance: Any                   # Fraction
    narrative: str = ""
    effects: tuple[str, ...] = ()


def effects_text(effects) -> tuple[str, ...]:
    """Effects as the author wrote them; a conditional one as `if C: a; b else: c`."""
    from engine.model import CondEffect
    out = []
    for eff in effects:
        if isinstance(eff, CondEffect):
            text = f"if {eff.when.text}: " + ("; ".join(effects_text(eff.then)) or "nothing")
            if eff.otherwise:
                text += " else: " + "; ".join(effects_text(eff.otherwise))
            out.append(text)
        else:
            out.append(eff.text)
    return tuple(out)


def result_views(adj, option, modifier: int) -> list[ResultView]:
    """Every result of `adj` for `option`, lowest first, given the modifiers' sum; results
    that cannot happen now are listed too, with chance 0."""
    from fractions import Fraction

    from engine.i18n import _
    from engine.play.dice import roll_odds
    odds = {r: p for p, r in roll_odds(adj, modifier)}
    if adj.graded:
        rows = [(b.id, b.label, b.totals_text()) for b in adj.bands]
    else:
        rows = [(False, _("Failure"), f"≤ {adj.target - 1}"),
                (True, _("Success"), f"≥ {adj.target}")]
    out = []
    for result, label, totals in rows:
        outcome = option.outcome(result)
        out.append(ResultView(result, label, totals, odds.get(result, Fraction(0)),
                              outcome.narrative if outcome else "",
                              effects_text(outcome.effects) if outcome else ()))
    return out
