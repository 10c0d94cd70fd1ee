"""Aggregation at scale: rebuild, folding, the school overview and the live view's lag.

    python bench/aggregate.py                    # 10 million answers (takes a while)
    python bench/aggregate.py --answers 1000000  # a smaller population, same shape
    python bench/aggregate.py --page-only        # the overview page again, on the last run's data

It needs PostgreSQL and Redis (DATABASE_URL's server, default 127.0.0.1:5432 as postgres;
REDIS_URL, default 127.0.0.1:6379) and works in its own database, `secondlook_bench`, which
it drops and creates. The population: 500 answers per student, 20 students per class,
20 classes per school (default 20,000 students in 1,000 classes of 50 schools), 400 clips
(half generated, by five generators, with artifacts), 40 quizzes of 25 rounds (one in five a
pair round), 20 assignments per class. Students differ in skill, clips in difficulty, and
accuracy grows a little with the round's position.

Measured in the same run, and printed:
1. the full rebuild (quiz.stats.aggregation.rebuild) against the floor: what it keeps (the
   cells, their students, the item sums and the students' homes) computed by plain SQL
   GROUP BY queries over the same answers, with the results thrown away (no writes); aim:
   within 1.5x; and one fold of 100,000 answers against the same floor over them (aim:
   within 2x), with the cells and their students alone beside it;
2. incremental folding throughput, answers per second, for batches of 1,000 and 100,000
   (the newest answers are queued again and folded again), and with two folders side by
   side as two workers would; aim: 100,000 answers/s;
3. the school overview page's server time (Django test client, median of 30) with ten
   thousand and with all the answers in the table; aim: within 1.2x and under 50 ms;
4. the lag from an answer's commit to its appearance in the cells the teacher's live view
   reads, with a class of 50 students answering through quiz.services and a real Celery
   worker folding; p50 and p95; aim: p95 under 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.library import (  # noqa: E402 (needs ROOT on the path)
    CATEGORY_CODES,
    add_service_arguments,
    bench_clips,
)

DATABASE = "secondlook_bench"
STUDENTS_PER_CLASS = 20
CLASSES_PER_SCHOOL = 20
ANSWERS_PER_STUDENT = 500
ASSIGNMENTS_PER_CLASS = 20
ROUNDS = 25
QUIZZES = 40
CLIPS = 400


def _setup_django(server_url: str, *, fresh: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"{server_url.rstrip('/')}/{DATABASE}"
    os.environ.setdefault("CELERY_QUEUE", f"bench-{os.getpid()}")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    sys.path.insert(0, str(ROOT))
    import psycopg

    if fresh:
        with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _sql(statement: str, params: list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _seed_population(students: int) -> dict:
    """Schools, classes, students, clips, quizzes and assignments (the ORM; small tables)."""
    from datetime import UTC, datetime, timedelta

    from accounts.models import Classroom, Enrollment, School, User
    from quiz.models import Assignment, Quiz, QuizItem

    rng = random.Random(42)
    unusable = _unusable()
    classes = max(1, students // STUDENTS_PER_CLASS)
    schools = max(1, classes // CLASSES_PER_SCHOOL)
    school_rows = School.objects.bulk_create(
        [School(name=f"Bench school {s + 1}", time_zone="Europe/Berlin") for s in range(schools)]
    )
    class_rows = Classroom.objects.bulk_create(
        [
            Classroom(
                school=school_rows[c % schools],
                name=f"Class {c + 1}",
                grade=str(6 + c % 6),
                school_year="2026/27",
            )
            for c in range(classes)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-s{u}",
                password=unusable,
                role="student",
                school=class_rows[u % classes].school,
            )
            for u in range(classes * STUDENTS_PER_CLASS)
        ],
        batch_size=5000,
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(classroom=class_rows[i % classes], student=user)
            for i, user in enumerate(users)
        ],
        batch_size=5000,
    )
    educator = User.objects.create(username="bench-educator", password=unusable, role="educator")
    school_rows[0].educators.add(educator)
    clips = bench_clips(CLIPS)
    generated = [c for c in clips if c.is_generated]
    real = [c for c in clips if not c.is_generated]
    quizzes = Quiz.objects.bulk_create(
        [Quiz(title=f"Bench quiz {q}", slug=f"bench-quiz-{q}") for q in range(QUIZZES)]
    )
    items = []
    for quiz in quizzes:
        picked = rng.sample(clips, ROUNDS)
        for position in range(1, ROUNDS + 1):
            if position % 5 == 0:
                items.append(
                    QuizItem(
                        quiz=quiz,
                        position=position,
                        kind="pair",
                        clip=rng.choice(generated),
                        other_clip=rng.choice(real),
                    )
                )
            else:
                items.append(
                    QuizItem(quiz=quiz, position=position, kind="single", clip=picked[position - 1])
                )
    QuizItem.objects.bulk_create(items)
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    Assignment.objects.bulk_create(
        [
            Assignment(
                quiz=quizzes[(c + a) % QUIZZES],
                classroom=classroom,
                opens_at=start + timedelta(days=7 * a),
                due_at=start + timedelta(days=7 * a + 3),
                unit="Unit 1" if a in (0, ASSIGNMENTS_PER_CLASS - 1) else "",
                unit_role="pre" if a == 0 else "post" if a == ASSIGNMENTS_PER_CLASS - 1 else "",
            )
            for c, classroom in enumerate(class_rows)
            for a in range(ASSIGNMENTS_PER_CLASS)
        ],
        batch_size=5000,
    )
    _sql(
        "INSERT INTO quiz_attempt (user_id, quiz_id, assignment_id, started_at, finished_at) "
        "SELECT e.student_id, a.quiz_id, a.id, a.opens_at, a.opens_at + interval '1 hour' "
        "FROM quiz_assignment a JOIN accounts_enrollment e ON e.classroom_id = a.classroom_id "
        "ORDER BY a.opens_at, a.id, e.student_id"
    )
    _sql(
        "CREATE UNLOGGED TABLE bench_clip_mask AS SELECT clip_id, "
        "bit_or((1::bigint) << b.bit) AS mask FROM quiz_artifact JOIN (VALUES "
        + ", ".join(f"('{code}', {_bit(code)})" for code in CATEGORY_CODES)
        + ") b(code, bit) ON b.code = quiz_artifact.category GROUP BY clip_id"
    )
    return {
        "schools": schools,
        "classes": classes,
        "students": len(users),
        "school": school_rows[0],
        "educator": educator,
    }


def _unusable() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(None)


def _bit(code: str) -> int:
    from quiz import categories

    return categories.BITS[code]


def _insert_answers(first_attempt: int, last_attempt: int) -> int:
    """Answers for the attempts with ids in [first, last], one per round, as if played."""
    return _sql(
        """
        INSERT INTO quiz_answer (attempt_id, item_id, guess, confidence, is_correct, points,
            created_at, user_id, assignment_id, classroom_id, school_id, clip_id,
            other_clip_id, item_kind, media_kind, generator, categories, day, position)
        SELECT r.attempt_id, r.item_id,
            CASE WHEN r.item_kind = 'single'
                 THEN CASE WHEN r.generated = r.ok THEN 'generated' ELSE 'real' END
                 ELSE CASE WHEN r.generated = r.ok THEN 'a' ELSE 'b' END END,
            r.conf, r.ok,
            100 - (2 * (r.conf - CASE WHEN r.ok THEN 100 ELSE 0 END)
                     * (r.conf - CASE WHEN r.ok THEN 100 ELSE 0 END)) / 100,
            r.at, r.user_id, r.assignment_id, r.classroom_id, r.school_id, r.clip_id,
            r.other_clip_id, r.item_kind, r.media_kind, r.generator, r.categories,
            (r.at AT TIME ZONE 'Europe/Berlin')::date, r.position
        FROM (
            SELECT t.id AS attempt_id, i.id AS item_id, t.user_id, t.assignment_id,
                a.classroom_id, c.school_id, i.clip_id, i.other_clip_id, i.kind AS item_kind,
                k.media_kind, k.is_generated AS generated,
                CASE WHEN i.kind = 'pair' AND NOT k.is_generated THEN k2.generator
                     ELSE k.generator END AS generator,
                COALESCE(m.mask, 0) | COALESCE(m2.mask, 0) AS categories,
                i.position,
                t.started_at + (i.position * interval '40 seconds')
                    + (mod(t.id, 3) * interval '1 day') AS at,
                random() < LEAST(0.95, 0.45 + mod(t.user_id, 11) * 0.025
                    + mod(k.id, 5) * 0.02 + i.position * 0.004) AS ok,
                50 + floor(random() * 51)::int AS conf
            FROM quiz_attempt t
            JOIN quiz_assignment a ON a.id = t.assignment_id
            JOIN accounts_classroom c ON c.id = a.classroom_id
            JOIN quiz_quizitem i ON i.quiz_id = t.quiz_id
            JOIN quiz_clip k ON k.id = i.clip_id
            LEFT JOIN quiz_clip k2 ON k2.id = i.other_clip_id
            LEFT JOIN bench_clip_mask m ON m.clip_id = i.clip_id
            LEFT JOIN bench_clip_mask m2 ON m2.clip_id = i.other_clip_id
            WHERE t.id BETWEEN %s AND %s
        ) r
        ORDER BY r.attempt_id, r.position
        """,
        [first_attempt, last_attempt],
    )


def _timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _floor_of(newest: int | None = None, batch: int = 0) -> dict[str, float]:
    """What a fold or rebuild keeps, as plain SELECT … GROUP BY over the answers (the
    newest `batch` of them, or all), the results thrown away: what the database must do
    at least, with no writes. The cells and their students; the item sums of the answers'
    attempts (quiz.stats.item_sums, kept by the fold since the item analysis reads no
    answers); the students' homes (quiz.models.StatStudentHome)."""
    from django.conf import settings

    from quiz.models import Answer
    from quiz.stats import aggregation, item_sums, known_pairs

    answers = f'"{Answer._meta.db_table}"'
    where = f"a.id > {newest - batch}" if newest is not None else ""
    if where:
        touched = f"a.attempt_id IN (SELECT attempt_id FROM {answers} a WHERE {where})"
        observed = item_sums.counted_answers(touched, f"CASE WHEN {where} THEN 1 ELSE 0 END")
        sums = item_sums.delta_sql(observed, adding=True)
    else:
        sums = item_sums.delta_sql(item_sums.counted_answers("true", "1"), adding=True, whole=True)
    _sql("SET jit = off")
    _sql("SELECT set_config(%s, %s, false)", ["work_mem", settings.STATS_WORK_MEM])
    parts = {
        "cells": _timed(
            lambda: _sql(f"SELECT count(*) FROM ({aggregation.cells_sql(answers, where)}) x")
        )[0],
        "students": _timed(
            lambda: _sql(f"SELECT count(*) FROM ({aggregation.students_sql(answers, where)}) y")
        )[0],
        "item sums": _timed(lambda: _sql(f"SELECT count(*) FROM ({sums}) z"))[0],
        "homes": _timed(
            lambda: _sql(f"SELECT count(*) FROM ({known_pairs.homes_sql(answers, where)}) h")
        )[0],
    }
    return parts


def _floor() -> None:
    _floor_of()


def _fold_throughput(batch: int, answers: int, *, workers: int = 1) -> float:
    """Queue the newest `answers` answers again and fold them in batches, with one or more
    folders side by side (as several Celery workers would); answers/s."""
    from django.db import connections

    from quiz.stats.aggregation import fold_pending

    _sql(
        "INSERT INTO quiz_statpending (answer_id) SELECT id FROM quiz_answer "
        "WHERE id > (SELECT max(id) FROM quiz_answer) - %s",
        [answers],
    )
    _sql("ANALYZE quiz_statpending")
    folded = [0] * workers

    def fold(index: int) -> None:
        try:
            while step := fold_pending(batch_size=batch):
                folded[index] += step
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fold, args=(i,)) for i in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return sum(folded) / elapsed


def _fold_over_floor(batch: int) -> tuple[float, float, dict[str, float], dict[str, float]]:
    """One fold of the newest `batch` answers (queued again) against the floor over the same
    answers (_floor_of: what the fold keeps, as plain GROUP BY, no writes). Each the best of two
    runs; the fold's time split by step. Returns (fold s, floor s, steps, floor parts)."""
    from quiz.services import practice
    from quiz.stats import aggregation, item_sums, known_pairs

    newest = _sql_value("SELECT max(id) FROM quiz_answer")

    def floor() -> dict[str, float]:
        return _floor_of(newest, batch)

    steps: dict[str, float] = {}

    def timed_step(name: str, module, attribute: str):
        original = getattr(module, attribute)

        def step(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - started

        return original, step

    patched = [
        (aggregation, "_claim", "claim"),
        (aggregation, "_insert_cells", "cells"),
        (aggregation, "_insert_students", "students"),
        (known_pairs, "fold_homes", "homes"),
        (item_sums, "fold", "item sums"),
        (practice, "practice_queue", "practice queue"),
    ]
    originals = []
    for module, attribute, name in patched:
        original, step = timed_step(name, module, attribute)
        originals.append((module, attribute, original))
        setattr(module, attribute, step)
    folds, floors = [], []
    try:
        for _run in range(2):
            floors.append(_timed(floor))
            _sql(
                "INSERT INTO quiz_statpending (answer_id) SELECT id FROM quiz_answer WHERE id > %s",
                [newest - batch],
            )
            _sql("ANALYZE quiz_statpending")
            steps.clear()
            elapsed, folded = _timed(lambda: aggregation.fold_pending(batch_size=batch))
            assert folded == batch, folded
            folds.append((elapsed, dict(steps)))
    finally:
        for module, attribute, original in originals:
            setattr(module, attribute, original)
    best, best_steps = min(folds, key=lambda f: f[0])
    floor_s, floor_parts = min(floors, key=lambda f: f[0])
    return best, floor_s, best_steps, floor_parts


def _sql_value(statement: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()[0]


def _overview_ms(school, educator) -> float | None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("insights:school_overview", args=[school.pk])
    except NoReverseMatch:
        return None
    client = Client()
    client.force_login(educator)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(30):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _live_lag(seconds: float) -> tuple[float, float, int]:
    """A class of 50 answering through quiz.services while a real worker folds."""
    from datetime import timedelta

    from django.db import connection, connections
    from django.utils import timezone

    from accounts.models import Classroom, Enrollment, School, User
    from quiz.models import Assignment, Quiz, StatCell
    from quiz.services.play import answer_submit, attempt_start, spot_example_mark

    unusable = _unusable()
    school = School.objects.create(name="Live school", time_zone="Europe/Berlin")
    classroom = Classroom.objects.create(school=school, name="Live class")
    students = User.objects.bulk_create(
        [
            User(username=f"live-{i}", password=unusable, role="student", school=school)
            for i in range(50)
        ]
    )
    Enrollment.objects.bulk_create([Enrollment(classroom=classroom, student=s) for s in students])
    quiz = Quiz.objects.get(slug="bench-quiz-0")
    now = timezone.now()
    assignment = Assignment.objects.create(
        quiz=quiz,
        classroom=classroom,
        opens_at=now - timedelta(minutes=1),
        due_at=now + timedelta(hours=1),
    )
    env = dict(os.environ)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-Q",
            os.environ["CELERY_QUEUE"],
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    committed: dict[int, float] = {}  # answer number (1, 2, ...) -> commit time
    lock = threading.Lock()
    counter = [0]
    stop = time.monotonic() + seconds
    items = list(quiz.items.order_by("position"))

    def play(student: User, seed: int) -> None:
        rng = random.Random(seed)
        try:
            attempt = attempt_start(user=student, quiz=quiz, assignment=assignment)
            for item in items:
                if time.monotonic() > stop:
                    return
                time.sleep(rng.uniform(2.0, 8.0))  # looking at the clip, deciding
                answer_submit(
                    attempt=attempt,
                    item=item,
                    guess=rng.choice(item.options()),
                    confidence=rng.randrange(50, 101),
                    # A spot round is answered with a mark, on or off its giveaway.
                    mark=spot_example_mark(item, hit=rng.random() < 0.5) if item.is_spot else None,
                )
                at = time.perf_counter()
                with lock:
                    counter[0] += 1
                    committed[counter[0]] = at
        finally:
            connections.close_all()

    seen: dict[int, float] = {}
    players_done = threading.Event()

    def watch() -> None:
        # What the live view reads: the assignment's cells (see quiz.reports.assignment_live).
        cells = StatCell.objects.filter(
            scope="assignment", scope_id=assignment.pk, dimension="overall", key=""
        )
        deadline = None
        try:
            while True:
                n = cells.values_list("n", flat=True).first() or 0
                at = time.perf_counter()
                for k in range(1, n + 1):
                    seen.setdefault(k, at)
                if players_done.is_set():
                    deadline = deadline or time.monotonic() + 30
                    if len(seen) >= counter[0] or time.monotonic() > deadline:
                        return
                time.sleep(0.05)
        finally:
            connections.close_all()

    try:
        time.sleep(3)  # the worker connects
        threads = [threading.Thread(target=play, args=(s, i)) for i, s in enumerate(students)]
        watcher = threading.Thread(target=watch)
        watcher.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        players_done.set()
        watcher.join()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a warm shutdown still folding on a loaded machine
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        connection.close()
    # The k-th answer to commit is visible once the cell counts k answers.
    lags = sorted(seen[k] - committed[k] for k in committed if k in seen)
    missing = len(committed) - len(lags)
    if missing:
        print(f"  {missing} answers not visible within 30 s of the end")
    if not lags:
        raise SystemExit(
            f"No answer was committed within --live-seconds {seconds}: students take 2 to 8 s "
            "a round, so give the live view at least 15 s."
        )
    p50 = statistics.median(lags)
    p95 = lags[int(0.95 * (len(lags) - 1))]
    return p50, p95, len(lags)


def _page_only() -> None:
    """The overview page with all the answers of the last run, then with its first 10,000."""
    from accounts.models import School, User
    from quiz.models import Answer
    from quiz.stats.aggregation import rebuild

    school = School.objects.get(name="Bench school 1")
    educator = User.objects.get(username="bench-educator")
    # The last run ended with its cells rebuilt (and its live class folded by the worker).
    counted = Answer.objects.count()
    _sql("VACUUM ANALYZE")
    large = _overview_ms(school, educator)
    _sql("TRUNCATE quiz_statpending, quiz_answer")
    first = _first_attempt()
    _insert_answers(first, first + 10_000 // ROUNDS - 1)
    small_count = rebuild()
    _sql("VACUUM ANALYZE")
    small = _overview_ms(school, educator)
    print("3. School overview page, server time (median of 30 requests)")
    print(f"   with {small_count:,} answers: {small:.1f} ms; with {counted:,}: {large:.1f} ms")
    print(f"   ratio {large / small:.2f}x (aim: within 1.2x and under 50 ms)")


def _first_attempt() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id) FROM quiz_attempt WHERE assignment_id IN (SELECT a.id FROM quiz_assignment a JOIN accounts_classroom c ON c.id = a.classroom_id WHERE c.name LIKE 'Class %%')"
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, default=10_000_000)
    add_service_arguments(parser, redis_db=None)
    parser.add_argument("--live-seconds", type=float, default=60)
    parser.add_argument(
        "--page-only",
        action="store_true",
        help="measure only the overview page, on the population of the last run (which it "
        "then cuts down to 10,000 answers)",
    )
    args = parser.parse_args()
    _setup_django(args.server, fresh=not args.page_only)
    if args.page_only:
        _page_only()
        return
    from django.db import connection

    from quiz.stats.aggregation import rebuild

    students = max(STUDENTS_PER_CLASS, args.answers // ANSWERS_PER_STUDENT)
    print(f"Seeding {args.answers:,} answers from {students:,} students ...", flush=True)
    elapsed, population = _timed(lambda: _seed_population(students))
    print(
        f"  {population['schools']} schools, {population['classes']} classes, {population['students']:,} students, {CLIPS} clips ({elapsed:.1f} s)"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM quiz_attempt")
        first, last = cursor.fetchone()
    small = first + 10_000 // ROUNDS - 1
    _insert_answers(first, small)
    _sql("ANALYZE")
    rebuild()
    page_small = _overview_ms(population["school"], population["educator"])
    elapsed, inserted = _timed(lambda: _insert_answers(small + 1, last))
    print(f"  answers inserted: {inserted + 10_000:,} ({elapsed:.1f} s)", flush=True)
    _sql("VACUUM ANALYZE")

    print("\n1. Full rebuild against the floor (same cells, plain GROUP BY, no writes)")
    floor_s, _ = _timed(_floor)
    rebuild_s, counted = _timed(rebuild)
    floor_again, _ = _timed(_floor)
    floor = min(floor_s, floor_again)
    print(
        f"   floor {floor:.1f} s (runs: {floor_s:.1f}, {floor_again:.1f}); rebuild {rebuild_s:.1f} s over {counted:,} answers"
    )
    print(f"   ratio {rebuild_s / floor:.2f}x (aim: within 1.5x)")
    _sql("VACUUM ANALYZE quiz_statcell")
    _sql("VACUUM ANALYZE quiz_statstudent")

    print("\n2. Incremental folding throughput")
    for batch, answers in ((1_000, 20_000), (100_000, 200_000)):
        rate = _fold_throughput(batch, min(answers, args.answers // 2))
        print(f"   batches of {batch:>7,}: {rate:,.0f} answers/s (aim: 100,000 answers/s)")
    rate = _fold_throughput(100_000, min(400_000, args.answers // 2), workers=2)
    print(f"   batches of 100,000, two folders side by side: {rate:,.0f} answers/s")
    batch = min(100_000, args.answers // 10)
    fold_s, fold_floor, steps, floor_parts = _fold_over_floor(batch)
    split = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in steps.items())
    floor_split = ", ".join(f"{n} {seconds * 1000:.0f} ms" for n, seconds in floor_parts.items())
    print(
        f"   one batch of {batch:,}: fold {fold_s * 1000:.0f} ms ({split}); floor (the same "
        f"answers, plain GROUP BY) {fold_floor * 1000:.0f} ms ({floor_split}); ratio "
        f"{fold_s / fold_floor:.2f}x (aim: within 2x)"
    )
    # The cells and their students alone, as the floor was before the fold kept item sums
    # and homes: the claim, the cells and the students against their two GROUP BYs.
    cells_fold = sum(steps.get(name, 0.0) for name in ("claim", "cells", "students"))
    cells_floor = floor_parts["cells"] + floor_parts["students"]
    print(
        f"   the cells and their students alone: {cells_fold * 1000:.0f} ms against "
        f"{cells_floor * 1000:.0f} ms, ratio {cells_fold / cells_floor:.2f}x"
    )
    rebuild()

    print("\n3. School overview page, server time (median of 30 requests)")
    page_large = _overview_ms(population["school"], population["educator"])
    if page_small is None or page_large is None:
        print("   the overview page (insights:school_overview) is not installed")
    else:
        print(f"   with 10,000 answers: {page_small:.1f} ms; with {counted:,}: {page_large:.1f} ms")
        print(f"   ratio {page_large / page_small:.2f}x (aim: within 1.2x and under 50 ms)")

    print("\n4. Live view lag, a class of 50 answering, a real Celery worker folding")
    # The folds above queued every answer they folded for adaptive practice's ratings too,
    # which the worker's first fold would otherwise work through before any new answer.
    from quiz.services.practice import practice_fold_all

    elapsed, moved = _timed(practice_fold_all)
    print(f"   (first, practice ratings caught up: {moved:,} answers in {elapsed:.1f} s)")
    p50, p95, n = _live_lag(args.live_seconds)
    print(f"   {n} answers: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (aim: p95 under 2 s)")
    print(f"fold_over_floor={fold_s / fold_floor:.2f}")
    print(f"cells_fold_over_floor={cells_fold / cells_floor:.2f}")
    print(f"rebuild_over_floor={rebuild_s / floor:.2f}")


if __name__ == "__main__":
    main()
