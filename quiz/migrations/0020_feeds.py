# Feeds (quiz.services.feed): the feed clip round kind, how a feed plays (FeedSettings), and
# feed answers stored without a confidence or points.
import django.db.models.deletion
from django.db import migrations, models

_KINDS = [
    ("single", "Real or generated?"),
    ("pair", "Which one is generated?"),
    ("spot", "Where is the giveaway?"),
    ("feed", "Feed clip"),
]


class Migration(migrations.Migration):
    dependencies = [("quiz", "0019_practice")]

    operations = [
        migrations.CreateModel(
            name="FeedSettings",
            fields=[
                (
                    "quiz",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="feed_settings",
                        serialize=False,
                        to="quiz.quiz",
                    ),
                ),
                ("seconds", models.PositiveSmallIntegerField(verbose_name="seconds per clip")),
                (
                    "generated_percent",
                    models.PositiveSmallIntegerField(verbose_name="share of generated clips (%)"),
                ),
            ],
        ),
        migrations.RemoveConstraint(model_name="quizitem", name="quizitem_pair_has_two_clips"),
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
        migrations.AddConstraint(
            model_name="quizitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind__in", ["single", "spot", "feed"]), ("other_clip__isnull", True)
                    ),
                    models.Q(("kind", "pair"), ("other_clip__isnull", False)),
                    _connector="OR",
                ),
                name="quizitem_pair_has_two_clips",
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("item_kind", "feed"), _negated=True),
                    models.Q(("confidence", 50), ("points", 0)),
                    _connector="OR",
                ),
                name="answer_feed_without_confidence",
            ),
        ),
        migrations.AddConstraint(
            model_name="feedsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("seconds__gte", 2), ("seconds__lte", 15)),
                name="feedsettings_seconds_2_to_15",
            ),
        ),
        migrations.AddConstraint(
            model_name="feedsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("generated_percent__gte", 10), ("generated_percent__lte", 30)),
                name="feedsettings_share_10_to_30",
            ),
        ),
    ]
