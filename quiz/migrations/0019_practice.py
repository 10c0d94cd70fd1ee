# Reserved for the practice work of this session: fill in its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quiz", "0018_learn")]

    operations: list = []
