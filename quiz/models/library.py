"""Clips and their annotated artifacts: the library (quiz.services.library, uploads, packs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quiz import categories
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
        return self.in_use().filter(pool).filter(kept_for_tests=False).without_pending(user)

    def without_pending(self, user: User | AnonymousUser) -> ClipQuerySet:
        """Without the clips of the tests of the user's school not yet due (of every school's,
        for an account with none) and of the user's assignments not yet due
        (QuizItem.pending_for): what shows the truth after an answer (lessons, practice,
        feeds, public quizzes) must not answer a test, through another class or an account of
        one's own, or an assignment the student is about to play, or is playing."""
        if not user.is_authenticated:
            return self
        pending = apps.get_model("quiz", "QuizItem").pending_for(user)
        return self.exclude(pk__in=pending.values("clip_id")).exclude(
            pk__in=pending.exclude(other_clip=None).values("other_clip_id")
        )


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
    # ITEM_TRANSLATED): {"de": {"description": "…", "explanation": "…", "credit": "…",
    # "license": "…"}}.
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

    @property
    def shown_license(self) -> str:
        return in_language(self.translations, "license", self.license)


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
