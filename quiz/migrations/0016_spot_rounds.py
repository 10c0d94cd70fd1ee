# Spot rounds ("Where is the giveaway?"): the round kind, the answer's mark and the spot
# counts of the statistics (quiz.spot, METRICS.md).
from django.db import migrations, models

_DIMENSIONS = [
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
    ("cat_spot", "Artifact category, spot rounds"),
]
_KINDS = [
    ("single", "Real or generated?"),
    ("pair", "Which one is generated?"),
    ("spot", "Where is the giveaway?"),
]


class Migration(migrations.Migration):
    dependencies = [("quiz", "0015_quiz_modes")]

    operations = [
        migrations.RemoveConstraint(model_name="answer", name="answer_guess_known"),
        migrations.RemoveConstraint(model_name="quizitem", name="quizitem_pair_has_two_clips"),
        migrations.AddField(
            model_name="answer",
            name="spot_hit",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="answer",
            name="spot_ms",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="answer",
            name="spot_x",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="answer",
            name="spot_y",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="statcell",
            name="spot_hits",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="statcell",
            name="spot_n",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.AlterField(
            model_name="answer",
            name="guess",
            field=models.CharField(
                choices=[
                    ("real", "Real"),
                    ("generated", "Generated"),
                    ("a", "Clip A"),
                    ("b", "Clip B"),
                    ("spot", "Marked the giveaway"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="answer",
            name="item_kind",
            field=models.CharField(choices=_KINDS, max_length=8),
        ),
        migrations.AlterField(
            model_name="quizitem",
            name="kind",
            field=models.CharField(choices=_KINDS, max_length=8),
        ),
        migrations.AlterField(
            model_name="statcell",
            name="dimension",
            field=models.CharField(choices=_DIMENSIONS, max_length=12),
        ),
        migrations.AlterField(
            model_name="statstudent",
            name="dimension",
            field=models.CharField(choices=_DIMENSIONS, max_length=12),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(("guess__in", ["real", "generated", "a", "b", "spot"])),
                name="answer_guess_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("guess", "spot"),
                        ("item_kind", "spot"),
                        ("spot_x__isnull", False),
                        ("spot_x__lte", 1000),
                        ("spot_y__isnull", False),
                        ("spot_y__lte", 1000),
                        ("spot_hit", models.F("is_correct")),
                    ),
                    models.Q(
                        models.Q(("item_kind", "spot"), _negated=True),
                        models.Q(("guess", "spot"), _negated=True),
                        ("spot_x__isnull", True),
                        ("spot_y__isnull", True),
                        ("spot_hit__isnull", True),
                        ("spot_ms__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="answer_spot_mark_only_on_spot",
            ),
        ),
        migrations.AddConstraint(
            model_name="quizitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind__in", ["single", "spot"]), ("other_clip__isnull", True)),
                    models.Q(("kind", "pair"), ("other_clip__isnull", False)),
                    _connector="OR",
                ),
                name="quizitem_pair_has_two_clips",
            ),
        ),
    ]
