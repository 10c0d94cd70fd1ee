"""Pack imports and exports run by a worker (quiz.services.packs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass


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
