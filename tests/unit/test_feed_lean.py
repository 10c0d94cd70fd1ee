"""The feed summary's plain line on which way a student leans: it says it with the shares it
compares, and never says the opposite of what the figures show (a student who flagged more
clips than there were fakes was told "you flagged few clips")."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from quiz.selectors.feed import FeedResults
from quiz.stats.metrics import Counts, summarize


def _results(hits: int, misses: int, false_alarms: int, rejections: int) -> FeedResults:
    counts = Counts(
        n=hits + misses + false_alarms + rejections,
        correct=hits + rejections,
        hits=hits,
        misses=misses,
        false_alarms=false_alarms,
        correct_rejections=rejections,
    )
    return FeedResults(counts, summarize(counts), [], [], [], [])


def _lean_line(results: FeedResults, language: str = "en") -> str:
    class Attempt:
        class quiz:  # a stand-in for the attempt's quiz
            title = "Feed"

        assignment = None

    with translation.override(language):
        html = render_to_string(
            "quiz/feed/summary.html", {"attempt": Attempt, "withheld": False, "results": results}
        )
    items = html.split('<ul class="plain-results feed-plain">', 1)[1].split("</ul>", 1)[0]
    return " ".join(items.split("<li>")[-1].split("</li>")[0].split())


def test_flagging_more_clips_than_there_were_fakes_can_still_lean_towards_real():
    # The review's case: 20 clips, 4 fakes; 7 flagged, of which 2 fakes.
    results = _results(hits=2, misses=2, false_alarms=5, rejections=11)
    assert results.summary.criterion > 0.1
    assert results.lean == "real"
    line = _lean_line(results)
    assert "flagged few" not in line
    assert line.startswith(
        "You let 50 % of the fakes through (2 of 4) but flagged only 31 % of the real clips "
        "(5 of 16): you lean towards believing what you see."
    ), line
    assert "50 % der Fälschungen" in _lean_line(results, "de")


def test_a_lean_towards_fake_names_its_shares():
    results = _results(hits=4, misses=0, false_alarms=9, rejections=7)
    assert results.lean == "fake"
    assert _lean_line(results).startswith(
        "You flagged 56 % of the real clips (9 of 16) but let only 0 % of the fakes through "
        "(0 of 4): you lean towards calling things fake."
    )


@pytest.mark.parametrize(
    ("hits", "misses", "false_alarms", "rejections"),
    # c leans one way, the shares as counted the other (the correction for few clips).
    [(0, 1, 7, 1), (1, 0, 1, 7), (0, 1, 2, 0), (1, 0, 0, 2)],
)
def test_no_lean_is_claimed_where_the_shares_do_not_show_it(hits, misses, false_alarms, rejections):
    results = _results(hits, misses, false_alarms, rejections)
    assert abs(results.summary.criterion) > 0.1
    assert results.lean is None
    assert _lean_line(results) == "You did not lean much towards “real” or “fake”."


def test_every_claimed_lean_agrees_with_the_shares_it_quotes():
    for generated in range(1, 13):
        for real in range(1, 13):
            for hits in range(generated + 1):
                for false_alarms in range(real + 1):
                    r = _results(hits, generated - hits, false_alarms, real - false_alarms)
                    missed, flagged = (generated - hits) / generated, false_alarms / real
                    if r.lean == "real":
                        assert missed > flagged and r.summary.criterion > 0.1
                    elif r.lean == "fake":
                        assert flagged > missed and r.summary.criterion < -0.1
