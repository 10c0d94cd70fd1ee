# Points per answer move to 100 − 100·(p − o)² (issue 13 §3: 100 sure and right, 75 for a
# guess, 0 sure and wrong; no round takes points away), from 100 − 200·(p − o)². Every stored
# answer is recomputed with the new rule (quiz.scoring.points_for, in SQL), so all points share
# one scale; the cells' point sums are then counted again the way 0013 does it: empty cell
# tables, every answer queued, and the folds (the beat's safety net, or
# `python manage.py rebuild_stats` at once) count them all, exactly. Plain SQL on this
# migration's tables, no application code.

from django.db import migrations

NEW_POINTS = (
    "UPDATE quiz_answer SET points = 100 - ("
    "(confidence - CASE WHEN is_correct THEN 100 ELSE 0 END) "
    "* (confidence - CASE WHEN is_correct THEN 100 ELSE 0 END) + 50) / 100"
)


def rescore_every_answer(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM quiz_answer LIMIT 1")
        if cursor.fetchone() is None:
            return
        cursor.execute(NEW_POINTS)
        cursor.execute("DELETE FROM quiz_statcell")
        cursor.execute("DELETE FROM quiz_statstudent")
        cursor.execute(
            "INSERT INTO quiz_statpending (answer_id) SELECT a.id FROM quiz_answer a "
            "WHERE NOT EXISTS (SELECT 1 FROM quiz_statpending p WHERE p.answer_id = a.id)"
        )


class Migration(migrations.Migration):
    dependencies = [("quiz", "0013_stat_cells_for_suppression")]

    operations = [migrations.RunPython(rescore_every_answer, migrations.RunPython.noop)]
