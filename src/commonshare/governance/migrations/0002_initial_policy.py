"""Version 1 of the policy, so every data folder (new, demo or upgraded) has one."""

from django.db import migrations

from commonshare.governance.initial import write_version_one


def forwards(apps, schema_editor):
    write_version_one(apps.get_model("governance", "PolicyVersion"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
