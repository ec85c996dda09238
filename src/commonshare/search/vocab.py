"""The search app's words and limits: the kinds of record found, and page sizes."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    TASK = "task", "Task"
    CONTRIBUTION = "contribution", "Contribution"
    COMMENT = "comment", "Comment"
    PROPOSAL = "proposal", "Proposal"
    NORM = "norm", "Norm"
    MEMBER = "member", "Member"


KIND_MAX = 20
TITLE_MAX = 300
PATH_MAX = 200
PLACE_MAX = 60

PAGE_SIZE = 20
"""Results on one page."""
MAX_PAGE_SIZE = 100

SNIPPET_WORDS = 16
"""About how many words a snippet shows."""

TITLE_WEIGHT = 4.0
"""How much more a word in the title counts than one in the text (SQLite's bm25)."""

FTS_TABLE = "search_entry_fts"
"""SQLite's FTS5 table over ``search_entry`` (title, body)."""
REINDEX_BATCH = 500
