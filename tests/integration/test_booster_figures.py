"""Boosters in the teacher's export and the educators' insights (issue 14 §4): the class's
CSV per student and category (due, done on time, late, missed, open), and per class the
share of due boosters done on time with its counts, small groups hidden however the rows are
combined. Who may read what: another teacher's class is a 404, students get 403, an
educator sees only the schools they oversee and never a class of fewer than the minimum."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz.models import BoosterPlan
from quiz.selectors import practice as selectors
from tests import people

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return people.lakeside()


@pytest.fixture
def teacher(school):
    return people.school_teacher(school)


@pytest.fixture
def other_teacher(school):
    return people.school_teacher(school, "t2")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _class(teacher: User, name: str, size: int) -> tuple[object, list[User]]:
    classroom = account_services.classroom_create(teacher=teacher, name=name)
    students = []
    for number in range(size):
        student = User.objects.create_user(
            f"{name.lower()}-{number}",
            password="x",
            role="student",
            school=teacher.school,
            first_name=f"{name} {number:02d}",
        )
        Enrollment.objects.create(classroom=classroom, student=student)
        students.append(student)
    return classroom, students


def _plan(student: User, category: str = "physics", *, due_days_ago: float | None, **counts):
    now = timezone.now()
    due = None if due_days_ago is None else now - timedelta(days=due_days_ago)
    return BoosterPlan.objects.create(
        user=student,
        category=category,
        source="lesson",
        started_at=now - timedelta(days=40),
        due_at=due,
        **counts,
    )


def _rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- The teacher's CSV ------------------------------------------------------------------------


def test_the_class_csv_counts_boosters_per_student_and_category(teacher):
    classroom, (ann, ben, cay) = _class(teacher, "8A", 3)
    _plan(ann, "physics", due_days_ago=5, on_time=1, late=1)  # missed the current one
    _plan(ann, "text", due_days_ago=1, on_time=1)  # due yesterday: still open
    _plan(ben, "physics", due_days_ago=None, on_time=2, late=1)  # all three done
    _plan(ben, "anatomy", due_days_ago=-2)  # not due yet
    response = _client(teacher).get(
        reverse("practice:class_boosters_csv", args=[classroom.pk]) + "?csv=standard"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert list(rows[0]) == list(selectors.BOOSTER_COLUMNS)
    table = {
        (r["student_username"], r["category"]): (
            r["boosters_due"],
            r["done_on_time"],
            r["done_late"],
            r["missed"],
            r["open"],
        )
        for r in rows
    }
    assert table == {
        (ann.username, "physics"): ("3", "1", "1", "1", "0"),
        (ann.username, "text"): ("2", "1", "0", "0", "1"),
        (ben.username, "anatomy"): ("0", "0", "0", "0", "0"),
        (ben.username, "physics"): ("3", "2", "1", "0", "0"),
        (cay.username, ""): ("0", "0", "0", "0", "0"),
    }
    physics = next(r for r in rows if r["student_username"] == ann.username)
    assert physics["category_name"] == "Physics and solidity" and physics["next_due"]


def test_the_csv_link_is_on_the_class_page(teacher):
    classroom, _students = _class(teacher, "8A", 1)
    page = _client(teacher).get(reverse("accounts:classroom_detail", args=[classroom.pk]))
    assert reverse("practice:class_boosters_csv", args=[classroom.pk]) in page.content.decode()


def test_german_excel_gets_semicolons(teacher):
    classroom, (ann,) = _class(teacher, "8A", 1)
    _plan(ann, due_days_ago=5, on_time=1)
    response = _client(teacher).get(
        reverse("practice:class_boosters_csv", args=[classroom.pk]) + "?csv=excel-de"
    )
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("class;")


def test_another_teachers_class_is_a_404_and_students_get_403(teacher, other_teacher):
    classroom, (ann,) = _class(teacher, "8A", 1)
    url = reverse("practice:class_boosters_csv", args=[classroom.pk])
    assert _client(other_teacher).get(url).status_code == 404
    assert _client(ann).get(url).status_code == 403
    assert _client(teacher).post(url).status_code == 405
    assert Client().get(url).status_code == 302


# --- The educators' insights ------------------------------------------------------------------


@pytest.fixture
def educator(school):
    educator = User.objects.create_user("edu", password="x", role="educator", school=school)
    school.educators.add(educator)
    return educator


def _give(students: list[User], *, on_time: int, late: int, missed: int) -> None:
    """Spread the boosters over the students: each has one plan per outcome asked."""
    for student in students:
        if on_time or late:
            _plan(student, "physics", due_days_ago=-3, on_time=on_time, late=late)
        if missed:
            _plan(student, "text", due_days_ago=5)


def test_each_class_shows_the_share_done_on_time_with_counts(teacher, educator, settings):
    settings.STATS_MIN_GROUP = 5
    big, big_students = _class(teacher, "7A", 6)
    _other, other_students = _class(teacher, "7B", 5)
    _give(big_students, on_time=2, late=1, missed=1)
    _give(other_students, on_time=1, late=0, missed=0)
    rows = selectors.school_boosters(big.school, timezone.now(), minimum=5)
    by_name = {r.name: r for r in rows}
    a = by_name["7A"]
    assert not a.suppressed and a.students == 6
    assert (a.tally.due, a.tally.on_time, a.tally.late, a.tally.missed) == (24, 12, 6, 6)
    assert a.tally.on_time_share == 0.5
    low, high = a.tally.on_time_interval
    assert low < 0.5 < high
    school_row = rows[-1]
    assert school_row.is_school and school_row.students == 11
    assert school_row.tally.on_time == 12 + 5
    page = _client(educator).get(reverse("insights:boosters", args=[big.school.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "7A" in body and "50 %" in body and "Boosters done on time, per class" in body


def test_a_small_class_is_hidden_with_the_smallest_other(teacher, educator, settings):
    settings.STATS_MIN_GROUP = 5
    small, small_students = _class(teacher, "6C", 3)
    _middle, middle_students = _class(teacher, "6B", 5)
    _big, big_students = _class(teacher, "6A", 7)
    _give(small_students, on_time=1, late=0, missed=0)
    _give(middle_students, on_time=0, late=1, missed=0)
    _give(big_students, on_time=1, late=1, missed=0)
    rows = {r.name: r for r in selectors.school_boosters(small.school, timezone.now(), minimum=5)}
    assert rows["6C"].suppressed  # three students
    assert rows["6B"].suppressed  # else the school minus 6A and 6B would give 6C away
    assert not rows["6A"].suppressed
    assert not rows["Lakeside"].suppressed and rows["Lakeside"].students == 15
    body = (
        _client(educator).get(reverse("insights:boosters", args=[small.school.pk])).content.decode()
    )
    # 6C's and 6B's counts appear nowhere: only "hidden" in their rows.
    assert body.count("Hidden: fewer than 5 students") == 2


def test_a_school_of_too_few_students_shows_no_figure(teacher, educator, settings):
    settings.STATS_MIN_GROUP = 5
    classroom, students = _class(teacher, "5A", 4)
    _give(students, on_time=1, late=0, missed=1)
    rows = selectors.school_boosters(classroom.school, timezone.now(), minimum=5)
    assert all(r.suppressed for r in rows)
    body = (
        _client(educator)
        .get(reverse("insights:boosters", args=[classroom.school.pk]))
        .content.decode()
    )
    assert "Hidden: fewer than 5 students" in body
    assert "8 " not in body.split("boosters-table")[1].split("</table>")[0]  # the due count


def test_boosters_page_permissions(teacher, educator, school):
    other_school = School.objects.create(name="Hillside")
    url = reverse("insights:boosters", args=[school.pk])
    assert _client(educator).get(url).status_code == 200
    assert (
        _client(educator).get(reverse("insights:boosters", args=[other_school.pk])).status_code
        == 404
    )
    assert _client(teacher).get(url).status_code == 403
    student = User.objects.create_user("s", password="x", role="student", school=school)
    assert _client(student).get(url).status_code == 403
    assert _client(educator).post(url).status_code == 405
    nav = _client(educator).get(reverse("insights:school_overview", args=[school.pk]))
    assert url in nav.content.decode()
