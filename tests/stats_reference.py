"""An independent, plain-Python statement of what the stat tables must hold.

quiz.stats.aggregation computes the cells in SQL; the tests compare what it stored
(stored_cells, stored_students, stored_student_counts) with this slow but obvious reading
of METRICS.md and the families of cells, answer by answer.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from quiz import categories
from quiz.models import Answer, StatCell, StatItemSums, StatStudent
from quiz.stats.metrics import Counts, answer_counts, confidence_bin

CellKey = tuple[str, int, str, str]  # (scope, scope_id, dimension, key)
StudentKey = tuple[str, int, str, str, int]  # a cell's key and one of its students

# The overview export's columns, in the order issue #5 gives them.
OVERVIEW_COLUMNS = [
    "scope",
    "scope_name",
    "students",
    "answers",
    "accuracy",
    "accuracy_low",
    "accuracy_high",
    "hit_rate",
    "false_alarm_rate",
    "d_prime",
    "criterion",
    "brier",
    "mean_confidence",
    "overconfidence",
    "suppressed",
]


# Which cells keep their distinct students (written out again here on purpose: the test
# states the rule independently of quiz.stats.aggregation).
_STUDENTS = {
    "user": set(),
    "class": {
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
    },
    "school": {
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
    },
    "all": {"overall", "category", "generator", "day", "position", "conf_bin", "cat_spot"},
}


def _keys(answer: Answer) -> dict[str, list[str]]:
    clips = [str(answer.clip_id)]
    if answer.other_clip_id:
        clips.append(str(answer.other_clip_id))
    keys = {
        "overall": [""],
        "category": [code for code, bit in categories.BITS.items() if answer.categories >> bit & 1],
        "generator": [answer.generator],
        "media": [answer.media_kind],
        "item_kind": [answer.item_kind],
        "assignment": [str(answer.assignment_id)] if answer.assignment_id else [],
        "day": [answer.day.isoformat()],
        # Feed clips enter neither accuracy nor calibration: no position or bin cell.
        "position": [] if answer.item_kind == "feed" else [str(answer.position)],
        "conf_bin": [] if answer.item_kind == "feed" else [str(confidence_bin(answer.confidence))],
        "clip": clips,
    }
    return keys


def reference() -> tuple[dict[CellKey, Counts], set[StudentKey]]:
    cells: dict[CellKey, Counts] = defaultdict(Counts)
    students: set[StudentKey] = set()
    for answer in Answer.objects.order_by("id"):
        is_pair = answer.item_kind == "pair"
        # A single round's truth follows from the guess and whether it was right.
        truth_generated = (answer.guess == "generated") == answer.is_correct
        counts = answer_counts(
            is_pair=is_pair,
            clip_is_generated=truth_generated,
            guess=answer.guess,
            confidence_pct=answer.confidence,
            is_correct=answer.is_correct,
            points=answer.points,
            is_feed=answer.item_kind == "feed",
            is_spot=answer.item_kind == "spot",
        )
        # METRICS.md: a spot answer counts towards the spot rate only, so its student is one
        # of the cat_spot cells' students and of no other cell's.
        spot = answer.item_kind == "spot"
        keys = _keys(answer)
        scopes = [("user", answer.user_id), ("all", 0)]
        if answer.classroom_id:
            scopes.append(("class", answer.classroom_id))
        if answer.school_id:
            scopes.append(("school", answer.school_id))
        for scope, scope_id in scopes:
            dims = dict(keys)
            if scope == "user":
                del dims["clip"]
            if scope == "class":
                dims["student"] = [str(answer.user_id)]
                dims["day_asg"] = [f"{answer.day.isoformat()}:{answer.assignment_id}"]
            # Single rounds only, by the clip's truth; free practice by day (suppression).
            # (feed clips count as single items: METRICS.md)
            single = answer.item_kind in ("single", "feed")
            truth = "g" if truth_generated else "r"
            if scope == "class":
                dims["cat_single"] = [f"{c}:{truth}" for c in keys["category"]] if single else []
            if scope == "school":
                dims["gen_single"] = [answer.generator] if single and truth == "g" else []
                dims["practice"] = [] if answer.assignment_id else [answer.day.isoformat()]
            if scope != "user":
                dims["cat_spot"] = list(keys["category"]) if spot else []
            for dimension, values in dims.items():
                for value in values:
                    cell = (scope, scope_id, dimension, value)
                    cells[cell] = cells[cell] + counts
                    if dimension in _STUDENTS[scope] and spot == (dimension == "cat_spot"):
                        students.add((*cell, answer.user_id))
        if answer.assignment_id:
            for dimension, value in (
                ("overall", ""),
                ("item", str(answer.item_id)),
                ("student", str(answer.user_id)),
            ):
                cell = ("assignment", answer.assignment_id, dimension, value)
                cells[cell] = cells[cell] + counts
            if not spot:
                students.add(("assignment", answer.assignment_id, "overall", "", answer.user_id))
    return dict(cells), students


def student_counts(students: set[StudentKey]) -> dict[CellKey, int]:
    """Each cell's number of distinct students, from its StatStudent rows."""
    counts: dict[CellKey, int] = defaultdict(int)
    for scope, scope_id, dimension, key, _student in students:
        counts[(scope, scope_id, dimension, key)] += 1
    return dict(counts)


# --- What the stat tables hold ----------------------------------------------------------------


def stored_cells() -> dict[CellKey, Counts]:
    """Every cell's counts, by (scope, scope_id, dimension, key)."""
    return {
        (cell.scope, cell.scope_id, cell.dimension, cell.key): Counts.from_mapping(cell.counts())
        for cell in StatCell.objects.all()
    }


def stored_student_counts() -> dict[CellKey, int]:
    """The `students` number of every cell that has one."""
    return {
        (scope, scope_id, dimension, key): students
        for scope, scope_id, dimension, key, students in StatCell.objects.filter(
            students__gt=0
        ).values_list("scope", "scope_id", "dimension", "key", "students")
    }


def stored_students() -> set[StudentKey]:
    """Every StatStudent row: each cell's students."""
    return set(
        StatStudent.objects.values_list("scope", "scope_id", "dimension", "key", "student_id")
    )


# --- Item discrimination (StatItemSums) -------------------------------------------------------

ItemSumsKey = tuple[int, int, int]  # (school, clip, rest length)
ItemSumsRow = tuple[int, int, int, int, int]  # n, sum_x, sum_r, sum_xr, sum_rr


def item_sums(answers=None) -> dict[ItemSumsKey, ItemSumsRow]:
    """What StatItemSums must hold, answer by answer: per school, each attempt's answers
    (spot rounds left out) among `answers` (default: those folded, no longer queued); in an
    attempt with n ≥ 2 of them, each answer is an observation of its clip (both clips of a
    pair) with x = right, r = right among the other n - 1, kept under rest length n - 1."""
    if answers is None:
        answers = Answer.objects.filter(stat_pending__isnull=True)
    attempts: dict[tuple[int, int], list] = defaultdict(list)
    for answer in answers.order_by("id"):
        if answer.item_kind != "spot" and answer.school_id is not None:
            attempts[(answer.attempt_id, answer.school_id)].append(answer)
    sums: dict[ItemSumsKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for (_attempt, school_id), rows in attempts.items():
        if len(rows) < 2:
            continue
        right = sum(a.is_correct for a in rows)
        for answer in rows:
            x = int(answer.is_correct)
            r = right - x
            for clip_id in filter(None, (answer.clip_id, answer.other_clip_id)):
                row = sums[(school_id, clip_id, len(rows) - 1)]
                for i, value in enumerate((1, x, r, x * r, r * r)):
                    row[i] += value
    return {key: tuple(row) for key, row in sums.items()}


def stored_item_sums() -> dict[ItemSumsKey, ItemSumsRow]:
    return {
        (school_id, clip_id, rest_n): tuple(sums)
        for school_id, clip_id, rest_n, *sums in StatItemSums.objects.values_list(
            "school_id", "clip_id", "rest_n", *StatItemSums.SUM_FIELDS
        )
    }


def item_discrimination_sums_from_answers(
    school,
) -> dict[int, tuple[int, float, float, float, float]]:
    """Per clip, (n, sum_x, sum_y, sum_xy, sum_yy) by SQL over the school's raw answers: the
    query the item analysis ran before the fold kept these sums (y = share right among the
    other answers of the attempt; spot rounds left out). Kept here as the reference only."""
    answers = connection.ops.quote_name(Answer._meta.db_table)
    right = "CASE WHEN a.is_correct THEN 1 ELSE 0 END"
    sql = f"""
        WITH totals AS (
            SELECT a.attempt_id, COUNT(*) AS n, SUM({right}) AS correct
            FROM {answers} a WHERE a.school_id = %s AND a.item_kind <> 'spot'
            GROUP BY a.attempt_id
        ),
        observations AS (
            SELECT a.clip_id AS clip_id, {right} AS x,
                   (t.correct - {right}) * 1.0 / (t.n - 1) AS y
            FROM {answers} a JOIN totals t ON t.attempt_id = a.attempt_id
            WHERE a.school_id = %s AND t.n > 1 AND a.item_kind <> 'spot'
            UNION ALL
            SELECT a.other_clip_id, {right}, (t.correct - {right}) * 1.0 / (t.n - 1)
            FROM {answers} a JOIN totals t ON t.attempt_id = a.attempt_id
            WHERE a.school_id = %s AND t.n > 1 AND a.other_clip_id IS NOT NULL
        )
        SELECT clip_id, COUNT(*), SUM(x), SUM(y), SUM(x * y), SUM(y * y)
        FROM observations GROUP BY clip_id
    """  # noqa: S608 (table names quoted, the school a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [school.pk, school.pk, school.pk])
        return {
            clip_id: (int(n), float(sx), float(sy), float(sxy), float(syy))
            for clip_id, n, sx, sy, sxy, syy in cursor.fetchall()
        }
