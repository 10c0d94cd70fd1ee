from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.scoring import points_for


@pytest.mark.parametrize(
    ("confidence", "correct", "points"),
    [
        (100, True, 100),
        (100, False, 0),
        (50, True, 75),
        (50, False, 75),
        (80, True, 96),
        (60, False, 64),
        (75, False, 44),
        (95, True, 100),
    ],
)
def test_points_reward_confidence_that_matches_the_result(confidence, correct, points):
    assert points_for(confidence, correct) == points


@pytest.mark.parametrize("confidence", [49, 101])
def test_points_refuse_confidence_outside_fifty_to_hundred(confidence):
    with pytest.raises(ValueError, match=r"50\.\.100"):
        points_for(confidence, True)


def _expected(belief: int, stated: int) -> float:
    q = belief / 100
    return q * points_for(stated, True) + (1 - q) * points_for(stated, False)


@given(st.integers(50, 100), st.integers(50, 100))
def test_stating_your_true_belief_earns_the_most_on_average(belief, stated):
    # A proper scoring rule: honesty is the best policy (up to integer rounding).
    assert _expected(belief, belief) >= _expected(belief, stated) - 1


@given(st.integers(50, 100), st.booleans())
def test_no_round_takes_points_away(confidence, correct):
    assert 0 <= points_for(confidence, correct) <= 100
