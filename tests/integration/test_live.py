"""Live lessons (issue 15): every state change and every refusal of a game, its players and
their answers (ordinary answers of one attempt each), the pages, and the event stream fed by
Redis pub/sub, against PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import time
from datetime import timedelta

import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.template.loader import render_to_string
from django.test import AsyncClient, Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from accounts.models import Enrollment, School, User
from quiz import live_events
from quiz.models import Answer, Attempt, LiveGame, LivePlayer, Quiz, QuizItem, StatCell
from quiz.selectors import live as selectors
from quiz.services import live as services
from quiz.services.teach import assignment_create
from quiz.stats import aggregation
from tests import people, spot_answers
from tests.people import open_assignment
from tests.tiny_quiz import tiny_quiz

SUMMARY = "quiz/live/_class_summary.html"

pytestmark = pytest.mark.django_db


def _run(coroutine):
    """asyncio.run in a thread of its own: a browser test earlier in the same session may
    leave an event loop running in this thread (Playwright's sync API)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def school():
    return people.lakeside()


@pytest.fixture
def teacher(school):
    return people.school_teacher(school)


@pytest.fixture
def classroom(teacher, student, school):
    student.school = school
    student.save()
    return people.class_of(teacher, student)


@pytest.fixture
def classmate(classroom, school):
    user = User.objects.create_user(
        "mate", password="x", role="student", first_name="Mia", school=school
    )
    Enrollment.objects.create(classroom=classroom, student=user)
    return user


@pytest.fixture
def quiz():
    return tiny_quiz()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _right(game: LiveGame) -> str:
    """The right answer to the open round, as the devices show it."""
    shown = selectors.live_round(game)
    assert shown is not None
    return shown.correct_option()


def _wrong(game: LiveGame) -> str:
    shown = selectors.live_round(game)
    return next(o for o in shown.item.options() if o != shown.correct_option())


# --- Starting -----------------------------------------------------------------------------------


def test_a_new_game_waits_in_the_lobby_with_a_six_digit_pin(teacher, classroom, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    assert game.state == LiveGame.State.LOBBY
    assert re.fullmatch(r"[1-9]\d{5}", game.pin)
    assert sorted(game.round_order) == sorted(quiz.items.values_list("pk", flat=True))
    assert game.timer_s is None and game.leaderboard is False


def test_a_second_game_of_the_same_class_is_refused(teacher, classroom, quiz):
    first = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    with pytest.raises(services.LiveRefused, match="8A has a live game running"):
        services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    # Games for anyone with the PIN are not tied to a class.
    services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    services.game_end(game=first)
    assert services.game_start(teacher=teacher, quiz=quiz, classroom=classroom).pk != first.pk


def test_the_pin_is_unique_among_open_games_only(teacher, quiz, monkeypatch):
    pins = iter(["111111", "111111", "222222", "111111"])
    monkeypatch.setattr(services, "_new_pin", lambda: next(pins))
    first = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    second = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    assert (first.pin, second.pin) == ("111111", "222222")
    services.game_end(game=first)
    assert services.game_start(teacher=teacher, quiz=quiz, classroom=None).pin == "111111"


def test_a_class_the_teacher_does_not_teach_is_refused(school, classroom, quiz):
    stranger = User.objects.create_user("t2", password="x", role="teacher", school=school)
    with pytest.raises(services.LiveRefused, match="do not teach"):
        services.game_start(teacher=stranger, quiz=quiz, classroom=classroom)


def test_a_bad_timer_and_feed_rounds_are_refused(teacher, classroom, quiz):
    with pytest.raises(services.LiveRefused, match="30, 60 or 90"):
        services.game_start(teacher=teacher, quiz=quiz, classroom=classroom, timer_s=45)
    item = quiz.items.first()
    item.kind = "feed"
    item.save()
    with pytest.raises(services.LiveRefused, match="A feed cannot be played live"):
        services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)


def test_a_closed_assignment_cannot_be_run_live(teacher, classroom, quiz):
    now = timezone.now()
    (closed,) = assignment_create(
        teacher=teacher,
        quiz=quiz,
        classrooms=[classroom],
        opens_at=now - timedelta(days=2),
        due_at=now - timedelta(days=1),
        attempts_allowed=1,
        feedback="each",
    )
    with pytest.raises(services.LiveRefused, match="not open now"):
        services.game_start(teacher=teacher, quiz=quiz, classroom=None, assignment=closed)


def test_a_test_is_not_run_live(teacher, classroom, quiz, student):
    """A test shows its answers after its due time; a live game shows each round's answer to
    the class, and its attempts could then be finished at home (audit 3): refused by the
    service and the page, and its live view offers no "Run live in class"."""
    test = open_assignment(teacher, quiz, classroom, feedback="after_due")
    with pytest.raises(services.LiveRefused, match="This assignment is a test"):
        services.game_start(teacher=teacher, quiz=quiz, classroom=None, assignment=test)
    client = _client(teacher)
    url = reverse("live:game_new_for_assignment", args=[test.pk])
    refused = client.post(url, {"players": str(classroom.pk)})
    assert refused.status_code == 422 and "This assignment is a test" in refused.content.decode()
    assert not LiveGame.objects.exists()
    live_view = client.get(reverse("teach:assignment_live", args=[test.pk])).content.decode()
    assert url not in live_view
    homework = open_assignment(teacher, quiz, classroom, feedback="each")
    homework_view = client.get(reverse("teach:assignment_live", args=[homework.pk]))
    assert reverse("live:game_new_for_assignment", args=[homework.pk]) in (
        homework_view.content.decode()
    )


# --- Players ------------------------------------------------------------------------------------


def test_students_of_the_class_join_once_and_others_are_refused(
    teacher, classroom, quiz, student, other_student
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    player = services.player_join(game=game, user=student)
    assert player.name == "Stu" and not player.is_guest
    assert player.attempt.user == student and player.attempt.quiz == quiz
    assert player.attempt.round_order == game.round_order
    assert services.player_join(game=game, user=student).pk == player.pk
    with pytest.raises(services.LiveRefused, match="another class"):
        services.player_join(game=game, user=other_student)
    with pytest.raises(services.LiveRefused, match="sign in"):
        services.player_join(game=game, user=None, nickname="Fox")
    with pytest.raises(services.LiveRefused, match="student account"):
        services.player_join(game=game, user=teacher)


def test_anyone_with_the_pin_joins_with_a_nickname_as_a_guest(teacher, quiz, student):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = services.player_join(game=game, user=None, nickname="Fox")
    assert guest.is_guest and guest.name == "Fox"
    assert not guest.user.is_active and not guest.user.has_usable_password()
    assert guest.user.classrooms.count() == 0 and guest.user.school is None
    with pytest.raises(services.LiveRefused, match="has that nickname"):
        services.player_join(game=game, user=None, nickname="fox")
    assert services.player_join(game=game, user=student).name == "Stu"


def test_an_ended_game_takes_no_players(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    services.game_end(game=game)
    with pytest.raises(services.LiveRefused, match="ended"):
        services.player_join(game=game, user=None, nickname="Fox")


# --- Rounds and answers ------------------------------------------------------------------------


def test_a_whole_game_changes_state_step_by_step(teacher, classroom, quiz, student, classmate):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    stu = services.player_join(game=game, user=student)
    mia = services.player_join(game=game, user=classmate)
    versions = [game.version]

    with pytest.raises(services.LiveRefused, match="not open"):
        services.live_answer(game=game, player=stu, round_index=0, guess="real", confidence=70)
    game = services.round_open(game=game)
    assert (game.state, game.round_index, game.round_opened_at is not None) == ("open", 0, True)
    versions.append(game.version)

    services.live_answer(game=game, player=stu, round_index=0, guess=_right(game), confidence=90)
    with pytest.raises(services.LiveRefused, match="answered this round already"):
        services.live_answer(
            game=game, player=stu, round_index=0, guess=_wrong(game), confidence=50
        )
    assert selectors.answered_count(game) == (1, 2)
    with pytest.raises(services.LiveRefused, match="Reveal this round first"):
        services.round_open(game=game)

    game = services.round_reveal(game=game)
    assert (game.state, game.reveal_step) == ("revealed", 0)
    versions.append(game.version)
    with pytest.raises(services.LiveRefused, match="not open"):
        services.live_answer(game=game, player=mia, round_index=0, guess="real", confidence=70)

    steps = services.reveal_steps(game)
    for step in range(1, steps):
        game = services.reveal_next(game=game)
        assert game.reveal_step == step
    with pytest.raises(services.LiveRefused, match="Everything"):
        services.reveal_next(game=game)

    game = services.round_open(game=game)
    assert (game.state, game.round_index) == ("open", 1)
    # A form of the round before is refused, not taken for this one.
    with pytest.raises(services.LiveRefused, match="not open"):
        services.live_answer(game=game, player=mia, round_index=0, guess="real", confidence=70)

    game = services.game_settings(game=game, leaderboard=True, timer_s=60)
    assert (game.leaderboard, game.timer_s) == (True, 60)
    game = services.game_end(game=game)
    assert game.state == "ended" and game.ended_at is not None
    game = services.game_reopen(game=game)
    assert (game.state, game.round_index) == ("revealed", 1)
    versions.append(game.version)
    assert versions == sorted(set(versions))


def test_the_last_round_can_only_be_ended(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    game = services.round_open(game=game)
    for _round in range(game.round_count - 1):
        game = services.round_open(game=services.round_reveal(game=game))
    game = services.round_reveal(game=game)
    with pytest.raises(services.LiveRefused, match="last round"):
        services.round_open(game=game)


def test_the_round_is_revealed_when_everyone_has_answered(
    teacher, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    players = [services.player_join(game=game, user=u) for u in (student, classmate)]
    game = services.round_open(game=game)
    services.live_answer(
        game=game, player=players[0], round_index=0, guess=_right(game), confidence=60
    )
    game.refresh_from_db()
    assert game.state == "open"
    services.live_answer(
        game=game, player=players[1], round_index=0, guess=_wrong(game), confidence=80
    )
    game.refresh_from_db()
    assert game.state == "revealed"


def test_the_timer_reveals_the_round_and_idle_games_end(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None, timer_s=30)
    player = services.player_join(game=game, user=None, nickname="Fox")
    game = services.round_open(game=game)
    LiveGame.objects.filter(pk=game.pk).update(
        round_opened_at=timezone.now() - timedelta(seconds=31)
    )
    game.refresh_from_db()
    with pytest.raises(services.LiveRefused, match="not open"):
        services.live_answer(game=game, player=player, round_index=0, guess="real", confidence=70)
    assert LiveGame.objects.get(pk=game.pk).state == "revealed"

    LiveGame.objects.filter(pk=game.pk).update(last_activity_at=timezone.now() - timedelta(hours=2))
    game.refresh_from_db()
    assert services.game_refresh(game).state == "ended"


def test_nobody_answers_for_someone_else_or_in_another_game(teacher, classroom, quiz, student):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    other_game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = services.player_join(game=other_game, user=None, nickname="Fox")
    game = services.round_open(game=game)
    with pytest.raises(services.LiveRefused, match="not a player"):
        services.live_answer(game=game, player=guest, round_index=0, guess="real", confidence=70)
    # The device names no player: the page finds the one of the signed-in user or session.
    assert selectors.device_player(game, user=student, player_id=guest.pk) is None
    services.player_join(game=game, user=student)
    assert selectors.device_player(game, user=student, player_id=guest.pk).user == student


def test_reopening_is_refused_while_the_class_runs_another_game(teacher, classroom, quiz):
    first = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    services.game_end(game=first)
    services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    with pytest.raises(services.LiveRefused, match="another live game"):
        services.game_reopen(game=first)


def test_pair_answers_are_stored_in_the_quizs_terms_whatever_the_sides(teacher, quiz, student):
    from quiz.services.play import attempt_start

    # The student had started the quiz on their own: the game carries on with that attempt,
    # whose sides of the first pair differ from the game's.
    own = attempt_start(user=student, quiz=quiz)
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    pairs = list(quiz.items.filter(kind="pair").values_list("pk", flat=True))
    order = pairs + [pk for pk in game.round_order if pk not in pairs]
    LiveGame.objects.filter(pk=game.pk).update(round_order=order, swapped_pairs=[pairs[0]])
    Attempt.objects.filter(pk=own.pk).update(swapped_pairs=[])
    game.refresh_from_db()
    player = services.player_join(game=game, user=student)
    assert player.attempt_id == own.pk
    game = services.round_open(game=game)
    answer = services.live_answer(
        game=game, player=player, round_index=0, guess=_right(game), confidence=80
    )
    assert answer.is_correct and answer.guess == answer.item.correct_option()
    assert answer.swapped is False  # the attempt's own sides, as every report reads them


def test_answers_are_ordinary_answers_counted_exactly_once(
    teacher, classroom, quiz, student, classmate
):
    assignment = open_assignment(teacher, quiz, classroom)
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None, assignment=assignment)
    assert game.classroom == classroom
    stu = services.player_join(game=game, user=student)
    mia = services.player_join(game=game, user=classmate)
    game = services.round_open(game=game)
    services.live_answer(game=game, player=stu, round_index=0, guess=_right(game), confidence=90)
    services.live_answer(game=game, player=mia, round_index=0, guess=_wrong(game), confidence=70)
    game = services.round_open(game=LiveGame.objects.get(pk=game.pk))
    services.live_answer(game=game, player=stu, round_index=1, guess=_wrong(game), confidence=60)
    answers = Answer.objects.filter(assignment=assignment)
    assert answers.count() == 3
    assert {a.attempt.assignment_id for a in answers} == {assignment.pk}
    assert {a.classroom_id for a in answers} == {classroom.pk}
    aggregation.fold_all()
    aggregation.fold_all()
    cell = StatCell.objects.get(
        scope="assignment", scope_id=assignment.pk, dimension="overall", key=""
    )
    assert (cell.n, cell.correct) == (3, 1)
    assert cell.points_sum == sum(answers.values_list("points", flat=True))
    before = {(c.scope, c.scope_id, c.dimension, c.key): c.counts() for c in StatCell.objects.all()}
    aggregation.rebuild()
    after = {(c.scope, c.scope_id, c.dimension, c.key): c.counts() for c in StatCell.objects.all()}
    assert before == after
    summary = selectors.class_summary(game)
    assert (summary.players, summary.answers, summary.correct) == (2, 3, 1)
    said = " ".join(strip_tags(render_to_string(SUMMARY, {"summary": summary})).split())
    assert "2 players took part. Right answers: 1 of 3 (33 %)." in said
    alone = selectors.ClassSummary(players=1, answers=1, correct=1, points=100)
    with translation.override("de"):
        said = " ".join(strip_tags(render_to_string(SUMMARY, {"summary": alone})).split())
    assert "1 Person hat mitgespielt. Richtige Antworten: 1 von 1 (100 %)." in said


def test_a_class_game_from_a_quiz_counts_for_the_class_and_a_pin_game_for_none(
    teacher, classroom, quiz, student, classmate
):
    """A class's game started from a quiz (no assignment): its answers are the class's, in
    its school, through the fold and the rebuild alike; a game open to anyone with the PIN
    places its answers in no class."""
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    stu = services.player_join(game=game, user=student)
    mia = services.player_join(game=game, user=classmate)
    game = services.round_open(game=game)
    services.live_answer(game=game, player=stu, round_index=0, guess=_right(game), confidence=90)
    services.live_answer(game=game, player=mia, round_index=0, guess=_wrong(game), confidence=70)
    answers = Answer.objects.filter(attempt__in=[stu.attempt_id, mia.attempt_id])
    assert [(a.assignment_id, a.classroom_id, a.school_id) for a in answers] == [
        (None, classroom.pk, classroom.school_id)
    ] * 2
    aggregation.fold_all()
    cell = StatCell.objects.get(scope="class", scope_id=classroom.pk, dimension="overall", key="")
    assert (cell.n, cell.correct, cell.students) == (2, 1, 2)
    before = {(c.scope, c.scope_id, c.dimension, c.key): c.counts() for c in StatCell.objects.all()}
    aggregation.rebuild()
    after = {(c.scope, c.scope_id, c.dimension, c.key): c.counts() for c in StatCell.objects.all()}
    assert before == after

    services.game_end(game=LiveGame.objects.get(pk=game.pk))
    open_game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = services.player_join(game=open_game, user=None, nickname="Fox")
    open_game = services.round_open(game=open_game)
    services.live_answer(
        game=open_game, player=guest, round_index=0, guess=_right(open_game), confidence=60
    )
    assert Answer.objects.get(attempt=guest.attempt_id).classroom_id is None


def test_the_leaderboard_sums_points_and_names_the_most_improved(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None, leaderboard=True)
    fox = services.player_join(game=game, user=None, nickname="Fox")
    owl = services.player_join(game=game, user=None, nickname="Owl")
    game = services.round_open(game=game)
    services.live_answer(game=game, player=fox, round_index=0, guess=_right(game), confidence=100)
    services.live_answer(game=game, player=owl, round_index=0, guess=_wrong(game), confidence=100)
    game = services.round_open(game=LiveGame.objects.get(pk=game.pk))
    services.live_answer(game=game, player=fox, round_index=1, guess=_wrong(game), confidence=60)
    services.live_answer(game=game, player=owl, round_index=1, guess=_right(game), confidence=100)
    board = selectors.leaderboard(LiveGame.objects.get(pk=game.pk))
    assert [(s.name, s.points) for s in board.top] == [("Fox", 164), ("Owl", 100)]
    assert board.most_improved is not None and board.most_improved.name == "Owl"


# --- The news on Redis --------------------------------------------------------------------------


def test_every_change_is_published_after_the_commit(
    teacher, quiz, django_capture_on_commit_callbacks
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub()
    pubsub.subscribe(live_events.channel(game.pk), live_events.channel(game.pk, projector=True))
    time.sleep(0.1)
    with django_capture_on_commit_callbacks(execute=True):
        services.player_join(game=game, user=None, nickname="Fox")
    with django_capture_on_commit_callbacks(execute=True):
        game = services.round_open(game=game)
    with django_capture_on_commit_callbacks(execute=True):
        game = services.game_settings(game=game, leaderboard=True, timer_s=None)
    heard = []
    deadline = time.monotonic() + 5
    while len(heard) < 3 and time.monotonic() < deadline:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
        if message:
            to = "projector" if message["channel"].endswith(b":projector") else "all"
            heard.append({"channel": to, **json.loads(message["data"])})
    pubsub.close()
    assert [(h["channel"], h["kind"], h["v"]) for h in heard] == [
        ("projector", "players", 1),
        ("all", "state", game.version - 1),
        ("projector", "settings", game.version),
    ]


# --- Pages --------------------------------------------------------------------------------------


def _start_page(client, quiz, **data):
    return client.post(reverse("live:game_new", args=[quiz.slug]), data)


def test_the_teacher_starts_a_game_and_the_projector_shows_pin_and_qr(
    teacher, classroom, quiz, student
):
    client = _client(teacher)
    page = client.get(reverse("live:game_new", args=[quiz.slug]))
    assert page.status_code == 200 and "8A" in page.content.decode()
    response = _start_page(client, quiz, players=str(classroom.pk), timer="")
    game = LiveGame.objects.get()
    assert response.status_code == 302 and response.url == reverse("live:projector", args=[game.pk])
    projector = client.get(response.url).content.decode()
    assert game.pin in projector and '<svg viewBox="0 0 ' in projector and 'class="qr"' in projector
    assert "style=" not in projector
    assert f"/live/?pin={game.pin}" in projector
    # A second game of the class is refused with a message.
    again = _start_page(client, quiz, players=str(classroom.pk))
    assert again.status_code == 422 and "has a live game running" in again.content.decode()


def test_the_start_page_warns_of_tests_not_due_that_share_clips(
    teacher, school, classroom, quiz, student
):
    """A live game shows its answers: the start page names each test of the teacher's
    classes, not yet due, that shows some of the same clips, with how many."""
    from quiz.selectors.teach import quiz_clip_ids

    client = _client(teacher)
    url = reverse("live:game_new", args=[quiz.slug])
    assert "not due yet" not in client.get(url).content.decode()
    open_assignment(teacher, quiz, classroom)  # feedback after each round: shown anyway
    open_assignment(teacher, quiz, classroom, due_at=timezone.now() - timedelta(minutes=1))
    # Another school's test is not listed; another class's of the same school is.
    elsewhere = School.objects.create(name="Elsewhere")
    far_teacher = people.school_teacher(elsewhere, username="t-far")
    far_class = people.class_of(far_teacher, name="9F")
    open_assignment(far_teacher, quiz, far_class, feedback="after_due")
    assert "not due yet" not in client.get(url).content.decode()
    other_teacher = people.school_teacher(school, username="t-other")
    other_class = people.class_of(other_teacher, name="9C")
    parallel = open_assignment(other_teacher, quiz, other_class, feedback="after_due")
    assert "9C, due " in client.get(url).content.decode()
    parallel.delete()
    test = open_assignment(teacher, quiz, classroom, feedback="after_due")
    page = client.get(url).content.decode()
    clips = len(quiz_clip_ids(quiz))
    assert "not due yet" in page
    assert f"{clips} clips in “Tiny quiz” for {classroom.name}, due " in page
    # The test itself is not run live (the next test): its page says why, and warns of
    # nothing else.
    own = client.get(reverse("live:game_new_for_assignment", args=[test.pk])).content.decode()
    assert "not due yet" not in own
    assert "This assignment is a test" in own and "Start the game" not in own


def test_projector_pages_check_who_may_see_them(teacher, school, classroom, quiz, student):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    url = reverse("live:projector", args=[game.pk])
    other = User.objects.create_user("t2", password="x", role="teacher", school=school)
    assert _client(other).get(url).status_code == 404
    assert _client(student).get(url).status_code == 403
    assert _client().get(url).status_code == 302
    control = reverse("live:control", args=[game.pk])
    assert _client(teacher).get(control).status_code == 405
    assert _client(other).post(control, {"action": "open"}).status_code == 404
    game.refresh_from_db()
    assert game.state == "lobby"


def test_the_projector_controls_run_the_game_and_the_truth_waits_for_its_step(
    teacher, classroom, quiz, student
):
    client = _client(teacher)
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    services.player_join(game=game, user=student)
    control = reverse("live:control", args=[game.pk])
    projector = reverse("live:projector", args=[game.pk])
    assert client.post(control, {"action": "open"}).status_code == 302
    page = client.get(projector).content.decode()
    assert "0 of 1 answered" in page
    assert "was generated" not in page and "real camera footage." not in page
    client.post(control, {"action": "reveal"})
    page = client.get(projector).content.decode()
    assert "How the class answered" in page and "was generated." not in page
    client.post(control, {"action": "step"})
    page = client.get(projector).content.decode()
    assert "was generated." in page or "was real camera footage." in page
    client.post(control, {"action": "end"})
    page = client.get(projector).content.decode()
    assert "How the class did" in page and "Open the game again" in page
    client.post(control, {"action": "reopen"})
    assert LiveGame.objects.get(pk=game.pk).state == "revealed"
    client.post(control, {"action": "open"})
    client.post(control, {"action": "open"})  # refused: reveal first
    messages = [m.message for m in client.get(projector).context["messages"]]
    assert "Reveal this round first." in messages


def test_a_real_clips_reveal_explains_it_once_and_steps_through_its_decoys(
    teacher, classroom, quiz, student
):
    """A single real clip: its explanation is said once, and what it shows are decoys (real
    effects that look odd), not giveaways."""
    real = quiz.items.get(position=2).clip
    assert not real.is_generated and real.artifacts.count() == 1
    real.explanation = "Ordinary sensor noise in low light."
    real.save()
    one = Quiz.objects.create(title="One real clip", slug="one-real", is_public=True)
    QuizItem.objects.create(quiz=one, position=1, kind="single", clip=real)
    client = _client(teacher)
    game = services.game_start(teacher=teacher, quiz=one, classroom=classroom)
    services.player_join(game=game, user=student)
    control = reverse("live:control", args=[game.pk])
    projector = reverse("live:projector", args=[game.pk])
    client.post(control, {"action": "open"})
    client.post(control, {"action": "reveal"})
    client.post(control, {"action": "step"})
    page = client.get(projector).content.decode()
    assert "It was real camera footage." in page
    assert page.count("Ordinary sensor noise in low light.") == 1
    stage = page.split('id="stage"')[1].split("</main>")[0]
    assert "Show the next decoy" in stage and "giveaway" not in stage.lower()
    client.post(control, {"action": "step"})
    page = client.get(projector).content.decode()
    assert "Why it might have looked fake (decoys)" in page and "The giveaways" not in page


def test_a_guest_joins_by_pin_with_a_nickname_and_answers_on_the_device(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = _client()
    form = guest.get(reverse("live:join") + f"?pin={game.pin}")
    assert f'value="{game.pin}"' in form.content.decode()
    refused = guest.post(reverse("live:join"), {"pin": game.pin, "nickname": "F u c k"})
    assert refused.status_code == 422 and "choose another nickname" in refused.content.decode()
    assert guest.post(reverse("live:join"), {"pin": "999999", "nickname": "Fox"}).status_code == 422
    joined = guest.post(reverse("live:join"), {"pin": game.pin, "nickname": "Fox"})
    assert joined.url == reverse("live:device", args=[game.pk])
    assert "You're in!" in guest.get(joined.url).content.decode()
    services.player_join(game=game, user=None, nickname="Owl")  # so the round stays open
    game = services.round_open(game=game)
    device = guest.get(joined.url).content.decode()
    assert "Submit answer" in device
    assert "was generated" not in device
    answer = reverse("live:answer", args=[game.pk])
    stored = guest.post(
        answer,
        {"round": 0, "guess": _right(game), "confidence": 80},
        headers={"HX-Request": "true"},
    )
    assert stored.status_code == 200 and "Answer saved." in stored.content.decode()
    twice = guest.post(
        answer,
        {"round": 0, "guess": _wrong(game), "confidence": 80},
        headers={"HX-Request": "true"},
    )
    # The device shows no form any more; a replayed post is refused and changes nothing.
    assert twice.status_code == 409 and "answered this round already" in twice.content.decode()
    # Until the reveal the device's points leave the open round out: a right answer at 80 %
    # adds 96, a wrong one 36, so the total would tell (audit 3).
    points = Answer.objects.get().points
    assert points > 0
    while_open = guest.get(joined.url).content.decode()
    assert "· 0 points</p>" in while_open and f"{points} points" not in while_open
    game = services.round_reveal(game=game)
    assert f"· {points} points</p>" in guest.get(joined.url).content.decode()
    assert Answer.objects.get().guess in (_right(game), "a", "b")
    # A stranger's browser is no player of the game.
    assert _client().get(joined.url).status_code == 404
    assert (
        _client().post(answer, {"round": 0, "guess": "real", "confidence": 80}).status_code == 404
    )


def test_class_games_take_signed_in_students_with_one_click(
    teacher, classroom, quiz, student, other_student
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    client = _client(student)
    home = client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Join the live lesson" in home
    assert (
        "Join the live lesson"
        not in _client(other_student).get(reverse("quiz:quiz_list")).content.decode()
    )
    response = client.post(reverse("live:join_class_game", args=[game.pk]))
    assert response.url == reverse("live:device", args=[game.pk])
    assert LivePlayer.objects.filter(game=game, user=student).exists()
    assert (
        _client(other_student).post(reverse("live:join_class_game", args=[game.pk])).status_code
        == 404
    )
    guest = _client().post(reverse("live:join"), {"pin": game.pin, "nickname": "Fox"})
    assert guest.status_code == 422 and "sign in" in guest.content.decode()


def test_the_panel_answers_204_when_nothing_changed(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = _client()
    guest.post(reverse("live:join"), {"pin": game.pin, "nickname": "Fox"})
    panel = reverse("live:panel", args=[game.pk])
    assert guest.get(panel, {"v": game.version}).status_code == 204
    game = services.round_open(game=game)
    fresh = guest.get(panel, {"v": game.version - 1})
    assert fresh.status_code == 200 and "Submit answer" in fresh.content.decode()


# --- The event stream ---------------------------------------------------------------------------


async def _next_event(stream, timeout: float = 5.0) -> str:
    """The next chunk of the stream that is an event (heartbeats skipped)."""
    while True:
        chunk = (await asyncio.wait_for(anext(stream), timeout)).decode()
        if chunk.startswith("event:"):
            return chunk


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_sends_the_state_on_connect_and_every_change(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = services.player_join(game=game, user=None, nickname="Fox")

    async def scenario() -> list[str]:
        client = AsyncClient()
        session = await sync_to_async(lambda: client.session)()
        session[selectors.SESSION_KEY] = {str(game.pk): guest.pk}
        await sync_to_async(session.save)()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        response = await client.get(reverse("live:events", args=[game.pk]))
        assert response["Content-Type"] == "text/event-stream"
        stream = aiter(response.streaming_content)
        heard = [await _next_event(stream)]
        await sync_to_async(services.round_open)(game=game)
        heard.append(await _next_event(stream))
        await sync_to_async(services.round_reveal)(game=game)
        heard.append(await _next_event(stream))
        await stream.aclose()
        await sync_to_async(connections.close_all)()
        return heard

    heard = _run(scenario())
    assert heard[0].startswith("event: state\nid: 1\ndata: 1")
    assert heard[1] == "event: state\ndata: 2\n\n"
    assert heard[2] == "event: state\ndata: 3\n\n"


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_is_for_the_games_teacher_and_players_only(teacher, quiz, student):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)

    async def status(user) -> int:
        client = AsyncClient()
        if user is not None:
            await sync_to_async(client.force_login)(user)
        response = await client.get(reverse("live:events", args=[game.pk]))
        await sync_to_async(connections.close_all)()
        return response.status_code

    assert _run(status(None)) == 404
    assert _run(status(student)) == 404


def test_the_self_paced_pages_send_a_live_player_back_to_the_game(
    teacher, classroom, quiz, student
):
    from quiz.selectors.play import attempt_rounds

    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    player = services.player_join(game=game, user=student)
    client = _client(student)
    device = reverse("live:device", args=[game.pk])
    play = reverse("quiz:attempt_play", args=[player.attempt_id])
    assert client.get(play).url == device
    first = attempt_rounds(player.attempt)[0]
    submit = reverse("quiz:answer_submit", args=[player.attempt_id, first.key])
    ahead = client.post(submit, {"guess": "real", "confidence": 90})
    assert ahead.url == device and not Answer.objects.exists()
    htmx = client.post(submit, {"guess": "real", "confidence": 90}, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == device and not Answer.objects.exists()
    services.game_end(game=game)
    # Once the game has ended, the rounds it did not reach can be played on one's own.
    own = {**spot_answers.post_data(first.item, first.correct_option()), "confidence": "90"}
    done = client.post(submit, own)
    assert done.status_code == 302 and done.url != device
    assert Answer.objects.filter(attempt_id=player.attempt_id).count() == 1


def test_without_javascript_the_answer_posts_and_returns_to_the_device_page(
    teacher, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    services.player_join(game=game, user=student)
    services.player_join(game=game, user=classmate)
    game = services.round_open(game=game)
    client = _client(student)
    answer = reverse("live:answer", args=[game.pk])
    response = client.post(answer, {"round": 0, "guess": _right(game), "confidence": 70})
    assert response.url == reverse("live:device", args=[game.pk])
    assert "Answer saved." in client.get(response.url).content.decode()
    again = client.post(answer, {"round": 0, "guess": _right(game), "confidence": 70})
    page = client.get(again.url).content.decode()
    assert "You have answered this round already." in page
    bad = client.post(answer, {"round": 0, "guess": "maybe", "confidence": 30})
    assert bad.status_code == 422


def test_an_idle_game_neither_blocks_its_class_nor_takes_players(teacher, classroom, quiz, student):
    idle = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    LiveGame.objects.filter(pk=idle.pk).update(
        last_activity_at=timezone.now() - timedelta(hours=2, minutes=1)
    )
    assert selectors.open_game_by_pin(idle.pin) is None
    assert selectors.open_games_for_student(student) == []
    fresh = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    assert LiveGame.objects.get(pk=idle.pk).state == "ended"
    assert selectors.open_games_for_student(student) == [fresh]


@pytest.mark.parametrize(
    ("nickname", "blocked"),
    [("Fox", False), ("Sussex", False), ("Dickens", False), ("F u_c k", True), ("5h1t", True)],
)
def test_nicknames_are_checked_against_the_block_list(nickname, blocked):
    from quiz.forms.live import nickname_blocked

    assert nickname_blocked(nickname) is blocked


@pytest.mark.django_db(transaction=True)
def test_the_projectors_stream_also_hears_players_and_answers(teacher, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)

    async def scenario() -> list[str]:
        client = AsyncClient()
        await sync_to_async(client.force_login)(teacher)
        response = await client.get(reverse("live:events", args=[game.pk]))
        stream = aiter(response.streaming_content)
        heard = [await _next_event(stream)]
        fox = await sync_to_async(services.player_join)(game=game, user=None, nickname="Fox")
        await sync_to_async(services.player_join)(game=game, user=None, nickname="Owl")
        heard.append(await _next_event(stream))
        heard.append(await _next_event(stream))
        opened = await sync_to_async(services.round_open)(game=game)
        heard.append(await _next_event(stream))
        shown = await sync_to_async(selectors.live_round)(opened)
        await sync_to_async(services.live_answer)(
            game=opened, player=fox, round_index=0, guess=shown.item.options()[0], confidence=60
        )
        heard.append(await _next_event(stream))
        await stream.aclose()
        await sync_to_async(connections.close_all)()
        return [chunk.split("\n")[0] for chunk in heard]

    assert _run(scenario()) == [
        "event: state",
        "event: players",
        "event: players",
        "event: state",
        "event: answered",
    ]


def test_a_guests_device_gets_the_rounds_media_under_its_own_names_only(teacher, demo_pack):
    from quiz.models import Clip, Quiz, QuizItem

    clip = Clip.objects.ready().filter(media_kind="video").first()
    quiz = Quiz.objects.create(title="One clip", slug="one-clip", created_by=teacher)
    QuizItem.objects.create(quiz=quiz, position=1, kind="single", clip=clip)
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest, stranger = _client(), _client()
    guest.post(reverse("live:join"), {"pin": game.pin, "nickname": "Fox"})
    stranger.post(reverse("live:join"), {"pin": game.pin, "nickname": "Owl"})
    services.round_open(game=game)
    page = guest.get(reverse("live:device", args=[game.pk])).content.decode()
    src = re.search(r'src="(/live/\d+/media/[0-9a-f]{32}\.mp4)"', page).group(1)
    assert clip.media.name not in page
    media = guest.get(src)
    assert media.status_code == 200 and media["Content-Type"] == "video/mp4"
    # Another player's names are their own: this one's name means nothing to them.
    assert stranger.get(src).status_code == 404
    assert _client().get(src).status_code == 404


def test_a_device_page_names_no_item_or_clip_before_the_answer(teacher, demo_pack):
    """An id of the round's item or clip on the device (say, in the media element's id)
    would name the same clip in the feedback of another quiz: a table of id -> truth."""
    from quiz.models import Clip, Quiz, QuizItem

    clips = list(Clip.objects.ready().filter(media_kind="video").order_by("pk")[:2])
    quiz = Quiz.objects.create(title="Ids", slug="ids", created_by=teacher)
    # Ids far from the round's number, so a match cannot be a coincidence.
    QuizItem.objects.create(pk=987_654, quiz=quiz, position=1, kind="single", clip=clips[0])
    QuizItem.objects.create(
        pk=987_655, quiz=quiz, position=2, kind="pair", clip=clips[0], other_clip=clips[1]
    )
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    guest = _client()
    guest.post(reverse("live:join"), {"pin": game.pin, "nickname": "Fox"})
    for _ in range(2):
        game = services.round_open(game=game)
        page = guest.get(reverse("live:device", args=[game.pk])).content.decode()
        assert 'id="live-' in page
        assert "98765" not in page
        game = services.round_reveal(game=game)
