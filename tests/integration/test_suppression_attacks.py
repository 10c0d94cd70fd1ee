"""Issue 11 §2: the subtraction attacks that recovered a small class, run again through the
educator's pages and exports with every filter, find nothing beyond the threshold.

The attacker collects every row the overview's JSON and CSV give under many filters (grade,
quiz, each assignment, single days, ranges of days, and these together), the category
heatmap and the school-wide drill-downs (generators, calibration, learning curve, items).
Each row shown is checked to be exactly the figures of the answers it claims (so the answer
sets below are right), and then no sum or difference of the rows shown, however weighted, is
the answers of a group of fewer than five students: a small class, a week of stragglers, the
students of another school, a single student, a small class's answers by category.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from datetime import date, timedelta
from itertools import combinations

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Classroom, Enrollment, School, User
from quiz import categories
from quiz.models import Answer, Assignment, Quiz
from quiz.selectors.play import answer_counts_of, attempt_rounds
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation, drilldowns
from quiz.stats.metrics import Counts, confidence_bin, summarize
from tests.people import open_assignment

pytestmark = pytest.mark.django_db

MIN = 5
HIDDEN = "Hidden: fewer than 5 students, or it would let someone work out a small group"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _classroom(school, teacher, name, count, grade="") -> tuple[Classroom, list[User]]:
    classroom = Classroom.objects.create(school=school, name=name, grade=grade)
    classroom.teachers.add(teacher)
    slug = re.sub(r"\W", "", name).lower()
    people = [
        User.objects.create_user(
            f"{slug}-{n}", password="x", role="student", school=school, first_name=f"P{slug}{n}"
        )
        for n in range(count)
    ]
    Enrollment.objects.bulk_create([Enrollment(classroom=classroom, student=p) for p in people])
    return classroom, people


def _assign(classroom: Classroom, quiz: Quiz, teacher: User) -> Assignment:
    return open_assignment(teacher, quiz, classroom)


def _play(student, quiz, rng, *, assignment=None, day: date, rounds=6, kinds=None) -> None:
    """One attempt on `day` (school-local), each round right or wrong at random; only the
    rounds of `kinds` ("single", "pair") when given."""
    attempt = attempt_start(user=student, quiz=quiz, assignment=assignment)
    # Spot rounds are left out: their answers enter no figure these attacks read (the spot
    # rate has its own test, tests/integration/test_spot.py).
    shown = [
        r
        for r in attempt_rounds(attempt)
        if r.item.kind != "spot" and (kinds is None or r.item.kind in kinds)
    ]
    for round_ in shown[:rounds]:
        guess = rng.choice(round_.item.options())
        answer_submit(
            attempt=attempt, item=round_.item, guess=guess, confidence=rng.randrange(50, 101)
        )
    Answer.objects.filter(attempt=attempt).update(day=day)


# --- The world of the attacks ------------------------------------------------------------------

MON = date(2026, 3, 2)


@pytest.fixture
def world(demo_pack):
    """Northfield: Big A (8 students, grade 7; a second assignment played by five of them the
    week after), Big B (6, grade 8; four play in week one, two stragglers in week two),
    Small (4, grade 7), and free practice by five of Big A. Southbank, which the educator does
    not oversee: three students' free practice."""
    school = School.objects.create(name="Northfield", time_zone="Europe/Berlin")
    outside = School.objects.create(name="Southbank", time_zone="Europe/London")
    teacher = User.objects.create_user("mr-t", password="x", role="teacher", school=school)
    educator = User.objects.create_user("edu-n", password="x", role="educator", school=school)
    rng = random.Random(2)
    big_a, people_a = _classroom(school, teacher, "Big A", 8, grade="7")
    big_b, people_b = _classroom(school, teacher, "Big B", 6, grade="8")
    small, people_s = _classroom(school, teacher, "Small", 4, grade="7")
    first_a, second_a = _assign(big_a, demo_pack, teacher), _assign(big_a, demo_pack, teacher)
    assignment_b, assignment_s = (
        _assign(big_b, demo_pack, teacher),
        _assign(small, demo_pack, teacher),
    )
    for student in people_a:
        _play(student, demo_pack, rng, assignment=first_a, day=MON)
    for student in people_a[:5]:
        _play(student, demo_pack, rng, assignment=second_a, day=MON + timedelta(days=10))
        _play(student, demo_pack, rng, day=MON + timedelta(days=3), rounds=3)  # practice
    for n, student in enumerate(people_b):
        day = MON + timedelta(days=1 if n < 4 else 8)
        _play(student, demo_pack, rng, assignment=assignment_b, day=day)
    for student in people_s:
        _play(student, demo_pack, rng, assignment=assignment_s, day=MON + timedelta(days=2))
    for n in range(3):
        stranger = User.objects.create_user(
            f"south-{n}", password="x", role="student", school=outside
        )
        _play(stranger, demo_pack, rng, day=MON + timedelta(days=2), rounds=4)
    aggregation.fold_all()
    return {
        "school": school,
        "outside": outside,
        "teacher": teacher,
        "educator": educator,
        "classes": {"Big A": big_a, "Big B": big_b, "Small": small},
        "assignments": [first_a, second_a, assignment_b, assignment_s],
        "quiz": demo_pack,
    }


# --- What each row shown is made of ------------------------------------------------------------


def _weeks(params: dict) -> tuple[date | None, date | None]:
    start = params.get("date_from")
    end = params.get("date_to")
    start = start - timedelta(days=start.weekday()) if start else None
    end = end + timedelta(days=6 - end.weekday()) if end else None
    return start, end


def _row_answers(world, params: dict, row: dict, answers: list[Answer]) -> list[Answer]:
    """The answers a row of the overview (under these filters) is made of."""
    start, end = _weeks(params)
    school = world["school"]

    def in_range(a: Answer) -> bool:
        return (start is None or a.day >= start) and (end is None or a.day <= end)

    chosen_assignments = None
    if "quiz" in params or "assignment" in params:
        chosen = Assignment.objects.filter(classroom__school=school)
        if "quiz" in params:
            chosen = chosen.filter(quiz_id=params["quiz"])
        if "assignment" in params:
            chosen = chosen.filter(pk=params["assignment"])
        chosen_assignments = set(chosen.values_list("pk", flat=True))

    def class_answers(classroom: Classroom) -> list[Answer]:
        return [
            a
            for a in answers
            if a.classroom_id == classroom.pk
            and in_range(a)
            and (chosen_assignments is None or a.assignment_id in chosen_assignments)
        ]

    if row["scope"] == "class":
        return class_answers(world["classes"][row["scope_name"]])
    if row["scope"] == "all":
        return [a for a in answers if in_range(a)]
    if "grade" in params or chosen_assignments is not None:
        found = []
        for classroom in world["classes"].values():
            if "grade" in params and classroom.grade != params["grade"]:
                continue
            found += class_answers(classroom)
        return found
    return [a for a in answers if a.school_id == school.pk and in_range(a)]


def _assert_equals(row: dict, group: list[Answer]) -> None:
    summary = summarize(sum((answer_counts_of(a) for a in group), Counts()))
    assert row["students"] == len({a.user_id for a in group}), row
    assert row["answers"] == summary.n, row
    for name in ("accuracy", "hit_rate", "false_alarm_rate", "d_prime", "criterion", "brier"):
        assert row[name] == pytest.approx(getattr(summary, name), abs=1e-6), (name, row)


def _queries(world) -> list[dict]:
    """The filters the attacker tries: none, each grade, the quiz, each assignment, each
    single day and every range of the days anyone played, and these together."""
    days = sorted(set(Answer.objects.values_list("day", flat=True)))
    dated = [{"date_from": d, "date_to": d} for d in days]
    dated += [{"date_from": a, "date_to": b} for a, b in combinations(days, 2)]
    dated += [{"date_from": d} for d in days] + [{"date_to": d} for d in days]
    by_class = [{"grade": "7"}, {"grade": "8"}, {"quiz": world["quiz"].pk}]
    by_class += [{"assignment": a.pk} for a in world["assignments"]]
    found = [{}, *by_class, *dated]
    found += [{**c, **d} for c in by_class for d in dated]
    return found


def _query_string(params: dict) -> str:
    text = "&".join(f"{k}={v.isoformat() if isinstance(v, date) else v}" for k, v in params.items())
    return "?" + text if text else ""


# --- The attacks ---------------------------------------------------------------------------------


def _vector(ids: dict[int, int], group) -> np.ndarray:
    row = np.zeros(len(ids))
    for answer in group:
        row[ids[answer.pk]] = 1
    return row


def _in_span(matrix: np.ndarray, rank: int, target: np.ndarray) -> bool:
    return np.linalg.matrix_rank(np.vstack([matrix, target])) == rank


def _drilldown_sets(world, answers: list[Answer]) -> list[list[Answer]]:
    """The answers behind every cell the drill-downs show (heatmap, generators, calibration,
    learning curve, items)."""
    school = world["school"]
    mine = [a for a in answers if a.school_id == school.pk]
    found: list[list[Answer]] = []
    heatmap = drilldowns.category_heatmap(school)
    groups = [c for c in world["classes"].values() if any(a.classroom_id == c.pk for a in mine)]
    for rows, codes, side in (
        (heatmap.tell_rows, heatmap.tells, True),
        (heatmap.decoy_rows, heatmap.decoys, False),
    ):
        for row in rows:
            if row.is_school:
                members = {c.pk for c in groups}
            else:
                members = {next(c.pk for c in groups if c.name == row.label)}
            for category, cell in zip(codes, row.cells, strict=True):
                if cell.empty or cell.suppressed:
                    continue
                bit = 1 << categories.BITS[category.code]
                found.append(
                    [
                        a
                        for a in mine
                        if a.classroom_id in members
                        and a.item_kind == "single"
                        and a.item.clip.is_generated == side
                        and a.categories & bit
                    ]
                )
    for row in drilldowns.generator_rows(school):
        if not row.figures.suppressed:
            found.append(
                [
                    a
                    for a in mine
                    if a.item_kind == "single"
                    and a.item.clip.is_generated
                    and a.generator == row.generator
                ]
            )
    for point in drilldowns.calibration_points(school):
        if not point.figures.suppressed and point.figures.counts.n:
            found.append([a for a in mine if confidence_bin(a.confidence) == point.low])
    for point in drilldowns.learning_curve(school):
        if not point.figures.suppressed:
            found.append([a for a in mine if a.position == point.position])
    for item in drilldowns.item_rows(school):
        if not item.figures.suppressed:
            found.append([a for a in mine if item.clip.pk in (a.clip_id, a.other_clip_id)])
    return found


def test_no_subtraction_across_pages_filters_and_exports_finds_a_small_group(world):
    school = world["school"]
    client = _client(world["educator"])
    answers = list(Answer.objects.select_related("item__clip").order_by("pk"))
    ids = {a.pk: i for i, a in enumerate(answers)}
    shown: list[np.ndarray] = []
    hidden_rows = 0
    for params in _queries(world):
        query = _query_string(params)
        url = reverse("insights:school_overview_json", args=[school.pk]) + query
        response = client.get(url)
        assert response.status_code == 200, (query, response.content[:300])
        for row in json.loads(response.content)["rows"]:
            group = _row_answers(world, params, row, answers)
            if row["suppressed"]:
                hidden_rows += 1
                assert row["students"] is None and row["accuracy"] is None
                continue
            _assert_equals(row, group)
            assert len({a.user_id for a in group}) >= MIN
            shown.append(_vector(ids, group))
    drilled = _drilldown_sets(world, answers)
    for group in drilled:
        assert len({a.user_id for a in group}) >= MIN
        shown.append(_vector(ids, group))
    assert hidden_rows and len(shown) > 50 and drilled

    matrix = np.array(shown)
    rank = np.linalg.matrix_rank(matrix)
    classes = world["classes"]
    small_ids = classes["Small"].pk
    targets = {
        # The attacks: the small class (school row minus the classes; the grade's
        # classes together minus the other class; its one day minus the other class) ...
        "the class of four": [a for a in answers if a.classroom_id == small_ids],
        # ... the stragglers and the first week of Big B ...
        "two stragglers": [
            a
            for a in answers
            if a.classroom_id == classes["Big B"].pk and a.day > MON + timedelta(days=6)
        ],
        "Big B's first week": [
            a
            for a in answers
            if a.classroom_id == classes["Big B"].pk and a.day < MON + timedelta(days=7)
        ],
        # ... everyone minus the overseen school ...
        "the other school": [a for a in answers if a.school_id == world["outside"].pk],
    }
    # ... every single student ...
    for student in {a.user_id for a in answers}:
        targets[f"student {student}"] = [a for a in answers if a.user_id == student]
    # ... and the small class's answers by category (the heatmap minus the classes).
    for code, bit in categories.BITS.items():
        for generated in (True, False):
            group = [
                a
                for a in answers
                if a.classroom_id == small_ids
                and a.item_kind == "single"
                and a.item.clip.is_generated == generated
                and a.categories & (1 << bit)
            ]
            if group:
                targets[f"Small, {code}, generated={generated}"] = group
    for name, group in targets.items():
        assert len({a.user_id for a in group}) < MIN, name
        assert not _in_span(matrix, rank, _vector(ids, group)), name

    # The figures an educator keeps: the big class and the school, in full.
    body = json.loads(
        client.get(reverse("insights:school_overview_json", args=[school.pk])).content
    )
    rows = {(r["scope"], r["scope_name"]): r for r in body["rows"]}
    assert rows[("class", "Small")]["suppressed"] is True
    assert rows[("class", "Big B")]["suppressed"] is True  # the smallest other class
    assert rows[("class", "Big A")]["suppressed"] is False
    assert rows[("school", "Northfield")]["suppressed"] is False
    assert rows[("all", "Everyone (all schools)")]["suppressed"] is True  # Southbank: three


def test_the_exports_and_the_page_hide_the_same_rows_and_say_why(world):
    school = world["school"]
    client = _client(world["educator"])
    for query in ("", "?grade=7", "?date_from=2026-03-04&date_to=2026-03-04"):
        body = json.loads(
            client.get(reverse("insights:school_overview_json", args=[school.pk]) + query).content
        )
        text = client.get(reverse("insights:school_overview_csv", args=[school.pk]) + query)
        table = list(csv.reader(io.StringIO(text.content.decode("utf-8")[1:])))
        assert [r[-1] for r in table[1:]] == [
            "true" if r["suppressed"] else "false" for r in body["rows"]
        ]
        html = client.get(reverse("insights:school_overview", args=[school.pk]) + query)
        html = html.content.decode()
        for row in body["rows"]:
            if row["suppressed"] and row["scope"] == "class":
                match = re.search(
                    r"<th scope=\"row\">" + re.escape(row["scope_name"]) + r".*?</tr>", html, re.S
                )
                assert HIDDEN in match.group(0) and "%" not in match.group(0)
        assert "by subtracting" in html
    # "The selected classes together" of grade 7 holds the small class but not Big B, hidden
    # with it: the total itself is hidden.
    body = json.loads(
        client.get(reverse("insights:school_overview_json", args=[school.pk]) + "?grade=7").content
    )
    assert [(r["scope_name"], r["suppressed"]) for r in body["rows"]] == [
        ("Big A", False),
        ("Small", True),
        ("Northfield", True),
    ]


def test_the_teacher_still_sees_the_small_class_in_full(world):
    small = world["classes"]["Small"]
    html = _client(world["teacher"]).get(reverse("teach:class_stats", args=[small.pk]))
    html = html.content.decode()
    for student in small.students.all():
        assert student.display_name in html
    assert "Hidden" not in html and "Suppressed" not in html


def test_drilldown_cells_count_only_the_students_whose_answers_entered_them(
    demo_pack, school_with_pair_players
):
    """Four students answered single rounds, six more only pair rounds of the same clips: a
    generator's fool rate and a category's detection rate come from the four, so they are
    hidden, on the page too."""
    school, educator = school_with_pair_players
    rows = drilldowns.generator_rows(school)
    assert rows and all(r.figures.suppressed and r.fool_rate is None for r in rows)
    assert all(r.figures.students <= 4 for r in rows)
    heatmap = drilldowns.category_heatmap(school)
    cells = [c for row in heatmap.tell_rows for c in row.cells if not c.empty]
    assert cells and all(c.suppressed and c.rate is None for c in cells)
    client = _client(educator)
    for name in ("generators", "categories"):
        html = client.get(reverse(f"insights:{name}", args=[school.pk])).content.decode()
        assert "hidden" in html.lower()
        assert not re.search(r"\d+ %\s*<span class=\"interval\">", html), name


@pytest.fixture
def school_with_pair_players(demo_pack):
    school = School.objects.create(name="Pairfield", time_zone="Europe/Berlin")
    teacher = User.objects.create_user("t-pair", password="x", role="teacher", school=school)
    educator = User.objects.create_user("e-pair", password="x", role="educator", school=school)
    classroom, people = _classroom(school, teacher, "Mixed", 10)
    assignment = _assign(classroom, demo_pack, teacher)
    rng = random.Random(4)
    for n, student in enumerate(people):
        kinds = None if n < 4 else ("pair",)
        _play(student, demo_pack, rng, assignment=assignment, day=MON, rounds=50, kinds=kinds)
    aggregation.fold_all()
    # The old count: every student of the class is in the generator's cell.
    assert Answer.objects.filter(item_kind="pair").values("user").distinct().count() == 10
    return school, educator


def test_the_migration_queues_every_answer_so_the_folds_add_the_new_cells(world):
    """Cells folded before migration 0013 lack the ones suppression reads: it empties the
    cell tables and queues every answer again, and the folds then equal the reference."""
    import importlib

    from django.db import connection

    from tests.stats_reference import reference, stored_cells, stored_students

    migration = importlib.import_module("quiz.migrations.0013_stat_cells_for_suppression")
    expected_cells, expected_students = reference()
    with connection.schema_editor() as editor:
        migration.queue_every_answer_again(None, editor)
    assert not stored_cells()
    assert aggregation.fold_all() == Answer.objects.count()
    assert stored_cells() == expected_cells
    assert stored_students() == expected_students
