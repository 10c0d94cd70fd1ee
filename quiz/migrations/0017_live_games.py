# Reserved for the live work of this session: fill in its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quiz", "0016_spot_rounds")]

    operations: list = []
