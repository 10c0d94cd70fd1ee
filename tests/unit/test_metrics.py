"""quiz.stats.metrics against METRICS.md's worked examples, plus invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.stats import metrics
from quiz.stats.metrics import Counts

WORKED = [
    # (hits, misses, fa, cr), H', F', d', c, Wilson low, Wilson high
    ((20, 5, 10, 15), 0.788462, 0.403846, 1.044499, -0.278845, 0.562496, 0.808964),
    ((8, 2, 3, 7), 0.772727, 0.318182, 1.220648, -0.137535, 0.531299, 0.888138),
    ((50, 0, 0, 50), 0.990196, 0.009804, 4.667537, 0.000000, 0.963007, 1.000000),
]


@pytest.mark.parametrize(("counts", "h", "f", "d", "c", "low", "high"), WORKED)
def test_worked_examples_match_metrics_md(counts, h, f, d, c, low, high):
    hits, misses, fa, cr = counts
    assert metrics.loglinear_rate(hits, hits + misses) == pytest.approx(h, abs=1e-6)
    assert metrics.loglinear_rate(fa, fa + cr) == pytest.approx(f, abs=1e-6)
    assert metrics.d_prime(hits, misses, fa, cr) == pytest.approx(d, abs=1e-6)
    assert metrics.criterion(hits, misses, fa, cr) == pytest.approx(c, abs=1e-6)
    correct = hits + cr
    assert metrics.wilson_interval(correct, sum(counts)) == pytest.approx((low, high), abs=1e-6)


def test_summary_of_counts_gives_every_figure():
    # Two answers: right at 90 %, wrong at 60 %.
    c = Counts(n=2, correct=1, hits=1, false_alarms=1, confidence_sum=150, brier_sum=100 + 3600)
    s = metrics.summarize(c)
    assert s.accuracy == 0.5
    assert s.mean_confidence == pytest.approx(0.75)
    assert s.brier == pytest.approx((0.01 + 0.36) / 2)
    assert s.overconfidence == pytest.approx(0.25)
    assert s.hit_rate == 1.0 and s.false_alarm_rate == 1.0


def test_empty_counts_give_no_figures_instead_of_dividing_by_zero():
    s = metrics.summarize(Counts())
    assert s.accuracy is None and s.d_prime is None and s.brier is None
    assert s.accuracy_interval is None


def test_always_fifty_percent_scores_a_brier_of_a_quarter():
    c = Counts(n=4, correct=2, confidence_sum=200, brier_sum=4 * 2500)
    assert metrics.summarize(c).brier == pytest.approx(0.25)


def test_two_afc_d_prime_uses_the_log_linear_correction():
    assert metrics.d_prime_2afc(10, 10) == pytest.approx(2**0.5 * 1.6906216, abs=1e-6)
    assert metrics.d_prime_2afc(5, 10) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("confidence", "low"), [(50, 50), (59, 50), (60, 60), (89, 80), (90, 90), (100, 90)]
)
def test_confidence_bins_follow_metrics_md(confidence, low):
    assert metrics.confidence_bin(confidence) == low


@pytest.mark.parametrize("confidence", [49, 101, -1])
def test_confidence_bin_rejects_values_outside_fifty_to_hundred(confidence):
    with pytest.raises(ValueError, match=r"50\.\.100"):
        metrics.confidence_bin(confidence)


counts4 = st.tuples(*[st.integers(0, 500)] * 4)


@given(counts4, st.integers(1, 50))
def test_d_prime_grows_when_hits_grow(counts, more):
    hits, misses, fa, cr = counts
    assert metrics.d_prime(hits + more, misses, fa, cr) > metrics.d_prime(hits, misses, fa, cr)


@given(counts4, st.integers(1, 50))
def test_d_prime_falls_when_false_alarms_grow(counts, more):
    hits, misses, fa, cr = counts
    assert metrics.d_prime(hits, misses, fa + more, cr) < metrics.d_prime(hits, misses, fa, cr)


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_wilson_interval_contains_the_proportion(successes, extra):
    n = successes + extra
    if n == 0:
        assert metrics.wilson_interval(successes, n) is None
        return
    low, high = metrics.wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1


answers = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.integers(50, 100)), max_size=40
)


def _counts_of(rows) -> Counts:
    total = Counts()
    for is_pair, generated, said_generated, confidence in rows:
        if is_pair:
            guess, correct = "a", said_generated
        else:
            guess = "generated" if said_generated else "real"
            correct = said_generated == generated
        total = total + metrics.answer_counts(
            is_pair=is_pair,
            clip_is_generated=generated,
            guess=guess,
            confidence_pct=confidence,
            is_correct=correct,
            points=0,
        )
    return total


@given(answers, answers)
def test_summing_two_cells_equals_counting_their_union(first, second):
    assert _counts_of(first) + _counts_of(second) == _counts_of(first + second)
    union = metrics.summarize(_counts_of(first + second))
    summed = metrics.summarize(_counts_of(first) + _counts_of(second))
    assert union == summed


@given(answers)
def test_every_single_answer_is_exactly_one_signal_outcome(rows):
    c = _counts_of(rows)
    singles = sum(1 for r in rows if not r[0])
    assert c.hits + c.misses + c.false_alarms + c.correct_rejections == singles
    assert c.pair_n == len(rows) - singles
    assert c.correct == c.hits + c.correct_rejections + c.pair_correct


def test_point_biserial_matches_the_pearson_correlation():
    correct = [True, True, False, True, False, False, True, False]
    rest = [9.0, 7.0, 4.0, 8.0, 5.0, 3.0, 6.0, 6.0]
    xs = [1.0 if c else 0.0 for c in correct]
    mx, my = sum(xs) / len(xs), sum(rest) / len(rest)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, rest, strict=True))
    pearson = cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in rest))
    assert metrics.point_biserial(correct, rest) == pytest.approx(pearson)


def test_point_biserial_is_undefined_without_spread():
    assert metrics.point_biserial([True, True], [1.0, 2.0]) is None
    assert metrics.point_biserial([True, False], [3.0, 3.0]) is None
    assert metrics.point_biserial([True], [1.0]) is None


def test_learning_gain_is_paired_with_a_t_interval():
    gain = metrics.learning_gain([(0.5, 0.7), (0.6, 0.7), (0.4, 0.8)])
    assert gain.students == 3 and gain.gain == pytest.approx((0.2 + 0.1 + 0.4) / 3)
    # sd of (0.2, 0.1, 0.4) is 0.152753; t(0.975, 2) = 4.302653
    half = 4.302653 * 0.152753 / math.sqrt(3)
    assert gain.gain_interval == pytest.approx((gain.gain - half, gain.gain + half), abs=1e-5)
    assert gain.normalised == pytest.approx((gain.post - gain.pre) / (1 - gain.pre))
    assert metrics.learning_gain([]) is None
    assert metrics.learning_gain([(1.0, 1.0)]).normalised is None


def test_feed_clips_are_named_where_the_counts_and_accuracy_differ():
    """Feed clips count as hits, misses, false alarms and correct rejections, never in the
    accuracy: a learner's plain results say so, or "12 of 15 found" and "10 right of 22"
    would not add up."""
    from django.template.loader import render_to_string
    from django.utils import translation

    def summary(hits: int, misses: int, false_alarms: int, correct_rejections: int):
        quiz = {"n": 22, "correct": 10, "pair_n": 4, "pair_correct": 2, "confidence_sum": 1540}
        return metrics.summarize(
            Counts(
                **quiz,
                hits=hits,
                misses=misses,
                false_alarms=false_alarms,
                correct_rejections=correct_rejections,
            )
        )

    quiz_only = summary(5, 4, 3, 6)  # the 18 single rounds of the 22
    assert quiz_only.feed_items == 0
    with_feeds = summary(12, 3, 11, 30)
    assert with_feeds.feed_items == 56 - 18
    with translation.override("en"):
        plain = render_to_string("quiz/_plain_results.html", {"s": with_feeds, "calibration": []})
        assert "You found 12 of 15 generated clips." in plain
        assert "These two lines count 38 clips from your feeds too." in plain
        assert "10 right of 22 rounds (feeds not counted)" in plain
        plain = render_to_string("quiz/_plain_results.html", {"s": quiz_only, "calibration": []})
        assert "from your feeds" not in plain and "feeds not counted" not in plain
