"""Adaptive practice and boosters: starting a practice set, growing it round by round as the
student plays (quiz.adaptive chooses), and the fold's part: moving ratings and booster plans
with every answer folded.

A practice set is an ordinary quiz (mode PRACTICE, owned by the student, never public) played
through the normal play loop, so its answers are ordinary answers: feedback, reports and
aggregates treat them like any other. It starts with two rounds and gains one each time the
play page shows the next round (practice_grow), always one round ahead of the student until
it holds its `rounds`: the attempt never runs out of rounds early, and it finishes after the
last one the usual way.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Classroom, User
from quiz import adaptive, categories, shuffle
from quiz.models import (
    Answer,
    Assignment,
    Attempt,
    BoosterPlan,
    ClipRating,
    PracticeGoal,
    PracticePending,
    PracticeSet,
    Quiz,
    QuizItem,
    SkillRating,
    pending_assignment_items,
)
from quiz.selectors import practice as selectors
from quiz.selectors.held import attempt_closed_for_now
from quiz.services import play, teach

# Rounds a set holds ahead of the student's answers (the round on screen and one more).
AHEAD = 2


def _practice_quiz(title: str, *, owner: User, slug_stem: str) -> Quiz:
    """A private quiz of practice mode, its rounds added as it is played (a student's set)
    or by each student's own set (an assignment's)."""
    return Quiz.objects.create(
        title=title,
        mode=Quiz.Mode.PRACTICE,
        slug=f"{slug_stem}-{get_random_string(12).lower()}",
        created_by=owner,
        is_public=False,
    )


class PracticeRefused(Exception):
    """No practice can be made for this student; the message is safe to show."""

    @staticmethod
    def unknown_category() -> str:
        return _("There is no such giveaway category.")


def practice_start(*, user: User, focus: str = "", booster: BoosterPlan | None = None) -> Attempt:
    """The student's practice attempt: the open one of the same kind (resumed), or a new set
    with its first rounds chosen. `focus` is a tell category to practise most; a `booster`
    plan makes a booster set of its category. Raises PracticeRefused when the student's pool
    cannot make a round (it needs generated and camera clips)."""
    if focus and focus not in categories.TELL_CODES:
        raise PracticeRefused(PracticeRefused.unknown_category())
    kind = PracticeSet.Kind.BOOSTER if booster is not None else PracticeSet.Kind.PRACTICE
    if booster is not None:
        focus = booster.category
    booster_id = booster.pk if booster is not None else None
    existing = selectors.open_set(user, kind=kind, focus=focus, booster_id=booster_id)
    # A set started before an assignment took some of its clips is left for a new one: it
    # would show their truth (quiz.selectors.held.attempt_closed_for_now).
    if existing is not None and not attempt_closed_for_now(existing, user):
        return existing
    rounds = adaptive.BOOSTER_ROUNDS if booster is not None else adaptive.PRACTICE_ROUNDS
    return _set_start(
        user=user,
        title=_("Booster") if booster is not None else _("Practice"),
        kind=kind,
        focus=focus,
        rounds=rounds,
        booster=booster,
    )


def _set_start(
    *,
    user: User,
    title: str,
    kind: str,
    focus: str,
    rounds: int,
    booster: BoosterPlan | None = None,
    assignment: Assignment | None = None,
) -> Attempt:
    """A new practice set of `rounds` rounds and its attempt (for `assignment`, if given),
    with its first rounds chosen; PracticeRefused (and nothing stored) when the student's
    pool cannot make a round."""
    with transaction.atomic():
        quiz = _practice_quiz(title, owner=user, slug_stem=f"practice-{user.pk}")
        PracticeSet.objects.create(
            quiz=quiz,
            user=user,
            kind=kind,
            focus=focus,
            rounds=rounds,
            booster=booster,
            booster_step=booster.step if booster is not None else None,
        )
        attempt = Attempt.objects.create(
            user=user,
            quiz=quiz,
            assignment=assignment,
            seed=shuffle.new_seed(),
            round_order=[],
            swapped_pairs=[],
        )
        if not practice_grow(attempt=attempt):
            raise PracticeRefused(_too_few_clips(user))
    return attempt


def _too_few_clips(user: User) -> str:
    """Why no practice set can start: the clips of assignments not yet due are left out of
    practice until then (ClipQuerySet.without_pending), or the library is too small."""
    if pending_assignment_items(user).exists():
        return _(
            "Tests and assignments use the practice clips for now. Practice is back when they "
            "are due."
        )
    return _("There are not enough clips to practise with yet. Ask your teacher.")


# --------------------------------------------------------------------------------------------
# Practice a teacher assigns: "practise N rounds by <due>", each student's rounds chosen for
# them. The assignment's quiz holds no rounds (a PracticeGoal says how many and what focus);
# each student plays a set of their own as an attempt of the assignment, so every answer is
# an ordinary answer of the assignment (Answer.assignment), folded once like any other.
# --------------------------------------------------------------------------------------------

# Stored untranslated: pages translate a quiz's title in the reader's language.
ASSIGNED_TITLE = gettext_noop("Adaptive practice")


def practice_assign(
    *,
    teacher: User,
    classrooms: list[Classroom],
    rounds: int,
    focus: str,
    opens_at: datetime,
    due_at: datetime,
) -> list[Assignment]:
    """Assign adaptive practice of `rounds` rounds (focus: a tell category, or blank for each
    student's weakest ones) to the classes, one assignment each, all or nothing. One attempt
    each, with feedback after every answer (practice is for learning, not a test)."""
    if focus and focus not in categories.TELL_CODES:
        raise PracticeRefused(PracticeRefused.unknown_category())
    if not 1 <= rounds <= MAX_ASSIGNED_ROUNDS:
        raise PracticeRefused(_("Choose 1 to %(most)d rounds.") % {"most": MAX_ASSIGNED_ROUNDS})
    with transaction.atomic():
        quiz = _practice_quiz(ASSIGNED_TITLE, owner=teacher, slug_stem="practice-goal")
        PracticeGoal.objects.create(quiz=quiz, rounds=rounds, focus=focus)
        return teach.assignment_create(
            teacher=teacher,
            quiz=quiz,
            classrooms=classrooms,
            opens_at=opens_at,
            due_at=due_at,
            attempts_allowed=1,
            feedback=Assignment.Feedback.EACH_ANSWER,
        )


# The most rounds a teacher may ask for (PracticeSet holds at most 30).
MAX_ASSIGNED_ROUNDS = 30


def practice_assignment_start(*, user: User, assignment: Assignment) -> Attempt:
    """The student's attempt of assigned practice: the open one (resumed), or a new set of
    the goal's rounds chosen for this student. Raises play.AttemptRefused when the student
    may not start (not in the class, not open, done), PracticeRefused when their pool cannot
    make a round. One start at a time per student (the user's row is locked), so a double
    click resumes the set the first one made."""
    goal = PracticeGoal.objects.filter(quiz_id=assignment.quiz_id).first()
    if goal is None:
        raise PracticeRefused(_("This practice cannot be started. Ask your teacher."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = Attempt.objects.filter(
            user=user, assignment=assignment, finished_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        play.assignment_may_start(user=user, assignment=assignment)
        return _set_start(
            user=user,
            title=assignment.quiz.title,
            kind=PracticeSet.Kind.PRACTICE,
            focus=goal.focus,
            rounds=goal.rounds,
            assignment=assignment,
        )


def practice_grow(*, attempt: Attempt) -> int:
    """Add rounds to a practice set's attempt until it holds AHEAD rounds beyond its answers
    (never more than the set's `rounds`); returns how many rounds it holds.

    The attempt is locked first, like a submit, so a growth and an answer never overlap and
    two tabs cannot both add a round. Each new round goes at the end of the attempt's stored
    order (quiz.shuffle.stored keeps an order naming exactly the quiz's rounds), a new pair's
    sides by a fair coin of its own. Reads quiz.selectors.practice.practice_state (a fixed
    number of queries) once, whatever it adds.
    """
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz__practice_set", "user")
            .get(pk=attempt.pk)
        )
        practice = locked.quiz.practice_set
        order = list(locked.round_order or [])
        swapped = list(locked.swapped_pairs or [])
        answered = locked.answers.count()
        wanted = min(practice.rounds, answered + AHEAD)
        if locked.is_finished or len(order) >= wanted:
            return len(order)
        state = selectors.practice_state(locked.user, attempt=locked)
        rng = random.Random(secrets.randbits(64))
        recent = set(state.recent)
        position = (
            QuizItem.objects.filter(quiz=locked.quiz).aggregate(top=Max("position"))["top"] or 0
        )
        while len(order) < wanted:
            pick = adaptive.choose_round(
                rng,
                pool=state.pool,
                skills=state.skills,
                recent=frozenset(recent),
                focus=practice.focus,
            )
            if pick is None:
                break
            position += 1
            item = QuizItem.objects.create(
                quiz=locked.quiz,
                position=position,
                kind=pick.kind,
                clip_id=pick.clip_id,
                other_clip_id=pick.other_clip_id,
            )
            order.append(item.pk)
            if pick.kind == QuizItem.Kind.PAIR and rng.random() < 0.5:
                swapped.append(item.pk)
            recent.update(pk for pk in (pick.clip_id, pick.other_clip_id) if pk is not None)
        Attempt.objects.filter(pk=locked.pk).update(round_order=order, swapped_pairs=swapped)
        attempt.round_order, attempt.swapped_pairs = order, swapped
    return len(order)


# --------------------------------------------------------------------------------------------
# After the stat fold: the fold queues its answers (practice_queue), the stats task then
# claims them (practice_fold_pending) and moves the ratings and booster plans
# --------------------------------------------------------------------------------------------


def practice_fold(answer_ids: Sequence[int]) -> None:
    """Move skills and clip difficulties by the claimed answers (in the order they were
    stored), and the booster plans by the attempts those answers finished.

    Called with the answers practice_fold_pending claimed, in its transaction. Ratings are
    not rebuilt by a stats rebuild (Elo depends on the order of answers; they are estimates,
    not statistics).
    """
    if not answer_ids:
        return
    rows = list(
        Answer.objects.filter(pk__in=answer_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "user_id",
            "attempt_id",
            "item_kind",
            "clip_id",
            "other_clip_id",
            "categories",
            "is_correct",
            "position",
            "clip__is_generated",
        )
    )
    _rate(rows)
    _boosters(rows)


def _tells(mask: int) -> list[str]:
    return [
        c for c, bit in categories.BITS.items() if mask >> bit & 1 and c in categories.TELL_CODES
    ]


def _rate(rows: list[tuple]) -> None:
    users = {row[1] for row in rows}
    clip_ids = {pk for row in rows for pk in (row[4], row[5]) if pk is not None}
    skills: dict[int, dict[str, adaptive.Rating]] = {u: {} for u in users}
    for user_id, category, rating, answers in SkillRating.objects.filter(
        user_id__in=users
    ).values_list("user_id", "category", "rating", "answers"):
        skills[user_id][category] = adaptive.Rating(rating, answers)
    clips = {
        pk: adaptive.Rating(rating, answers)
        for pk, rating, answers in ClipRating.objects.filter(clip_id__in=clip_ids).values_list(
            "clip_id", "rating", "answers"
        )
    }
    for pk, prior in selectors.clip_priors(sorted(clip_ids - clips.keys())).items():
        clips[pk] = adaptive.Rating(prior, 0)
    touched_skills: set[tuple[int, str]] = set()
    for _pk, user_id, _attempt, kind, clip_id, other_id, mask, correct, _pos, generated in rows:
        ids = (clip_id,) if other_id is None else (clip_id, other_id)
        outcome = adaptive.Outcome(
            categories=adaptive.answer_categories(
                kind=kind, tells=_tells(mask), any_generated=generated or other_id is not None
            ),
            clip_ids=ids,
            kind=kind,
            correct=correct,
        )
        adaptive.rate(outcome, skills[user_id], clips)
        touched_skills.update((user_id, c) for c in outcome.categories)
    SkillRating.objects.bulk_create(
        [
            SkillRating(
                user_id=u, category=c, rating=skills[u][c].rating, answers=skills[u][c].answers
            )
            for u, c in sorted(touched_skills)
        ],
        update_conflicts=True,
        unique_fields=["user", "category"],
        update_fields=["rating", "answers", "updated_at"],
    )
    ClipRating.objects.bulk_create(
        [
            ClipRating(clip_id=pk, rating=clips[pk].rating, answers=clips[pk].answers)
            for pk in sorted(clip_ids)
        ],
        update_conflicts=True,
        unique_fields=["clip"],
        update_fields=["rating", "answers"],
    )


# An assignment makes booster plans for at most this many of its tells (those it showed most).
ASSIGNMENT_BOOSTER_CATEGORIES = 3


def _boosters(rows: list[tuple]) -> None:
    """The attempts these answers finished: a lesson's check or an assignment (assigned
    practice too) starts booster plans; a booster set moves its plan on. An attempt is handled by the fold that claims its
    last answer (the answer at the last position: positions are unique within an attempt),
    so exactly once however answers are batched."""
    last_positions = {row[2]: row[8] for row in rows}
    finished = list(
        Attempt.objects.filter(pk__in=last_positions, finished_at__isnull=False)
        .select_related("quiz__lesson_check", "quiz__practice_set__booster", "assignment")
        .annotate(rounds=Count("quiz__items", distinct=True))
    )
    for attempt in finished:
        if last_positions[attempt.pk] != attempt.rounds:
            continue
        quiz = attempt.quiz
        if quiz.mode == Quiz.Mode.PRACTICE:
            practice = getattr(quiz, "practice_set", None)
            if practice is not None and practice.booster is not None:
                _booster_done(attempt, practice)
                continue
            if attempt.assignment_id is None:
                continue  # a student's own set: boosters follow lessons and assignments
            # Practice a teacher assigned starts boosters as any assignment does.
        if quiz.mode == Quiz.Mode.LESSON and hasattr(quiz, "lesson_check"):
            _plan_start(attempt, [quiz.lesson_check.category], BoosterPlan.Source.LESSON)
        elif attempt.assignment_id is not None:
            shown: Counter[str] = Counter()
            for mask in attempt.answers.values_list("categories", flat=True):
                shown.update(_tells(mask))
            top = [c for c, _n in shown.most_common(ASSIGNMENT_BOOSTER_CATEGORIES)]
            _plan_start(attempt, top, BoosterPlan.Source.ASSIGNMENT, _results_out(attempt))


def _results_out(attempt: Attempt) -> datetime | None:
    """When a test's results come out (its due time), for a test that holds them back; None
    for feedback after each round. A booster named after the tells a test showed most would
    tell its students, before the due time, what its fakes looked like."""
    assignment = attempt.assignment
    if assignment is None or assignment.feedback != Assignment.Feedback.AFTER_DUE:
        return None
    return assignment.due_at


def _plan_start(
    attempt: Attempt, codes: list[str], source: str, not_before: datetime | None = None
) -> None:
    """A booster plan per category, from when the attempt finished (from `not_before` if that
    is later: a test's plans start when its results come out, and stay out of sight until
    then, selectors.practice.student_boosters); a running plan of the same category goes on
    as it is, a completed one starts again."""
    started = attempt.finished_at or timezone.now()
    if not_before is not None:
        started = max(started, not_before)
    for code in codes:
        plan, created = BoosterPlan.objects.get_or_create(
            user_id=attempt.user_id,
            category=code,
            defaults={
                "source": source,
                "started_at": started,
                "due_at": adaptive.booster_first_due(started),
            },
        )
        if not created and plan.due_at is None:
            BoosterPlan.objects.filter(pk=plan.pk).update(
                source=source,
                started_at=started,
                step=0,
                due_at=adaptive.booster_first_due(started),
            )


def _booster_done(attempt: Attempt, practice: PracticeSet) -> None:
    plan = BoosterPlan.objects.select_for_update().get(pk=practice.booster_id)
    if plan.step != practice.booster_step or plan.due_at is None:
        return  # a second booster set of the same step: the first one counted
    # Every round counts here, spot rounds too (a spot hit is a right answer of a booster).
    counts = attempt.answers.aggregate(n=Count("pk"), right=Count("pk", filter=Q(is_correct=True)))
    done = adaptive.booster_done(
        started_at=plan.started_at,
        step=plan.step,
        due_at=plan.due_at,
        done_at=attempt.finished_at or timezone.now(),
        right=counts["right"],
        answered=counts["n"],
    )
    BoosterPlan.objects.filter(pk=plan.pk).update(
        step=done.step,
        due_at=done.due_at,
        on_time=plan.on_time + (1 if done.on_time else 0),
        late=plan.late + (0 if done.on_time else 1),
        last_done_at=attempt.finished_at,
    )


def practice_queue(batch_table: str) -> None:
    """Queue the answers of the stat fold's batch for the ratings (inside the fold's
    transaction: one INSERT … SELECT). An answer the fold sees again (the cells rebuilt from
    a queue of every answer, as migration 0013 does) and still waiting here is queued once."""
    pending = PracticePending._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(QUEUE_SQL.format(pending=pending, batch=batch_table))


# PostgreSQL and SQLite (`make run`) alike; SQLite needs the WHERE to read ON CONFLICT as the
# insert's rather than a join's (tests/unit/test_practice_selection.py runs it there).
QUEUE_SQL = (
    "INSERT INTO {pending} (answer_id) SELECT id FROM {batch} WHERE 1 = 1 ON CONFLICT DO NOTHING"
)


# Any fixed number: the key of the advisory lock under which ratings are written.
_RATINGS_WRITE_LOCK = 5_121_100_419


def practice_fold_pending(*, batch_size: int = 5000) -> int:
    """Claim a batch of queued answers and move the ratings and booster plans by them, in one
    transaction; returns how many were claimed (0 when done).

    Claimed like the stat fold claims its queue (DELETE … SKIP LOCKED, in the transaction
    that writes the ratings): a crash rolls the claim back with the writes, so each answer
    moves the ratings exactly once. Writers take turns (an advisory lock), so two workers
    never both read a rating, move it and write it back over each other.
    """
    pending = PracticePending._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RATINGS_WRITE_LOCK])
                cursor.execute(
                    f"DELETE FROM {pending} WHERE answer_id IN (SELECT answer_id FROM {pending} "  # noqa: S608
                    "ORDER BY answer_id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING answer_id",
                    [batch_size],
                )
                ids = [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(
                    f"SELECT answer_id FROM {pending} ORDER BY answer_id LIMIT %s",  # noqa: S608
                    [batch_size],
                )
                ids = [row[0] for row in cursor.fetchall()]
                PracticePending.objects.filter(answer_id__in=ids).delete()
        practice_fold(ids)
    return len(ids)


def practice_fold_all(*, batch_size: int = 5000) -> int:
    total = 0
    while claimed := practice_fold_pending(batch_size=batch_size):
        total += claimed
    return total
