"""Aggregation stays exact under faults (issue #5), against PostgreSQL with real workers.

Each test ends the same way: the cells and StatStudent rows folded incrementally equal the
plain-Python reference computed from the answers table, a rebuild gives the same again, and no
answer is left unfolded. The faults: concurrent answers folded by two worker processes, a
rebuild run between folds, one batch delivered twice, a worker process killed mid-batch, Redis
stopped while students play, and ids that commit out of order.

The worker and beat processes, and the private Redis, come from tests/workers.py.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.urls import reverse
from psycopg import sql

from accounts.models import Classroom, Enrollment, School, User
from quiz.background import enqueue
from quiz.models import Answer, Assignment, Attempt, Quiz, StatCell
from quiz.packs.demo import PRACTICE_QUIZ_SLUG
from quiz.services import play as play_services
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from tests import spot_answers, stats_reference, workers
from tests.concurrency import WAIT, Background, waits_for
from tests.people import open_assignment
from tests.stats_reference import reference

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks, SKIP LOCKED and worker processes sharing the test database need "
        "PostgreSQL (CI always runs it)",
    ),
]

# The beat's log when it could not send its due tasks (the safety-net fold among them): it
# could not reach the broker ("beat: Connection error: ... Trying again in 2.0 seconds"), or
# it could and publishing failed ("Message Error").
BEAT_SEND_FAILED = re.compile(r"beat: Connection error|Message Error")


# --- fixtures and helpers ---


@pytest.fixture
def live_app(transactional_db) -> Iterator[object]:
    """This process's Celery app publishing to the broker for real (not eagerly), with this
    run's queue emptied first. Depends on the database so that it (and every process started
    through it) is torn down before the database is flushed."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def start_process(live_app, tmp_path) -> Iterator[Callable[..., workers.CeleryProcess]]:
    """start_process("worker" | "beat", name, queues=…, env=…): a real Celery process on the
    test database and the app's current broker; all are stopped when the test ends."""
    with workers.celery_processes() as start:

        def start_with_defaults(
            kind: str, name: str, *, queues: list[str] | None = None, env: dict | None = None
        ) -> workers.CeleryProcess:
            return start(
                kind,
                name,
                broker_url=live_app.conf.broker_url,
                queue=",".join(queues or [live_app.conf.task_default_queue]),
                folder=tmp_path / "celery",
                env=env,
            )

        yield start_with_defaults


@pytest.fixture
def no_queued_folds(monkeypatch) -> list[int]:
    """Answers commit without queueing a fold, so the test decides who folds and when."""
    queued: list[int] = []
    monkeypatch.setattr(play_services, "queue_stats_fold", lambda: queued.append(1))
    return queued


def _new_students(n: int, prefix: str, *, school: School | None = None) -> list[User]:
    return [
        User.objects.create_user(
            username=f"{prefix}{i}", password="pw-" + prefix, role="student", school=school
        )
        for i in range(n)
    ]


def _class_with_assignment(quiz, name: str) -> tuple[School, Classroom, Assignment]:
    school = School.objects.create(name=f"{name} School")
    teacher = User.objects.create_user(
        username=f"{name}-teacher", password="x", role="teacher", school=school
    )
    classroom = Classroom.objects.create(school=school, name=f"{name} 7b")
    classroom.teachers.add(teacher)
    assignment = open_assignment(teacher, quiz, classroom)
    return school, classroom, assignment


def _enrol(classroom: Classroom, students: list[User]) -> None:
    for student in students:
        Enrollment.objects.create(classroom=classroom, student=student)


def _answer(attempt: Attempt, item, rng: random.Random) -> Answer:
    # A spot round of the demo quiz gets a mark anywhere: a spot hit or not (METRICS.md).
    result = answer_submit(
        attempt=attempt,
        item=item,
        confidence=rng.randrange(50, 101),
        **spot_answers.random_kwargs(item, rng),
    )
    assert result.created
    return result.answer


Session = tuple[int, int | None, int]  # quiz id, assignment id (or None), rounds to answer


def _play(
    user_id: int,
    sessions: list[Session],
    *,
    seed: int,
    start: threading.Barrier | None = None,
    midway: threading.Barrier | None = None,
) -> int:
    """One student answers random rounds, in a random order, of each session's attempt
    (waiting at `start` first and at `midway` halfway through); returns how many answers
    were stored."""
    user = User.objects.get(pk=user_id)
    rng = random.Random(seed)
    rounds = []
    for quiz_id, assignment_id, count in sessions:
        quiz = Quiz.objects.get(pk=quiz_id)
        assignment = Assignment.objects.get(pk=assignment_id) if assignment_id else None
        attempt = attempt_start(user=user, quiz=quiz, assignment=assignment)
        items = list(quiz.items.select_related("clip", "other_clip"))
        assert count <= len(items)
        rng.shuffle(items)
        rounds += [(attempt, item) for item in items[:count]]
    if start is not None:
        start.wait(timeout=WAIT)
    for n, (attempt, item) in enumerate(rounds):
        if midway is not None and n == len(rounds) // 2:
            midway.wait(timeout=WAIT)
        _answer(attempt, item, rng)
    return len(rounds)


def _practice_quiz() -> Quiz:
    return Quiz.objects.get(slug=PRACTICE_QUIZ_SLUG)


def _in_threads(functions: list[Callable[[], object]], *, timeout: float = WAIT) -> list[object]:
    """Run each function in its own thread (so on its own database connection, closed at
    the thread's end); returns their results, or raises the first error."""
    results: list[object] = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index: int, function: Callable[[], object]) -> None:
        try:
            results[index] = function()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, f), name=f"fault-{i}", daemon=True)
        for i, f in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a thread is still running (stuck on a lock?)"
    if errors:
        raise errors[0]
    return results


def _unfolded() -> QuerySet[Answer]:
    """Answers still waiting in the fold's queue (with a StatPending row)."""
    return Answer.objects.filter(stat_pending__isnull=False)


def _folded() -> QuerySet[Answer]:
    return Answer.objects.filter(stat_pending__isnull=True)


def _wait_until_folded(*, timeout: float = WAIT) -> None:
    workers.wait_for(
        lambda: not _unfolded().exists(),
        timeout=timeout,
        interval=0.2,
        what="every answer to be folded",
    )


def _differences(stored: dict, expected: dict) -> list[str]:
    keys = sorted(set(stored) | set(expected), key=repr)
    return [
        f"{key}: stored {stored.get(key)} expected {expected.get(key)}"
        for key in keys
        if stored.get(key) != expected.get(key)
    ][:10]


def _assert_matches(expected_cells: dict, expected_students: set) -> None:
    cells = stats_reference.stored_cells()
    assert cells == expected_cells, _differences(cells, expected_cells)
    students = stats_reference.stored_students()
    assert students == expected_students, sorted(students ^ expected_students)[:10]
    # The sums behind item discrimination: those of the answers the cells hold (not queued).
    item_sums = stats_reference.stored_item_sums()
    expected_item_sums = stats_reference.item_sums()
    assert item_sums == expected_item_sums, _differences(item_sums, expected_item_sums)


def _assert_exact() -> None:
    """Incremental equals the reference, equals a rebuild; nothing is left unfolded."""
    assert not _unfolded().exists()
    expected_cells, expected_students = reference()
    overall = expected_cells[("all", 0, "overall", "")]
    # A spot round's answer counts towards the spot counts only (METRICS.md).
    assert overall.n + overall.spot_n == Answer.objects.count()
    _assert_matches(expected_cells, expected_students)
    assert aggregation.rebuild() == Answer.objects.count()
    _assert_matches(expected_cells, expected_students)
    assert not _unfolded().exists()


def _reference_of_folded() -> tuple[dict, set]:
    """The reference computed from the folded answers only (those no longer queued)."""
    real = stats_reference.Answer
    stats_reference.Answer = SimpleNamespace(objects=_folded())
    try:
        return stats_reference.reference()
    finally:
        stats_reference.Answer = real


def _folded_by(worker: workers.CeleryProcess, task_id: str | None = None) -> list[int]:
    return [n for tid, n in worker.folds() if task_id is None or tid == task_id]


# --- (a) concurrent answers, two worker processes folding ---


def test_concurrent_answers_folded_by_two_worker_processes(start_process, demo_pack, monkeypatch):
    # One fold per answer, as many as possible side by side (play coalesces them otherwise).
    monkeypatch.setattr(
        play_services, "queue_stats_fold", partial(enqueue, "quiz.tasks.stats_fold")
    )
    _school, classroom, assignment = _class_with_assignment(demo_pack, "Concurrent")
    in_class = _new_students(4, "class")
    _enrol(classroom, in_class)
    in_school = _new_students(2, "school", school=classroom.school)
    alone = _new_students(1, "alone")
    # Small batches: each task folds in many short transactions, so the workers interleave.
    pair = [start_process("worker", f"a{i}", env={"STATS_FOLD_BATCH": "3"}) for i in (1, 2)]
    for worker in pair:
        worker.wait_ready()

    practice = _practice_quiz()
    rounds = demo_pack.items.count()
    assert demo_pack.items.filter(kind="spot").exists()
    # Class students play their assignment and some free practice; the others practise.
    plays: list[tuple[User, list[Session]]] = [
        # Every round of the demo quiz, its spot rounds among them.
        (s, [(demo_pack.pk, assignment.pk, rounds), (practice.pk, None, 20 - rounds)])
        for s in in_class
    ] + [(s, [(practice.pk, None, 20)]) for s in in_school + alone]
    start = threading.Barrier(len(plays))
    stored = _in_threads(
        [
            partial(_play, student.pk, sessions, seed=seed, start=start)
            for seed, (student, sessions) in enumerate(plays)
        ]
    )
    total = Answer.objects.count()
    assert total == sum(stored) == 20 * len(plays)
    assert Answer.objects.filter(assignment=assignment).count() == rounds * len(in_class)
    spots = Answer.objects.filter(item_kind="spot")
    assert spots.count() == demo_pack.items.filter(kind="spot").count() * len(in_class)

    # Every committed answer queued one fold; wait for all of them to have run.
    workers.wait_for(
        lambda: sum(len(w.folds()) for w in pair) >= total,
        timeout=WAIT,
        interval=0.5,
        what=f"{total} stats_fold tasks on the two workers",
    )
    _wait_until_folded()
    folded = [sum(_folded_by(w)) for w in pair]
    # The workers together folded each answer exactly once, and both took part.
    assert sum(folded) == total, folded
    assert all(n > 0 for n in folded), folded
    for worker in pair:
        assert "raised unexpected" not in worker.log(), worker.log()[-4000:]
    _assert_exact()
    overall = stats_reference.stored_cells()[("class", classroom.pk, "overall", "")]
    assert (
        overall.spot_n == spots.count() and overall.spot_hits == spots.filter(spot_hit=True).count()
    )
    assert ("assignment", assignment.pk, "overall", "") in stats_reference.stored_cells()
    assert ("school", classroom.school_id, "overall", "") in stats_reference.stored_cells()


# --- a rebuild between folds ---


def _pause_in(function_name: str, thread_name: str, monkeypatch) -> tuple[threading.Event, ...]:
    """Make aggregation.<function_name> stop, in the thread called `thread_name`, until the
    test lets it go: returns (reached, go). The pause comes after `_claim` (holding the claim)
    and before `_insert_cells` (after the rebuild has emptied the cell tables)."""
    reached, go = threading.Event(), threading.Event()
    real = getattr(aggregation, function_name)

    def pause() -> None:
        if threading.current_thread().name == thread_name:
            reached.set()
            assert go.wait(WAIT), f"{thread_name} was never let go"

    if function_name == "_claim":

        def claim_then_pause(batch_size: int) -> int:
            claimed = real(batch_size)
            pause()
            return claimed

        monkeypatch.setattr(aggregation, function_name, claim_then_pause)
    else:

        def pause_then_insert(select: str, **options: bool) -> None:
            pause()
            real(select, **options)

        monkeypatch.setattr(aggregation, function_name, pause_then_insert)
    return reached, go


def test_a_rebuild_between_folds_counts_each_answer_once(demo_pack, no_queued_folds, monkeypatch):
    """rebuild_stats on a live site: it waits for a fold that holds a batch, leaves answers
    stored after it began to the next fold, and a fold that starts while it runs adds on top
    of the rebuilt cells (whose unique indexes it rebuilds meanwhile)."""
    _school, classroom, assignment = _class_with_assignment(demo_pack, "Rebuild")
    students = _new_students(3, "rebuild")
    _enrol(classroom, students[:2])
    for n, student in enumerate(students):
        _play(student.pk, [(demo_pack.pk, assignment.pk if n < 2 else None, 6)], seed=n)
    assert _unfolded().count() == 18
    claimed, fold_go = _pause_in("_claim", "fold-holding", monkeypatch)
    rebuilding, rebuild_go = _pause_in("_insert_cells", "rebuild", monkeypatch)
    try:
        holding = Background("fold-holding", partial(aggregation.fold_pending, batch_size=7))
        assert claimed.wait(WAIT)
        rebuild = Background("rebuild", aggregation.rebuild)
        workers.wait_for(
            partial(waits_for, rebuild.pid, holding.pid),
            timeout=WAIT,
            what="the rebuild to wait for the batch the fold holds",
        )
        # Stored while the rebuild waits: not in its view, so left to the next fold.
        [late] = _new_students(1, "rebuild-late")
        _play(late.pk, [(_practice_quiz().pk, None, 5)], seed=9)
        fold_go.set()
        assert holding.result() == 7
        assert rebuilding.wait(WAIT)  # the cell tables are emptied and locked
        after = Background("fold-after", aggregation.fold_pending)
        workers.wait_for(
            partial(waits_for, after.pid, rebuild.pid),
            timeout=WAIT,
            what="the next fold to wait for the rebuild",
        )
        rebuild_go.set()
        assert rebuild.result() == 18
        assert after.result() == 5
    finally:
        fold_go.set()
        rebuild_go.set()
    assert aggregation.fold_pending() == 0
    _assert_exact()


# --- (b) the same batch delivered twice ---


def test_a_batch_delivered_twice_is_counted_once(
    start_process, live_app, demo_pack, no_queued_folds, monkeypatch
):
    from quiz.tasks import stats_fold

    _school, classroom, assignment = _class_with_assignment(demo_pack, "Twice")
    students = _new_students(3, "twice")
    _enrol(classroom, students[:2])
    for seed, student in enumerate(students):
        in_class = student in students[:2]
        session = (demo_pack.pk, assignment.pk if in_class else None, 12)
        _play(student.pk, [session], seed=seed)
    pending = _unfolded().count()
    assert pending == 36

    # Two workers, each also on a queue of its own, so each gets one of the two deliveries.
    queue = live_app.conf.task_default_queue
    pair = [
        start_process(
            "worker", f"b{i}", queues=[queue, f"{queue}-b{i}"], env={"STATS_FOLD_BATCH": "4"}
        )
        for i in (1, 2)
    ]
    for worker in pair:
        worker.wait_ready()
    task_id = str(uuid.uuid4())
    for i in (1, 2):  # one message, delivered twice at the same moment
        stats_fold.apply_async(task_id=task_id, queue=f"{queue}-b{i}")
    workers.wait_for(
        lambda: all(_folded_by(w, task_id) for w in pair),
        timeout=WAIT,
        interval=0.2,
        what="both deliveries of the task to run",
    )
    runs = [_folded_by(w, task_id) for w in pair]
    assert [len(r) for r in runs] == [1, 1], runs
    assert sum(r[0] for r in runs) == pending, runs  # together, each answer once
    _assert_exact()
    folded_cells = stats_reference.stored_cells()

    # A third, late delivery of the same message finds nothing left to fold.
    stats_fold.apply_async(task_id=task_id, queue=f"{queue}-b1")
    workers.wait_for(
        lambda: len(_folded_by(pair[0], task_id)) == 2,
        timeout=WAIT,
        interval=0.2,
        what="the late delivery to run",
    )
    assert _folded_by(pair[0], task_id)[1] == 0
    assert stats_reference.stored_cells() == folded_cells

    # Two folds in threads claim at the same moment: both hold their claims open together
    # (the barrier inside the claim), and neither takes what the other holds.
    # In a school: their attempts make item sums, which both folds re-sum.
    late_school = School.objects.create(name="Late School")
    for seed, student in enumerate(_new_students(2, "late", school=late_school)):
        _play(student.pk, [(_practice_quiz().pk, None, 12)], seed=seed)
    pending = _unfolded().count()
    assert pending == 24
    real_claim = aggregation._claim
    claimed_together = threading.Barrier(2)

    def claim_then_meet(batch_size: int) -> int:
        claimed = real_claim(batch_size)
        claimed_together.wait(timeout=30)
        return claimed

    start = threading.Barrier(2)

    def fold() -> int:
        start.wait(timeout=WAIT)
        return aggregation.fold_pending(batch_size=pending // 2 + 3)

    with monkeypatch.context() as patch:
        patch.setattr(aggregation, "_claim", claim_then_meet)
        claimed = _in_threads([fold, fold])
    assert sum(claimed) == pending and min(claimed) > 0, claimed
    assert aggregation.fold_pending() == 0
    _assert_exact()


# --- (c) a worker process killed mid-batch ---


def _backends(application: str) -> list[tuple[int, str | None, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE application_name = %s",
            [application],
        )
        return cursor.fetchall()


def _blocked_by(application: str, holder_pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event_type = 'Lock' AND %s = ANY(pg_blocking_pids(pid))",
            [application, holder_pid],
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_batch_rolls_back_and_a_fresh_worker_catches_up(
    start_process, live_app, demo_pack, no_queued_folds
):
    from quiz.tasks import stats_fold

    # In a school: the mover's attempt is half folded when the worker dies (item sums).
    mover, blocked = _new_students(2, "kill", school=School.objects.create(name="Kill School"))
    rng = random.Random(31)
    items = list(demo_pack.items.select_related("clip", "other_clip"))
    mover_attempt = attempt_start(user=mover, quiz=demo_pack)
    blocked_attempt = attempt_start(user=blocked, quiz=demo_pack)
    _answer(blocked_attempt, items[0], rng)
    assert aggregation.fold_all() == 1  # the cell the lock will hold now exists
    locked_cell = ("user", blocked.pk, "overall", "")
    assert StatCell.objects.filter(
        scope="user", scope_id=blocked.pk, dimension="overall", key=""
    ).exists()

    # Batches of 5 in id order: [m1..m5] and [m6..m10] commit; [m11, m12, b2, b3] needs the
    # locked cell and waits for it, after writing the cells that sort before it.
    first_ids = [_answer(mover_attempt, item, rng).pk for item in items[:12]]
    last_ids = [_answer(blocked_attempt, item, rng).pk for item in items[1:3]]
    stuck = {*first_ids[10:], *last_ids}

    holder = psycopg.connect(workers.database_url(application=workers.application_name("lock")))
    try:
        lock = sql.SQL(
            'SELECT id FROM {} WHERE scope = %s AND scope_id = %s AND dimension = %s AND "key" = %s '
            "FOR UPDATE"
        ).format(sql.Identifier(StatCell._meta.db_table))
        row = holder.execute(lock, list(locked_cell)).fetchone()
        assert row is not None
        holder_pid = holder.info.backend_pid

        doomed = start_process("worker", "c1", env={"STATS_FOLD_BATCH": "5"})
        doomed.wait_ready()
        stats_fold.delay()
        workers.wait_for(
            partial(_blocked_by, doomed.application, holder_pid),
            timeout=WAIT,
            interval=0.2,
            what="the worker's fold to wait on the locked cell",
        )
        # Two batches are in; the third is claimed in the worker's open transaction.
        assert _folded().count() == 11
        assert set(_unfolded().values_list("pk", flat=True)) == stuck
        doomed.kill()
        assert doomed.process.returncode == -9
    finally:
        holder.rollback()  # releases the lock: the dead worker's statement may go on
        holder.close()

    # Its backend finds the client gone and ends; the batch's transaction rolls back.
    workers.wait_for(
        lambda: not _backends(doomed.application),
        timeout=WAIT,
        interval=0.2,
        what="the killed worker's database session to end",
    )
    assert set(_unfolded().values_list("pk", flat=True)) == stuck
    # No trace of the rolled-back batch: the cells are exactly those of the folded answers.
    _assert_matches(*_reference_of_folded())
    assert _folded_by(doomed) == []  # it never finished a task

    # A fresh worker, woken by the next fold message (or the beat's), catches up.
    fresh = start_process("worker", "c2")
    fresh.wait_ready()
    stats_fold.delay()
    _wait_until_folded()
    workers.wait_for(
        lambda: _folded_by(fresh), timeout=WAIT, interval=0.2, what="the fresh worker's fold"
    )
    assert _folded_by(fresh) == [len(stuck)]
    _assert_exact()


# --- (d) Redis stopped while students keep answering ---


def test_play_goes_on_while_redis_is_down_and_aggregation_catches_up(
    start_process, live_app, demo_pack, settings, tmp_path
):
    redis_server = workers.RedisServer(tmp_path / "redis")
    redis_server.start()
    try:
        with workers.app_broker(live_app, redis_server.url):
            _play_through_an_outage(start_process, redis_server, demo_pack, settings)
    finally:
        redis_server.stop()


def _post_answer(client, attempt: Attempt, rng: random.Random, *, htmx: bool) -> float:
    """Answer the attempt's current round through the views; returns the seconds taken."""
    from quiz.selectors.play import attempt_next_round

    page = client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    assert page.status_code == 200
    shown = attempt_next_round(attempt)
    assert shown is not None
    item = shown.item
    began = time.monotonic()
    response = client.post(
        reverse("quiz:answer_submit", args=[attempt.pk, shown.key]),
        {
            **(
                spot_answers.form_data(spot_answers.random_mark(item, rng))
                if item.is_spot
                else {"guess": rng.choice(item.options())}
            ),
            "confidence": str(rng.randrange(50, 101)),
        },
        headers={"HX-Request": "true"} if htmx else {},
    )
    took = time.monotonic() - began
    if htmx:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Right!" in html or "Not quite." in html
    else:
        assert response.status_code == 302
        assert response.url == reverse("quiz:round_feedback", args=[attempt.pk, shown.key])
        assert client.get(response.url).status_code == 200
    assert Answer.objects.filter(attempt=attempt, item=item).exists()
    return took


def _play_through_an_outage(start_process, redis_server, demo_pack, settings) -> None:
    from django.test import Client

    # The cache (sign-in throttling) lives on the same Redis, as in production.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": redis_server.url},
    }
    _school, classroom, assignment = _class_with_assignment(demo_pack, "Outage")
    [student] = _new_students(1, "outage")
    _enrol(classroom, [student])
    worker = start_process("worker", "d1")
    beat = start_process("beat", "d-beat", env={"STATS_FOLD_INTERVAL": "1"})
    worker.wait_ready()
    beat.wait_ready()

    client = Client()
    client.force_login(student)
    response = client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    assert response.status_code == 302
    attempt = Attempt.objects.get(user=student, assignment=assignment)
    rng = random.Random(41)
    for i in range(3):
        _post_answer(client, attempt, rng, htmx=i % 2 == 0)
    _wait_until_folded()
    mine = stats_reference.stored_cells()[("user", student.pk, "overall", "")]
    assert mine.n + mine.spot_n == 3  # spot rounds count apart (METRICS.md)

    redis_server.stop()
    assert not redis_server.answers()
    # The student signs in again on another device and plays on: every page works.
    device = Client()
    response = device.post(
        reverse("accounts:login"), {"username": student.username, "password": "pw-outage"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    during = 6
    took = [_post_answer(device, attempt, rng, htmx=i % 2 == 0) for i in range(during)]
    assert max(took) < 15, took  # publishing gives up quickly; play does not wait for it
    assert Answer.objects.filter(attempt=attempt).count() == 3 + during
    # Stored, and nothing can fold them while the broker is down: their own fold messages
    # were refused above, and once the beat's safety net has tried again after they were
    # stored (and failed to reach Redis), still none is folded.
    stored_at = len(beat.log())
    workers.wait_for(
        lambda: BEAT_SEND_FAILED.search(beat.log(), stored_at),
        timeout=WAIT,
        interval=0.2,
        what="the beat to try its safety-net fold again and fail while Redis is down",
    )
    assert _unfolded().count() == during

    redis_server.start()  # same port: the worker and the beat reconnect by themselves
    _wait_until_folded()
    # Queueing works again too: the next answer is folded after its own commit.
    _post_answer(device, attempt, rng, htmx=True)
    _wait_until_folded()
    assert "Sending due task stats-fold-safety-net" in beat.log()
    total = Answer.objects.count()
    workers.wait_for(
        lambda: sum(_folded_by(worker)) >= total,
        timeout=WAIT,
        interval=0.2,
        what="the worker's log to show every answer folded",
    )
    assert sum(_folded_by(worker)) == total
    _assert_exact()
    assert ("assignment", assignment.pk, "overall", "") in stats_reference.stored_cells()


# --- ids that commit out of order ---


def test_ids_that_commit_out_of_order_are_not_skipped(demo_pack, no_queued_folds, monkeypatch):
    early, late = _new_students(2, "order", school=School.objects.create(name="Order School"))
    items = list(demo_pack.items.all()[:2])
    early_attempt = attempt_start(user=early, quiz=demo_pack)
    late_attempt = attempt_start(user=late, quiz=demo_pack)

    inserted, release = threading.Event(), threading.Event()
    early_id: list[int] = []
    real_on_commit = transaction.on_commit

    def on_commit_after_release(func, using=None, robust=False):
        # answer_submit registers its queued fold last in its transaction, after the insert:
        # the early answer has its id and waits here, not yet committed.
        if threading.current_thread().name == "early-answer":
            early_id.append(Answer.objects.get(attempt=early_attempt).pk)
            inserted.set()
            assert release.wait(WAIT), "the test never let the early answer commit"
        real_on_commit(func, using=using, robust=robust)

    monkeypatch.setattr(transaction, "on_commit", on_commit_after_release)
    early_answer = Background(
        "early-answer", lambda: _answer(early_attempt, items[0], random.Random(1)).pk
    )
    try:
        assert inserted.wait(WAIT), "the early answer never reached its insert"
        late_answer = _answer(late_attempt, items[1], random.Random(2))  # commits at once
        assert late_answer.pk > early_id[0]
        assert not Answer.objects.filter(pk=early_id[0]).exists()  # not committed yet
        assert aggregation.fold_all() == 1
        _assert_matches(*reference())  # exact for what has committed
    finally:
        release.set()
    assert early_answer.result() == early_id[0]
    # The lower id committed last; it is folded now, and the higher one is not counted again.
    assert _unfolded().values_list("pk", flat=True).get() == early_id[0]
    assert aggregation.fold_all() == 1
    assert len(no_queued_folds) == 2
    _assert_exact()
