"""Every teacher who exists when this runs is verified (they were trusted before), and each
school's first teacher (the oldest account) becomes its administrator. New accounts are
verified when created, except those of the public teacher sign-up (accounts.verification)."""

import django.utils.timezone
from django.db import migrations, models


def verify_existing_teachers(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    School = apps.get_model("accounts", "School")
    now = django.utils.timezone.now()
    User.objects.filter(verified_at__isnull=True).update(verified_at=now)
    for school in School.objects.all():
        first = (
            User.objects.filter(school=school, role="teacher").order_by("date_joined", "pk").first()
        )
        if first is not None:
            User.objects.filter(pk=first.pk).update(school_admin=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_teacher_verification"),
    ]

    operations = [
        migrations.RunPython(verify_existing_teachers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="verified_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                help_text="Empty: a teacher account waiting for approval.",
                null=True,
                verbose_name="verified",
            ),
        ),
    ]
