"""What a student may not be shown yet, and so may not play for now: the clips of tests not
yet due and of their own assignments still to do stay out of everything that shows the truth
(free play, practice, lessons, feeds, homework), and an attempt that would show them is closed
until then (quiz.models.pending_assignment_items says which rounds)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Classroom, Enrollment, User
from quiz import rows
from quiz.models import Assignment, Attempt, Clip, Quiz, QuizItem, pending_assignment_items


def _held_rounds(user: User, *, pending: bool, school_wide: bool = True) -> QuerySet[QuizItem]:
    """Rounds with a clip kept for tests, and with `pending` a clip of a test of the user's
    school not yet due or of an assignment of the user's not yet due
    (pending_assignment_items; `school_wide` False: of the tests of the user's classes only)."""
    held = Q(clip__kept_for_tests=True) | Q(other_clip__kept_for_tests=True)
    if pending and user.is_authenticated:
        rounds = pending_assignment_items(user, school_wide=school_wide)
        for field in ("clip_id", "other_clip_id"):
            held |= Q(clip__in=rounds.values(field)) | Q(other_clip__in=rounds.values(field))
    return QuizItem.objects.filter(held)


def _public(user: User, *, pending: bool, school_wide: bool = True) -> QuerySet[Quiz]:
    held = _held_rounds(user, pending=pending, school_wide=school_wide).values("quiz_id")
    return Quiz.objects.filter(is_public=True).exclude(pk__in=held)


def quizzes_playable_by(user: User) -> QuerySet[Quiz]:
    """Quizzes the user may play freely (assignments come with classes): the public ones,
    except a quiz holding a clip kept for tests, and, until they are due, a quiz sharing a
    clip with a test of their school or with an assignment of the user's
    (ClipQuerySet.without_pending). Free play shows the truth after each answer: students
    must meet a kept clip for the first time in a test, and must not look up a test's
    answers in another tab."""
    return _public(user, pending=True).annotate(item_count=Count("items"))


def closed_for_now(user: User, *, playable: int) -> int:
    """How many public quizzes the user may not play until the tests and their assignments
    that share clips with them are due, given how many they may play (quizzes_playable_by),
    so that the list can say why it is shorter."""
    if not user.is_authenticated:
        return 0
    return _public(user, pending=False).count() - playable


def attempt_closed_for_now(attempt: Attempt, user: User) -> bool:
    """Whether the attempt shows the truth of a clip the user must not see yet, so its rounds
    and their feedback stay closed (404) until then (one query at most):

    - free play of a public quiz the user may not play for now (it shares clips with an
      assignment not yet due, or holds a clip kept for tests), like the quiz itself;
    - an attempt of their own (practice, a lesson's check, a feed) that shares a clip with
      a test of their school not yet due, or an assignment of theirs not yet due
      (pending_assignment_items): started before that was set, it would still show those
      clips' truth;
    - an assignment that shows the truth (not a test before its due time) that shares a
      clip with another test not yet due, of theirs or of the assignment's school: homework
      would answer the test.

    A test of their school (of any school, for an account with none or whose school has no
    approved teacher) closes an attempt still being played; an attempt the user has finished shows again only what it showed
    them before, so only the tests of their own classes close it (a student of another class
    keeps their old results while some class sits a test).

    A test before its due time shows no truth, so it is never closed; nor is a round of a
    live lesson (the teacher's choice, warned of on its start page)."""
    assignment = attempt.assignment if attempt.assignment_id is not None else None
    school_wide = attempt.finished_at is None
    now = timezone.now()
    if assignment is not None and assignment.feedback_withheld(now):
        return False
    return _shares_a_pending_clip(
        attempt.quiz_id,
        user.pk,
        now,
        besides=assignment.pk if assignment else None,
        school_id=user.school_id if school_wide else _OWN_CLASSES,
        # Free play: what keeps the quiz off the user's list (_public) keeps it closed.
        kept=assignment is None and attempt.quiz.is_public,
    )


# The tests of the user's own classes only (_shares_a_pending_clip's school_id).
_OWN_CLASSES = object()


def _shares_a_pending_clip(
    quiz_id: int,
    user_id: int,
    now: datetime,
    *,
    besides: int | None,
    school_id: int | object | None = _OWN_CLASSES,
    kept: bool = False,
) -> bool:
    """Whether a round of the quiz shows a clip the user must not see the truth of yet:
    with `besides` (an assignment's own attempt), of a test other than that assignment, of
    the user's classes or of the assignment's school; else of any round pending as quiz.models.pending_assignment_items says
    (a test not yet due of the school `school_id`, of any school when it is None or has no
    approved teacher, of the user's classes when it is _OWN_CLASSES; or an assignment of
    theirs with attempts left: keep the two alike); with `kept`, also a clip kept for tests
    (free play of a public quiz: the quiz is then off the list, _public). One statement,
    written out: every self-paced submit asks it, and building it with the ORM (four
    subqueries of an annotated queryset) cost a submit more than all the rest
    (bench/submit.py; a free-play submit took 18.9 ms against 5.8: bench/submit_paths.py)."""
    quote = connection.ops.quote_name
    items, assignments, attempts, classrooms, enrollments, users, clips = (
        quote(m._meta.db_table)
        for m in (QuizItem, Assignment, Attempt, Classroom, Enrollment, User, Clip)
    )
    enrolled = (
        f"EXISTS (SELECT 1 FROM {enrollments} e WHERE e.classroom_id = a.classroom_id "  # noqa: S608
        "AND e.student_id = %s)"
    )
    if besides is not None:
        # Another test of the user's classes, or of the assignment's school (homework of a
        # parallel class would answer it: audit 4).
        same_school = (
            f"EXISTS (SELECT 1 FROM {classrooms} c JOIN {assignments} h "  # noqa: S608
            f"ON h.id = %s JOIN {classrooms} hc ON hc.id = h.classroom_id "
            "WHERE c.id = a.classroom_id AND c.school_id = hc.school_id)"
        )
        pending = f"a.feedback = %s AND a.id <> %s AND ({enrolled} OR {same_school})"
        params: list[Any] = [Assignment.Feedback.AFTER_DUE, besides, user_id, besides]
    else:
        # A test (of the school, of any school, or of the user's classes); or an assignment
        # of the user's classes with attempts left.
        left = (
            f"(SELECT COUNT(*) FROM {attempts} t WHERE t.assignment_id = a.id "  # noqa: S608
            "AND t.user_id = %s AND t.finished_at IS NOT NULL) < a.attempts_allowed"
        )
        if school_id is _OWN_CLASSES:
            pending = f"({enrolled} AND (a.feedback = %s OR {left}))"
            params = [user_id, Assignment.Feedback.AFTER_DUE, user_id]
        elif school_id is None:
            pending = f"(a.feedback = %s OR ({enrolled} AND {left}))"
            params = [Assignment.Feedback.AFTER_DUE, user_id, user_id]
        else:
            # The school's own tests; every school's while it has no approved teacher.
            in_school = (
                f"(EXISTS (SELECT 1 FROM {classrooms} c WHERE c.id = a.classroom_id "  # noqa: S608
                f"AND c.school_id = %s) OR NOT EXISTS (SELECT 1 FROM {users} u "
                "WHERE u.school_id = %s AND u.role = %s AND u.verified_at IS NOT NULL))"
            )
            pending = f"((a.feedback = %s AND {in_school}) OR ({enrolled} AND {left}))"
            params = [
                Assignment.Feedback.AFTER_DUE,
                school_id,
                school_id,
                User.Role.TEACHER,
                user_id,
                user_id,
            ]
    kept_clip = (
        f" OR EXISTS (SELECT 1 FROM {clips} k WHERE k.id IN (i.clip_id, i.other_clip_id) "  # noqa: S608
        "AND k.kept_for_tests)"
        if kept
        else ""
    )
    with rows.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {items} i WHERE i.quiz_id = %s AND (EXISTS ("  # noqa: S608
            f"SELECT 1 FROM {items} p JOIN {assignments} a ON a.quiz_id = p.quiz_id "
            f"WHERE a.due_at > %s AND {pending} AND (p.clip_id IN (i.clip_id, i.other_clip_id) "
            f"OR p.other_clip_id IN (i.clip_id, i.other_clip_id))){kept_clip}) LIMIT 1",
            [quiz_id, now, *params],
        )
        return cursor.fetchone() is not None
