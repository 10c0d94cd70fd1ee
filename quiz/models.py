from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quiz import categories, shuffle
from quiz.media.files import media_path, replay_poster_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def in_language(translations: object, field: str, written: str) -> str:
    """`field` in the active language from a `translations` object ({"de": {field: text}}),
    falling back to the text as written (its language is whatever its author used)."""
    language = (get_language() or "").split("-")[0]
    if isinstance(translations, dict):
        texts = translations.get(language)
        if isinstance(texts, dict) and isinstance(texts.get(field), str) and texts[field].strip():
            return texts[field]
    return written


class ClipQuerySet(models.QuerySet["Clip"]):
    def ready(self) -> ClipQuerySet:
        return self.filter(status=Clip.Status.READY)

    def in_use(self) -> ClipQuerySet:
        """Ready and not retired: what new quizzes may pick."""
        return self.ready().filter(retired_at__isnull=True)

    def shared(self) -> ClipQuerySet:
        """The shared library: clips nobody uploaded (packs) and clips uploaded by staff."""
        return self.filter(Q(uploaded_by__isnull=True) | Q(uploaded_by__is_staff=True))

    def visible_to(self, user: User | AnonymousUser) -> ClipQuerySet:
        """The library's one visibility rule (every page, the builder and the media follow it):

        - staff see every clip;
        - verified teachers and educators see the shared library (clips nobody uploaded, i.e.
          packs, and clips uploaded by staff), every clip uploaded for their own school (but
          not by a teacher still waiting for approval), and their own uploads;
        - a teacher waiting for approval sees only their own uploads;
        - everyone else (students, visitors) sees no clip of the library.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        if user.is_pending_teacher:
            return self.filter(uploaded_by=user)
        if not user.may_use_library:
            return self.none()
        own = Q(uploaded_by=user)
        # Only a real school: two teachers without one share nothing.
        if user.school_id is not None:
            own |= Q(school_id=user.school_id) & (
                Q(uploaded_by__verified_at__isnull=False) | ~Q(uploaded_by__role="teacher")
            )
        return self.shared() | self.filter(own)

    def for_learning(self, user: User | AnonymousUser) -> ClipQuerySet:
        """The one pool of the learning modes (lessons, adaptive practice, boosters, feeds) for
        a learner: ready clips in use from the shared library and from their school's verified
        teachers, never a clip a teacher keeps for tests (students must meet those fresh)."""
        if not user.is_authenticated:
            return self.none()
        pool = Q(uploaded_by__isnull=True) | Q(uploaded_by__is_staff=True)
        if user.school_id is not None:
            pool |= Q(school_id=user.school_id) & (
                Q(uploaded_by__verified_at__isnull=False) | ~Q(uploaded_by__role="teacher")
            )
        return self.in_use().filter(pool).filter(kept_for_tests=False)


class Clip(models.Model):
    """One real or generated video or image, with the truth about it.

    The truth (is_generated, generator, prompt, credit, explanation, artifacts) is only ever
    rendered after the learner has answered; `description` is neutral alt text safe to show
    before.
    """

    class MediaKind(models.TextChoices):
        VIDEO = "video", _("Video")
        IMAGE = "image", _("Image")

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # A stable identifier from a pack (e.g. "demo-snow-rises"), so imports are idempotent.
    key = models.CharField(_("key"), max_length=100, unique=True, null=True, blank=True)
    media_kind = models.CharField(_("media kind"), max_length=8, choices=MediaKind)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PROCESSING)
    status_message = models.TextField(_("status message"), blank=True)
    is_generated = models.BooleanField(_("generated"))
    generator = models.CharField(_("generator"), max_length=100, blank=True)
    prompt = models.TextField(_("prompt"), blank=True)
    credit = models.CharField(_("credit"), max_length=300, blank=True)
    license = models.CharField(_("licence"), max_length=300, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    description = models.CharField(
        _("neutral description"),
        max_length=300,
        blank=True,
        help_text=_("Alt text shown before the answer: describe the scene, never the truth."),
    )
    explanation = models.TextField(_("explanation"), blank=True)
    # The texts above in other languages, for learners who use them (quiz.packs.format
    # ITEM_TRANSLATED): {"de": {"description": "…", "explanation": "…", "credit": "…"}}.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    # Served under random names (see quiz.services.clip_store_media), never the upload's.
    media = models.FileField(_("media"), max_length=200, blank=True)
    poster = models.FileField(_("poster"), max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    # Uploads: who brought the clip (their school sees it; staff curate the shared library),
    # the original kept privately under ORIGINALS_ROOT so it can be re-processed, and where
    # the ingest task has got to.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_clips",
    )
    school = models.ForeignKey(
        "accounts.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original = models.CharField(_("original file"), max_length=300, blank=True)
    original_name = models.CharField(_("uploaded file name"), max_length=255, blank=True)
    # SHA-256 of the uploaded (or pack) file's bytes, so a second upload of the same file is
    # told which clip already holds it.
    original_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    keep_audio = models.BooleanField(_("keep the sound"), default=False)
    stage = models.CharField(_("processing stage"), max_length=40, blank=True)
    # What the original's C2PA manifest said (signer, claim generator, actions, validation
    # state), shown in the feedback only.
    provenance = models.JSONField(_("provenance"), default=dict, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    # Kept for tests: the learning modes never show it, so a test can use clips students
    # have not met (quiz.models.ClipQuerySet.for_learning).
    kept_for_tests = models.BooleanField(_("keep for tests"), default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(media_kind__in=["video", "image"]), name="clip_media_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["processing", "ready", "failed"]),
                name="clip_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.key or f"clip {self.pk}"

    @property
    def is_video(self) -> bool:
        return self.media_kind == self.MediaKind.VIDEO

    @property
    def shown_description(self) -> str:
        """The neutral description in the learner's language, else as written."""
        return in_language(self.translations, "description", self.description)

    @property
    def shown_explanation(self) -> str:
        return in_language(self.translations, "explanation", self.explanation)

    @property
    def shown_credit(self) -> str:
        return in_language(self.translations, "credit", self.credit)


class Artifact(models.Model):
    """A giveaway (or, on a real clip, a decoy) at a time range and region of a clip."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="artifacts")
    category = models.CharField(_("category"), max_length=20, choices=categories.CHOICES)
    start_s = models.FloatField(_("start (s)"), null=True, blank=True)
    end_s = models.FloatField(_("end (s)"), null=True, blank=True)
    # The region as fractions (0..1) of the frame, so it survives any rescaling.
    box_x = models.FloatField()
    box_y = models.FloatField()
    box_w = models.FloatField()
    box_h = models.FloatField()
    explanation = models.TextField(_("explanation"))
    # The explanation in other languages: {"de": {"explanation": "…"}} (see Clip.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    # The region cropped, enlarged and slowed over its time range (rendered by a task).
    replay = models.FileField(_("magnified replay"), max_length=200, blank=True)

    class Meta:
        ordering = ["start_s", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=list(categories.BY_CODE)),
                name="artifact_category_known",
            ),
            models.CheckConstraint(
                condition=Q(box_x__gte=0, box_y__gte=0, box_w__gt=0, box_h__gt=0),
                name="artifact_box_positive",
            ),
            models.CheckConstraint(
                condition=Q(box_x__lte=1 - models.F("box_w") + 1e-9)
                & Q(box_y__lte=1 - models.F("box_h") + 1e-9),
                name="artifact_box_inside_frame",
            ),
            models.CheckConstraint(
                condition=Q(start_s__isnull=True)
                | Q(end_s__isnull=True)
                | Q(end_s__gte=models.F("start_s")),
                name="artifact_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} on {self.clip}"

    @property
    def shown_explanation(self) -> str:
        return in_language(self.translations, "explanation", self.explanation)

    @property
    def category_info(self) -> categories.Category:
        return categories.BY_CODE[self.category]

    @property
    def box_percent(self) -> dict[str, float]:
        return {
            "x": round(self.box_x * 100, 3),
            "y": round(self.box_y * 100, 3),
            "w": round(self.box_w * 100, 3),
            "h": round(self.box_h * 100, 3),
        }

    @property
    def replay_poster(self) -> str:
        """The stored name of the replay's poster (its first frame, shown until it plays), or
        "" if it has none (a still replay, or one rendered before replays had posters)."""
        name = replay_poster_name(self.replay.name or "")
        return name if name and media_path(name).exists() else ""


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
                condition=(Q(kind="single") & Q(other_clip__isnull=True))
                | (Q(kind="pair") & Q(other_clip__isnull=False)),
                name="quizitem_pair_has_two_clips",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"

    @property
    def is_pair(self) -> bool:
        return self.kind == self.Kind.PAIR

    def options(self) -> tuple[str, ...]:
        return ("a", "b") if self.is_pair else ("real", "generated")

    def correct_option(self) -> str:
        """The right answer, read from the clips (never sent to the client before answering)."""
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
                condition=Q(guess__in=["real", "generated", "a", "b"]),
                name="answer_guess_known",
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


class StatCell(models.Model):
    """Additive counts of answers for one (scope, dimension, key) cell.

    Every figure in METRICS.md is computed from these sums, so any union of cells is summed
    first and the metric computed last. Sums are integers so that folding in any order or
    batch size gives exactly the same cell as a rebuild.
    """

    class Scope(models.TextChoices):
        USER = "user", _("Student")
        CLASS = "class", _("Class")
        SCHOOL = "school", _("School")
        EVERYONE = "all", _("Everyone")
        # What a teacher's live view of one assignment reads.
        ASSIGNMENT = "assignment", _("Assignment")

    class Dimension(models.TextChoices):
        OVERALL = "overall", _("Overall")
        CLIP = "clip", _("Clip")
        CATEGORY = "category", _("Artifact category")
        GENERATOR = "generator", _("Generator")
        MEDIA_KIND = "media", _("Media kind")
        ITEM_KIND = "item_kind", _("Kind of round")
        ASSIGNMENT = "assignment", _("Assignment")
        DAY = "day", _("Day")
        POSITION = "position", _("Position in the attempt")
        CONFIDENCE_BIN = "conf_bin", _("Confidence bin")
        # Class scope only: "YYYY-MM-DD:<assignment id>", for date and quiz filters together.
        DAY_ASSIGNMENT = "day_asg", _("Day and assignment")
        ITEM = "item", _("Quiz item")
        STUDENT = "student", _("Student")
        # For small-group suppression (quiz.stats.aggregation._KEYS): single rounds of a
        # generator's generated clips; single rounds by category and truth; free practice
        # by day.
        GENERATOR_SINGLE = "gen_single", _("Generator, single rounds")
        CATEGORY_SINGLE = "cat_single", _("Artifact category and truth, single rounds")
        PRACTICE = "practice", _("Free practice by day")

    scope = models.CharField(max_length=16, choices=Scope)
    scope_id = models.BigIntegerField()
    dimension = models.CharField(max_length=12, choices=Dimension)
    key = models.CharField(max_length=100)
    n = models.BigIntegerField(default=0)
    correct = models.BigIntegerField(default=0)
    hits = models.BigIntegerField(default=0)
    misses = models.BigIntegerField(default=0)
    false_alarms = models.BigIntegerField(default=0)
    correct_rejections = models.BigIntegerField(default=0)
    pair_n = models.BigIntegerField(default=0)
    pair_correct = models.BigIntegerField(default=0)
    # Confidence in percent points; Brier terms in units of 1/10000 ((pct - 100*o)^2).
    confidence_sum = models.BigIntegerField(default=0)
    brier_sum = models.BigIntegerField(default=0)
    points_sum = models.BigIntegerField(default=0)
    # Distinct students of the cell (its StatStudent rows), kept up to date by the fold so a
    # page reads one number; 0 where StatStudent rows are not kept. Not additive: a union of
    # cells counts its StatStudent rows instead.
    students = models.BigIntegerField(default=0, db_default=0)

    COUNT_FIELDS = (
        "n",
        "correct",
        "hits",
        "misses",
        "false_alarms",
        "correct_rejections",
        "pair_n",
        "pair_correct",
        "confidence_sum",
        "brier_sum",
        "points_sum",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "dimension", "key"], name="statcell_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.dimension}={self.key}"

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNT_FIELDS}


class StatPending(models.Model):
    """An answer whose counts are not in the stat tables yet: the fold's work queue.

    Stored in the answer's own transaction; a fold deletes the rows it claims (SELECT … FOR
    UPDATE SKIP LOCKED) in the transaction that adds their counts, so an answer is counted
    exactly once however ids commit, workers crash or tasks repeat (quiz.stats.aggregation).
    A narrow queue rather than a flag on the answer: claiming never rewrites answer rows.
    """

    answer = models.OneToOneField(
        Answer, primary_key=True, on_delete=models.CASCADE, related_name="stat_pending"
    )

    def __str__(self) -> str:
        return f"answer {self.answer_id} waiting to be folded"


class StatStudent(models.Model):
    """One student who answered into a cell: distinct students are not additive, so a
    cell's (or a union of cells') student count is counted from these rows.

    Kept for the class, school and everyone scopes and an assignment's overall cell (a
    student-scope cell always has one student).
    """

    scope = models.CharField(max_length=16, choices=StatCell.Scope)
    scope_id = models.BigIntegerField()
    dimension = models.CharField(max_length=12, choices=StatCell.Dimension)
    key = models.CharField(max_length=100)
    student_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "dimension", "key", "student_id"],
                name="statstudent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.dimension}={self.key} student {self.student_id}"


class PackJob(models.Model):
    """A clip-pack import or export run in the background for one person (quiz.services.packs).

    `pack_file` is the zip under ORIGINALS_ROOT: the uploaded pack (removed once the import
    has run) or the written export (offered for download as `result_name`). `stage` is a key
    (quiz.packs.format STAGE_*), shown in words in the viewer's language.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pack_jobs"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Every problem found, in words for the person (a failed import or export).
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # What a finished job did: {"created": [clip keys], "skipped": [clip keys]} for an
    # import, {"clips": n} for an export.
    report = models.JSONField(_("report"), default=dict, blank=True)
    # The pack's title (exports) or the uploaded file's cleaned name (imports), for the list.
    title = models.CharField(_("title"), max_length=255, blank=True)
    pack_file = models.CharField(_("pack file"), max_length=300, blank=True)
    result_name = models.CharField(_("download name"), max_length=120, blank=True)
    # Exports: the clips chosen when the button was pressed (checked again when it runs).
    clip_ids = models.JSONField(default=list, blank=True)
    # Messages are written by the worker in the language of the person who started the job.
    language = models.CharField(max_length=16, blank=True)
    # The Celery task that claimed the job: a redelivery of that same task may take it up
    # again after a crash, any other copy leaves it alone.
    run_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["import", "export"]), name="packjob_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="packjob_status_known",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="packjob_progress_within_total",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="packjob_owner_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
