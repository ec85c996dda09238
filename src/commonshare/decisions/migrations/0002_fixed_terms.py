from django.db import migrations

from commonshare.decisions.fixed import set_guard


def install(apps, schema_editor):
    set_guard(schema_editor.connection, install=True)


def remove(apps, schema_editor):
    set_guard(schema_editor.connection, install=False)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
