from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _guard_decisions(using: str = "default", **_: Any) -> None:
    """Put the decisions' triggers (back) in place after every migrate (SQLite drops a
    table's triggers when it rebuilds the table)."""
    from commonshare.decisions.fixed import set_guard

    set_guard(connections[using], install=True)


class DecisionsConfig(AppConfig):
    name = "commonshare.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        from commonshare.books import append_only

        # Lifted and put back with the journal's guard (test flushes, demo --reset): the
        # decisions' and the steward phase's end (work may not import books, so it is
        # registered here, by the app that imports both).
        from commonshare.decisions import distributions, fixed
        from commonshare.work import steward_guard

        # A proposed distribution opens the lazy consensus that carries its posting.
        distributions.install()
        append_only.also_guard(fixed.set_guard)
        append_only.also_guard(steward_guard.set_guard)
        post_migrate.connect(_guard_decisions, sender=self)
