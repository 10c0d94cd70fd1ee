# Adaptive practice (quiz.services.practice): Elo-style skill and clip ratings, practice sets
# (a per-student Quiz of mode PRACTICE that grows as rounds are chosen) and booster plans.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0018_learn"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PracticePending",
            fields=[
                (
                    "answer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="practice_pending",
                        serialize=False,
                        to="quiz.answer",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ClipRating",
            fields=[
                (
                    "clip",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="practice_rating",
                        serialize=False,
                        to="quiz.clip",
                    ),
                ),
                ("rating", models.FloatField(default=0.0)),
                ("answers", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="BoosterPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("anatomy", "Bodies and anatomy"),
                            ("count", "Objects appear, vanish or multiply"),
                            ("physics", "Physics and solidity"),
                            ("causality", "Cause without effect"),
                            ("motion", "Impossible motion"),
                            ("morphing", "Morphing and warping"),
                            ("text", "Text, signs and symbols"),
                            ("lighting", "Light, shadows, reflections"),
                            ("geometry", "Space and perspective"),
                            ("compositing", "Pasted-together look"),
                            ("temporal", "Flicker and popping"),
                            ("provenance", "Provenance signals"),
                            ("compression", "Compression blocks and smearing"),
                            ("motion_blur", "Motion blur"),
                            ("rolling_shutter", "Rolling shutter"),
                            ("lens", "Lens effects"),
                            ("noise", "Low-light noise"),
                            ("editing", "Ordinary editing"),
                            ("filter", "Filters"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("lesson", "Lesson"), ("assignment", "Assignment")], max_length=12
                    ),
                ),
                ("started_at", models.DateTimeField()),
                ("step", models.PositiveSmallIntegerField(default=0)),
                ("due_at", models.DateTimeField(blank=True, null=True)),
                ("on_time", models.PositiveSmallIntegerField(default=0)),
                ("late", models.PositiveSmallIntegerField(default=0)),
                ("last_done_at", models.DateTimeField(blank=True, null=True)),
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
                "ordering": ["due_at", "category"],
            },
        ),
        migrations.CreateModel(
            name="PracticeSet",
            fields=[
                (
                    "quiz",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="practice_set",
                        serialize=False,
                        to="quiz.quiz",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("practice", "Practice"), ("booster", "Booster")],
                        default="practice",
                        max_length=10,
                    ),
                ),
                ("focus", models.CharField(blank=True, max_length=20)),
                ("rounds", models.PositiveSmallIntegerField()),
                ("booster_step", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "booster",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="quiz.boosterplan",
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
        ),
        migrations.CreateModel(
            name="SkillRating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("category", models.CharField(max_length=20)),
                ("rating", models.FloatField(default=0.0)),
                ("answers", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="boosterplan",
            constraint=models.UniqueConstraint(
                fields=("user", "category"), name="boosterplan_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="boosterplan",
            constraint=models.CheckConstraint(
                condition=models.Q(("step__lte", 3)), name="boosterplan_three_steps"
            ),
        ),
        migrations.AddConstraint(
            model_name="practiceset",
            constraint=models.CheckConstraint(
                condition=models.Q(("rounds__gte", 1), ("rounds__lte", 30)),
                name="practiceset_rounds_1_to_30",
            ),
        ),
        migrations.AddConstraint(
            model_name="skillrating",
            constraint=models.UniqueConstraint(
                fields=("user", "category"), name="skillrating_once"
            ),
        ),
    ]
