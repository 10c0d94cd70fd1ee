# Cells that small-group suppression reads (issue 11 §2): single rounds per generator and
# per category and truth, and free practice by day. Answers folded before this migration
# have none of these cells, so every answer is queued again on empty cell tables: the folds
# (the beat's safety net, or `python manage.py rebuild_stats` at once) count them all again,
# exactly, with the new cells. Plain SQL on this migration's tables, no application code.

from django.db import migrations, models


def queue_every_answer_again(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM quiz_answer LIMIT 1")
        if cursor.fetchone() is None:
            return
        cursor.execute("DELETE FROM quiz_statcell")
        cursor.execute("DELETE FROM quiz_statstudent")
        cursor.execute(
            "INSERT INTO quiz_statpending (answer_id) SELECT a.id FROM quiz_answer a "
            "WHERE NOT EXISTS (SELECT 1 FROM quiz_statpending p WHERE p.answer_id = a.id)"
        )


DIMENSIONS = [
    ("overall", "Overall"),
    ("clip", "Clip"),
    ("category", "Artifact category"),
    ("generator", "Generator"),
    ("media", "Media kind"),
    ("item_kind", "Kind of round"),
    ("assignment", "Assignment"),
    ("day", "Day"),
    ("position", "Position in the attempt"),
    ("conf_bin", "Confidence bin"),
    ("day_asg", "Day and assignment"),
    ("item", "Quiz item"),
    ("student", "Student"),
    ("gen_single", "Generator, single rounds"),
    ("cat_single", "Artifact category and truth, single rounds"),
    ("practice", "Free practice by day"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0012_clip_original_sha256"),
    ]

    operations = [
        migrations.AlterField(
            model_name="statcell",
            name="dimension",
            field=models.CharField(choices=DIMENSIONS, max_length=12),
        ),
        migrations.AlterField(
            model_name="statstudent",
            name="dimension",
            field=models.CharField(choices=DIMENSIONS, max_length=12),
        ),
        migrations.RunPython(queue_every_answer_again, migrations.RunPython.noop),
    ]
