"""What switching a baseline event off changes: the setup screen and `explore` show it.

A switch reaches a variable whose initial value reads `occurred(event)` (format 2), a
derived variable computed from one reached, and every branch precondition, modifier,
inject or signpost condition that reads the event or a reached variable."""

from __future__ import annotations

import attrs

from engine.lang.tree import TExpr, walk
from engine.model import Condition, Scenario
from engine.play.rules import Env, initial_state


@attrs.frozen
class SwitchReach:
    event: str
    initial: tuple[tuple[str, str, str], ...]   # (variable, value with it, value without)
    variables: tuple[str, ...]                  # every variable the switch reaches
    branches: tuple[str, ...]                   # preconditions that read it
    modifiers: tuple[tuple[str, str], ...]      # (branch, modifier label)
    injects: tuple[str, ...]
    signposts: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.variables or self.branches or self.modifiers or self.injects
                    or self.signposts)

    def lines(self) -> list[str]:
        """One line per kind of thing reached, for the setup screen and `explore`."""
        out = [f"{v} starts {after} instead of {before}" for v, before, after in self.initial]
        if self.branches:
            out.append("preconditions of: " + ", ".join(self.branches))
        if self.modifiers:
            out.append("modifiers: " + ", ".join(f"{b} ({label})" for b, label in self.modifiers))
        if self.injects:
            out.append("injects: " + ", ".join(self.injects))
        if self.signposts:
            out.append("signposts: " + ", ".join(self.signposts))
        return out or ["nothing in the scenario reads it"]


def switch_reach(scenario: Scenario, event: str) -> SwitchReach:
    """What switching `event` off changes (ValueError unless it is a baseline event)."""
    scenario.check_switched_off([event])
    reached = {v.index for v in scenario.variables if event in v.initial_events()}
    changed = True
    while changed:                       # derived variables computed from reached ones
        changed = False
        for v in scenario.variables:
            rhs = v.derived.tree.rhs if v.derived is not None else None
            if rhs is not None and v.index not in reached and _reads(rhs, event, reached):
                reached.add(v.index)
                changed = True
    with_it = initial_state(Env.for_session(scenario)).values
    without = initial_state(Env.for_session(scenario, [event])).values
    initial = tuple((v.id, v.show(with_it[v.index]), v.show(without[v.index]))
                    for v in scenario.variables if with_it[v.index] != without[v.index])

    def hit(cond: Condition | None) -> bool:
        return cond is not None and any(_reads(c.typed.tree, event, reached)
                                        for c in cond.clauses)

    branches = tuple(b.id for b in scenario.branches.values() if hit(b.when))
    modifiers = tuple((b.id, m.label) for b in scenario.branches.values() if b.adjudication
                      for m in b.adjudication.modifiers
                      if hit(m.when) or _reads(m.value.tree, event, reached))
    injects = tuple(i.id for i in scenario.injects.values() if hit(i.when))
    signposts = tuple(s.id for s in scenario.signposts if hit(s.when)) + tuple(
        s.id for b in scenario.branches.values() for s in b.signposts if hit(s.when))
    return SwitchReach(event, initial,
                       tuple(v.id for v in scenario.variables if v.index in reached),
                       branches, modifiers, injects, signposts)


def _reads(tree: TExpr, event: str, variables: set[int]) -> bool:
    return any((n.op == "occurred" and n.value == event) or
               (n.op == "var" and n.value in variables) for n in walk(tree))
