"""Work's words and limits: tasks' statuses, contributions' kinds and every field's length.

Models, services, API schemas, web forms and the CLI read them from here, so a status, a
kind or a limit is written once. The ``Literal`` types are what the API's OpenAPI schema
states; ``tests/work/test_vocab.py`` holds them equal to the choices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.db import models

from commonshare.core.valuation.types import MAX_RATING


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLAIMED = "claimed", "Claimed"
    DONE = "done", "Done"


class ContributionKind(models.TextChoices):
    WORK = "work", "Work (hours)"
    DELIVERABLE = "deliverable", "Deliverable (units)"
    EXPENSE = "expense", "Expense (money spent)"
    RESOURCE = "resource", "Resource (metered use lent)"


TaskStatusValue = Literal["open", "claimed", "done"]
ContributionKindValue = Literal["work", "deliverable", "expense", "resource"]

KIND_NAMES: dict[str, str] = {
    ContributionKind.WORK: "work",
    ContributionKind.DELIVERABLE: "a deliverable",
    ContributionKind.RESOURCE: "a resource",
    ContributionKind.EXPENSE: "an expense",
}
"""Each kind in a sentence: "Hours do not apply to an expense"."""

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ContributionKind.WORK: ("hours",),
    ContributionKind.DELIVERABLE: ("units", "unit_name"),
    ContributionKind.EXPENSE: ("amount", "currency", "receipt"),
    ContributionKind.RESOURCE: ("units", "unit_name"),
}
"""The fields each kind states, besides the common ones; any other one sent is refused."""

KIND_REQUIRES: dict[str, frozenset[str]] = {
    ContributionKind.WORK: frozenset({"hours"}),
    ContributionKind.DELIVERABLE: frozenset({"units"}),
    ContributionKind.EXPENSE: frozenset({"amount", "currency", "receipt"}),
    ContributionKind.RESOURCE: frozenset({"units", "unit_name"}),
}
"""Which of them must be filled in."""

# --- lengths of text fields (characters) ---------------------------------------------------
TITLE_MAX = 200
SUMMARY_MAX = 200
DESCRIPTION_MAX = 20000
UNIT_NAME_MAX = 40
EVIDENCE_URL_MAX = 500
EVIDENCE_TEXT_MAX = 4000
COMMENT_MAX = 4000
STATUS_MAX = 10
"""The status column's width (the longest status, ``claimed``, with room)."""
KIND_MAX = 12
"""The kind column's width (the longest kind, ``deliverable``, with room)."""
SEED_MAX = 64
"""A reviewer draw's published seed (a SHA-256 in hex)."""

# --- limits of numbers ---------------------------------------------------------------------
RATING_MIN = 0
RATING_MAX = MAX_RATING
"""Ratings run from 0 (no value) to 5 (excellent): the valuation's own scale."""
HOURS_PLACES = 2
UNITS_PLACES = 3
REPUTATION_PLACES = 12
"""A reputation as stored for trust (the engine hands on finer figures; 12 places is plenty)."""
MAX_HOURS_PER_CONTRIBUTION = Decimal(1000)
MAX_ESTIMATE_HOURS = Decimal(10000)
MAX_UNITS = Decimal(10**9)
MAX_EXPENSE = Decimal(1_000_000)
"""The largest expense claim, in the claim's currency (docs/books.md, "Limits")."""

# --- uploads -------------------------------------------------------------------------------
UPLOAD_EXTENSIONS = frozenset(
    {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".txt", ".csv", ".md"}
)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class StewardEndReason(models.TextChoices):
    """Why the steward phase ended (the first of the policy's conditions to hold)."""

    EARNED = "earned", "enough members earned trust level 2"
    FIRST_DECISION = "first_decision", "the first decision was adopted"
    DAYS = "days", "the days the policy gives it passed"
    CLOSED_EARLY = "closed_early", "a decision closed it early"


STEWARD_END_MAX = 20

THANKS_NOTE_MAX = 500
"""The longest note a member may add to a thank-you."""
