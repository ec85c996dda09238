"""Store a distribution's frozen JSON after its other columns, on SQLite.

SQLite keeps a row's columns in order and a long value in a chain of overflow pages, so
reading a column that comes after one walks the chain. A distribution's frozen request
and result are megabytes at a large size, and its status, dates and creator came after
them: every list of distributions, every payout joined to its distribution, walked
megabytes a row. The table is remade (Django's own way of altering a SQLite table) with
those three columns last. PostgreSQL keeps long values out of line already: nothing is
done there. Only the columns' order changes, in the table and in the migrations' state.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FROZEN = ("policy", "request", "result")


class FrozenJsonLast(migrations.operations.base.Operation):
    reversible = True

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.models[app_label, "distribution"]
        fields = dict(model.fields)
        model.fields = {
            **{name: field for name, field in fields.items() if name not in FROZEN},
            **{name: fields[name] for name in FROZEN},
        }
        state.reload_model(app_label, "distribution", delay=True)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor._remake_table(to_state.apps.get_model(app_label, "distribution"))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor._remake_table(to_state.apps.get_model(app_label, "distribution"))

    def describe(self) -> str:
        return "Store a distribution's frozen JSON after its other columns"


class Migration(migrations.Migration):
    dependencies = [("books", "0016_paging_indexes")]

    operations = [FrozenJsonLast()]
