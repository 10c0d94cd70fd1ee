"""Points for one answer: a proper scoring rule on the stated confidence.

points = 100 − 200·(p − o)², with p the stated confidence (0.5 … 1) that the answer is right
and o = 1 if it is right. This is the quadratic (Brier) rule rescaled, so a learner's expected
points are highest when they state exactly how sure they are: 100 for sure and right, 50 for
"no idea" either way, −100 for sure and wrong. Speed earns nothing.
"""

from __future__ import annotations

MAX_POINTS = 100


def points_for(confidence_pct: int, is_correct: bool) -> int:
    if not 50 <= confidence_pct <= 100:
        raise ValueError(f"confidence must be 50..100, not {confidence_pct}")
    outcome = 100 if is_correct else 0
    # Integer arithmetic in percent points: 100 - 200 * ((c - o) / 100)^2.
    return 100 - (2 * (confidence_pct - outcome) ** 2) // 100
