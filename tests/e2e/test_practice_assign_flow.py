"""A teacher assigns adaptive practice in Chromium ("Assign practice": 3 rounds, weakest
first), the student starts it from their assignments, plays the rounds chosen for them by
keyboard (spot rounds marked with the arrow keys), and the teacher's report shows "3 of 3"
with the share right. The booster figures: the teacher's CSV from the class page, and the
educator's Insights → Boosters with a small class hidden. Every page passes axe and does not
scroll sideways at 390 px."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz.models import Assignment, Attempt, BoosterPlan, Quiz
from quiz.selectors.play import attempt_next_round
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check
from tests.e2e.test_learn_flow import SIDEWAYS, _answer_right_by_keyboard, _press_on

pytestmark = pytest.mark.e2e

ROUNDS = 3
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}


def _fits(page: Page) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate(SIDEWAYS) == 0, page.url
    page.set_viewport_size(DESK)


def test_teacher_assigns_practice_and_sees_the_student_finish_it(
    browser: Browser, page: Page, demo_site
):
    base = demo_site.url
    school = School.objects.create(name="Riverside School", time_zone="Europe/London")
    teacher_user = User.objects.create_user(
        "mspractice", password="look-again-7", role="teacher", school=school
    )
    student_user = User.objects.get(username="student1")
    User.objects.filter(pk=student_user.pk).update(school=school, first_name="Sam")
    classroom = account_services.classroom_create(teacher=teacher_user, name="9P")
    Enrollment.objects.create(classroom=classroom, student=student_user)

    teacher = browser.new_context().new_page()
    teacher.set_viewport_size(DESK)
    sign_in(teacher, base, "mspractice", "look-again-7")
    teacher.get_by_role("link", name="Assignments").first.click()
    teacher.get_by_role("link", name="Assign practice").click()
    expect(teacher.get_by_role("heading", name="Assign practice", level=1)).to_be_visible()
    _check(teacher, "assign practice")
    _fits(teacher)
    expect(teacher.get_by_label("Rounds per student")).to_have_value("10")
    teacher.get_by_label("9P").check()
    teacher.get_by_label("Rounds per student").fill(str(ROUNDS))
    expect(teacher.get_by_label("Focus")).to_have_value("")  # weakest first
    teacher.get_by_label("Opens", exact=True).fill("2020-01-01T08:00")
    teacher.get_by_label("Due", exact=True).fill("2099-01-01T08:00")
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.get_by_text("0 of 1 started")).to_be_visible()
    assignment = Assignment.objects.get(classroom=classroom)
    assert assignment.quiz.mode == Quiz.Mode.PRACTICE
    assert assignment.quiz.practice_goal.rounds == ROUNDS

    # The student: the assignment on the home page, started by keyboard, played to the end.
    page.set_viewport_size(PHONE)
    sign_in(page, base)
    row = page.get_by_role("row", name=re.compile("Adaptive practice"))
    expect(row).to_contain_text(f"Practise {ROUNDS} rounds, picked for you")
    assert page.evaluate(SIDEWAYS) == 0
    _check(page, "home with assigned practice")
    _press_on(page, page.get_by_role("button", name="Start: Adaptive practice (9P)"))
    expect(page.locator("#round-title")).to_be_visible()
    attempt = Attempt.objects.get(user=student_user, assignment=assignment)
    assert attempt.quiz != assignment.quiz  # a set of the student's own
    for n in range(1, ROUNDS + 1):
        expect(page.locator("#stage").get_by_text(f"Round {n} of {ROUNDS}")).to_be_visible()
        attempt.refresh_from_db()
        shown = attempt_next_round(attempt)
        if n == 1:
            _check(page, f"assigned practice round ({shown.item.kind})")
        _answer_right_by_keyboard(page, shown)
        if n < ROUNDS:
            _press_on(page, page.get_by_role("link", name="Next round").first)
    _press_on(page, page.get_by_role("link", name="See your summary").first)
    page.wait_for_url(re.compile(r"/attempts/\d+/summary/$"))
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.answers.count() == ROUNDS
    page.goto(f"{base}/play/")
    expect(page.get_by_role("row", name=re.compile("Adaptive practice"))).to_contain_text("done")

    # The teacher's report: rounds done of the goal's and the share right, per student.
    teacher.goto(f"{base}/teach/assignments/{assignment.pk}/report/")
    progress = teacher.get_by_role("row", name=re.compile("Sam"))
    expect(progress.first).to_contain_text(f"{ROUNDS} of {ROUNDS}")
    table = teacher.locator(".practice-progress")
    expect(table).to_contain_text("100 %")
    expect(teacher.locator("#by-item")).to_have_count(0)
    _check(teacher, "assigned practice report")
    _fits(teacher)
    teacher.goto(f"{base}/teach/assignments/{assignment.pk}/")
    expect(teacher.get_by_text("1 of 1 started, 1 finished.")).to_be_visible()
    _check(teacher, "assigned practice live view")


def _students(classroom, name: str, size: int, school) -> list[User]:
    made = []
    for number in range(size):
        student = User.objects.create_user(
            f"{name}-{number}", password="x", role="student", school=school
        )
        Enrollment.objects.create(classroom=classroom, student=student)
        made.append(student)
    return made


def test_booster_figures_for_the_teacher_and_the_educator(browser: Browser, demo_site):
    """The teacher downloads the class's boosters as CSV from the class page; the educator
    reads each class's share done on time under Insights → Boosters, a small class hidden."""
    base = demo_site.url
    school = School.objects.create(name="Riverside School", time_zone="Europe/London")
    teacher_user = User.objects.create_user(
        "msboost", password="look-again-8", role="teacher", school=school
    )
    educator = User.objects.create_user(
        "edboost", password="look-again-9", role="educator", school=school
    )
    school.educators.add(educator)
    big = account_services.classroom_create(teacher=teacher_user, name="7A")
    middle = account_services.classroom_create(teacher=teacher_user, name="7B")
    small = account_services.classroom_create(teacher=teacher_user, name="7C")
    now = timezone.now()
    for classroom, size in ((big, 6), (middle, 5), (small, 2)):
        for index, student in enumerate(_students(classroom, classroom.name, size, school)):
            # Each did their first booster on time; two of 7A's missed their second.
            BoosterPlan.objects.create(
                user=student,
                category="physics",
                source="lesson",
                started_at=now - timedelta(days=30),
                due_at=now - timedelta(days=5 if index in (0, 3) else -3),
                on_time=1,
            )

    teacher = browser.new_context(accept_downloads=True).new_page()
    sign_in(teacher, base, "msboost", "look-again-8")
    teacher.goto(f"{base}/classes/{big.pk}/")
    link = teacher.get_by_role("link", name="Boosters per student and category (CSV)")
    with teacher.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("class,student_username,")
    assert len(text.splitlines()) == 1 + 6

    page = browser.new_context().new_page()
    page.set_viewport_size(DESK)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("edboost")
    page.get_by_label("Password").fill("look-again-9")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/insights/schools/{school.pk}/")
    page.get_by_role("navigation", name="Insights for this school").get_by_role(
        "link", name="Boosters"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside School: boosters kept up")
    table = page.get_by_role("table", name="Boosters done on time, per class")
    # 7A: six students, 8 boosters due (two missed), 6 on time: 75 %.
    expect(table.get_by_role("row", name=re.compile("^7A"))).to_contain_text("75 %")
    # 7C has two students: hidden, and the smallest other class, 7B, with it (else the
    # school minus 7A and 7B would be 7C).
    expect(table.get_by_role("row", name=re.compile("^7C"))).to_contain_text("Hidden")
    expect(table.get_by_role("row", name=re.compile("^7B"))).to_contain_text("Hidden")
    expect(table.get_by_role("row", name=re.compile("^Riverside School"))).to_contain_text("13")
    _check(page, "insights boosters")
    _fits(page)
