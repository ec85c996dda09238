"""Version 1 of each norm, so every data folder (new, demo or upgraded) has them.

The purpose is the one the home page stated in code until now; it moves into the norm.
"""

from django.db import migrations

from commonshare.governance.initial_norms import write_initial_norms


def forwards(apps, schema_editor):
    write_initial_norms(apps.get_model("governance", "NormVersion"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_normversion")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
