from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _guard_journal(using: str = "default", **_: Any) -> None:
    """Put the journal's append-only triggers (back) in place after every migrate.

    SQLite rebuilds a table to alter a column, which drops its triggers; doing
    this after each migration means no future migration can lose them.
    """
    from commonshare.books.append_only import set_guard

    set_guard(connections[using], install=True)


class BooksConfig(AppConfig):
    name = "commonshare.books"
    label = "books"
    verbose_name = "Books"

    def ready(self) -> None:
        post_migrate.connect(_guard_journal, sender=self)
        from commonshare.audit.actions import subscribe
        from commonshare.books import notices

        subscribe(notices.on_payout_event)  # mail about payouts, only after they commit
