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


@attrs.frozen
class Roll:
    dice: str                                  # e.g. "2d6"
    faces: tuple[int, ...]
    modifiers: tuple[tuple[str, int], ...]     # (label, value) that applied
    total: int
    target: int
    success: bool

    def describe(self) -> str:
        mods = modifier_text(self.modifiers)
        verdict = "success" if self.success else "failure"
        return (f"{self.dice}: {' + '.join(map(str, self.faces))}{mods} = {self.total} "
                f"vs {self.target} → {verdict}")


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


@lru_cache(maxsize=64)
def sum_distribution(count: int, sides: int) -> dict[int, Fraction]:
    """Exact probability of each total of `count` dice with `sides` sides."""
    dist = {0: Fraction(1)}
    for _ in range(count):
        nxt: dict[int, Fraction] = {}
        for total, p in dist.items():
            for face in range(1, sides + 1):
                nxt[total + face] = nxt.get(total + face, Fraction(0)) + p / sides
        dist = nxt
    return dist


def success_probability(count: int, sides: int, target: int, modifier: int) -> Fraction:
    """P(sum of dice + modifier ≥ target)."""
    return sum((p for total, p in sum_distribution(count, sides).items()
                if total + modifier >= target), Fraction(0))
