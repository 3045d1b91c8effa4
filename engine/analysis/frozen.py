"""The values a state forgot: variables that nothing reads or writes any more
(`engine.analysis.reduce.Reduction.dead`) keep, to the end of the session, the value they had
when they died, and every end outcome reports them. The search merges states that differ
only in them; the odds carry them beside the mass instead.

A **tag** is the packed bits of the forgotten variables' values (a sub-mask of a state's
values, disjoint from the bits the state keeps). The odds (`engine.analysis.odds.
push_avoiding`) give each state, beside its mass, the mass of the sessions that reached it
with each tag. Where a turn forgets more variables, an edge passing into it adds the
parent's values of those variables to each tag. An end state's outcomes are then its values
with each tag's bits added, each with its tag's mass.

`reachable_tags` gives the same tags without masses, for an exploration without odds (or a
policy that weights some choice 0, whose sessions carry no mass but are still reached)."""

from __future__ import annotations

from collections.abc import Sequence


class Frozen:
    """Where values are forgotten, for one exploration. `dying[t]` is the bits of the
    variables forgotten from turn t on that turn t − 1 still kept; `first` the root's tag."""

    def __init__(self, dead: list[int], root: int, turn_shift: int):
        self.dying = [dead[0]] + [dead[t] & ~dead[t - 1] for t in range(1, len(dead))]
        self.turn_shift = turn_shift
        # the turns whose passing edges add forgotten values (into turn t + 1)
        self.before_dying = {t - 1 for t in range(1, len(dead)) if self.dying[t]}
        self.first = root & dead[0]

    @property
    def any(self) -> bool:
        return any(self.dying)

    def reachable_tags(self, keys: list[int], order: list[int], edges: list,
                       wanted: list[int], parent: Sequence[int] | None = None
                       ) -> dict[int, set[int]]:
        """For each state in `wanted`, the tags it is reached with along any edge. With
        `parent` (each state's shortest-path parent), a state found by the state whose moves
        the budget cut short (no edges stored) takes that state's tags too."""
        tsh = self.turn_shift
        tags: list[set[int] | None] = [None] * len(keys)
        tags[0] = {self.first}
        keep = set(wanted)
        for sid in order:
            mine = tags[sid]
            if mine is None:
                continue
            if sid not in keep:
                tags[sid] = None
            t = keys[sid] >> tsh
            dying = self.dying[t + 1] if t in self.before_dying else 0
            for c in edges[sid][1][0::2]:
                if c < 0:
                    continue
                if dying and keys[c] >> tsh > t:
                    adds = keys[sid] & dying
                    passed = {tag | adds for tag in mine}
                else:
                    passed = mine
                got = tags[c]
                if got is None:
                    tags[c] = set(passed)
                else:
                    got |= passed
        for sid in wanted if parent is not None else ():
            p = parent[sid]                                      # type: ignore[index]
            mine = tags[p] if p >= 0 and edges[p] is None else None
            if mine:                         # found by the state the budget stopped in
                t = keys[p] >> tsh
                dying = self.dying[t + 1] if t in self.before_dying else 0
                adds = keys[p] & dying if dying and keys[sid] >> tsh > t else 0
                passed = {tag | adds for tag in mine}
                got = tags[sid]
                tags[sid] = passed if got is None else got | passed
        return {sid: tags[sid] or set() for sid in wanted}


class TagFields:
    """The tags' masses of a state reached with several tags, packed in an int of their own
    (`engine.analysis.odds.push_avoiding`): its **tag list** (numbered, interned) names its
    tags in the order of their fields, `width` bits each. A state reached with one tag only
    (most are) has no such int: that tag's mass is its plain mass. An edge into a turn that
    forgets more values gives its child the parent's tag list with those values added to
    each tag, fields unmoved; only where different tag lists meet in one state are fields
    moved, into the union of the two lists."""

    def __init__(self, width: int):
        self.width = width
        self.field0 = (1 << width) - 1
        self.lists: list[tuple[int, ...]] = []
        self.several: list[bool] = []        # per tag list: more than one tag?
        self.numbers: dict[tuple[int, ...], int] = {}
        self.passing: dict[tuple[int, int], int] = {}
        self.plans: dict[tuple[int, int], tuple[int, list[tuple[int, int]]]] = {}

    def number(self, tags: tuple[int, ...]) -> int:
        k = self.numbers.get(tags)
        if k is None:
            k = self.numbers[tags] = len(self.lists)
            self.lists.append(tags)
            self.several.append(len(tags) > 1)
        return k

    def passed(self, k: int, adds: int) -> int:
        """Tag list k with `adds` added to each tag."""
        out = self.passing.get((k, adds))
        if out is None:
            out = self.passing[(k, adds)] = self.number(tuple(t | adds for t in self.lists[k]))
        return out

    def split(self, packed: int, k: int) -> list[tuple[int, int]]:
        """(tag, mass) for each tag of tag list k, from its packed masses (or, with one
        tag, the plain mass)."""
        width, field0 = self.width, self.field0
        return [(tag, (packed >> (width * i)) & field0) for i, tag in enumerate(self.lists[k])]

    def merged(self, a: int, ka: int, b: int, kb: int) -> tuple[int, int]:
        """The sum of two packed tag masses with different tag lists (one tag: the plain
        mass), and its tag list: the union, `ka`'s tags first, so that `a`'s fields stay
        where they are and `b`'s move to theirs (as planned once per pair of lists)."""
        plan = self.plans.get((ka, kb))
        if plan is None:
            union = dict.fromkeys(self.lists[ka])
            union.update(dict.fromkeys(self.lists[kb]))
            where = {tag: i for i, tag in enumerate(union)}
            plan = self.plans[(ka, kb)] = (
                self.number(tuple(union)),
                [(i, where[tag]) for i, tag in enumerate(self.lists[kb])])
        k, b_moves = plan
        width, field0 = self.width, self.field0
        if len(b_moves) == 1:
            return a + (b << (width * b_moves[0][1])), k
        moved = 0
        for i, j in b_moves:
            moved |= ((b >> (width * i)) & field0) << (width * j)
        return a + moved, k


__all__ = ["Frozen", "TagFields"]
