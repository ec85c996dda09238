"""The books' words and limits: income sources, expense verdicts and statuses, field lengths.

Models, services, API schemas, web forms and the CLI read them from here. The ``Literal``
types are what the API's OpenAPI schema states; ``tests/books/test_vocab.py`` holds them
equal to the choices. The journal's own lengths are the pure ledger's
(``core.ledger``), which refuses a longer value before any row is written.
"""

from __future__ import annotations

from typing import Literal

from django.db import models

from commonshare.core.ledger.accounts import MAX_ACCOUNT_LENGTH
from commonshare.core.ledger.rules import MAX_DESCRIPTION, MAX_FIELD
from commonshare.core.policy import VALUED_KINDS as _POLICY_VALUED_KINDS


class IncomeSource(models.TextChoices):
    SUPPORT = "support", "Support"
    HOSTING = "hosting", "Hosting"
    CUSTOM = "custom-work", "Custom work"
    SALES = "sales", "Sales"
    DONATIONS = "donations", "Donations"


class ExpenseVerdict(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class ExpenseStatus(models.TextChoices):
    """Where an expense claim stands (``books.selectors.expenses.expense_status``).

    Pending: its drawn approvers are deciding. Approved or rejected: they decided. Needs a
    decision: it is above the policy's amount (``expenses.decision_above``), or fewer
    members could be drawn to approve it than the policy asks, so only an adopted
    decision approves it.
    """

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    NEEDS_DECISION = "needs-decision", "Needs a decision"


class IncomeStatus(models.TextChoices):
    """Income is pending until a second member confirms it; only then is it in the books."""

    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class WithdrawalStatus(models.TextChoices):
    """A payout recorded by the sender waits for the payee to confirm they received it."""

    PENDING = "pending", "Waiting for the payee"
    CONFIRMED = "confirmed", "Received"
    DISPUTED = "disputed", "Disputed by the payee"
    CANCELLED = "cancelled", "Cancelled after a dispute"


class DisputeOutcome(models.TextChoices):
    """How a third member resolves a disputed payout (``books.services.resolve_withdrawal``)."""

    PAID = "paid", "The money did arrive: put the payout in the books"
    CANCELLED = "cancelled", "The money did not arrive: cancel the payout"


class ReversalStatus(models.TextChoices):
    """A request to reverse an entry waits for a second member (or a decision)."""

    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Reversed"


class DistributionStatus(models.TextChoices):
    """Where a distribution stands: frozen and open for challenge, posted, or set aside.

    A proposal is posted once its challenge window is over. A newer proposal for the same
    period replaces one not yet posted (``superseded``); one can also be withdrawn.
    """

    PROPOSED = "proposed", "Open for challenge"
    POSTED = "posted", "Posted"
    SUPERSEDED = "superseded", "Replaced by a newer proposal"
    WITHDRAWN = "withdrawn", "Withdrawn"


LIVE_DISTRIBUTION_STATUSES = (DistributionStatus.PROPOSED, DistributionStatus.POSTED)
"""At most one distribution per period and currency is in one of these at a time."""

IncomeSourceValue = Literal["support", "hosting", "custom-work", "sales", "donations"]
ExpenseVerdictValue = Literal["approve", "reject"]
ExpenseStatusValue = Literal["pending", "approved", "rejected", "needs-decision"]
IncomeStatusValue = Literal["pending", "confirmed"]
WithdrawalStatusValue = Literal["pending", "confirmed", "disputed", "cancelled"]
DisputeOutcomeValue = Literal["paid", "cancelled"]
ReversalStatusValue = Literal["pending", "confirmed"]
DistributionStatusValue = Literal["proposed", "posted", "superseded", "withdrawn"]
DEFAULT_INCOME_SOURCE: IncomeSourceValue = "support"
"""The source income is booked to when none is said."""

# The kinds a distribution values by review (resources are paid by use, expenses repaid):
# the policy's own list (each has an effort per unit there), so there is one source.
VALUED_KINDS = _POLICY_VALUED_KINDS

# --- lengths of text fields (characters) ---------------------------------------------------
PAYER_MAX = 200
INCOME_DESCRIPTION_MAX = 500
REFERENCE_MAX = 200
"""An income's invoice or bank reference, and a withdrawal's bank transfer reference."""
REASON_MAX = 500
"""Why an expense claim was rejected, or a journal entry reversed."""
SOURCE_MAX = 20
STATUS_MAX = 20
VERDICT_MAX = 7
METHOD_MAX = 20
SEED_MAX = 64
DISTRIBUTION_STATUS_MAX = 10
PERIOD_TEXT_MAX = 10
"""A period as named at the doors: ``2026-11`` or its first day, ``2026-11-01``."""
HASH_MAX = 64
"""A SHA-256 in hex."""
ENTRY_DESCRIPTION_MAX = MAX_DESCRIPTION
ENTRY_FIELD_MAX = MAX_FIELD
"""An entry's source, actor, service and commitment."""
ACCOUNT_MAX = MAX_ACCOUNT_LENGTH
ACCOUNT_DESCRIPTION_MAX = 200
