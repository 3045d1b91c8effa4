"""Chart data for the debrief: how state variables moved over the turns, how often groups
took each option, and how far groups went together before they diverged.

This module computes numbers and positions only (on a fixed 0–100 grid per chart); the
templates draw them as inline SVG. A plotting library would bring tens of megabytes for a
few step lines and bars, and its SVG would carry fonts and ids we then had to strip.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from engine.i18n import _
from engine.model import Scenario


@attrs.frozen
class Point:
    turn: int
    value: float           # the plotted number (rank of an enum, 0/1, members of a set)
    text: str              # the value as readers see it


@attrs.frozen
class Series:
    """One variable over the turns: its value at the end of each turn reached."""

    id: str
    label: str
    kind: str              # int | enum | bool | set
    points: tuple[Point, ...]
    lo: float
    hi: float
    ticks: tuple[tuple[float, str], ...]   # (value, label) on the y axis

    def x(self, turn: int, last: int) -> float:
        return 0.0 if last == 0 else 100.0 * turn / last

    def y(self, value: float) -> float:
        span = (self.hi - self.lo) or 1
        return 100.0 - 100.0 * (value - self.lo) / span

    def path(self, last: int) -> str:
        """A step line through the points, as SVG path data on the 0–100 grid."""
        out = []
        for i, p in enumerate(self.points):
            x, y = self.x(p.turn, last), self.y(p.value)
            if i == 0:
                out.append(f"M{x:.1f},{y:.1f}")
            else:
                out.append(f"H{x:.1f}V{y:.1f}")
        return " ".join(out)

    @property
    def changed(self) -> bool:
        return len({p.value for p in self.points}) > 1


def _number(var, value: Any) -> float:
    kind = type(var.type).__name__
    if kind == "BoolType":
        return 1.0 if value else 0.0
    if kind == "SetType":
        return float(len(value))
    return float(value)


def state_series(steps: Iterable, sc: Scenario, readable) -> tuple[tuple[Series, ...], int]:
    """Every variable's value at the end of each turn, from the replayed steps, and the last
    turn reached. A turn change that was undone does not count: its turn is dropped if the
    session never reached it again."""
    steps = list(steps)
    if not steps:
        return (), 0
    at_turn: dict[int, Any] = {}
    for step in steps:
        at_turn[step.state.turn] = step.state.values
    last = steps[-1].state.turn
    turns = [t for t in sorted(at_turn) if t <= last]
    out = []
    for var in sc.variables:
        kind = type(var.type).__name__.replace("Type", "").lower()
        points = tuple(Point(t, _number(var, at_turn[t][var.index]),
                             readable(var, at_turn[t][var.index])) for t in turns)
        if kind == "int":
            lo, hi = float(var.type.lo), float(var.type.hi)
            step = max(1, (var.type.hi - var.type.lo + 4) // 5)
            ticks = tuple((float(v), str(v)) for v in range(var.type.lo, var.type.hi + 1, step))
        elif kind == "enum":
            lo, hi = 0.0, float(len(var.type.values) - 1)
            ticks = tuple((float(i), v.replace("_", " ")) for i, v in enumerate(var.type.values))
        elif kind == "bool":
            lo, hi, ticks = 0.0, 1.0, ((0.0, _("no")), (1.0, _("yes")))
        else:
            lo, hi = 0.0, float(len(var.type.universe))
            ticks = tuple((float(v), str(v)) for v in range(len(var.type.universe) + 1))
        out.append(Series(var.id, var.label or var.id, kind, points, lo, hi, ticks))
    return tuple(out), last


@attrs.frozen
class Bar:
    label: str             # an option's label (or, for a heading, the branch's title)
    value: int
    of: int
    groups: tuple[str, ...]
    heading: bool = False  # a branch's title above its options' bars

    @property
    def width(self) -> float:
        return 0.0 if not self.of else 100.0 * self.value / self.of


@attrs.frozen
class PairBar:
    a: str
    b: str
    common: int            # decisions taken together before the divergence
    total: int             # the longer run's decisions
    where: str             # one line: where they diverged, or "never diverged"

    @property
    def width(self) -> float:
        return 100.0 if not self.total else 100.0 * self.common / self.total
