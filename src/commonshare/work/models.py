"""Tasks members claim, the contributions they log and the reviews of them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonshare.core.money import CURRENCY_CODE_LENGTH, from_minor
from commonshare.work.vocab import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    EVIDENCE_TEXT_MAX,
    EVIDENCE_URL_MAX,
    HOURS_PLACES,
    KIND_MAX,
    RATING_MAX,
    RATING_MIN,
    REPUTATION_PLACES,
    SEED_MAX,
    STATUS_MAX,
    STEWARD_END_MAX,
    SUMMARY_MAX,
    THANKS_NOTE_MAX,
    TITLE_MAX,
    UNIT_NAME_MAX,
    UNITS_PLACES,
    ContributionKind,
    StewardEndReason,
    TaskStatus,
)

MEMBER = settings.AUTH_USER_MODEL


class Task(models.Model):
    Status = TaskStatus

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subtasks"
    )
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX, help_text="Markdown")
    estimate_hours = models.DecimalField(max_digits=7, decimal_places=HOURS_PLACES)
    status = models.CharField(max_length=STATUS_MAX, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        MEMBER, null=True, blank=True, on_delete=models.PROTECT, related_name="claimed_tasks"
    )
    created_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="created_tasks")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["parent", "-created_at", "-id"], name="task_parent_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="task_status_newest"),
            models.Index(fields=["-created_at", "-id"], name="task_newest"),
        ]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_hours__gt=0), name="task_estimate_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.CLAIMED, claimed_by__isnull=False)
                | ~Q(status=TaskStatus.CLAIMED),
                name="task_claimed_has_claimer",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Contribution(models.Model):
    Kind = ContributionKind

    author = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="contributions")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    kind = models.CharField(max_length=KIND_MAX, choices=Kind.choices)
    summary = models.CharField(max_length=SUMMARY_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX, help_text="Markdown")
    hours = models.DecimalField(max_digits=8, decimal_places=HOURS_PLACES, null=True, blank=True)
    units = models.DecimalField(max_digits=14, decimal_places=UNITS_PLACES, null=True, blank=True)
    unit_name = models.CharField(
        max_length=UNIT_NAME_MAX, blank=True, help_text="e.g. compute hours, GB"
    )
    amount_minor = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=CURRENCY_CODE_LENGTH, blank=True)
    receipt = models.FileField(upload_to="receipts/%Y/%m/", blank=True)
    evidence_url = models.URLField(blank=True, max_length=EVIDENCE_URL_MAX)
    evidence_text = models.TextField(blank=True, max_length=EVIDENCE_TEXT_MAX)
    evidence_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    review_seed = models.CharField(
        max_length=SEED_MAX, help_text="Published seed of the reviewer draw"
    )
    review_pool = models.JSONField(
        default=list, help_text="Ids of the members eligible when reviewers were drawn"
    )
    # Expense claims: the approvers drawn when it was logged (None for other kinds, and for
    # claims logged before approvers were drawn: any member who may approve decides those).
    approver_seed = models.CharField(
        max_length=SEED_MAX, blank=True, help_text="Published seed of the approver draw"
    )
    approver_pool = models.JSONField(
        null=True, blank=True, help_text="Ids of the members eligible when approvers were drawn"
    )
    approvers = models.JSONField(null=True, blank=True, help_text="Ids of the drawn approvers")
    version = models.PositiveIntegerField(
        default=1, help_text="1 when logged; each edit adds one (reviews name the one they read)"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="contribution_newest"),
            models.Index(
                fields=["author", "-created_at", "-id"], name="contribution_author_newest"
            ),
            models.Index(fields=["kind", "-created_at", "-id"], name="contribution_kind_newest"),
            # A task's page of contributions, newest first (the task page, its API list).
            models.Index(fields=["task", "-created_at", "-id"], name="contribution_task_newest"),
            # The latest change, which the community's known trust levels follow (earned.py).
            models.Index(fields=["updated_at"], name="contribution_updated"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary

    @property
    def quantity_label(self) -> str:
        if self.kind == self.Kind.WORK:
            return f"{self.hours} h"
        if self.kind == self.Kind.EXPENSE:
            return f"{from_minor(self.amount_minor or 0, self.currency)} {self.currency}"
        unit = self.unit_name or "units"
        return f"{self.units} {unit}"


class ContributionVersion(models.Model):
    """What an earlier version of a contribution said, kept when an edit replaced it."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="earlier_versions"
    )
    version = models.PositiveIntegerField()
    stated = models.JSONField(help_text="The stated fields of that version, as plain strings")
    replaced_draw = models.JSONField(
        null=True,
        blank=True,
        help_text="The reviewer draw an edit discarded (seed, pool, reviewers), when it redrew",
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contribution_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "version"], name="one_row_per_contribution_version"
            )
        ]

    def __str__(self) -> str:
        return f"contribution {self.contribution_id} version {self.version}"


class ReviewAssignment(models.Model):
    """A member drawn to review a contribution, in the order of the draw."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="assignments")
    rank = models.PositiveSmallIntegerField()
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_version = models.PositiveIntegerField(
        default=1, help_text="The contribution's version when this reviewer was drawn"
    )
    reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the reviewer's review was recorded; empty while it is still to do",
    )

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["reviewer", "drawn_at", "id"], name="assignment_reviewer_drawn"),
            # A member's reviews still to do (the bell, /reviews/) are a few rows of this
            # index, where a busy reviewer has tens of thousands of assignments in all.
            models.Index(
                fields=["reviewer", "drawn_at", "id"],
                name="assignment_to_do",
                condition=models.Q(reviewed_at__isnull=True),
            ),
        ]
        ordering = ["contribution_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "reviewer"], name="one_assignment_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"reviewer {self.reviewer_id} for contribution {self.contribution_id}"


class Review(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="reviews_given")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    comment = models.TextField(max_length=COMMENT_MAX)
    effort_estimate = models.DecimalField(
        max_digits=14,
        decimal_places=UNITS_PLACES,
        null=True,
        blank=True,
        help_text="The reviewer's own estimate when they challenge the claimed effort",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="The version of the contribution the reviewer judged"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "reviewer"], name="one_review_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN) & Q(rating__lte=RATING_MAX),
                name="review_rating_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 by {self.reviewer_id} on {self.contribution_id}"


class Steward(models.Model):
    """An address named at ``commonshare init --steward`` (its member may join later).

    Named only before anyone joins, and never after the phase ended (a trigger refuses the
    row then too)."""

    email = models.EmailField(unique=True)
    named_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["named_at", "id"]

    def __str__(self) -> str:
        return f"steward {self.email}"


class StewardPhaseEnd(models.Model):
    """When and why the steward phase ended: one row at most, never changed or removed
    (database triggers refuse UPDATE and DELETE), so the role can never come back."""

    ended_at = models.DateTimeField()
    reason = models.CharField(max_length=STEWARD_END_MAX, choices=StewardEndReason.choices)
    decision_number = models.PositiveIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    one = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(one=True), name="steward_phase_ends_once"),
        ]

    def __str__(self) -> str:
        return f"steward phase ended {self.ended_at:%Y-%m-%d} ({self.reason})"


class ReputationRecord(models.Model):
    """A member's reputation after one posted distribution, as its valuation handed it on.

    Trust reads the latest ones for level 4's top reputation band. Written only by
    ``work.earned._record_reputation``, which ``books.distribution`` calls when it posts;
    work may not import books, so the distribution is named by its id.
    """

    member = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="reputations")
    distribution_id = models.PositiveBigIntegerField(help_text="The books distribution's id")
    period_end = models.DateField()
    reputation = models.DecimalField(max_digits=30, decimal_places=REPUTATION_PLACES)
    # The trust level the member held on ``period_end`` (earned, never lent by the steward
    # phase); level 4 counts the periods it was 3 or more. Null on records written before
    # it was kept: those count for nothing.
    level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-distribution_id", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "distribution_id"], name="one_reputation_per_distribution"
            )
        ]

    def __str__(self) -> str:
        return f"reputation of {self.member_id} after distribution {self.distribution_id}"


class Thanks(models.Model):
    """One member's public thank-you for one contribution or one review.

    Recognition only: nothing reads it when pay is worked out (pay comes from the drawn
    reviews alone), so thanking, or being thanked, moves no money."""

    thanked_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="thanks_given")
    # Whose work is thanked: the contribution's author or the review's reviewer.
    member = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="thanks_received")
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="thanks"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="thanks"
    )
    note = models.TextField(blank=True, max_length=THANKS_NOTE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution__isnull=False, review__isnull=True)
                | Q(contribution__isnull=True, review__isnull=False),
                name="thanks_for_one_item",
            ),
            models.UniqueConstraint(
                fields=["thanked_by", "contribution"],
                condition=Q(contribution__isnull=False),
                name="thanks_once_per_contribution",
            ),
            models.UniqueConstraint(
                fields=["thanked_by", "review"],
                condition=Q(review__isnull=False),
                name="thanks_once_per_review",
            ),
            models.CheckConstraint(
                condition=~Q(thanked_by=models.F("member")), name="thanks_never_oneself"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="thanks_received_newest"),
        ]

    def __str__(self) -> str:
        return f"thanks from {self.thanked_by_id} to {self.member_id}"


class TrustLevelChange(models.Model):
    """The trust level a member was known at from one moment: a starting point, or a change.

    Levels are computed from reviewed work (and move with time alone), so nothing stores
    them; this history is what ``work.level_services`` saw each time it looked, so that a
    change can be told to the member and shown later. A row with no ``level_from`` is a
    starting point (the first look, which tells nobody). The last row of a member is their
    last known level; a member with no row was never looked at after joining, at level 0.
    Rows are only ever added.
    """

    member = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="level_changes")
    level_from = models.PositiveSmallIntegerField(null=True, blank=True)
    level_to = models.PositiveSmallIntegerField()
    on = models.DateField(help_text="The day whose level was computed")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "-at", "-id"], name="level_change_member_newest")]
        constraints = [
            models.UniqueConstraint(fields=["member", "at"], name="one_level_change_per_moment")
        ]

    def __str__(self) -> str:
        return f"trust level of {self.member_id}: {self.level_from} to {self.level_to}"
