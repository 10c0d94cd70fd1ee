"""The quiz builder in Chromium: by mouse and keyboard, without JavaScript, and copying."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from quiz.models import Clip, Quiz
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def builder_site(demo_site):
    User.objects.create_user("msb", password="look-again-3", role="teacher")
    return demo_site


def test_teacher_builds_a_quiz_with_the_keyboard_and_mouse(page: Page, builder_site):
    errors = []
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    base = builder_site.url
    sign_in(page, base, "msb", "look-again-3")
    page.goto(f"{base}/teach/quizzes/")
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Title").fill("Week 2")
    page.get_by_role("button", name="Create and add clips").click()
    expect(page.get_by_role("heading", name="Week 2")).to_be_visible()
    quiz = Quiz.objects.get(title="Week 2")

    page.get_by_label("Real or generated").select_option("generated")
    page.get_by_label("Media", exact=True).select_option("video")
    page.get_by_role("button", name="Show clips").click()
    expect(page.locator("#announce")).to_contain_text("clips match")
    fake = Clip.objects.filter(is_generated=True, media_kind="video").first()
    real = Clip.objects.filter(is_generated=False, media_kind="video").first()
    add = page.locator(f"#add-{fake.pk}")
    add.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announce")).to_contain_text("added as round 1")
    expect(add).to_have_attribute("aria-disabled", "true")
    assert page.evaluate("document.activeElement.id") == f"add-{fake.pk}"

    page.get_by_label("Real or generated").select_option("real")
    page.get_by_role("button", name="Show clips").click()
    expect(page.locator(f"#add-{real.pk}")).to_be_visible()
    page.locator(f"#add-{real.pk}").click()
    expect(page.locator("#announce")).to_contain_text("added as round 2")

    # Move round 2 up with the keyboard: focus follows the round.
    up = page.locator(f"#r{real.pk}-up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announce")).to_contain_text("now round 1")
    assert page.evaluate("document.activeElement.id") == f"r{real.pk}-up"

    page.get_by_label("Kind of round 1").select_option(str(fake.pk))
    page.locator(f"#r{real.pk}-pair").click()
    expect(page.locator("#announce")).to_contain_text("is now a pair")
    expect(page.get_by_role("heading", name="Round 1: which one is generated?")).to_be_visible()

    page.get_by_role("button", name="Save the quiz").click()
    expect(page.locator("#announce")).to_contain_text("Saved: 1 round.")
    assert list(quiz.items.values_list("kind", "clip_id", "other_clip_id")) == [
        ("pair", real.pk, fake.pk)
    ]

    # A balanced quiz over the whole library.
    page.get_by_label("Real or generated").select_option("")
    page.get_by_label("Media", exact=True).select_option("")
    page.get_by_role("button", name="Show clips").click()
    expect(page.locator("#announce")).to_contain_text(f"{Clip.objects.count()} clips match")
    page.get_by_label("Rounds", exact=True).fill("6")
    page.get_by_role("button", name="Fill the draft").click()
    expect(page.locator("#announce")).to_contain_text("6 balanced rounds")
    page.get_by_role("button", name="Save the quiz").click()
    expect(page.locator("#announce")).to_contain_text("Saved: 6 rounds.")
    assert quiz.items.count() == 6

    # Enter in the title field refreshes, never adds a clip: once the builder has answered
    # the form that Enter sent, the quiz is as it was.
    action = page.locator("form#builder").get_attribute("action")
    with page.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == action
    ) as refreshed:
        page.get_by_label("Title").press("Enter")
    assert refreshed.value.ok
    expect(page.get_by_role("heading", name=re.compile(r"^Rounds: 6 of"))).to_be_visible()
    assert quiz.items.count() == 6
    assert not errors, errors


def test_builder_works_without_javascript(browser, builder_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = builder_site.url
    sign_in(page, base, "msb", "look-again-3")
    page.goto(f"{base}/teach/quizzes/")
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Title").fill("No JS")
    page.get_by_role("button", name="Create and add clips").click()
    page.get_by_label("Media", exact=True).select_option("image")
    page.get_by_role("button", name="Show clips").click()
    expect(page.locator(".meta", has_text=re.compile(r"\d+ clips match"))).to_be_visible()
    first = page.locator("ul.cards button[value^='add:']").first
    first.click()
    expect(page.get_by_text("added as round 1")).to_be_visible()
    page.get_by_role("button", name="Save the quiz").click()
    expect(page.get_by_text("Saved: 1 round.")).to_be_visible()
    assert Quiz.objects.get(title="No JS").items.count() == 1
    context.close()


def test_copy_of_the_demo(page: Page, builder_site):
    base = builder_site.url
    sign_in(page, base, "msb", "look-again-3")
    page.goto(f"{base}/teach/quizzes/")
    page.get_by_role("link", name="View Demo quiz: real or generated?").click()
    expect(page.get_by_text("only its author can change it")).to_be_visible()
    page.get_by_role("button", name="Edit a copy").click()
    expect(
        page.get_by_role("heading", name="Copy of Demo quiz: real or generated?")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Save the quiz")).to_be_visible()
