"""The educator's insights in Chromium: sign in, open the school's overview, filter it by
grade, open every drill-down, download the CSV; the overview and a drill-down pass axe.
And a teacher opens their own class's statistics from the class page."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Quiz
from quiz.selectors.play import attempt_rounds
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from tests import spot_answers
from tests.e2e.conftest import pre_and_post_tests, sign_in
from tests.e2e.test_accessibility import _violations
from tests.stats_reference import OVERVIEW_COLUMNS as COLUMNS

pytestmark = pytest.mark.e2e


@pytest.fixture
def cohort_site(demo_site):
    """Riverside with classes 7A and 8B of five students each, who have played the demo
    quiz as a pre-test and a post-test of one unit; an educator who oversees the school."""
    school = School.objects.create(name="Riverside", time_zone="Europe/London")
    teacher = User.objects.create_user(
        "mrsriver", password="look-again-6", role="teacher", school=school
    )
    User.objects.create_user("eddie", password="look-again-5", role="educator", school=school)
    quiz = Quiz.objects.get(slug="demo")
    rng = random.Random(21)
    now = timezone.now()
    for name, grade in (("7A", "7"), ("8B", "8")):
        classroom = Classroom.objects.create(school=school, name=name, grade=grade)
        classroom.teachers.add(teacher)
        tests = pre_and_post_tests(teacher, quiz, classroom, now)
        for n in range(5):
            student = User.objects.create_user(
                f"{name.lower()}-pupil{n}", password="x", role="student", school=school
            )
            Enrollment.objects.create(classroom=classroom, student=student)
            for skill, assignment in zip((0.5, 0.75), tests, strict=True):
                attempt = attempt_start(user=student, quiz=quiz, assignment=assignment)
                for shown in attempt_rounds(attempt):  # its own order, on the sides it shows
                    is_right = rng.random() < skill
                    if shown.item.is_spot:  # a mark on its giveaway, or far from it
                        kwargs = spot_answers.submit_kwargs(shown.item, right=is_right)
                    else:
                        right = shown.correct_option()
                        wrong = next(o for o in shown.item.options() if o != right)
                        kwargs = {"guess": right if is_right else wrong}
                    answer_submit(
                        attempt=attempt,
                        item=shown.item,
                        confidence=rng.randrange(50, 101),
                        **kwargs,
                    )
    aggregation.fold_all()
    return demo_site


def _check_axe(page: Page, where: str) -> None:
    found = _violations(page)
    assert not found, f"{where}: " + "; ".join(found)


def test_educator_filters_the_overview_opens_each_drilldown_and_downloads_the_csv(
    page: Page, cohort_site, tmp_path: Path
):
    base = cohort_site.url
    sign_in(page, base, "eddie", "look-again-5")
    page.get_by_role("link", name="Insights").click()
    # One school: the index goes straight to its overview.
    expect(page.get_by_role("heading", name="Riverside: overview")).to_be_visible()
    table = page.get_by_role("table", name="Classes, the school and everyone")
    expect(table.get_by_role("rowheader", name="7A")).to_be_visible()
    expect(table.get_by_role("rowheader", name="8B")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Everyone (all schools)")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Accuracy by class"))).to_be_visible()
    _check_axe(page, "overview")

    page.get_by_label("Grade").select_option("7")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"grade=7"))
    # Screen readers hear the new result; keyboard focus stays on the button.
    expect(page.get_by_role("status")).to_have_text("Showing 1 class")
    expect(page.get_by_role("button", name="Apply filters")).to_be_focused()
    expect(
        table.get_by_role("rowheader", name="Riverside: the selected classes together")
    ).to_be_visible()
    expect(table.get_by_role("rowheader", name="8B")).to_have_count(0)
    expect(table.get_by_role("rowheader", name="Everyone (all schools)")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "overview.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == COLUMNS
    assert [(r[0], r[1], r[2], r[-1]) for r in rows[1:]] == [
        ("class", "7A", "5", "false"),
        ("school", "Riverside", "5", "false"),
    ]

    drilldowns = page.get_by_role("navigation", name="Insights for this school")
    for link, heading in (
        ("Categories", "Riverside: mastery by category"),
        ("Generators", "Riverside: fool rate per generator"),
        ("Calibration", "Riverside: calibration"),
        ("Learning curve", "Riverside: learning curve"),
        ("Learning gain", "Riverside: learning gain"),
        ("Items", "Riverside: item analysis"),
    ):
        drilldowns.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(drilldowns.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("img").first).to_be_visible()
        expect(page.get_by_role("table").first).to_be_visible()
        if link == "Categories":
            _check_axe(page, "categories")
        if link == "Learning gain":
            expect(page.get_by_role("rowheader", name="7A")).to_be_visible()
    drilldowns.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Riverside: overview")).to_be_visible()


def test_teacher_opens_their_class_statistics(page: Page, cohort_site):
    base = cohort_site.url
    sign_in(page, base, "mrsriver", "look-again-6")
    page.get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="7A").click()
    page.get_by_role("link", name="Statistics: the class and each student").click()
    expect(page.get_by_role("heading", name="7A: statistics")).to_be_visible()
    table = page.get_by_role("table", name="The class and each student")
    expect(table.get_by_role("rowheader", name="Whole class")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(1 + 1 + 5)  # head, class, five students
    _check_axe(page, "class statistics")
