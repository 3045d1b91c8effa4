"""Each cell's moves and matrix-game arguments, for the report and the comparison.

A session's effective actions (undone ones left out) become one `CellMove` per move: a
choice with its adjudicated outcome (the roll or the facilitator's decision that follows it),
or an argument with its strength, roll and outcome. Grouped by cell in the scenario's order;
the white cell's moves (branches whose actor no cell plays) and, without cells, the group's
come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from engine.i18n import _
from engine.model import Scenario
from engine.play import records as lr
from engine.play.dice import modifier_text

WHITE = ""          # the cell id of the white cell's (or, without cells, the group's) moves


@attrs.frozen
class CellMove:
    n: int                          # action number in the log
    turn: int
    cell: str                       # cell id; WHITE for the white cell or the group
    kind: str                       # "choice" or "argument"
    title: str                      # the branch and option, or the argument, in words
    branch: str = ""
    option: str = ""
    rationale: str = ""
    argument: str = ""
    counters: tuple[str, ...] = ()
    strength: str = ""
    roll: str = ""                  # "2d6: 3 + 5 = 8 vs 4", or "facilitator: why"
    outcome: str = ""               # "success", "failure", "" (not contested or not yet)

    @property
    def summary(self) -> str:
        """One line: what the move was, and how it came out."""
        text = self.title
        if self.kind == "argument" and self.strength:
            text += " " + _("({strength})").format(strength=self.strength)
        if self.outcome:
            text += " → " + self.outcome
            if self.roll:
                text += f" ({self.roll})"
        return text


@attrs.frozen
class CellMoves:
    cell: str                       # cell id, WHITE for the white cell or the group
    name: str
    moves: tuple[CellMove, ...]

    @property
    def arguments(self) -> tuple[CellMove, ...]:
        return tuple(m for m in self.moves if m.kind == "argument")


def verdict(success: object) -> str:
    return _("success") if success else _("failure")


def cell_name(scenario: Scenario | None, cell: str) -> str:
    if cell == WHITE:
        return _("White cell") if scenario is not None and scenario.cells else _("The group")
    found = scenario.cell(cell) if scenario is not None else None
    return found.name if found is not None else cell


def _titles(scenario: Scenario | None, bid: str, oid: str) -> str:
    b = scenario.branches.get(bid) if scenario is not None else None
    o = b.option(oid) if b is not None else None
    return _("'{option}' in '{branch}'").format(option=o.label if o else oid,
                                                 branch=b.title if b else bid)


def _cell_of(rec: lr.Choose | lr.Argument, scenario: Scenario | None) -> str:
    if rec.cell:
        return str(rec.cell)
    if isinstance(rec, lr.Choose) and scenario is not None and scenario.cells:
        b = scenario.branches.get(str(rec.branch))
        c = scenario.cell_of_actor(b.actor) if b is not None else None
        return c.id if c is not None else WHITE
    return WHITE


def cell_moves(records: Iterable[dict], turns: Mapping[object, int], scenario: Scenario | None,
               rationale: Mapping[object, str] | None = None) -> tuple[CellMove, ...]:
    """The moves among `records` (effective actions, in order, as replayed), each with its
    outcome. `turns` maps an action number to the turn it was played in; `rationale` maps an
    action number to an amended rationale."""
    amended = rationale or {}
    out: list[CellMove] = []
    pending: int | None = None
    for line in records:
        rec = lr.from_json(line)
        if not isinstance(rec, lr.Record):
            continue
        turn = turns.get(rec.n, _int(rec.turn))
        match rec:
            case lr.Choose(branch=bid, option=oid):
                out.append(CellMove(rec.n, turn, _cell_of(rec, scenario), "choice",
                                    _titles(scenario, str(bid), str(oid)), branch=str(bid),
                                    option=str(oid),
                                    rationale=str(amended.get(rec.n, rec.rationale) or "")))
                pending = len(out) - 1
            case lr.Roll() | lr.Decide() if pending is not None:
                out[pending] = attrs.evolve(out[pending], outcome=verdict(rec.success),
                                            roll=_how(rec, amended))
                pending = None
            case lr.Argument():
                out.append(_argument_move(rec, turn, scenario))
    return tuple(out)


def _how(rec: lr.Roll | lr.Decide, amended: Mapping[object, str]) -> str:
    """How a contested move was adjudicated: the dice, or the facilitator and why."""
    if isinstance(rec, lr.Roll):
        return _("{dice}: {faces} = {total} vs {target}").format(
            dice=rec.dice, faces=_faces(rec), total=rec.total, target=rec.target)
    why = amended.get(rec.n, rec.rationale) or ""
    return _("facilitator: {why}").format(why=why) if why else _("facilitator")


def _argument_move(rec: lr.Argument, turn: int, scenario: Scenario | None) -> CellMove:
    return CellMove(
        rec.n, turn, _cell_of(rec, scenario), "argument",
        _("argument: {text}").format(text=rec.argument),
        argument=str(rec.argument),
        counters=tuple(str(c) for c in rec.counters or ()),
        strength=str(rec.strength),
        roll=_("{dice}: {faces} = {total} vs {target}").format(
            dice=rec.dice, faces=_faces(rec), total=rec.total, target=rec.target),
        outcome=verdict(rec.success))


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def by_cell(moves: Iterable[CellMove], scenario: Scenario | None) -> tuple[CellMoves, ...]:
    """The moves grouped by cell: the scenario's cells in their order (those with a move),
    then any other cell id the log names, then the white cell or the group."""
    groups: dict[str, list[CellMove]] = {}
    for m in moves:
        groups.setdefault(m.cell, []).append(m)
    order = [c.id for c in scenario.cells] if scenario is not None else []
    order += sorted(c for c in groups if c not in order and c != WHITE)
    order.append(WHITE)
    return tuple(CellMoves(c, cell_name(scenario, c), tuple(groups[c]))
                 for c in order if c in groups)


def _faces(rec: lr.Roll | lr.Argument) -> str:
    """The dice and the modifiers as logged, so that the sum reads right: "5 + 5 − 1 (…)"."""
    faces = " + ".join(map(str, rec.faces or []))
    logged = rec.modifiers if isinstance(rec, lr.Roll) else []
    mods = [(str(label), int(v)) for label, v in logged or []
            if isinstance(v, (int, float))]
    return faces + modifier_text(mods)
