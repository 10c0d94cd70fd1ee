"""Teachers are verified, schools have administrators (the columns; the next migration fills
them for the accounts that exist, in its own transaction: an UPDATE queues deferred foreign
key checks, which PostgreSQL will not let this migration's CREATE INDEX run after)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_school_time_zone_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="verified_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="Empty: a teacher account waiting for approval.",
                verbose_name="verified",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="verified_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="verified by",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="school_admin",
            field=models.BooleanField(default=False, verbose_name="administrator of their school"),
        ),
        migrations.AddField(
            model_name="user",
            name="pending_classroom",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.classroom",
                verbose_name="class to co-teach once approved",
            ),
        ),
    ]
