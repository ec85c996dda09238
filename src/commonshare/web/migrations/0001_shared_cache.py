"""The shared cache's table (settings.CACHES: Django's DatabaseCache), made by every
``migrate`` so that no way of setting a database up can forget it. With a Redis cache
(COMMONSHARE_CACHE_URL) there is no table and this does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
