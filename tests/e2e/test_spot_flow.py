"""Spot rounds in Chromium: a student marks the giveaway of a video with the keyboard only
(the slider for the moment, arrow keys and Enter for the place) and of a picture with a
click; the feedback draws the mark and the boxes; the pages pass axe, fit a 1366×768 laptop
and do not scroll sideways at 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from quiz import spot
from quiz.models import Attempt, Clip, Quiz
from quiz.selectors.play import attempt_next_round
from quiz.services import builder
from quiz.services.play import artifact_region
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check

pytestmark = pytest.mark.e2e

VIDEO_KEY = "demo-coins-count-changes"
IMAGE_KEY = "demo-cat-third-eye"
IN_VIEW = """(selector) => { const el = document.querySelector(selector); if (!el) return null;
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def spot_site(demo_site):
    quiz = Quiz.objects.create(slug="spot-e2e", title="Spot the giveaway", is_public=True)
    for key in (VIDEO_KEY, IMAGE_KEY):
        builder.spot_item_create(quiz=quiz, clip=Clip.objects.get(key=key))
    return demo_site


def _start(page: Page, base: str) -> Attempt:
    sign_in(page, base)
    page.get_by_role("button", name="Start: Spot the giveaway").click()
    expect(page.locator("#round-title")).to_have_text("Where is the giveaway?")
    return Attempt.objects.get(user__username="student1", quiz__slug="spot-e2e")


def _regions(clip: Clip) -> list[spot.Region]:
    return [artifact_region(a) for a in clip.artifacts.all()]


def _hit_cell(clip: Clip, ms: int | None) -> tuple[int, int]:
    """A square of the keyboard's grid whose centre is a spot hit at `ms`."""
    regions = _regions(clip)
    for row in range(spot.GRID):
        for column in range(spot.GRID):
            mark = spot.Mark(*spot.grid_centre(column, row), ms)
            if spot.is_hit(mark, regions, width=clip.width, height=clip.height):
                return column, row
    raise AssertionError(f"no square of {clip} is a hit")


def _tab_to(page: Page, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _mark_by_keyboard(page: Page, clip: Clip) -> None:
    """Keyboard only: the slider to the giveaway's moment, the crosshair to its square,
    Enter, the confidence, and the submit button."""
    artifact = min(clip.artifacts.all(), key=lambda a: a.start_s)
    target_s = (artifact.start_s + artifact.end_s) / 2
    page.locator("#round-title").focus()
    _tab_to(page, "[data-spot-slider]")
    # Each arrow moves the slider one step (0.04 s); the player takes it to that frame.
    for _ in range(round(target_s / 0.04)):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "t => Math.abs(document.getElementById('media-main').currentTime - t) < 0.1",
        arg=target_s,
    )
    ms = round(page.evaluate("document.getElementById('media-main').currentTime") * 1000)
    column, row = _hit_cell(clip, ms)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.matches('[data-spot-layer]')")
    expect(page.locator("[data-spot-crosshair]")).to_be_visible()
    for key, steps in (
        ("ArrowRight" if column > 3 else "ArrowLeft", abs(column - 3)),
        ("ArrowDown" if row > 3 else "ArrowUp", abs(row - 3)),
    ):
        for _ in range(steps):
            page.keyboard.press(key)
    page.keyboard.press("Enter")
    expect(page.locator("[data-spot-status]")).to_contain_text(
        f"Marked: row {row + 1}, column {column + 1}, at"
    )
    _tab_to(page, "[data-confidence]")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 75 % -> 90 %
    expect(page.locator("[data-confidence-output]")).to_have_text("90 %")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")


def test_a_student_marks_a_video_by_keyboard_and_a_picture_by_click(page: Page, spot_site):
    base = spot_site.url
    page.set_viewport_size({"width": 1366, "height": 768})
    attempt = _start(page, base)
    for _round in range(2):
        shown = attempt_next_round(attempt)
        clip = shown.item.clip
        expect(page.locator("[data-spot-layer]")).to_be_visible()
        # Nothing of the truth in the page before the answer.
        assert page.locator(".artifact-box").count() == 0
        assert page.evaluate(IN_VIEW, "#answer-form button[type=submit]") is True
        assert page.evaluate(SIDEWAYS) == 0
        _check(page, f"spot round ({clip.media_kind})")
        if clip.is_video:
            expect(page.locator(".spot-told")).to_contain_text("This video was made by AI")
            _mark_by_keyboard(page, clip)
        else:
            region = _regions(clip)[0]
            layer = page.locator("[data-spot-layer]")
            box = layer.bounding_box()
            layer.click(
                position={
                    "x": (region.x + region.w / 2) * box["width"],
                    "y": (region.y + region.h / 2) * box["height"],
                }
            )
            expect(page.locator("[data-spot-mark]")).to_be_visible()
            expect(page.locator("[data-spot-status]")).to_contain_text("Marked: row")
            # A click shows its mark alone: the keyboard's crosshair (put up when the click
            # focused the picture) does not stay behind at another square.
            expect(page.locator("[data-spot-crosshair]")).to_be_hidden()
            page.keyboard.press("ArrowLeft")
            expect(page.locator("[data-spot-crosshair]")).to_be_visible()
            page.get_by_role("button", name="Submit answer").click()
        expect(page.locator("#feedback-title")).to_contain_text("Right!")
        expect(page.locator(".spot-verdict")).to_contain_text("Your mark is on a giveaway.")
        expect(page.locator("[data-spot-drawn]")).to_have_count(1)
        boxes = page.locator("rect.artifact-box")
        expect(boxes).to_have_count(clip.artifacts.count())
        expect(boxes.first).to_be_attached()
        if clip.is_video:
            # The feedback opens the video at the marked moment: its giveaway's box is lit.
            answer = attempt.answers.get(item=shown.item)
            page.wait_for_function(
                "t => Math.abs(document.querySelector('video[data-start-at]').currentTime - t)"
                " < 0.1",
                arg=answer.spot_ms / 1000,
            )
            expect(page.locator("rect.artifact-box.active")).to_have_count(1)
        _check(page, f"spot feedback ({clip.media_kind})")
        page.locator(".feedback a.button.primary").first.click()
    expect(page.get_by_text("You scored")).to_be_visible()
    answers = list(attempt.answers.all())
    assert len(answers) == 2 and all(a.spot_hit for a in answers)


def test_a_click_on_a_paused_video_at_the_wrong_moment_is_told_how_far_off(page: Page, spot_site):
    base = spot_site.url
    page.set_viewport_size({"width": 390, "height": 844})
    attempt = _start(page, base)
    if not attempt_next_round(attempt).item.clip.is_video:
        # The image comes first in this attempt's order: answer it anywhere.
        page.locator("[data-spot-layer]").click(position={"x": 2, "y": 2})
        page.get_by_role("button", name="Submit answer").click()
        page.locator(".feedback a.button.primary").first.click()
    expect(page.locator(".spot-told")).to_contain_text("This video was made by AI")
    assert page.evaluate(SIDEWAYS) == 0
    clip = Clip.objects.get(key=VIDEO_KEY)
    region = min(_regions(clip), key=lambda r: r.start_s)
    layer = page.locator("[data-spot-layer]")
    box = layer.bounding_box()
    # At 0.0 s, on the first giveaway's place: the place is right, the moment too early.
    layer.click(
        position={
            "x": (region.x + region.w / 2) * box["width"],
            "y": (region.y + region.h / 2) * box["height"],
        }
    )
    expect(page.locator("[data-spot-status]")).to_contain_text("at 0.0 s")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#feedback-title")).to_contain_text("Not quite.")
    expect(page.locator(".spot-miss")).to_contain_text(
        f"You were {region.start_s:.1f} s too early for the nearest giveaway."
    )
    expect(page.locator(".spot-miss")).to_contain_text("Your mark was on it")
    assert page.evaluate(SIDEWAYS) == 0
