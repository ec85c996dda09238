from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _keep_index(using: str = "default", **_: Any) -> None:
    """After every migrate: put SQLite's FTS5 table and its triggers (back) in place, and
    build the index once if it is empty while there are records to find.

    SQLite rebuilds a table to alter a column, which drops its triggers; checking after
    each migration means no later migration can leave the index unkept.
    """
    from commonshare.search import backends, indexing

    connection = connections[using]
    backends.ensure(connection)
    if using == "default" and indexing.is_empty():
        indexing.rebuild()


class SearchConfig(AppConfig):
    name = "commonshare.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        post_migrate.connect(_keep_index, sender=self)
        from commonshare.audit.actions import subscribe
        from commonshare.search import indexing

        subscribe(indexing.on_event)  # re-index each event's record, after its commit
