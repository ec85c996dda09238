"""Income received and distributions of it to members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from commonshare.books.vocab import (
    ACCOUNT_DESCRIPTION_MAX,
    ACCOUNT_MAX,
    DISTRIBUTION_STATUS_MAX,
    ENTRY_DESCRIPTION_MAX,
    ENTRY_FIELD_MAX,
    HASH_MAX,
    INCOME_DESCRIPTION_MAX,
    LIVE_DISTRIBUTION_STATUSES,
    METHOD_MAX,
    PAYER_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    SEED_MAX,
    SOURCE_MAX,
    STATUS_MAX,
    VERDICT_MAX,
    DisputeOutcome,
    DistributionStatus,
    ExpenseVerdict,
    IncomeSource,
    IncomeStatus,
    ReversalStatus,
    WithdrawalStatus,
)
from commonshare.core.money import CURRENCY_CODE_LENGTH, from_minor

MEMBER = settings.AUTH_USER_MODEL


class Income(models.Model):
    Source = IncomeSource

    amount_minor = models.BigIntegerField()
    source = models.CharField(max_length=SOURCE_MAX, choices=Source.choices, default=Source.SUPPORT)
    reference = models.CharField(
        max_length=REFERENCE_MAX, blank=True, help_text="Invoice or bank reference"
    )
    currency = models.CharField(max_length=CURRENCY_CODE_LENGTH)
    payer = models.CharField(max_length=PAYER_MAX)
    description = models.CharField(max_length=INCOME_DESCRIPTION_MAX)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Pending until a second member confirms it; the journal entry posts at confirmation.
    status = models.CharField(
        max_length=STATUS_MAX, choices=IncomeStatus.choices, default=IncomeStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        MEMBER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Another income with the same payer, amount, currency and date, when this one was
    # entered: a likely duplicate, flagged for the confirmer (not refused).
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["-received_on", "-id"], name="income_newest"),
            # Income waiting for confirmation, oldest first, without reading all the rest.
            models.Index(fields=["status", "created_at", "id"], name="income_status_oldest"),
        ]
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="income_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} from {self.payer}"

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)


class Distribution(models.Model):
    """One split of an amount for a closed period, with its inputs and policy frozen.

    It is frozen when proposed and stays open for challenge until ``challenge_ends_at``;
    only then is it posted to the journal (``posted_at``), once.
    """

    Status = DistributionStatus

    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=CURRENCY_CODE_LENGTH)
    amount_minor = models.BigIntegerField()
    remainder_minor = models.BigIntegerField(default=0)
    method = models.CharField(max_length=METHOD_MAX)
    seed = models.CharField(max_length=SEED_MAX)
    policy = models.JSONField()
    # The policy version in force when the period began, and its sha256: the number says
    # which rules applied, the hash that ``policy`` is exactly that version's content.
    # Both are empty for distributions frozen before policy versions existed: their flat
    # ``policy`` hashes to no version.
    policy_version = models.PositiveIntegerField(null=True)
    policy_sha256 = models.CharField(max_length=64, null=True)  # noqa: DJ001 - empty is not ""
    request = models.JSONField(help_text="The frozen valuation input")
    result = models.JSONField(help_text="The valuation output, explanations included")
    created_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Distributions from before proposals were posted at once: they are ``posted``, with no
    # window and no posting time.
    status = models.CharField(
        max_length=DISTRIBUTION_STATUS_MAX,
        choices=Status.choices,
        default=Status.POSTED,
    )
    challenge_ends_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    # The lazy-consensus decision that carries it (it posts at that decision's close), and,
    # once withdrawn, the sentence saying why. Neither is part of what the entries commit to.
    decision_number = models.PositiveIntegerField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True, default="", db_default="")

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(
                fields=["status", "-period_end", "-id"], name="distribution_status_newest"
            ),
        ]
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "period_start", "period_end"],
                condition=Q(status__in=LIVE_DISTRIBUTION_STATUSES),
                name="one_live_distribution_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="distribution_period_order"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="distribution_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} {self.currency}"

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    @property
    def remainder(self) -> Decimal:
        return from_minor(self.remainder_minor, self.currency)


class Payout(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="payouts")
    member = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="payouts")
    amount_minor = models.BigIntegerField()
    share = models.DecimalField(max_digits=14, decimal_places=10)
    explanation = models.JSONField()

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["member", "-distribution", "-id"], name="payout_member_latest"),
        ]
        ordering = ["-amount_minor", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "member"], name="one_payout_per_member"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="payout_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} to member {self.member_id}"

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.distribution.currency)


class LedgerAccount(models.Model):
    """An account of the chart, opened before the first entry that uses it."""

    name = models.CharField(max_length=ACCOUNT_MAX, unique=True)
    opened_on = models.DateField()
    description = models.CharField(max_length=ACCOUNT_DESCRIPTION_MAX, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JournalEntry(models.Model):
    """One balanced, sealed entry of the append-only journal (see core.ledger).

    Rows are never updated or deleted: database triggers refuse it, and the
    hash chain shows it if it happens behind the application's back.
    """

    seq = models.BigIntegerField(primary_key=True)
    date = models.DateField(db_index=True)
    description = models.CharField(max_length=ENTRY_DESCRIPTION_MAX)
    # Lengths follow core.ledger's limits (MAX_FIELD), which refuse longer values first.
    source = models.CharField(max_length=ENTRY_FIELD_MAX, db_index=True, help_text="e.g. income:17")
    # NULL, not "", for "no member": the hash chain distinguishes the two.
    actor = models.CharField(  # noqa: DJ001
        max_length=ENTRY_FIELD_MAX, null=True, blank=True, help_text="Member id"
    )
    service = models.CharField(max_length=ENTRY_FIELD_MAX, help_text="The code path that wrote it")
    reverses = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=HASH_MAX)
    hash = models.CharField(max_length=HASH_MAX, unique=True)
    # The digest of the source record's content that the hash covers (books.records);
    # NULL for entries of the older format, written before entries committed to records.
    commits = models.CharField(max_length=ENTRY_FIELD_MAX, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.date} {self.description}"


class JournalPosting(models.Model):
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="postings", db_column="entry_seq"
    )
    line = models.PositiveSmallIntegerField()
    account = models.CharField(max_length=ACCOUNT_MAX, db_index=True)
    currency = models.CharField(max_length=CURRENCY_CODE_LENGTH)
    minor = models.BigIntegerField(help_text="Positive: debit; negative: credit")

    class Meta:
        ordering = ["entry_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "line"], name="one_posting_per_line"),
        ]
        indexes = [
            models.Index(fields=["account", "currency"], name="posting_account_currency"),
            # Covers `books verify`: an entry's postings, in canonical order, straight from the
            # index without a visit to the table (a third less time at a million entries).
            models.Index(
                fields=["entry", "line", "account", "currency", "minor"],
                name="posting_canonical_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.minor} {self.currency}"


class ExpenseDecision(models.Model):
    """A peer's approval or rejection of an expense claim (never the claimant's own)."""

    Verdict = ExpenseVerdict

    contribution = models.ForeignKey(
        "work.Contribution", on_delete=models.PROTECT, related_name="expense_decisions"
    )
    member = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=VERDICT_MAX, choices=Verdict.choices)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    # The claim's version the member read and decided on (None: decided before
    # decisions recorded it).
    version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "member"], name="one_expense_decision_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verdict} of expense {self.contribution_id} by {self.member_id}"


class ExpenseByDecision(models.Model):
    """An expense claim approved by an adopted decision, not by drawn approvers."""

    contribution = models.OneToOneField(
        "work.Contribution", on_delete=models.PROTECT, related_name="approved_by_decision"
    )
    decision_number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"expense {self.contribution_id} approved by decision {self.decision_number}"


class Withdrawal(models.Model):
    """Money a member was paid out of what the commons owed them (a bank transfer).

    Recorded by the sender (never the payee), pending until the payee confirms receipt;
    the journal entry posts then. While pending it already counts against what the
    member is owed and what the bank holds, so nothing is paid twice.
    """

    Status = WithdrawalStatus

    member = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="withdrawals")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=CURRENCY_CODE_LENGTH)
    reference = models.CharField(max_length=REFERENCE_MAX)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=STATUS_MAX, choices=WithdrawalStatus.choices, default=WithdrawalStatus.PENDING
    )
    recorded_by = models.ForeignKey(
        MEMBER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.CharField(max_length=REASON_MAX, blank=True)
    # A dispute's end: a level-2 member who is neither the payee nor the recorder says
    # whether the money arrived after all (the payout posts) or not (it is cancelled).
    resolved_by = models.ForeignKey(
        MEMBER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=STATUS_MAX, choices=DisputeOutcome.choices, blank=True)
    resolution_reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="withdrawal_positive")
        ]
        # A member's page of withdrawals, newest first.
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="withdrawal_member_newest")
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.currency} to {self.member_id}"


class ReversalRequest(models.Model):
    """A member asks to reverse a journal entry; a second member (or a decision) confirms."""

    Status = ReversalStatus

    seq = models.BigIntegerField(help_text="The entry to reverse")
    reason = models.CharField(max_length=REASON_MAX)
    requested_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=STATUS_MAX, choices=ReversalStatus.choices, default=ReversalStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        MEMBER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision_number = models.PositiveIntegerField(null=True, blank=True)
    reversal_seq = models.BigIntegerField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="reversal_newest"),
        ]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seq"],
                condition=Q(status=ReversalStatus.PENDING),
                name="one_pending_reversal_per_entry",
            )
        ]

    def __str__(self) -> str:
        return f"reverse entry {self.seq}"
