"""Clips kept for tests (issue 10): the learning modes never show them, the people who may
curate a clip can keep it, and assigning a quiz warns when students have met its clips."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz.models import Clip
from quiz.selectors import held as held_selectors
from quiz.selectors import play as selectors
from quiz.selectors.teach import clips_already_seen
from quiz.services import play as services
from tests import people, spot_answers


@pytest.fixture
def school(db):
    return School.objects.create(name="Kept school")


@pytest.fixture
def teacher(school):
    return User.objects.create_user(
        "kt-teacher", password="x", role="teacher", school=school, verified_at=timezone.now()
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(by: User | None, **fields) -> Clip:
    values = {
        "media_kind": "image",
        "status": Clip.Status.READY,
        "is_generated": False,
        "uploaded_by": by,
        "school": by.school if by else None,
    }
    return Clip.objects.create(**{**values, **fields})


def test_the_learning_pool_is_shared_and_own_school_never_kept_retired_or_unready(school, teacher):
    other_school = School.objects.create(name="Elsewhere")
    stranger = User.objects.create_user(
        "kt-stranger", password="x", role="teacher", school=other_school, verified_at=timezone.now()
    )
    pending = User.objects.create_user(
        "kt-pending", password="x", role="teacher", school=school, verified_at=None
    )
    staff = User.objects.create_user("kt-staff", password="x", is_staff=True)
    student = User.objects.create_user("kt-student", password="x", role="student", school=school)

    shared, by_staff, ours = _upload(None), _upload(staff), _upload(teacher)
    kept = _upload(None, kept_for_tests=True)
    retired = _upload(None, retired_at=timezone.now())
    unready = _upload(None, status=Clip.Status.PROCESSING)
    foreign, unapproved = _upload(stranger), _upload(pending)

    pool = set(Clip.objects.for_learning(student))
    assert {shared, by_staff, ours} <= pool
    assert not pool & {kept, retired, unready, foreign, unapproved}
    assert not Clip.objects.for_learning(type("Anon", (), {"is_authenticated": False})())
    loner = User.objects.create_user("kt-loner", password="x", role="student")
    assert ours not in set(Clip.objects.for_learning(loner))


def test_a_teacher_keeps_their_schools_clip_for_tests_and_nobody_else_may(school, teacher):
    clip = _upload(teacher)
    url = reverse("library:clip_keep_for_tests", args=[clip.pk])
    client = _signed_in(teacher)

    assert client.get(url).status_code == 405
    assert client.post(url, {"kept": "maybe"}).status_code == 400
    response = client.post(url, {"kept": "1"}, follow=True)
    clip.refresh_from_db()
    assert clip.kept_for_tests
    assert "Kept for tests: lessons, practice and feeds no longer show this clip." in (
        response.content.decode()
    )
    client.post(url, {"kept": "0"})
    clip.refresh_from_db()
    assert not clip.kept_for_tests

    stranger = User.objects.create_user(
        "kt-other",
        password="x",
        role="teacher",
        school=School.objects.create(name="Far away"),
        verified_at=timezone.now(),
    )
    assert _signed_in(stranger).post(url, {"kept": "1"}).status_code == 404
    student = User.objects.create_user("kt-pupil", password="x", role="student", school=school)
    assert _signed_in(student).post(url, {"kept": "1"}).status_code in (403, 404)
    shared = _upload(None)
    shared_url = reverse("library:clip_keep_for_tests", args=[shared.pk])
    assert client.post(shared_url, {"kept": "1"}).status_code == 403
    assert Client().post(url, {"kept": "1"}).status_code == 302  # to the sign-in page
    clip.refresh_from_db()
    shared.refresh_from_db()
    assert not clip.kept_for_tests and not shared.kept_for_tests


def test_assigning_names_the_classes_whose_students_met_the_quizs_clips(school, teacher, demo_pack):
    seen_class = account_services.classroom_create(teacher=teacher, name="7S")
    fresh_class = account_services.classroom_create(teacher=teacher, name="7F")
    who_played, who_did_not = (
        User.objects.create_user(name, password="x", role="student", school=school)
        for name in ("kt-played", "kt-fresh")
    )
    Enrollment.objects.create(classroom=seen_class, student=who_played)
    Enrollment.objects.create(classroom=fresh_class, student=who_did_not)
    page = _signed_in(teacher).get(reverse("teach:assignment_create", args=[demo_pack.slug]))
    assert "already seen" not in page.content.decode()

    attempt = services.attempt_start(user=who_played, quiz=demo_pack)
    first, second = selectors.attempt_rounds(attempt)[:2]
    for shown in (first, second):
        # (a spot round of the demo quiz is answered with a mark: tests/spot_answers.py)
        services.answer_submit(
            attempt=attempt,
            item=shown.item,
            confidence=70,
            **spot_answers.submit_kwargs(shown.item, shown.item.options()[0]),
        )
    clips = {c.pk for shown in (first, second) for c in shown.item.clips}

    (row,) = clips_already_seen(demo_pack, [seen_class, fresh_class])
    assert (row.classroom, row.clips, row.students) == (seen_class, len(clips), 1)
    html = (
        _signed_in(teacher)
        .get(reverse("teach:assignment_create", args=[demo_pack.slug]))
        .content.decode()
    )
    assert "7S: 1 student has already seen" in html and f"{len(clips)} of its clips" in html
    assert "7F:" not in html


def test_the_builder_and_the_library_filter_clips_kept_for_tests(teacher, demo_pack):
    from quiz.selectors.builder import library_clips

    kept = Clip.objects.filter(is_generated=True).first()
    Clip.objects.filter(pk=kept.pk).update(kept_for_tests=True)
    assert list(library_clips(kept="kept")) == [kept]
    assert kept not in set(library_clips(kept="free"))
    assert kept in set(library_clips())
    with pytest.raises(ValueError):
        library_clips(kept="both")

    client = _signed_in(teacher)
    listed = client.get(reverse("library:index"), {"kept": "kept"}).content.decode()
    assert f'id="clip-{kept.pk}"' in listed and listed.count('<tr id="clip-') == 1
    assert "Kept for tests" in listed
    wrong = client.get(reverse("library:index"), {"kept": "<script>"})
    assert wrong.status_code == 200 and "<script>" not in wrong.content.decode()


def test_a_public_quiz_holding_a_kept_clip_is_not_free_to_play(school, teacher, demo_pack):
    """Free play shows the truth after each answer: a public quiz with a kept clip would
    hand a student its answer before the test that keeps it."""
    student = User.objects.create_user("kt-free", password="x", role="student", school=school)
    client = _signed_in(student)
    start = reverse("quiz:attempt_start", args=[demo_pack.slug])
    assert (
        demo_pack.is_public
        and demo_pack.title in client.get(reverse("quiz:quiz_list")).content.decode()
    )
    kept = demo_pack.items.first().clip
    Clip.objects.filter(pk=kept.pk).update(kept_for_tests=True)
    assert demo_pack not in held_selectors.quizzes_playable_by(student)
    assert demo_pack.title not in client.get(reverse("quiz:quiz_list")).content.decode()
    assert client.post(start).status_code == 404
    Clip.objects.filter(pk=kept.pk).update(kept_for_tests=False)
    assert client.post(start).status_code == 302


def test_assigning_says_how_many_clips_students_can_practise_elsewhere(school, teacher, demo_pack):
    from quiz.models import Quiz, QuizItem
    from quiz.selectors.teach import clips_open_to_practice

    account_services.classroom_create(teacher=teacher, name="7O")
    url = reverse("teach:assignment_create", args=[demo_pack.slug])
    clips = {c.pk for item in demo_pack.items.all() for c in item.clips}
    assert clips_open_to_practice(demo_pack, teacher) == len(clips)
    html = _signed_in(teacher).get(url).content.decode()
    assert f"{len(clips)} clips of this quiz are also used in lessons" in html

    # A test of the teacher's own clips, kept for tests and in no public quiz: no notice.
    own = [_upload(teacher, is_generated=flag) for flag in (True, False)]
    test = Quiz.objects.create(title="Own test", slug="own-test", created_by=teacher)
    QuizItem.objects.create(quiz=test, position=1, kind="pair", clip=own[0], other_clip=own[1])
    assert clips_open_to_practice(test, teacher) == 2
    Clip.objects.filter(pk__in=[c.pk for c in own]).update(kept_for_tests=True)
    assert clips_open_to_practice(test, teacher) == 0
    page = _signed_in(teacher).get(reverse("teach:assignment_create", args=[test.slug]))
    assert page.status_code == 200 and "also used in lessons" not in page.content.decode()
    # Made public (by staff), the kept clips still stay out of free play.
    Quiz.objects.filter(pk=test.pk).update(is_public=True)
    assert clips_open_to_practice(test, teacher) == 0


def test_an_assignments_clips_leave_free_play_until_it_is_due(school, teacher, demo_pack):
    """A student set a test could otherwise play the same clips in a public quiz in another
    tab, read their truth in its feedback, and answer the test. Until the assignment is due,
    no public quiz sharing a clip with it is offered (nor an attempt of one resumed), and
    lessons, practice and feeds leave its clips out; then everything is back."""
    from datetime import timedelta

    from quiz.models import Assignment, Quiz, QuizItem
    from tests.people import open_assignment

    student = User.objects.create_user("kt-tested", password="x", role="student", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7T")
    Enrollment.objects.create(classroom=classroom, student=student)
    client = _signed_in(student)
    # A free attempt of the public demo quiz, begun before the test was set.
    early = services.attempt_start(user=student, quiz=demo_pack)
    shown = selectors.attempt_rounds(early)[0]
    play = reverse("quiz:attempt_play", args=[early.pk])
    assert client.get(play).status_code == 200

    # The test: two of the demo quiz's clips, in a quiz of the teacher's own, opening later.
    pair = demo_pack.items.filter(kind="pair").first()
    test = Quiz.objects.create(title="Friday test", slug="friday-test", created_by=teacher)
    QuizItem.objects.create(
        quiz=test, position=1, kind="pair", clip=pair.clip, other_clip=pair.other_clip
    )
    assignment = open_assignment(
        teacher,
        test,
        classroom,
        feedback="after_due",
        opens_at=timezone.now() + timedelta(hours=2),
        due_at=timezone.now() + timedelta(days=2),
    )
    held = {pair.clip_id, pair.other_clip_id}
    playable = set(held_selectors.quizzes_playable_by(student))
    assert demo_pack not in playable
    assert all(not held & {c.pk for i in q.items.all() for c in i.clips} for q in playable)
    home = client.get(reverse("quiz:quiz_list")).content.decode()
    assert "closed until the tests and assignments that use the same clips are due" in home
    assert client.post(reverse("quiz:attempt_start", args=[demo_pack.slug])).status_code == 404
    assert client.get(play).status_code == 404
    round_url = reverse(
        "quiz:round_feedback", args=[early.pk, selectors.round_key(early, shown.item.pk)]
    )
    assert client.get(round_url).status_code == 404
    pool = set(Clip.objects.for_learning(student).values_list("pk", flat=True))
    assert pool and not held & pool
    # Nobody else in the school sees them either, nor an account of one's own with no class
    # or school (audit 3: a throwaway account played free practice and answered a test 15 of
    # 15). Another school keeps them.
    other = User.objects.create_user("kt-other", password="x", role="student", school=school)
    throwaway = User.objects.create_user("kt-throwaway", password="x", role="student")
    for someone in (other, throwaway):
        assert demo_pack not in held_selectors.quizzes_playable_by(someone)
        assert not held & set(Clip.objects.for_learning(someone).values_list("pk", flat=True))
    far = User.objects.create_user(
        "kt-far", password="x", role="student", school=School.objects.create(name="Far away")
    )
    people.school_teacher(far.school, username="kt-far-teacher")  # an approved school
    assert demo_pack in held_selectors.quizzes_playable_by(far)
    assert held <= set(Clip.objects.for_learning(far).values_list("pk", flat=True))
    far_attempt = services.attempt_start(user=far, quiz=demo_pack)
    assert not held_selectors.attempt_closed_for_now(far_attempt, far)
    alone = _signed_in(throwaway)
    assert alone.post(reverse("quiz:attempt_start", args=[demo_pack.slug])).status_code == 404
    assert "closed until the tests" in alone.get(reverse("quiz:quiz_list")).content.decode()
    # Homework (answers after each round) holds its clips back from its own class only.
    homework_class = account_services.classroom_create(teacher=teacher, name="7W")
    homework = open_assignment(teacher, demo_pack, homework_class, feedback="each")

    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(minutes=1)
    )
    assert homework.due_at > timezone.now()
    for someone in (student, other, throwaway):
        assert demo_pack in held_selectors.quizzes_playable_by(someone)
    assert client.get(play).status_code == 200
    assert held <= set(Clip.objects.for_learning(student).values_list("pk", flat=True))
    assert "closed until" not in client.get(reverse("quiz:quiz_list")).content.decode()


@pytest.mark.parametrize(("feedback", "held_after"), [("each", False), ("after_due", True)])
def test_a_finished_assignment_frees_its_clips_unless_it_is_a_test(
    school, teacher, demo_pack, feedback, held_after
):
    """Once a student has used every attempt of an assignment that showed its truth after
    each round, free play tells them nothing new. A test's truth stays held until it is due:
    through a student who finished early it would reach classmates who have not."""
    from quiz.models import Quiz, QuizItem
    from tests.people import open_assignment

    student = User.objects.create_user("kt-done", password="x", role="student", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7D")
    Enrollment.objects.create(classroom=classroom, student=student)
    pair = demo_pack.items.filter(kind="pair").first()
    quiz = Quiz.objects.create(title="Two clips", slug="two-clips", created_by=teacher)
    QuizItem.objects.create(
        quiz=quiz, position=1, kind="pair", clip=pair.clip, other_clip=pair.other_clip
    )
    assignment = open_assignment(teacher, quiz, classroom, feedback=feedback)
    attempt = services.attempt_start(user=student, quiz=quiz, assignment=assignment)
    assert demo_pack not in held_selectors.quizzes_playable_by(student)  # under way
    services.answer_submit(attempt=attempt, item=quiz.items.get(), guess="a", confidence=60)
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert (demo_pack not in held_selectors.quizzes_playable_by(student)) is held_after


def test_while_lessons_are_held_back_the_pages_say_why(school, teacher, demo_pack):
    """A test of the whole demo quiz leaves too few clips for any lesson: the student is told
    the lessons come back when the assignment is due, not that the library lacks clips."""
    from tests.people import open_assignment

    student = User.objects.create_user("kt-why", password="x", role="student", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7W")
    Enrollment.objects.create(classroom=classroom, student=student)
    client = _signed_in(student)
    assert "lessons are back" not in client.get(reverse("learn:index")).content.decode()
    open_assignment(teacher, demo_pack, classroom, feedback="after_due")
    for url in (reverse("learn:index"), reverse("quiz:quiz_list")):
        html = client.get(url).content.decode()
        assert (
            "The lessons are back when the tests and assignments that use their clips are due"
            in html
        ), url
        assert "needs more clips" not in html and "No quizzes are open to you yet" not in html
    # A test of every clip leaves practice none: it says so, not that clips are lacking.
    from quiz.models import Quiz, QuizItem

    everything = Quiz.objects.create(title="All clips", slug="all-clips", created_by=teacher)
    QuizItem.objects.bulk_create(
        QuizItem(quiz=everything, position=n, kind="single", clip=clip)
        for n, clip in enumerate(Clip.objects.all(), start=1)
    )
    open_assignment(teacher, everything, classroom, feedback="after_due")
    response = client.post(reverse("practice:start"), follow=True)
    html = response.content.decode()
    assert "Tests and assignments use the practice clips for now" in html
    assert "not enough clips" not in html
    assert "Feeds are back when the tests and assignments that use their clips are due" in html


def _friday_test(teacher, classroom, demo_pack):
    """A test not yet due, set to `classroom`, of one pair of the demo quiz's clips."""
    from datetime import timedelta

    from quiz.models import Quiz, QuizItem
    from tests.people import open_assignment

    pair = demo_pack.items.filter(kind="pair").first()
    test = Quiz.objects.create(title="Friday test", slug="friday-test", created_by=teacher)
    QuizItem.objects.create(
        quiz=test, position=1, kind="pair", clip=pair.clip, other_clip=pair.other_clip
    )
    return open_assignment(
        teacher, test, classroom, feedback="after_due", due_at=timezone.now() + timedelta(days=2)
    )


def test_attempt_closed_for_now_for_now_takes_no_answer_either(school, teacher, demo_pack):
    """The closed attempt's submit address (known from before) answers no round: its
    feedback, even of a round answered before, would show the truth."""
    student = User.objects.create_user("kt-poster", password="x", role="student", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7P")
    Enrollment.objects.create(classroom=classroom, student=student)
    client = _signed_in(student)
    early = services.attempt_start(user=student, quiz=demo_pack)
    first, second = selectors.attempt_rounds(early)[:2]
    submit = "quiz:answer_submit"
    key = selectors.round_key(early, first.item.pk)
    guess = "a" if first.item.is_pair else "real"
    data = spot_answers.post_data(first.item, guess) | {"confidence": "70"}
    assert client.post(reverse(submit, args=[early.pk, key]), data).status_code == 302
    _friday_test(teacher, classroom, demo_pack)
    for shown in (first, second):
        key = selectors.round_key(early, shown.item.pk)
        guess = "a" if shown.item.is_pair else "real"
        answer = spot_answers.post_data(shown.item, guess) | {"confidence": "70"}
        response = client.post(
            reverse(submit, args=[early.pk, key]), answer, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 404
        assert b"generated" not in response.content.lower().replace(b"ai-generated", b"")


def test_homework_that_would_answer_an_open_test_waits_for_it(school, teacher, demo_pack):
    """Homework with feedback after each round, sharing clips with a test of the class not
    yet due, would show the test's answers: it opens when the test is due. The test itself
    plays (it shows no truth)."""
    from datetime import timedelta

    from quiz.models import Assignment
    from tests.people import open_assignment

    student = User.objects.create_user("kt-homework", password="x", role="student", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7H")
    Enrollment.objects.create(classroom=classroom, student=student)
    client = _signed_in(student)
    homework = open_assignment(teacher, demo_pack, classroom, feedback="each")
    started = services.attempt_start(user=student, quiz=demo_pack, assignment=homework)
    play = reverse("quiz:attempt_play", args=[started.pk])
    assert client.get(play).status_code == 200
    test = _friday_test(teacher, classroom, demo_pack)

    assert client.get(play).status_code == 404
    # The teacher is told so when assigning the quiz again.
    assign = _signed_in(teacher).get(reverse("teach:assignment_create", args=[demo_pack.slug]))
    assert "can start it only when the test is due" in assign.content.decode()
    assert "2 clips in “Friday test” for 7H, due " in assign.content.decode()
    response = client.post(reverse("quiz:assignment_start", args=[homework.pk]), follow=True)
    assert "It opens when that test is due." in response.content.decode()
    shown = selectors.attempt_rounds(started)[0]
    key = selectors.round_key(started, shown.item.pk)
    guess = "a" if shown.item.is_pair else "real"
    answer = spot_answers.post_data(shown.item, guess) | {"confidence": "70"}
    assert (
        client.post(reverse("quiz:answer_submit", args=[started.pk, key]), answer).status_code
        == 404
    )
    # The test plays as ever.
    response = client.post(reverse("quiz:assignment_start", args=[test.pk]))
    assert response.status_code == 302 and "/attempts/" in response.url
    assert client.get(response.url).status_code == 200
    # Due, the test frees the homework.
    Assignment.objects.filter(pk=test.pk).update(
        opens_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(play).status_code == 200


def test_a_practice_set_begun_before_a_test_is_not_resumed_with_its_clips(
    school, teacher, demo_pack
):
    from quiz.models import Attempt
    from quiz.services import practice as practice_services

    student = User.objects.create_user("kt-practice", password="x", role="student", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7R")
    Enrollment.objects.create(classroom=classroom, student=student)
    client = _signed_in(student)
    early = practice_services.practice_start(user=student)
    play = reverse("quiz:attempt_play", args=[early.pk])
    assert client.get(play).status_code == 200
    test = _friday_test(teacher, classroom, demo_pack)
    held = {c.pk for i in test.quiz.items.all() for c in i.clips}
    # Make sure the old set holds a clip of the test (its rounds are chosen at random).
    from quiz.models import QuizItem

    QuizItem.objects.filter(pk=early.quiz.items.order_by("position").first().pk).update(
        clip_id=min(held), other_clip=None, kind="single"
    )
    assert client.get(play).status_code == 404
    resumed = practice_services.practice_start(user=student)
    assert resumed.pk != early.pk
    assert not held & {c.pk for i in resumed.quiz.items.all() for c in i.clips}
    assert Attempt.objects.filter(pk=early.pk, finished_at__isnull=True).exists()


def test_homework_due_before_a_test_it_waits_for_is_refused(school, teacher, demo_pack):
    """Homework with the answers after each round opens for a class only when its tests that
    share clips are due: due before them, it would close before it ever opened. The assign
    form says which test and until when, and assigns nothing, for the test's class and for
    every class of its school (homework of a parallel class would answer it: audit 4); a
    later due time or answers after the due time are fine."""
    from datetime import timedelta

    from quiz.models import Assignment

    classroom = account_services.classroom_create(teacher=teacher, name="7D")
    other = account_services.classroom_create(teacher=teacher, name="7E")
    test = _friday_test(teacher, classroom, demo_pack)
    client = _signed_in(teacher)
    url = reverse("teach:assignment_create", args=[demo_pack.slug])
    local = timezone.localtime

    def post(classrooms, due, feedback="each"):
        return client.post(
            url,
            {
                "classrooms": [c.pk for c in classrooms],
                "opens_at": local(timezone.now()).strftime("%Y-%m-%dT%H:%M"),
                "due_at": local(due).strftime("%Y-%m-%dT%H:%M"),
                "attempts_allowed": "1",
                "feedback": feedback,
                "unit_role": "",
                "unit": "",
            },
        )

    before = Assignment.objects.count()
    response = post([classroom, other], timezone.now() + timedelta(days=1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "7D cannot start this before the test “Friday test” of 7D is due (" in page
    assert "7E cannot start this before the test “Friday test” of 7D is due (" in page
    assert Assignment.objects.count() == before
    # Due exactly when the test is due still never opens before it closes.
    assert "7D cannot start" in post([classroom], test.due_at).content.decode()
    assert Assignment.objects.count() == before

    assert post([other], timezone.now() + timedelta(days=1), "after_due").status_code == 302
    assert post([classroom], timezone.now() + timedelta(days=1), "after_due").status_code == 302
    assert post([classroom, other], test.due_at + timedelta(hours=1)).status_code == 302
    assert Assignment.objects.count() == before + 4


def test_someone_elses_test_closes_attempts_in_play_not_finished_ones(school, teacher, demo_pack):
    """A test of another class closes what would show its clips' truth to anyone from now on
    (an attempt still in play: audit 3), but not what someone finished before it was set:
    that shows them again only what they were shown then, and their old results stay."""
    from datetime import timedelta

    from quiz.models import Attempt, Quiz, QuizItem
    from quiz.selectors import feed as feed_selectors
    from quiz.services import feed as feed_services

    someone = User.objects.create_user("kt-elsewhere", password="x", role="student")
    client = _signed_in(someone)
    done = services.attempt_start(user=someone, quiz=demo_pack)
    Attempt.objects.filter(pk=done.pk).update(finished_at=timezone.now())
    practice = Quiz.objects.get(slug="demo-practice")
    in_play = services.attempt_start(user=someone, quiz=practice)
    summary = reverse("quiz:attempt_summary", args=[done.pk])
    play = reverse("quiz:attempt_play", args=[in_play.pk])
    assert client.get(summary).status_code == 200 and client.get(play).status_code == 200
    feed = feed_services.practice_feed_start(student=someone)
    assert feed_selectors.feed_home(someone).open_attempt == feed

    classroom = account_services.classroom_create(teacher=teacher, name="7X")
    test = _friday_test(teacher, classroom, demo_pack)
    # The test holds one of the feed's clips too.
    QuizItem.objects.create(
        quiz=test.quiz, position=2, kind="single", clip=feed.quiz.items.first().clip
    )
    held = {c.pk for i in test.quiz.items.all() for c in i.clips}
    assert client.get(summary).status_code == 200
    assert client.get(play).status_code == 404
    # The feed in play is not resumed: practice offers a new one without the test's clips.
    assert feed_selectors.feed_home(someone).open_attempt is None
    fresh = feed_services.practice_feed_start(student=someone)
    assert fresh.pk != feed.pk
    assert not held & {i.clip_id for i in fresh.quiz.items.all()}
    assert feed_selectors.feed_home(someone).open_attempt == fresh
    # The test's own class is closed out of both, finished or not.
    student = User.objects.create_user("kt-in-7x", password="x", role="student", school=school)
    Enrollment.objects.create(classroom=classroom, student=student)
    theirs = services.attempt_start(user=student, quiz=practice)
    Attempt.objects.filter(pk=theirs.pk).update(finished_at=timezone.now() - timedelta(days=1))
    theirs.refresh_from_db()
    assert held_selectors.attempt_closed_for_now(theirs, student)
    done.refresh_from_db()
    assert not held_selectors.attempt_closed_for_now(done, someone)
    test.delete()
    assert client.get(play).status_code == 200


def test_a_test_closes_attempts_in_play_across_its_school_and_for_accounts_without_one(
    school, teacher, demo_pack
):
    """The written-out check every submit asks (quiz.selectors.held._shares_a_pending_clip)
    says what pending_assignment_items says: a test of the school closes a private attempt
    in play of anyone in that school or without a school, not of another school's student,
    and a finished one only for the test's own class."""
    from quiz.models import Attempt, Quiz, QuizItem

    classroom = account_services.classroom_create(teacher=teacher, name="7S")
    test = _friday_test(teacher, classroom, demo_pack)
    clip = test.quiz.items.first().clip

    def attempt_of(user, *, finished=False):
        quiz = Quiz.objects.create(title="Own", slug=f"own-{user.username}", created_by=user)
        QuizItem.objects.create(quiz=quiz, position=1, kind="single", clip=clip)
        attempt = services.attempt_start(user=user, quiz=quiz)
        if finished:
            Attempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())
            attempt.refresh_from_db()
        return attempt

    same = User.objects.create_user("kt-same", password="x", role="student", school=school)
    none = User.objects.create_user("kt-none", password="x", role="student")
    far = User.objects.create_user(
        "kt-far2", password="x", role="student", school=School.objects.create(name="Far")
    )
    member = User.objects.create_user("kt-member", password="x", role="student", school=school)
    Enrollment.objects.create(classroom=classroom, student=member)
    assert held_selectors.attempt_closed_for_now(attempt_of(same), same)
    assert held_selectors.attempt_closed_for_now(attempt_of(none), none)
    # A school whose only teacher waits for approval is held back like an account without
    # one (audit 4: such a teacher made students in a school of their own, 15 of 15).
    founded = School.objects.create(name="Founded by a pending teacher")
    User.objects.create_user(
        "kt-pending-t", password="x", role="teacher", school=founded, verified_at=None
    )
    made = User.objects.create_user("kt-made", password="x", role="student", school=founded)
    assert held_selectors.attempt_closed_for_now(attempt_of(made), made)
    assert demo_pack not in held_selectors.quizzes_playable_by(made)
    assert clip.pk not in set(Clip.objects.for_learning(made).values_list("pk", flat=True))
    # Approved schools are not held back by another school's tests.
    people.school_teacher(far.school, username="kt-far2-teacher")
    assert not held_selectors.attempt_closed_for_now(attempt_of(far), far)
    assert demo_pack in held_selectors.quizzes_playable_by(far)
    User.objects.filter(username="kt-pending-t").update(verified_at=timezone.now())
    assert demo_pack in held_selectors.quizzes_playable_by(made)
    same_done = Quiz.objects.get(slug="own-kt-same").attempts.get()
    Attempt.objects.filter(pk=same_done.pk).update(finished_at=timezone.now())
    same_done.refresh_from_db()
    assert not held_selectors.attempt_closed_for_now(same_done, same)
    assert held_selectors.attempt_closed_for_now(attempt_of(member, finished=True), member)


def test_homework_of_a_parallel_class_waits_for_the_schools_test(school, teacher, demo_pack):
    """Homework that shows the truth after each round, set to another class of the school
    before a test there was set, waits for that test's due time like the test's own class's
    (audit 4: a parallel class's homework showed all 15 answers)."""
    from tests.people import open_assignment

    test_class = account_services.classroom_create(teacher=teacher, name="7P1")
    parallel = account_services.classroom_create(teacher=teacher, name="7P2")
    student = User.objects.create_user("kt-parallel", password="x", role="student", school=school)
    Enrollment.objects.create(classroom=parallel, student=student)
    homework = open_assignment(teacher, demo_pack, parallel, feedback="each")
    started = services.attempt_start(user=student, quiz=demo_pack, assignment=homework)
    play = reverse("quiz:attempt_play", args=[started.pk])
    client = _signed_in(student)
    assert client.get(play).status_code == 200
    test = _friday_test(teacher, test_class, demo_pack)
    assert client.get(play).status_code == 404
    # Another school's test does not hold it.
    test.classroom = account_services.classroom_create(
        teacher=people.school_teacher(School.objects.create(name="Other"), username="kt-o"),
        name="9O",
    )
    test.save()
    assert client.get(play).status_code == 200


def test_free_play_is_closed_exactly_when_the_quiz_is_off_the_players_list(
    school, teacher, demo_pack
):
    """A free-play submit asks in one written-out statement (held._shares_a_pending_clip,
    with kept clips) what free play's list asks with the ORM (held._public, behind
    quizzes_playable_by): the two agree for every kind of player, for an attempt in play and
    a finished one, with nothing pending, a test of the school, homework and a kept clip."""
    from datetime import timedelta

    from quiz.models import Attempt
    from tests.people import open_assignment

    classroom = account_services.classroom_create(teacher=teacher, name="8K")
    member = User.objects.create_user("fp-member", password="x", role="student", school=school)
    Enrollment.objects.create(classroom=classroom, student=member)
    same = User.objects.create_user("fp-same", password="x", role="student", school=school)
    none = User.objects.create_user("fp-none", password="x", role="student")
    far = User.objects.create_user(
        "fp-far", password="x", role="student", school=School.objects.create(name="Far")
    )
    people.school_teacher(far.school, username="fp-far-teacher")
    founded = School.objects.create(name="Founded")
    User.objects.create_user(
        "fp-pending", password="x", role="teacher", school=founded, verified_at=None
    )
    made = User.objects.create_user("fp-made", password="x", role="student", school=founded)
    players = [member, same, none, far, made]
    attempts = []
    for user in players:
        finished = services.attempt_start(user=user, quiz=demo_pack)
        Attempt.objects.filter(pk=finished.pk).update(finished_at=timezone.now())
        attempts += [
            (user, finished.pk),
            (user, services.attempt_start(user=user, quiz=demo_pack).pk),
        ]

    def closed() -> dict[tuple[str, bool], bool]:
        found = {}
        for user, pk in attempts:
            attempt = Attempt.objects.select_related("quiz").get(pk=pk)
            school_wide = attempt.finished_at is None
            listed = held_selectors._public(user, pending=True, school_wide=school_wide)
            shut = held_selectors.attempt_closed_for_now(attempt, user)
            assert shut == (not listed.filter(pk=demo_pack.pk).exists()), (user, school_wide)
            found[user.username, school_wide] = shut
        return found

    assert not any(closed().values())
    test = _friday_test(teacher, classroom, demo_pack)
    assert closed() == {
        **{(u.username, True): True for u in (member, same, none, made)},
        **{(u.username, False): False for u in (same, none, made)},
        ("fp-member", False): True,
        ("fp-far", True): False,
        ("fp-far", False): False,
    }
    test.due_at = timezone.now() - timedelta(minutes=1)
    test.save()
    homework = open_assignment(teacher, test.quiz, classroom, attempts_allowed=1)
    assert {k for k, shut in closed().items() if shut} == {
        ("fp-member", True),
        ("fp-member", False),
    }
    homework.delete()
    clip = demo_pack.items.first().clip
    clip.kept_for_tests = True
    clip.save()
    assert all(closed().values())
