"""A fold skips the (cell, student) look-ups it can infer from the student's own cells and
home (quiz.models.StatStudentHome): it must stay exact when students answer in a second
class, move school, practise freely, or have answers erased, and the homes must only ever
err towards "unknown"."""

from __future__ import annotations

import random

import pytest
from django.db import transaction

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Answer, StatStudentHome
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation, known_pairs
from quiz.stats.unfold import unfold
from tests import spot_answers, stats_reference
from tests.people import open_assignment
from tests.stats_reference import reference, student_counts

pytestmark = pytest.mark.django_db


def _assert_exact() -> None:
    expected_cells, expected_students = reference()
    assert stats_reference.stored_cells() == expected_cells
    assert stats_reference.stored_students() == expected_students
    assert stats_reference.stored_student_counts() == student_counts(expected_students)


def _homes() -> dict[int, tuple[int | None, int | None]]:
    return {
        home.student_id: (home.classroom_id, home.school_id)
        for home in StatStudentHome.objects.all()
    }


def _answer(attempt, items, rng: random.Random) -> None:
    for item in items:
        answer_submit(
            attempt=attempt,
            item=item,
            confidence=rng.randrange(50, 101),
            **spot_answers.random_kwargs(item, rng),
        )


@pytest.mark.parametrize("infer_from", [1, 10**9], ids=["inferred", "looked-up"])
def test_second_classes_moves_practice_and_erasure_stay_exact(
    demo_pack, teacher, monkeypatch, infer_from
):
    """Every batch here is small: folds infer pairs from the first answer (on PostgreSQL),
    or never; the homes are kept either way."""
    monkeypatch.setattr(known_pairs, "INFER_FROM", infer_from)
    rng = random.Random(29)
    north = School.objects.create(name="North school", time_zone="Europe/Berlin")
    south = School.objects.create(name="South school", time_zone="Europe/Berlin")
    classes = {
        name: Classroom.objects.create(school=school, name=name, grade="8")
        for name, school in (("A1", north), ("A2", north), ("B", south))
    }
    assignments = {}
    for name, classroom in classes.items():
        classroom.teachers.add(teacher)
        assignments[name] = open_assignment(teacher, demo_pack, classroom)
    stays, second_class, mover, practiser = (
        User.objects.create_user(username=f"h{i}", password="x", role="student", school=north)
        for i in range(4)
    )
    students = (stays, second_class, mover, practiser)
    items = list(demo_pack.items.select_related("clip", "other_clip"))
    first = {}
    for student in students:
        Enrollment.objects.create(classroom=classes["A1"], student=student)
        first[student] = attempt_start(user=student, quiz=demo_pack, assignment=assignments["A1"])
        _answer(first[student], items[:6], rng)
    aggregation.fold_all(batch_size=5)
    _assert_exact()
    a1, north_id = classes["A1"].pk, north.pk
    assert _homes() == {s.pk: (a1, north_id) for s in students}

    # The same rounds (so the same keys: positions, categories, clips) somewhere new: each
    # (cell, student) pair of the new class or school is new, though the student's own
    # cells already held those keys.
    Enrollment.objects.create(classroom=classes["A2"], student=second_class)
    elsewhere = attempt_start(user=second_class, quiz=demo_pack, assignment=assignments["A2"])
    _answer(elsewhere, items[:6], rng)
    mover.school = south
    mover.save()
    Enrollment.objects.create(classroom=classes["B"], student=mover)
    moved = attempt_start(user=mover, quiz=demo_pack, assignment=assignments["B"])
    _answer(moved, items[:6], rng)
    _answer(attempt_start(user=practiser, quiz=demo_pack), items[:6], rng)
    aggregation.fold_all(batch_size=4)
    _assert_exact()
    homes = _homes()
    assert homes[stays.pk] == (a1, north_id)
    assert homes[second_class.pk] == (None, north_id)
    assert homes[mover.pk] == (None, None)
    assert homes[practiser.pk] == (None, north_id)  # free practice: the school, no class

    # Back in the first class, with rounds new to everyone.
    for student in students:
        _answer(first[student], items[6:10], rng)
    aggregation.fold_all(batch_size=3)
    _assert_exact()

    # Erasure takes a student's home away; the next fold cannot trust what it sees of them
    # (their first class's answers remain), so it makes no home of the new class.
    with transaction.atomic():
        gone = Answer.objects.filter(attempt=elsewhere)
        unfold(gone)
        gone.delete()
    assert second_class.pk not in _homes()
    _assert_exact()
    again = attempt_start(user=second_class, quiz=demo_pack, assignment=assignments["A2"])
    _answer(again, items[:5], rng)
    aggregation.fold_all(batch_size=4)
    _assert_exact()
    assert _homes()[second_class.pk] == (None, None)  # not even the school

    # A student with no counted answer yet gets the home of their first batch.
    newcomer = User.objects.create_user(
        username="h-new", password="x", role="student", school=north
    )
    Enrollment.objects.create(classroom=classes["A1"], student=newcomer)
    _answer(
        attempt_start(user=newcomer, quiz=demo_pack, assignment=assignments["A1"]), items[:4], rng
    )
    aggregation.fold_all()
    assert _homes()[newcomer.pk] == (a1, north_id)
    _assert_exact()

    # A rebuild computes every home from the counted answers; the folds' homes were the
    # same or unknown, never another class or school.
    folded = _homes()
    aggregation.rebuild()
    rebuilt = _homes()
    assert rebuilt.keys() == folded.keys()
    for student, (classroom, school) in folded.items():
        assert classroom in (None, rebuilt[student][0])
        assert school in (None, rebuilt[student][1])
    assert rebuilt[second_class.pk] == (None, north_id)
    assert rebuilt[stays.pk] == (a1, north_id)
    _assert_exact()
