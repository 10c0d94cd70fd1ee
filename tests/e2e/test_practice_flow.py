"""A student practises in Chromium: "Practise a mix" on the home page, a few adaptive rounds
through the play loop (spot rounds marked by keyboard), back home where the mastery bars and
"Practise <weakest category>" appear; a due booster starts from home. Every page passes axe
and does not scroll sideways at 390 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import Page, expect

from quiz.models import Attempt, BoosterPlan, Quiz
from quiz.selectors.play import attempt_next_round
from quiz.stats import aggregation
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check
from tests.e2e.test_learn_flow import SIDEWAYS, _answer_right_by_keyboard, _press_on

pytestmark = pytest.mark.e2e

ROUNDS = 4


def _fills_a_bar(attempt: Attempt) -> bool:
    """Has the attempt an answer that counts for a tell's mastery bar?"""
    return (
        attempt.answers.exclude(item_kind="spot")
        .filter(Q(item_kind="pair") | Q(clip__is_generated=True))
        .exists()
    )


def test_student_practises_and_home_shows_mastery(page: Page, demo_site):
    base = demo_site.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base)
    expect(page.locator("#adaptive-title")).to_have_text("Practise where you are weakest")
    assert page.evaluate(SIDEWAYS) == 0
    _check(page, "home before practice")
    _press_on(page, page.get_by_role("button", name="Practise a mix"))

    expect(page.locator("#round-title")).to_be_visible()
    attempt = Attempt.objects.get(user__username="student1", quiz__mode=Quiz.Mode.PRACTICE)
    # At least ROUNDS rounds, and on until one of them is a real-or-generated round on a
    # generated clip: spot rounds and real clips fill no tell's bar, and the coin is random.
    n = 0
    while n < ROUNDS or not _fills_a_bar(attempt):
        assert n < 9, "nine rounds without a generated clip to judge"
        expect(page.locator("#stage").get_by_text(f"Round {n + 1} of 10")).to_be_visible()
        attempt.refresh_from_db()
        shown = attempt_next_round(attempt)
        if n == 0:
            _check(page, f"practice round ({shown.item.kind})")
        _answer_right_by_keyboard(page, shown)
        _press_on(page, page.get_by_role("link", name="Next round").first)
        n += 1
    expect(page.locator("#round-title")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.answers.count() == n
    assert attempt.quiz.items.count() == n + 2  # the round on screen and one ahead

    aggregation.fold_all()  # the aggregates the bars read (a worker folds them on the site)
    page.goto(f"{base}/play/")
    bars = page.locator(".mastery-list .mastery-fill")
    expect(bars.first).to_be_attached()
    expect(page.get_by_role("button", name=re.compile(r"^Practise (?!a mix)"))).to_be_visible()
    expect(page.locator(".mastery-list")).to_contain_text("answer")
    assert page.evaluate(SIDEWAYS) == 0
    _check(page, "home with mastery")
    page.set_viewport_size({"width": 1366, "height": 768})
    assert page.evaluate(SIDEWAYS) == 0


def test_a_due_booster_starts_from_home(page: Page, demo_site):
    base = demo_site.url
    sign_in(page, base)
    from accounts.models import User

    started = timezone.now() - timedelta(days=3)
    BoosterPlan.objects.create(
        user=User.objects.get(username="student1"),
        category="count",
        source="lesson",
        started_at=started,
        due_at=started + timedelta(days=2),
    )
    page.goto(f"{base}/play/")
    expect(page.get_by_role("heading", name="Boosters due")).to_be_visible()
    _check(page, "home with a booster due")
    _press_on(page, page.get_by_role("button", name="Booster: Objects appear, vanish or multiply"))
    expect(page.locator("#stage").get_by_text("Round 1 of 5")).to_be_visible()
