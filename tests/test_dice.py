"""Exact odds by integer convolution, and the declared limits on dice (issue 10)."""

from fractions import Fraction
from itertools import product

from hypothesis import given
from hypothesis import strategies as st
from test_loader import MINIMAL

from engine.format.loader import check_scenario
from engine.format.schema import MAX_DICE, MAX_DICE_SPAN, MAX_SIDES, dice_limit_problem
from engine.play.dice import success_probability


@given(st.integers(1, 4), st.integers(1, 7), st.integers(-3, 30), st.integers(-4, 4))
def test_odds_equal_counting_every_roll(count, sides, target, modifier):
    rolls = list(product(range(1, sides + 1), repeat=count))
    wins = sum(1 for faces in rolls if sum(faces) + modifier >= target)
    assert success_probability(count, sides, target, modifier) == Fraction(wins, len(rolls))


def test_odds_of_the_largest_accepted_dice_are_exact_and_sum_to_one():
    count, sides = MAX_DICE, MAX_DICE_SPAN // MAX_DICE
    assert dice_limit_problem(count, sides) is None
    assert success_probability(count, sides, count, 0) == 1
    assert success_probability(count, sides, count * sides + 1, 0) == 0
    top = success_probability(count, sides, count * sides, 0)
    assert top == Fraction(1, sides ** count)


def test_limits_are_checked_at_load_with_a_location(write_scenario):
    for dice, ok in [("2d6", True), ("20d100", True), ("1d999", True), ("99d999", False),
                     (f"{MAX_DICE + 1}d2", False), ("2d1001", False), ("30d100", False)]:
        text = MINIMAL.replace("    options:", f"    adjudication: {{dice: {dice}, target: 7}}\n"
                                               "    options:")
        path = write_scenario(text)
        _, diags = check_scenario(path)
        bad = [d for d in diags if d.code == "SP503"]
        assert (not bad) == ok, (dice, bad)
        if bad:
            assert bad[0].file == str(path) and bad[0].line > 0
            assert str(MAX_SIDES) in bad[0].hint
