"""A student's record on a giveaway in words a 14-year-old follows: no range after one
answer ("between 0 % and 79 %" said nothing but looked like a verdict), and the range, once
there are enough answers, as where the share will probably end up."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from quiz.selectors.learn import Mastery
from quiz.stats.metrics import wilson_interval


def _words(answers: int, right: int, language: str = "en") -> str:
    mastery = Mastery(
        code="count",
        name="Count",
        answers=answers,
        right=right,
        estimate=right / answers if answers else None,
        interval=wilson_interval(right, answers) if answers else None,
    )
    with translation.override(language):
        html = render_to_string("quiz/learn/_mastery.html", {"mastery": mastery})
    return " ".join(html.split())


@pytest.mark.parametrize("answers", [1, 2, 4])
def test_a_few_answers_show_no_range(answers):
    words = _words(answers, 0)
    assert "too few answers to tell yet" in words and "between" not in words
    assert "noch zu wenige Antworten" in _words(answers, 0, "de")


def test_enough_answers_show_where_the_share_is_heading():
    words = _words(10, 7)
    assert words.startswith("7 of 10 answers right · if you keep going, probably between ")
    assert "too few" not in words
    assert "wenn du weitermachst, wahrscheinlich zwischen" in _words(10, 7, "de")
