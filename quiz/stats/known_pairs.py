"""Which of a fold's (cell, student) pairs are surely stored already, without a look-up.

A fold adds each student of a batch to the students of every class, school, everyone and
assignment cell their answers fall in (StatStudent). Nearly all of those pairs are there
already: measured at a million answers, 1,231 new of 438,906. Looking each up in the
table's unique index was half of a fold's time. Most need no look-up at all:

- the student's own cells (scope "user") are upserted first, and the upsert gives back
  what each held before the batch (BEFORE_TABLE): whether the student had answered that
  key before, by the kinds of answer each family counts;
- the student's home (StatStudentHome) tells whether every answer of theirs counted so far
  lies in one class and one school.

A student who answered a key before, all of whose counted answers lie in class C, is
already among the students of C's cell for that key; the same for their school, and always
for everyone's cells and an assignment's. Everything else (a second class, a new school,
free practice, the clip, day-and-assignment and practice cells, which have no student-scope
twin) is looked up as before. Only "surely there" is inferred, never "new", so an error can
cost a look-up but never a student.

Only in folds of INFER_FROM answers or more (catching up after an outage, a busy school),
and on PostgreSQL: smaller folds, like those of a live lesson, and SQLite (the embedded
default) look every pair up. The homes are kept by every fold, so a rebuild and the folds
leave the same rows everywhere.
"""

# The SQL below is assembled only from this module's constants and quoted table names.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from quiz.models import Answer, Attempt, StatPending, StatStudentHome

# The fewest answers a fold infers pairs for. Below, the fixed cost of inferring (the
# student cells returned by their upsert, the homes joined) outweighs the look-ups it saves:
# measured at a million answers, folds of 50 answers took 23.6 ms with it and 19.8 ms
# without; folds of 1,000 fold 15 % more answers a second with it.
INFER_FROM = 500


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# What each student-scope cell of the batch held before it (PostgreSQL): whether any earlier
# answer of the student had the cell's key, by the kinds of answer the families count
# (_known_sql). Filled by the cells' upsert, read by the cell students' step.
BEFORE_TABLE = "stat_fold_before"
BEFORE_FLAGS: dict[str, str] = {
    "had_rated": "n",  # a single or pair round's answer (not spot, not feed)
    "had_pair": "pair_n",
    "had_g": "hits + misses",  # a single round or feed clip that was generated
    "had_r": "false_alarms + correct_rejections",  # … that was real
    "had_spot": "spot_n",
}


def ensure_before_table(cursor) -> None:
    """BEFORE_TABLE, empty, for this transaction (a temporary table of the connection)."""
    flags = ", ".join(f"{name} boolean" for name in BEFORE_FLAGS)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {BEFORE_TABLE} (student_id bigint, "
        f"dimension text, key text, {flags}) ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"DELETE FROM {BEFORE_TABLE}")


def upsert_keeping_before(upsert: str, select: str, keys: list[str]) -> str:
    """The cells' upsert `upsert` (which reads the batch's cells `select` as `d`) made to
    fill BEFORE_TABLE too: the student-scope cells come back as they are now (RETURNING
    their `keys` and the counts the flags need), and less the batch's own counts that is
    what they held before it."""
    needed = sorted({name.strip() for sums in BEFORE_FLAGS.values() for name in sums.split("+")})
    returned = [*keys, *(connection.ops.quote_name(name) for name in needed)]
    flags = ", ".join(f"(({_minus_batch(sums)}) > 0)" for sums in BEFORE_FLAGS.values())
    return (
        f"WITH d AS MATERIALIZED ({select}), "
        f"up AS ({upsert} RETURNING {', '.join(returned)}) "
        f"INSERT INTO {BEFORE_TABLE} SELECT up.scope_id, up.dimension, up.key, {flags} "
        "FROM up JOIN d ON d.scope = up.scope AND d.scope_id = up.scope_id "
        "AND d.dimension = up.dimension AND d.cell_key = up.key "
        "WHERE up.scope = 'user' AND d.scope = 'user'"
    )


def unsure_pairs(select: str, batch: str, student_dimensions: list[str]) -> str:
    """The (cell, student) pairs of `select` (scope, scope_id, dimension, cell_key,
    student_id) that are not surely stored already: those to look up. `batch` holds the
    answers (user_id) the pairs come from; `student_dimensions` the dimensions of the
    student-scope cells (the others: clip, day_asg, practice, have none and are looked up).

    The batch's homes are read first and joined by a hash, like the student cells: the
    pairs come out of GROUPING SETS, whose rows PostgreSQL guesses far too few (12,872 for
    438,906), so it would otherwise look each pair's home up in its index (0.65 s for a
    batch of 100,000 at a million answers)."""
    dimension, key = _student_cell_sql(student_dimensions)
    homes = (
        f"SELECT * FROM {_table(StatStudentHome)} WHERE student_id IN (SELECT user_id FROM {batch})"
    )
    return (
        f"WITH h AS MATERIALIZED ({homes}) "
        "SELECT s.scope, s.scope_id, s.dimension, s.cell_key, s.student_id "
        f"FROM ({select}) s "
        "LEFT JOIN h ON h.student_id = s.student_id "
        f"LEFT JOIN {BEFORE_TABLE} b ON b.student_id = s.student_id "
        f"AND b.dimension = {dimension} AND b.key = {key} "
        f"WHERE NOT {_known_sql()}"
    )


def _minus_batch(expression: str) -> str:
    """A sum of count fields as the cell held it before the batch: `up.f - d.f` for each."""
    return " + ".join(
        f"(up.{name} - d.{name})" for name in (term.strip() for term in expression.split("+"))
    )


def _known_sql() -> str:
    """A condition on a batch's (cell, student) pair `s`, the student's home `h` and the
    student's own cell before the batch `b`: true only where the pair is surely stored
    already, so it needs no look-up.

    The student answered the cell's key before (their own cell held an answer of the kinds
    the family counts), and every counted answer of theirs lies in the cell's scope: always
    for everyone's and an assignment's cells, by their home for a class's and a school's.
    Where it is false or NULL, the pair is looked up as before; it is never true for a pair
    that is not there (see StatStudentHome).
    """
    in_scope = (
        "CASE s.scope WHEN 'all' THEN true WHEN 'assignment' THEN true "
        "WHEN 'school' THEN h.school_id = s.scope_id "
        "WHEN 'class' THEN h.classroom_id = s.scope_id ELSE false END"
    )
    # Spot rounds make only cat_spot's students; the other families' students come from
    # single rounds, pair rounds and feed clips (position and confidence bins: no feed).
    answered = (
        "CASE s.dimension WHEN 'cat_spot' THEN b.had_spot "
        "WHEN 'cat_single' THEN CASE WHEN right(s.cell_key, 2) = ':g' THEN b.had_g "
        "ELSE b.had_r END "
        "WHEN 'gen_single' THEN b.had_g "
        "WHEN 'position' THEN b.had_rated WHEN 'conf_bin' THEN b.had_rated "
        "ELSE (b.had_rated OR b.had_pair OR b.had_g OR b.had_r) END"
    )
    return f"COALESCE(({in_scope}) AND ({answered}), false)"


def _student_cell_sql(student_dimensions: list[str]) -> tuple[str, str]:
    """The student-scope dimension and key that hold a pair's key (SQL on `s`; NULL where
    none does)."""
    shared = ", ".join(f"'{d}'" for d in student_dimensions)
    dimension = (
        "CASE WHEN s.scope = 'assignment' THEN 'assignment' "
        "WHEN s.dimension IN ('cat_single', 'cat_spot') THEN 'category' "
        "WHEN s.dimension = 'gen_single' THEN 'generator' "
        f"WHEN s.dimension IN ({shared}) THEN s.dimension END"
    )
    key = (
        "CASE WHEN s.scope = 'assignment' THEN CAST(s.scope_id AS TEXT) "
        "WHEN s.dimension = 'cat_single' THEN left(s.cell_key, length(s.cell_key) - 2) "
        "ELSE s.cell_key END"
    )
    return dimension, key


def homes_sql(source: str, where: str) -> str:
    """Each student of `source`'s answers with the one class and the one school of them all
    (NULL where they are more than one, or any answer has none)."""
    one = "CASE WHEN COUNT(DISTINCT a.{c}) = 1 AND COUNT(a.{c}) = COUNT(*) THEN MIN(a.{c}) END"
    return (
        f"SELECT a.user_id AS user_id, {one.format(c='classroom_id')} AS classroom_id, "
        f"{one.format(c='school_id')} AS school_id "
        f"FROM {source} a{' WHERE ' + where if where else ''} GROUP BY a.user_id"
    )


def fold_homes(batch: str) -> None:
    """Merge the batch into its students' homes (StatStudentHome), after the cell students
    (which read the homes as they were before the batch).

    A student with a home keeps it only where the batch agrees. A student without one gets
    the batch's only where they have no counted answer yet: a row is missing after erasure or
    before the table was filled, and the answers it would not know of may lie elsewhere.
    """
    homes, answers, attempts = _table(StatStudentHome), _table(Answer), _table(Attempt)
    pending = _table(StatPending)
    earlier = (
        f"EXISTS (SELECT 1 FROM {attempts} t JOIN {answers} e ON e.attempt_id = t.id "
        "WHERE t.user_id = n.user_id "
        f"AND NOT EXISTS (SELECT 1 FROM {batch} x WHERE x.id = e.id) "
        f"AND NOT EXISTS (SELECT 1 FROM {pending} q WHERE q.answer_id = e.id))"
    )
    agree = "CASE WHEN {t}.{c} = EXCLUDED.{c} THEN {t}.{c} END"
    updates = ", ".join(
        f"{c} = {agree.format(t=homes, c=c)}" for c in ("classroom_id", "school_id")
    )
    trusted = f"NOT (h.student_id IS NULL AND {earlier})"
    unchanged = " AND ".join(
        f"{homes}.{c} IS NOT DISTINCT FROM ({agree.format(t=homes, c=c)})"
        for c in ("classroom_id", "school_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {homes} (student_id, classroom_id, school_id) "
            f"SELECT n.user_id, CASE WHEN {trusted} THEN n.classroom_id END, "
            f"CASE WHEN {trusted} THEN n.school_id END "
            f"FROM ({homes_sql(batch, '')}) n "
            f"LEFT JOIN {homes} h ON h.student_id = n.user_id "
            f"WHERE true ON CONFLICT (student_id) DO UPDATE SET {updates} "
            # A home the batch agrees with is not written again (no new row version).
            f"WHERE NOT ({unchanged})"
        )


def rebuild_homes(answers: str, counted: str) -> None:
    """Every student's home from their counted answers (`counted`, alias `a`), in a rebuild."""
    homes = _table(StatStudentHome)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {homes}")
        cursor.execute(
            f"INSERT INTO {homes} (student_id, classroom_id, school_id) "
            f"{homes_sql(answers, counted)}"
        )
