"""The educator's insight pages and a teacher's class statistics: figures equal the metrics
computed straight from the answers, small groups are suppressed in pages and exports alike,
filters narrow exactly, who may see what, and the overview's fixed cost."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Classroom, Enrollment, School, User
from quiz import categories
from quiz.models import Answer, Assignment, Clip, Quiz
from quiz.selectors.play import answer_counts_of, attempt_rounds
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation, drilldowns, insights
from quiz.stats.formatting import percent
from quiz.stats.metrics import (
    CONFIDENCE_BINS,
    Counts,
    confidence_bin,
    learning_gain,
    point_biserial,
    summarize,
    wilson_interval,
)
from tests import spot_answers
from tests.people import open_assignment
from tests.stats_reference import OVERVIEW_COLUMNS as COLUMNS

pytestmark = pytest.mark.django_db

SCHOOL_VIEWS = [
    "school_overview",
    "school_overview_csv",
    "school_overview_json",
    "categories",
    "generators",
    "calibration",
    "learning_curve",
    "gains",
    "items",
]


# --- A small world ------------------------------------------------------------------------------


@pytest.fixture
def school():
    return School.objects.create(name="Northfield", time_zone="Europe/Berlin")


@pytest.fixture
def other_school():
    return School.objects.create(name="Southbank", time_zone="Europe/London")


@pytest.fixture
def school_teacher(school):
    return User.objects.create_user("mrs-t", password="x", role="teacher", school=school)


@pytest.fixture
def educator(educator, school):
    school.educators.add(educator)
    return educator


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def educator_client(educator):
    return _client(educator)


def _classroom(
    school: School, teacher: User, name: str, *, students: int, grade: str = ""
) -> tuple[Classroom, list[User]]:
    classroom = Classroom.objects.create(school=school, name=name, grade=grade)
    classroom.teachers.add(teacher)
    slug = re.sub(r"\W", "", name).lower()
    people = [
        User.objects.create_user(
            f"{slug}-{n}",
            password="x",
            role="student",
            school=school,
            first_name=f"Pupil{slug}{n}",
        )
        for n in range(students)
    ]
    Enrollment.objects.bulk_create([Enrollment(classroom=classroom, student=p) for p in people])
    return classroom, people


def _assign(classroom: Classroom, quiz: Quiz, teacher: User, **values) -> Assignment:
    return open_assignment(teacher, quiz, classroom, **values)


def _play(
    student: User,
    quiz: Quiz,
    rng: random.Random,
    *,
    assignment: Assignment | None = None,
    skill: float = 0.65,
    rounds: int | None = None,
    day: date | None = None,
) -> None:
    """One attempt, each round right with probability `skill`, optionally dated `day`
    (before it is folded: the day is a fact frozen on the answer)."""
    attempt = attempt_start(user=student, quiz=quiz, assignment=assignment)
    # In the attempt's own order, on the sides it shows.
    shown_rounds = attempt_rounds(attempt)
    if rounds is not None:
        # A few rounds whose answers enter the figures (a spot round's enter the spot rate
        # only, so a student who met only spot rounds would count nowhere here).
        shown_rounds = [r for r in shown_rounds if not r.item.is_spot][:rounds]
    for shown in shown_rounds:
        item = shown.item
        if item.is_spot:
            # Spot rounds enter the spot rate only; the figures checked here leave them out.
            answer_submit(
                attempt=attempt,
                item=item,
                confidence=rng.randrange(50, 101),
                **spot_answers.submit_kwargs(item, right=rng.random() < skill),
            )
            continue
        right = shown.correct_option()
        guess = right if rng.random() < skill else next(o for o in item.options() if o != right)
        answer_submit(attempt=attempt, item=item, guess=guess, confidence=rng.randrange(50, 101))
    if day is not None:
        Answer.objects.filter(attempt=attempt).update(day=day)


def _answers(**filters) -> list[Answer]:
    """The answers the figures of these pages count: spot rounds' enter the spot rate only
    (METRICS.md), so they are left out here."""
    return list(
        Answer.objects.filter(**filters)
        .exclude(item_kind="spot")
        .select_related("item__clip", "item__other_clip")
    )


def _reference(answers: list[Answer]):
    """Figures computed straight from answers, independently of the stat tables."""
    total = sum((answer_counts_of(a) for a in answers), Counts())
    return summarize(total), len({a.user_id for a in answers})


def _assert_row_equals(row: dict, answers: list[Answer]) -> None:
    summary, students = _reference(answers)
    assert row["suppressed"] is False
    assert row["students"] == students
    assert row["answers"] == summary.n
    expected = {
        "accuracy": summary.accuracy,
        "accuracy_low": summary.accuracy_interval[0],
        "accuracy_high": summary.accuracy_interval[1],
        "hit_rate": summary.hit_rate,
        "false_alarm_rate": summary.false_alarm_rate,
        "d_prime": summary.d_prime,
        "criterion": summary.criterion,
        "brier": summary.brier,
        "mean_confidence": summary.mean_confidence,
        "overconfidence": summary.overconfidence,
    }
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, abs=1e-6), name


def _json(client: Client, school: School, query: str = "") -> dict:
    response = client.get(reverse("insights:school_overview_json", args=[school.pk]) + query)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _csv(client: Client, school: School, query: str = "") -> list[list[str]]:
    response = client.get(reverse("insights:school_overview_csv", args=[school.pk]) + query)
    assert response.status_code == 200, response.content
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _row(rows: list[dict], scope: str, name: str | None = None) -> dict:
    found = [r for r in rows if r["scope"] == scope and (name is None or r["scope_name"] == name)]
    assert len(found) == 1, (scope, name, rows)
    return found[0]


def _html_row(html: str, name: str) -> str:
    """The table row whose header cell starts with `name`."""
    match = re.search(r"<tr[^>]*>\s*<th scope=\"row\">" + re.escape(name) + r".*?</tr>", html, re.S)
    assert match, name
    return match.group(0)


@pytest.fixture
def assigned(school, school_teacher):
    """A class of grade 7 with one student and an assignment of a quiz, nothing played:
    enough for the filters' choices and for who-may-see-what."""
    classroom, _people = _classroom(school, school_teacher, "7A", students=1, grade="7")
    quiz = Quiz.objects.create(title="Week 1", slug="week-1", created_by=school_teacher)
    return _assign(classroom, quiz, school_teacher)


@pytest.fixture
def cohort(demo_pack, school, school_teacher):
    """Two classes (7A: 6 students, 8B: 5 students), one assignment each, and free
    practice by five students of the school (fewer would hide the school's row: it minus the
    classes is the free practice); one generated clip relabelled to a second generator
    first, so the generator figures have two rows."""
    single = demo_pack.items.filter(kind="single", clip__is_generated=True).order_by("position")
    Clip.objects.filter(pk=single.first().clip_id).update(generator="Veo 3")
    rng = random.Random(11)
    class_a, students_a = _classroom(school, school_teacher, "7A", students=6, grade="7")
    class_b, students_b = _classroom(school, school_teacher, "8B", students=5, grade="8")
    assignment_a = _assign(class_a, demo_pack, school_teacher)
    assignment_b = _assign(class_b, demo_pack, school_teacher)
    for n, student in enumerate(students_a):
        _play(student, demo_pack, rng, assignment=assignment_a, skill=0.45 + 0.08 * n)
    for n, student in enumerate(students_b):
        _play(student, demo_pack, rng, assignment=assignment_b, skill=0.5 + 0.07 * n)
    for student in students_a[:5]:
        _play(student, demo_pack, rng, skill=0.7)  # free practice: the school, no class
    aggregation.fold_all()
    return {
        "classes": (class_a, class_b),
        "students": (students_a, students_b),
        "assignments": (assignment_a, assignment_b),
    }


# --- The overview: figures, suppression, exports ------------------------------------------------


def test_overview_figures_equal_the_metrics_of_the_answers(
    educator_client, school, cohort, demo_pack
):
    class_a, class_b = cohort["classes"]
    body = _json(educator_client, school)
    rows = body["rows"]
    assert [r["scope"] for r in rows] == ["class", "class", "school", "all"]
    _assert_row_equals(_row(rows, "class", "7A"), _answers(classroom=class_a))
    _assert_row_equals(_row(rows, "class", "8B"), _answers(classroom=class_b))
    # The school includes free practice; the class rows do not.
    school_answers = _answers(school=school)
    assert len(school_answers) > len(_answers(classroom__school=school))
    _assert_row_equals(_row(rows, "school"), school_answers)
    # Everyone is this school alone: everyone minus the school is nobody, and showing it would
    # let fewer than five students elsewhere be worked out. It is hidden until five answer
    # outside the schools the educator oversees.
    assert _row(rows, "all")["suppressed"] is True
    outside = School.objects.create(name="Elsewhere")
    for n in range(5):
        stranger = User.objects.create_user(
            f"out-{n}", password="x", role="student", school=outside
        )
        _play(stranger, demo_pack, random.Random(n), rounds=2)
    aggregation.fold_all()
    _assert_row_equals(_row(_json(educator_client, school)["rows"], "all"), _answers())

    html = educator_client.get(reverse("insights:school_overview", args=[school.pk])).content
    html = html.decode()
    summary, students = _reference(_answers(classroom=class_a))
    row = _html_row(html, "7A")
    assert f"<td>{students}</td>" in row and f"<td>{summary.n}</td>" in row
    assert percent(summary.accuracy) in row
    assert "Everyone (all schools)" in html

    # Read from the stat tables only, never from the answers.
    with CaptureQueriesContext(connection) as queries:
        educator_client.get(reverse("insights:school_overview", args=[school.pk]))
    answers = Answer._meta.db_table
    assert not [q["sql"] for q in queries.captured_queries if answers in q["sql"]]


def test_overview_exports_have_the_documented_columns_in_order(educator_client, school, cohort):
    table = _csv(educator_client, school)
    assert table[0] == COLUMNS
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in table[1:]]
    assert [r["scope"] for r in rows] == ["class", "class", "school", "all"]
    # Everyone is hidden (nobody outside this school): empty cells, "true".
    everyone = rows.pop()
    assert everyone["suppressed"] == "true" and everyone["students"] == everyone["accuracy"] == ""
    body = _json(educator_client, school)
    for row, expected in zip(rows, body["rows"][:-1], strict=True):
        assert row["suppressed"] == "false"
        assert int(row["students"]) == expected["students"]
        for name in COLUMNS[4:-1]:
            # Plain decimals, never exponents.
            assert re.fullmatch(r"-?\d+\.\d{6}", row[name]), (name, row[name])
            assert float(row[name]) == pytest.approx(expected[name], abs=1e-6)
    response = educator_client.get(reverse("insights:school_overview_csv", args=[school.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="northfield-overview.csv"' in response["Content-Disposition"]

    # The JSON: the same rows as objects, with the school, the filters and the rule.
    body = _json(educator_client, school, "?grade=7")
    assert body["school"] == {"id": school.pk, "name": "Northfield"}
    assert body["filters"] == {
        "date_from": None,
        "date_to": None,
        "grade": "7",
        "quiz": None,
        "assignment": None,
    }
    assert body["min_group"] == 5
    assert body["columns"] == COLUMNS
    for row in body["rows"]:
        assert list(row) == COLUMNS
        assert isinstance(row["suppressed"], bool)
        assert isinstance(row["students"], int) and isinstance(row["accuracy"], float)


HIDDEN = "Hidden: fewer than 5 students, or it would let someone work out a small group"


def test_a_class_of_four_is_hidden_with_the_smallest_other_class_and_six_are_shown(
    educator_client, school, school_teacher, demo_pack, settings
):
    rng = random.Random(3)
    small, small_students = _classroom(school, school_teacher, "Small 4", students=4)
    full, full_students = _classroom(school, school_teacher, "Full 5", students=5)
    large, large_students = _classroom(school, school_teacher, "Large 6", students=6)
    for classroom, people in (
        (small, small_students),
        (full, full_students),
        (large, large_students),
    ):
        assignment = _assign(classroom, demo_pack, school_teacher)
        for student in people:
            _play(student, demo_pack, rng, assignment=assignment, rounds=6)
    aggregation.fold_all()
    assert settings.STATS_MIN_GROUP == 5

    rows = _json(educator_client, school)["rows"]
    hidden = _row(rows, "class", "Small 4")
    assert hidden["suppressed"] is True
    assert all(hidden[name] is None for name in COLUMNS[2:-1])
    # Five students would show, but the school minus the shown classes would then be the
    # class of four: the smallest other class is hidden with it.
    assert _row(rows, "class", "Full 5")["suppressed"] is True
    _assert_row_equals(_row(rows, "class", "Large 6"), _answers(classroom=large))
    _assert_row_equals(_row(rows, "school"), _answers(school=school))

    table = {r[1]: dict(zip(COLUMNS, r, strict=True)) for r in _csv(educator_client, school)[1:]}
    for name in ("Small 4", "Full 5"):
        assert table[name]["suppressed"] == "true"
        assert all(table[name][column] == "" for column in COLUMNS[2:-1])
    assert table["Large 6"]["suppressed"] == "false"

    html = educator_client.get(reverse("insights:school_overview", args=[school.pk]))
    html = html.content.decode()
    for name in ("Small 4", "Full 5"):
        row = _html_row(html, name)
        assert HIDDEN in row
        assert "%" not in row  # not one figure of the hidden class
    assert "Hidden" not in _html_row(html, "Large 6")
    assert "would let someone work out the figures of fewer than 5 students" in html

    settings.STATS_MIN_GROUP = 4
    rows = _json(educator_client, school)["rows"]
    _assert_row_equals(_row(rows, "class", "Small 4"), _answers(classroom=small))
    _assert_row_equals(_row(rows, "class", "Full 5"), _answers(classroom=full))


def test_the_school_and_everyone_rows_are_suppressed_by_the_same_rule(
    educator_client, school, school_teacher, demo_pack
):
    classroom, people = _classroom(school, school_teacher, "Tiny", students=3)
    assignment = _assign(classroom, demo_pack, school_teacher)
    for student in people:
        _play(student, demo_pack, random.Random(1), assignment=assignment, rounds=3)
    aggregation.fold_all()
    rows = _json(educator_client, school)["rows"]
    assert [r["suppressed"] for r in rows] == [True, True, True]
    html = educator_client.get(reverse("insights:school_overview", args=[school.pk])).content
    assert html.decode().count(HIDDEN) == 3


def test_educators_never_see_individual_students(educator_client, school, cohort):
    pages = [
        educator_client.get(reverse(f"insights:{name}", args=[school.pk])).content.decode()
        for name in SCHOOL_VIEWS
    ]
    for students in cohort["students"]:
        for student in students:
            for page in pages:
                assert student.username not in page
                assert student.first_name not in page


# --- Filters ------------------------------------------------------------------------------------


def test_a_date_range_is_applied_in_whole_weeks(educator_client, school, school_teacher, demo_pack):
    rng = random.Random(5)
    classroom, people = _classroom(school, school_teacher, "9C", students=6)
    assignment = _assign(classroom, demo_pack, school_teacher)
    # A Tuesday and the Thursday of the week after.
    early, late = date(2026, 3, 3), date(2026, 3, 12)
    for n, student in enumerate(people):
        _play(student, demo_pack, rng, assignment=assignment, day=early if n < 3 else late)
    aggregation.fold_all()

    def rows(query: str) -> list[dict]:
        return _json(educator_client, school, query)["rows"]

    both = rows("?date_from=2026-03-03&date_to=2026-03-12")
    _assert_row_equals(_row(both, "class", "9C"), _answers(classroom=classroom))
    _assert_row_equals(_row(both, "school"), _answers(school=school))
    # Everyone is shown without filters only.
    assert [r["scope"] for r in both] == ["class", "school"]

    # One Wednesday is its whole week, Monday to Sunday, and the JSON says so.
    wednesday = _json(educator_client, school, "?date_from=2026-03-04&date_to=2026-03-04")
    assert wednesday["filters"]["date_from"] == "2026-03-02"
    assert wednesday["filters"]["date_to"] == "2026-03-08"
    # Three students that week: hidden, the school likewise.
    assert _row(wednesday["rows"], "class", "9C")["suppressed"] is True
    assert _row(wednesday["rows"], "school")["suppressed"] is True
    html = educator_client.get(
        reverse("insights:school_overview", args=[school.pk]) + "?date_from=2026-03-04"
    ).content.decode()
    assert "from 2026-03-02" in html and "(whole weeks)" in html

    # With a group of three allowed, each week equals its answers exactly.
    with override_settings(STATS_MIN_GROUP=3):
        early_rows = rows("?date_to=2026-03-04")  # the Tuesday before is in the week
        _assert_row_equals(_row(early_rows, "class", "9C"), _answers(day=early))
        late_rows = rows("?date_from=2026-03-10")  # the Monday of the late week
        _assert_row_equals(_row(late_rows, "class", "9C"), _answers(day=late))
        none = rows("?date_from=2026-03-16")
        assert _row(none, "class", "9C")["answers"] is None  # nobody after the late week
        assert _row(none, "class", "9C")["suppressed"] is True


def test_the_grade_filter_sums_the_chosen_classes_and_counts_students_once(
    educator_client, school, school_teacher, demo_pack
):
    rng = random.Random(8)
    seventh_a, people_a = _classroom(school, school_teacher, "7A", students=3, grade="7")
    seventh_b, people_b = _classroom(school, school_teacher, "7B", students=3, grade="7")
    eighth, people_c = _classroom(school, school_teacher, "8A", students=5, grade="8")
    # A student in both grade-7 classes counts once in their union.
    Enrollment.objects.create(classroom=seventh_b, student=people_a[0])
    for classroom, people in (
        (seventh_a, people_a),
        (seventh_b, [*people_b, people_a[0]]),
        (eighth, people_c),
    ):
        assignment = _assign(classroom, demo_pack, school_teacher)
        for student in people:
            _play(student, demo_pack, rng, assignment=assignment, rounds=6)
    aggregation.fold_all()

    body = _json(educator_client, school, "?grade=7")
    rows = body["rows"]
    assert [r["scope_name"] for r in rows] == ["7A", "7B", "Northfield"]  # no everyone row
    together = _row(rows, "school")
    grade_seven = _answers(classroom__grade="7")
    assert len({a.user_id for a in grade_seven}) == 6  # 3 + 3 + 1 shared, counted once
    _assert_row_equals(together, grade_seven)
    html = educator_client.get(
        reverse("insights:school_overview", args=[school.pk]) + "?grade=7"
    ).content.decode()
    assert "Northfield: the selected classes together" in html
    assert "Everyone (all schools)" not in html
    assert ">8A<" not in html


def test_quiz_and_assignment_filters_count_only_their_answers(
    educator_client, school, school_teacher, demo_pack, demo_build_dir
):
    practice = Quiz.objects.get(slug="demo-practice")
    rng = random.Random(9)
    classroom, people = _classroom(school, school_teacher, "10D", students=5)
    first = _assign(classroom, demo_pack, school_teacher)
    second = _assign(classroom, practice, school_teacher)
    for student in people:
        _play(student, demo_pack, rng, assignment=first, rounds=5, day=date(2026, 4, 1))
        _play(student, practice, rng, assignment=second, rounds=7, day=date(2026, 4, 8))
    aggregation.fold_all()

    rows = _json(educator_client, school, f"?quiz={practice.pk}")["rows"]
    _assert_row_equals(_row(rows, "class", "10D"), _answers(assignment=second))
    _assert_row_equals(_row(rows, "school"), _answers(assignment=second))
    rows = _json(educator_client, school, f"?assignment={first.pk}")["rows"]
    _assert_row_equals(_row(rows, "class", "10D"), _answers(assignment=first))
    # Assignment and dates together read the day_asg cells.
    rows = _json(
        educator_client, school, f"?assignment={first.pk}&date_from=2026-03-01&date_to=2026-04-30"
    )["rows"]
    _assert_row_equals(_row(rows, "class", "10D"), _answers(assignment=first))
    # Whole weeks: from Thursday 2 April is from Monday 30 March, which holds 1 April.
    rows = _json(educator_client, school, f"?quiz={demo_pack.pk}&date_from=2026-04-02")["rows"]
    _assert_row_equals(_row(rows, "class", "10D"), _answers(assignment=first))
    rows = _json(educator_client, school, f"?quiz={demo_pack.pk}&date_from=2026-04-06")["rows"]
    assert _row(rows, "class", "10D")["suppressed"] is True  # the demo quiz was on 1 April
    for dates in ("date_from=2026-04-08", "date_to=2026-04-08"):  # both ends are included
        rows = _json(educator_client, school, f"?quiz={practice.pk}&{dates}")["rows"]
        _assert_row_equals(_row(rows, "class", "10D"), _answers(assignment=second))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=2026-02-30", "Enter a date, for example 2026-09-30."),
        ("?date_from=yesterday", "Enter a date, for example 2026-09-30."),
        ("?date_to=" + "9" * 5000, "Enter a date, for example 2026-09-30."),
        (
            "?date_from=2026-05-02&date_to=2026-05-01",
            "The end date must not be before the start date.",
        ),
        ("?grade=" + "x" * 5000, "Select a valid choice."),
        ("?quiz=abc", "Select a valid choice."),
        ("?quiz=999999999999999999999999", "Select a valid choice."),
        ("?assignment=-1", "Select a valid choice."),
    ],
)
def test_bad_filters_give_a_message_never_a_500(educator_client, school, assigned, query, message):
    response = educator_client.get(reverse("insights:school_overview", args=[school.pk]) + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Some filters are not valid" in response.content.decode()
    for name in ("school_overview_csv", "school_overview_json"):
        response = educator_client.get(reverse(f"insights:{name}", args=[school.pk]) + query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_filters_refuse_another_schools_quiz_and_a_mismatched_assignment(
    educator_client, school, other_school, assigned, school_teacher
):
    outsider = User.objects.create_user("t-south", password="x", role="teacher")
    foreign_class, _people = _classroom(other_school, outsider, "S1", students=1)
    # Public, so both schools' teachers may assign it.
    other_quiz = Quiz.objects.create(title="Week 2", slug="week-2", is_public=True)
    foreign = _assign(foreign_class, other_quiz, outsider)
    url = reverse("insights:school_overview", args=[school.pk])
    for query in (f"?quiz={other_quiz.pk}", f"?assignment={foreign.pk}"):
        response = educator_client.get(url + query)
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    second = _assign(assigned.classroom, other_quiz, school_teacher)
    response = educator_client.get(url + f"?quiz={other_quiz.pk}&assignment={assigned.pk}")
    assert response.status_code == 400
    assert "This assignment is not of the chosen quiz." in response.content.decode()
    both = f"?quiz={other_quiz.pk}&assignment={second.pk}"
    assert educator_client.get(url + both).status_code == 200


def test_the_filter_form_offers_the_schools_grades_quizzes_and_assignments(
    educator_client, school, other_school, assigned
):
    outsider = User.objects.create_user("t-south", password="x", role="teacher")
    foreign_class, _people = _classroom(other_school, outsider, "S1", students=1, grade="12")
    other_quiz = Quiz.objects.create(title="Other", slug="o", created_by=outsider)
    foreign = _assign(foreign_class, other_quiz, outsider)
    html = educator_client.get(reverse("insights:school_overview", args=[school.pk])).content
    html = html.decode()
    assert '<option value="7">7</option>' in html
    assert f'<option value="{assigned.pk}">Week 1 for 7A, opened' in html
    assert f'<option value="{assigned.quiz_id}">Week 1</option>' in html
    assert '<option value="12">' not in html
    # Each list on its own: an assignment's id may equal a quiz's.
    quizzes = re.search(r'<select name="quiz".*?</select>', html, re.S).group(0)
    assignments = re.search(r'<select name="assignment".*?</select>', html, re.S).group(0)
    assert f'<option value="{foreign.pk}">' not in assignments
    assert f'<option value="{foreign.quiz_id}">' not in quizzes


def test_an_htmx_request_gets_only_the_filtered_region(educator_client, school, assigned):
    response = educator_client.get(
        reverse("insights:school_overview", args=[school.pk]) + "?grade=7",
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="overview-results"' in html
    # The status outside the swapped region is updated out of band, for screen readers.
    assert '<p id="overview-status" class="status" role="status" hx-swap-oob="true">' in html
    assert "Showing 1 class" in html
    assert "?grade=7" in html  # the export links carry the filter
    assert "HX-Request" in response["Vary"]  # caches keep the fragment and the page apart


def test_back_to_a_filtered_overview_gets_the_whole_page(educator_client, school, assigned):
    # Back after htmx's history cache ran out: htmx asks again (HX-History-Restore-Request)
    # and puts the answer in place of the whole page, so a fragment would lose the layout.
    url = reverse("insights:school_overview", args=[school.pk]) + "?grade=7"
    response = educator_client.get(
        url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="overview-results"' in html
    assert "Showing 1 class" in html
    assert html.count('id="overview-status"') == 1  # no out-of-band copy in a whole page
    assert "HX-Request" in response["Vary"]
    plain = educator_client.get(url)
    assert "<html" in plain.content.decode() and "HX-Request" in plain["Vary"]


def test_an_htmx_request_with_bad_filters_gets_the_region_with_the_errors(
    educator_client, school, assigned
):
    response = educator_client.get(
        reverse("insights:school_overview", args=[school.pk]) + "?date_from=soon",
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in html and "Enter a date, for example 2026-09-30." in html
    assert "HX-Request" in response["Vary"]


# --- The overview's cost: a fixed number of queries ---------------------------------------------


@pytest.fixture
def one_class_and_five(educator, school, other_school, school_teacher, demo_pack):
    """Northfield with one class, Southbank with five, each with a pre- and post-test
    played by two students; the educator oversees both."""
    rng = random.Random(4)
    for target, classes in ((school, 1), (other_school, 5)):
        for n in range(classes):
            classroom, people = _classroom(
                target, school_teacher, f"{target.name} {n}", students=2, grade="7"
            )
            for role in ("pre", "post"):
                assignment = _assign(classroom, demo_pack, school_teacher, unit_role=role, unit="U")
                for student in people:
                    _play(student, demo_pack, rng, assignment=assignment, rounds=3)
    other_school.educators.add(educator)
    aggregation.fold_all()
    return _client(educator)


def _query_counts(client: Client, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(queries))
    return counts


def test_every_page_costs_the_same_for_one_class_and_five(
    one_class_and_five, school, other_school, demo_pack
):
    for query in (
        "",
        "?grade=7",
        "?date_from=2026-01-01&date_to=2026-12-31",
        f"?quiz={demo_pack.pk}&date_to=2030-01-01",
    ):
        urls = [
            reverse("insights:school_overview", args=[target.pk]) + query
            for target in (school, other_school)
        ]
        counts = _query_counts(one_class_and_five, urls)
        assert counts[0] == counts[1], query
        assert counts[0] <= 14, query
    for name in SCHOOL_VIEWS[1:]:
        urls = [reverse(f"insights:{name}", args=[t.pk]) for t in (school, other_school)]
        counts = _query_counts(one_class_and_five, urls)
        assert counts[0] == counts[1], name


# --- Who may see what ---------------------------------------------------------------------------


def test_the_refusal_sends_students_to_their_teacher_and_teachers_to_the_school(
    school, teacher, student
):
    url = reverse("insights:school_overview", args=[school.pk])
    to_student = _client(student).get(url).content.decode()
    to_teacher = _client(teacher).get(url).content.decode()
    assert "ask your teacher or your school" in to_student.replace("&#x27;", "'")
    assert "ask your school's administrator" in to_teacher.replace("&#x27;", "'")
    assert "ask your teacher" not in to_teacher


@pytest.mark.parametrize("name", SCHOOL_VIEWS)
def test_each_school_view_is_for_its_educators_only(
    name, school, other_school, educator, teacher, student, school_teacher, assigned
):
    url = reverse(f"insights:{name}", args=[school.pk])
    assert _client(educator).get(url).status_code == 200
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert _client(student).get(url).status_code == 403
    assert _client(teacher).get(url).status_code == 403
    assert _client(school_teacher).get(url).status_code == 403  # even the school's own
    foreign = reverse(f"insights:{name}", args=[other_school.pk])
    assert _client(educator).get(foreign).status_code == 404
    missing = reverse(f"insights:{name}", args=[987654])
    assert _client(educator).get(missing).status_code == 404
    assert _client(educator).post(url).status_code == 405
    staff = User.objects.create_user("admin", password="x", role="teacher", is_staff=True)
    assert _client(staff).get(foreign).status_code == 200


def test_an_educators_own_school_counts_without_being_listed(other_school):
    own = User.objects.create_user("edu-own", password="x", role="educator", school=other_school)
    url = reverse("insights:school_overview", args=[other_school.pk])
    assert _client(own).get(url).status_code == 200


def test_the_index_lists_my_schools_or_goes_straight_to_the_only_one(
    educator, school, other_school, student, teacher
):
    url = reverse("insights:index")
    response = _client(educator).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:school_overview", args=[school.pk])
    other_school.educators.add(educator)
    html = _client(educator).get(url).content.decode()
    assert "Northfield" in html and "Southbank" in html
    assert _client(student).get(url).status_code == 403
    assert _client(teacher).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert _client(educator).post(url).status_code == 405
    nobody = User.objects.create_user("edu-none", password="x", role="educator")
    assert "You oversee no school yet" in _client(nobody).get(url).content.decode()


def test_the_nav_links_insights_for_educators_only(educator, student, teacher):
    link = reverse("insights:index")
    assert link in _client(educator).get(reverse("quiz:quiz_list")).content.decode()
    assert link not in _client(student).get(reverse("quiz:quiz_list")).content.decode()
    assert link not in _client(teacher).get(reverse("quiz:quiz_list")).content.decode()


# --- Drill-downs --------------------------------------------------------------------------------


def _is_single_generated(answer: Answer) -> bool:
    return answer.item_kind == "single" and answer.item.clip.is_generated


def test_the_heatmap_equals_detection_rates_from_the_answers(educator_client, school, cohort):
    """Single rounds only: a tell over generated clips carrying it, a decoy over real ones;
    the last row is the classes together (free practice is not in it)."""
    heatmap = drilldowns.category_heatmap(school)
    groups = [*cohort["classes"], None]
    assert [row.label for row in heatmap.tell_rows] == ["7A", "8B", "Northfield"]
    checked = 0
    for row, group in zip(heatmap.tell_rows, groups, strict=True):
        answers = _answers(**({"classroom": group} if group else {"classroom__school": school}))
        for category, cell in zip(heatmap.tells, row.cells, strict=True):
            bit = 1 << categories.BITS[category.code]
            trials = [a for a in answers if a.categories & bit and _is_single_generated(a)]
            if not trials:
                assert cell.empty
                continue
            assert not cell.suppressed
            assert cell.figures.students == len({a.user_id for a in trials})
            assert cell.trials == len(trials)
            hits = sum(a.guess == "generated" for a in trials)
            assert cell.rate == pytest.approx(hits / len(trials))
            checked += 1
    assert checked >= 6
    for row, group in zip(heatmap.decoy_rows, groups, strict=True):
        answers = _answers(**({"classroom": group} if group else {"classroom__school": school}))
        for category, cell in zip(heatmap.decoys, row.cells, strict=True):
            bit = 1 << categories.BITS[category.code]
            real = [
                a
                for a in answers
                if a.categories & bit and a.item_kind == "single" and not a.item.clip.is_generated
            ]
            if real:
                alarms = sum(a.guess == "generated" for a in real)
                assert cell.rate == pytest.approx(alarms / len(real))
            else:
                assert cell.empty
    html = educator_client.get(reverse("insights:categories", args=[school.pk])).content.decode()
    # Two charts (each drawn twice: for wide screens and for phones) and two tables, and the
    # table of spot rates when spot rounds were played.
    spot_tables = 1 if drilldowns.spot_rows(school) else 0
    assert html.count('class="chart chart-wide"') == 2
    assert html.count("<table") == 2 + spot_tables
    cell = next(c for c in heatmap.tell_rows[0].cells if c.rate is not None)
    assert (
        f'<span class="value">{percent(cell.rate)}</span> <span class="interval">({cell.trials})</span>'
        in html
    )


def test_heatmap_cells_of_small_classes_are_suppressed(
    educator_client, school, school_teacher, demo_pack
):
    small, people = _classroom(school, school_teacher, "Small", students=4)
    assignment = _assign(small, demo_pack, school_teacher)
    for student in people:
        _play(student, demo_pack, random.Random(2), assignment=assignment)
    aggregation.fold_all()
    heatmap = drilldowns.category_heatmap(school)
    for row in heatmap.tell_rows:
        for cell in row.cells:
            assert cell.empty or (cell.suppressed and cell.rate is None)
    html = educator_client.get(reverse("insights:categories", args=[school.pk])).content.decode()
    assert "hidden" in html and "fewer than 5 students" in html
    assert not re.search(r"\d+ % <span class=\"interval\">", html)
    # In the charts a hidden cell is hatched and starred: the word is wider than a cell
    # ("ausgeblendet" ran into its neighbours); the caption says what the star means.
    charts_html = html.split('<div class="chart-scroll">')[1].split("</div>")[0]
    assert 'class="heat-cell heat-suppressed"' in charts_html
    assert ">*</text>" in charts_html and ">hidden<" not in charts_html
    assert "Hatched cells (*) are hidden: too few students." in html


def test_fool_rate_per_generator_equals_the_answers(educator_client, school, cohort):
    rows = drilldowns.generator_rows(school)
    answers = [a for a in _answers(school=school) if _is_single_generated(a)]
    by_generator: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_generator[answer.generator].append(answer)
    assert {r.generator for r in rows} == set(by_generator) == {"Veo 3", "Second Look synthesizer"}
    assert "camera" not in {r.generator for r in rows}  # real footage only: no fool rate
    for row in rows:
        group = by_generator[row.generator]
        misses = sum(a.guess == "real" for a in group)
        assert row.generated_answers == len(group)
        assert row.fool_rate == pytest.approx(misses / len(group))
        assert row.interval == pytest.approx(wilson_interval(misses, len(group)))
    html = educator_client.get(reverse("insights:generators", args=[school.pk])).content.decode()
    assert "Veo 3" in html and 'role="img"' in html and "<table" in html


def test_calibration_bins_equal_the_answers(educator_client, school, cohort):
    points = drilldowns.calibration_points(school)
    answers = _answers(school=school)
    assert [(p.low, p.high) for p in points] == list(CONFIDENCE_BINS)
    by_bin = {p.low: [a for a in answers if confidence_bin(a.confidence) == p.low] for p in points}
    students = {low: len({a.user_id for a in group}) for low, group in by_bin.items()}
    small = {low for low, group in by_bin.items() if group and students[low] < 5}
    if small:  # and the smallest other bin with them: the bins add up to the school's row
        small.add(min((n, low) for low, n in students.items() if n >= 5)[1])
    for point in points:
        group = by_bin[point.low]
        assert point.figures.counts.n == len(group)
        assert point.figures.suppressed == (point.low in small or not group)
        if point.figures.suppressed:
            assert point.accuracy is None
            continue
        assert point.mean_confidence == pytest.approx(
            sum(a.confidence for a in group) / 100 / len(group)
        )
        assert point.accuracy == pytest.approx(sum(a.is_correct for a in group) / len(group))
    html = educator_client.get(reverse("insights:calibration", args=[school.pk])).content.decode()
    assert "chart-diagonal" in html and "<table" in html


def test_the_learning_curve_equals_accuracy_by_position(educator_client, school, cohort):
    points = drilldowns.learning_curve(school)
    answers = _answers(school=school)
    assert [p.position for p in points] == sorted({a.position for a in answers})
    for point in points:
        group = [a for a in answers if a.position == point.position]
        right = sum(a.is_correct for a in group)
        assert point.accuracy == pytest.approx(right / len(group))
        assert point.interval == pytest.approx(wilson_interval(right, len(group)))
    html = educator_client.get(
        reverse("insights:learning_curve", args=[school.pk])
    ).content.decode()
    assert "chart-whisker" in html and "<table" in html


def _accuracy_by_student(assignments: list[Assignment]) -> dict[int, float]:
    right: dict[int, list[bool]] = defaultdict(list)
    for answer in Answer.objects.filter(assignment__in=assignments).exclude(item_kind="spot"):
        right[answer.user_id].append(answer.is_correct)
    return {s: sum(r) / len(r) for s, r in right.items()}


def test_learning_gain_pairs_students_who_took_both_tests(
    educator_client, school, school_teacher, demo_pack, settings
):
    rng = random.Random(6)
    classroom, people = _classroom(school, school_teacher, "Unit class", students=7)
    pre = _assign(classroom, demo_pack, school_teacher, unit_role="pre", unit="Deepfakes")
    post = _assign(classroom, demo_pack, school_teacher, unit_role="post", unit="deepfakes ")
    unrelated = _assign(classroom, demo_pack, school_teacher, unit_role="post", unit="Other")
    for n, student in enumerate(people):
        _play(student, demo_pack, rng, assignment=pre, skill=0.4 + 0.03 * n)
        if n < 6:  # one student missed the post-test (for now)
            _play(student, demo_pack, rng, assignment=post, skill=0.6 + 0.04 * n)
    _play(people[0], demo_pack, rng, assignment=unrelated, skill=0.2)
    aggregation.fold_all()

    rows = drilldowns.learning_gains(school)
    assert [(r.label, r.unit, r.is_school) for r in rows] == [
        ("Unit class", "Deepfakes", False),
        ("Northfield", "Deepfakes", True),
    ]
    # Six took both, one only the pre-test: the pre-test's row of the overview (all seven)
    # against the six paired would give away that one student's pre-test. Hidden.
    assert all(r.paired == 6 and r.suppressed and r.gain is None for r in rows)
    html = educator_client.get(reverse("insights:gains", args=[school.pk])).content.decode()
    assert HIDDEN in html and "took only one of the two" in html and " pp" not in html

    _play(people[6], demo_pack, rng, assignment=post, skill=0.7)
    aggregation.fold_all()
    rows = drilldowns.learning_gains(school)
    before, after = _accuracy_by_student([pre]), _accuracy_by_student([post])
    expected = learning_gain([(before[s], after[s]) for s in sorted(after)])
    for row in rows:
        assert row.paired == 7 and not row.suppressed
        assert row.gain.gain == pytest.approx(expected.gain)
        assert row.gain.gain_interval == pytest.approx(expected.gain_interval)
        assert row.gain.normalised == pytest.approx(expected.normalised)
    html = educator_client.get(reverse("insights:gains", args=[school.pk])).content.decode()
    assert "Deepfakes" in html and 'role="img"' in html

    settings.STATS_MIN_GROUP = 8
    rows = drilldowns.learning_gains(school)
    assert all(r.suppressed and r.gain is None for r in rows)
    html = educator_client.get(reverse("insights:gains", args=[school.pk])).content.decode()
    assert "Hidden: fewer than 8 students" in html and " pp" not in html


def _discrimination_reference(answers: list[Answer]) -> dict[int, float | None]:
    """Point-biserial per clip by metrics.point_biserial, from the answers in Python."""
    per_attempt: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        per_attempt[answer.attempt_id].append(answer)
    xs: dict[int, list[bool]] = defaultdict(list)
    ys: dict[int, list[float]] = defaultdict(list)
    for answer in answers:
        attempt = per_attempt[answer.attempt_id]
        if len(attempt) < 2:
            continue
        rest = (sum(a.is_correct for a in attempt) - answer.is_correct) / (len(attempt) - 1)
        for clip_id in filter(None, (answer.clip_id, answer.other_clip_id)):
            xs[clip_id].append(answer.is_correct)
            ys[clip_id].append(rest)
    return {clip: point_biserial(xs[clip], ys[clip]) for clip in xs}


def test_item_analysis_difficulty_and_discrimination_equal_the_answers(
    educator_client, school, cohort
):
    rows = drilldowns.item_rows(school)
    answers = _answers(school=school)
    expected = _discrimination_reference(answers)
    sums = drilldowns.item_discrimination_sums(school)
    assert set(sums) == set(expected)
    defined = 0
    for row in rows:
        mine = [a for a in answers if row.clip.pk in (a.clip_id, a.other_clip_id)]
        assert row.figures.counts.n == len(mine)
        assert row.difficulty == pytest.approx(sum(a.is_correct for a in mine) / len(mine))
        if expected[row.clip.pk] is None:
            assert row.discrimination is None
        else:
            assert row.discrimination == pytest.approx(expected[row.clip.pk], abs=1e-9)
            defined += 1
    assert defined >= 5
    assert [r.difficulty for r in rows] == sorted(r.difficulty for r in rows)  # hardest first
    html = educator_client.get(reverse("insights:items", args=[school.pk])).content.decode()
    assert html.count("<tr>") >= len(rows) and 'role="img"' in html


def test_item_rows_of_a_small_school_are_suppressed(
    educator_client, school, school_teacher, demo_pack
):
    classroom, people = _classroom(school, school_teacher, "Few", students=2)
    assignment = _assign(classroom, demo_pack, school_teacher)
    for student in people:
        _play(student, demo_pack, random.Random(7), assignment=assignment)
    aggregation.fold_all()
    rows = drilldowns.item_rows(school)
    assert rows and all(r.figures.suppressed and r.difficulty is None for r in rows)
    assert drilldowns.generator_rows(school)[0].fool_rate is None
    assert all(p.accuracy is None for p in drilldowns.learning_curve(school))
    for name in ("items", "generators", "learning_curve", "calibration"):
        html = educator_client.get(reverse(f"insights:{name}", args=[school.pk])).content
        assert HIDDEN.encode() in html
        assert not re.search(rb"<td>\d+ %", html)


# --- A teacher's own class -----------------------------------------------------------------------


def test_a_teacher_sees_their_class_and_each_student_in_full(
    school, school_teacher, demo_pack, teacher, student, educator
):
    classroom, people = _classroom(school, school_teacher, "Pair", students=2)
    assignment = _assign(classroom, demo_pack, school_teacher)
    rng = random.Random(12)
    _play(people[0], demo_pack, rng, assignment=assignment, skill=0.9)
    _play(people[1], demo_pack, rng, assignment=assignment, skill=0.3, rounds=6)
    _play(people[0], demo_pack, rng)  # free practice is not the class's
    aggregation.fold_all()

    stats = insights.class_statistics(classroom)
    assert not stats.overall.suppressed
    summary, students = _reference(_answers(classroom=classroom))
    assert stats.overall.students == students == 2
    assert stats.overall.summary.accuracy == pytest.approx(summary.accuracy)
    for row in stats.students:
        mine, _n = _reference(_answers(classroom=classroom, user=row.student))
        assert row.figures.summary.n == mine.n
        assert row.figures.summary.brier == pytest.approx(mine.brier)
        assert row.figures.summary.d_prime == pytest.approx(mine.d_prime)

    url = reverse("teach:class_stats", args=[classroom.pk])
    html = _client(school_teacher).get(url).content.decode()
    for person in people:
        assert person.display_name in html
    assert "Suppressed" not in html
    detail = _client(school_teacher).get(reverse("accounts:classroom_detail", args=[classroom.pk]))
    assert url in detail.content.decode()

    assert _client(teacher).get(url).status_code == 404  # another teacher's class
    assert _client(student).get(url).status_code == 403
    assert _client(educator).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert _client(school_teacher).post(url).status_code == 405


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_cohort_gives_the_demo_educator_figures(demo_pack, tmp_path):
    from django.core.management import call_command

    from accounts.services import DEMO_SCHOOL, demo_accounts_ensure

    demo_accounts_ensure(secrets_file=tmp_path / "demo.json")
    out = io.StringIO()
    call_command("build_demo_cohort", stdout=out)
    assert "3 simulated classes" in out.getvalue()
    school = School.objects.get(name=DEMO_SCHOOL)
    simulated = Classroom.objects.filter(school=school, name__startswith="Simulated")
    assert simulated.count() == 3
    for classroom in simulated:
        people = list(classroom.students.all())
        assert len(people) >= 8
        assert all(p.display_name.startswith("Simulated") for p in people)
        assert not any(p.has_usable_password() for p in people)
    answers = Answer.objects.count()
    call_command("build_demo_cohort", stdout=io.StringIO())
    assert Answer.objects.count() == answers  # idempotent

    client = _client(User.objects.get(username="educator"))
    rows = _json(client, school)["rows"]
    for classroom in simulated:
        _assert_row_equals(_row(rows, "class", classroom.name), _answers(classroom=classroom))
    gains = drilldowns.learning_gains(school)
    assert len(gains) == 4 and all(not r.suppressed for r in gains)
    assert (
        Assignment.objects.filter(classroom__in=simulated, due_at__lt=timezone.now()).count() == 6
    )
