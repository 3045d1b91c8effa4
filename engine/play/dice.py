"""Dice: the session's one seeded generator, and exact odds for analysis.

Rolls come from SHA-256 of (seed, roll number), so a roll depends only on the seed and how
many rolls came before it: the generator's whole state is that count, it is the same on every
machine and Python version, and a replay reproduces every face.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from functools import lru_cache

import attrs

from engine.format.schema import dice_limit_problem
from engine.i18n import _
from engine.model import Adjudication


@attrs.frozen
class Roll:
    dice: str                                  # e.g. "2d6"
    faces: tuple[int, ...]
    modifiers: tuple[tuple[str, int], ...]     # (label, value) that applied
    total: int
    target: int
    success: bool
    band: str = ""          # a graded roll (format 2): the id of the band the total fell in
    band_label: str = ""
    against: tuple[int, ...] = ()   # an opposed roll (format 2): the opposing pool's faces
    against_dice: str = ""          # (its total is `target`)

    @property
    def result(self) -> bool | str:
        """What the roll decided: the band's id (graded), else success or failure."""
        return self.band or self.success

    def describe(self) -> str:
        mods = modifier_text(self.modifiers)
        faces = ' + '.join(map(str, self.faces))
        if self.band:
            return _("{dice}: {faces}{modifiers} = {total} → {result}").format(
                dice=self.dice, faces=faces, modifiers=mods, total=self.total,
                result=self.band_label or self.band)
        if self.against:
            text = (_("{dice}: {faces}{modifiers} = {total} vs {against_dice}: {against} = "
                      "{target} → success") if self.success else
                    _("{dice}: {faces}{modifiers} = {total} vs {against_dice}: {against} = "
                      "{target} → failure"))
            return text.format(dice=self.dice, faces=faces, modifiers=mods, total=self.total,
                               against_dice=self.against_dice,
                               against=' + '.join(map(str, self.against)), target=self.target)
        text = (_("{dice}: {faces}{modifiers} = {total} vs {target} → success") if self.success
                else _("{dice}: {faces}{modifiers} = {total} vs {target} → failure"))
        return text.format(dice=self.dice, faces=faces, modifiers=mods, total=self.total,
                           target=self.target)


def modifier_text(mods) -> str:
    """Roll modifiers as they read after the dice: " + 2 (label) − 1 (label)"."""
    return "".join(f" {'+' if v >= 0 else '−'} {abs(v)} ({label})" for label, v in mods)


def roll_dice(seed: int, counter: int, count: int, sides: int) -> tuple[int, ...]:
    """Faces of roll number `counter` for this seed: unbiased, by rejection sampling."""
    faces: list[int] = []
    limit = 256 - (256 % sides) if sides <= 256 else 0
    block = 0
    while len(faces) < count:
        digest = hashlib.sha256(f"spillover:{seed}:{counter}:{block}".encode()).digest()
        block += 1
        if sides <= 256:
            for byte in digest:
                if byte < limit:
                    faces.append(byte % sides + 1)
                    if len(faces) == count:
                        break
        else:
            for i in range(0, 32, 4):
                word = int.from_bytes(digest[i:i + 4], "big")
                if word < (2**32 - 2**32 % sides):
                    faces.append(word % sides + 1)
                    if len(faces) == count:
                        break
    return tuple(faces)


def draw_below(seed: int, counter: int, bound: int) -> int:
    """Draw number `counter` for this seed: a whole number in 0 … bound − 1, each equally
    likely (rejection sampling over 256-bit blocks). A chance inject with probability a/b
    fires when the draw, with bound b, is below a: exactly a in b."""
    if not 0 < bound < 2 ** 256:
        raise ValueError(f"a draw needs a bound from 1 to 2**256 − 1, not {bound}")
    limit = 2 ** 256 - 2 ** 256 % bound
    block = 0
    while True:
        digest = hashlib.sha256(f"spillover:{seed}:{counter}:chance:{block}".encode()).digest()
        word = int.from_bytes(digest, "big")
        if word < limit:
            return word % bound
        block += 1


@lru_cache(maxsize=64)
def at_least_counts(count: int, sides: int) -> tuple[int, ...]:
    """`r[k]`: in how many of the `sides ** count` equally likely rolls the dice total at
    least `count + k` — exact integers, by convolution with a sliding window (each die adds
    the sum of the last `sides` counts), so the work is about count² × sides / 2 additions."""
    problem = dice_limit_problem(count, sides)
    if problem or count < 1 or sides < 1:
        raise ValueError(f"{count}d{sides}: {problem or 'no dice'}")
    ways = [1]                               # ways[t]: rolls of the dice so far totalling t
    for _die in range(count):
        nxt, window = [], 0
        for t in range(len(ways) + sides - 1):
            if t < len(ways):
                window += ways[t]
            if t >= sides:
                window -= ways[t - sides]
            nxt.append(window)
        ways = nxt                           # now indexed from one more die's minimum
    at_least, acc = [0] * len(ways), 0
    for k in range(len(ways) - 1, -1, -1):
        acc += ways[k]
        at_least[k] = acc
    return tuple(at_least)


def success_probability(count: int, sides: int, target: int, modifier: int) -> Fraction:
    """P(sum of dice + modifier ≥ target), exactly."""
    at_least = at_least_counts(count, sides)
    k = target - modifier - count            # the lowest winning total, from the minimum
    if k <= 0:
        return Fraction(1)
    if k >= len(at_least):
        return Fraction(0)
    return Fraction(at_least[k], sides ** count)


def roll_odds(adj: Adjudication, modifier: int) -> list[tuple[Fraction, bool | str]]:
    """Every result of an adjudication with its exact probability, given the sum of the
    modifiers that apply: (P, True) and (P, False) for a roll against a target; for a
    graded roll (P, band id) per band, in the bands' order. Results that cannot happen are
    left out; the probabilities sum to 1."""
    if adj.opposed:
        p = opposed_probability(adj.count, adj.sides, adj.against_count, adj.against_sides,
                                modifier, adj.ties == "success")
        return [(q, r) for q, r in ((p, True), (1 - p, False)) if q]
    if not adj.bands:
        p = success_probability(adj.count, adj.sides, adj.target, modifier)
        return [(q, r) for q, r in ((p, True), (1 - p, False)) if q]
    out: list[tuple[Fraction, bool | str]] = []
    for band in adj.bands:     # P(total ≥ lo) − P(total ≥ the next band's lo)
        top = success_probability(adj.count, adj.sides, band.lo, modifier) \
            if band.lo is not None else Fraction(1)
        above = success_probability(adj.count, adj.sides, band.hi + 1, modifier) \
            if band.hi is not None else Fraction(0)
        if top - above:
            out.append((top - above, band.id))
    return out


@lru_cache(maxsize=1024)
def opposed_probability(count: int, sides: int, against_count: int, against_sides: int,
                        modifier: int, ties_succeed: bool) -> Fraction:
    """P(the acting pool + modifier beats the opposing pool), a tie counting as success when
    `ties_succeed`: Σ over the opposing totals b of P(B = b) · P(A + modifier ≥ b (+1))."""
    at_least = at_least_counts(against_count, against_sides)
    whole = against_sides ** against_count
    p = Fraction(0)
    for k in range(len(at_least)):
        ways = at_least[k] - (at_least[k + 1] if k + 1 < len(at_least) else 0)
        b = against_count + k
        p += Fraction(ways, whole) * success_probability(
            count, sides, b if ties_succeed else b + 1, modifier)
    return p
