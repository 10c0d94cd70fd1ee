"""Folding answers into the additive StatCell tables, incrementally and by full rebuild.

Why the claim works: an answer is folded in the same transaction that adds its counts and
flips its `folded` flag. Workers claim unfolded answers with SELECT … FOR UPDATE SKIP LOCKED,
so two workers never claim the same answer, a worker killed mid-batch rolls back both the
counts and the flags, and a task delivered twice finds nothing left to fold. No "highest id
seen" watermark is kept, so ids that commit out of order cannot be skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from quiz.models import Answer, Artifact, StatCell
from quiz.stats.metrics import FIELDS, Counts, answer_counts, confidence_bin

CellKey = tuple[str, int, str, str]

_ROW_FIELDS = (
    "id",
    "attempt__user_id",
    "attempt__assignment_id",
    "item_id",
    "item__kind",
    "item__clip_id",
    "item__other_clip_id",
    "item__clip__is_generated",
    "guess",
    "confidence",
    "is_correct",
    "points",
)


def _row_counts(row: dict[str, Any]) -> Counts:
    return answer_counts(
        is_pair=row["item__kind"] == "pair",
        clip_is_generated=row["item__clip__is_generated"],
        guess=row["guess"],
        confidence_pct=row["confidence"],
        is_correct=row["is_correct"],
        points=row["points"],
    )


def _categories_by_clip(clip_ids: Iterable[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for clip_id, category in Artifact.objects.filter(clip_id__in=set(clip_ids)).values_list(
        "clip_id", "category"
    ):
        found[clip_id].add(category)
    return found


def cells_for(rows: list[dict[str, Any]]) -> dict[CellKey, Counts]:
    """The count deltas a list of answer rows (values of _ROW_FIELDS) adds to each cell."""
    clip_ids = {row["item__clip_id"] for row in rows} | {
        row["item__other_clip_id"] for row in rows if row["item__other_clip_id"]
    }
    categories = _categories_by_clip(clip_ids)
    cells: dict[CellKey, Counts] = defaultdict(Counts)
    for row in rows:
        counts = _row_counts(row)
        clips = [row["item__clip_id"]]
        if row["item__other_clip_id"]:
            clips.append(row["item__other_clip_id"])
        keys = [("overall", ""), ("conf_bin", str(confidence_bin(row["confidence"])))]
        keys += [("clip", str(clip_id)) for clip_id in clips]
        keys += [
            ("category", code) for code in sorted(set().union(*(categories[c] for c in clips)))
        ]
        for scope, scope_id in (("user", row["attempt__user_id"]), ("all", 0)):
            for dimension, key in keys:
                cell = (scope, scope_id, dimension, key)
                cells[cell] = cells[cell] + counts
        if assignment_id := row["attempt__assignment_id"]:
            # What the teacher's live view reads: the class overall, per item, per student.
            for dimension, key in (
                ("overall", ""),
                ("item", str(row["item_id"])),
                ("student", str(row["attempt__user_id"])),
            ):
                cell = ("assignment", assignment_id, dimension, key)
                cells[cell] = cells[cell] + counts
    return dict(cells)


def _add_to_cells(deltas: dict[CellKey, Counts]) -> None:
    """Add deltas to the cells with one upsert per chunk.

    Rows are written in key order so that concurrent folds lock cells in the same order and
    cannot deadlock each other.
    """
    table = connection.ops.quote_name(StatCell._meta.db_table)
    columns = ["scope", "scope_id", "dimension", "key", *FIELDS]
    quoted = [connection.ops.quote_name(c) for c in columns]
    updates = ", ".join(f"{q} = {table}.{q} + EXCLUDED.{q}" for q in quoted[4:])
    row_slots = "(" + ", ".join(["%s"] * len(columns)) + ")"
    items = sorted(deltas.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            params: list[Any] = []
            for key, counts in chunk:
                params.extend(key)
                params.extend(getattr(counts, name) for name in FIELDS)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quoted)}) VALUES "  # noqa: S608 (names only)
                + ", ".join([row_slots] * len(chunk))
                + f" ON CONFLICT ({', '.join(quoted[:4])}) DO UPDATE SET {updates}",
                params,
            )


def fold_pending(*, batch_size: int = 5000) -> int:
    """Fold one batch of unfolded answers; returns how many were folded (0 when done)."""
    with transaction.atomic():
        ids = list(
            Answer.objects.filter(folded=False)
            .order_by("id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return 0
        rows = list(Answer.objects.filter(id__in=ids).values(*_ROW_FIELDS))
        _add_to_cells(cells_for(rows))
        Answer.objects.filter(id__in=ids).update(folded=True)
    return len(ids)


def fold_all(*, batch_size: int = 5000) -> int:
    total = 0
    while folded := fold_pending(batch_size=batch_size):
        total += folded
    return total


def _iter_chunks(queryset: Any, chunk_size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in queryset.values(*_ROW_FIELDS).order_by().iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sum_cells(queryset: Any) -> dict[CellKey, Counts]:
    totals: dict[CellKey, Counts] = defaultdict(Counts)
    for rows in _iter_chunks(queryset):
        for key, counts in cells_for(rows).items():
            totals[key] = totals[key] + counts
    return dict(totals)


def compute_all_cells() -> dict[CellKey, Counts]:
    """Every cell recomputed from the answers table (for rebuilds and for checking)."""
    return _sum_cells(Answer.objects.all())


def stored_cells() -> dict[CellKey, Counts]:
    return {
        (cell.scope, cell.scope_id, cell.dimension, cell.key): Counts.from_mapping(cell.counts())
        for cell in StatCell.objects.all()
    }


def rebuild() -> int:
    """Recompute every cell from the answers; returns the number of answers counted.

    Lock order matches fold_pending (answers first, then the cell table), so a rebuild and
    a fold never deadlock; folds that claimed answers meanwhile add their deltas after this
    transaction commits, on top of the rebuilt cells.
    """
    with transaction.atomic():
        Answer.objects.filter(folded=False).update(folded=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(StatCell._meta.db_table)} "
                    "IN EXCLUSIVE MODE"
                )
        StatCell.objects.all().delete()
        counted = Answer.objects.filter(folded=True).count()
        _add_to_cells(_sum_cells(Answer.objects.filter(folded=True)))
    return counted
