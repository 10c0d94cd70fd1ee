"""The items drill-down at two volumes, and what keeping its sums costs the fold.

    python bench/items.py                        # 20,000 and 200,000 answers in one school
    python bench/items.py --small 10000 --large 100000

Needs PostgreSQL (DATABASE_URL's server, default 127.0.0.1:5432 as postgres) and works in its
own database, `secondlook_bench_items`, which it drops and creates. The population is
bench/aggregate.py's (one school of 20 classes of 20 students at 200,000 answers; 25-round
quizzes, one round in five a pair), measured whole, then cut to the small volume by keeping
every k-th attempt (so the page shows the same clips).

Measured in the same run, and printed:
1. the items page's server time (Django test client, median of 20 requests, the two
   versions alternating) with the small and the large volume: as it is (discrimination
   from the sums the fold keeps, StatItemSums) and as it was (the same page with
   discrimination summed by SQL over the school's answers, tests/stats_reference.py); the
   ratio large / small of each;
2. folding one batch of 100,000 re-queued answers and the full rebuild, with and without
   the item sums (quiz.stats.item_sums), at the large volume.

The last line is `items_page_growth=<time at large / time at small>`, as the page is now.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import aggregate  # noqa: E402 (needs ROOT on the path)
from bench.library import add_service_arguments  # noqa: E402

aggregate.DATABASE = "secondlook_bench_items"


def _get_ms(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    took = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return took


def _as_it_was():
    """The page's discrimination from SQL over the school's answers (the old code)."""
    from quiz.stats import drilldowns
    from tests.stats_reference import item_discrimination_sums_from_answers

    def from_answers(school):
        return {
            clip_id: drilldowns.ItemSums(*sums)
            for clip_id, sums in item_discrimination_sums_from_answers(school).items()
        }

    return from_answers


def _both_pages(url: str, educator, *, requests: int = 20) -> tuple[float, float]:
    """Median ms of the page as it is and as it was, their requests alternating (after a
    few to warm up), so that a busy moment of the machine weighs on both alike."""
    from django.test import Client

    from quiz.stats import drilldowns

    client = Client()
    client.force_login(educator)
    real, old = drilldowns.item_discrimination_sums, _as_it_was()
    times: dict[bool, list[float]] = {True: [], False: []}
    for n in range(requests + 3):
        for now in (True, False):
            drilldowns.item_discrimination_sums = real if now else old
            try:
                took = _get_ms(client, url)
            finally:
                drilldowns.item_discrimination_sums = real
            if n >= 3:
                times[now].append(took)
    return statistics.median(times[True]), statistics.median(times[False])


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _fold_once(answers: int) -> float:
    """Queue the newest `answers` answers again and fold them in one batch; seconds."""
    from quiz.stats.aggregation import fold_pending

    aggregate._sql(
        "INSERT INTO quiz_statpending (answer_id) SELECT id FROM quiz_answer "
        "WHERE id > (SELECT max(id) FROM quiz_answer) - %s",
        [answers],
    )
    aggregate._sql("ANALYZE quiz_statpending")
    return _timed(lambda: fold_pending(batch_size=answers))


def _without_item_sums(work) -> float:
    from quiz.stats import item_sums

    real = (item_sums.fold, item_sums.rebuild)
    item_sums.fold = lambda batch: None
    item_sums.rebuild = lambda counted: None
    try:
        return work()
    finally:
        item_sums.fold, item_sums.rebuild = real


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=200_000)
    add_service_arguments(parser, redis_db=None)
    args = parser.parse_args()
    aggregate._setup_django(args.server, fresh=True)
    from django.db import connection
    from django.urls import reverse

    from quiz.models import Answer
    from quiz.stats.aggregation import rebuild

    students = max(aggregate.STUDENTS_PER_CLASS, args.large // aggregate.ANSWERS_PER_STUDENT)
    population = aggregate._seed_population(students)
    school, educator = population["school"], population["educator"]
    url = reverse("insights:items", args=[school.pk])
    print(
        f"{population['schools']} school(s), {population['classes']} classes, "
        f"{population['students']:,} students",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM quiz_attempt")
        first, last = cursor.fetchone()
    aggregate._insert_answers(first, last)
    aggregate._sql("VACUUM ANALYZE")
    rebuild()
    aggregate._sql("VACUUM ANALYZE")
    large_n = Answer.objects.filter(school=school).count()
    total = Answer.objects.count()
    large_now, large_before = _both_pages(url, educator)

    batch = min(100_000, large_n // 2)
    fold_with = _fold_once(batch)
    fold_without = _without_item_sums(lambda: _fold_once(batch))
    fold_with = min(fold_with, _fold_once(batch))
    rebuild_with = _timed(rebuild)
    rebuild_without = _without_item_sums(lambda: _timed(rebuild))

    # The small volume: every k-th attempt's answers, so that the page shows the same clips
    # (its rows, which its rendering costs) and only the answers behind them are fewer.
    every = max(1, round(large_n / args.small))
    from quiz.models import PracticePending, StatPending

    PracticePending.objects.all().delete()  # queued by the folds above
    StatPending.objects.all().delete()
    aggregate._sql("DELETE FROM quiz_answer WHERE mod(attempt_id, %s) <> 0", [every])
    aggregate._sql("VACUUM ANALYZE")
    rebuild()
    aggregate._sql("VACUUM ANALYZE")
    small_n = Answer.objects.filter(school=school).count()
    small_now, small_before = _both_pages(url, educator)

    print("\n1. Items page, server time (median of 20 requests, alternating)")
    print(f"   answers in the school: {small_n:,} and {large_n:,}")
    print(
        f"   as it was (SQL over the answers): {small_before:.1f} ms and {large_before:.1f} ms, "
        f"ratio {large_before / small_before:.2f}x"
    )
    print(
        f"   as it is (item sums kept by the fold): {small_now:.1f} ms and {large_now:.1f} ms, "
        f"ratio {large_now / small_now:.2f}x"
    )
    print(
        f"\n2. The fold of {batch:,} re-queued answers in one batch, and the rebuild, {total:,} answers in all"
    )
    print(
        f"   fold: {fold_without:.2f} s without the item sums, {fold_with:.2f} s with them "
        f"({fold_with / fold_without:.2f}x)"
    )
    print(
        f"   rebuild: {rebuild_without:.2f} s without, {rebuild_with:.2f} s with "
        f"({rebuild_with / rebuild_without:.2f}x)"
    )
    print(f"items_page_growth_before={large_before / small_before:.2f}")
    print(f"items_page_growth={large_now / small_now:.2f}")


if __name__ == "__main__":
    main()
