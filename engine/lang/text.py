"""Text that shows state (format 2): `{variable}`, `{variable.label}` and `{turn}` in
narratives and inject texts, filled in from a state when the text is shown. `{{` and `}}`
stand for literal braces. Version-1 scenarios show their texts as written."""

from __future__ import annotations

import re
from typing import Any

from engine.i18n import _

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(\.label)?\}|\{[^{}]*\}?")


def unknown_names(text: str, variables) -> list[tuple[int, int, str]]:
    """(start, end, what) for each placeholder that names no variable, or is malformed."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        whole = m.group()
        if whole in ("{{", "}}"):
            continue
        name = m.group(1)
        if name is None:
            out.append((m.start(), m.end(), _("'{text}' is not a placeholder").format(
                text=whole)))
        elif name != "turn" and name not in variables:
            out.append((m.start(), m.end(), _("'{name}' is not a state variable").format(
                name=name)))
    return out


def render(text: str, state: Any, env: Any) -> str:
    """The text with its placeholders filled in from `state` (format 2 only)."""
    sc = env.scenario
    if sc.version < 2 or "{" not in text and "}" not in text:
        return text

    def fill(m: re.Match) -> str:
        whole, name = m.group(), m.group(1)
        if whole in ("{{", "}}"):
            return whole[0]
        if name == "turn":
            return sc.turns[state.turn].label
        var = sc.variable(name) if name else None
        if var is None:
            return whole
        return (var.label or var.id) if m.group(2) else var.words(state.values[var.index],
                                                                   sc.actors)
    return PLACEHOLDER.sub(fill, text)
