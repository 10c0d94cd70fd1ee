"""Learn (quiz.services.learn)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quiz import categories
from quiz.models.quizzes import Quiz

if TYPE_CHECKING:
    pass


# --- Learn (quiz.services.learn) ----------------------------------------------------------


class LessonCheck(models.Model):
    """The immediate check of a lesson on one giveaway category: a Quiz of mode LESSON, drawn
    from one learning pool (Clip.objects.for_learning) and kept, so everyone of that pool
    plays the same rounds and their answers add up like a quiz's.

    Students' own checks have no owner (`quiz.created_by` is NULL) and are shared by the
    learners of `school` (no school: the shared library only); a teacher's check (for an
    assignment) belongs to that teacher. A check whose clips left the pool is replaced by a
    new one (its rounds are frozen once answered), so the newest row of a key is current.
    """

    quiz = models.OneToOneField(
        Quiz, primary_key=True, on_delete=models.CASCADE, related_name="lesson_check"
    )
    category = models.CharField(_("category"), max_length=20, choices=categories.CHOICES)
    school = models.ForeignKey(
        "accounts.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["category", "school"], name="lessoncheck_key")]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=sorted(categories.TELL_CODES)),
                name="lessoncheck_category_is_tell",
            )
        ]

    def __str__(self) -> str:
        return f"lesson check {self.category} ({self.quiz_id})"
