"""The sums behind item discrimination, kept by the fold (StatItemSums).

Discrimination (METRICS.md) correlates being right on a clip with the score on the rest of
the attempt, so one answer's observation depends on its whole attempt: an answer folded
later changes the rest score, and the attempt's length, of the answers folded before it.

The rows hold, per school, clip and rest length, the sum over the counted answers of every
attempt of what that attempt contributes given its counted answers (those without a
StatPending row). Whatever changes which of an attempt's answers are counted (a fold adds
some, an erasure takes some out) takes the attempt's old contribution off and adds its new
one, reading only that attempt's counted answers: the cost follows the answers that change
and the length of their attempts, never the volume. An attempt still being played is
counted as far as it goes, as the item analysis always read it.

Why it stays exact (quiz.stats.aggregation): it runs in the fold's (or erasure's)
transaction, after the folds' write lock, so the answers it reads as counted are those the
rows hold: another fold's claimed answers are still queued until it commits, and it writes
only after this transaction ends (then reading these answers as counted). A rebuild
computes every attempt's contribution from its counted answers at once. Sums are integers
(r, not r / rest_n), so any order of folds gives the same rows; a row whose count falls to
0 is deleted, as a rebuild would not make it. The fold, the rebuild and an erasure all write
these rows after the cells, so they take their locks in one order and cannot deadlock.

"Counted" means what the fold's queue means (no StatPending row): should the claim change,
counted_answers changes with it, as quiz.stats.unfold's `kept` does.
"""

# The SQL below is assembled only from this module's constants, quoted table names and the
# callers' table names and conditions, never from input.
# ruff: noqa: S608

from __future__ import annotations

import logging

from django.db import connection

from quiz.models import Answer, StatItemSums, StatPending

log = logging.getLogger(__name__)

_DELTA_TABLE = "stat_item_delta"
_KEY = ("school_id", "clip_id", "rest_n")
_SUMS = StatItemSums.SUM_FIELDS


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def counted_answers(where: str, changed: str) -> str:
    """The counted answers that make observations (spot rounds left out, a school known)
    and match `where` (alias `a`), each with `changed` (1 or 0) telling whether this change
    adds or takes it out."""
    pending = _table(StatPending)
    return (
        f"SELECT a.attempt_id, a.school_id, a.clip_id, a.other_clip_id, "
        f"CASE WHEN a.is_correct THEN 1 ELSE 0 END AS x, {changed} AS changed "
        f"FROM {_table(Answer)} a WHERE a.item_kind <> 'spot' AND a.school_id IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {pending} q WHERE q.answer_id = a.id) AND ({where})"
    )


def delta_sql(answers: str, *, adding: bool, whole: bool = False) -> str:
    """SELECT school_id, clip_id, rest_n, n, sum_x, sum_r, sum_xr, sum_rr: what the rows
    change by when the `changed` answers among `answers` (every counted answer of each
    attempt concerned) start being counted (`adding`) or stop.

    Each attempt contributes once as it is after the change and, with the opposite sign,
    once as it was before (its answers without the changed ones); `whole`: no attempt had
    any answer counted before (a rebuild)."""
    # Every counted answer of the attempt is in one state, the unchanged ones in the
    # other: after and before for adding, before and after for taking out.
    every, unchanged = ("1", "-1") if adding else ("-1", "1")
    states = f"SELECT attempt_id, school_id, clip_id, other_clip_id, x, {every} AS sign FROM r"
    if not whole:
        states += (
            f" UNION ALL SELECT attempt_id, school_id, clip_id, other_clip_id, x, {unchanged} "
            "FROM r WHERE changed = 0"
        )
    observation = (
        "SELECT s.school_id, s.{clip} AS clip_id, t.n - 1 AS rest_n, s.x, t.c - s.x AS r, "
        "s.sign FROM s JOIN t ON t.attempt_id = s.attempt_id AND t.school_id = s.school_id "
        "AND t.sign = s.sign"
    )
    return (
        f"WITH r AS ({answers}), s AS ({states}), "
        # Each attempt's length and right answers in each state; one answer has no rest.
        "t AS (SELECT attempt_id, school_id, sign, COUNT(*) AS n, SUM(x) AS c FROM s "
        "GROUP BY attempt_id, school_id, sign HAVING COUNT(*) > 1), "
        f"o AS ({observation.format(clip='clip_id')} UNION ALL "
        f"{observation.format(clip='other_clip_id')} WHERE s.other_clip_id IS NOT NULL) "
        "SELECT school_id, clip_id, rest_n, SUM(sign) AS n, SUM(sign * x) AS sum_x, "
        "SUM(sign * r) AS sum_r, SUM(sign * x * r) AS sum_xr, SUM(sign * r * r) AS sum_rr "
        "FROM o GROUP BY school_id, clip_id, rest_n"
    )


def _apply(delta: str) -> None:
    """Add `delta` to the rows; delete the rows it leaves with no observation."""
    table = _table(StatItemSums)
    columns = ", ".join((*_KEY, *_SUMS))
    key = ", ".join(_KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_DELTA_TABLE} (school_id BIGINT, "
            "clip_id BIGINT, rest_n INTEGER, n BIGINT, sum_x BIGINT, sum_r BIGINT, "
            "sum_xr BIGINT, sum_rr BIGINT)"
        )
        cursor.execute(f"DELETE FROM {_DELTA_TABLE}")
        cursor.execute(f"INSERT INTO {_DELTA_TABLE} ({columns}) SELECT * FROM ({delta}) d")
        nothing = " AND ".join(f"{name} = 0" for name in _SUMS)
        updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in _SUMS)
        # "WHERE" also lets SQLite tell the upsert from a join (its documented quirk).
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_DELTA_TABLE} "
            f"WHERE NOT ({nothing}) ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
        cursor.execute(
            f"DELETE FROM {table} WHERE n = 0 AND ({key}) IN (SELECT {key} FROM {_DELTA_TABLE})"
        )
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE n < 0 AND ({key}) IN "
            f"(SELECT {key} FROM {_DELTA_TABLE})"
        )
        negative = cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {_DELTA_TABLE}")
    if negative:
        # Only if the rows did not hold what the folds added: a rebuild puts them right.
        log.error("item sums: %s rows below zero: run `manage.py rebuild_stats`", negative)


def _of_attempts(attempts: str) -> str:
    """A condition (alias `a`) for the answers of the attempts `attempts` selects: read
    through the answers' (attempt, item) index whatever PostgreSQL guesses of a temporary
    table's size (as an array it plans an index scan, never a scan of every answer)."""
    if connection.vendor == "postgresql":
        return f"a.attempt_id = ANY(ARRAY({attempts}))"
    return f"a.attempt_id IN ({attempts})"


def fold(batch: str) -> None:
    """Add the answers of `batch` (a table with the answers' ids and attempts, claimed off
    the queue in this transaction, after the folds' write lock): their attempts'
    contributions move from their counted answers without the batch to those with it."""
    touched = _of_attempts(f"SELECT DISTINCT attempt_id FROM {batch}")
    changed = f"CASE WHEN a.id IN (SELECT id FROM {batch}) THEN 1 ELSE 0 END"
    _apply(delta_sql(counted_answers(touched, changed), adding=True))


def unfold(gone: str) -> None:
    """Take out the counted answers in `gone` (a table with the answers' columns, still
    stored, in the erasing transaction after the folds' write lock): their attempts'
    contributions move to their counted answers without them."""
    touched = _of_attempts(f"SELECT DISTINCT attempt_id FROM {gone}")
    changed = f"CASE WHEN a.id IN (SELECT id FROM {gone}) THEN 1 ELSE 0 END"
    _apply(delta_sql(counted_answers(touched, changed), adding=False))


def clear() -> None:
    """Empty the rows (a rebuild, which holds the queue and the cell tables)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {_table(StatItemSums)}")
        else:
            cursor.execute(f"DELETE FROM {_table(StatItemSums)}")


def rebuild(counted: str) -> None:
    """Every attempt's contribution from its counted answers (`counted`, alias `a`: not
    queued), into the emptied rows."""
    columns = ", ".join((*_KEY, *_SUMS))
    delta = delta_sql(counted_answers(counted, "1"), adding=True, whole=True)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(StatItemSums)} ({columns}) SELECT * FROM ({delta}) d")
