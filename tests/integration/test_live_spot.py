"""Live lessons, the missing parts (issue 15 with issue 14 §1): spot rounds played live
(graded and stored exactly like self-paced spot rounds, every refusal), the projector's
spot reveal (hits and misses by confidence, then the boxes with the class's marks, then the
giveaways), reveal steps swapped in place (the clip is kept), class games in the teacher's
reports (and nobody else's), and the guests' cleanup (their answers taken out of the
statistics exactly)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz import spot
from quiz.models import Answer, Attempt, Clip, LiveGame, LivePlayer, Quiz, QuizItem, StatCell
from quiz.scoring import points_for
from quiz.selectors import live as selectors
from quiz.services import live as services
from quiz.services import play
from quiz.stats import aggregation
from tests.integration.test_privacy import _assert_equal_to_a_rebuild

pytestmark = pytest.mark.django_db

IMAGE_HIT = spot.Mark(200, 200)  # inside the image's giveaway (0.1-0.3 of the frame)
IMAGE_MISS = spot.Mark(900, 900)
VIDEO_HIT = spot.Mark(600, 600, 1500)  # inside the video's giveaway, at 1-2 s
VIDEO_LATE = spot.Mark(600, 600, 3800)  # the right place, too late


@pytest.fixture
def school():
    return School.objects.create(name="Spotside", time_zone="Europe/Berlin")


@pytest.fixture
def teacher(school):
    return User.objects.create_user("t1", password="x", role="teacher", school=school)


@pytest.fixture
def classroom(teacher, student, school):
    student.school = school
    student.first_name = "Sam"
    student.save()
    classroom = account_services.classroom_create(teacher=teacher, name="8S")
    Enrollment.objects.create(classroom=classroom, student=student)
    return classroom


@pytest.fixture
def classmate(classroom, school):
    user = User.objects.create_user(
        "mate", password="x", role="student", first_name="Mia", school=school
    )
    Enrollment.objects.create(classroom=classroom, student=user)
    return user


def _clip(key: str, kind: str, *, generated: bool, box=None, times=(None, None)) -> Clip:
    clip = Clip.objects.create(
        key=key,
        media_kind=kind,
        status=Clip.Status.READY,
        is_generated=generated,
        generator="model-a" if generated else "camera",
        duration_s=4.0 if kind == "video" else None,
        width=640,
        height=640,
    )
    clip.media.name = f"clips/{key}.{'mp4' if kind == 'video' else 'jpg'}"
    clip.poster.name = f"posters/{key}.jpg" if kind == "video" else ""
    clip.save()
    if box:
        clip.artifacts.create(
            category="anatomy",
            box_x=box[0],
            box_y=box[1],
            box_w=0.2,
            box_h=0.2,
            start_s=times[0],
            end_s=times[1],
            explanation="A third eye.",
        )
    return clip


@pytest.fixture
def quiz() -> Quiz:
    """A spot round on an image, one on a video, and a real-or-generated round."""
    quiz = Quiz.objects.create(title="Spot live", slug="spot-live", is_public=True)
    image = _clip("spot-img", "image", generated=True, box=(0.1, 0.1))
    video = _clip("spot-vid", "video", generated=True, box=(0.5, 0.5), times=(1.0, 2.0))
    real = _clip("real-vid", "video", generated=False)
    QuizItem.objects.create(quiz=quiz, position=1, kind="spot", clip=image)
    QuizItem.objects.create(quiz=quiz, position=2, kind="spot", clip=video)
    QuizItem.objects.create(quiz=quiz, position=3, kind="single", clip=real)
    return quiz


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _to_round(game: LiveGame, kind: str, clip_key: str | None = None) -> LiveGame:
    """Open rounds until the one on screen is of `kind` (and clip)."""
    game = services.round_open(game=game)
    while True:
        item = selectors.current_item(game)
        if item.kind == kind and (clip_key is None or item.clip.key == clip_key):
            return game
        game = services.round_reveal(game=game)
        game = services.round_open(game=game)


def _answer(game, player, mark, confidence=80):
    return services.live_answer(
        game=game,
        player=player,
        round_index=game.round_index,
        guess="spot",
        confidence=confidence,
        mark=mark,
    )


# --- Starting ----------------------------------------------------------------------------------


def test_a_quiz_with_spot_rounds_starts_live_but_a_feed_is_refused_saying_why(
    teacher, classroom, quiz
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    assert sorted(game.round_order) == sorted(quiz.items.values_list("pk", flat=True))
    services.game_end(game=game)
    feed = Quiz.objects.create(title="A feed", slug="a-feed", mode=Quiz.Mode.FEED)
    QuizItem.objects.create(quiz=feed, position=1, kind="feed", clip=quiz.items.first().clip)
    with pytest.raises(services.LiveRefused, match="A feed cannot be played live"):
        services.game_start(teacher=teacher, quiz=feed, classroom=classroom)
    # The start page says so too.
    feed.created_by = teacher
    feed.save()
    response = _client(teacher).post(
        reverse("live:game_new", args=[feed.slug]), {"players": str(classroom.pk), "timer": ""}
    )
    assert response.status_code == 422
    assert "A feed cannot be played live" in response.content.decode()
    assert not LiveGame.objects.filter(quiz=feed).exists()


# --- Answering a spot round ------------------------------------------------------------------


def test_a_spot_answer_is_graded_and_stored_like_a_self_paced_one(
    teacher, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    sam = services.player_join(game=game, user=student)
    mia = services.player_join(game=game, user=classmate)
    game = _to_round(game, "spot", "spot-vid")
    item = selectors.current_item(game)
    hit = _answer(game, sam, VIDEO_HIT, 90)
    miss = _answer(game, mia, VIDEO_LATE, 70)
    assert (hit.guess, hit.spot_x, hit.spot_y, hit.spot_ms) == ("spot", 600, 600, 1500)
    assert hit.spot_hit is True and hit.is_correct is True
    assert hit.points == points_for(90, True)
    assert (miss.spot_hit, miss.is_correct, miss.points) == (False, False, points_for(70, False))
    # Exactly what self-paced play's grading says about the same marks.
    artifacts = list(item.clip.artifacts.all())
    assert play.spot_graded(item, VIDEO_HIT, artifacts) is True
    assert play.spot_graded(item, VIDEO_LATE, artifacts) is False
    # Ordinary answers of the players' attempts, with the facts the statistics group by.
    assert hit.attempt_id == sam.attempt_id and hit.item_kind == "spot"
    # Everyone answered: the round is revealed.
    game.refresh_from_db()
    assert game.state == LiveGame.State.REVEALED


def test_spot_answers_are_refused_when_closed_outside_twice_or_for_someone_else(
    teacher, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    sam = services.player_join(game=game, user=student)
    services.player_join(game=game, user=classmate)
    # Not open yet (the lobby).
    with pytest.raises(services.LiveRefused, match="not open"):
        _answer(game, sam, IMAGE_HIT)
    game = _to_round(game, "spot", "spot-img")
    # A mark outside the frame.
    with pytest.raises(services.LiveRefused, match="inside the picture"):
        _answer(game, sam, spot.Mark(1200, 10))
    # No mark at all.
    with pytest.raises(services.LiveRefused, match="Mark where the giveaway is"):
        _answer(game, sam, None)
    assert not Answer.objects.filter(attempt_id=sam.attempt_id).exists()
    _answer(game, sam, IMAGE_HIT)
    # Twice.
    with pytest.raises(services.LiveRefused, match="answered this round already"):
        _answer(game, sam, IMAGE_MISS)
    # For someone else: a player of another game.
    other = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    stranger = services.player_join(game=other, user=None, nickname="Fox")
    with pytest.raises(services.LiveRefused, match="not a player of this game"):
        _answer(game, stranger, IMAGE_HIT)
    # A round that was revealed.
    game = services.round_reveal(game=game)
    mia = LivePlayer.objects.get(game=game, user=classmate)
    with pytest.raises(services.LiveRefused, match="not open"):
        _answer(game, mia, IMAGE_HIT)
    assert Answer.objects.filter(item__kind="spot").count() == 1


def test_a_video_mark_needs_a_moment_inside_the_clip(teacher, quiz, student):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    sam = services.player_join(game=game, user=student)
    game = _to_round(game, "spot", "spot-vid")
    with pytest.raises(services.LiveRefused, match="Pause the video"):
        _answer(game, sam, spot.Mark(600, 600, None))
    with pytest.raises(services.LiveRefused, match="not in the video"):
        _answer(game, sam, spot.Mark(600, 600, 9000))
    assert _answer(game, sam, VIDEO_HIT).spot_hit


# --- The device ----------------------------------------------------------------------------------


def test_the_device_marks_a_spot_round_with_the_same_control_and_keeps_the_truth(
    teacher, classroom, quiz, student
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    services.player_join(game=game, user=student)
    game = _to_round(game, "spot", "spot-vid")
    client = _client(student)
    html = client.get(reverse("live:device", args=[game.pk])).content.decode()
    assert "Where is the giveaway?" in html and "was made by AI" in html
    # The self-paced marking partial: the layer for spot.js, the grid and moment without it.
    assert "data-spot-layer" in html and 'name="spot_cell"' in html and 'name="spot_s"' in html
    assert "js/spot.js" in html
    # Nothing of the giveaway before the answer.
    assert "artifact-box" not in html and "A third eye" not in html and "data-start=" not in html
    # The clip under the attempt's own names, not the stored one.
    assert "spot-vid" not in html and re.search(r'src="/live/\d+/media/[^"]+\.mp4"', html)


def test_the_device_posts_a_mark_or_a_grid_square_and_refuses_bad_ones(
    teacher, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    services.player_join(game=game, user=student)
    services.player_join(game=game, user=classmate)
    game = _to_round(game, "spot", "spot-img")
    url = reverse("live:answer", args=[game.pk])
    client = _client(student)
    data = {"round": game.round_index, "confidence": "85"}
    # Outside the frame: the form says so (422), nothing stored.
    response = client.post(url, {**data, "spot_x": "1200", "spot_y": "10"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "must be inside the picture" in response.content.decode()
    # No mark at all.
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Mark where the giveaway is" in response.content.decode()
    assert not Answer.objects.exists()
    # Without JavaScript: a square of the grid (column 1, row 1 from 0: centre 187, 187).
    response = client.post(url, {**data, "spot_cell": "1-1"})
    assert response.status_code == 302
    answer = Answer.objects.get(attempt__user=student)
    assert (answer.spot_x, answer.spot_y, answer.spot_hit, answer.confidence) == (
        187,
        187,
        True,
        85,
    )
    # Twice: refused, the first answer stays.
    response = client.post(url, {**data, "spot_x": "900", "spot_y": "900"}, HTTP_HX_REQUEST="true")
    assert (
        response.status_code == 409 and "answered this round already" in response.content.decode()
    )
    assert Answer.objects.filter(attempt__user=student).count() == 1
    # A player never answers for someone else: the device is the signed-in user's own.
    outsider = User.objects.create_user("outsider", password="x", role="student")
    assert _client(outsider).post(url, {**data, "spot_cell": "1-1"}).status_code == 404
    # Mia answers by click (spot_x, spot_y): the round is revealed; the device shows her
    # own mark against the boxes, and says where the giveaway was.
    mia = _client(classmate)
    response = mia.post(url, {**data, "spot_x": "900", "spot_y": "900"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not this time." in html and "Your mark missed the giveaway." in html
    assert "artifact-box" in html and "spot-mark-drawn" in html
    assert "It was far above and to the left of your mark." in html
    assert html.count("% sure") == 1  # said once, with the points
    assert "\u00a0% sure" in html  # the number and its unit stay on one line
    # A closed round: refused.
    response = mia.post(url, {**data, "spot_x": "200", "spot_y": "200"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert Answer.objects.count() == 2


# --- The projector's reveal ------------------------------------------------------------------------


def test_the_projector_reveals_hits_and_misses_then_boxes_and_marks_then_giveaways(
    teacher, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    sam = services.player_join(game=game, user=student)
    mia = services.player_join(game=game, user=classmate)
    game = _to_round(game, "spot", "spot-img")
    client = _client(teacher)
    url = reverse("live:projector", args=[game.pk])
    assert "Where is the giveaway?" in client.get(url).content.decode()
    _answer(game, sam, IMAGE_HIT, 95)
    _answer(game, mia, IMAGE_MISS, 60)
    game.refresh_from_db()
    shown = selectors.live_round(game)
    found = selectors.distribution(game, shown)
    assert found.options == ("hit", "miss") and (found.n, found.correct) == (2, 1)
    assert [band.counts for band in found.bands] == [
        {"hit": 0, "miss": 1},
        {"hit": 0, "miss": 0},
        {"hit": 1, "miss": 0},
    ]
    html = client.get(url).content.decode()
    assert "Marked a giveaway" in html and "Missed it" in html
    # Step 0: the answers only; nothing of where the giveaway was.
    assert "artifact-box" not in html and "live-mark" not in html
    control = reverse("live:control", args=[game.pk])
    client.post(control, {"action": "step"}, HTTP_HX_REQUEST="true")
    html = client.get(url).content.decode()
    # Step 1, the truth: every box, and the class's marks as dots without names.
    assert html.count('class="artifact-box"') == 1
    assert (
        html.count('class="live-mark is-hit"') == 1 and html.count('class="live-mark is-miss"') == 1
    )
    assert "1 of 2 marked a giveaway." in html
    assert "Sam" not in html.split("live-reveal")[1] and "Mia" not in html.split("live-reveal")[1]
    assert "A third eye" not in html
    # Step 2: the giveaway explained.
    client.post(control, {"action": "step"}, HTTP_HX_REQUEST="true")
    html = client.get(url).content.decode()
    assert "A third eye" in html


def test_a_reveal_step_keeps_the_page_and_the_stage_keeps_the_clip(teacher, quiz, student):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    sam = services.player_join(game=game, user=student)
    game = _to_round(game, "spot", "spot-vid")
    _answer(game, sam, VIDEO_HIT)
    client = _client(teacher)
    control = reverse("live:control", args=[game.pk])
    stage = reverse("live:projector_part", args=[game.pk, "stage"])
    media_id = f"live-{game.round_index + 1}-a"
    # From htmx the page stays: no redirect, the stage is asked to fetch itself again.
    response = client.post(control, {"action": "step"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "live-stage"
    assert "<html" not in response.content.decode()
    game.refresh_from_db()
    assert game.reveal_step == 1
    # The stage keeps the playing video across its swaps (one id per round), and the seek
    # buttons drive it.
    html = client.get(stage, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="stage"') and 'hx-sync="this:drop"' in html
    assert re.search(rf'<video id="{media_id}" hx-preserve="true"', html)
    client.post(control, {"action": "step"}, HTTP_HX_REQUEST="true")
    html = client.get(stage, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(rf'<video id="{media_id}" hx-preserve="true"', html)
    assert f'data-media="{media_id}"' in html
    # A refused step is said in the page, out of band.
    html = client.post(control, {"action": "step"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Everything about this round is shown." in html and 'hx-swap-oob="true"' in html
    game.refresh_from_db()
    if game.round_index + 1 < game.round_count:
        # The next round's clip is another element.
        client.post(control, {"action": "open"}, HTTP_HX_REQUEST="true")
        html = client.get(stage, HTTP_HX_REQUEST="true").content.decode()
        assert media_id not in html and "Reveal" in html
    # Without htmx the control still redirects to the page.
    assert client.post(control, {"action": "reveal"}).status_code == 302


def test_the_devices_clip_is_not_kept_between_swaps(teacher, quiz, student):
    """Only the projector keeps its clip (hx-preserve): a device's panel is its own."""
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    services.player_join(game=game, user=student)
    game = _to_round(game, "single")
    html = _client(student).get(reverse("live:device", args=[game.pk])).content.decode()
    assert "<video" in html and "hx-preserve" not in html


# --- Reports -----------------------------------------------------------------------------------


def test_a_class_game_is_in_the_class_teachers_reports_only(
    teacher, school, classroom, quiz, student, classmate
):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    sam = services.player_join(game=game, user=student)
    services.player_join(game=game, user=classmate)
    game = _to_round(game, "spot", "spot-img")
    _answer(game, sam, IMAGE_HIT, 90)
    game = services.game_end(game=game)
    client = _client(teacher)
    # Listed under the class, with its date and quiz.
    page = client.get(reverse("accounts:classroom_detail", args=[classroom.pk])).content.decode()
    report_url = reverse("live:report", args=[game.pk])
    assert report_url in page
    assert f"Live lesson {timezone.localdate(game.created_at):%b}" in page or "Live lesson" in page
    assert "Spot live" in page
    # The report: every player, their answers (a mark against the truth).
    response = client.get(report_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sam" in html and "Mia" in html and "Marked the giveaway: hit" in html
    assert "no answers" in html  # Mia answered nothing
    report = selectors.game_report(game)
    assert [(s.student.first_name, len(s.answers)) for s in report.students] == [
        ("Mia", 0),
        ("Sam", 1),
    ]
    # A co-teacher of the class sees it too; another teacher gets a 404.
    co = User.objects.create_user("co", password="x", role="teacher", school=school)
    classroom.teachers.add(co)
    assert _client(co).get(report_url).status_code == 200
    stranger = User.objects.create_user("t2", password="x", role="teacher", school=school)
    assert _client(stranger).get(report_url).status_code == 404
    assert _client(student).get(report_url).status_code in (302, 403, 404)
    # The teacher's list of games links the report.
    assert report_url in client.get(reverse("live:game_list")).content.decode()


def test_a_game_for_anyone_is_reported_to_the_teacher_who_ran_it_only(teacher, school, quiz):
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    fox = services.player_join(game=game, user=None, nickname="Fox")
    game = _to_round(game, "spot", "spot-img")
    _answer(game, fox, IMAGE_MISS)
    url = reverse("live:report", args=[game.pk])
    html = _client(teacher).get(url).content.decode()
    assert "Fox" in html and "anyone with the PIN" in html
    other = User.objects.create_user("t2", password="x", role="teacher", school=school)
    assert _client(other).get(url).status_code == 404


# --- Guests' cleanup -------------------------------------------------------------------------


def test_guests_of_games_ended_a_day_ago_go_with_their_answers_and_the_cells_stay_exact(
    teacher, classroom, quiz, student, settings
):
    now = timezone.now()
    old = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    fox = services.player_join(game=old, user=None, nickname="Fox")
    kid = services.player_join(game=old, user=student)  # a signed-in student: kept
    old = _to_round(old, "spot", "spot-img")
    _answer(old, fox, IMAGE_HIT)
    _answer(old, kid, IMAGE_MISS)
    services.game_end(game=old)
    recent = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    owl = services.player_join(game=recent, user=None, nickname="Owl")
    recent = _to_round(recent, "spot", "spot-img")
    _answer(recent, owl, IMAGE_HIT)
    services.game_end(game=recent)
    running = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    bee = services.player_join(game=running, user=None, nickname="Bee")
    aggregation.fold_all()
    assert StatCell.objects.filter(scope="user", scope_id=fox.user_id).exists()
    LiveGame.objects.filter(pk=old.pk).update(ended_at=now - timedelta(days=1, minutes=1))
    LiveGame.objects.filter(pk=recent.pk).update(ended_at=now - timedelta(hours=23))

    assert services.guests_purge(keep_days=1, now=now) == 1
    assert not User.objects.filter(pk=fox.user_id).exists()
    assert not Attempt.objects.filter(pk=fox.attempt_id).exists()
    assert not LivePlayer.objects.filter(pk=fox.pk).exists()
    assert not StatCell.objects.filter(scope="user", scope_id=fox.user_id).exists()
    # The signed-in student, the guests of a recent and of a running game stay.
    assert User.objects.filter(pk__in=[student.pk, owl.user_id, bee.user_id]).count() == 3
    assert Answer.objects.filter(attempt_id=kid.attempt_id).count() == 1
    # The statistics equal a rebuild from the answers left.
    _assert_equal_to_a_rebuild()
    # Safe to repeat; the beat's task does the same with the setting.
    assert services.guests_purge(keep_days=1, now=now) == 0
    settings.LIVE_GUEST_KEEP_DAYS = 1
    from quiz import tasks

    LiveGame.objects.filter(pk=recent.pk).update(ended_at=now - timedelta(days=2))
    assert tasks.live_guests_purge() == 1
    assert not User.objects.filter(pk=owl.user_id).exists()
    _assert_equal_to_a_rebuild()


def test_a_game_left_idle_is_ended_first_and_a_guest_that_joined_a_class_stays(
    teacher, classroom, quiz
):
    now = timezone.now()
    game = services.game_start(teacher=teacher, quiz=quiz, classroom=None)
    fox = services.player_join(game=game, user=None, nickname="Fox")
    LiveGame.objects.filter(pk=game.pk).update(last_activity_at=now - timedelta(hours=3))
    # Idle: ended now, so its guests have a day from now.
    assert services.guests_purge(keep_days=1, now=now) == 0
    game.refresh_from_db()
    assert game.is_ended and User.objects.filter(pk=fox.user_id).exists()
    # An account in a class is never deleted as a guest, whatever its player says.
    Enrollment.objects.create(classroom=classroom, student=fox.user)
    assert services.guests_purge(keep_days=1, now=now + timedelta(days=2)) == 0
    assert User.objects.filter(pk=fox.user_id).exists()


def test_the_demo_quiz_with_its_spot_rounds_runs_live(demo_pack, teacher, student):
    demo = Quiz.objects.get(slug="demo")
    assert demo.items.filter(kind="spot").count() == 3
    game = services.game_start(teacher=teacher, quiz=demo, classroom=None)
    sam = services.player_join(game=game, user=student)
    game = _to_round(game, "spot")
    item = selectors.current_item(game)
    answer = _answer(game, sam, play.spot_example_mark(item, hit=True), 90)
    assert answer.spot_hit is True and answer.points == points_for(90, True)
