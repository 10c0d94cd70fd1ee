# Reserved for the learn work of this session: fill in its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quiz", "0017_live_games")]

    operations: list = []
