"""Adaptive practice (quiz.services.practice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quiz import categories
from quiz.models.library import Clip
from quiz.models.quizzes import Quiz

if TYPE_CHECKING:
    pass


# --- Adaptive practice (quiz.services.practice) ---------------------------------------------


class SkillRating(models.Model):
    """A student's Elo-style skill in one category (a tell, a decoy, or "real" for camera
    clips without annotations), updated by the fold from every answer of every mode
    (quiz.adaptive). 0 is a student who is right half the time on a clip of rating 0."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20)
    rating = models.FloatField(default=0.0)
    answers = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="skillrating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}: {self.rating:.2f}"


class PracticePending(models.Model):
    """An answer folded into the stat tables whose ratings have not moved yet: the stat fold
    queues it here in its own transaction (one INSERT … SELECT, so the fold stays fast) and
    quiz.services.practice.practice_fold_pending claims it like the fold claims StatPending
    rows, so each answer moves the ratings exactly once."""

    answer = models.OneToOneField(
        "Answer", primary_key=True, on_delete=models.CASCADE, related_name="practice_pending"
    )

    def __str__(self) -> str:
        return f"answer {self.answer_id} waiting to move the ratings"


class ClipRating(models.Model):
    """A clip's Elo-style difficulty (higher: fewer students get it right), started from the
    everyone-scope clip cell (the prior) and updated by the fold from every answer."""

    clip = models.OneToOneField(
        Clip, primary_key=True, on_delete=models.CASCADE, related_name="practice_rating"
    )
    rating = models.FloatField(default=0.0)
    answers = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"clip {self.clip_id}: {self.rating:.2f}"


class BoosterPlan(models.Model):
    """Short review sets of one category for one student, due about 2 days, 1 week and
    1 month after the lesson or assignment that taught it (quiz.adaptive.BOOSTER_STEPS).
    `step` counts the boosters done; `due_at` is NULL once the last one is done."""

    class Source(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        ASSIGNMENT = "assignment", _("Assignment")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=categories.CHOICES)
    source = models.CharField(max_length=12, choices=Source)
    started_at = models.DateTimeField()
    step = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    # Boosters done within the grace time after they fell due, and done later.
    on_time = models.PositiveSmallIntegerField(default=0)
    late = models.PositiveSmallIntegerField(default=0)
    last_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "category"]
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="boosterplan_once"),
            models.CheckConstraint(condition=Q(step__lte=3), name="boosterplan_three_steps"),
        ]

    def __str__(self) -> str:
        return f"booster {self.category} for {self.user_id} (step {self.step})"


class PracticeSet(models.Model):
    """A practice session: a Quiz of mode PRACTICE owned by one student that gains its rounds
    as they are chosen (quiz.services.practice.practice_grow), up to `rounds`. A booster set
    reviews the category of its plan."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        BOOSTER = "booster", _("Booster")

    quiz = models.OneToOneField(
        Quiz, primary_key=True, on_delete=models.CASCADE, related_name="practice_set"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.PRACTICE)
    # The category the student asked to practise (blank: the weakest ones, chosen round by
    # round); a booster's plan category.
    focus = models.CharField(max_length=20, blank=True)
    rounds = models.PositiveSmallIntegerField()
    booster = models.ForeignKey(
        BoosterPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booster_step = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rounds__gte=1, rounds__lte=30), name="practiceset_rounds_1_to_30"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} set {self.quiz_id} of {self.user_id}"


class PracticeGoal(models.Model):
    """Adaptive practice a teacher assigns (quiz.services.practice.practice_assign): the
    assignment's quiz (mode PRACTICE, owned by the teacher, with no rounds of its own) and
    this row saying how many rounds each student plays and what they focus on. Each student
    who starts it gets a PracticeSet of their own, chosen round by round for them, played
    as an attempt of the assignment, so its answers are the assignment's answers."""

    quiz = models.OneToOneField(
        Quiz, primary_key=True, on_delete=models.CASCADE, related_name="practice_goal"
    )
    rounds = models.PositiveSmallIntegerField(_("rounds"), default=10)
    # A tell category to practise most; blank: each student's weakest ones, round by round.
    focus = models.CharField(_("focus"), max_length=20, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rounds__gte=1, rounds__lte=30), name="practicegoal_rounds_1_to_30"
            ),
        ]

    def __str__(self) -> str:
        return f"practice goal {self.quiz_id}: {self.rounds} rounds {self.focus or 'weakest'}"

    @property
    def focus_name(self) -> str:
        """The focus category's name in the reader's language ("" for weakest first)."""
        category = categories.BY_CODE.get(self.focus)
        return str(category.name) if category is not None else ""
