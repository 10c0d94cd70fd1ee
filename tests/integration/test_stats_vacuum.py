"""The stat tables the folds churn are vacuumed where dead rows pile up (issue 12: with
autovacuum off, the queue held hundreds of thousands of dead rows and every fold read
through them)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from config.celery import app
from quiz import tasks
from quiz.models import StatCell
from quiz.stats import aggregation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="VACUUM and its statistics are PostgreSQL's"
    ),
]


def _dead_rows(table: str) -> int:
    with connection.cursor() as cursor:
        # Statistics reach pg_stat_user_tables when a backend flushes them: force it.
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    return row[0] if row else 0


def _churn_cells(count: int) -> None:
    StatCell.objects.bulk_create(
        StatCell(scope="all", scope_id=0, dimension="item", key=str(i), n=1) for i in range(count)
    )
    # Every update leaves the row's old version behind, as a fold's does.
    StatCell.objects.update(n=2)


def test_a_churned_table_is_vacuumed_and_a_quiet_one_is_left_alone():
    _churn_cells(1500)
    assert _dead_rows("quiz_statcell") >= 1500

    assert aggregation.vacuum_churned() == ["quiz_statcell"]

    assert _dead_rows("quiz_statcell") == 0
    assert StatCell.objects.filter(n=2).count() == 1500  # nothing but dead rows went
    # Nothing is left to do: a second run vacuums nothing.
    assert aggregation.vacuum_churned() == []


def test_a_few_dead_rows_are_not_worth_a_vacuum():
    _churn_cells(50)
    assert _dead_rows("quiz_statcell") >= 50
    assert aggregation.vacuum_churned() == []
    assert _dead_rows("quiz_statcell") >= 50


def test_it_refuses_to_run_inside_a_transaction():
    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a transaction"):
        aggregation.vacuum_churned()


def test_the_beat_runs_it_every_five_minutes():
    schedule = app.conf.beat_schedule["stats-vacuum"]
    assert schedule["task"] == "quiz.tasks.stats_vacuum"
    assert schedule["schedule"] == 300.0
    _churn_cells(1200)
    assert tasks.stats_vacuum() == ["quiz_statcell"]
