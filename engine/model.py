"""The validated scenario: frozen value objects built by `engine.format.loader`, never from raw
YAML."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs

from engine.diagnostics import Pos
from engine.i18n import _
from engine.lang.expr import BoolType, Effect, EnumType, IntType, SetType, Typed
from engine.lang.tree import walk


@attrs.frozen
class Source:
    id: str
    kind: str
    title: str
    issuer: str = ""
    title_ru: str = ""
    title_de: str = ""
    journal: str = ""
    published: str = ""
    url: str = ""
    accessed: str = ""
    footnotes: tuple[int, ...] = ()
    cites_as: str = ""
    details: str = ""  # volume / issue / pages / year, as one line


@attrs.frozen
class Citation:
    source: str
    footnotes: tuple[int, ...] = ()


@attrs.frozen
class Event:
    id: str
    date: str           # YYYY, YYYY-MM or YYYY-MM-DD
    title: str
    summary: str = ""
    title_ru: str = ""
    actors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[Citation, ...] = ()

    @property
    def sort_key(self) -> str:
        """The latest day the date could mean, so '2023-05' sorts after '2023-05-10'."""
        return self.date + {4: "-12-31", 7: "-31", 10: ""}[len(self.date)]


@attrs.frozen
class Variable:
    id: str
    index: int
    type: Any           # BoolType | IntType | EnumType | SetType
    initial: Any        # runtime form: bool, int, enum rank, frozenset
    label: str = ""
    description: str = ""
    rests_on: tuple[str, ...] = ()
    # Format 2. initial_cases: (condition or None, value) — the first that holds at the start
    # (turn 0, after switches) gives the initial value; empty: `initial` is a constant.
    initial_cases: tuple[tuple[Any, Any], ...] = ()
    derived: Effect | None = None       # `x = expr`, recomputed after every change
    cites: tuple[str, ...] = ()         # background events, which the initial does not read

    def initial_events(self) -> tuple[str, ...]:
        """The events the initial value reads (occurred(…) in its cases, or its derivation)."""
        out: list[str] = []
        conds = [c for c, _v in self.initial_cases if c is not None]
        trees = [cl.typed.tree for c in conds for cl in c.clauses]
        if self.derived is not None:
            trees.append(self.derived.tree.rhs)
        for t in trees:
            for n in walk(t):
                if n.op == "occurred" and n.value not in out:
                    out.append(n.value)
        return tuple(out)
    # An enum's values, or a set's members, in the room's words, by index: the scenario's
    # `labels:`, or a string table's translation; "" (or the id itself) where none is given.
    value_labels: tuple[str, ...] = ()

    def show(self, value: Any) -> str:
        """The value as an author writes it (ids): what overrides parse and analysis keys."""
        return show_value(self.type, value)

    def word(self, index: int, actors: dict[str, str] | None = None) -> str:
        """An enum value or set member (by its index) in words: its label, else words made
        from its id (an actor's name for an actor's id)."""
        names = self.type.values if isinstance(self.type, EnumType) else self.type.universe
        name = names[index]
        label = self.value_labels[index] if index < len(self.value_labels) else ""
        if label and label != name:
            return label
        if isinstance(self.type, EnumType):
            return name.replace("_", " ")
        return readable_name(name, actors)

    def words(self, value: Any, actors: dict[str, str] | None = None) -> str:
        """A value for readers: yes/no, an enum value by its label, a set's members by theirs
        (none for an empty set), a number as it is."""
        t = self.type
        if isinstance(t, BoolType):
            return _("yes") if value else _("no")
        if isinstance(t, SetType):
            members = [self.word(i, actors) for i, x in enumerate(t.universe) if x in value]
            return ", ".join(members) if members else _("none")
        if isinstance(t, EnumType):
            return self.word(value)
        return show_value(t, value)

    def parse(self, text: str) -> Any:
        """A facilitator's typed value → runtime form; ValueError with a readable message."""
        return parse_value(self.type, text)


_SMALL = {"of", "the", "and", "in", "on", "at", "to", "for", "a"}


def readable_name(name: str, actors: dict[str, str] | None = None) -> str:
    """An id as words: an actor's display name, else 'sea_of_japan' → 'Sea of Japan'."""
    if actors and name in actors:
        return actors[name]
    words = name.split("_")
    return " ".join(w if (i and w in _SMALL) else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def show_value(t: Any, value: Any) -> str:
    if isinstance(t, BoolType):
        return "true" if value else "false"
    if isinstance(t, EnumType):
        return t.values[value]
    if isinstance(t, SetType):
        return "{" + ", ".join(x for x in t.universe if x in value) + "}"
    return str(value)


def parse_value(t: Any, text: str) -> Any:
    text = text.strip()
    if isinstance(t, BoolType):
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise ValueError(_("expected true or false"))
    if isinstance(t, IntType):
        try:
            v = int(text)
        except ValueError:
            raise ValueError(_("expected a whole number from {lo} to {hi}").format(
                lo=t.lo, hi=t.hi)) from None
        if not t.lo <= v <= t.hi:
            raise ValueError(_("{value} is outside the range {lo}..{hi}").format(
                value=v, lo=t.lo, hi=t.hi))
        return v
    if isinstance(t, EnumType):
        if text not in t.values:
            raise ValueError(_("expected one of: {values}").format(values=", ".join(t.values)))
        return t.values.index(text)
    if text.startswith("{") != text.endswith("}"):
        raise ValueError(_("unbalanced braces: write {a, b}, or just a, b"))
    names = [x.strip() for x in text.removeprefix("{").removesuffix("}").split(",")
             if x.strip()]
    bad = [x for x in names if x not in t.universe]
    if bad:
        raise ValueError(_("not possible members: {names} (members: {members})").format(
            names=', '.join(bad), members=', '.join(t.universe)))
    return frozenset(names)


def to_json_value(t: Any, value: Any) -> Any:
    """Runtime form → the plain JSON form used in logs and hashes."""
    if isinstance(t, EnumType):
        return t.values[value]
    if isinstance(t, SetType):
        return sorted(value)
    return value


def from_json_value(t: Any, value: Any) -> Any:
    if isinstance(t, EnumType):
        return t.values.index(value)
    if isinstance(t, SetType):
        return frozenset(value)
    return value


@attrs.frozen
class Turn:
    index: int
    label: str
    date: str
    pos: Pos | None = attrs.field(default=None, eq=False, repr=False)   # where it is written


@attrs.frozen
class Clause:
    """One clause of a condition: its source text and its compiled check."""

    text: str
    typed: Typed


@attrs.frozen
class Condition:
    text: str
    clauses: tuple[Clause, ...]

    def holds(self, state: Any, env: Any) -> bool:
        # every clause of a loaded scenario is checked, so its `fn` is set
        return all(c.typed.fn(state, env) for c in self.clauses)  # type: ignore[misc]


@attrs.frozen
class Modifier:
    label: str
    value: Typed
    when: Condition | None = None


@attrs.frozen
class Band:
    """Format 2: one result of a graded roll, over the modified total (dice + modifiers).
    `lo` None: the lowest band, which takes every total below its `hi`; `hi` None: the
    highest, which takes every total above its `lo`."""

    id: str
    label: str
    lo: int | None = None
    hi: int | None = None

    def holds(self, total: int) -> bool:
        return (self.lo is None or total >= self.lo) and (self.hi is None or total <= self.hi)

    def totals_text(self) -> str:
        if self.lo is None:
            return f"≤ {self.hi}"
        if self.hi is None:
            return f"≥ {self.lo}"
        return str(self.lo) if self.lo == self.hi else f"{self.lo}–{self.hi}"


@attrs.frozen
class Adjudication:
    dice: str
    count: int
    sides: int
    target: int
    modifiers: tuple[Modifier, ...] = ()
    note: str = ""
    bands: tuple[Band, ...] = ()        # format 2: a graded roll (target unused), ascending
    # Format 2, an opposed roll: the opposing side's pool; success when the acting side's
    # total (dice + modifiers) beats the opposing total, a tie going to `ties`.
    against_dice: str = ""
    against_count: int = 0
    against_sides: int = 0
    against_label: str = ""
    ties: str = "failure"               # "success" or "failure"

    @property
    def graded(self) -> bool:
        return bool(self.bands)

    @property
    def opposed(self) -> bool:
        return bool(self.against_count)

    @property
    def results(self) -> tuple:
        """What the roll can decide: its bands' ids (graded), else True and False."""
        return tuple(b.id for b in self.bands) or (True, False)

    def band_of(self, total: int) -> Band:
        """The band a modified total falls in (the bands meet with no gap, ends open)."""
        for b in self.bands:
            if b.hi is None or total <= b.hi:
                return b
        return self.bands[-1]

    def band(self, band_id: str) -> Band | None:
        return next((b for b in self.bands if b.id == band_id), None)


@attrs.frozen
class CondEffect:
    """`{if, then, else}` among effects (format 2): `when` is read at the point it is
    reached, after the effects before it."""

    when: Condition
    then: tuple = ()
    otherwise: tuple = ()


def flat_effects(effects) -> list[Effect]:
    """Every assignment in a list of effects, inside conditional ones too."""
    out: list[Effect] = []
    for eff in effects:
        if isinstance(eff, CondEffect):
            out += flat_effects(eff.then) + flat_effects(eff.otherwise)
        else:
            out.append(eff)
    return out


@attrs.frozen
class Outcome:
    narrative: str = ""
    effects: tuple[Effect, ...] = ()


@attrs.frozen
class Option:
    id: str
    label: str
    narrative: str = ""
    effects: tuple[Effect, ...] = ()
    on_success: Outcome | None = None
    on_failure: Outcome | None = None
    when: Condition | None = None       # format 2: the option's own precondition
    outcomes: tuple[tuple[str, Outcome], ...] = ()   # format 2: band id → outcome (graded)

    @property
    def contested(self) -> bool:
        return self.on_success is not None or self.on_failure is not None or bool(self.outcomes)

    def outcome(self, result: bool | str) -> Outcome | None:
        """The outcome for an adjudication's result: True/False (a roll against a target) or
        a band's id (a graded roll); None when the option says nothing for it."""
        if isinstance(result, str):
            return dict(self.outcomes).get(result)
        return self.on_success if result else self.on_failure


@attrs.frozen
class Signpost:
    id: str
    text: str
    when: Condition | None = None   # None: fires when its branch is played
    branch: str | None = None       # set for a branch's own signposts


@attrs.frozen
class Branch:
    id: str
    title: str
    options: tuple[Option, ...]
    turns: frozenset[int]
    actor: str = ""
    narrative: str = ""
    repeatable: bool = False
    when: Condition | None = None
    cites: tuple[str, ...] = ()
    adjudication: Adjudication | None = None
    signposts: tuple[Signpost, ...] = ()
    pos: Pos | None = attrs.field(default=None, eq=False, repr=False)   # where its id is written

    @property
    def gated(self) -> bool:
        """Whether any option carries its own precondition."""
        return any(o.when is not None for o in self.options)

    def option(self, option_id: str) -> Option | None:
        for o in self.options:
            if o.id == option_id:
                return o
        return None


@attrs.frozen
class Ending:
    """Format 2: the session ends the first time `when` holds with no roll pending."""

    id: str
    title: str
    when: Condition
    narrative: str = ""


@attrs.frozen
class Inject:
    id: str
    title: str
    narrative: str = ""
    actor: str = ""
    turn: int | None = None
    when: Condition | None = None
    effects: tuple[Effect, ...] = ()
    cites: tuple[str, ...] = ()
    chance: Fraction | None = None   # format 2: fires with this probability when its turn begins


@attrs.frozen
class Objective:
    """What the exercise sets out to examine; observations and the hotwash refer to it."""

    id: str
    text: str
    capabilities: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


@attrs.frozen
class Cell:
    """A team in the room that plays some actors, with its own move allowance per turn."""

    id: str
    name: str
    actors: tuple[str, ...]
    moves_per_turn: int = 1


DEFAULT_STRENGTHS = (("very weak", 11), ("weak", 9), ("average", 7), ("strong", 5),
                     ("very strong", 3))


@attrs.frozen
class ArgumentRules:
    """Matrix-game arguments: the dice, and the strength scale (label → target)."""

    dice: str = "2d6"
    count: int = 2
    sides: int = 6
    scale: tuple[tuple[str, int], ...] = DEFAULT_STRENGTHS

    def target(self, strength: str) -> int | None:
        return dict(self.scale).get(strength)


@attrs.frozen
class Scenario:
    id: str
    title: str
    summary: str
    start: str
    path: str
    content_hash: str
    file_hashes: dict[str, str]          # relative path -> sha256 of its bytes
    item_hashes: dict[str, str]          # "branch:x" / "inject:x" / "state:x" … -> sha256
    turns: tuple[Turn, ...]
    actors: dict[str, str]
    variables: tuple[Variable, ...]
    events: dict[str, Event]
    sources: dict[str, Source]
    branches: dict[str, Branch]
    injects: dict[str, Inject]
    signposts: tuple[Signpost, ...]
    moves_per_turn: int = 1
    version: int = 1                     # the format version the file is written in
    endings: tuple[Ending, ...] = ()     # format 2, in the order they are checked
    objectives: tuple[Objective, ...] = ()
    purpose: str = ""
    scope: str = ""
    time_box: int | None = None          # minutes per turn, if the scenario sets one
    cells: tuple[Cell, ...] = ()         # none: one group plays every actor
    sealed_moves: bool = False           # cells seal their moves; revealed together
    arguments: ArgumentRules = ArgumentRules()

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)
    logic_hash: str = ""     # over everything but prose: what logs pin (engine.format.prose)
    lang: str = "en"         # the language of its text (engine.format.strings)

    def cell(self, cell_id: str) -> Cell | None:
        for c in self.cells:
            if c.id == cell_id:
                return c
        return None

    def cell_of_actor(self, actor: str) -> Cell | None:
        for c in self.cells:
            if actor in c.actors:
                return c
        return None

    def cell_of_move(self, move: str) -> Cell | None:
        """The cell a move of this turn counts against: an argument's cell, or the cell
        that plays the branch's actor (None: the group, or the white cell)."""
        if move.startswith("argument:"):
            return self.cell(move[len("argument:"):])
        branch = self.branches.get(move)
        return self.cell_of_actor(branch.actor) if branch is not None else None

    @property
    def last_turn(self) -> int:
        return len(self.turns) - 1

    def variable(self, name: str) -> Variable | None:
        for v in self.variables:
            if v.id == name:
                return v
        return None

    def baseline_events(self) -> list[Event]:
        """Events dated on or before the start, oldest first: they have occurred at turn 0."""
        start = self.turns[0].date
        return sorted((e for e in self.events.values() if e.sort_key <= _day(start)),
                      key=lambda e: e.sort_key)

    def occurred_by_turn(self, switched_off: frozenset[str] = frozenset()) -> tuple[frozenset, ...]:
        out = []
        for t in self.turns:
            day = _day(t.date)
            out.append(frozenset(e.id for e in self.events.values()
                                 if e.sort_key <= day and e.id not in switched_off))
        return tuple(out)

    def branch_events(self, branch: Branch) -> list[str]:
        """Every event a branch rests on: its citations, then those its precondition names."""
        return _rests_on(branch.cites, branch.when)

    def inject_events(self, inject: Inject) -> list[str]:
        """Every event an inject rests on: its citations, then those its condition names."""
        return _rests_on(inject.cites, inject.when)

    def signpost_texts(self) -> dict[str, str]:
        """Every signpost's id → its text (scenario-wide and branch signposts)."""
        texts = {s.id: s.text for s in self.signposts}
        for b in self.branches.values():
            texts.update({s.id: s.text for s in b.signposts})
        return texts

    def check_switched_off(self, events) -> None:
        """Raise ValueError unless every event is a baseline event (the only ones a session
        can switch off for a counterfactual run)."""
        baseline = {e.id for e in self.baseline_events()}
        unknown = sorted(e for e in set(events) if e not in baseline)
        if unknown:
            raise ValueError(_("only baseline events (dated on or before the start, {start}) can "
                               "be switched off; not: {events}").format(
                start=self.start, events=', '.join(unknown)))


def _rests_on(cites, condition: Condition | None) -> list[str]:
    seen = list(cites)
    if condition:
        for clause in condition.clauses:
            for label, _fn, _t in clause.typed.refs:
                if label.startswith("occurred("):
                    ev = label[len("occurred("):-1]
                    if ev not in seen:
                        seen.append(ev)
    return seen


def _day(date: str) -> str:
    """A date's last possible day, as YYYY-MM-DD (turn dates compare with event dates)."""
    return date + {4: "-12-31", 7: "-31", 10: ""}[len(date)]


Fn = Callable[[Any, Any], Any]
