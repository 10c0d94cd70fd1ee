from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quiz", "0020_feeds")]

    operations = [
        migrations.AddField(
            model_name="clip",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.AddField(
            model_name="artifact",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
    ]
