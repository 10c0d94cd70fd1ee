"""Deleting students' data for good: one student, an archived class, or the students of
classes archived longer than the retention period (STUDENT_RETENTION_MONTHS).

"Remove from class" (accounts.services.student_remove) keeps the account and the answers;
this deletes them: the account, its class memberships, attempts and answers, and their
counts in the statistics, taken out exactly (quiz.stats.unfold) in the transaction that
deletes the rows, so the aggregate tables always equal a rebuild from the answers left.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Classroom, Enrollment, User
from quiz.models import Answer, Assignment, Attempt, LivePlayer, Quiz
from quiz.selectors import privacy as selectors
from quiz.stats.unfold import unfold

RETENTION_BATCH = 100


class ErasureRefused(Exception):
    """This person may not delete these data; the message says why."""


@dataclass(frozen=True)
class Erased:
    students: int
    attempts: int
    answers: int


def _lock_students(ids: list[int]) -> None:
    """No attempt, answer or class membership of theirs can be stored meanwhile (every such
    row's foreign key locks the student's row to share it). Always in id order: two erasures
    at once never wait for each other in a circle."""
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _erase(student_ids: list[int], *, classroom: Classroom | None = None) -> Erased:
    """Delete the students for good and, with `classroom`, every attempt and answer made for
    the class's assignments; inside the caller's transaction, the rows locked."""
    if not student_ids and classroom is None:
        return Erased(students=0, attempts=0, answers=0)
    _lock_students(student_ids)
    answers_q = Q(attempt__user__in=student_ids)
    attempts_q = Q(user__in=student_ids)
    if classroom is not None:
        list(
            Assignment.objects.select_for_update()
            .filter(classroom=classroom)
            .order_by("pk")
            .values_list("pk")
        )
        answers_q |= Q(attempt__assignment__classroom=classroom)
        attempts_q |= Q(assignment__classroom=classroom)
    answers = Answer.objects.filter(answers_q)
    unfold(answers)
    # Their queued StatPending rows go with the answers (on_delete CASCADE).
    _, deleted = answers.delete()
    n_answers = deleted.get(Answer._meta.label, 0)
    _, deleted = Attempt.objects.filter(attempts_q).delete()
    n_attempts = deleted.get(Attempt._meta.label, 0)
    # Their adaptive practice sets: quizzes of their own (quiz.services.practice).
    Quiz.objects.filter(practice_set__user__in=student_ids).delete()
    Enrollment.objects.filter(student__in=student_ids).delete()
    _, deleted = User.objects.filter(pk__in=student_ids).delete()
    return Erased(students=deleted.get(User._meta.label, 0), attempts=n_attempts, answers=n_answers)


def student_erase(*, student: User, by: User) -> Erased:
    """Delete a student for good: their account, classes, attempts and answers.

    Only when every class of theirs is one whose data `by` manages
    (selectors.classrooms_managed_by), checked after the student's row is locked so that no
    class can be joined meanwhile.
    """
    with transaction.atomic():
        _lock_students([student.pk])
        plan = selectors.student_erasure(student, by=by)
        if not plan.student.is_student or plan.student.is_staff:
            raise ErasureRefused(_("Only student accounts can be deleted here."))
        if plan.other_classes:
            raise ErasureRefused(
                _(
                    "%(name)s is also in classes you do not teach (%(classes)s). Remove them "
                    "from your class instead, or ask a teacher of every class to do this."
                )
                % {
                    "name": student.display_name,
                    "classes": ", ".join(c.name for c in plan.other_classes),
                }
            )
        return _erase([student.pk])


def classroom_erase(*, classroom: Classroom, by: User) -> Erased:
    """Delete an archived class for good: the class, its assignments, every attempt and
    answer made for them, and its students, except those who are also in a class `by` does
    not manage (they only leave the class, and their answers in it go)."""
    with transaction.atomic():
        locked = Classroom.objects.select_for_update().filter(pk=classroom.pk).first()
        if locked is None:
            raise ErasureRefused(_("This class has already been deleted."))
        if not locked.is_archived:
            raise ErasureRefused(_("Archive the class first: only archived classes are deleted."))
        _lock_students(list(classroom.students.values_list("pk", flat=True)))
        plan = selectors.class_erasure(locked, by=by)
        erased = _erase([s.pk for s in plan.students], classroom=locked)
        Enrollment.objects.filter(classroom=locked).delete()
        locked.delete()
        return erased


@dataclass(frozen=True)
class RetentionRun:
    plan: selectors.RetentionPlan
    erased: Erased | None  # None for a dry run


def _chunks(items: list[User], size: int) -> Iterator[list[User]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def retention_purge(
    *, months: int, dry_run: bool, now: datetime | None = None, batch: int = RETENTION_BATCH
) -> RetentionRun:
    """Delete the students of classes archived more than `months` months ago who are in no
    other class (dry run: only say who). A transaction per batch of students; each batch is
    checked again once its students are locked (a student who joined a class meanwhile
    stays)."""
    plan = selectors.retention_plan(months=months, now=now or timezone.now())
    if dry_run:
        return RetentionRun(plan=plan, erased=None)
    totals = [0, 0, 0]
    for chunk in _chunks(plan.students, batch):
        with transaction.atomic():
            ids = [s.pk for s in chunk]
            _lock_students(ids)
            still, _others = selectors.only_in(
                User.objects.filter(pk__in=ids, role=User.Role.STUDENT, is_staff=False),
                selectors.expired_classes(plan.cutoff),
            )
            erased = _erase([s.pk for s in still])
        totals = [
            totals[0] + erased.students,
            totals[1] + erased.attempts,
            totals[2] + erased.answers,
        ]
    return RetentionRun(plan=plan, erased=Erased(*totals))


def live_guests_erase(user_ids: list[int]) -> Erased:
    """Delete live games' guest players for good (quiz.services.live.guests_purge): their
    users, attempts and answers, the answers taken out of the statistics exactly as for any
    erasure. Inside the caller's transaction, which has locked the guests' games. Only
    users who are guests and nothing else go, checked once they are locked: a student
    account with no usable password, no class, not staff, and a guest player of a game."""
    _lock_students(user_ids)
    guests = (
        User.objects.filter(
            pk__in=user_ids,
            role=User.Role.STUDENT,
            is_staff=False,
            is_active=False,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .filter(Exists(LivePlayer.objects.filter(user=OuterRef("pk"), is_guest=True)))
        .exclude(Exists(Enrollment.objects.filter(student=OuterRef("pk"))))
    )
    return _erase(list(guests.order_by("pk").values_list("pk", flat=True)))
