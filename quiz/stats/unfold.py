"""Taking answers out of the stat tables exactly: the opposite of a fold, for erasure.

When a student's data is deleted (quiz.services.privacy), their answers go, and every cell
they were counted in must end as a rebuild from the remaining answers would make it: the
counts lowered by exactly what those answers added, cells left with no answer gone (a
rebuild has no empty cell), and each (cell, student) row gone when no other counted answer
of that student falls in the cell, with the cell's `students` lowered by as many. The work
is proportional to the answers taken out and their students' other answers, never to the
whole table.

The same order of locks as a fold (quiz.stats.aggregation), so neither can double count
nor deadlock the other:

1. The caller has locked the rows the answers hang from (the students, the class's
   assignments), so no answer joins the set while it is taken out.
2. The answers' StatPending rows are locked (FOR UPDATE), which waits for any fold that
   claimed some of them to commit or roll back. Those still queued were never counted:
   they are dropped with their answers. The others were counted and are subtracted.
3. The folds' write lock: no fold is half-way through writing cells while this one reads
   which of the students' other answers are counted, and a fold that claimed some of them
   meanwhile writes after this transaction, adding back any (cell, student) row it needs.
"""

# The SQL below is assembled from this module's constants, quoted table names and the SQL
# of aggregation.cells_sql/students_sql; the answers come in as a parameterised subquery.
# ruff: noqa: S608

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from quiz.models import Answer, Attempt, StatCell, StatPending, StatStudent, StatStudentHome
from quiz.stats import aggregation, item_sums
from quiz.stats.metrics import FIELDS

log = logging.getLogger(__name__)

_KEYS = ("scope", "scope_id", "dimension", "key")


@dataclass(frozen=True)
class Unfolded:
    answers: int  # answers taken out
    queued: int  # of which had not been counted yet
    cells: int  # cells lowered
    cells_emptied: int  # of which held nothing else and were deleted
    student_rows: int  # (cell, student) rows deleted


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type) -> str:
    return _quote(model._meta.db_table)


def _temp(name: str) -> str:
    """A temporary table's name, schema-qualified so it can never mean a real table."""
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    return f"{schema}.stat_unfold_{name}"


def _answers_like(cursor, name: str) -> str:
    """An empty temporary table with the answers' columns."""
    table = _temp(name)
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    empty = "WITH NO DATA" if connection.vendor == "postgresql" else "WHERE 0"
    cursor.execute(
        f"CREATE TEMP TABLE {table.split('.')[1]} AS SELECT * FROM {_table(Answer)} {empty}"
    )
    return table


def _select_into(cursor, name: str, select: str) -> str:
    table = _temp(name)
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMP TABLE {table.split('.')[1]} AS {select}")
    return table


def _analyze(cursor, *tables: str) -> None:
    """PostgreSQL plans with no statistics for a fresh temporary table: give it some, so the
    joins with the (large) cell tables go through their unique indexes."""
    if connection.vendor == "postgresql":
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def unfold(answers: QuerySet[Answer]) -> Unfolded:
    """Take `answers` out of the stat tables, inside the caller's transaction (which then
    deletes them). The caller must have locked what they hang from (see the module)."""
    if not connection.in_atomic_block:
        raise RuntimeError("unfold() must run inside the transaction that deletes the answers")
    cells_table, students_table = _table(StatCell), _table(StatStudent)
    pending = _table(StatPending)
    key_columns = ", ".join(_quote(k) for k in _KEYS)
    try:
        subquery, params = answers.values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. `pk__in=[]`: nothing to take out
        return Unfolded(answers=0, queued=0, cells=0, cells_emptied=0, student_rows=0)
    aggregation.tune_transaction()
    with connection.cursor() as cursor:
        gone = _answers_like(cursor, "gone")
        cursor.execute(
            f"INSERT INTO {gone} SELECT * FROM {_table(Answer)} WHERE id IN ({subquery})", params
        )
        removed = cursor.rowcount
        # 2. The queue: wait out any fold holding some of these answers, then drop the ones
        # still queued from what is subtracted (their pending rows go with the answers).
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT answer_id FROM {pending} WHERE answer_id IN (SELECT id FROM {gone}) "
                "FOR UPDATE"
            )
        cursor.execute(f"DELETE FROM {gone} WHERE id IN (SELECT answer_id FROM {pending})")
        queued = cursor.rowcount
        # 3. The cells.
        aggregation.write_one_at_a_time()
        _analyze(cursor, gone)
        lowered = _select_into(cursor, "cells", aggregation.cells_sql(gone))
        _analyze(cursor, lowered)
        same_cell = " AND ".join(
            f"{cells_table}.{_quote(k)} = u.{'cell_key' if k == 'key' else k}" for k in _KEYS
        )
        minus = ", ".join(f"{_quote(f)} = {cells_table}.{_quote(f)} - u.{f}" for f in FIELDS)
        cursor.execute(f"UPDATE {cells_table} SET {minus} FROM {lowered} u WHERE {same_cell}")
        cells = cursor.rowcount
        cursor.execute(f"SELECT COUNT(*) FROM {lowered}")
        expected = cursor.fetchone()[0]
        # The students of those cells: each one's other answers that are counted (their own
        # queued answers are not, and are left to the fold).
        kept = _answers_like(cursor, "kept")
        cursor.execute(
            f"INSERT INTO {kept} SELECT a.* FROM {_table(Answer)} a "
            f"WHERE a.attempt_id IN (SELECT t.id FROM {_table(Attempt)} t "
            f"WHERE t.user_id IN (SELECT DISTINCT user_id FROM {gone})) "
            f"AND a.id NOT IN (SELECT id FROM {gone}) "
            f"AND NOT EXISTS (SELECT 1 FROM {pending} q WHERE q.answer_id = a.id)"
        )
        _analyze(cursor, kept)
        had = _select_into(
            cursor, "had", f"SELECT DISTINCT * FROM ({aggregation.students_sql(gone)}) s"
        )
        still = _select_into(
            cursor, "still", f"SELECT DISTINCT * FROM ({aggregation.students_sql(kept)}) s"
        )
        _analyze(cursor, had, still)
        row = "scope, scope_id, dimension, cell_key, student_id"
        drop = _select_into(
            cursor,
            "drop",
            f"SELECT {row} FROM {had} EXCEPT SELECT {row} FROM {still}",
        )
        _analyze(cursor, drop)
        cursor.execute(
            f"DELETE FROM {students_table} WHERE ({key_columns}, {_quote('student_id')}) "
            f"IN (SELECT {row} FROM {drop})"
        )
        student_rows = cursor.rowcount
        students = _quote("students")
        cursor.execute(
            f"UPDATE {cells_table} SET {students} = {cells_table}.{students} - u.n "
            f"FROM (SELECT scope, scope_id, dimension, cell_key, COUNT(*) AS n FROM {drop} "
            f"GROUP BY scope, scope_id, dimension, cell_key) u WHERE {same_cell}"
        )
        cursor.execute(
            # A spot round's answer adds to spot_n only (METRICS.md), so a cell is empty
            # when both are 0.
            f"DELETE FROM {cells_table} WHERE {_quote('n')} = 0 AND {_quote('spot_n')} = 0 "
            f"AND ({key_columns}) IN "
            f"(SELECT scope, scope_id, dimension, cell_key FROM {lowered})"
        )
        emptied = cursor.rowcount
        cursor.execute(
            f"SELECT COUNT(*) FROM {cells_table} WHERE ({key_columns}) IN "
            f"(SELECT scope, scope_id, dimension, cell_key FROM {lowered}) AND ("
            + " OR ".join(f"{_quote(f)} < 0" for f in ("n", "students"))
            + ")"
        )
        negative = cursor.fetchone()[0]
        # The sums behind item discrimination: the answers' attempts, re-summed without
        # them. After the cells, as in a fold and a rebuild (the same order of locks).
        item_sums.unfold(gone)
        # Their homes go too: what remains of their answers may be anywhere, and a missing
        # home is always safe (the next fold makes a new one only from what it can see).
        cursor.execute(
            f"DELETE FROM {_table(StatStudentHome)} WHERE student_id IN "
            f"(SELECT user_id FROM {gone})"
        )
        for table in (gone, kept, lowered, had, still, drop):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    if cells != expected or negative:
        # The tables did not hold these answers as a fold would have left them; the
        # erasure goes on (the data must go), and `rebuild_stats` puts the cells right.
        log.error(
            "unfold: %s of %s cells found, %s negative: run `manage.py rebuild_stats`",
            cells,
            expected,
            negative,
        )
    return Unfolded(
        answers=removed,
        queued=queued,
        cells=cells,
        cells_emptied=emptied,
        student_rows=student_rows,
    )
