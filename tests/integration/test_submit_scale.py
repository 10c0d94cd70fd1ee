"""Answers at class scale: a submit's fixed, small number of queries, folds coalesced behind
one flag (and the beat's safety net when the broker is down), and the teacher's cheap live
endpoint. Speed itself is measured by bench/submit.py, never here."""

from __future__ import annotations

import random

import pytest
import redis
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from config.celery import app
from quiz import background, rows, tasks
from quiz.models import Answer, Attempt, Clip, Quiz, QuizItem, StatPending
from quiz.selectors import play as selectors
from quiz.services import play as services
from quiz.stats import aggregation
from tests import spot_answers, stats_reference
from tests.people import open_assignment

FOLD = "quiz.tasks.stats_fold"


@pytest.fixture
def demo_pack(db) -> Quiz:
    """A small public quiz of rows (the pages name media files, none is read): generated and
    real single rounds with giveaways and a decoy, and pair rounds."""
    quiz = Quiz.objects.create(title="Scale quiz", slug="scale", is_public=True)
    clips = []
    for n, (generated, category) in enumerate(
        [
            (True, "anatomy"),
            (False, "noise"),
            (True, "physics"),
            (False, None),
            (True, "count"),
            (False, None),
            (True, "text"),
        ]
    ):
        clip = Clip.objects.create(
            key=f"scale-{n}",
            media_kind="video" if n % 2 else "image",
            status=Clip.Status.READY,
            is_generated=generated,
            generator="model-a" if generated else "camera",
            media=f"clips/scale{n}.{'mp4' if n % 2 else 'jpg'}",
            poster=f"posters/scale{n}.jpg" if n % 2 else "",
        )
        if category:
            clip.artifacts.create(
                category=category, box_x=0.1, box_y=0.1, box_w=0.2, box_h=0.2, explanation="x"
            )
        clips.append(clip)
    for position, clip in enumerate(clips[:4], start=1):
        QuizItem.objects.create(quiz=quiz, position=position, kind="single", clip=clip)
    QuizItem.objects.create(quiz=quiz, position=5, kind="pair", clip=clips[4], other_clip=clips[5])
    QuizItem.objects.create(quiz=quiz, position=6, kind="pair", clip=clips[3], other_clip=clips[6])
    return quiz


def _statements(captured: CaptureQueriesContext) -> list[str]:
    """The statements a request sent, without the savepoints of the test's own transaction
    (in production the submit's transaction is the outermost: BEGIN and COMMIT only)."""
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


def _start(client: Client, quiz) -> Attempt:
    response = client.post(reverse("quiz:attempt_start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _post(client: Client, attempt: Attempt, shown, *, htmx: bool = True):
    return client.post(
        reverse("quiz:answer_submit", args=[attempt.pk, shown.key]),
        {**spot_answers.post_data(shown.item, shown.correct_option()), "confidence": "80"},
        headers={"HX-Request": "true"} if htmx else {},
    )


@pytest.mark.django_db
def test_a_submit_sends_five_statements_besides_the_two_of_every_signed_in_page(
    student, student_client, demo_pack
):
    """Session, and user with school (every signed-in page reads them), then the attempt locked
    with what grading needs, whether it is closed to the student for now (its feedback would
    answer a test: quiz.selectors.held.attempt_closed_for_now), its rounds and answers, the round's
    clips with their artifacts, and the answer with its queue row (one statement); the last
    round adds the attempt's end."""
    student.school = School.objects.create(name="Hillside", time_zone="Europe/Berlin")
    student.save()
    attempt = _start(student_client, demo_pack)
    rounds = selectors.attempt_rounds(attempt)
    counts = []
    for number, shown in enumerate(rounds, start=1):
        with CaptureQueriesContext(connection) as captured:
            response = _post(student_client, attempt, shown)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Right!" in html
        assert f"Round {number} of {len(rounds)}" in html
        statements = _statements(captured)
        writes = [sql for sql in statements if "INSERT INTO" in sql]
        assert sum(sql.count("INSERT INTO") for sql in writes) == 2, writes
        # One statement writes both on PostgreSQL; SQLite takes two (quiz.services.play).
        assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes
        counts.append(len(statements) - len(writes) + 1)
    assert max(counts[:-1]) <= 7 and counts[-1] <= 8, counts
    attempt.refresh_from_db()
    assert attempt.is_finished
    stored = list(Answer.objects.filter(attempt=attempt).order_by("position"))
    assert [a.position for a in stored] == list(range(1, len(rounds) + 1))
    assert [a.item_id for a in stored] == [shown.item.pk for shown in rounds]
    assert StatPending.objects.filter(answer__attempt=attempt).count() == len(rounds)


@pytest.mark.django_db
def test_the_submits_feedback_shows_what_the_feedback_page_shows(student_client, demo_pack):
    """The feedback rendered from what the submit read equals the feedback page's (which
    reads everything again), for every round: points, progress, truth, next link."""
    attempt = _start(student_client, demo_pack)
    for shown in selectors.attempt_rounds(attempt):
        submitted = _post(student_client, attempt, shown).content.decode()
        page = student_client.get(
            reverse("quiz:round_feedback", args=[attempt.pk, shown.key]),
            headers={"HX-Request": "true"},
        ).content.decode()
        # The page's announcement for screen readers differs only by design; compare stages.
        assert submitted.split("<div hx-swap-oob")[0] == page.split("<div hx-swap-oob")[0]


@pytest.mark.django_db
def test_a_repeated_submit_stores_nothing_and_shows_the_stored_answer(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    shown = selectors.attempt_next_round(attempt)
    assert _post(student_client, attempt, shown, htmx=False).status_code == 302
    if shown.item.is_spot:
        wrong = spot_answers.post_data(shown.item, right=False)
    else:
        wrong = {"guess": next(o for o in shown.item.options() if o != shown.correct_option())}
    response = student_client.post(
        reverse("quiz:answer_submit", args=[attempt.pk, shown.key]),
        {**wrong, "confidence": "100"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was changed" in html and "Right!" in html
    assert Answer.objects.filter(attempt=attempt).count() == 1


# --- one fold queued at a time ---


@pytest.fixture
def broker(transactional_db, monkeypatch):
    """Tasks published for real (not run in place), this run's queue empty and no fold
    flagged; every publish is recorded instead of sent, so the test decides who folds."""
    app.conf.task_always_eager = False
    background.queued_clear(FOLD)
    published: list[str] = []

    def record(task_name: str, *args: object) -> bool:
        assert args == (services.FOLD_DELAY_SECONDS,)  # a fold gathers answers first
        published.append(task_name)
        return True

    monkeypatch.setattr(background, "enqueue", record)
    yield published
    background.queued_clear(FOLD)


def _class_playing(quiz, n: int) -> list[Attempt]:
    school = School.objects.create(name="Scale School")
    teacher = User.objects.create_user("scale-t", password="x", role="teacher", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="9C")
    students = [
        User.objects.create_user(f"scale{i}", password="x", role="student", school=school)
        for i in range(n)
    ]
    for student in students:
        Enrollment.objects.create(classroom=classroom, student=student)
    assignment = open_assignment(teacher, quiz, classroom)
    return [services.attempt_start(user=s, quiz=quiz, assignment=assignment) for s in students]


def _answer_next(attempt: Attempt, rng: random.Random) -> Answer:
    shown = selectors.attempt_next_round(attempt)
    return services.answer_submit(
        attempt=attempt,
        item=shown.item,
        confidence=rng.randrange(50, 101),
        **spot_answers.random_kwargs(shown.item, rng),
    ).answer


def _assert_exact() -> None:
    assert not StatPending.objects.exists()
    cells, students = stats_reference.reference()
    assert stats_reference.stored_cells() == cells
    assert stats_reference.stored_students() == students


def test_many_answers_queue_one_fold_while_its_flag_is_set(broker, demo_pack):
    rng = random.Random(5)
    attempts = _class_playing(demo_pack, 6)
    for _ in range(3):
        for attempt in attempts:
            _answer_next(attempt, rng)
    assert broker == [FOLD]  # 18 answers, one fold queued
    assert background.is_queued(FOLD)
    assert StatPending.objects.count() == 18

    assert tasks.stats_fold() == 18  # the fold clears its flag, then takes them all
    assert not background.is_queued(FOLD)
    _assert_exact()
    _answer_next(attempts[0], rng)
    assert broker == [FOLD, FOLD]  # the next answer queues the next fold


def test_an_answer_stored_during_a_fold_is_folded_by_the_next(broker, demo_pack, monkeypatch):
    rng = random.Random(6)
    attempts = _class_playing(demo_pack, 3)
    for attempt in attempts:
        _answer_next(attempt, rng)
    assert broker == [FOLD]
    real_fold_pending = aggregation.fold_pending
    during: list[Answer] = []

    def fold_then_answer(**kwargs: object) -> int:
        folded = real_fold_pending(**kwargs)
        if not during:
            # The fold has cleared its flag and committed its batch; a student answers now.
            during.append(_answer_next(attempts[1], rng))
            return 0  # and this fold stops before it could see that answer
        return folded

    monkeypatch.setattr(aggregation, "fold_pending", fold_then_answer)
    tasks.stats_fold()
    assert StatPending.objects.filter(answer=during[0]).exists()
    assert broker == [FOLD, FOLD]  # the answer found no fold waiting, so it queued one
    monkeypatch.setattr(aggregation, "fold_pending", real_fold_pending)
    assert tasks.stats_fold() == 1
    _assert_exact()


def test_a_flag_whose_publish_failed_is_cleared_for_the_next_answer(broker, demo_pack, monkeypatch):
    rng = random.Random(7)
    [attempt] = _class_playing(demo_pack, 1)
    monkeypatch.setattr(background, "enqueue", lambda task_name, *args: False)
    _answer_next(attempt, rng)
    assert not background.is_queued(FOLD)  # nothing waits, so the next answer tries again
    monkeypatch.setattr(
        background, "enqueue", lambda task_name, *args: broker.append(task_name) or True
    )
    _answer_next(attempt, rng)
    assert broker == [FOLD]


def test_with_the_broker_down_play_goes_on_and_the_safety_net_folds(broker, demo_pack):
    rng = random.Random(8)
    attempts = _class_playing(demo_pack, 2)
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        for attempt in attempts:
            _answer_next(attempt, rng)
        assert broker == []  # no flag could be set, so nothing was published
    finally:
        app.conf.broker_url = previous
    assert StatPending.objects.count() == 2
    # The beat's safety net sends the same task every STATS_FOLD_INTERVAL.
    schedule = app.conf.beat_schedule["stats-fold-safety-net"]
    assert schedule["task"] == FOLD
    assert tasks.stats_fold() == 2
    _assert_exact()


def test_the_flag_lives_in_the_brokers_redis_under_this_sites_queue(broker, demo_pack):
    rng = random.Random(9)
    [attempt] = _class_playing(demo_pack, 1)
    _answer_next(attempt, rng)
    client = redis.Redis.from_url(app.conf.broker_url.replace("redis+socket://", "unix://"))
    key = f"{app.conf.task_default_queue}:queued:{FOLD}"
    assert client.get(key) == b"1"
    assert 0 < client.ttl(key) <= background.QUEUED_FLAG_SECONDS


# --- the teacher's live endpoint ---


@pytest.mark.django_db
def test_the_live_endpoint_shows_the_live_pages_figures_to_the_classes_teachers_only(
    demo_pack, student, django_assert_max_num_queries
):
    [attempt] = _class_playing(demo_pack, 1)
    assignment = attempt.assignment
    rng = random.Random(10)
    for _ in range(3):
        _answer_next(attempt, rng)
    aggregation.fold_all()
    teacher = assignment.classroom.teachers.get()
    client = Client()
    client.force_login(teacher)
    page = client.get(reverse("teach:assignment_live", args=[assignment.pk])).content.decode()
    table_url = reverse("teach:assignment_live_table", args=[assignment.pk])
    assert table_url.startswith("/teach/live/")  # one prefix a proxy can route
    assert f'hx-get="{table_url}"' in page and 'hx-trigger="every 1s"' in page
    with django_assert_max_num_queries(8):
        table = client.get(table_url).content.decode()
    assert "<html" not in table
    assert "3/" in table and "1 of 1 started" in table
    assert table.strip() in page  # the very figures of the full page
    projected = client.get(table_url + "?projector=1").content.decode()
    assert "#1" in projected and attempt.user.username not in projected

    stranger = User.objects.create_user("scale-t2", password="x", role="teacher")
    for user, status in ((stranger, 404), (student, 403), (attempt.user, 403)):
        other = Client()
        other.force_login(user)
        assert other.get(table_url).status_code == status, user.username
    assert client.post(table_url).status_code == 405


def _plans(sql_start: str) -> int:
    """How often this connection has run its prepared statement that starts so (0: none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(generic_plans + custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [sql_start.replace("%", r"\%") + "%"],
        )
        return cursor.fetchone()[0]


def _assert_djangos_own_cursor() -> None:
    """Where nothing is prepared (another database, or DATABASE_PREPARE off), the hot
    paths run on Django's own cursor."""
    with rows.cursor() as hot, connection.cursor() as own:
        assert type(hot.cursor) is type(own.cursor)


# The beginnings of the statements a submit writes out (quiz.rows.cursor): the locked read,
# the closure check, the rounds, the clips and the insert.
_SUBMIT_STATEMENTS = (
    'SELECT t."id", t."user_id"',
    'SELECT 1 FROM "quiz_quizitem" i',
    'SELECT i."id", i."quiz_id"',
    'SELECT c."id", c."key"',
    'WITH a AS (INSERT INTO "quiz_answer"',
)


@pytest.mark.django_db
def test_a_submits_statements_are_prepared_once_and_run_on_every_submit(demo_pack):
    """PostgreSQL plans each written-out statement of a submit once per connection (Django's
    own cursors bind on the client, and each request would plan them again): every submit
    of a homework runs the same prepared statements."""
    if connection.vendor != "postgresql":
        _assert_djangos_own_cursor()
        return
    before = {sql: _plans(sql) for sql in _SUBMIT_STATEMENTS}
    [attempt] = _class_playing(demo_pack, 1)
    client = Client()
    client.force_login(attempt.user)
    rounds = selectors.attempt_rounds(attempt)
    for shown in rounds:
        assert _post(client, attempt, shown).status_code == 200
    runs = {sql: _plans(sql) - before[sql] for sql in _SUBMIT_STATEMENTS}
    # The clips' statement comes in two shapes (one clip, a pair's two).
    assert runs == dict.fromkeys(_SUBMIT_STATEMENTS, len(rounds)), runs
    assert Answer.objects.filter(attempt=attempt).count() == len(rounds)


@pytest.mark.django_db
def test_with_prepare_off_a_submit_prepares_nothing(student_client, demo_pack, settings):
    """Behind a pooler that cannot keep prepared statements (README, Production)."""
    settings.DATABASE_PREPARE = False
    _assert_djangos_own_cursor()
    if connection.vendor != "postgresql":
        return
    before = {sql: _plans(sql) for sql in _SUBMIT_STATEMENTS}
    attempt = _start(student_client, demo_pack)
    for shown in selectors.attempt_rounds(attempt)[:2]:
        assert _post(student_client, attempt, shown).status_code == 200
    assert {sql: _plans(sql) for sql in _SUBMIT_STATEMENTS} == before
    assert Answer.objects.filter(attempt=attempt).count() == 2


@pytest.mark.django_db
def test_a_prepared_statements_error_is_djangos_and_its_transaction_goes_on(
    student_client, demo_pack
):
    """A submit that loses a race to a concurrent one catches Django's IntegrityError
    (quiz.services.play._submit): the prepared cursor raises it as Django's cursors do."""
    attempt = _start(student_client, demo_pack)
    shown = selectors.attempt_rounds(attempt)[0]
    assert _post(student_client, attempt, shown).status_code == 200
    answer = Answer.objects.get(attempt=attempt)
    for _ in range(2):  # the second time on the statement already prepared
        with pytest.raises(IntegrityError), transaction.atomic(), rows.cursor() as cursor:
            cursor.execute(
                'INSERT INTO "quiz_answer" (attempt_id, item_id, guess, swapped, confidence, '
                "is_correct, points, created_at, user_id, position, day, categories, "
                "item_kind, media_kind, generator, clip_id) "
                "SELECT attempt_id, item_id, guess, swapped, confidence, is_correct, points, "
                "created_at, user_id, position, day, categories, item_kind, media_kind, "
                "generator, clip_id FROM quiz_answer WHERE id = %s",
                [answer.pk],
            )
    assert Answer.objects.filter(attempt=attempt).count() == 1


@pytest.mark.django_db
def test_a_rounds_page_reads_what_a_submit_reads_in_six_statements(demo_pack):
    """Each round's page (the htmx GET after every feedback, as often as a submit) reads what
    a submit reads, written out the same way: the attempt with its live game, the closure
    check, the rounds with their answers and the round's clips; six statements in all with
    the session and the user."""
    [attempt] = _class_playing(demo_pack, 1)
    client = Client()
    client.force_login(attempt.user)
    rounds = selectors.attempt_rounds(attempt)
    page = reverse("quiz:attempt_play", args=[attempt.pk])
    for number, shown in enumerate(rounds, start=1):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page, headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Round {number} of {len(rounds)}" in html
        assert reverse("quiz:answer_submit", args=[attempt.pk, shown.key]) in html
        assert len(_statements(captured)) <= 6, _statements(captured)
        assert _post(client, attempt, shown).status_code == 200
    assert client.get(page).status_code == 302  # every round answered: the summary
