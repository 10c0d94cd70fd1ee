"""Lessons (issue 14 §2): what a lesson shows and checks, who sees which lessons, the check as
ordinary answers, assigning a lesson, and the learner's mastery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Enrollment, School, User
from quiz import categories
from quiz.models import Answer, Assignment, Attempt, Clip, LessonCheck, Quiz, QuizItem, StatCell
from quiz.selectors import learn as selectors
from quiz.selectors import play as play_selectors
from quiz.selectors.media import clip_for_media_name, lesson_media_name
from quiz.services import learn as services
from quiz.services import play as play_services
from quiz.services import teach as teach_services
from quiz.spot import Mark
from quiz.stats import aggregation
from tests.payloads import assignment_form

pytestmark = pytest.mark.django_db


def _clip(key: str, generated: bool, codes=(), **extra) -> Clip:
    values = {
        "key": key,
        "media_kind": "video",
        "status": Clip.Status.READY,
        "is_generated": generated,
        "generator": "model-x" if generated else "camera",
        "width": 640,
        "height": 360,
        "duration_s": 4.0,
        "media": f"clips/{key}.mp4",
        "poster": f"clips/{key}.jpg",
    }
    values.update(extra)
    clip = Clip.objects.create(**values)
    for code in codes:
        clip.artifacts.create(
            category=code,
            start_s=1.0,
            end_s=2.0,
            box_x=0.4,
            box_y=0.4,
            box_w=0.2,
            box_h=0.2,
            explanation=f"{code} on {key}",
        )
    return clip


@pytest.fixture
def library():
    """Five morphing clips (three examples, two for the check), two other generated clips,
    four real ones (two with decoys that look like morphing), and only two text clips."""
    clips = {
        "morph": [_clip(f"morph-{n}", True, ["morphing"]) for n in range(5)],
        "other": [_clip(f"count-{n}", True, ["count"]) for n in range(2)],
        "real": [
            _clip("real-plain-0", False),
            _clip("real-shutter", False, ["rolling_shutter"]),
            _clip("real-lens", False, ["lens"]),
            _clip("real-plain-1", False),
        ],
        "text": [_clip(f"text-{n}", True, ["text"]) for n in range(2)],
    }
    return clips


def _check_clip_ids(quiz: Quiz) -> set[int]:
    return {
        i
        for pair in QuizItem.objects.filter(quiz=quiz).values_list("clip_id", "other_clip_id")
        for i in pair
        if i is not None
    }


def _shown_ids(page: selectors.LessonPage) -> set[int]:
    shown = {e.clip.pk for e in page.examples}
    return shown | ({page.decoy.clip.pk} if page.decoy else set())


def test_lesson_shows_examples_and_a_decoy_and_checks_with_other_clips(student, library):
    page = selectors.lesson_page(student, "morphing")
    assert page.available
    examples = [e.clip for e in page.examples]
    assert examples == library["morph"][:3]
    assert page.decoy.clip == library["real"][1]  # rolling shutter looks like morphing
    assert all(e.artifacts[0].category == "morphing" for e in page.examples)

    attempt = services.lesson_check_start(user=student, code="morphing")
    check = attempt.quiz
    assert check.mode == Quiz.Mode.LESSON
    assert check.lesson_check.category == "morphing"
    items = list(check.items.order_by("position"))
    assert [i.kind for i in items] == ["spot", "pair", "single", "single"]
    assert items[0].clip in library["morph"][3:]
    assert not _check_clip_ids(check) & _shown_ids(page)
    # The lesson read again (around the check that now exists) still shows other clips.
    again = selectors.lesson_page(student, "morphing")
    assert again.plan.check_quiz_id == check.pk
    assert not _check_clip_ids(check) & _shown_ids(again)


def test_the_check_is_reused_by_the_school_and_played_as_ordinary_answers(
    student, other_student, library
):
    school = School.objects.create(name="Hillside")
    User.objects.filter(pk__in=[student.pk, other_student.pk]).update(school=school)
    student.refresh_from_db()
    other_student.refresh_from_db()
    first = services.lesson_check_start(user=student, code="morphing")
    second = services.lesson_check_start(user=other_student, code="morphing")
    assert first.quiz == second.quiz
    assert LessonCheck.objects.get().school == school
    # Resuming returns the open attempt.
    assert services.lesson_check_start(user=student, code="morphing") == first

    for shown in play_selectors.attempt_rounds(first):
        if shown.item.is_spot:
            play_services.answer_submit(
                attempt=first,
                item=shown.item,
                guess="spot",
                confidence=80,
                mark=Mark(500, 500, 1500),
            )
        else:
            play_services.answer_submit(
                attempt=first, item=shown.item, guess=shown.correct_option(), confidence=90
            )
    first.refresh_from_db()
    assert first.is_finished
    answers = Answer.objects.filter(attempt=first)
    assert answers.count() == 4 and all(a.is_correct for a in answers)
    aggregation.fold_all()
    mastery = selectors.category_mastery(student)["morphing"]
    # Single and pair rounds carrying morphing count; the spot round counts apart.
    morphing_rounds = [
        a
        for a in answers
        if a.item_kind != "spot" and a.categories & (1 << categories.BITS["morphing"])
    ]
    assert mastery.answers == len(morphing_rounds)
    assert mastery.right == len(morphing_rounds)
    assert (mastery.spot_answers, mastery.spot_hits) == (1, 1)
    assert selectors.category_mastery(other_student)["morphing"].answers == 0


def test_kept_for_tests_clips_never_reach_a_lesson_or_its_check(student, library):
    kept = library["morph"][0]
    Clip.objects.filter(pk__in=[kept.pk, library["real"][1].pk]).update(kept_for_tests=True)
    page = selectors.lesson_page(student, "morphing")
    check = services.lesson_check_current(user=student, code="morphing")
    used = _shown_ids(page) | _check_clip_ids(check)
    assert kept.pk not in used and library["real"][1].pk not in used
    # A clip of the check kept for tests later: a new check replaces it, without that clip.
    spot_clip = check.items.get(kind="spot").clip
    Clip.objects.filter(pk=spot_clip.pk).update(kept_for_tests=True)
    replacement = services.lesson_check_current(user=student, code="morphing")
    assert replacement != check
    assert spot_clip.pk not in _check_clip_ids(replacement)
    assert spot_clip.pk not in _shown_ids(selectors.lesson_page(student, "morphing"))


def test_a_lesson_with_too_few_clips_is_hidden_from_students(
    student_client, student, teacher, library
):
    assert student_client.get(reverse("learn:lesson", args=["text"])).status_code == 404
    assert student_client.post(reverse("learn:check_start", args=["text"])).status_code == 404
    home = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert reverse("learn:lesson", args=["morphing"]) in home
    assert reverse("learn:lesson", args=["text"]) not in home
    index = student_client.get(reverse("learn:index")).content.decode()
    assert reverse("learn:lesson", args=["text"]) not in index

    teacher_client = Client()
    teacher_client.force_login(teacher)
    response = teacher_client.get(reverse("learn:lesson", args=["text"]))
    assert response.status_code == 200
    assert "Students do not see this lesson yet" in response.content.decode()
    lessons_page = teacher_client.get(reverse("learn:teacher_lessons")).content.decode()
    assert reverse("learn:assign", args=["morphing"]) in lessons_page
    assert reverse("learn:assign", args=["text"]) not in lessons_page
    assert not LessonCheck.objects.exists()


def test_students_see_only_their_schools_and_the_shared_pool(library):
    lakeside = School.objects.create(name="Lakeside")
    hillside = School.objects.create(name="Hillside")
    uploader = User.objects.create_user("up", password="x", role="teacher", school=lakeside)
    ours = User.objects.create_user("s-lake", password="x", role="student", school=lakeside)
    theirs = User.objects.create_user("s-hill", password="x", role="student", school=hillside)
    # Three text clips uploaded for Lakeside make its text lesson possible (with the shared 2).
    uploaded = [
        _clip(f"lake-text-{n}", True, ["text"], uploaded_by=uploader, school=lakeside)
        for n in range(3)
    ]
    assert selectors.lesson_page(ours, "text").available
    assert not selectors.lesson_page(theirs, "text").available
    # Lakeside's examples come from its own uploads too; Hillside's pool never holds them.
    ours_page = selectors.lesson_page(ours, "text")
    assert _shown_ids(ours_page) & {c.pk for c in uploaded}
    theirs_ids = {i.id for i in selectors.pool_infos(Clip.objects.for_learning(theirs))}
    assert not theirs_ids & {c.pk for c in uploaded}
    ours_client, theirs_client = Client(), Client()
    ours_client.force_login(ours)
    theirs_client.force_login(theirs)
    assert ours_client.get(reverse("learn:lesson", args=["text"])).status_code == 200
    assert theirs_client.get(reverse("learn:lesson", args=["text"])).status_code == 404
    check = services.lesson_check_current(user=ours, code="text")
    assert LessonCheck.objects.get(quiz=check).school == lakeside
    with pytest.raises(services.LessonUnavailable):
        services.lesson_check_current(user=theirs, code="text")
    # Lesson media: under names of each learner's own, for clips of their pool only; never
    # under a clip's stored name (a student could keep a table of name -> label).
    uploaded_name = ours_page.examples[0].served.media
    stored = ours_page.examples[0].clip.media.name
    assert lesson_media_name(ours, uploaded_name) == stored
    assert lesson_media_name(theirs, uploaded_name) is None
    assert clip_for_media_name(ours, stored) is None
    shared = library["morph"][0]
    names = {
        user.pk: selectors.lesson_media_key(user.pk, shared.pk, "media") + ".mp4"
        for user in (ours, theirs)
    }
    assert names[ours.pk] != names[theirs.pk]
    assert lesson_media_name(theirs, names[theirs.pk]) == shared.media.name
    assert lesson_media_name(theirs, names[ours.pk]) is None  # another learner's name
    assert lesson_media_name(theirs, shared.media.name) is None
    # Never a clip without artifacts, nor one kept for tests.
    plain = library["real"][0]
    plain_name = selectors.lesson_media_key(theirs.pk, plain.pk, "media") + ".mp4"
    assert lesson_media_name(theirs, plain_name) is None
    Clip.objects.filter(pk=shared.pk).update(kept_for_tests=True)
    assert lesson_media_name(theirs, names[theirs.pk]) is None
    anonymous = Client()
    response = anonymous.get(reverse("quiz:lesson_media", args=[names[theirs.pk]]))
    assert response.status_code == 404


@pytest.mark.parametrize("code", ["nope", "compression", "Morphing", "morphing-1"])
def test_unknown_or_decoy_category_is_a_404(student_client, teacher, code, library):
    assert student_client.get(reverse("learn:lesson", args=[code])).status_code == 404
    assert student_client.post(reverse("learn:check_start", args=[code])).status_code == 404
    teacher_client = Client()
    teacher_client.force_login(teacher)
    assert teacher_client.post(reverse("learn:assign", args=[code])).status_code == 404


def test_roles_and_methods(student_client, teacher, library):
    assert student_client.get(reverse("learn:teacher_lessons")).status_code == 403
    assert student_client.post(reverse("learn:assign", args=["morphing"])).status_code == 403
    assert student_client.get(reverse("learn:check_start", args=["morphing"])).status_code == 405
    teacher_client = Client()
    teacher_client.force_login(teacher)
    assert teacher_client.get(reverse("learn:assign", args=["morphing"])).status_code == 405
    anonymous = Client()
    response = anonymous.get(reverse("learn:lesson", args=["morphing"]))
    assert response.status_code == 302 and "login" in response.url
    User.objects.filter(pk=teacher.pk).update(verified_at=None)
    assert teacher_client.post(reverse("learn:assign", args=["morphing"])).status_code == 403


def test_check_start_redirects_into_the_play_loop(student_client, student, library):
    response = student_client.post(reverse("learn:check_start", args=["morphing"]))
    attempt = Attempt.objects.get(user=student)
    assert response.status_code == 302
    assert response.url == reverse("quiz:attempt_play", args=[attempt.pk])
    assert attempt.quiz.mode == Quiz.Mode.LESSON and attempt.assignment is None
    play = student_client.get(response.url)
    assert play.status_code == 200


def test_teacher_assigns_a_lesson_and_the_student_sees_the_lesson_first(
    teacher, student, other_student, library
):
    school = School.objects.create(name="Lakeside", time_zone="Europe/Berlin")
    User.objects.filter(pk__in=[teacher.pk, student.pk]).update(school=school)
    teacher.refresh_from_db()
    classroom = account_services.classroom_create(teacher=teacher, name="8A")
    Enrollment.objects.create(classroom=classroom, student=student)
    teacher_client = Client()
    teacher_client.force_login(teacher)

    response = teacher_client.post(reverse("learn:assign", args=["morphing"]))
    quiz = Quiz.objects.get(mode=Quiz.Mode.LESSON)
    assert quiz.created_by == teacher and not quiz.is_public
    assert response.url == reverse("teach:assignment_create", args=[quiz.slug])
    # Pressing Assign again reuses the teacher's check.
    teacher_client.post(reverse("learn:assign", args=["morphing"]))
    assert Quiz.objects.filter(mode=Quiz.Mode.LESSON).count() == 1
    # The ordinary assignment form takes the lesson's check like any quiz.
    response = teacher_client.post(
        reverse("teach:assignment_create", args=[quiz.slug]), assignment_form(classroom.pk)
    )
    assignment = Assignment.objects.get(quiz=quiz)
    assert response.url == reverse("teach:assignment_live", args=[assignment.pk])
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(opens_at=now - timedelta(hours=1))

    student_client = Client()
    student_client.force_login(student)
    home = student_client.get(reverse("quiz:quiz_list")).content.decode()
    lesson_url = reverse("learn:assignment", args=[assignment.pk])
    assert lesson_url in home
    page = student_client.get(lesson_url)
    body = page.content.decode()
    assert page.status_code == 200
    assert reverse("quiz:assignment_start", args=[assignment.pk]) in body
    shown = {e.clip.pk for e in page.context["page"].examples}
    assert len(shown) >= 2 and not shown & _check_clip_ids(quiz)
    started = student_client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(user=student)
    assert started.url == reverse("quiz:attempt_play", args=[attempt.pk])
    assert attempt.assignment == assignment

    outsider = Client()
    outsider.force_login(other_student)
    assert outsider.get(lesson_url).status_code == 404
    # Not a lesson: an ordinary quiz's assignment has no lesson page.
    plain = Quiz.objects.create(title="Plain", slug="plain", created_by=teacher)
    QuizItem.objects.create(quiz=plain, position=1, kind="single", clip=library["real"][0])
    (other,) = teach_services.assignment_create(
        teacher=teacher,
        quiz=plain,
        classrooms=[classroom],
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=1),
        attempts_allowed=1,
        feedback="each",
    )
    assert student_client.get(reverse("learn:assignment", args=[other.pk])).status_code == 404
    assert Assignment.objects.count() == 2


def test_category_mastery_reads_the_students_own_cells_in_two_queries(
    student, other_student, django_assert_num_queries
):
    StatCell.objects.create(
        scope="user", scope_id=student.pk, dimension="category", key="count", n=10, correct=7
    )
    StatCell.objects.create(
        scope="user", scope_id=other_student.pk, dimension="category", key="anatomy", n=5
    )
    StatCell.objects.create(
        scope="class", scope_id=student.pk, dimension="category", key="anatomy", n=9
    )
    with django_assert_num_queries(2):
        mastery = selectors.category_mastery(student)
    assert list(mastery) == [c.code for c in categories.TELLS]
    count = mastery["count"]
    assert (count.answers, count.right, count.estimate) == (10, 7, 0.7)
    low, high = count.interval
    assert low == pytest.approx(0.396778, abs=1e-6) and high == pytest.approx(0.892208, abs=1e-6)
    assert mastery["anatomy"].answers == 0 and mastery["anatomy"].interval is None


def test_lesson_lists_cost_a_fixed_number_of_queries(student, library, django_assert_num_queries):
    with django_assert_num_queries(5):
        rows = selectors.student_lessons(student)
    assert [r.lesson.code for r in rows] == ["morphing"]
    for n in range(4):
        _clip(f"more-{n}", True, ["anatomy"])
    with django_assert_num_queries(5):
        rows = selectors.student_lessons(student)
    assert [r.lesson.code for r in rows] == ["anatomy", "morphing"]


def test_demo_pack_lessons(student, demo_pack):
    """Which lessons the demo pack can teach: categories with 3+ annotated generated clips."""
    rows = {r.lesson.code: r for r in selectors.lesson_rows(student)}
    available = sorted(code for code, row in rows.items() if row.plan.available)
    assert available == ["count", "morphing", "provenance"]
    for code in available:
        check = services.lesson_check_current(user=student, code=code)
        page = selectors.lesson_page(student, code)
        assert len(page.examples) == 2
        assert not _check_clip_ids(check) & _shown_ids(page)
        assert check.items.filter(kind="spot").count() == 1
        assert not Clip.objects.filter(Q(pk__in=_check_clip_ids(check)), kept_for_tests=True)


def test_lesson_page_uses_the_learners_own_media_names_and_fixed_queries(
    student_client, student, library, django_assert_num_queries
):
    with django_assert_num_queries(7):
        page = selectors.lesson_page(student, "morphing")
    body = student_client.get(reverse("learn:lesson", args=["morphing"])).content.decode()
    for example in [*page.examples, page.decoy]:
        clip = example.clip
        assert clip.media.name not in body and clip.poster.name not in body
        assert reverse("quiz:lesson_media", args=[example.served.media]) in body
    for n in range(6):
        _clip(f"late-morph-{n}", True, ["morphing", "count"])
    with django_assert_num_queries(7):
        selectors.lesson_page(student, "morphing")
