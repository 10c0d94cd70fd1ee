"""Points for one answer: a proper scoring rule on the stated confidence.

points = 100 − 100·(p − o)², with p the stated confidence (0.5 … 1) that the answer is right
and o = 1 if it is right. This is the quadratic (Brier) rule, so a learner's expected points
are highest when they state exactly how sure they are: 100 for sure and right, 75 for a pure
guess either way, 0 for sure and wrong. No round takes points away, and speed earns nothing.

Until December 2026 the rule was 100 − 200·(p − o)² (−100 for sure and wrong); migration
quiz 0014 recomputed every stored answer with this one, so all stored points share one scale.
"""

from __future__ import annotations

MAX_POINTS = 100
# What a pure guess (50 %) earns, right or wrong.
GUESS_POINTS = 75


def points_for(confidence_pct: int, is_correct: bool) -> int:
    if not 50 <= confidence_pct <= 100:
        raise ValueError(f"confidence must be 50..100, not {confidence_pct}")
    outcome = 100 if is_correct else 0
    # Integer arithmetic in percent points: 100 - 100 * ((c - o) / 100)^2, rounded half up.
    return 100 - ((confidence_pct - outcome) ** 2 + 50) // 100
