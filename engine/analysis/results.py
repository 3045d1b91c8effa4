"""What `explore` reports: its result and the findings in it, as plain values."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs


@attrs.frozen
class Step:
    """One choice in a path: a compact token (for replay) and a sentence (for people)."""

    token: str      # "choose b:o" · "roll success|failure" · "release i" · "pass" · "end"
    text: str
    turn: int


@attrs.frozen
class Unreachable:
    """A branch (or, with `option`, an option) that no reachable state can play."""

    branch: str
    reason: str                     # one sentence
    clauses: tuple[str, ...] = ()   # the precondition clauses never satisfied in its turns
    option: str | None = None


@attrs.frozen
class DeadEnd:
    """A turn whose play can start with nothing at all to do."""

    turn: int
    states: int                        # distinct dead-end states in this turn
    probability: Fraction | None       # P(a session meets a dead end in this turn)
    path: tuple[Step, ...]             # a shortest path to one


@attrs.frozen
class Failure:
    """A move the rules refuse although it was offered: an effect leaving its range."""

    message: str
    count: int                         # how many transitions fail this way
    probability: Fraction | None
    path: tuple[Step, ...]             # a shortest path to the failing move (included)


@attrs.frozen
class EndOutcome:
    """End states grouped by variable values."""

    values: tuple[tuple[str, str], ...]   # (variable, shown value), in declaration order
    probability: Fraction | None
    states: int


@attrs.frozen
class ExploreResult:
    scenario: str
    complete: bool
    max_states: int
    states: int                         # distinct states discovered
    expanded: int                       # states whose moves were all tried
    transitions: int
    end_states: int
    seconds: float
    prob_seconds: float
    turns_total: int                    # number of turns (0..last)
    turns_complete: int                 # turns 0..turns_complete-1 explored completely
    turn_reached: int                   # highest turn of any discovered state
    injects: bool
    weights: dict[str, Any]
    switched_off: tuple[str, ...]
    played_branches: dict[str, tuple[Step, ...]]     # branch -> a shortest path playing it
    played_options: dict[str, tuple[Step, ...]]      # "b:o" -> a shortest path playing it
    unreachable: tuple[Unreachable, ...]             # branches (and options) never played
    outcomes_never: tuple[str, ...]                  # "b:o success|failure" never happening
    injects_never: tuple[str, ...]                   # injects never released
    not_covered: tuple[str, ...]                     # branches not reached within the budget
    dead_ends: tuple[DeadEnd, ...]
    failures: tuple[Failure, ...]
    outcomes: tuple[EndOutcome, ...]                 # by probability, then values
    marginals: dict[str, dict[str, Fraction]]        # variable -> shown value -> P
    branch_probability: dict[str, Fraction]          # P(played and the session ends)
    signpost_probability: dict[str, Fraction]        # P(fired and the session ends)
    failure_probability: Fraction | None
    gave_up: bool = False                            # stopped early by projection (lint)
    ending_probability: dict[str, Fraction] = attrs.Factory(dict)  # scenario ending -> P

    @property
    def rate(self) -> float:
        """Distinct states per second of exploration (probabilities not included)."""
        return self.states / self.seconds if self.seconds > 0 else float("inf")

    @property
    def findings(self) -> bool:
        return bool(self.dead_ends or self.failures or
                    (self.complete and any(u.option is None for u in self.unreachable)))
