"""The sums behind item discrimination, kept by the fold (quiz.stats.item_sums), filled
from the answers folded so far (those not queued), as quiz.stats.item_sums.rebuild does.

Stop the Celery workers while migrating: a fold by the old code would count answers
without their sums (`manage.py rebuild_stats` puts that right).
"""

from django.db import migrations, models

# quiz.stats.item_sums.rebuild as of this migration: per school, clip and rest length, the
# observations of every counted answer (spot rounds left out) of attempts with 2 or more.
FILL = """
INSERT INTO quiz_statitemsums (school_id, clip_id, rest_n, n, sum_x, sum_r, sum_xr, sum_rr)
SELECT school_id, clip_id, rest_n, COUNT(*), SUM(x), SUM(r), SUM(x * r), SUM(r * r) FROM (
    SELECT s.school_id, c.clip_id, t.n - 1 AS rest_n, s.x, t.c - s.x AS r
    FROM (
        SELECT a.id, a.attempt_id, a.school_id, a.clip_id, a.other_clip_id,
               CASE WHEN a.is_correct THEN 1 ELSE 0 END AS x
        FROM quiz_answer a
        WHERE a.item_kind <> 'spot' AND a.school_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM quiz_statpending q WHERE q.answer_id = a.id)
    ) s
    JOIN (
        SELECT a.attempt_id, a.school_id, COUNT(*) AS n,
               SUM(CASE WHEN a.is_correct THEN 1 ELSE 0 END) AS c
        FROM quiz_answer a
        WHERE a.item_kind <> 'spot' AND a.school_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM quiz_statpending q WHERE q.answer_id = a.id)
        GROUP BY a.attempt_id, a.school_id HAVING COUNT(*) > 1
    ) t ON t.attempt_id = s.attempt_id AND t.school_id = s.school_id
    JOIN (
        SELECT id, clip_id FROM quiz_answer
        UNION ALL SELECT id, other_clip_id FROM quiz_answer WHERE other_clip_id IS NOT NULL
    ) c ON c.id = s.id
) o
GROUP BY school_id, clip_id, rest_n
"""


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0022_practice_assignments"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatItemSums",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("school_id", models.BigIntegerField()),
                ("clip_id", models.BigIntegerField()),
                ("rest_n", models.PositiveIntegerField()),
                ("n", models.BigIntegerField(default=0)),
                ("sum_x", models.BigIntegerField(default=0)),
                ("sum_r", models.BigIntegerField(default=0)),
                ("sum_xr", models.BigIntegerField(default=0)),
                ("sum_rr", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("school_id", "clip_id", "rest_n"), name="statitemsums_once"
                    )
                ],
            },
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
