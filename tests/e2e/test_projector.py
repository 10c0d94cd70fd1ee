"""Projector mode (issue 13 §2): the live view and the join sheet fill the screen with large
type (at least 32 px body text at 1280×720), no menu bar, no download links, no names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import services as account_services
from accounts.models import School, User
from quiz.models import Quiz
from quiz.services.teach import assignment_create
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

FONT_PX = "(selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)"
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def live_site(demo_site):
    school = School.objects.create(name="Projector School")
    teacher = User.objects.create_user(
        "proj", password="look-again-3", role="teacher", school=school
    )
    classroom = account_services.classroom_create(teacher=teacher, name="8P")
    account_services.students_bulk_create(classroom=classroom, names=["Zoe Quill", "Yann Pike"])
    (assignment,) = assignment_create(
        teacher=teacher,
        quiz=Quiz.objects.get(slug="demo"),
        classrooms=[classroom],
        opens_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() + timedelta(days=1),
        attempts_allowed=1,
        feedback="each",
    )
    return demo_site, classroom, assignment


def test_the_live_view_on_a_projector(page: Page, live_site):
    site, _classroom, assignment = live_site
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page, site.url, "proj", "look-again-3")
    page.goto(f"{site.url}/teach/assignments/{assignment.pk}/")
    expect(page.get_by_text("Zoe Quill")).to_be_visible()
    page.get_by_role("link", name="Projector mode (hide names)").click()
    expect(page.locator(".live-totals")).to_be_visible()
    assert page.locator(".site-header").is_hidden()
    assert page.get_by_role("link", name="Answers (CSV)").is_hidden()
    assert page.evaluate(FONT_PX, ".live-totals") >= 32
    assert page.evaluate(FONT_PX, "table.live-students td") >= 32
    assert page.evaluate(SIDEWAYS) == 0
    # Names stay hidden, also after the table refreshes itself.
    page.wait_for_timeout(1500)
    assert "Zoe Quill" not in page.content() and "Yann Pike" not in page.content()
    page.get_by_role("link", name="Leave projector mode (show names)").click()
    expect(page.get_by_text("Zoe Quill")).to_be_visible()
    assert page.locator(".site-header").is_visible()


def test_the_join_sheet_on_a_projector(page: Page, live_site):
    site, classroom, _assignment = live_site
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page, site.url, "proj", "look-again-3")
    page.goto(f"{site.url}/classes/{classroom.pk}/join-sheet/")
    expect(page.locator(".join-code").first).to_be_visible()
    assert page.locator(".site-header").is_hidden()
    assert page.evaluate(FONT_PX, ".join-steps") >= 32
    assert page.evaluate(FONT_PX, ".join-code") >= 32
    assert page.evaluate(SIDEWAYS) == 0
