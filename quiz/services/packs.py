"""Clip packs through the web: an import or export becomes a PackJob that a worker runs while
the page shows how far it has got.

Who may do what:

- Import is for staff only. quiz.packs.importer creates clips that nobody uploaded, and such
  clips are the shared library: every school sees them and builds quizzes and statistics on
  them, which is why staff alone curate it. Importing into one school's library instead
  would not fit either: clip keys are unique across the site, so a teacher's import would
  "skip" (and so reveal) clips of other schools, and would block the same pack from ever
  reaching the shared library.
- Export is for everyone who may use the library (staff, teachers, educators): the ready
  clips they may see, narrowed by the library's filters, chosen when they press the button
  and checked again when the job runs.

A job is queued after its row commits; the task claims it with a conditional UPDATE (only a
queued job, a job this very task message claimed before its worker died, or a job whose run
is older than Celery's hard time limit), so two copies of the task never run one job. Nothing
is half-imported on failure: quiz.packs.importer imports all or nothing.
"""

from __future__ import annotations

import logging
import time
import zipfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from quiz.background import enqueue
from quiz.media.files import (
    clean_original_name,
    file_size_words,
    original_name,
    original_remove,
    original_store,
)
from quiz.models import Clip, PackJob
from quiz.packs.exporter import export_pack
from quiz.packs.format import PackError
from quiz.packs.importer import import_pack
from quiz.selectors.packs import PACK_DIR, exportable_clips, may_import_packs, pack_path
from quiz.services.library import artifact_replays_queue_missing

log = logging.getLogger(__name__)

# Export files kept per person; older ones are removed when a new export finishes (their
# jobs stay in the list, without a download).
KEEP_EXPORTS = 3
# A run older than Celery's hard time limit (30 minutes, config/celery.py) is certainly dead.
STALE_RUN = timedelta(minutes=35)
# Progress is written at most this often within one stage: enough for a bar polled every
# second, few enough UPDATEs for a pack of thousands of files.
PROGRESS_INTERVAL_S = 0.5


class PackRefused(Exception):
    """The uploaded file cannot be a pack (nothing stored); the message is for the person."""


# --------------------------------------------------------------------------------------------
# The limits, and what the person is told
# --------------------------------------------------------------------------------------------


def pack_upload_limit() -> int:
    """The largest pack file accepted: PACK_MAX_BYTES, what a pack may unpack to (a zip of
    videos and photos is hardly smaller than its contents)."""
    return settings.PACK_MAX_BYTES


def pack_too_big_message(limit: int, size: int | None = None) -> str:
    if size is None:
        return _(
            "This file is larger than %(limit)s, the most a clip pack may be (the "
            "PACK_MAX_BYTES limit). Split the pack into smaller packs and import each."
        ) % {"limit": file_size_words(limit)}
    return _(
        "This file is %(size)s; a clip pack may be at most %(limit)s (the PACK_MAX_BYTES "
        "limit). Split the pack into smaller packs and import each."
    ) % {"size": file_size_words(size), "limit": file_size_words(limit)}


def pack_empty_message() -> str:
    return _(
        "This file is empty (0 bytes). Check that it finished downloading or copying, then "
        "import it again."
    )


def pack_not_zip_message() -> str:
    return _(
        "This file is not a zip file. A clip pack is a .zip with manifest.json at its top "
        "level and the media beside it."
    )


def pack_upload_check(upload: UploadedFile) -> None:
    """Refuse at once what cannot be a pack: empty, too big, or not a zip at all. Everything
    inside the zip is judged by the import itself (quiz.packs.archive)."""
    size = upload.size or 0
    if size == 0:
        raise PackRefused(pack_empty_message())
    if size > pack_upload_limit():
        raise PackRefused(pack_too_big_message(pack_upload_limit(), size))
    position = upload.tell()
    try:
        # Reads the end-of-central-directory record only.
        is_zip = zipfile.is_zipfile(upload)
    finally:
        upload.seek(position)
    if not is_zip:
        raise PackRefused(pack_not_zip_message())


def _remove_pack_file(name: str) -> None:
    original_remove(name, folder=PACK_DIR)


# --------------------------------------------------------------------------------------------
# Starting jobs (web request)
# --------------------------------------------------------------------------------------------


def _queue(job: PackJob) -> None:
    """Hand the job to a worker. If the broker cannot be reached the job fails at once with a
    message, rather than waiting forever for a run that was never queued."""
    task = (
        "quiz.tasks.pack_import_run"
        if job.kind == PackJob.Kind.IMPORT
        else "quiz.tasks.pack_export_run"
    )
    if enqueue(task, job.pk):
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        message = _(
            "The background workers could not be reached, so the job never started; "
            "nothing changed. Try again in a few minutes."
        )
    claimed = PackJob.objects.filter(pk=job.pk, status=PackJob.Status.QUEUED).update(
        status=PackJob.Status.FAILED, problems=[message], finished_at=timezone.now()
    )
    if claimed and job.kind == PackJob.Kind.IMPORT:
        _remove_pack_file(job.pack_file)


def pack_import_create(*, owner: User, upload: UploadedFile) -> PackJob:
    """Store an uploaded pack and queue its import; return the job.

    Raises PermissionDenied unless the owner may import, and PackRefused for a file that
    cannot be a pack (nothing is stored then).
    """
    if not may_import_packs(owner):
        raise PermissionDenied
    pack_upload_check(upload)
    title = clean_original_name(upload.name or "")
    # Writing the file is slow I/O: before the transaction, and undone if the row fails.
    name = original_store(upload, folder=PACK_DIR, suffix=".zip")
    try:
        with transaction.atomic():
            job = PackJob.objects.create(
                kind=PackJob.Kind.IMPORT,
                owner=owner,
                title=title,
                pack_file=name,
                language=translation.get_language() or "",
            )
            transaction.on_commit(lambda: _queue(job))
    except BaseException:
        _remove_pack_file(name)
        raise
    return job


def default_export_title() -> str:
    return _("Second Look clips, %(date)s") % {
        "date": date_format(timezone.localdate(), "DATE_FORMAT")
    }


def _download_name(title: str) -> str:
    """A file name safe in any browser and file system: ASCII letters, digits and dashes."""
    return f"{slugify(title)[:80].strip('-') or 'clip-pack'}.zip"


def pack_export_create(*, owner: User, clips: QuerySet[Clip], title: str = "") -> PackJob:
    """Queue an export of `clips` (narrowed to what the owner may export); return the job.

    Raises PermissionDenied unless the owner may use the library, PackRefused if no ready
    clip is left to export.
    """
    if not owner.may_use_library:
        raise PermissionDenied
    ids = list(
        clips.filter(pk__in=exportable_clips(owner).values("pk"))
        .order_by("id")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise PackRefused(_("No ready clip matches these filters, so there is nothing to export."))
    title = title.strip() or default_export_title()
    with transaction.atomic():
        job = PackJob.objects.create(
            kind=PackJob.Kind.EXPORT,
            owner=owner,
            title=title[: PackJob._meta.get_field("title").max_length],
            # Written by the job, under this random name, into ORIGINALS_ROOT/packs.
            pack_file=original_name(folder=PACK_DIR, suffix=".zip"),
            result_name=_download_name(title),
            clip_ids=ids,
            language=translation.get_language() or "",
        )
        transaction.on_commit(lambda: _queue(job))
    return job


# --------------------------------------------------------------------------------------------
# Running jobs (worker)
# --------------------------------------------------------------------------------------------


def _claim(job_id: int, kind: str, run_id: str) -> PackJob | None:
    """Mark the job running for this run and return it, or None if it is not ours to run.

    A conditional UPDATE, so two copies of the task cannot both win: the database decides.
    A running job may be taken again by the same task message (redelivered after its worker
    died: acks_late) or once its run is older than any run can be.
    """
    now = timezone.now()
    claimable = Q(status=PackJob.Status.QUEUED) | Q(
        status=PackJob.Status.RUNNING, started_at__lt=now - STALE_RUN
    )
    if run_id:
        claimable |= Q(status=PackJob.Status.RUNNING, run_id=run_id)
    claimed = PackJob.objects.filter(claimable, pk=job_id, kind=kind).update(
        status=PackJob.Status.RUNNING,
        run_id=run_id,
        started_at=now,
        stage="",
        progress_done=0,
        progress_total=0,
        problems=[],
    )
    return PackJob.objects.select_related("owner").get(pk=job_id) if claimed else None


def job_progress_record(*, job_id: int, stage: str, done: int, total: int) -> None:
    """Store where a running job has got to (a finished job is never changed by this)."""
    PackJob.objects.filter(pk=job_id, status=PackJob.Status.RUNNING).update(
        stage=stage, progress_done=min(done, total), progress_total=total
    )


class _Recorder:
    """The progress hook given to the import or export: every new stage and every stage's end is stored,
    counts within a stage at most every PROGRESS_INTERVAL_S."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stage = ""
        self.at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.at < PROGRESS_INTERVAL_S:
            return
        self.stage, self.at = stage, now
        job_progress_record(job_id=self.job_id, stage=stage, done=done, total=total)


def _finish(job_id: int, *, problems: list[str] | None = None, **fields: Any) -> None:
    status = PackJob.Status.FAILED if problems else PackJob.Status.DONE
    values: dict[str, Any] = {"status": status, "finished_at": timezone.now(), **fields}
    if problems:
        values["problems"] = problems
    else:
        values.update(stage="", progress_done=F("progress_total"))
    PackJob.objects.filter(pk=job_id, status=PackJob.Status.RUNNING).update(**values)


def _server_error_message(kind: str) -> str:
    if kind == PackJob.Kind.IMPORT:
        return _(
            "Something went wrong on the server while importing; nothing was imported. Try "
            "again, and if it happens again, ask the site's administrator to look at the log."
        )
    return _(
        "Something went wrong on the server while exporting. Try again, and if it happens "
        "again, ask the site's administrator to look at the log."
    )


def pack_import_run(*, job_id: int, run_id: str = "") -> None:
    """Run a queued import.

    Steps: claim the job; import the uploaded pack with quiz.packs.importer (all or nothing),
    storing each stage as it goes; record the clips created and skipped, or every problem;
    remove the uploaded file; queue the magnified replays of the new artifacts. Safe to
    repeat: a finished job is left alone, and importing the same pack again skips every clip
    already present.
    """
    job = _claim(job_id, PackJob.Kind.IMPORT, run_id)
    if job is None:
        return
    imported = False
    with translation.override(job.language or settings.LANGUAGE_CODE):
        path = pack_path(job.pack_file)
        try:
            report = import_pack(path, progress=_Recorder(job.pk))
        except PackError as error:
            # A message may name the stored file; the person knows it by its own name.
            named = [p.replace(str(path), job.title) for p in error.problems]
            _finish(job.pk, problems=named, pack_file="")
        except Exception:
            log.exception("pack import job %s failed", job.pk)
            _finish(job.pk, problems=[_server_error_message(job.kind)], pack_file="")
        else:
            report_data = {"created": report.created, "skipped": report.skipped}
            _finish(job.pk, report=report_data, pack_file="")
            imported = True
    # Done or failed, the upload is of no further use (importing again means uploading again).
    _remove_pack_file(job.pack_file)
    if imported:
        artifact_replays_queue_missing()


def pack_export_run(*, job_id: int, run_id: str = "") -> None:
    """Run a queued export.

    Steps: claim the job; take the chosen clips the owner may still export; write them with
    quiz.packs.exporter (to a temporary file, renamed when whole), storing the progress;
    record the count or every problem; remove the owner's oldest export files beyond
    KEEP_EXPORTS. Safe to repeat: a finished job is left alone, and a second run writes the
    same pack to the same file.
    """
    job = _claim(job_id, PackJob.Kind.EXPORT, run_id)
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        clips = exportable_clips(job.owner).filter(pk__in=job.clip_ids)
        path = pack_path(job.pack_file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            count = export_pack(path, clips, title=job.title, progress=_Recorder(job.pk))
        except PackError as error:
            named = [p.replace(str(path), job.result_name) for p in error.problems]
            _finish(job.pk, problems=named)
        except Exception:
            log.exception("pack export job %s failed", job.pk)
            _finish(job.pk, problems=[_server_error_message(job.kind)])
        else:
            _finish(job.pk, report={"clips": count})
            _forget_old_exports(job.owner)


def _forget_old_exports(owner: User) -> None:
    """Remove the files of the owner's exports beyond the newest KEEP_EXPORTS."""
    old = (
        PackJob.objects.filter(owner=owner, kind=PackJob.Kind.EXPORT, status=PackJob.Status.DONE)
        .exclude(pack_file="")
        .order_by("-created_at", "-id")[KEEP_EXPORTS:]
    )
    for job in list(old):
        PackJob.objects.filter(pk=job.pk).update(pack_file="")
        _remove_pack_file(job.pack_file)


__all__ = [
    "KEEP_EXPORTS",
    "PackRefused",
    "job_progress_record",
    "pack_empty_message",
    "pack_export_create",
    "pack_export_run",
    "pack_import_create",
    "pack_import_run",
    "pack_not_zip_message",
    "pack_too_big_message",
    "pack_upload_check",
    "pack_upload_limit",
]
