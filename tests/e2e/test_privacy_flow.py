"""A teacher deletes a student for good through the confirm page, in Chromium."""

from __future__ import annotations

import random
import re
from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Answer, StatStudent
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from tests import stats_reference
from tests.e2e.conftest import sign_in
from tests.tiny_quiz import tiny_quiz

pytestmark = pytest.mark.e2e

AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _assert_accessible(page: Page, where: str) -> None:
    """axe-core's WCAG 2 A and AA rules, as tests/e2e/test_accessibility.py runs them."""
    page.evaluate(AXE)
    result = page.evaluate("options => axe.run(document, options)", RULES)
    found = [f"{v['id']}: {v['help']}" for v in result["violations"]]
    assert not found, f"{where}: {found}"


@pytest.fixture
def class_site(transactional_db, live_server):
    school = School.objects.create(name="Riverside School")
    teacher = User.objects.create_user(
        "msrivers", password="look-again-2", role="teacher", school=school
    )
    classroom = Classroom.objects.create(school=school, name="9A Media")
    classroom.teachers.add(teacher)
    quiz = tiny_quiz()
    rng = random.Random(3)
    for name in ("ada", "bob"):
        student = User.objects.create_user(name, password="x", role="student", school=school)
        Enrollment.objects.create(classroom=classroom, student=student)
        attempt = attempt_start(user=student, quiz=quiz)
        for item in quiz.items.all()[:3]:
            answer_submit(
                attempt=attempt, item=item, guess=rng.choice(item.options()), confidence=80
            )
    aggregation.fold_all()
    return live_server


def test_a_teacher_deletes_a_student_for_good(page: Page, class_site):
    base = class_site.url
    ada = User.objects.get(username="ada")
    sign_in(page, base, "msrivers", "look-again-2")
    page.get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="9A Media").click()
    page.get_by_role("link", name=re.compile(r"^Delete for good\W+ada$")).click()

    expect(page.get_by_role("heading", name="Delete ada for good")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("3 answers")
    expect(page.get_by_role("main")).to_contain_text("9A Media (Riverside School)")
    _assert_accessible(page, "the confirm page")
    page.get_by_label("Type the student's username to confirm").fill("bob")
    page.get_by_role("button", name="Delete ada for good").click()
    expect(page.get_by_role("alert")).to_contain_text("type ada exactly")
    _assert_accessible(page, "the confirm page with its error")
    assert User.objects.filter(pk=ada.pk).exists()

    page.get_by_label("Type the student's username to confirm").fill("ada")
    page.get_by_role("button", name="Delete ada for good").click()
    expect(page.locator(".messages")).to_contain_text("ada and everything stored about them")
    expect(page.get_by_role("heading", name="9A Media")).to_be_visible()
    roster = page.locator("table.roster")
    expect(roster).not_to_contain_text("ada")
    expect(roster).to_contain_text("bob")
    _assert_accessible(page, "the class page")
    assert not User.objects.filter(pk=ada.pk).exists()
    assert not Answer.objects.filter(user_id=ada.pk).exists()
    assert not StatStudent.objects.filter(student_id=ada.pk).exists()
    assert stats_reference.stored_cells() == stats_reference.reference()[0]


def test_the_privacy_page_is_linked_from_the_footer_and_accessible(page: Page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Privacy: what this site keeps").click()
    expect(page.get_by_role("heading", name="Your data on Second Look")).to_be_visible()
    _assert_accessible(page, "the privacy page")
