"""Views of any game state (not only a live session's): for replay screens and reports.

Pure functions over the scenario and a `GameState`; the session's own views are the same
facts for its current state.
"""

from __future__ import annotations

from .model import Scenario
from .rules import GameState
from .session import VariableView


def signpost_texts(scenario: Scenario) -> dict[str, str]:
    """Every signpost's id → its text (scenario-wide and branch signposts)."""
    return scenario.signpost_texts()


def fired_signposts_at(scenario: Scenario, state: GameState) -> list[tuple[str, str, int]]:
    """(id, text, turn) of every signpost fired by `state`, in order."""
    texts = signpost_texts(scenario)
    return [(sid, texts.get(sid, sid), turn) for sid, turn in state.fired]


def variable_views_at(scenario: Scenario, state: GameState,
                      before: GameState | None = None) -> list[VariableView]:
    """The state variables of `state`, shown; `changed` when they differ from `before`."""
    out = []
    for v in scenario.variables:
        cur = state.values[v.index]
        changed = before is not None and before.values[v.index] != cur
        out.append(VariableView(v.id, v.label or v.id, str(v.type), v.show(cur), changed,
                                v.description))
    return out
