"""Thin Celery tasks: take ids or nothing, call a service, safe to run twice.

The tasks import the services; services queue tasks by name through quiz.background.enqueue
and never import this module, so there is no import cycle.
"""

from __future__ import annotations

import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from quiz.background import queued_clear
from quiz.models import Clip
from quiz.packs.demo import demo_pack_install
from quiz.services import library as library_services
from quiz.services import live as live_services
from quiz.services import packs as pack_services
from quiz.services import practice as practice_services
from quiz.services import privacy as privacy_services
from quiz.services import uploads as upload_services
from quiz.stats import aggregation


@shared_task(name="quiz.tasks.stats_fold", ignore_result=True)
def stats_fold(gather_seconds: float = 0) -> int:
    """Fold every waiting answer into the stat tables.

    Steps: wait `gather_seconds` (a fold queued by an answer gathers those that follow:
    quiz.services.play.FOLD_DELAY_SECONDS; the beat's run waits for nothing), clear the
    "fold queued" flag (answers stored from now on queue the next fold; those stored before
    are in the queue this run reads: quiz.background.enqueue_once), then claim a batch off
    the StatPending queue (SKIP LOCKED), add its counts and students, commit; repeat until
    nothing is left. Safe to repeat or run on several workers: see quiz.stats.aggregation.
    """
    time.sleep(min(max(gather_seconds, 0), 5))
    queued_clear("quiz.tasks.stats_fold")
    folded = aggregation.fold_all(batch_size=settings.STATS_FOLD_BATCH)
    # Then the ratings of adaptive practice, after the cells (which pages wait for) are in.
    practice_services.practice_fold_all()
    return folded


@shared_task(name="quiz.tasks.stats_vacuum", ignore_result=True)
def stats_vacuum() -> list[str]:
    """Vacuum the stat tables the folds churn, where they hold many dead rows
    (quiz.stats.aggregation.vacuum_churned). Safe to repeat: a second run finds nothing."""
    return aggregation.vacuum_churned()


@shared_task(name="quiz.tasks.stats_rebuild", ignore_result=True)
def stats_rebuild() -> int:
    return aggregation.rebuild()


@shared_task(name="quiz.tasks.students_retention_purge", ignore_result=True)
def students_retention_purge() -> int:
    """Delete for good the students of classes archived more than STUDENT_RETENTION_MONTHS
    ago who are in no other class (nothing when the setting is off); see
    quiz.services.privacy.retention_purge. Safe to repeat: a second run finds nobody."""
    months = settings.STUDENT_RETENTION_MONTHS
    if not months:
        return 0
    run = privacy_services.retention_purge(months=months, dry_run=False)
    return run.erased.students if run.erased else 0


@shared_task(name="quiz.tasks.live_guests_purge", ignore_result=True)
def live_guests_purge() -> int:
    """Delete for good the guest players of live games that ended more than
    LIVE_GUEST_KEEP_DAYS ago, with their answers (taken out of the statistics exactly); see
    quiz.services.live.guests_purge. Safe to repeat: a second run finds nobody."""
    return live_services.guests_purge(keep_days=settings.LIVE_GUEST_KEEP_DAYS)


@shared_task(name="quiz.tasks.demo_pack_build")
def demo_pack_build() -> dict[str, int]:
    """Build (or find already built) the demo pack and import it; idempotent."""
    return demo_pack_install().as_dict()


# --- Library (replays) ---


@shared_task(name="quiz.tasks.artifact_replay_render", ignore_result=True)
def artifact_replay_render(artifact_id: int) -> None:
    """Render an artifact's magnified replay and store it.

    Steps: render to a fresh random name outside any transaction, then store it and delete
    the previous replay. Safe to repeat, and a no-op if the artifact was deleted or edited
    meanwhile: see quiz.services.library.artifact_replay_render.
    """
    library_services.artifact_replay_render(artifact_id=artifact_id)


# --- Ingest (uploads) ---


@shared_task(name="quiz.tasks.clip_ingest", ignore_result=True)
def clip_ingest(clip_id: int) -> None:
    """Probe, check, transcode and publish one uploaded clip; see quiz.services.uploads.clip_ingest.

    Safe to repeat: a clip that is already ready or failed is left alone, and a run after a
    crash starts again from the kept original.
    """
    upload_services.clip_ingest(clip_id=clip_id)


@shared_task(name="quiz.tasks.clip_ingest_requeue", ignore_result=True)
def clip_ingest_requeue() -> int:
    """Queue again the uploads still waiting in "queued" after a few minutes (their message
    was lost: the broker was down when they were uploaded). Safe to repeat: clip_ingest
    leaves ready and failed clips alone and two runs of one clip leave one set of files."""
    stale = list(
        Clip.objects.filter(
            status=Clip.Status.PROCESSING,
            stage="queued",
            created_at__lt=timezone.now() - timedelta(minutes=3),
        ).values_list("pk", flat=True)
    )
    for clip_id in stale:
        clip_ingest.delay(clip_id)
    return len(stale)


@shared_task(name="quiz.tasks.failed_uploads_remove", ignore_result=True)
def failed_uploads_remove() -> int:
    """Delete failed uploads older than FAILED_UPLOAD_KEEP_HOURS. Safe to repeat."""
    return upload_services.failed_uploads_remove()


# --- Clip packs (import and export from the library pages) ---


@shared_task(name="quiz.tasks.pack_import_run", bind=True, ignore_result=True)
def pack_import_run(self, job_id: int) -> None:
    """Import an uploaded clip pack for its job; see quiz.services.packs.pack_import_run.

    Safe to repeat: the job is claimed with a conditional UPDATE (a finished job is left
    alone), and the import itself is all or nothing and skips clips already present.
    """
    pack_services.pack_import_run(job_id=job_id, run_id=self.request.id or "")


@shared_task(name="quiz.tasks.pack_export_run", bind=True, ignore_result=True)
def pack_export_run(self, job_id: int) -> None:
    """Write the chosen clips as a pack for its job; see quiz.services.packs.pack_export_run.

    Safe to repeat: a finished job is left alone, and a rerun writes the same file whole.
    """
    pack_services.pack_export_run(job_id=job_id, run_id=self.request.id or "")
