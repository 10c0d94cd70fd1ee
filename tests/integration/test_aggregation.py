"""Aggregation is exact: incremental folding equals a rebuild from the answers table."""

from __future__ import annotations

import random
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Answer, StatCell, StatStudent
from quiz.selectors.play import attempt_round, attempt_rounds
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from quiz.stats.metrics import Counts
from tests import spot_answers, stats_reference
from tests.people import open_assignment
from tests.stats_reference import reference, student_counts

pytestmark = pytest.mark.django_db


def _play_randomly(quiz, users, rng: random.Random, *, rounds: int | None = None) -> None:
    items = list(quiz.items.select_related("clip", "other_clip"))
    for user in users:
        attempt = attempt_start(user=user, quiz=quiz)
        for item in items[: rounds or len(items)]:
            answer_submit(
                attempt=attempt,
                item=item,
                confidence=rng.randrange(50, 101),
                **spot_answers.random_kwargs(item, rng),
            )


def _students(n: int) -> list[User]:
    return [
        User.objects.create_user(username=f"s{i}", password="x", role="student") for i in range(n)
    ]


def test_incremental_folding_equals_a_rebuild(demo_pack, settings):
    rng = random.Random(7)
    users = _students(4)
    _play_randomly(demo_pack, users[:2], rng)
    # Fold in small uneven batches while more answers arrive.
    aggregation.fold_pending(batch_size=7)
    _play_randomly(demo_pack, users[2:], rng, rounds=5)
    while aggregation.fold_pending(batch_size=11):
        pass
    incremental = stats_reference.stored_cells()
    expected_cells, expected_students = reference()
    assert incremental == expected_cells
    assert stats_reference.stored_students() == expected_students
    assert stats_reference.stored_student_counts() == student_counts(expected_students)
    overall = incremental[("all", 0, "overall", "")]
    # Spot rounds count towards the spot counts only (METRICS.md).
    assert overall.n + overall.spot_n == Answer.objects.count()
    assert overall.spot_n == Answer.objects.filter(item_kind="spot").count() > 0
    assert call_command("rebuild_stats") is None
    assert stats_reference.stored_cells() == incremental
    assert stats_reference.stored_students() == expected_students
    assert stats_reference.stored_student_counts() == student_counts(expected_students)


def test_class_school_and_assignment_cells_equal_the_reference(demo_pack, teacher):
    """Answers made for assignments in two classes of two schools, and free practice: every
    scope, dimension and distinct-student row, incrementally and rebuilt."""
    rng = random.Random(17)
    users = _students(6)
    for n, name in enumerate(("North", "South")):
        school = School.objects.create(name=f"{name} school", time_zone="Pacific/Auckland")
        classroom = Classroom.objects.create(school=school, name=f"{name} class", grade="7")
        classroom.teachers.add(teacher)
        assignment = open_assignment(teacher, demo_pack, classroom)
        for user in users[n * 3 : n * 3 + 3]:
            user.school = school
            user.save()
            Enrollment.objects.create(classroom=classroom, student=user)
            attempt = attempt_start(user=user, quiz=demo_pack, assignment=assignment)
            for item in list(demo_pack.items.all())[: 6 + n]:
                answer_submit(
                    attempt=attempt,
                    item=item,
                    confidence=rng.randrange(50, 101),
                    **spot_answers.random_kwargs(item, rng),
                )
            aggregation.fold_pending(batch_size=5)
    _play_randomly(demo_pack, users[:2], rng, rounds=4)  # practice: school, no class
    aggregation.fold_all(batch_size=3)
    expected_cells, expected_students = reference()
    assert {key[0] for key in expected_cells} == {"user", "class", "school", "all", "assignment"}
    assert stats_reference.stored_cells() == expected_cells
    assert stats_reference.stored_students() == expected_students
    assert stats_reference.stored_student_counts() == student_counts(expected_students)
    aggregation.rebuild()
    assert stats_reference.stored_cells() == expected_cells
    assert stats_reference.stored_students() == expected_students
    assert stats_reference.stored_student_counts() == student_counts(expected_students)


def test_folding_the_same_answers_twice_counts_them_once(demo_pack):
    _play_randomly(demo_pack, _students(2), random.Random(3))
    assert aggregation.fold_all() == Answer.objects.count()
    first = stats_reference.stored_cells()
    assert aggregation.fold_all() == 0  # a second delivery of the task finds nothing to do
    from quiz.tasks import stats_fold

    stats_fold.apply()
    assert stats_reference.stored_cells() == first


def test_a_rolled_back_fold_leaves_no_trace(demo_pack, monkeypatch):
    _play_randomly(demo_pack, _students(1), random.Random(5))

    real_insert = aggregation._insert_students

    def insert_then_crash(select, **options):
        # The cells are written and the students too: the batch dies before it commits.
        real_insert(select, **options)
        raise RuntimeError("worker died mid-batch")

    monkeypatch.setattr(aggregation, "_insert_students", insert_then_crash)
    with pytest.raises(RuntimeError):
        aggregation.fold_pending()
    assert not StatCell.objects.exists()
    assert not StatStudent.objects.exists()
    assert not Answer.objects.filter(stat_pending__isnull=True).exists()
    monkeypatch.setattr(aggregation, "_insert_students", real_insert)
    aggregation.fold_all()
    assert stats_reference.stored_cells() == reference()[0]


def test_cells_hold_the_outcomes_of_each_answer(demo_pack, student):
    attempt = attempt_start(user=student, quiz=demo_pack)
    single = demo_pack.items.filter(kind="single").select_related("clip").first()
    pair = demo_pack.items.filter(kind="pair").first()
    answer_submit(attempt=attempt, item=single, guess="generated", confidence=90)
    right_side = attempt_round(attempt, pair).correct_option()  # on the sides it shows
    answer_submit(attempt=attempt, item=pair, guess=right_side, confidence=60)
    aggregation.fold_all()
    cells = stats_reference.stored_cells()
    mine = cells[("user", student.pk, "overall", "")]
    expected_single = (
        Counts(hits=1, correct=1) if single.clip.is_generated else Counts(false_alarms=1)
    )
    assert mine.hits == expected_single.hits
    assert mine.false_alarms == expected_single.false_alarms
    assert mine.pair_n == 1 and mine.pair_correct == 1
    assert mine.n == 2 and mine.confidence_sum == 150
    assert cells[("user", student.pk, "conf_bin", "90")].n == 1
    assert cells[("user", student.pk, "conf_bin", "60")].n == 1
    assert cells[("all", 0, "clip", str(single.clip_id))].n == 1
    assert ("user", student.pk, "clip", str(single.clip_id)) not in cells
    assert cells[("all", 0, "clip", str(pair.clip_id))].n == 1
    assert cells[("all", 0, "clip", str(pair.other_clip_id))].n == 1
    assert cells[("user", student.pk, "position", "1")].n == 1
    assert cells[("user", student.pk, "position", "2")].pair_n == 1
    assert cells[("user", student.pk, "item_kind", "pair")].n == 1
    assert cells[("user", student.pk, "generator", single.clip.generator)].n >= 1
    assert cells[("user", student.pk, "media", single.clip.media_kind)].n >= 1
    # Free practice belongs to no class; the student's school (if any) still counts it.
    assert not any(key[0] == "class" for key in cells)
    for artifact in single.clip.artifacts.all():
        assert cells[("user", student.pk, "category", artifact.category)].n >= 1


def test_progress_page_reads_the_aggregate_tables(student_client, student, demo_pack):
    attempt = attempt_start(user=student, quiz=demo_pack)
    plain = [shown for shown in attempt_rounds(attempt) if not shown.item.is_spot]
    for shown in plain[:4]:
        answer_submit(
            attempt=attempt, item=shown.item, guess=shown.correct_option(), confidence=100
        )
    # The test's transaction never commits, so the queued fold never runs: fold here.
    aggregation.fold_all()
    html = student_client.get(reverse("quiz:progress")).content.decode()
    assert "4 right of 4" in html
    StatCell.objects.all().delete()
    html = student_client.get(reverse("quiz:progress")).content.decode()
    assert "No answers counted yet" in html


# Generous: a real worker on a machine busy with other work (another test run, a build) can
# take long to get to a task; the waits end as soon as the work is there.
WAIT_SECONDS = 120


def _wait_until_folded(seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while (
        Answer.objects.filter(stat_pending__isnull=False).exists() and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert not Answer.objects.filter(stat_pending__isnull=False).exists()


@pytest.mark.integration
def test_a_real_worker_folds_answers_after_they_commit(celery_worker, demo_pack, student):
    rng = random.Random(11)
    users = [student, *_students(2)]
    _play_randomly(demo_pack, users, rng)
    # Each committed answer queued a fold; the worker runs them from Redis.
    _wait_until_folded()
    assert stats_reference.stored_cells() == reference()[0]


@pytest.mark.integration
def test_the_rebuild_task_runs_on_a_real_worker(celery_worker, demo_pack):
    from quiz.tasks import stats_rebuild

    _play_randomly(demo_pack, _students(2), random.Random(13), rounds=6)
    _wait_until_folded()
    StatCell.objects.all().delete()  # the cells are lost; the answers are the truth
    stats_rebuild.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while not StatCell.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stats_reference.stored_cells() == reference()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="compares PostgreSQL's two ways of grouping"
)
def test_grouping_sets_and_the_portable_union_agree(demo_pack):
    """PostgreSQL folds with GROUPING SETS; SQLite (the embedded default) with one GROUP BY
    per family. Both statements run here on the same answers and must give the same rows."""
    rng = random.Random(23)
    _play_randomly(demo_pack, _students(3), rng, rounds=9)
    table = connection.ops.quote_name(Answer._meta.db_table)

    def rows(sql: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    grouped = sorted(rows(aggregation.cells_sql(table)))
    assert grouped == sorted(rows(aggregation.cells_sql(table, portable=True)))
    assert len(grouped) > 100
    students = sorted(rows(aggregation.students_sql(table)))
    assert students == sorted(rows(aggregation.students_sql(table, portable=True)))
    assert len(students) == len(set(students))  # each student of a cell once
