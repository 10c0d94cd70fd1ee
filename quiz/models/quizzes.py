"""Quizzes, their rounds, assignments, attempts and answers: what play, builder and teach write."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quiz import shuffle
from quiz.models.library import Clip

if TYPE_CHECKING:
    from accounts.models import User


class QuizQuerySet(models.QuerySet["Quiz"]):
    def visible_to(self, teacher: User) -> QuizQuerySet:
        """Quizzes a teacher may open and copy: their own, and public quizzes whose every clip
        they may see in the library (a public quiz holding another school's private upload
        would show that upload's answers to this teacher)."""
        return self.filter(
            Q(created_by=teacher) | (Q(is_public=True) & ~Exists(_rounds_hidden_from(teacher)))
        )

    def assignable_by(self, teacher: User) -> QuizQuerySet:
        """Quizzes a teacher may assign: visible ones without a clip the teacher may not see,
        so a class is never served another school's private media."""
        return self.visible_to(teacher).filter(~Exists(_rounds_hidden_from(teacher)))


def _rounds_hidden_from(user: User) -> models.QuerySet[QuizItem]:
    """The outer quiz's rounds that show a clip outside the user's library."""
    visible = Clip.objects.visible_to(user)
    return QuizItem.objects.filter(quiz=OuterRef("pk")).filter(
        ~Q(clip__in=visible) | (Q(other_clip__isnull=False) & ~Q(other_clip__in=visible))
    )


class Quiz(models.Model):
    class Mode(models.TextChoices):
        """What playing it is like. Every mode is played as an attempt of answers, so it can be
        assigned, reported and aggregated like a quiz."""

        QUIZ = "quiz", _("Quiz")
        # The immediate check of a lesson on one giveaway category (learn).
        LESSON = "lesson", _("Lesson")
        # Rounds chosen for one student as they play (practice, boosters).
        PRACTICE = "practice", _("Practice")
        # A scrolling feed of short clips where generated ones are rare.
        FEED = "feed", _("Feed")

    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.QUIZ, db_default=Mode.QUIZ)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    # Public quizzes are open to every signed-in learner as free practice (the demo quiz is).
    is_public = models.BooleanField(_("open to everyone"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class QuizItem(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Real or generated?")
        PAIR = "pair", _("Which one is generated?")
        # Spot rounds (quiz.spot): a generated clip with at least one annotated artifact; the
        # learner is told it is generated and marks where (and, in a video, when) the
        # giveaway is.
        SPOT = "spot", _("Where is the giveaway?")
        # Feed clips (quiz.services.feed): one clip of a realistic feed, flagged as generated
        # or let pass; no confidence is asked, so it counts as a single item's hit, miss,
        # false alarm or correct rejection only (METRICS.md).
        FEED = "feed", _("Feed clip")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind)
    # For a pair, `clip` is A and `other_clip` is B in the quiz's terms (answers, reports,
    # exports); an attempt may show them the other way round (Attempt.swapped_pairs). Exactly
    # one is generated.
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="+")
    other_clip = models.ForeignKey(
        Clip, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quizitem_position_once"),
            models.CheckConstraint(
                condition=(Q(kind__in=["single", "spot", "feed"]) & Q(other_clip__isnull=True))
                | (Q(kind="pair") & Q(other_clip__isnull=False)),
                name="quizitem_pair_has_two_clips",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"

    @staticmethod
    def pending_for(user: object) -> models.QuerySet[QuizItem]:
        """pending_assignment_items, for the library's querysets (which cannot import this
        module: it imports theirs)."""
        return pending_assignment_items(user)

    @property
    def is_pair(self) -> bool:
        return self.kind == self.Kind.PAIR

    @property
    def is_spot(self) -> bool:
        return self.kind == self.Kind.SPOT

    def options(self) -> tuple[str, ...]:
        if self.is_spot:
            return ("spot",)
        return ("a", "b") if self.is_pair else ("real", "generated")

    def correct_option(self) -> str:
        """The right answer, read from the clips (never sent to the client before answering).
        A spot round has one option; whether the mark hit is graded by quiz.spot."""
        if self.is_spot:
            return "spot"
        if self.is_pair:
            return "a" if self.clip.is_generated else "b"
        return "generated" if self.clip.is_generated else "real"

    @property
    def clips(self) -> list[Clip]:
        """The round's clips in the quiz's terms: its clip, then a pair's other clip."""
        return [self.clip] if self.other_clip_id is None else [self.clip, self.other_clip]

    def generated_clip(self) -> Clip:
        if self.is_pair and not self.clip.is_generated:
            assert self.other_clip is not None
            return self.other_clip
        return self.clip


class Assignment(models.Model):
    """A quiz set for a class, open between two times, with its own feedback rule."""

    class Feedback(models.TextChoices):
        EACH_ANSWER = "each", _("After each answer")
        AFTER_DUE = "after_due", _("After the due time (for tests)")

    class UnitRole(models.TextChoices):
        NONE = "", _("Neither")
        PRE = "pre", _("Pre-test of a unit")
        POST = "post", _("Post-test of a unit")

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="assignments"
    )
    classroom = models.ForeignKey(
        "accounts.Classroom",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    opens_at = models.DateTimeField(_("opens"))
    due_at = models.DateTimeField(_("due"))
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    feedback = models.CharField(
        _("feedback"), max_length=10, choices=Feedback, default=Feedback.EACH_ANSWER
    )
    unit_role = models.CharField(
        _("pre- or post-test"), max_length=4, choices=UnitRole, blank=True, default=""
    )
    unit = models.CharField(
        _("unit"),
        max_length=100,
        blank=True,
        help_text=_("Pre- and post-tests with the same unit name are compared for learning gain."),
    )
    # Off (the default): each attempt plays its own shuffle with its own sides (quiz.shuffle).
    # A database default too, so code still running the previous release while this one
    # deploys can go on creating rows.
    keep_order = models.BooleanField(
        _("keep the quiz's order for everyone"), default=False, db_default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("opens_at")), name="assignment_due_after_open"
            ),
            models.CheckConstraint(
                condition=Q(attempts_allowed__gte=1, attempts_allowed__lte=20),
                name="assignment_attempts_1_to_20",
            ),
            models.CheckConstraint(
                condition=Q(feedback__in=["each", "after_due"]), name="assignment_feedback_known"
            ),
            models.CheckConstraint(
                condition=Q(unit_role__in=["", "pre", "post"]), name="assignment_unit_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} for {self.classroom}"

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.due_at

    def feedback_withheld(self, now: datetime) -> bool:
        """Tests show the truth only once the due time has passed."""
        return self.feedback == self.Feedback.AFTER_DUE and now < self.due_at


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def for_user(self, user: object) -> AttemptQuerySet:
        return self.filter(user=user)

    def unfinished(self) -> AttemptQuerySet:
        return self.filter(finished_at__isnull=True)


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    # Set when the attempt is made for an assignment; null for free practice.
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The attempt's own order of rounds and sides of pairs, drawn from `seed` when it starts
    # (quiz.shuffle; quiz.services.play.attempt_start): `round_order` lists the quiz item ids
    # in play order, `swapped_pairs` the pair items shown with `other_clip` as "A". No seed:
    # the quiz's order and sides (attempts from before shuffling, assignments that keep the
    # quiz's order). Nullable, so that attempts from before (and any the previous release
    # creates while this one deploys) keep the quiz's order and are never scrambled mid-way.
    seed = models.BigIntegerField(null=True, blank=True)
    round_order = models.JSONField(null=True, blank=True)
    swapped_pairs = models.JSONField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # Resuming is unambiguous: a learner has at most one open attempt per quiz in
            # free practice, and one per assignment.
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(finished_at__isnull=True, assignment__isnull=True),
                name="attempt_one_open_per_quiz",
            ),
            models.UniqueConstraint(
                fields=["user", "assignment"],
                condition=Q(finished_at__isnull=True, assignment__isnull=False),
                name="attempt_one_open_per_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.quiz}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def layout(self, rounds: list[shuffle.Round]) -> shuffle.Layout:
        """This attempt's order and sides over the quiz's rounds, given as (item id, is pair)
        in position order (quiz.selectors.play.attempt_layout reads them)."""
        return shuffle.stored(
            seed=self.seed, order=self.round_order, swapped=self.swapped_pairs, rounds=rounds
        )


class Answer(models.Model):
    class Guess(models.TextChoices):
        REAL = "real", _("Real")
        GENERATED = "generated", _("Generated")
        A = "a", _("Clip A")
        B = "b", _("Clip B")
        # A spot round's answer: the mark itself is in spot_x, spot_y, spot_ms.
        SPOT = "spot", _("Marked the giveaway")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuizItem, on_delete=models.PROTECT, related_name="answers")
    # In the quiz's own terms: for a pair, "a" is always the item's `clip` and "b" its
    # `other_clip`, whichever side the student saw them on (`swapped`), so counts, reports
    # and exports mean the same clip for every student. `shown_guess` is what was clicked.
    guess = models.CharField(max_length=10, choices=Guess)
    # A pair shown with `other_clip` on the left as "A" (the attempt's placement, frozen).
    swapped = models.BooleanField(default=False, db_default=False)
    # The learner's confidence that the answer is right, in percent (50..100).
    confidence = models.PositiveSmallIntegerField()
    is_correct = models.BooleanField()
    points = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Spot rounds only (quiz.spot): the mark in per mille of the frame's width and height
    # (from the left and the top), the moment in the video in milliseconds (null for an
    # image), and whether it was a spot hit (equal to is_correct, named for the statistics).
    spot_x = models.PositiveSmallIntegerField(null=True, blank=True)
    spot_y = models.PositiveSmallIntegerField(null=True, blank=True)
    spot_ms = models.PositiveIntegerField(null=True, blank=True)
    spot_hit = models.BooleanField(null=True, blank=True)
    # Facts about the answer frozen when it is stored, so the statistics never shift when a
    # clip is relabelled, an artifact edited or a student moves school, and so the fold
    # reads one table (quiz.stats.aggregation). Set by quiz.services.answer_submit.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    classroom = models.ForeignKey(
        "accounts.Classroom",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Indexed: a school's drill-downs (item analysis) read its answers.
    school = models.ForeignKey(
        "accounts.School",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="+", db_index=False)
    other_clip = models.ForeignKey(
        Clip, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item_kind = models.CharField(max_length=8, choices=QuizItem.Kind)
    media_kind = models.CharField(max_length=8, choices=Clip.MediaKind)
    # The generator of the generated clip of a pair, or of the clip of a single round
    # ("camera" and the like for real footage).
    generator = models.CharField(max_length=100, blank=True)
    # Artifact categories of the round's clips, as bits (quiz.categories.BITS).
    categories = models.BigIntegerField(default=0)
    # The school's local date of the answer, and the round's place in the attempt (1, 2, ...).
    day = models.DateField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item"], name="answer_once_per_item"),
            models.CheckConstraint(
                condition=Q(confidence__gte=50, confidence__lte=100),
                name="answer_confidence_50_to_100",
            ),
            models.CheckConstraint(
                condition=Q(guess__in=["real", "generated", "a", "b", "spot"]),
                name="answer_guess_known",
            ),
            # A spot round is answered with a mark inside the frame and nothing else is.
            models.CheckConstraint(
                condition=(
                    Q(item_kind="spot", guess="spot")
                    & Q(spot_x__isnull=False, spot_x__lte=1000)
                    & Q(spot_y__isnull=False, spot_y__lte=1000)
                    & Q(spot_hit=models.F("is_correct"))
                )
                | (
                    ~Q(item_kind="spot")
                    & ~Q(guess="spot")
                    & Q(spot_x__isnull=True, spot_y__isnull=True)
                    & Q(spot_ms__isnull=True, spot_hit__isnull=True)
                ),
                name="answer_spot_mark_only_on_spot",
            ),
            # A feed clip asks no confidence and earns no points (quiz.services.feed).
            models.CheckConstraint(
                condition=~Q(item_kind="feed") | Q(confidence=50, points=0),
                name="answer_feed_without_confidence",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} ({self.guess}, {self.confidence} %)"

    @property
    def shown_guess(self) -> str:
        """The answer as the student gave it: "a" is the clip they saw on the left."""
        return shuffle.swap_side(self.guess, swapped=self.swapped)

    def get_shown_guess_display(self) -> str:
        return str(self.Guess(self.shown_guess).label)


def approved_teachers(school_id: int) -> models.QuerySet:
    """The school's approved teachers: a school without one (founded by a teacher still
    waiting for approval) is held back by every school's tests (pending_assignment_items)."""
    from accounts.models import User

    return User.objects.filter(
        school_id=school_id, role=User.Role.TEACHER, verified_at__isnull=False
    )


def pending_assignment_items(
    user: object, *, school_wide: bool = True
) -> models.QuerySet[QuizItem]:
    """The rounds whose truth the user must not be shown yet:

    - of every test not yet due (feedback after the due date) in the user's school, or in
      any school for an account with none or whose school has no approved teacher: a test's
      truth must not reach its class early, through a student of another class, through an
      account of their own with no class (audit 3: a throwaway account learnt a test's clips
      in free practice and answered it 15 of 15), or through students a teacher waiting for
      approval made in a school they founded (audit 4, 15 of 15). Approved schools are not
      held back by another school's tests. With `school_wide` False, of the tests of the
      user's own classes only (what closes an attempt they have finished: it shows again
      only what they were shown before);
    - of the quizzes set to one of the user's classes, not yet due, with attempts left to
      them (an unfinished one counts as left). A finished assignment with feedback after
      each round has shown them its truth already.

    Their clips stay out of everything that shows the truth after an answer until then
    (ClipQuerySet.without_pending). (A submit asks the same of one quiz in a statement
    written out: quiz.selectors.held._shares_a_pending_clip.)"""
    now = timezone.now()
    tests = Assignment.objects.filter(feedback=Assignment.Feedback.AFTER_DUE, due_at__gt=now)
    if not school_wide:
        tests = tests.filter(classroom__students=user)
    elif getattr(user, "school_id", None) is not None:
        tests = tests.filter(
            Q(classroom__school_id=user.school_id) | ~Exists(approved_teachers(user.school_id))
        )
    mine = (
        Assignment.objects.filter(classroom__students=user, due_at__gt=now)
        .annotate(
            done=Count(
                "attempts",
                filter=Q(attempts__user=user, attempts__finished_at__isnull=False),
                distinct=True,
            )
        )
        .filter(done__lt=F("attempts_allowed"))
    )
    return QuizItem.objects.filter(
        Q(quiz__assignments__in=tests.values("pk")) | Q(quiz__assignments__in=mine.values("pk"))
    )
