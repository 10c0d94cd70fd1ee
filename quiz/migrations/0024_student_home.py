"""Where each student's counted answers were given (StatStudentHome), which a fold reads to
skip most (cell, student) look-ups; filled from the answers folded so far (those not
queued), as quiz.stats.aggregation.rebuild does.

A missing row is always safe (the fold then looks the student's pairs up), so a fold by the
old code during the migration costs speed only; `manage.py rebuild_stats` fills any gap.
"""

from django.db import migrations, models

# quiz.stats.aggregation's home rows as of this migration: the one class and the one school
# of all of a student's counted answers, NULL where they were more than one or none.
FILL = """
INSERT INTO quiz_statstudenthome (student_id, classroom_id, school_id)
SELECT a.user_id,
       CASE WHEN COUNT(DISTINCT a.classroom_id) = 1 AND COUNT(a.classroom_id) = COUNT(*)
            THEN MIN(a.classroom_id) END,
       CASE WHEN COUNT(DISTINCT a.school_id) = 1 AND COUNT(a.school_id) = COUNT(*)
            THEN MIN(a.school_id) END
FROM quiz_answer a
WHERE NOT EXISTS (SELECT 1 FROM quiz_statpending q WHERE q.answer_id = a.id)
GROUP BY a.user_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0023_item_sums"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatStudentHome",
            fields=[
                ("student_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("classroom_id", models.BigIntegerField(null=True)),
                ("school_id", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
