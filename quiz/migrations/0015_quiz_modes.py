from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quiz", "0014_points_never_negative")]

    operations = [
        migrations.AddField(
            model_name="clip",
            name="kept_for_tests",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="keep for tests"
            ),
        ),
        migrations.AddField(
            model_name="quiz",
            name="mode",
            field=models.CharField(
                choices=[
                    ("quiz", "Quiz"),
                    ("lesson", "Lesson"),
                    ("practice", "Practice"),
                    ("feed", "Feed"),
                ],
                db_default="quiz",
                default="quiz",
                max_length=10,
            ),
        ),
    ]
