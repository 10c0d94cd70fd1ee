"""A student plays a practice feed in Chromium on a phone-sized screen, by keyboard alone:
flags some clips with F, moves on with N, lets the timer move on once, and reads the end
summary; both pages pass axe and never scroll sideways at 390×844."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quiz.models import Attempt, Quiz
from quiz.selectors.feed import feed_current
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SIDEWAYS = "[document.documentElement.scrollWidth, window.innerWidth]"


def _no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate(SIDEWAYS)
    assert width <= inner, f"{page.url} scrolls sideways: {width} > {inner}"


def test_student_plays_a_feed_by_keyboard(page: Page, demo_site):
    base = demo_site.url
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(PHONE)
    sign_in(page, base)
    start = page.get_by_role("button", name="Start a feed")
    start.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/feeds/\d+/$"))
    attempt = Attempt.objects.get(user__username="student1", quiz__mode=Quiz.Mode.FEED)
    total = attempt.quiz.items.count()
    heading = page.locator("#feed-clip-title")
    expect(heading).to_have_text(f"Clip 1 of {total}")
    expect(heading).to_be_focused()
    # The clip plays muted, without a click.
    if page.locator("video#feed-media").count():
        page.wait_for_function(
            "() => { const v = document.getElementById('feed-media');"
            " return v && v.muted && !v.paused; }",
            timeout=10_000,
        )
    # P pauses the timer (and says so to a screen reader) while the page is checked; P
    # again goes on.
    page.keyboard.press("p")
    expect(page.locator("[data-feed-pause]")).to_have_attribute("aria-pressed", "true")
    _no_sideways_scroll(page)
    _check(page, "feed clip")
    page.keyboard.press("p")
    expect(page.locator("[data-feed-pause]")).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.__sameDocument = true")

    flagged_generated = 0
    flagged_real = 0
    waited = False
    for number in range(1, total + 1):
        expect(heading).to_have_text(f"Clip {number} of {total}")
        attempt.refresh_from_db()
        clip = feed_current(attempt).shown.item.clip
        if clip.is_generated and flagged_generated < 2:
            page.keyboard.press("f")
            flagged_generated += 1
        elif not clip.is_generated and flagged_real < 1:
            page.keyboard.press("F")
            flagged_real += 1
        elif not waited and not clip.is_generated and number < total:
            # Let this clip's seconds run out: the feed moves on by itself, unflagged.
            waited = True
            expect(heading).to_have_text(f"Clip {number + 1} of {total}", timeout=12_000)
            continue
        else:
            page.keyboard.press("n" if number % 2 else "ArrowDown")
        if number < total:
            expect(heading).to_have_text(f"Clip {number + 1} of {total}")
            expect(heading).to_be_focused()
            assert page.evaluate("window.__sameDocument") is True
    page.wait_for_url(re.compile(r"/feeds/\d+/summary/$"))
    assert waited and flagged_real == 1

    attempt.refresh_from_db()
    answers = list(attempt.answers.select_related("item__clip"))
    assert attempt.is_finished and len(answers) == total
    generated = sum(a.item.clip.is_generated for a in answers)
    caught = sum(a.item.clip.is_generated and a.guess == "generated" for a in answers)
    assert caught == flagged_generated == 2
    real = total - generated
    expect(page.get_by_text(f"You flagged 2 of the {generated} generated clips.")).to_be_visible()
    expect(page.get_by_text(f"You flagged 1 of the {real} real ones.")).to_be_visible()
    expect(page.get_by_role("heading", name="Generated clips you missed")).to_be_visible()
    expect(page.get_by_role("heading", name="Real clips you flagged")).to_be_visible()
    # The two clips caught are folded under their heading, and open from the keyboard.
    caught = page.locator("details.feed-caught")
    expect(caught.locator("article.feed-result").first).to_be_hidden()
    caught.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(caught.locator("article.feed-result")).to_have_count(2)
    expect(caught.locator("article.feed-result").first).to_be_visible()
    curious = page.locator("details.for-the-curious summary")
    curious.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sensitivity d′")).to_be_visible()
    _no_sideways_scroll(page)
    _check(page, "feed summary")
    assert not problems, problems


def test_teacher_builds_a_feed_on_a_phone(page: Page, demo_site):
    from django.utils import timezone

    from accounts.models import School, User

    school = School.objects.create(name="Feed School")
    User.objects.create_user(
        "feedteacher",
        password="look-again-5",
        role="teacher",
        school=school,
        verified_at=timezone.now(),
    )
    base = demo_site.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("feedteacher")
    page.get_by_label("Password").fill("look-again-5")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/teach/assignments/")
    page.get_by_role("link", name="New feed").click()
    expect(page.get_by_role("heading", name="New feed")).to_be_visible()
    _no_sideways_scroll(page)
    _check(page, "new feed")
    # Too long for the demo library: the page says how long a feed it holds.
    page.get_by_label("Number of clips").fill("30")
    page.get_by_role("button", name="Create the feed").click()
    expect(page.get_by_text(re.compile(r"Choose at most \d+ clips\."))).to_be_visible()
    _no_sideways_scroll(page)
    _check(page, "new feed with an error")
    page.get_by_label("Number of clips").fill("12")
    page.get_by_label("Share of generated clips (%)").fill("25")
    page.get_by_label("3 seconds").check()
    page.get_by_role("button", name="Create the feed").click()
    expect(page.get_by_text("Feed created. Now choose the classes that get it.")).to_be_visible()
    quiz = Quiz.objects.get(mode=Quiz.Mode.FEED)
    assert quiz.items.count() == 12
    assert quiz.items.filter(clip__is_generated=True).count() == 3
    assert quiz.feed_settings.seconds == 3
