"""Teaching: assigning quizzes to classes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Classroom, User
from quiz.models import Assignment, Quiz


class AssignmentRefused(Exception):
    """The quiz cannot be assigned; the message is safe to show the teacher."""


def assignable_check(*, teacher: User, quiz: Quiz) -> None:
    """AssignmentRefused for a quiz showing a clip the teacher may not see in the library
    (another school's private upload, saved before the builder checked or since the teacher
    moved school): the class would be served that school's media."""
    if not Quiz.objects.assignable_by(teacher).filter(pk=quiz.pk).exists():
        raise AssignmentRefused(
            _(
                "This quiz uses clips that are not in your library (another school's uploads). "
                "Remove them in the quiz builder, then assign the quiz."
            )
        )


def assignment_create(
    *,
    teacher: User,
    quiz: Quiz,
    classrooms: list[Classroom],
    opens_at: datetime,
    due_at: datetime,
    attempts_allowed: int,
    feedback: str,
    unit_role: str = "",
    unit: str = "",
    keep_order: bool = False,
) -> list[Assignment]:
    """One assignment per class, all or nothing (see assignable_check). With `keep_order`
    its attempts play the quiz's order and sides; otherwise each attempt has its own."""
    assignable_check(teacher=teacher, quiz=quiz)
    with transaction.atomic():
        return [
            Assignment.objects.create(
                quiz=quiz,
                classroom=classroom,
                opens_at=opens_at,
                due_at=due_at,
                attempts_allowed=attempts_allowed,
                feedback=feedback,
                unit_role=unit_role,
                unit=unit,
                keep_order=keep_order,
                created_by=teacher,
            )
            for classroom in classrooms
        ]
