"""Spot rounds in a live lesson, in Chromium (issue 15 with issue 14 §1): a projector and two
students' phones (390 px). Lina marks each giveaway by keyboard, Omar by click; the projector
reveals hits and misses, then the boxes with the class's marks as dots, then the giveaways,
and a reveal step keeps the clip where it was (no restart); each phone shows its own mark
against the boxes. The game was started from a quiz, not an assignment: the class's page
lists it and its report holds both players' marks. Every page passes axe."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz import spot
from quiz.models import Answer, Clip, LiveGame, Quiz, QuizItem
from quiz.services import builder
from quiz.services.play import artifact_region
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check
from tests.e2e.test_spot_flow import IMAGE_KEY, VIDEO_KEY, _hit_cell, _mark_by_keyboard, _tab_to

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
STUDENTS = [("lina", "Lina"), ("omar", "Omar")]


@pytest.fixture
def spot_class(demo_site):
    school = School.objects.create(name="Spot School")
    teacher = User.objects.create_user(
        "spotteach", password="look-again-5", role="teacher", school=school
    )
    classroom = account_services.classroom_create(teacher=teacher, name="9S")
    for username, first in STUDENTS:
        user = User.objects.create_user(
            username, password="look-again-1", role="student", first_name=first, school=school
        )
        Enrollment.objects.create(classroom=classroom, student=user)
    quiz = Quiz.objects.create(
        slug="live-spot", title="Spot it live", is_public=True, created_by=teacher
    )
    for key in (VIDEO_KEY, IMAGE_KEY):
        builder.spot_item_create(quiz=quiz, clip=Clip.objects.get(key=key))
    return demo_site, classroom, quiz


def _boxes_on_picture(page: Page, scope: str) -> None:
    """The outlines are drawn over the picture itself: the overlay has the clip's own box (a
    frame wider than a height-capped clip would put them beside it)."""
    gap = page.evaluate(
        """scope => {
          const frame = document.querySelector(scope + ' [data-media-frame]');
          const media = frame.querySelector('video, img').getBoundingClientRect();
          const svg = frame.querySelector('svg.overlay').getBoundingClientRect();
          return Math.max(Math.abs(media.left - svg.left), Math.abs(media.right - svg.right),
                          Math.abs(media.top - svg.top), Math.abs(media.bottom - svg.bottom));
        }""",
        scope,
    )
    assert gap < 1.5, f"the outlines in {scope} are {gap:.0f} px off the picture"


def _device(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, base, username, "look-again-1")
    return page


def _current_clip(game_id: int) -> Clip:
    game = LiveGame.objects.get(pk=game_id)
    return QuizItem.objects.select_related("clip").get(pk=game.current_item_id).clip


def _image_by_keyboard(device: Page, clip: Clip) -> None:
    """Keyboard only on a picture: Tab to it, arrows to the giveaway's square, Enter, the
    confidence, submit."""
    column, row = _hit_cell(clip, None)
    device.locator("#round-title").focus()
    _tab_to(device, "[data-spot-layer]")
    expect(device.locator("[data-spot-crosshair]")).to_be_visible()
    for key, steps in (
        ("ArrowRight" if column > 3 else "ArrowLeft", abs(column - 3)),
        ("ArrowDown" if row > 3 else "ArrowUp", abs(row - 3)),
    ):
        for _ in range(steps):
            device.keyboard.press(key)
    device.keyboard.press("Enter")
    expect(device.locator("[data-spot-status]")).to_contain_text(
        f"Marked: row {row + 1}, column {column + 1}."
    )
    _tab_to(device, "[data-confidence]")
    device.keyboard.press("ArrowRight")
    _tab_to(device, "button[type=submit]")
    device.keyboard.press("Enter")


def _miss_by_click(device: Page, clip: Clip) -> None:
    """A click far from every giveaway (at the first giveaway's moment for a video)."""
    mark = spot.away_from(
        [artifact_region(a) for a in clip.artifacts.all()],
        width=clip.width,
        height=clip.height,
        video=clip.is_video,
    )
    if clip.is_video:
        device.evaluate(
            "t => { const v = document.getElementById('media-main'); v.pause(); v.currentTime = t; }",
            mark.ms / 1000,
        )
    layer = device.locator("[data-spot-layer]")
    box = layer.bounding_box()
    layer.click(position={"x": mark.fx * box["width"], "y": mark.fy * box["height"]})
    expect(device.locator("[data-spot-status]")).to_contain_text("Marked: row")
    device.locator("input[type=range][name=confidence]").fill("60")
    device.get_by_role("button", name="Submit answer").click()


def test_a_live_spot_lesson_by_keyboard_and_click(page: Page, browser: Browser, spot_class):
    site, classroom, quiz = spot_class
    base = site.url
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, "spotteach", "look-again-5")
    page.goto(f"{base}/teach/games/new/{quiz.slug}/")
    page.get_by_role("button", name="Start the game").click()
    expect(page.locator(".live-pin")).to_be_visible()
    game_id = int(re.search(r"/teach/games/(\d+)/", page.url).group(1))

    lina, omar = (_device(browser, base, username) for username, _first in STUDENTS)
    for device in (lina, omar):
        device.get_by_role("button", name="Join the live lesson").click()
        expect(device.get_by_role("heading", name="You're in!")).to_be_visible()
    for _username, first in STUDENTS:
        expect(page.locator(".live-names")).to_contain_text(first)
    page.get_by_role("button", name="Start the first round").click()

    for round_number in (1, 2):
        expect(page.locator("#round-title")).to_have_text("Where is the giveaway?")
        expect(page.locator(".live-meta")).to_contain_text(f"Round {round_number} of 2")
        clip = _current_clip(game_id)
        for device in (lina, omar):
            expect(device.locator("#round-title")).to_have_text("Where is the giveaway?")
            expect(device.locator("[data-spot-layer]")).to_be_visible()
            # Nothing of the truth on the phone before the answer.
            assert device.locator(".artifact-box").count() == 0
        assert lina.evaluate(SIDEWAYS) == 0
        if round_number == 1:
            _check(lina, "device spot round")
        # Lina by keyboard (a hit), Omar by click (a miss).
        if clip.is_video:
            _mark_by_keyboard(lina, clip)
        else:
            _image_by_keyboard(lina, clip)
        expect(lina.locator("#panel h1")).to_have_text("Answer saved.")
        expect(page.locator("#count")).to_have_text("1 of 2 answered")
        _miss_by_click(omar, clip)

        # Everyone answered: revealed everywhere. Each phone shows its own mark and the boxes.
        expect(page.get_by_role("heading", name="How the class answered")).to_be_visible()
        expect(page.locator(".live-distribution")).to_contain_text("Marked a giveaway")
        expect(lina.locator("#panel h1")).to_have_text("Right!")
        expect(lina.locator(".spot-verdict")).to_contain_text("Your mark is on a giveaway.")
        expect(omar.locator("#panel h1")).to_have_text("Not this time.")
        expect(omar.locator(".spot-verdict")).to_contain_text("Your mark missed the giveaway.")
        for device in (lina, omar):
            expect(device.locator("[data-spot-drawn]")).to_have_count(1)
            expect(device.locator("rect.artifact-box")).to_have_count(clip.artifacts.count())
            assert device.evaluate(SIDEWAYS) == 0
            _boxes_on_picture(device, ".live-spot-truth")
        if round_number == 1:
            _check(omar, "device spot reveal")
            _check(page, "projector spot reveal")

        media_id = f"live-{LiveGame.objects.get(pk=game_id).round_index + 1}-a"
        if clip.is_video:
            # The clip is somewhere in the middle when the teacher shows the truth: it stays
            # there (the same element, not a reloaded page).
            page.evaluate(
                "id => { const v = document.getElementById(id); v.pause(); v.currentTime = 2.2;"
                " v.dataset.kept = 'yes'; }",
                media_id,
            )
            page.wait_for_function(
                "id => Math.abs(document.getElementById(id).currentTime - 2.2) < 0.05", arg=media_id
            )
        page.get_by_role("button", name="Show the truth").click()
        expect(page.locator(".live-truth")).to_contain_text("1 of 2 marked a giveaway.")
        # The boxes and the class's two marks as dots (no names).
        expect(page.locator("#stage rect.artifact-box")).to_have_count(clip.artifacts.count())
        expect(page.locator("#stage .live-mark")).to_have_count(2)
        expect(page.locator("#stage .live-mark.is-hit")).to_have_count(1)
        _boxes_on_picture(page, "#stage")
        if clip.is_video:
            assert (
                page.evaluate("id => document.getElementById(id).dataset.kept", media_id) == "yes"
            )
            assert (
                abs(page.evaluate("id => document.getElementById(id).currentTime", media_id) - 2.2)
                < 0.05
            )
        page.get_by_role("button", name="Show the next giveaway").click()
        expect(page.locator(".live-artifacts li")).to_have_count(1)
        if clip.is_video:
            assert (
                page.evaluate("id => document.getElementById(id).dataset.kept", media_id) == "yes"
            )
            # Seeking to the giveaway still drives the kept clip.
            first = min(clip.artifacts.all(), key=lambda a: a.start_s)
            page.locator(".live-artifacts [data-seek]").first.click()
            page.wait_for_function(
                "([id, t]) => Math.abs(document.getElementById(id).currentTime - t) < 0.05",
                arg=[media_id, first.start_s],
            )
        if round_number == 1:
            _check(page, "projector spot truth")
            page.get_by_role("button", name="Next round").click()
    page.get_by_role("button", name="End the game").first.click()
    expect(page.get_by_role("heading", name="How the class did")).to_be_visible()
    for device in (lina, omar):
        expect(device.get_by_role("heading", name="The game has ended.")).to_be_visible()

    # Stored like self-paced spot answers: a mark each, graded.
    answers = Answer.objects.filter(attempt__quiz=quiz)
    assert answers.count() == 4
    assert sorted(answers.values_list("attempt__user__username", "spot_hit")) == [
        ("lina", True),
        ("lina", True),
        ("omar", False),
        ("omar", False),
    ]
    assert not answers.filter(spot_x__isnull=True).exists()

    # The class's page lists the game; its report holds both players' marks.
    page.goto(base + reverse("accounts:classroom_detail", args=[classroom.pk]))
    page.get_by_role("link", name=re.compile(r"Live lesson .*: Spot it live")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spot it live – 9S")
    expect(page.locator("details.student-report")).to_have_count(2)
    expect(page.get_by_text("Marked the giveaway: hit").first).to_be_attached()
    _check(page, "live game report")
    for device in (lina, omar):
        device.context.close()
