"""Folding answers into the additive stat tables, incrementally and by full rebuild.

Every answer carries the facts the statistics group it by (its student, class, school,
clips, generator, media kind, kind of round, artifact categories, day and position), frozen
when it was stored, so folding reads one table and a rebuild always equals the folds.

An answer adds its counts to one cell per (scope, dimension, key) it belongs to (the
families below) and, for the educator-facing scopes, its student to the cell's StatStudent
rows, because distinct students do not add up.

Both the fold and the rebuild are set-based SQL. On PostgreSQL one scan of the answers feeds
every family at once (GROUP BY GROUPING SETS); elsewhere (SQLite, the embedded default) one
GROUP BY per family is unioned. bench/aggregate.py measures both against a plain GROUP BY.

Why the claim works: an answer and its StatPending row are stored in one transaction. A fold
deletes the pending rows it claims (SELECT … FOR UPDATE SKIP LOCKED) in the same transaction
that adds their counts, so two workers never claim the same answer, a worker killed
mid-batch rolls back both the counts and the claim, and a task delivered twice finds nothing
left. No "highest id seen" watermark is kept, so ids that commit out of order cannot be
skipped. Folds claim side by side but write their cells one at a time, so they cannot
deadlock; a rebuild takes the queue first and the cell tables second, like a fold.
"""

# The SQL below is assembled only from this module's constants and quoted table names, never
# from input; the one value (the batch size) is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from quiz import categories
from quiz.models import Answer, StatCell, StatPending, StatStudent
from quiz.stats import item_sums, known_pairs
from quiz.stats.metrics import FIELDS

# The answer columns a fold copies into its batch table.
_SOURCE_COLUMNS = (
    "id",
    "attempt_id",  # for the item sums (quiz.stats.item_sums): the batch's attempts
    "user_id",
    "assignment_id",
    "classroom_id",
    "school_id",
    "item_id",
    "clip_id",
    "other_clip_id",
    "item_kind",
    "media_kind",
    "generator",
    "categories",
    "day",
    "position",
    "guess",
    "confidence",
    "is_correct",
    "points",
)
_BATCH_TABLE = "stat_fold_batch"
# The cells whose students a fold added to, with how many (PostgreSQL).
_ADDED_TABLE = "stat_fold_added"

# Feed clips count as single items' hits, misses, false alarms and correct rejections only
# (METRICS.md; quiz.services.feed): no confidence is asked, and accuracy at a feed's low base
# rate would not compare with quizzes'.
_SINGLE = "a.item_kind IN ('single', 'feed')"
_SPOT = "a.item_kind = 'spot'"
_NOT_SPOT = "a.item_kind <> 'spot'"
_NOT_FEED = "a.item_kind <> 'feed'"
# Answers with a stated confidence: what n, accuracy, confidence and Brier count.
_RATED = "a.item_kind NOT IN ('spot', 'feed')"
# What one answer adds to each count (METRICS.md): computed once per answer. A spot round's
# answer counts towards the spot counts (and the game score) only: not n, accuracy, the
# signal-detection counts, confidence or Brier.
_PER_ANSWER: dict[str, str] = {
    "n": f"CASE WHEN {_RATED} THEN 1 ELSE 0 END",
    "correct": f"CASE WHEN {_RATED} AND a.is_correct THEN 1 ELSE 0 END",
    "hits": f"CASE WHEN {_SINGLE} AND a.guess = 'generated' AND a.is_correct THEN 1 ELSE 0 END",
    "misses": f"CASE WHEN {_SINGLE} AND a.guess = 'real' AND NOT a.is_correct THEN 1 ELSE 0 END",
    "false_alarms": (
        f"CASE WHEN {_SINGLE} AND a.guess = 'generated' AND NOT a.is_correct THEN 1 ELSE 0 END"
    ),
    "correct_rejections": (
        f"CASE WHEN {_SINGLE} AND a.guess = 'real' AND a.is_correct THEN 1 ELSE 0 END"
    ),
    "pair_n": "CASE WHEN a.item_kind = 'pair' THEN 1 ELSE 0 END",
    "pair_correct": "CASE WHEN a.item_kind = 'pair' AND a.is_correct THEN 1 ELSE 0 END",
    "confidence_sum": f"CASE WHEN {_RATED} THEN a.confidence ELSE 0 END",
    "brier_sum": (
        f"CASE WHEN {_RATED} THEN "
        "(a.confidence - CASE WHEN a.is_correct THEN 100 ELSE 0 END)"
        " * (a.confidence - CASE WHEN a.is_correct THEN 100 ELSE 0 END) ELSE 0 END"
    ),
    "points_sum": "a.points",
    "spot_n": f"CASE WHEN {_SPOT} THEN 1 ELSE 0 END",
    "spot_hits": f"CASE WHEN {_SPOT} AND a.is_correct THEN 1 ELSE 0 END",
}
assert tuple(_PER_ANSWER) == FIELDS

# How a cell key is written from the grouped columns (prefix `s.`); "code" comes from the
# category join.
_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "overall": ((), "''"),
    "category": (("code",), "s.code"),
    "generator": (("generator",), "s.generator"),
    "media": (("media_kind",), "s.media_kind"),
    "item_kind": (("item_kind",), "s.item_kind"),
    "assignment": (("assignment_id",), "CAST(s.assignment_id AS TEXT)"),
    "day": (("day_key",), "s.day_key"),
    "position": (("position_key",), "s.position_key"),
    "conf_bin": (("bin_key",), "s.bin_key"),
    "clip": (("any_clip",), "CAST(s.any_clip AS TEXT)"),
    "student": (("user_id",), "CAST(s.user_id AS TEXT)"),
    "day_asg": (("day_key", "assignment_id"), "s.day_key || ':' || CAST(s.assignment_id AS TEXT)"),
    "item": (("item_id",), "CAST(s.item_id AS TEXT)"),
    # For small-group suppression (quiz.stats.suppression): the students who contributed
    # to a figure. A generator's fool rate and a category's detection or false-alarm rate
    # come from single rounds only, so these cells hold single rounds only ("g"/"r": the
    # clip's truth); `practice` is a school's free practice (no assignment) by day. The
    # derived columns are NULL for other answers, which makes no cell.
    "gen_single": (("gen_single",), "s.gen_single"),
    "cat_single": (("code", "single_truth"), "s.code || ':' || s.single_truth"),
    "practice": (("practice_day",), "s.practice_day"),
    # Spot rounds by category: the students behind a category's spot rate. `spot_mark` is
    # '' for a spot round's answer and NULL otherwise, so other answers make no cell.
    "cat_spot": (("code", "spot_mark"), "s.code || s.spot_mark"),
}


@dataclass(frozen=True)
class Family:
    """One kind of cell: its scope, dimension, and the answer columns that name the cell."""

    scope: str
    scope_column: str | None  # None: the everyone scope (scope_id 0)
    dimension: str
    students: bool  # keep StatStudent rows for this family

    @property
    def columns(self) -> tuple[str, ...]:
        scope = (self.scope_column,) if self.scope_column else ()
        return scope + _KEYS[self.dimension][0]

    @property
    def kind(self) -> str:
        """Which fan-out feeds the family: the answer itself, its categories or its clips
        (a pair round counts for both of its clips)."""
        if self.dimension in ("category", "cat_single", "cat_spot"):
            return "category"
        if self.dimension == "clip":
            return "clip"
        return "answer"


# The cells whose distinct students are kept (StatStudent): those an educator's pages show,
# where small groups must be suppressed. A student-scope cell always has one student; the
# class and everyone scopes skip the per-clip cells (one row per answer, shown nowhere).
STUDENT_DIMENSIONS: dict[str, frozenset[str]] = {
    "user": frozenset(),
    "class": frozenset(
        {
            "overall",
            "category",
            "generator",
            "assignment",
            "day",
            "day_asg",
            "position",
            "conf_bin",
            "cat_single",
            "cat_spot",
        }
    ),
    "school": frozenset(
        {
            "overall",
            "category",
            "generator",
            "media",
            "item_kind",
            "assignment",
            "day",
            "position",
            "conf_bin",
            "clip",
            "gen_single",
            "practice",
            "cat_spot",
        }
    ),
    "all": frozenset(
        {"overall", "category", "generator", "day", "position", "conf_bin", "cat_spot"}
    ),
    "assignment": frozenset({"overall"}),
}


def families() -> list[Family]:
    """Every cell family an answer feeds.

    Student scope leaves out the clip dimension: a student answers a clip about once, so
    those cells would copy the answers table; the student's report reads the answers.
    """
    shared = [
        "overall",
        "category",
        "generator",
        "media",
        "item_kind",
        "assignment",
        "day",
        "position",
        "conf_bin",
    ]
    found: list[Family] = []
    for scope, column in (
        ("user", "user_id"),
        ("class", "classroom_id"),
        ("school", "school_id"),
        ("all", None),
    ):
        dimensions = list(shared)
        if scope != "user":
            dimensions += ["clip"]
        if scope == "class":
            dimensions += ["student", "day_asg"]
        # Cells only small-group suppression reads (see _KEYS), where educators see them.
        if scope == "class":
            dimensions += ["cat_single"]
        if scope == "school":
            dimensions += ["gen_single", "practice"]
        if scope != "user":
            dimensions += ["cat_spot"]
        found += [
            Family(scope, column, dimension, students=dimension in STUDENT_DIMENSIONS[scope])
            for dimension in dimensions
        ]
    found += [
        Family("assignment", "assignment_id", "overall", students=True),
        Family("assignment", "assignment_id", "item", students=False),
        Family("assignment", "assignment_id", "student", students=False),
    ]
    return found


def _prepared(source: str, where: str) -> str:
    """The answers of `source` with their key columns and per-answer counts."""
    if connection.vendor == "postgresql":
        day = "to_char(a.day, 'YYYY-MM-DD')"  # a date cast follows DateStyle; this does not
    else:
        day = "CAST(a.day AS TEXT)"
    counts = ", ".join(f"{expression} AS c_{name}" for name, expression in _PER_ANSWER.items())
    # A single round's truth follows from its guess and whether it was right.
    truth = (
        "CASE WHEN (a.guess = 'generated' AND a.is_correct) "
        "OR (a.guess = 'real' AND NOT a.is_correct) THEN 'g' ELSE 'r' END"
    )
    return (
        "(SELECT a.id, a.user_id, a.assignment_id, a.classroom_id, a.school_id, a.item_id, "
        "a.clip_id, a.other_clip_id, a.item_kind, a.media_kind, a.generator, a.categories, "
        f"CASE WHEN {_SINGLE} THEN {truth} END AS single_truth, "
        f"CASE WHEN {_SINGLE} AND {truth} = 'g' THEN a.generator END AS gen_single, "
        f"CASE WHEN a.assignment_id IS NULL THEN {day} END AS practice_day, "
        f"CASE WHEN {_SPOT} THEN '' END AS spot_mark, "
        # Feed clips make no position or confidence-bin cell: those cells' figures are
        # accuracy and calibration, which no feed answer enters (nor may its student count).
        f"{day} AS day_key, CASE WHEN {_NOT_FEED} THEN CAST(a.position AS TEXT) END "
        f"AS position_key, CASE WHEN {_NOT_FEED} THEN CAST(CASE WHEN a.confidence >= 90 "
        "THEN 90 ELSE a.confidence / 10 * 10 END AS TEXT) END "
        f"AS bin_key, {counts} FROM {source} a{' WHERE ' + where if where else ''})"
    )


def _categories_table() -> str:
    rows = ", ".join(f"('{code}', {1 << bit})" for code, bit in categories.BITS.items())
    return f"(VALUES {rows})"


def _from(kind: str, source: str, where: str) -> str:
    prepared = _prepared(source, where)
    if kind == "clip":
        return (
            f"FROM (SELECT q.*, q.clip_id AS any_clip FROM {prepared} q UNION ALL "
            f"SELECT q.*, q.other_clip_id AS any_clip FROM {prepared} q "
            "WHERE q.other_clip_id IS NOT NULL) p"
        )
    clause = f"FROM {prepared} p"
    if kind == "category":
        # VALUES columns are column1, column2 in both PostgreSQL and SQLite.
        clause += f" JOIN {_categories_table()} c ON (p.categories & c.column2) <> 0"
    return clause


def _column(name: str) -> str:
    return "c.column1" if name == "code" else f"p.{name}"


def _sums(prefix: str) -> str:
    return ", ".join(f"SUM({prefix}c_{name}) AS {name}" for name in FIELDS)


def _scope_id(family: Family) -> str:
    return f"s.{family.scope_column}" if family.scope_column else "0"


def _union_select(family: Family, source: str, where: str, *, students: bool) -> str:
    """One family's cells (or cell students) by a plain GROUP BY (the portable way)."""
    columns = family.columns
    if students and "user_id" not in columns:
        columns += ("user_id",)
    select = ", ".join(f"{_column(c)} AS {c}" for c in columns)
    present = " AND ".join(f"{_column(c)} IS NOT NULL" for c in columns)
    tail = f" WHERE {present}" if present else ""
    if students:
        body = f"SELECT DISTINCT {select} {_from(family.kind, source, where)}{tail}"
        values = "s.user_id AS student_id"
    else:
        grouped = ", ".join(_column(c) for c in columns)
        tail += f" GROUP BY {grouped}" if grouped else " HAVING COUNT(*) > 0"
        body = f"SELECT {select}{', ' if select else ''}{_sums('p.')} "
        body += f"{_from(family.kind, source, where)}{tail}"
        values = ", ".join(f"s.{n}" for n in FIELDS)
    return (
        f"SELECT '{family.scope}' AS scope, {_scope_id(family)} AS scope_id, "
        f"'{family.dimension}' AS dimension, {_KEYS[family.dimension][1]} AS cell_key, "
        f"{values} FROM ({body}) s"
    )


def _grouping_select(
    group: list[Family], kind: str, source: str, where: str, *, students: bool
) -> str:
    """The cells (or cell students) of several families from one scan, by GROUPING SETS."""
    sets: list[tuple[str, ...]] = []
    for family in group:
        columns = family.columns
        if students and "user_id" not in columns:
            columns += ("user_id",)
        # (user, assignment) and (assignment, user) are one grouping set: keep it once, or
        # its groups would be counted twice.
        if all(set(columns) != set(other) for other in sets):
            sets.append(columns)
    all_columns: list[str] = []
    for columns in sets:
        all_columns += [c for c in columns if c not in all_columns]
    grouping = ", ".join(_column(c) for c in all_columns)
    select = ", ".join(f"{_column(c)} AS {c}" for c in all_columns)
    set_list = ", ".join("(" + ", ".join(_column(c) for c in columns) + ")" for columns in sets)
    values = "s.user_id AS student_id" if students else ", ".join(f"s.{n}" for n in FIELDS)
    aggregates = "" if students else ", " + _sums("p.")
    inner = (
        f"SELECT GROUPING({grouping}) AS g, {select}{aggregates} {_from(kind, source, where)} "
        f"GROUP BY GROUPING SETS ({set_list})"
    )
    width = len(all_columns)
    rows, scope_ids, keys = [], [], []
    for index, family in enumerate(group):
        columns = family.columns
        if students and "user_id" not in columns:
            columns += ("user_id",)
        g = sum(1 << (width - 1 - i) for i, c in enumerate(all_columns) if c not in columns)
        rows.append(f"({g}, {index}, '{family.scope}', '{family.dimension}')")
        scope_ids.append(f"WHEN {index} THEN {_scope_id(family)}")
        keys.append(f"WHEN {index} THEN {_KEYS[family.dimension][1]}")
    # A group whose scope or key column is NULL (free practice has no class) is no cell;
    # a NULL column makes the cell's scope_id or key NULL.
    return (
        f"SELECT * FROM (SELECT f.column3 AS scope, "
        f"CASE f.column2 {' '.join(scope_ids)} END AS scope_id, f.column4 AS dimension, "
        f"CASE f.column2 {' '.join(keys)} END AS cell_key, {values} "
        f"FROM ({inner}) s JOIN (VALUES {', '.join(rows)}) f ON f.column1 = s.g) x "
        "WHERE x.scope_id IS NOT NULL AND x.cell_key IS NOT NULL"
    )


def _and(where: str, condition: str) -> str:
    return f"({where}) AND {condition}" if where else condition


def _student_where(family: Family, where: str) -> str:
    """Which answers make a family's students: those whose answers enter its figures
    (METRICS.md, small groups). A spot round's answer enters the spot rate only, so it makes
    students of the cat_spot cells and of no other."""
    return _and(where, _SPOT if family.dimension == "cat_spot" else _NOT_SPOT)


def _branches(source: str, where: str, *, students: bool, portable: bool) -> list[str]:
    chosen = [f for f in families() if f.students or not students]
    if portable or connection.vendor != "postgresql":
        return [
            _union_select(
                f, source, _student_where(f, where) if students else where, students=students
            )
            for f in chosen
        ]
    if not students:
        return [
            _grouping_select(
                [f for f in chosen if f.kind == kind], kind, source, where, students=False
            )
            for kind in ("answer", "category", "clip")
        ]
    branches = []
    for kind in ("answer", "category", "clip"):
        of_kind = [f for f in chosen if f.kind == kind]
        for spot in (False, True):
            group = [f for f in of_kind if (f.dimension == "cat_spot") == spot]
            if group:
                scan_where = _student_where(group[0], where)
                branches.append(_grouping_select(group, kind, source, scan_where, students=True))
    return branches


def cells_sql(source: str, where: str = "", *, portable: bool = False) -> str:
    """SELECT scope, scope_id, dimension, key, <counts…> over the answers of `source`
    (aliased `a` in `where`), one row per cell."""
    # Each family has its own (scope, dimension), so the branches never share a cell.
    return " UNION ALL ".join(_branches(source, where, students=False, portable=portable))


def students_sql(source: str, where: str = "", *, portable: bool = False) -> str:
    """SELECT scope, scope_id, dimension, key, student_id: each student of each cell once."""
    return " UNION ALL ".join(_branches(source, where, students=True, portable=portable))


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _cell_columns() -> list[str]:
    return [connection.ops.quote_name(c) for c in ("scope", "scope_id", "dimension", "key")]


def _insert_cells(select: str, *, accumulate: bool, keep_before: bool = False) -> None:
    """Add the cells of `select` (or insert them, in a rebuild); `keep_before`: fill
    known_pairs.BEFORE_TABLE too (PostgreSQL, a fold that infers known pairs)."""
    table = _table(StatCell)
    keys = _cell_columns()
    counts = [connection.ops.quote_name(name) for name in FIELDS]
    sql = f"INSERT INTO {table} ({', '.join(keys + counts)}) {select}"
    if accumulate:
        # "WHERE true" lets SQLite tell the upsert from a join (its documented quirk).
        updates = ", ".join(f"{q} = {table}.{q} + EXCLUDED.{q}" for q in counts)
        postgresql = connection.vendor == "postgresql"
        source = "d" if postgresql and keep_before else f"({select}) s"
        sql = (
            f"INSERT INTO {table} ({', '.join(keys + counts)}) SELECT * FROM {source} "
            f"WHERE true ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
        if postgresql and keep_before:
            with connection.cursor() as cursor:
                known_pairs.ensure_before_table(cursor)
            sql = known_pairs.upsert_keeping_before(sql, select, keys)
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _insert_students(select: str, *, accumulate: bool, infer: bool = False) -> None:
    """Add the cells' students, and count the new ones into their cells' `students`;
    `infer`: look up only the pairs quiz.stats.known_pairs cannot infer (PostgreSQL, after
    _insert_cells kept what the student cells held before)."""
    table, cells = _table(StatStudent), _table(StatCell)
    keys = _cell_columns()
    columns = [*keys, connection.ops.quote_name("student_id")]
    students = connection.ops.quote_name("students")
    same_cell = " AND ".join(f"c.{k} = {cells}.{k}" for k in keys)
    with connection.cursor() as cursor:
        if not accumulate:
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {select}")
            cursor.execute(
                f"UPDATE {cells} SET {students} = c.n FROM (SELECT {', '.join(keys)}, "
                f"COUNT(*) AS n FROM {table} GROUP BY {', '.join(keys)}) c WHERE {same_cell}"
            )
            return
        insert = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM ({select}) s "
            f"WHERE true ON CONFLICT ({', '.join(columns)}) DO NOTHING"
        )
        if connection.vendor == "postgresql":
            # Nearly every (cell, student) pair of a batch is there already (measured: 1,231
            # new of 437,900 at a million answers). A plain look-up in the unique index drops
            # those first (1.45 s for them all, where ON CONFLICT spent 2.4 s); the LATERAL
            # … LIMIT 1 keeps it a look-up per pair (a join the planner may choose instead
            # would read the whole table, which grows with the volume). ON CONFLICT stays
            # for the rest. Only rows that were not there yet come back: the new students.
            known = " AND ".join(
                f"t.{k} = s.{'cell_key' if k == keys[3] else k}" for k in columns[:-1]
            )
            # Most pairs need no look-up at all where the fold infers them
            # (quiz.stats.known_pairs): only the others are looked up.
            pairs = (
                known_pairs.unsure_pairs(
                    select, _BATCH_TABLE, [f.dimension for f in families() if f.scope == "user"]
                )
                if infer
                else select
            )
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT s.* FROM ({pairs}) s "
                f"LEFT JOIN LATERAL (SELECT 1 AS found FROM {table} t WHERE {known} "
                f"AND t.{columns[-1]} = s.student_id LIMIT 1) k ON true WHERE k.found IS NULL "
                f"ON CONFLICT ({', '.join(columns)}) DO NOTHING"
            )
            if not infer:
                cursor.execute(
                    f"WITH added AS ({insert} RETURNING {', '.join(keys)}), "
                    f"c AS (SELECT {', '.join(keys)}, COUNT(*) AS n FROM added "
                    f"GROUP BY {', '.join(keys)}) "
                    f"UPDATE {cells} SET {students} = {cells}.{students} + c.n FROM c "
                    f"WHERE {same_cell}"
                )
                return
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_ADDED_TABLE} (scope text, scope_id bigint, "
                "dimension text, key text, n bigint) ON COMMIT DELETE ROWS"
            )
            cursor.execute(f"DELETE FROM {_ADDED_TABLE}")
            # The pairs come out of GROUPING SETS, whose row counts PostgreSQL guesses far
            # too low: it then sorted them all to merge them with the student cells (0.5 s
            # of a 2.6 s step at a million answers), where a hash costs little.
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(
                f"WITH added AS ({insert} RETURNING {', '.join(keys)}) "
                f"INSERT INTO {_ADDED_TABLE} SELECT {', '.join(keys)}, COUNT(*) FROM added "
                f"GROUP BY {', '.join(keys)}"
            )
            cursor.execute("RESET enable_mergejoin")
            if cursor.rowcount:
                # A separate statement, planned knowing how many cells gained students
                # (usually a few, each found by its index; planned with the pairs, whose
                # count PostgreSQL overestimates here, it could hash the whole cell table).
                cursor.execute(f"ANALYZE {_ADDED_TABLE}")
                cursor.execute(
                    f"UPDATE {cells} SET {students} = {cells}.{students} + c.n "
                    f"FROM {_ADDED_TABLE} c WHERE {same_cell}"
                )
            return
        # SQLite: count the touched cells' students again (its data is small).
        cursor.execute(insert)
        select_columns = ("scope", "scope_id", "dimension", "cell_key")
        touched = " AND ".join(
            f"t.{c} = {cells}.{k}" for c, k in zip(select_columns, keys, strict=True)
        )
        counted = " AND ".join(f"ss.{k} = {cells}.{k}" for k in keys)
        cursor.execute(
            f"UPDATE {cells} SET {students} = (SELECT COUNT(*) FROM {table} ss WHERE {counted}) "
            f"WHERE EXISTS (SELECT 1 FROM ({select}) t WHERE {touched})"
        )


def tune_transaction() -> None:
    """Settings for the wide, cheap-per-row statements of a fold or rebuild (PostgreSQL).

    No JIT: it would spend longer compiling them than running them (measured 13 s against
    3 s). No memoizing of look-ups: each (cell, student) or cell is looked up once, so the
    cache only costs (measured: 1.45 s against 1.85–2.1 s for 437,900 look-ups). Memory for
    the grouping (STATS_WORK_MEM): with the 4 MB default, PostgreSQL sorts
    the grouping sets on disk instead of hashing them in one pass.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_memoize = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.STATS_WORK_MEM])


def _ensure_batch_table() -> None:
    columns = ", ".join(_SOURCE_COLUMNS)
    answers = _table(Answer)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_BATCH_TABLE} ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM {answers} WITH NO DATA"
            )
        else:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_BATCH_TABLE} AS "
                f"SELECT {columns} FROM {answers} WHERE 0"
            )
        cursor.execute(f"DELETE FROM {_BATCH_TABLE}")


def _claim(batch_size: int) -> int:
    """Take up to batch_size answers off the queue into the batch table."""
    columns = ", ".join(f"a.{c}" for c in _SOURCE_COLUMNS)
    answers, pending = _table(Answer), _table(StatPending)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH claimed AS (DELETE FROM {pending} WHERE answer_id IN ("
                f"SELECT answer_id FROM {pending} ORDER BY answer_id LIMIT %s "
                f"FOR UPDATE SKIP LOCKED) RETURNING answer_id) "
                f"INSERT INTO {_BATCH_TABLE} SELECT {columns} FROM {answers} a "
                # The claimed ids' range bounds the read of the answers, so the claim costs
                # what the batch holds, never what the table does (a plain join hashed all
                # the answers: 1.0 s of a 100,000-answer fold at a million answers).
                "WHERE a.id BETWEEN (SELECT min(answer_id) FROM claimed) "
                "AND (SELECT max(answer_id) FROM claimed) "
                "AND a.id IN (SELECT answer_id FROM claimed)",
                [batch_size],
            )
            return cursor.rowcount
        # SQLite takes one writer at a time, so there is nobody to skip.
        cursor.execute(
            f"INSERT INTO {_BATCH_TABLE} SELECT {columns} FROM {answers} a WHERE a.id IN ("
            f"SELECT answer_id FROM {pending} ORDER BY answer_id LIMIT %s)",
            [batch_size],
        )
        claimed = cursor.rowcount
        cursor.execute(f"DELETE FROM {pending} WHERE answer_id IN (SELECT id FROM {_BATCH_TABLE})")
        return claimed


# Any fixed number: the key of the advisory lock that folds take to write their cells.
_FOLD_WRITE_LOCK = 5_121_100_417


def _write_one_at_a_time() -> None:
    """Folds claim their batches side by side but write their cells one at a time (a
    transaction-level advisory lock on PostgreSQL; SQLite has one writer anyway).

    Two folds writing the same cells in different orders could deadlock; sorting hundreds of
    thousands of rows into one order cost as much as computing them (measured: 1 s of 2 s
    for 100,000 answers), and the writes share one table anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FOLD_WRITE_LOCK])


# Whatever else writes cells takes the same turn (quiz.stats.unfold: erasing answers).
write_one_at_a_time = _write_one_at_a_time


def fold_pending(*, batch_size: int = 5000) -> int:
    """Fold one batch of waiting answers; returns how many were folded (0 when done)."""
    with transaction.atomic():
        tune_transaction()
        _ensure_batch_table()
        claimed = _claim(batch_size)
        if claimed:
            _write_one_at_a_time()
            infer = connection.vendor == "postgresql" and claimed >= known_pairs.INFER_FROM
            _insert_cells(cells_sql(_BATCH_TABLE), accumulate=True, keep_before=infer)
            _insert_students(students_sql(_BATCH_TABLE), accumulate=True, infer=infer)
            known_pairs.fold_homes(_BATCH_TABLE)
            # The sums behind item discrimination: the batch's attempts, re-summed.
            item_sums.fold(_BATCH_TABLE)
            # Adaptive practice's ratings move after the fold, from a queue filled here in
            # the same claim (one statement; quiz.services.practice.practice_fold_pending).
            from quiz.services import practice

            practice.practice_queue(_BATCH_TABLE)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_BATCH_TABLE}")
    return claimed


# The tables a fold updates or deletes from on every run, and so leaves dead rows in: a
# version of a cell per update, a queue row per answer.
def _churned_tables() -> list[type]:
    from quiz.models import ClipRating, PracticePending, SkillRating, StatItemSums

    return [StatPending, StatCell, StatItemSums, PracticePending, SkillRating, ClipRating]


def vacuum_churned(*, dead_share: float = 0.2, dead_floor: int = 1000) -> list[str]:
    """VACUUM (ANALYZE) the tables the folds churn, where dead rows pass `dead_share` of the
    live ones (and `dead_floor`); returns the tables vacuumed (PostgreSQL; nothing elsewhere).

    PostgreSQL's autovacuum does this where it is on; where it is off (as on the machine the
    benchmarks ran on), the queue held 622,000 dead rows after a benchmark and an empty fold
    took 29 ms instead of 7 ms; repeated 100,000-answer folds left 4.4 million. The
    beat runs this every few minutes (quiz.tasks.stats_vacuum). VACUUM cannot run inside a
    transaction, so neither can this.
    """
    if connection.vendor != "postgresql":
        return []
    if connection.in_atomic_block:
        raise RuntimeError("vacuum_churned() cannot run inside a transaction")
    names = [model._meta.db_table for model in _churned_tables()]
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            # This connection's own counts (a fold on the same worker) reach the view when
            # it flushes them, at most once a second: now.
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(%s)",
            [names],
        )
        churned = [
            name
            for name, live, dead in cursor.fetchall()
            if dead >= dead_floor and dead > dead_share * live
        ]
        for name in sorted(churned):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(name)}")
    return sorted(churned)


def fold_all(*, batch_size: int = 5000) -> int:
    total = 0
    while folded := fold_pending(batch_size=batch_size):
        total += folded
    return total


@contextmanager
def _unique_index_built_after() -> Iterator[None]:
    """Bulk loading: build the cell tables' unique indexes once after the rows are in,
    rather than row by row (PostgreSQL; the tables are empty and locked meanwhile)."""
    if connection.vendor != "postgresql":
        yield
        return
    dropped = []
    for model in (StatCell, StatStudent):
        for constraint in model._meta.constraints:
            dropped.append((model, constraint))
    with connection.schema_editor(atomic=False) as editor:
        for model, constraint in dropped:
            editor.remove_constraint(model, constraint)
    yield
    with connection.schema_editor(atomic=False) as editor:
        for model, constraint in dropped:
            editor.add_constraint(model, constraint)


def rebuild() -> int:
    """Recompute every cell from the answers; returns the number of answers counted.

    Takes the whole queue first (waiting for folds that hold part of it to commit), then the
    cell tables, like a fold. Answers stored meanwhile stay queued and are folded after this
    transaction commits, on top of the rebuilt cells.
    """
    answers, pending = _table(Answer), _table(StatPending)
    with transaction.atomic():
        tune_transaction()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {pending}")
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {_table(StatCell)}, {_table(StatStudent)}")
            else:
                cursor.execute(f"DELETE FROM {_table(StatCell)}")
                cursor.execute(f"DELETE FROM {_table(StatStudent)}")
        item_sums.clear()
        counted = f"NOT EXISTS (SELECT 1 FROM {pending} q WHERE q.answer_id = a.id)"
        with _unique_index_built_after():
            _insert_cells(cells_sql(answers, counted), accumulate=False)
            _insert_students(students_sql(answers, counted), accumulate=False)
        known_pairs.rebuild_homes(answers, counted)
        item_sums.rebuild(counted)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {answers} a WHERE {counted}")
            return cursor.fetchone()[0]
