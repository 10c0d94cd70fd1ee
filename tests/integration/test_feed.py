"""Feeds (issue 14 §4): building with an exact share of generated clips, each attempt's own
order, no truth in the page or its URLs before the end, answers stored as feed clips and
counted as single items' signal-detection counts only, assignments and the teacher's
report, the practice feed from the student's home, who may see what, and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrollment
from quiz.models import (
    Answer,
    Attempt,
    Clip,
    FeedSettings,
    Quiz,
    QuizItem,
    StatCell,
    StatStudent,
)
from quiz.selectors import feed as feed_selectors
from quiz.selectors import play as play_selectors
from quiz.selectors.feed import generated_count
from quiz.services import feed as services
from quiz.services import play as play_services
from quiz.services import teach as teach_services
from quiz.stats import aggregation, metrics
from tests import people
from tests.payloads import assignment_form
from tests.people import open_assignment
from tests.stats_reference import reference, stored_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return people.lakeside()


@pytest.fixture
def teacher(school):
    return people.school_teacher(school)


@pytest.fixture
def classroom(teacher, student):
    return people.class_of(teacher, student)


@pytest.fixture
def teacher_client(teacher):
    client = Client()
    client.force_login(teacher)
    return client


def _feed(teacher, *, length: int = 15, percent: int = 20, seconds: int = 5) -> Quiz:
    return services.feed_create(
        owner=teacher,
        pool=feed_selectors.teacher_pool(teacher),
        title="Scroll test",
        length=length,
        percent=percent,
        seconds=seconds,
    )


def _play(client: Client, attempt: Attempt, flag: set[int] | None = None) -> None:
    """Answer every clip through the feed's page: flag the clips at the given places."""
    flag = flag or set()
    for number in range(1, attempt.quiz.items.count() + 1):
        position = feed_selectors.feed_current(attempt)
        assert position is not None and position.number == number
        response = client.post(
            reverse("feed:answer", args=[attempt.pk, position.shown.key]),
            {"guess": "generated" if number in flag else "real"},
        )
        assert response.status_code == 302
    attempt.refresh_from_db()


# --- building -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "percent", "generated"),
    [(20, 10, 2), (25, 10, 3), (15, 30, 5), (20, 20, 4), (10, 20, 2), (40, 25, 10)],
)
def test_generated_count_is_the_share_rounded_half_up(length, percent, generated):
    assert generated_count(length, percent) == generated


@pytest.mark.parametrize(("length", "percent"), [(10, 10), (15, 20), (16, 20), (12, 30)])
def test_a_feed_holds_exactly_its_share_of_generated_clips(teacher, demo_pack, length, percent):
    quiz = _feed(teacher, length=length, percent=percent, seconds=3)
    items = list(quiz.items.select_related("clip"))
    assert quiz.mode == Quiz.Mode.FEED
    assert len(items) == length
    assert {i.kind for i in items} == {QuizItem.Kind.FEED}
    assert sum(i.clip.is_generated for i in items) == generated_count(length, percent)
    assert len({i.clip_id for i in items}) == length  # each clip once
    assert FeedSettings.objects.get(quiz=quiz).seconds == 3


def test_a_feed_never_uses_clips_kept_for_tests(teacher, demo_pack):
    kept = list(Clip.objects.filter(is_generated=True).values_list("pk", flat=True)[:6])
    Clip.objects.filter(pk__in=kept).update(kept_for_tests=True)
    quiz = _feed(teacher, length=10, percent=30)
    assert not quiz.items.filter(clip_id__in=kept).exists()


def test_each_attempt_plays_its_own_order(teacher, demo_pack, student, other_student):
    quiz = _feed(teacher)
    first = play_services.attempt_start(user=student, quiz=quiz)
    second = play_services.attempt_start(user=other_student, quiz=quiz)
    orders = [tuple(r.item.pk for r in play_selectors.attempt_rounds(a)) for a in (first, second)]
    assert sorted(orders[0]) == sorted(orders[1])
    assert orders[0] != orders[1]  # 15! orders: the same one twice is (practically) impossible


def test_a_library_too_small_says_how_long_a_feed_it_holds(teacher, demo_pack):
    size = feed_selectors.pool_size(feed_selectors.teacher_pool(teacher))
    # The demo pack holds fewer real clips than a feed of 30 at 20 % needs (24).
    assert 10 < size.real < 24
    longest = size.longest_feed(20)
    assert 15 <= longest < 30 and longest - round(longest * 0.2) <= size.real
    with pytest.raises(services.FeedRefused, match=f"Choose at most {longest} clips"):
        _feed(teacher, length=30, percent=20)
    assert not Quiz.objects.filter(mode=Quiz.Mode.FEED).exists()


# --- the teacher's form ---------------------------------------------------------------------


def _form(**changes: str) -> dict[str, str]:
    return {"title": "Scroll test", "length": "15", "percent": "20", "seconds": "5", **changes}


def test_teacher_creates_a_feed_and_goes_on_to_assign_it(teacher_client, demo_pack, classroom):
    page = teacher_client.get(reverse("feed:new"))
    assert page.status_code == 200
    size = feed_selectors.pool_size(Clip.objects.all())
    assert f"{size.generated} generated and {size.real} real" in page.content.decode()
    assert "5 seconds" in page.content.decode()
    # The seconds are words of the reader's language too (they were English for everyone).
    german = teacher_client.get(reverse("feed:new"), headers={"accept-language": "de"})
    assert "5 Sekunden" in german.content.decode() and "5 seconds" not in german.content.decode()
    response = teacher_client.post(reverse("feed:new"), _form(percent="30", length="10"))
    quiz = Quiz.objects.get(mode=Quiz.Mode.FEED)
    assert response.status_code == 302
    assert response.url == reverse("teach:assignment_create", args=[quiz.slug])
    assert quiz.items.filter(clip__is_generated=True).count() == 3
    # The ordinary assign form takes it.
    response = teacher_client.post(
        reverse("teach:assignment_create", args=[quiz.slug]), assignment_form(classroom.pk)
    )
    assert response.status_code == 302
    assert quiz.assignments.get().classroom == classroom


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"percent": "5"}, "Choose a share of at least 10 %."),
        ({"percent": "35"}, "Choose a share of at most 30 %."),
        ({"percent": "lots"}, "Enter a whole number of percent."),
        ({"length": "0"}, "A feed needs at least 10 clips."),
        ({"length": "100000000000000000000"}, "A feed has at most 40 clips."),
        ({"length": "-3"}, "A feed needs at least 10 clips."),
        ({"length": ""}, "This field is required."),
        ({"seconds": "4"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
        # The demo pack is too small for 30 clips: the longest feed it holds at 20 %.
        ({"length": "30"}, "Choose at most {longest} clips."),
    ],
)
def test_bad_feed_choices_are_refused_with_a_message(teacher_client, demo_pack, changes, message):
    longest = feed_selectors.pool_size(Clip.objects.all()).longest_feed(20)
    assert 15 <= longest < 30
    message = message.format(longest=longest)
    response = teacher_client.post(reverse("feed:new"), _form(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Quiz.objects.filter(mode=Quiz.Mode.FEED).exists()


def test_only_teachers_make_feeds(student_client, client):
    assert student_client.get(reverse("feed:new")).status_code == 403
    assert student_client.post(reverse("feed:new"), _form()).status_code == 403
    Client().logout()
    anonymous = Client().get(reverse("feed:new"))
    assert anonymous.status_code == 302 and "login" in anonymous.url


# --- playing: no truth before the end -------------------------------------------------------


def test_the_feed_page_gives_nothing_away(teacher, demo_pack, student, student_client):
    quiz = _feed(teacher, length=15, percent=20)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    page = student_client.get(reverse("feed:play", args=[attempt.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Clip 1 of 15" in html
    # One clip on the page, under this attempt's own media names only.
    names = re.findall(rf"/attempts/{attempt.pk}/media/([^\"']+)", html)
    assert names and all(play_selectors.MEDIA_NAME_PATTERN.fullmatch(n) for n in names)
    assert len({n.partition(".")[0] for n in names}) <= 2  # its media and poster
    for clip in Clip.objects.filter(pk__in=quiz.items.values("clip_id")):
        for secret in (clip.media.name, clip.poster.name, clip.key, clip.prompt):
            assert not secret or secret not in html
        if clip.is_generated:
            assert clip.generator not in html
        if clip.explanation:
            assert clip.explanation[:40] not in html
    # Nothing about the share: no percent, no count of generated clips, no truth words.
    assert "20 %" not in html and "20%" not in html and "3 of" not in html
    stage = html.split('id="feed-stage"')[1].split("</section>")[0]
    assert "camera" not in stage and "real" not in stage.lower().replace('value="real"', "")
    # The flag button's value and label and the help text: the same words for every clip.
    assert stage.count("generated") == 3
    # The form's address names the round by an opaque key, not its place or id.
    shown = feed_selectors.feed_current(attempt).shown
    assert reverse("feed:answer", args=[attempt.pk, shown.key]) in html
    assert f"/{shown.item.pk}/" not in html


def test_media_names_differ_between_attempts(teacher, demo_pack, student, other_student):
    quiz = _feed(teacher)
    first = play_services.attempt_start(user=student, quiz=quiz)
    second = play_services.attempt_start(user=other_student, quiz=quiz)
    item = quiz.items.first()
    names = [play_selectors.round_clip(a.pk, item, "clip").media for a in (first, second)]
    assert names[0] != names[1]


def test_no_truth_before_the_end_through_the_quiz_pages(
    teacher, demo_pack, student, student_client
):
    quiz = _feed(teacher)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    shown = feed_selectors.feed_current(attempt).shown
    student_client.post(reverse("feed:answer", args=[attempt.pk, shown.key]), {"guess": "real"})
    # The ordinary round feedback and summary send a feed to its own pages, which wait.
    feedback = student_client.get(reverse("quiz:round_feedback", args=[attempt.pk, shown.key]))
    assert feedback.status_code == 302 and feedback.url == reverse(
        "feed:summary", args=[attempt.pk]
    )
    summary = student_client.get(reverse("feed:summary", args=[attempt.pk]))
    assert summary.url == reverse("feed:play", args=[attempt.pk])
    assert student_client.get(reverse("quiz:attempt_play", args=[attempt.pk])).url == reverse(
        "feed:play", args=[attempt.pk]
    )
    # Nor can a feed clip be answered (and its feedback read) through the quiz's answer URL.
    following = feed_selectors.feed_current(attempt).shown
    for key in (shown.key, following.key):
        response = student_client.post(
            reverse("quiz:answer_submit", args=[attempt.pk, key]),
            {"guess": "real", "confidence": "90"},
        )
        assert response.status_code == 404
    assert attempt.answers.count() == 1


def test_a_bad_answer_is_refused_and_the_clip_stays(teacher, demo_pack, student, student_client):
    quiz = _feed(teacher)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    shown = feed_selectors.feed_current(attempt).shown
    response = student_client.post(
        reverse("feed:answer", args=[attempt.pk, shown.key]), {"guess": "a"}
    )
    assert response.status_code == 422
    assert "Flag the clip, or go on to the next one." in response.content.decode()
    assert not attempt.answers.exists()


# --- results and statistics -----------------------------------------------------------------


def test_a_played_feed_ends_with_what_was_flagged_and_missed(
    teacher, demo_pack, student, student_client
):
    quiz = _feed(teacher, length=15, percent=20)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    rounds = play_selectors.attempt_rounds(attempt)
    generated = [r.number for r in rounds if r.item.clip.is_generated]
    real = [r.number for r in rounds if not r.item.clip.is_generated]
    # Flag two of the three generated clips and one real clip.
    _play(student_client, attempt, flag={generated[0], generated[1], real[0]})
    assert attempt.is_finished
    answers = list(attempt.answers.all())
    assert len(answers) == 15
    assert {(a.item_kind, a.confidence, a.points) for a in answers} == {("feed", 50, 0)}
    assert sum(a.guess == "generated" for a in answers) == 3
    page = student_client.get(reverse("feed:summary", args=[attempt.pk]))
    html = page.content.decode()
    assert "You flagged 2 of the 3 generated clips." in html
    assert "You flagged 1 of the 12 real ones." in html
    assert "Only 3 of the 15 clips were generated (20 %)." in html
    assert "For the curious" in html
    results = feed_selectors.feed_results(attempt)
    assert (results.counts.hits, results.counts.misses) == (2, 1)
    assert (results.counts.false_alarms, results.counts.correct_rejections) == (1, 11)
    # d′ and c at this base rate, from the four counts (METRICS.md, log-linear corrected).
    assert results.summary.d_prime == pytest.approx(metrics.d_prime(2, 1, 1, 11))
    assert results.summary.criterion == pytest.approx(metrics.criterion(2, 1, 1, 11))
    assert f"{results.summary.d_prime:.2f}" in html
    # The missed and the falsely flagged clip are shown with their truth.
    assert len(results.missed) == 1 and len(results.false_alarms) == 1
    assert results.missed[0].clip.generator in html


def test_feed_answers_count_as_single_items_only(teacher, demo_pack, student, student_client):
    quiz = _feed(teacher, length=10, percent=30)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    rounds = play_selectors.attempt_rounds(attempt)
    first_generated = next(r.number for r in rounds if r.item.clip.is_generated)
    first_real = next(r.number for r in rounds if not r.item.clip.is_generated)
    _play(student_client, attempt, flag={first_generated, first_real})
    aggregation.fold_all()
    overall = StatCell.objects.get(scope="user", scope_id=student.pk, dimension="overall")
    assert (overall.hits, overall.misses, overall.false_alarms, overall.correct_rejections) == (
        1,
        2,
        1,
        6,
    )
    # No confidence was asked: nothing in n, accuracy, confidence, Brier or points.
    assert (overall.n, overall.correct, overall.confidence_sum, overall.brier_sum) == (0, 0, 0, 0)
    assert overall.points_sum == 0
    # Nor any cell of accuracy or calibration alone (whose student counts would be wrong).
    assert not StatCell.objects.filter(dimension__in=["position", "conf_bin"]).exists()
    expected, _students = reference()
    assert stored_cells() == expected
    aggregation.rebuild()
    assert stored_cells() == expected


def test_feed_and_quiz_answers_fold_exactly_in_every_scope(
    teacher, demo_pack, classroom, student, other_student
):
    """A class plays an assigned feed and the demo quiz; folded in small batches, the cells
    and their students equal the plain reference and a rebuild (tests/stats_reference.py)."""
    Enrollment.objects.create(classroom=classroom, student=other_student)
    now = timezone.now()
    quiz = _feed(teacher, length=12, percent=25)
    assignments = [
        teach_services.assignment_create(
            teacher=teacher,
            quiz=q,
            classrooms=[classroom],
            opens_at=now - timedelta(hours=1),
            due_at=now + timedelta(days=1),
            attempts_allowed=1,
            feedback="each",
        )[0]
        for q in (quiz, demo_pack)
    ]
    for n, learner in enumerate((student, other_student)):
        for assignment in assignments:
            attempt = play_services.attempt_start(
                user=learner, quiz=assignment.quiz, assignment=assignment
            )
            for k, shown in enumerate(play_selectors.attempt_rounds(attempt)[:8]):
                if shown.item.is_spot:
                    continue  # spot rounds need a mark (their own tests cover them)
                options = shown.item.options()
                play_services.answer_submit(
                    attempt=attempt,
                    item=shown.item,
                    guess=options[(n + k) % len(options)],
                    confidence=60 + 5 * k,
                )
    while aggregation.fold_pending(batch_size=3):
        pass
    expected, students = reference()
    assert stored_cells() == expected
    assert (
        set(StatStudent.objects.values_list("scope", "scope_id", "dimension", "key", "student_id"))
        == students
    )
    feed_cell = expected[("assignment", assignments[0].pk, "overall", "")]
    signal = (
        feed_cell.hits + feed_cell.misses + feed_cell.false_alarms + feed_cell.correct_rejections
    )
    assert (feed_cell.n, signal) == (0, 16)  # two students, eight clips each
    aggregation.rebuild()
    assert stored_cells() == expected


# --- assignments ----------------------------------------------------------------------------


def test_an_assigned_feed_is_played_and_reported(
    teacher, teacher_client, demo_pack, classroom, student, student_client
):
    quiz = _feed(teacher, length=10, percent=20)
    assignment = open_assignment(teacher, quiz, classroom)
    home = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Scroll test" in home
    started = student_client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(assignment=assignment)
    assert student_client.get(started.url).url == reverse("feed:play", args=[attempt.pk])
    rounds = play_selectors.attempt_rounds(attempt)
    generated = {r.number for r in rounds if r.item.clip.is_generated}
    _play(student_client, attempt, flag=generated)
    aggregation.fold_all()
    report = teacher_client.get(reverse("teach:assignment_report", args=[assignment.pk]))
    html = report.content.decode()
    assert "Feed: flags per student" in html
    row = re.search(r"<th scope=\"row\">Stu</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r">(\S+)</td>", row)
    assert cells[:4] == ["2", "0", "0", "8"]
    live = teacher_client.get(reverse("teach:assignment_live", args=[assignment.pk]))
    live_view = live.context["live"]
    assert live_view.students[0].answered == 10 and live_view.students[0].correct == 10
    csv = teacher_client.get(reverse("teach:assignment_students_csv", args=[assignment.pk]))
    assert ",2,0,0,8," in csv.content.decode()  # hits, misses, false alarms, rejections


def test_a_feed_set_as_a_test_withholds_its_results(
    teacher, demo_pack, classroom, student, student_client
):
    quiz = _feed(teacher, length=10, percent=20)
    now = timezone.now()
    (assignment,) = teach_services.assignment_create(
        teacher=teacher,
        quiz=quiz,
        classrooms=[classroom],
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=1),
        attempts_allowed=1,
        feedback="after_due",
    )
    attempt = play_services.attempt_start(user=student, quiz=quiz, assignment=assignment)
    _play(student_client, attempt)
    html = student_client.get(reverse("feed:summary", args=[attempt.pk])).content.decode()
    assert "This is a test" in html
    assert "generated clips" not in html


# --- who may see what -----------------------------------------------------------------------


def test_another_students_feed_is_a_404(teacher, demo_pack, student, other_student):
    quiz = _feed(teacher)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    key = feed_selectors.feed_current(attempt).shown.key
    stranger = Client()
    stranger.force_login(other_student)
    assert stranger.get(reverse("feed:play", args=[attempt.pk])).status_code == 404
    assert stranger.get(reverse("feed:summary", args=[attempt.pk])).status_code == 404
    answer = stranger.post(reverse("feed:answer", args=[attempt.pk, key]), {"guess": "real"})
    assert answer.status_code == 404
    assert not Answer.objects.exists()


def test_a_quiz_attempt_is_no_feed(student, student_client, demo_pack):
    attempt = play_services.attempt_start(user=student, quiz=demo_pack)
    assert student_client.get(reverse("feed:play", args=[attempt.pk])).status_code == 404


def test_an_unknown_clip_key_is_a_404(teacher, demo_pack, student, student_client):
    attempt = play_services.attempt_start(user=student, quiz=_feed(teacher))
    url = reverse("feed:answer", args=[attempt.pk, "0123456789abcdef"])
    assert student_client.post(url, {"guess": "real"}).status_code == 404


def test_feed_pages_refuse_the_wrong_method(teacher, demo_pack, student, student_client):
    attempt = play_services.attempt_start(user=student, quiz=_feed(teacher))
    key = feed_selectors.feed_current(attempt).shown.key
    assert student_client.get(reverse("feed:answer", args=[attempt.pk, key])).status_code == 405
    assert student_client.get(reverse("feed:practice_start")).status_code == 405
    assert student_client.post(reverse("feed:play", args=[attempt.pk])).status_code == 405


# --- the practice feed from the student's home ----------------------------------------------


def test_a_student_starts_and_resumes_a_practice_feed(student, student_client, demo_pack):
    kept = list(Clip.objects.filter(is_generated=False).values_list("pk", flat=True)[:2])
    Clip.objects.filter(pk__in=kept).update(kept_for_tests=True)
    home = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Practice feed" in home and "Start a feed" in home
    response = student_client.post(reverse("feed:practice_start"))
    attempt = Attempt.objects.get(user=student, quiz__mode=Quiz.Mode.FEED)
    assert response.url == reverse("feed:play", args=[attempt.pk])
    items = list(attempt.quiz.items.select_related("clip"))
    # The longest feed at 20 % that the pool holds without the two kept clips.
    size = feed_selectors.pool_size(Clip.objects.exclude(pk__in=kept))
    assert 15 <= size.longest_feed(20) < len(Clip.objects.all())
    assert len(items) == size.longest_feed(20)
    assert sum(i.clip.is_generated for i in items) == generated_count(len(items), 20)
    assert not any(i.clip_id in kept for i in items)
    assert "Resume the feed" in student_client.get(reverse("quiz:quiz_list")).content.decode()
    again = student_client.post(reverse("feed:practice_start"))
    assert again.url == response.url
    # A student's practice feed is nobody else's quiz.
    assert not Quiz.objects.filter(mode=Quiz.Mode.FEED, is_public=True).exists()


def test_no_practice_feed_without_enough_clips(student, student_client):
    home = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "There are not enough clips for a feed yet." in home
    response = student_client.post(reverse("feed:practice_start"), follow=True)
    assert "There are not enough clips for a feed yet. Ask your teacher." in (
        response.content.decode()
    )


def test_feeds_are_not_edited_in_the_quiz_builder(teacher, teacher_client, demo_pack):
    quiz = _feed(teacher)
    assert teacher_client.get(reverse("build:quiz_edit", args=[quiz.slug])).status_code == 404
    assert teacher_client.post(reverse("build:quiz_copy", args=[quiz.slug])).status_code == 404
    assert quiz.title not in teacher_client.get(reverse("build:quiz_index")).content.decode()


def test_the_database_keeps_feed_answers_without_confidence(teacher, demo_pack, student):
    """However a feed clip is answered, it is stored at 50 % and 0 points (and the database
    refuses anything else), so no statistic can count a confidence nobody stated."""
    quiz = _feed(teacher)
    attempt = play_services.attempt_start(user=student, quiz=quiz)
    shown = feed_selectors.feed_current(attempt).shown
    result = play_services.answer_submit(
        attempt=attempt, item=shown.item, guess="generated", confidence=100
    )
    assert (result.answer.confidence, result.answer.points) == (50, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=result.answer.pk).update(confidence=90)
