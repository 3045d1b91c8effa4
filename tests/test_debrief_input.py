"""What the facilitator types into the debrief forms, in either keyboard layout."""

from __future__ import annotations

import pytest


def test_ratings_and_kinds_typed_in_the_cyrillic_layout():
    """A facilitator typing in Russian: Р/П, С, М, У for the ratings; с/у (or ы/ш, the keys of
    s and i) for the kind of an observation."""
    from engine.play.hotwash import DebriefError, check_rating, observation_kind
    assert [check_rating(r) for r in ("Р", "п", "С", "м", "У", " s ")] == \
        ["P", "P", "S", "M", "U", "S"]
    with pytest.raises(DebriefError):
        check_rating("Х")
    assert [observation_kind(k) for k in ("с", "У", "ы", "ш", "s", "improve", "Strength")] == \
        ["strength", "improve", "strength", "improve", "strength", "improve", "strength"]
    assert observation_kind("q") == "q"          # refused later, by `observe`, with its hint
