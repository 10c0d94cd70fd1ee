"""The Celery app: Redis broker, JSON only, time limits, late acks for idempotent tasks."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("secondlook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Every task is safe to run twice, so a task whose worker dies is delivered again
    # rather than lost.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=30 * 60,
    task_soft_time_limit=25 * 60,
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    # Play must not wait for a broker that is down: give up publishing quickly; the beat's
    # safety net folds whatever was stored meanwhile.
    broker_transport_options={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
    broker_connection_timeout=2,
)


def _beat_schedule() -> dict[str, dict[str, object]]:
    from django.conf import settings

    return {
        # Answers queue a fold after they commit; this catches any whose message was lost
        # (broker down at the time, worker killed), so aggregates always catch up.
        "stats-fold-safety-net": {
            "task": "quiz.tasks.stats_fold",
            "schedule": float(settings.STATS_FOLD_INTERVAL),
        },
        # The queue and cell tables the folds churn are vacuumed where dead rows pile up
        # (PostgreSQL's autovacuum does it too where it is on).
        "stats-vacuum": {
            "task": "quiz.tasks.stats_vacuum",
            "schedule": 300.0,
        },
        # Students of long-archived classes go when STUDENT_RETENTION_MONTHS is set.
        "students-retention": {
            "task": "quiz.tasks.students_retention_purge",
            "schedule": 24 * 3600.0,
        },
        # Guest players of live games go LIVE_GUEST_KEEP_DAYS after their game ended.
        "live-guests-purge": {
            "task": "quiz.tasks.live_guests_purge",
            "schedule": 3600.0,
        },
        # Uploads whose ingest message was lost (broker down at upload time) start anyway.
        "clip-ingest-requeue": {
            "task": "quiz.tasks.clip_ingest_requeue",
            "schedule": 120.0,
        },
        # Failed uploads go once their uploader has had a day to read the message.
        "failed-uploads-remove": {
            "task": "quiz.tasks.failed_uploads_remove",
            "schedule": 3600.0,
        },
    }


@app.on_after_configure.connect
def _setup_periodic_tasks(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = _beat_schedule()


app.autodiscover_tasks()
