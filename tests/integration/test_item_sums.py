"""The sums behind item discrimination kept by the fold (StatItemSums, issue #12 goal 4):
folded in any batches they equal the old SQL over the raw answers and the plain-Python
reference, a rebuild gives the same rows, taking answers out subtracts exactly what they
added, two folds re-summing the same attempts at once stay exact, and the items page reads a
fixed number of queries however many answers there are."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Answer, Attempt, Quiz, StatItemSums
from quiz.services import play as play_services
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation, drilldowns, item_sums
from quiz.stats.unfold import unfold
from tests import spot_answers, stats_reference
from tests.concurrency import WAIT, Background, waits_for
from tests.people import open_assignment
from tests.tiny_quiz import tiny_quiz

pytestmark = pytest.mark.django_db


def _school_class(name: str, students: int) -> tuple[School, Classroom, User, list[User]]:
    school = School.objects.create(name=f"{name} School")
    teacher = User.objects.create_user(
        username=f"{name}-t", password="x", role="teacher", school=school
    )
    classroom = Classroom.objects.create(school=school, name=f"{name} 7b")
    classroom.teachers.add(teacher)
    people = [
        User.objects.create_user(
            username=f"{name}-{n}", password="x", role="student", school=school
        )
        for n in range(students)
    ]
    for student in people:
        Enrollment.objects.create(classroom=classroom, student=student)
    return school, classroom, teacher, people


def _assign(classroom: Classroom, teacher: User, quiz: Quiz):
    return open_assignment(teacher, quiz, classroom)


def _answer_rounds(attempt: Attempt, items: list, rng: random.Random) -> None:
    for item in items:
        answer_submit(
            attempt=attempt,
            item=item,
            confidence=rng.randrange(50, 101),
            **spot_answers.random_kwargs(item, rng),
        )


def _assert_sums_exact() -> None:
    stored = stats_reference.stored_item_sums()
    assert stored == stats_reference.item_sums()
    assert all(row[0] > 0 for row in stored.values())  # no empty row, as a rebuild makes


def _assert_equal_to_the_old_sql(school: School) -> int:
    """The page's sums equal the old query over the school's raw answers; returns how many
    clips have a defined discrimination."""
    folded = drilldowns.item_discrimination_sums(school)
    old = stats_reference.item_discrimination_sums_from_answers(school)
    assert set(folded) == set(old)
    for clip_id, (n, sum_x, sum_y, sum_xy, sum_yy) in old.items():
        mine = folded[clip_id]
        assert (mine.n, mine.sum_x) == (n, sum_x)
        assert (mine.sum_y, mine.sum_xy, mine.sum_yy) == pytest.approx(
            (sum_y, sum_xy, sum_yy), rel=1e-12, abs=1e-9
        )
    return sum(1 for sums in folded.values() if sums.point_biserial() is not None)


def test_sums_folded_in_small_batches_equal_the_old_sql_and_a_rebuild(demo_pack):
    """Attempts answered across several folds (each fold re-sums the attempts of its
    answers), free practice beside an assignment, pair and spot rounds, an attempt left
    half done and a student who moves school half-way through an attempt."""
    rng = random.Random(5)
    school, classroom, teacher, people = _school_class("North", 7)
    other = School.objects.create(name="South School")
    assignment = _assign(classroom, teacher, demo_pack)
    items = list(demo_pack.items.select_related("clip", "other_clip").order_by("position"))
    assert {i.kind for i in items} >= {"single", "pair", "spot"}
    attempts = [
        attempt_start(user=student, quiz=demo_pack, assignment=assignment) for student in people
    ]
    orders = [rng.sample(items, len(items)) for _ in people]
    half = len(items) // 2
    for attempt, order in zip(attempts, orders, strict=True):
        _answer_rounds(attempt, order[:half], rng)
    aggregation.fold_all(batch_size=4)
    _assert_sums_exact()
    # The rest of each attempt (the last student stops early), folded in odd batches while
    # it comes in: every fold moves its attempts' observations to their new length.
    for n, (attempt, order) in enumerate(zip(attempts, orders, strict=True)):
        _answer_rounds(attempt, order[half : None if n < len(people) - 1 else half + 2], rng)
        if n % 2:
            aggregation.fold_pending(batch_size=5)
    # Free practice by three students; one moves school after three answers (each answer
    # keeps the school it was given: one attempt in two schools).
    for n, student in enumerate(people[:3]):
        practice = attempt_start(user=student, quiz=demo_pack)
        _answer_rounds(practice, items[:3], rng)
        aggregation.fold_pending(batch_size=2)
        if n == 0:
            User.objects.filter(pk=student.pk).update(school=other)
            practice.user.refresh_from_db()
        _answer_rounds(practice, items[3:8], rng)
    assert Answer.objects.filter(school=other).exists()
    assert Answer.objects.filter(stat_pending__isnull=False).exists()
    _assert_sums_exact()  # those folded so far
    aggregation.fold_all(batch_size=3)
    _assert_sums_exact()
    # Several rest lengths per clip: finished, half and stopped attempts.
    assert len({key[2] for key in stats_reference.stored_item_sums()}) >= 3
    assert _assert_equal_to_the_old_sql(school) >= 5
    _assert_equal_to_the_old_sql(other)
    folded = stats_reference.stored_item_sums()
    assert aggregation.rebuild() == Answer.objects.count()
    assert stats_reference.stored_item_sums() == folded


def test_taking_answers_out_subtracts_exactly_what_they_added(demo_pack):
    """Whole attempts (an erasure) and part of one: the attempts left are re-summed without
    the answers taken out; answers still queued were never counted."""
    rng = random.Random(8)
    _school, classroom, teacher, people = _school_class("East", 4)
    assignment = _assign(classroom, teacher, demo_pack)
    items = list(demo_pack.items.select_related("clip", "other_clip"))
    attempts = []
    for student in people:
        attempt = attempt_start(user=student, quiz=demo_pack, assignment=assignment)
        _answer_rounds(attempt, items[:6], rng)
        attempts.append(attempt)
    aggregation.fold_all(batch_size=5)
    for attempt in attempts[:2]:
        _answer_rounds(attempt, items[6:9], rng)  # queued, not counted yet
    before = stats_reference.stored_item_sums()

    # A student's every answer, some of them queued.
    with transaction.atomic():
        gone = Answer.objects.filter(attempt__user=people[0])
        unfold(gone)
        gone.delete()
    _assert_sums_exact()
    # Part of an attempt, every answer counted: its other answers are re-summed.
    with transaction.atomic():
        gone = Answer.objects.filter(attempt=attempts[2], item__in=items[:2])
        assert gone.count() == 2
        unfold(gone)
        gone.delete()
    _assert_sums_exact()
    assert stats_reference.stored_item_sums() != before
    aggregation.fold_all()
    _assert_sums_exact()
    folded = stats_reference.stored_item_sums()
    aggregation.rebuild()
    assert stats_reference.stored_item_sums() == folded


def _play_tiny(school: School, quiz: Quiz, students: int, prefix: str, seed: int) -> None:
    rng = random.Random(seed)
    items = list(quiz.items.select_related("clip", "other_clip"))
    for n in range(students):
        student = User.objects.create_user(
            username=f"{prefix}{n}", password="x", role="student", school=school
        )
        _answer_rounds(attempt_start(user=student, quiz=quiz), items, rng)


def test_the_items_page_reads_as_many_queries_with_ten_times_the_answers(educator):
    """The items drill-down reads the cells and the item sums, never the answers: the same
    queries whatever the volume (and no query over the answers table)."""
    school = School.objects.create(name="Westfield")
    school.educators.add(educator)
    quiz = tiny_quiz()
    client = Client()
    client.force_login(educator)
    url = reverse("insights:items", args=[school.pk])

    def page_queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    _play_tiny(school, quiz, 6, "few", seed=1)
    aggregation.fold_all()
    small = page_queries()
    assert StatItemSums.objects.filter(school_id=school.pk).exists()
    html = client.get(url).content.decode()
    assert html.count("<tr>") > quiz.items.count()

    _play_tiny(school, quiz, 60, "many", seed=2)
    aggregation.fold_all()
    assert Answer.objects.filter(school=school).count() >= 10 * 6 * quiz.items.count()
    large = page_queries()
    assert len(large) == len(small), (small, large)
    answers_table = connection.ops.quote_name(Answer._meta.db_table)
    assert not [q for q in large if answers_table in q or "quiz_answer " in q]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent folds need PostgreSQL (SKIP LOCKED)"
)
def test_two_folds_re_summing_the_same_attempts_at_once_stay_exact(monkeypatch):
    """Both folds claim answers of the same attempts and hold their claims together; they
    write one after the other, the second reading the first's answers as counted."""
    # Answers commit without queueing a fold: the test decides who folds and when.
    monkeypatch.setattr(play_services, "queue_stats_fold", lambda: None)
    quiz = tiny_quiz("tiny-concurrent")
    school = School.objects.create(name="Concurrent items")
    items = list(quiz.items.select_related("clip", "other_clip"))
    rng = random.Random(3)
    for n in range(4):
        student = User.objects.create_user(
            username=f"both{n}", password="x", role="student", school=school
        )
        attempt = attempt_start(user=student, quiz=quiz)
        _answer_rounds(attempt, items[:2], rng)
    aggregation.fold_all()  # every attempt has two answers counted already
    attempts = list(Attempt.objects.filter(user__school=school).order_by("pk"))
    for item in items[2:]:  # four more each, round by round: their ids interleave
        for attempt in attempts:
            _answer_rounds(attempt, [item], rng)
    pending = Answer.objects.filter(stat_pending__isnull=False).count()
    assert pending == 16
    real_claim = aggregation._claim
    claimed_together = threading.Barrier(2)

    def claim_then_meet(batch_size: int) -> int:
        claimed = real_claim(batch_size)
        claimed_together.wait(timeout=WAIT)
        return claimed

    def fold() -> int:
        try:
            return aggregation.fold_pending(batch_size=pending // 2)
        finally:
            connections.close_all()

    results: list[int] = []
    with monkeypatch.context() as patch:
        patch.setattr(aggregation, "_claim", claim_then_meet)
        threads = [
            threading.Thread(target=lambda: results.append(fold()), daemon=True) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
    assert sorted(results) == [pending // 2, pending // 2]
    # The claims are in id order: each fold took some answers of every attempt.
    assert not Answer.objects.filter(stat_pending__isnull=False).exists()
    _assert_sums_exact()
    folded = stats_reference.stored_item_sums()
    assert {key[2] for key in folded} == {len(items) - 1}
    aggregation.rebuild()
    assert stats_reference.stored_item_sums() == folded


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two transactions meeting need PostgreSQL"
)
def test_a_rebuild_during_an_erasure_waits_for_it_and_neither_deadlocks(monkeypatch):
    """The erasure has lowered the cells and re-summed the item sums and has not committed
    yet: the rebuild waits for it (it writes the cells first, then the item sums, as the
    erasure does), then counts what is left."""
    monkeypatch.setattr(play_services, "queue_stats_fold", lambda: None)
    quiz = tiny_quiz("tiny-erase")
    school = School.objects.create(name="Erase items")
    items = list(quiz.items.select_related("clip", "other_clip"))
    rng = random.Random(4)
    students = []
    for n in range(3):
        student = User.objects.create_user(
            username=f"erase{n}", password="x", role="student", school=school
        )
        _answer_rounds(attempt_start(user=student, quiz=quiz), items, rng)
        students.append(student)
    aggregation.fold_all()
    reached, go = threading.Event(), threading.Event()
    real = item_sums.unfold

    def unfold_then_pause(gone: str) -> None:
        real(gone)
        if threading.current_thread().name == "erase":
            reached.set()
            assert go.wait(WAIT), "the erasure was never let go"

    def erase() -> int:
        with transaction.atomic():
            gone = Answer.objects.filter(attempt__user=students[0])
            unfold(gone)
            return gone.delete()[1].get(Answer._meta.label, 0)

    monkeypatch.setattr(item_sums, "unfold", unfold_then_pause)
    try:
        erasing = Background("erase", erase)
        assert reached.wait(WAIT)
        rebuilding = Background("rebuild", aggregation.rebuild)
        deadline = time.monotonic() + WAIT
        while not waits_for(rebuilding.pid, erasing.pid):
            assert time.monotonic() < deadline, "the rebuild did not wait for the erasure"
            time.sleep(0.05)
        go.set()
        assert erasing.result() == len(items)
        assert rebuilding.result() == 2 * len(items)
    finally:
        go.set()
    _assert_sums_exact()
    assert {key[0] for key in stats_reference.stored_item_sums()} == {school.pk}
