"""Every figure of METRICS.md as a pure function of additive counts.

Callers sum the counts of the cells they want first and compute last: never average rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959963984540054
_NORMAL = NormalDist()

CONFIDENCE_BINS: tuple[tuple[int, int], ...] = ((50, 59), (60, 69), (70, 79), (80, 89), (90, 100))


def confidence_bin(confidence_pct: int) -> int:
    """The lower edge of the calibration bin (50, 60, 70, 80 or 90) a confidence falls in."""
    if not 50 <= confidence_pct <= 100:
        raise ValueError(f"confidence must be 50..100, not {confidence_pct}")
    return min(confidence_pct // 10 * 10, 90)


def proportion(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; None when there is nothing to estimate."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At p = 0 or 1 the bound is exactly 0 or 1; say so rather than trust rounding.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def loglinear_rate(events: int, trials: int) -> float:
    """Hautus (1995) log-linear correction: (x + 0.5) / (n + 1), finite at 0 and 1."""
    return (events + 0.5) / (trials + 1)


def d_prime(hits: int, misses: int, false_alarms: int, correct_rejections: int) -> float:
    h = loglinear_rate(hits, hits + misses)
    f = loglinear_rate(false_alarms, false_alarms + correct_rejections)
    return _NORMAL.inv_cdf(h) - _NORMAL.inv_cdf(f)


def criterion(hits: int, misses: int, false_alarms: int, correct_rejections: int) -> float:
    """c: positive means a bias towards answering "real" (seeing is believing)."""
    h = loglinear_rate(hits, hits + misses)
    f = loglinear_rate(false_alarms, false_alarms + correct_rejections)
    return -(_NORMAL.inv_cdf(h) + _NORMAL.inv_cdf(f)) / 2


def d_prime_2afc(correct: int, n: int) -> float:
    return math.sqrt(2) * _NORMAL.inv_cdf(loglinear_rate(correct, n))


@dataclass(frozen=True)
class Counts:
    """The additive counts behind the figures (the columns of quiz.models.StatCell)."""

    n: int = 0
    correct: int = 0
    hits: int = 0
    misses: int = 0
    false_alarms: int = 0
    correct_rejections: int = 0
    pair_n: int = 0
    pair_correct: int = 0
    confidence_sum: int = 0  # percent points
    brier_sum: int = 0  # units of 1/10000
    # The game score: every round's points, spot rounds' included (not a METRICS.md figure).
    points_sum: int = 0
    # Spot rounds count here only (METRICS.md): never in n, correct, the signal-detection
    # counts, confidence or Brier above.
    spot_n: int = 0
    spot_hits: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in FIELDS})

    @classmethod
    def from_mapping(cls, values: dict[str, int]) -> Counts:
        return cls(**{name: int(values.get(name, 0) or 0) for name in FIELDS})


FIELDS = tuple(Counts.__dataclass_fields__)


def answer_counts(
    *,
    is_pair: bool,
    clip_is_generated: bool,
    guess: str,
    confidence_pct: int,
    is_correct: bool,
    points: int,
    is_spot: bool = False,
    is_feed: bool = False,
) -> Counts:
    """The counts one answer adds to every cell it belongs to. A spot round's answer adds
    to the spot counts and the points only (METRICS.md: spot rate only). A feed clip's
    answer is one hit, miss, false alarm or correct rejection and nothing else: no
    confidence was asked, and its accuracy (at the feed's low base rate) would not compare
    with quizzes' (METRICS.md: feed items count as single items' signal-detection counts)."""
    if is_spot:
        return Counts(spot_n=1, spot_hits=int(is_correct), points_sum=points)
    if is_feed:
        flagged = guess == "generated"
        if clip_is_generated:
            outcome = "hits" if flagged else "misses"
        else:
            outcome = "false_alarms" if flagged else "correct_rejections"
        return Counts.from_mapping({outcome: 1, "points_sum": points})
    outcome = 100 if is_correct else 0
    values = {
        "n": 1,
        "correct": int(is_correct),
        "confidence_sum": confidence_pct,
        "brier_sum": (confidence_pct - outcome) ** 2,
        "points_sum": points,
    }
    if is_pair:
        values.update(pair_n=1, pair_correct=int(is_correct))
    elif clip_is_generated:
        values["hits" if guess == "generated" else "misses"] = 1
    else:
        values["false_alarms" if guess == "generated" else "correct_rejections"] = 1
    return Counts.from_mapping(values)


@dataclass(frozen=True)
class Summary:
    n: int
    correct: int
    accuracy: float | None
    accuracy_interval: tuple[float, float] | None
    hits: int
    misses: int
    false_alarms: int
    correct_rejections: int
    hit_rate: float | None
    false_alarm_rate: float | None
    d_prime: float | None
    criterion: float | None
    pair_n: int
    pair_correct: int
    pair_d_prime: float | None
    mean_confidence: float | None
    brier: float | None
    overconfidence: float | None
    points: int
    spot_n: int = 0
    spot_hits: int = 0
    spot_rate: float | None = None
    spot_interval: tuple[float, float] | None = None

    @property
    def feed_items(self) -> int:
        """How many of the hits, misses, false alarms and correct rejections are feed clips:
        they count there, but not in `n`, accuracy or confidence (no confidence was asked).
        Pages that show both say so, or the figures would not add up for the reader."""
        signal = self.hits + self.misses + self.false_alarms + self.correct_rejections
        return max(0, signal - (self.n - self.pair_n))


def summarize(c: Counts) -> Summary:
    signal_trials = c.hits + c.misses + c.false_alarms + c.correct_rejections
    accuracy = proportion(c.correct, c.n)
    mean_confidence = c.confidence_sum / 100 / c.n if c.n else None
    return Summary(
        n=c.n,
        correct=c.correct,
        accuracy=accuracy,
        accuracy_interval=wilson_interval(c.correct, c.n),
        hits=c.hits,
        misses=c.misses,
        false_alarms=c.false_alarms,
        correct_rejections=c.correct_rejections,
        hit_rate=proportion(c.hits, c.hits + c.misses),
        false_alarm_rate=proportion(c.false_alarms, c.false_alarms + c.correct_rejections),
        d_prime=(
            d_prime(c.hits, c.misses, c.false_alarms, c.correct_rejections)
            if signal_trials
            else None
        ),
        criterion=(
            criterion(c.hits, c.misses, c.false_alarms, c.correct_rejections)
            if signal_trials
            else None
        ),
        pair_n=c.pair_n,
        pair_correct=c.pair_correct,
        pair_d_prime=d_prime_2afc(c.pair_correct, c.pair_n) if c.pair_n else None,
        mean_confidence=mean_confidence,
        brier=c.brier_sum / 10000 / c.n if c.n else None,
        overconfidence=(
            mean_confidence - accuracy
            if mean_confidence is not None and accuracy is not None
            else None
        ),
        points=c.points_sum,
        spot_n=c.spot_n,
        spot_hits=c.spot_hits,
        spot_rate=proportion(c.spot_hits, c.spot_n),
        spot_interval=wilson_interval(c.spot_hits, c.spot_n),
    )


def point_biserial(item_correct: list[bool], rest_scores: list[float]) -> float | None:
    """Item discrimination: the correlation between being right on the item and the
    student's score on the rest of the quiz (METRICS.md). None when it is undefined (fewer
    than two students, or nobody or everybody right, or all rest scores equal)."""
    n = len(item_correct)
    if n != len(rest_scores):
        raise ValueError("one rest score per student is needed")
    if n < 2:
        return None
    right = [s for s, c in zip(rest_scores, item_correct, strict=True) if c]
    wrong = [s for s, c in zip(rest_scores, item_correct, strict=True) if not c]
    if not right or not wrong:
        return None
    mean = sum(rest_scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in rest_scores) / n)
    if sd == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / sd * math.sqrt(p * (1 - p))


@dataclass(frozen=True)
class LearningGain:
    students: int
    pre: float
    post: float
    gain: float  # mean of (post - pre) over students who took both
    gain_interval: tuple[float, float] | None  # 95 % t interval of that mean
    normalised: float | None  # (post - pre) / (1 - pre), from the group means


def learning_gain(pairs: list[tuple[float, float]]) -> LearningGain | None:
    """Paired pre/post accuracies (one pair per student who took both tests)."""
    n = len(pairs)
    if n == 0:
        return None
    diffs = [post - pre for pre, post in pairs]
    pre = sum(p for p, _ in pairs) / n
    post = sum(q for _, q in pairs) / n
    mean = sum(diffs) / n
    interval = None
    if n >= 2:
        from scipy.stats import t

        sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
        half = t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        interval = (mean - half, mean + half)
    normalised = (post - pre) / (1 - pre) if pre < 1 else None
    return LearningGain(n, pre, post, mean, interval, normalised)
