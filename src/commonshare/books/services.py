"""Every write to income and distributions: one transaction each, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from commonshare.audit.services import record
from commonshare.books.models import Distribution, Income, Payout
from commonshare.books.policy import current_policy, effort_of
from commonshare.community.models import Member
from commonshare.core.money import (
    MoneyError,
    check_currency,
    from_minor,
    parse_decimal,
    to_minor,
)
from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
    allocate,
)
from commonshare.errors import Conflict, InvalidInput
from commonshare.work.models import Contribution, Review

VALUED_KINDS = ("work", "deliverable", "resource")


def _amount_minor(amount: Any, currency: str) -> tuple[int, str]:
    try:
        code = check_currency(currency)
    except MoneyError as error:
        raise InvalidInput(str(error), field="currency") from None
    try:
        minor = to_minor(
            parse_decimal(amount if not isinstance(amount, float) else str(amount)), code
        )
    except MoneyError as error:
        raise InvalidInput(str(error), field="amount") from None
    return minor, code


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise InvalidInput(f"{field}: give a date, not a date and time.", field=field)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{field}: give a date as YYYY-MM-DD.", field=field) from None


def record_income(
    actor: Member,
    *,
    amount: Any,
    currency: str,
    payer: str,
    description: str,
    received_on: Any,
) -> Income:
    minor, code = _amount_minor(amount, currency)
    if minor <= 0:
        raise InvalidInput("amount: income must be more than zero.", field="amount")
    payer = (payer or "").strip()
    description = (description or "").strip()
    if not payer or len(payer) > 200:
        raise InvalidInput("payer: who paid (1 to 200 characters).", field="payer")
    if not description or len(description) > 500:
        raise InvalidInput(
            "description: what it was for (1 to 500 characters).", field="description"
        )
    with transaction.atomic():
        income = Income.objects.create(
            amount_minor=minor,
            currency=code,
            payer=payer,
            description=description,
            received_on=_date(received_on, "received_on"),
            recorded_by=actor,
        )
        record("books.income.recorded", income, actor=actor, amount_minor=minor, currency=code)
    return income


def undistributed_minor(currency: str) -> int:
    """Income received in ``currency`` that no distribution has paid out yet."""
    received = Income.objects.filter(currency=currency).aggregate(s=Sum("amount_minor"))["s"] or 0
    paid = (
        Distribution.objects.filter(currency=currency).aggregate(
            s=Sum("amount_minor") - Sum("remainder_minor")
        )["s"]
        or 0
    )
    return int(received) - int(paid)


def valuation_request(
    *,
    period_start: dt.date,
    period_end: dt.date,
    currency: str,
    minor: int,
    seed: str,
    policy: dict[str, Any],
) -> AllocationRequest:
    """The frozen input of a distribution: reviewed contributions made in the period."""
    in_period = Q(created_at__date__gte=period_start, created_at__date__lte=period_end)
    contributions = list(
        Contribution.objects.filter(in_period, kind__in=VALUED_KINDS)
        .order_by("pk")
        .values("pk", "author_id", "kind", "hours", "units")
    )
    reviews = list(
        Review.objects.filter(contribution_id__in=[c["pk"] for c in contributions])
        .order_by("pk")
        .values("reviewer_id", "contribution_id", "rating", "effort_estimate")
    )
    members = Member.objects.filter(
        Q(pk__in={c["author_id"] for c in contributions})
        | Q(pk__in={r["reviewer_id"] for r in reviews})
    ).values_list("pk", flat=True)
    kind_of = {c["pk"]: c["kind"] for c in contributions}
    return AllocationRequest(
        currency=currency,
        amount=from_minor(minor, currency),
        method=policy["method"],
        seed=seed,
        members=tuple(MemberInput(id=str(pk)) for pk in sorted(members)),
        contributions=tuple(
            ContributionInput(
                id=str(c["pk"]),
                member=str(c["author_id"]),
                kind=c["kind"],
                effort=effort_of(c["kind"], _quantity(c), policy),
            )
            for c in contributions
        ),
        reviews=tuple(
            ReviewInput(
                reviewer=str(r["reviewer_id"]),
                contribution=str(r["contribution_id"]),
                rating=r["rating"],
                effort=None
                if r["effort_estimate"] is None
                else effort_of(kind_of[r["contribution_id"]], r["effort_estimate"], policy),
            )
            for r in reviews
        ),
        policy=policy,
    )


def _quantity(contribution: Mapping[str, Any]) -> Decimal:
    """Hours for work, units for deliverables and resources (never empty: services check)."""
    quantity = contribution["hours"] if contribution["kind"] == "work" else contribution["units"]
    return Decimal(quantity)


def run_distribution(
    actor: Member,
    *,
    period_start: Any,
    period_end: Any,
    currency: str,
    amount: Any = None,
) -> Distribution:
    """Split an amount among the period's contributors, once per period, in one transaction.

    Without ``amount``, all income not yet distributed in ``currency`` is split.
    """
    start = _date(period_start, "period_start")
    end = _date(period_end, "period_end")
    if end < start:
        raise InvalidInput("period_end: the period ends before it starts.", field="period_end")
    try:
        code = check_currency(currency)
    except MoneyError as error:
        raise InvalidInput(str(error), field="currency") from None
    with transaction.atomic():
        overlapping = Distribution.objects.filter(
            currency=code, period_start__lte=end, period_end__gte=start
        ).first()
        if overlapping is not None:
            raise Conflict(
                f"The period overlaps the distribution of {overlapping}; "
                "each period is distributed once.",
                field="period_start",
            )
        available = undistributed_minor(code)
        if amount in (None, ""):
            minor = available
        else:
            minor, _ = _amount_minor(amount, code)
        if minor <= 0:
            raise InvalidInput(f"amount: there is no undistributed {code} income.", field="amount")
        if minor > available:
            raise InvalidInput(
                "amount: more than the income not yet distributed "
                f"({from_minor(available, code)} {code}).",
                field="amount",
            )
        policy = current_policy()
        seed = secrets.token_hex(16)
        request = valuation_request(
            period_start=start, period_end=end, currency=code, minor=minor, seed=seed, policy=policy
        )
        try:
            result = allocate(request)
        except ValuationError as error:
            raise InvalidInput("; ".join(error.problems)) from None
        result_json = result.to_json()
        try:
            distribution = Distribution.objects.create(
                period_start=start,
                period_end=end,
                currency=code,
                amount_minor=minor,
                remainder_minor=to_minor(result.remainder, code),
                method=result.method,
                seed=seed,
                policy=policy,
                request=_request_json(request),
                result=result_json,
                created_by=actor,
            )
        except IntegrityError:
            raise Conflict("This period has already been distributed.") from None
        Payout.objects.bulk_create(
            Payout(
                distribution=distribution,
                member_id=int(line.member),
                amount_minor=to_minor(line.amount, code),
                share=line.share,
                explanation=result.explanations.get(line.member, {}),
            )
            for line in result.payouts
            if line.amount > 0
        )
        record(
            "books.distribution.posted",
            distribution,
            actor=actor,
            amount_minor=minor,
            currency=code,
            payouts=len(result.payouts),
        )
    return distribution


def _request_json(request: AllocationRequest) -> dict[str, Any]:
    return {
        "currency": request.currency,
        "amount": str(request.amount),
        "method": request.method,
        "seed": request.seed,
        "members": [{"id": m.id} for m in request.members],
        "contributions": [
            {"id": c.id, "member": c.member, "kind": c.kind, "effort": str(c.effort)}
            for c in request.contributions
        ],
        "reviews": [
            {
                "reviewer": r.reviewer,
                "contribution": r.contribution,
                "rating": r.rating,
                **({"effort": str(r.effort)} if r.effort is not None else {}),
            }
            for r in request.reviews
        ],
        "policy": request.policy,
    }
