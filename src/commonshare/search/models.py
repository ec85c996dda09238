"""One row per record that search can find: the text it is found by, and where it is.

The rows are derived: ``commonshare search reindex`` can always rebuild them from the
records. SQLite keeps an FTS5 table over them (``search_entry_fts``, by triggers);
PostgreSQL a generated ``document`` tsvector column with a GIN index. Both are made by
the migration in raw SQL, so the model does not name them.
"""

from __future__ import annotations

from django.db import models

from commonshare.search import vocab


class Entry(models.Model):
    kind = models.CharField(max_length=vocab.KIND_MAX, choices=vocab.Kind.choices)
    object_id = models.BigIntegerField(help_text="The record's primary key")
    title = models.CharField(max_length=vocab.TITLE_MAX)
    body = models.TextField(blank=True)
    path = models.CharField(max_length=vocab.PATH_MAX, help_text="The record's page")
    # Where it is, in words a result shows: "task-12" for a comment on task 12.
    place = models.CharField(max_length=vocab.PLACE_MAX, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "search_entry"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_one_entry_each")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
