"""What switching off a baseline event reaches: for the counterfactual picker at setup.

An event reaches the branches and injects that rest on it (cited, or named in their
condition), the adjudication modifiers whose condition names it, and the variables declared
to rest on it. Titles and labels, for the facilitator; events that reach something first.
"""

from __future__ import annotations

import attrs

from engine.i18n import _
from engine.model import Condition, Event, Scenario


@attrs.frozen
class EventReach:
    event: Event
    branches: tuple[str, ...]      # titles of branches (and injects) resting on it
    modifiers: tuple[str, ...]     # "branch title: modifier label" whose condition names it
    variables: tuple[str, ...]     # labels of variables declared to rest on it

    @property
    def reaches(self) -> bool:
        return bool(self.branches or self.modifiers or self.variables)

    def summary(self) -> str:
        parts = []
        if self.branches:
            parts.append(_("branches: {items}").format(items="; ".join(self.branches)))
        if self.modifiers:
            parts.append(_("odds: {items}").format(items="; ".join(self.modifiers)))
        if self.variables:
            parts.append(_("variables: {items}").format(items="; ".join(self.variables)))
        return " · ".join(parts) or _("affects nothing in this scenario")

    def matches(self, text: str) -> bool:
        """Whether a filter typed by the facilitator matches (case-insensitive, any word)."""
        hay = " ".join([self.event.id, self.event.date, self.event.title, self.event.title_ru,
                        *self.branches, *self.modifiers, *self.variables]).casefold()
        return all(word in hay for word in text.casefold().split())


def _names(cond: Condition | None, event_id: str) -> bool:
    if cond is None:
        return False
    needle = f"occurred({event_id})"
    return any(label == needle for c in cond.clauses for label, _f, _t in c.typed.refs)


def baseline_reach(scenario: Scenario) -> list[EventReach]:
    """Every baseline event with what it reaches: those reaching something first, each group
    oldest first."""
    out = []
    for ev in scenario.baseline_events():
        branches = [b.title for b in scenario.branches.values()
                    if ev.id in scenario.branch_events(b)]
        branches += [_("inject {inject}").format(inject=i.title) for i in scenario.injects.values()
                     if ev.id in scenario.inject_events(i)]
        modifiers = [f"{b.title}: {m.label}" for b in scenario.branches.values()
                     if b.adjudication for m in b.adjudication.modifiers if _names(m.when, ev.id)]
        variables = [v.label or v.id for v in scenario.variables if ev.id in v.rests_on]
        out.append(EventReach(ev, tuple(branches), tuple(modifiers), tuple(variables)))
    return sorted(out, key=lambda r: (not r.reaches, r.event.sort_key))
