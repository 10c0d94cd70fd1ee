"""Adaptive practice and boosters (issue 14 §3, §4): a practice set grows round by round
through the normal play loop, its answers are ordinary answers that also move the ratings,
it never shows clips kept for tests or clips of the recent rounds, the home shows mastery and
due boosters, boosters fall due after lessons and assignments and move on when done, the
teacher's class page shows who kept up, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrollment
from quiz import adaptive
from quiz.models import (
    Answer,
    Attempt,
    BoosterPlan,
    Clip,
    ClipRating,
    PracticeSet,
    Quiz,
    QuizItem,
    SkillRating,
    StatCell,
)
from quiz.selectors import play as play_selectors
from quiz.selectors import practice as selectors
from quiz.services import play as play_services
from quiz.services import practice as services
from quiz.stats import aggregation
from tests import people
from tests.spot_answers import form_data, hit_mark, miss_mark, submit_kwargs

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


def _fold() -> None:
    """What the stats task does: fold the answers into the cells, then move the ratings."""
    aggregation.fold_all()
    services.practice_fold_all()


def _answer_data(item: QuizItem, shown: play_selectors.ShownRound) -> dict[str, str]:
    """A right answer as the round's form sends it."""
    if item.is_spot:
        return {"confidence": "80", **form_data(hit_mark(item))}
    return {"confidence": "80", "guess": shown.correct_option()}


def _play_round(client: Client, attempt: Attempt) -> QuizItem | None:
    """Open the play page (which grows the set) and answer its round right; None at the end."""
    response = client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    if response.status_code == 302:
        return None
    assert response.status_code == 200
    attempt.refresh_from_db()
    shown = play_selectors.attempt_next_round(attempt)
    assert shown is not None
    item = play_selectors.with_clips_and_artifacts(shown.item)[0]
    response = client.post(
        reverse("quiz:answer_submit", args=[attempt.pk, shown.key]), _answer_data(item, shown)
    )
    assert response.status_code == 302, response.content[:500]
    return item


def _start(client: Client, **data: str) -> Attempt:
    response = client.post(reverse("practice:start"), data)
    assert response.status_code == 302
    attempt = Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    return attempt


def _answer_right(attempt, shown) -> None:
    """Answer the shown round right, at 80 % (a spot round with a mark on its giveaway)."""
    item = play_selectors.with_clips_and_artifacts(shown.item)[0]
    kwargs = submit_kwargs(item, shown.correct_option())
    play_services.answer_submit(attempt=attempt, item=item, confidence=80, **kwargs)


def test_practise_plays_a_set_that_grows_one_round_ahead(student_client, student, demo_pack):
    attempt = _start(student_client)
    assert attempt.quiz.mode == Quiz.Mode.PRACTICE
    assert not attempt.quiz.is_public and attempt.quiz.created_by == student
    assert attempt.quiz.items.count() == services.AHEAD
    played = []
    while (item := _play_round(student_client, attempt)) is not None:
        played.append(item)
        attempt.refresh_from_db()
        answered = attempt.answers.count()
        # Never more than one round beyond the one on screen, never past the set's length.
        assert attempt.quiz.items.count() <= min(adaptive.PRACTICE_ROUNDS, answered + 1)
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert len(played) == adaptive.PRACTICE_ROUNDS == attempt.answers.count()
    assert sorted(attempt.round_order) == sorted(attempt.quiz.items.values_list("pk", flat=True))
    # Every clip once in the set, and ordinary answers with feedback and a summary.
    clips = [pk for i in played for pk in (i.clip_id, i.other_clip_id) if pk]
    assert len(clips) == len(set(clips))
    summary = student_client.get(reverse("quiz:attempt_summary", args=[attempt.pk]))
    assert summary.status_code == 200


def test_the_play_page_counts_the_rounds_the_set_will_have(student_client, demo_pack):
    attempt = _start(student_client)
    page = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    assert f"Round 1 of {adaptive.PRACTICE_ROUNDS}" in page.content.decode()


def test_answers_move_skills_and_clip_ratings_in_the_fold(student, student_client, demo_pack):
    attempt = _start(student_client)
    for _ in range(4):
        _play_round(student_client, attempt)
    assert not SkillRating.objects.filter(user=student).exists()
    _fold()
    skills = SkillRating.objects.filter(user=student)
    assert sum(s.answers for s in skills) >= 4
    # All right: every skill went up, every clip got easier than where it started.
    assert all(s.rating > 0 for s in skills)
    answered = Answer.objects.filter(attempt=attempt).values_list("clip_id", flat=True)
    assert ClipRating.objects.filter(clip_id__in=answered).count() == len(set(answered))
    assert all(r.rating < 0 for r in ClipRating.objects.filter(clip_id__in=answered))
    # A second fold of nothing changes nothing (each answer moves the ratings once).
    before = list(skills.values_list("category", "rating", "answers"))
    _fold()
    assert list(skills.values_list("category", "rating", "answers")) == before


def test_clip_difficulty_starts_from_the_everyone_cell(demo_pack, student):
    clip = Clip.objects.filter(is_generated=True).first()
    StatCell.objects.create(
        scope="all", scope_id=0, dimension="clip", key=str(clip.pk), n=98, correct=8
    )
    state = selectors.practice_state(student)
    found = {c.clip_id: c.difficulty for group in state.pool.generated.values() for c in group}
    assert found[clip.pk] == pytest.approx(adaptive.prior_difficulty(98, 8))
    assert found[clip.pk] > 2  # hard: 9 in 100 right


def test_practice_never_shows_clips_kept_for_tests(student_client, demo_pack):
    kept = list(Clip.objects.filter(is_generated=True).values_list("pk", flat=True)[:8])
    kept += list(Clip.objects.filter(is_generated=False).values_list("pk", flat=True)[:8])
    Clip.objects.filter(pk__in=kept).update(kept_for_tests=True)
    attempt = _start(student_client)
    while _play_round(student_client, attempt) is not None:
        pass
    used = attempt.quiz.items.values_list("clip_id", "other_clip_id")
    assert not {pk for pair in used for pk in pair if pk} & set(kept)


def test_clips_of_the_last_rounds_are_left_out(student, demo_pack):
    first = services.practice_start(user=student)
    recent = selectors.practice_state(student, attempt=first).recent
    items = QuizItem.objects.filter(quiz=first.quiz)
    assert {i.clip_id for i in items} <= recent


def test_a_focused_set_practises_mostly_its_category(student, demo_pack):
    state = selectors.practice_state(student)
    code = max(
        (k for k in state.pool.generated if k != adaptive.UNTAGGED),
        key=lambda k: len(state.pool.generated[k]),
    )
    attempt = services.practice_start(user=student, focus=code)
    assert attempt.quiz.practice_set.focus == code
    assert services.practice_start(user=student, focus=code) == attempt  # resumed


def test_an_unknown_category_is_a_clear_message(student_client, demo_pack):
    response = student_client.post(reverse("practice:start"), {"category": "nonsense"}, follow=True)
    assert response.status_code == 200
    assert "There is no such giveaway category." in response.content.decode()
    assert not PracticeSet.objects.exists()


def test_an_empty_library_says_so(student_client, db):
    response = student_client.post(reverse("practice:start"), follow=True)
    assert "not enough clips to practise" in response.content.decode()
    assert not Quiz.objects.filter(mode=Quiz.Mode.PRACTICE).exists()


# --- who may do what ------------------------------------------------------------------------


def test_someone_elses_practice_attempt_is_a_404(student, other_student, demo_pack):
    attempt = services.practice_start(user=student)
    other = Client()
    other.force_login(other_student)
    assert other.get(reverse("quiz:attempt_play", args=[attempt.pk])).status_code == 404
    shown = play_selectors.attempt_next_round(attempt)
    answer = other.post(
        reverse("quiz:answer_submit", args=[attempt.pk, shown.key]),
        {"guess": "real", "confidence": "70"},
    )
    assert answer.status_code == 404
    assert not Answer.objects.exists()


def test_only_students_practise(teacher, demo_pack):
    client = Client()
    client.force_login(teacher)
    assert client.post(reverse("practice:start")).status_code == 403
    assert Client().post(reverse("practice:start")).status_code == 302  # to sign in


def test_starting_needs_a_post(student_client):
    assert student_client.get(reverse("practice:start")).status_code == 405


def test_someone_elses_booster_is_a_404(student, other_student, demo_pack):
    plan = BoosterPlan.objects.create(
        user=student,
        category="physics",
        source="lesson",
        started_at=timezone.now(),
        due_at=timezone.now(),
    )
    other = Client()
    other.force_login(other_student)
    assert other.post(reverse("practice:booster_start", args=[plan.pk])).status_code == 404


# --- home -----------------------------------------------------------------------------------


def test_home_shows_mastery_bars_and_the_weakest_category(student, student_client, demo_pack):
    for key, n, correct in (("physics", 20, 6), ("text", 10, 9)):
        StatCell.objects.create(
            scope="user", scope_id=student.pk, dimension="category", key=key, n=n, correct=correct
        )
    page = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Practise Physics and solidity" in page
    assert 'name="category" value="physics"' in page
    assert page.count('class="mastery-fill"') == 2
    home = selectors.practice_home(student, timezone.now())
    physics = next(b for b in home.bars if b.mastery.code == "physics")
    assert physics.percent == 30 and physics.low < 30 < physics.high


def test_home_for_a_new_student_offers_a_mix(student_client, demo_pack):
    page = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Practise a mix" in page
    assert 'name="category"' not in page


# --- boosters -------------------------------------------------------------------------------


def _finish_assignment(student, teacher, classroom, demo_pack, feedback="each") -> Attempt:
    from quiz.services import teach as teach_services

    (assignment,) = teach_services.assignment_create(
        teacher=teacher,
        quiz=demo_pack,
        classrooms=[classroom],
        opens_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() + timedelta(days=3),
        attempts_allowed=1,
        feedback=feedback,
    )
    attempt = play_services.attempt_start(user=student, quiz=demo_pack, assignment=assignment)
    for shown in play_selectors.attempt_rounds(attempt):
        _answer_right(attempt, shown)
    attempt.refresh_from_db()
    assert attempt.is_finished
    return attempt


def test_an_assignment_starts_boosters_due_in_two_days(
    student, teacher, classroom, demo_pack, student_client
):
    attempt = _finish_assignment(student, teacher, classroom, demo_pack)
    _fold()
    plans = list(BoosterPlan.objects.filter(user=student))
    # The demo quiz shows more kinds of giveaway than that: its three most shown.
    assert len(plans) == services.ASSIGNMENT_BOOSTER_CATEGORIES
    for plan in plans:
        assert plan.source == "assignment" and plan.step == 0
        assert plan.due_at == attempt.finished_at + timedelta(days=2)
    # Not due yet: the home names the next one but offers no booster button.
    page = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Next booster:" in page and "Boosters due" not in page


def test_a_tests_boosters_start_when_its_results_come_out(
    student, teacher, classroom, demo_pack, student_client
):
    """A booster named after the tells a test showed most would say what its fakes looked
    like while its results are held back: its plans start at the due time, unseen before."""
    attempt = _finish_assignment(student, teacher, classroom, demo_pack, feedback="after_due")
    _fold()
    due = attempt.assignment.due_at
    plans = list(BoosterPlan.objects.filter(user=student))
    assert len(plans) == services.ASSIGNMENT_BOOSTER_CATEGORIES
    for plan in plans:
        assert plan.started_at == due and plan.due_at == due + timedelta(days=2)
    page = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Next booster:" not in page and "Boosters due" not in page
    for plan in plans:
        url = reverse("practice:booster_start", args=[plan.pk])
        assert url not in page
        assert student_client.post(url).status_code == 404
    assert selectors.student_boosters(student, timezone.now()) == []
    # Once the results are out the plans show as any other.
    later = selectors.student_boosters(student, due + timedelta(days=2))
    assert {b.plan.pk for b in later} == {p.pk for p in plans}
    assert all(b.is_due for b in later)


def test_a_due_booster_is_five_rounds_and_moves_the_plan_on(student, student_client, demo_pack):
    started = timezone.now() - timedelta(days=2, hours=1)
    plan = BoosterPlan.objects.create(
        user=student,
        category="physics",
        source="lesson",
        started_at=started,
        due_at=started + timedelta(days=2),
    )
    page = student_client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Boosters due" in page and "Booster: Physics and solidity" in page
    response = student_client.post(reverse("practice:booster_start", args=[plan.pk]))
    attempt = Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert attempt.quiz.practice_set.kind == "booster"
    assert attempt.quiz.practice_set.rounds == adaptive.BOOSTER_ROUNDS == 5
    while _play_round(student_client, attempt) is not None:
        pass
    _fold()
    plan.refresh_from_db()
    assert plan.step == 1 and plan.on_time == 1 and plan.late == 0
    assert plan.due_at == started + timedelta(days=7)


def test_the_class_page_shows_who_kept_up(teacher, classroom, student, other_student):
    Enrollment.objects.create(classroom=classroom, student=other_student)
    now = timezone.now()
    BoosterPlan.objects.create(
        user=student, category="text", source="lesson", started_at=now, due_at=now, on_time=1
    )
    BoosterPlan.objects.create(
        user=other_student,
        category="text",
        source="lesson",
        started_at=now - timedelta(days=9),
        due_at=now - timedelta(days=7),
    )
    rows = {r.student.pk: r for r in selectors.class_boosters(classroom, now)}
    assert rows[student.pk].kept_up and not rows[other_student.pk].kept_up
    assert rows[other_student.pk].overdue == 1
    client = Client()
    client.force_login(teacher)
    page = client.get(reverse("accounts:classroom_detail", args=[classroom.pk])).content.decode()
    assert "Boosters: who kept up" in page


def test_a_lesson_check_starts_a_booster_plan_for_its_category(student, demo_pack):
    from quiz.services import learn as learn_services

    attempt = learn_services.lesson_check_start(user=student, code="count")
    for shown in play_selectors.attempt_rounds(attempt):
        _answer_right(attempt, shown)
    attempt.refresh_from_db()
    assert attempt.is_finished
    _fold()
    plan = BoosterPlan.objects.get(user=student)
    assert (plan.category, plan.source, plan.step) == ("count", "lesson", 0)
    assert plan.due_at == attempt.finished_at + timedelta(days=2)


def _miss_if_possible(item):
    """A mark away from the clip's giveaways; on a clip with a giveaway as large as the
    frame (a credential that no longer matches the file) every mark is on it, so one hit
    among the wrong answers of the rest."""
    try:
        return miss_mark(item)
    except ValueError:
        return hit_mark(item)


def test_a_booster_below_the_pass_mark_comes_back_in_two_days(student, student_client, demo_pack):
    started = timezone.now() - timedelta(days=2, hours=1)
    plan = BoosterPlan.objects.create(
        user=student,
        category="count",
        source="lesson",
        started_at=started,
        due_at=started + timedelta(days=2),
    )
    attempt = services.practice_start(user=student, booster=plan)
    while True:
        student_client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
        attempt.refresh_from_db()
        shown = play_selectors.attempt_next_round(attempt)
        if shown is None:
            break
        item = play_selectors.with_clips_and_artifacts(shown.item)[0]
        wrong = (
            {"guess": "spot", "mark": _miss_if_possible(item)}
            if item.is_spot
            else {
                "guess": next(
                    o
                    for o in ("real", "generated", "a", "b")
                    if o in item.options() and o != shown.correct_option()
                )
            }
        )
        play_services.answer_submit(attempt=attempt, item=item, confidence=60, **wrong)
    _fold()
    plan.refresh_from_db()
    assert plan.step == 0
    assert plan.due_at == attempt.finished_at + adaptive.BOOSTER_RETRY


def test_growing_a_set_costs_the_same_queries_with_a_bigger_library(
    student, demo_pack, django_assert_num_queries
):
    attempt = services.practice_start(user=student)
    shown = play_selectors.attempt_next_round(attempt)
    _answer_right(attempt, shown)
    with django_assert_num_queries(selectors.STATE_QUERIES + 7):
        assert services.practice_grow(attempt=attempt) == 3
    # Twice the library: the same number of queries for the next round.
    for clip in list(Clip.objects.all()):
        clip.pk, clip.key = None, f"{clip.key}-copy"
        clip.save()
    shown = play_selectors.attempt_next_round(attempt)
    _answer_right(attempt, shown)
    with django_assert_num_queries(selectors.STATE_QUERIES + 7):
        assert services.practice_grow(attempt=attempt) == 4


def test_erasing_a_student_takes_their_practice_sets(student, teacher, demo_pack):
    from quiz.services import privacy

    attempt = services.practice_start(user=student)
    quiz_id = attempt.quiz_id
    SkillRating.objects.create(user=student, category="text", rating=1, answers=1)
    privacy.student_erase(student=student, by=teacher)
    assert not Quiz.objects.filter(pk=quiz_id).exists()
    assert not SkillRating.objects.exists() and not PracticeSet.objects.exists()


def test_the_stats_task_folds_the_cells_then_moves_the_ratings(student, demo_pack):
    from quiz.models import PracticePending
    from quiz.tasks import stats_fold

    attempt = services.practice_start(user=student)
    shown = play_selectors.attempt_next_round(attempt)
    _answer_right(attempt, shown)
    aggregation.fold_all()
    assert PracticePending.objects.count() == 1  # queued by the fold, not yet rated
    assert not SkillRating.objects.filter(user=student).exists()
    stats_fold()
    assert not PracticePending.objects.exists()
    assert sum(SkillRating.objects.filter(user=student).values_list("answers", flat=True)) >= 1
