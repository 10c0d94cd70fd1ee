# Live lessons (quiz.services.live): games and their players.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("quiz", "0016_spot_rounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LiveGame",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("pin", models.CharField(max_length=6, verbose_name="game PIN")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("lobby", "Waiting for players"),
                            ("open", "Round open"),
                            ("revealed", "Revealed"),
                            ("ended", "Ended"),
                        ],
                        default="lobby",
                        max_length=8,
                    ),
                ),
                ("round_index", models.PositiveSmallIntegerField(default=0)),
                ("reveal_step", models.PositiveSmallIntegerField(default=0)),
                (
                    "timer_s",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="timer"),
                ),
                (
                    "leaderboard",
                    models.BooleanField(default=False, verbose_name="leaderboard between rounds"),
                ),
                ("seed", models.BigIntegerField()),
                ("round_order", models.JSONField()),
                ("swapped_pairs", models.JSONField(default=list)),
                ("round_opened_at", models.DateTimeField(blank=True, null=True)),
                ("version", models.PositiveIntegerField(default=1)),
                ("last_activity_at", models.DateTimeField(auto_now_add=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assignment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="quiz.assignment",
                    ),
                ),
                (
                    "classroom",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.classroom",
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="quiz.quiz",
                    ),
                ),
                (
                    "teacher",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="LivePlayer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=30, verbose_name="name")),
                ("is_guest", models.BooleanField(default=False)),
                ("joined_at", models.DateTimeField(auto_now_add=True)),
                (
                    "attempt",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="quiz.attempt",
                    ),
                ),
                (
                    "game",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="players",
                        to="quiz.livegame",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["joined_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="livegame",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "ended"), _negated=True),
                fields=("pin",),
                name="livegame_pin_once_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="livegame",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("state", "ended"), _negated=True), ("classroom__isnull", False)
                ),
                fields=("classroom",),
                name="livegame_one_open_per_class",
            ),
        ),
        migrations.AddConstraint(
            model_name="livegame",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["lobby", "open", "revealed", "ended"])),
                name="livegame_state_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="livegame",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("timer_s__isnull", True), ("timer_s__in", [30, 60, 90]), _connector="OR"
                ),
                name="livegame_timer_30_60_90",
            ),
        ),
        migrations.AddConstraint(
            model_name="livegame",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("assignment__isnull", True), ("classroom__isnull", False), _connector="OR"
                ),
                name="livegame_assignment_has_class",
            ),
        ),
        migrations.AddConstraint(
            model_name="liveplayer",
            constraint=models.UniqueConstraint(
                fields=("game", "user"), name="liveplayer_once_per_game"
            ),
        ),
    ]
