from django.db import migrations

from commonshare.books.append_only import set_guard


def install(apps, schema_editor):
    set_guard(schema_editor.connection, install=True)


def remove(apps, schema_editor):
    set_guard(schema_editor.connection, install=False)


class Migration(migrations.Migration):
    dependencies = [("books", "0003_journal")]
    operations = [migrations.RunPython(install, remove)]
