"""A live lesson in Chromium (issue 15): one projector and three students' devices. Students
join by PIN and with one click, answer, the projector reveals (leaderboard off, then on), a
student reconnects mid-round, the game ends; then the teacher's report and the aggregates
hold exactly those answers. The projector and the device pass axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz.models import Answer, Clip, Quiz, QuizItem, StatCell
from quiz.services.teach import assignment_create
from quiz.stats import aggregation
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
STUDENTS = [("lina", "Lina"), ("omar", "Omar"), ("pia", "Pia")]


@pytest.fixture
def live_class(demo_site):
    school = School.objects.create(name="Live School")
    teacher = User.objects.create_user(
        "liveteach", password="look-again-5", role="teacher", school=school
    )
    classroom = account_services.classroom_create(teacher=teacher, name="9L")
    for username, first in STUDENTS:
        user = User.objects.create_user(
            username, password="look-again-1", role="student", first_name=first, school=school
        )
        Enrollment.objects.create(classroom=classroom, student=user)
    ready = Clip.objects.ready().filter(media_kind="video")
    generated = list(ready.filter(is_generated=True, artifacts__isnull=False).distinct()[:2])
    real = list(ready.filter(is_generated=False)[:2])
    quiz = Quiz.objects.create(title="Live check", slug="live-check", created_by=teacher)
    QuizItem.objects.create(quiz=quiz, position=1, kind="single", clip=generated[0])
    QuizItem.objects.create(
        quiz=quiz, position=2, kind="pair", clip=generated[1], other_clip=real[0]
    )
    (assignment,) = assignment_create(
        teacher=teacher,
        quiz=quiz,
        classrooms=[classroom],
        opens_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() + timedelta(days=1),
        attempts_allowed=1,
        feedback="each",
    )
    return demo_site, assignment


def _device(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, base, username, "look-again-1")
    return page


def _answer(device: Page, choice: int, sure: str = "90") -> None:
    expect(device.get_by_role("button", name="Submit answer")).to_be_visible()
    device.locator("fieldset.guess input[type=radio]").nth(choice).check()
    device.locator("input[type=range][name=confidence]").fill(sure)
    device.get_by_role("button", name="Submit answer").click()


def test_a_live_lesson_from_projector_to_report(page: Page, browser: Browser, live_class):
    site, assignment = live_class
    base = site.url
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, "liveteach", "look-again-5")
    page.goto(f"{base}/teach/assignments/{assignment.pk}/")
    page.get_by_role("link", name="Run live in class").click()
    page.get_by_role("button", name="Start the game").click()
    pin = page.locator(".live-pin").inner_text().strip()
    assert len(pin) == 6 and page.locator("svg.qr").is_visible()
    assert page.evaluate(SIDEWAYS) == 0
    _check(page, "projector lobby")

    # Lina and Omar join with one click from their home page, Pia by PIN.
    lina, omar, pia = (_device(browser, base, u) for u, _first in STUDENTS)
    for device in (lina, omar):
        device.get_by_role("button", name="Join the live lesson").click()
        expect(device.get_by_role("heading", name="You're in!")).to_be_visible()
    pia.goto(f"{base}/live/")
    pia.get_by_label("Game PIN").fill(pin)
    pia.get_by_role("button", name="Join").click()
    expect(pia.get_by_role("heading", name="You're in!")).to_be_visible()
    _check(pia, "device lobby")
    # The names appear on the projector as they join (pushed, no reload).
    for _username, first in STUDENTS:
        expect(page.locator(".live-names")).to_contain_text(first)

    page.get_by_role("button", name="Start the first round").click()
    # Each device is told the round opened, without a reload.
    for device in (lina, omar, pia):
        expect(device.get_by_role("button", name="Submit answer")).to_be_visible()
    # Each device plays the clip under its own attempt's names.
    src = lina.locator("#panel video").first.get_attribute("src")
    assert src.startswith("/live/") and lina.request.get(base + src).status == 200
    _check(lina, "device round")
    assert lina.evaluate(SIDEWAYS) == 0
    _answer(lina, 0)
    _answer(omar, 1, "60")
    expect(page.locator("#count")).to_have_text("2 of 3 answered")
    # Pia's connection drops mid-round: she comes back to the open round.
    pia.reload()
    _answer(pia, 1, "75")
    # Everyone answered: the round is revealed on every screen.
    expect(page.get_by_role("heading", name="How the class answered")).to_be_visible()
    for device in (lina, omar, pia):
        expect(device.locator("#panel h1")).to_have_text(re.compile(r"Right!|Not this time\."))
    assert page.locator(".live-board").count() == 0
    _check(page, "projector reveal")
    page.get_by_role("button", name="Show the truth").click()
    expect(page.locator(".live-truth")).to_be_visible()
    page.get_by_role("button", name="Show the next giveaway").click()
    expect(page.locator(".live-artifacts li")).to_have_count(1)

    # The leaderboard, switched on between rounds.
    page.locator("summary").click()
    page.get_by_label("Leaderboard between rounds").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".live-board li").first).to_be_visible()

    page.get_by_role("button", name="Next round").click()
    for device in (lina, omar, pia):
        _answer(device, 0, "80")
    expect(page.get_by_role("heading", name="How the class answered")).to_be_visible()
    page.get_by_role("button", name="End the game").first.click()
    expect(page.get_by_role("heading", name="How the class did")).to_be_visible()
    for device in (lina, omar, pia):
        expect(device.get_by_role("heading", name="The game has ended.")).to_be_visible()
    _check(page, "projector summary")
    _check(lina, "device summary")

    # The answers are the assignment's, in the report and the aggregates, exactly once.
    answers = Answer.objects.filter(assignment=assignment)
    assert answers.count() == 6
    page.goto(f"{base}/teach/assignments/{assignment.pk}/report/")
    for _username, first in STUDENTS:
        expect(page.get_by_text(first, exact=False).first).to_be_visible()
    aggregation.fold_all()
    cell = StatCell.objects.get(
        scope="assignment", scope_id=assignment.pk, dimension="overall", key=""
    )
    assert (cell.n, cell.correct) == (6, answers.filter(is_correct=True).count())
    for device in (lina, omar, pia):
        device.context.close()
