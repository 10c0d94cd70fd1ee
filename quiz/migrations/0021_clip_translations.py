# Reserved for the translations work of this session: fill in its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quiz", "0020_feeds")]

    operations: list = []
