"""Income received and distributions of it to members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from commonshare.core.money import from_minor

MEMBER = settings.AUTH_USER_MODEL


class Income(models.Model):
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    payer = models.CharField(max_length=200)
    description = models.CharField(max_length=500)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
    """One split of an amount for a period, with its inputs and policy frozen."""

    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    remainder_minor = models.BigIntegerField(default=0)
    method = models.CharField(max_length=20)
    seed = models.CharField(max_length=64)
    policy = models.JSONField()
    request = models.JSONField(help_text="The frozen valuation input")
    result = models.JSONField(help_text="The valuation output, explanations included")
    created_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "period_start", "period_end"],
                name="one_distribution_per_period",
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
