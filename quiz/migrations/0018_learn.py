# The learn feature (issue 14 §2): the kept immediate check of each lesson.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("quiz", "0017_live_games"),
    ]

    operations = [
        migrations.CreateModel(
            name="LessonCheck",
            fields=[
                (
                    "quiz",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="lesson_check",
                        serialize=False,
                        to="quiz.quiz",
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
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "school",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.school",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["category", "school"], name="lessoncheck_key")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "category__in",
                                [
                                    "anatomy",
                                    "causality",
                                    "compositing",
                                    "count",
                                    "geometry",
                                    "lighting",
                                    "morphing",
                                    "motion",
                                    "physics",
                                    "provenance",
                                    "temporal",
                                    "text",
                                ],
                            )
                        ),
                        name="lessoncheck_category_is_tell",
                    )
                ],
            },
        ),
    ]
