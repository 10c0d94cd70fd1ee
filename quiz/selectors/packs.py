"""Reads for the clip-pack pages: who may import, what a person may export, their jobs, where
a running job has got to, and the file of a finished export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from quiz.media.files import original_path
from quiz.models import Clip, PackJob
from quiz.packs.format import (
    STAGE_CHECKING,
    STAGE_ENCODING,
    STAGE_MANIFEST,
    STAGE_SAVING,
    STAGE_WRITING,
)

# Under ORIGINALS_ROOT (private): uploaded packs waiting for their import, and written exports.
PACK_DIR = "packs"
# Created clips linked from a finished import's page; the rest are counted.
CREATED_SHOWN = 200


def may_import_packs(user: User) -> bool:
    """Staff only: imports go into the shared library (see quiz.services.packs)."""
    return bool(user.is_authenticated and user.is_staff)


def exportable_clips(user: User) -> QuerySet[Clip]:
    """What the user may export: the ready clips they may see in the library."""
    return Clip.objects.visible_to(user).ready()


def pack_path(name: str) -> Path:
    """The file of a job's `pack_file`; ValueError unless it lies under ORIGINALS_ROOT/packs."""
    return original_path(name, folder=PACK_DIR)


def pack_jobs_for(user: User) -> QuerySet[PackJob]:
    """The user's own imports and exports, newest first."""
    return PackJob.objects.filter(owner=user).order_by("-created_at", "-id")


@dataclass(frozen=True)
class JobProgress:
    """Where a job has got to: `stage` in a few words (announced when it changes), `label`
    with the counts (shown by the bar), and the bar's value and maximum (total 0: unknown)."""

    stage: str
    label: str
    done: int
    total: int


def job_progress(job: PackJob) -> JobProgress:
    if job.status == PackJob.Status.QUEUED:
        words = _("Waiting for a worker")
        return JobProgress(words, words, 0, 0)
    stages = {
        STAGE_MANIFEST: (_("Checking the manifest"), None),
        STAGE_CHECKING: (
            _("Checking files"),
            _("Checking files: %(done)d of %(total)d"),
        ),
        STAGE_ENCODING: (
            _("Encoding media"),
            _("Encoding media: %(done)d of %(total)d"),
        ),
        STAGE_SAVING: (_("Saving clips"), _("Saving clips: %(total)d")),
        STAGE_WRITING: (
            _("Writing the pack"),
            _("Writing the pack: %(done)d of %(total)d clips"),
        ),
    }
    words, counted = stages.get(job.stage, (_("Starting"), None))
    total = job.progress_total
    label = counted % {"done": job.progress_done, "total": total} if counted and total else words
    return JobProgress(words, label, job.progress_done, total)


def job_created_clips(job: PackJob, user: User) -> list[Clip]:
    """The first CREATED_SHOWN clips a finished import created that the user may see."""
    keys = job.report.get("created", [])[:CREATED_SHOWN]
    return list(Clip.objects.visible_to(user).filter(key__in=keys).order_by("id"))


def export_file(job: PackJob) -> Path | None:
    """The written pack of a finished export, or None (not an export, not done, removed)."""
    if job.kind != PackJob.Kind.EXPORT or job.status != PackJob.Status.DONE or not job.pack_file:
        return None
    path = pack_path(job.pack_file)
    return path if path.is_file() else None


__all__ = [
    "CREATED_SHOWN",
    "PACK_DIR",
    "JobProgress",
    "export_file",
    "exportable_clips",
    "job_created_clips",
    "job_progress",
    "may_import_packs",
    "pack_jobs_for",
    "pack_path",
]
