"""Distributions: the frozen valuation request, resource payments, and the posting of a period.

A distribution splits what the bank holds beyond what is owed to members
(see ``books.services``) among a period's reviewed contributions:

- resources:    Dr expenses:resources, Cr liabilities:payable:<member>
- distribution: Dr expenses:payouts, Cr liabilities:payable:<member> for each payout

Both entries commit to the distribution as stored (policy, request, result, payouts).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.books import journal, records
from commonshare.books.models import Distribution, Payout
from commonshare.books.policy import effort_of, resource_price
from commonshare.books.selectors.owed import distributable_minor
from commonshare.books.services import (
    _amount_minor,
    _code,
    _date,
    _post,
    _require_books_that_verify,
)
from commonshare.books.vocab import VALUED_KINDS
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.core.ledger import PAYOUTS, EntryDraft, Posting, expense_account, payable_account
from commonshare.core.money import from_minor, to_minor
from commonshare.core.policy import Policy
from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
    allocate,
)
from commonshare.core.valuation.rounding import floor_of
from commonshare.core.words import long_date
from commonshare.errors import Conflict, InvalidInput
from commonshare.governance.selectors import current_version, next_version_after, policy_of
from commonshare.work.models import Contribution, Review

RESOURCES = expense_account("resources")
# The largest amount a distribution accepts, in whole units of its currency (docs/books.md).
MAX_DISTRIBUTION = Decimal(1_000_000_000)

MAX_PERIOD_DAYS = 366


def settled_contributions(currency: str) -> tuple[set[int], set[int]]:
    """Contributions already valued in ``currency``, and resources already paid (any currency)."""
    valued: set[int] = set()
    paid: set[int] = set()
    posted = records.posted_distributions()
    for code, request, result in posted.values_list("currency", "request", "result"):
        if code == currency:
            valued.update(records.valued_in(request))
        paid.update(int(p["contribution"]) for p in result.get("resource_payments", []))
    return valued, paid


def valuation_request(
    *,
    period_end: dt.date,
    currency: str,
    minor: int,
    seed: str,
    policy: Policy,
) -> AllocationRequest:
    """The frozen input of a distribution: reviewed work not valued before in this currency.

    A contribution is valued in the first distribution whose period ends on or
    after the day it was logged, once it has a review; work reviewed late is
    therefore paid by the next distribution, never lost. Under ``impartial`` the
    period's unreviewed work is in the request too (worth 0): otherwise a member
    who is a contribution's only reviewer would decide, by reviewing or not,
    whether it is in the split, and so move their own pay.
    """
    valued, _ = settled_contributions(currency)
    period = Contribution.objects.filter(created_at__date__lte=period_end, kind__in=VALUED_KINDS)
    if policy.valuation.method != "impartial":
        period = period.filter(reviews__isnull=False)
    contributions = list(
        period.exclude(pk__in=valued)
        .distinct()
        .order_by("pk")
        .values("pk", "author_id", "kind", "hours", "units")
    )
    kind_of = {c["pk"]: c["kind"] for c in contributions}
    reviews = list(
        Review.objects.filter(contribution_id__in=kind_of)
        .order_by("pk")
        .values("reviewer_id", "contribution_id", "rating", "effort_estimate")
    )
    members = sorted({c["author_id"] for c in contributions} | {r["reviewer_id"] for r in reviews})
    reputation = earlier_reputation()
    return AllocationRequest(
        currency=currency,
        amount=from_minor(minor, currency),
        method=policy.valuation.method,
        seed=seed,
        members=tuple(
            MemberInput(id=str(pk), reputation=reputation.get(str(pk))) for pk in members
        ),
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
        policy=dict(policy.valuation.parameters),
    )


def earlier_reputation() -> dict[str, Decimal]:
    """Reputations the last distribution's valuation handed on (empty before the first).

    Carrying them forward is what lets trust be earned over periods: long-standing
    members anchor the next valuation, and new accounts start with none.
    """
    posted = records.posted_distributions()
    last = posted.order_by("-created_at", "-id").values_list("result", flat=True)
    result = last.first() or {}
    return {member: Decimal(str(value)) for member, value in result.get("reputation", {}).items()}


def _quantity(contribution: Mapping[str, Any]) -> Decimal:
    """Hours for work, units for deliverables (never empty: the work services check)."""
    is_work = contribution["kind"] == Contribution.Kind.WORK
    quantity = contribution["hours"] if is_work else contribution["units"]
    return Decimal(quantity)


def resource_payments(
    *, period_end: dt.date, currency: str, policy: Policy
) -> list[dict[str, Any]]:
    """Resources lent up to the period's end, accepted by review (mean rating >= 1), unpaid.

    Prices are in the policy's ``resource_currency``, so resources are paid
    by distributions in that currency only, and each contribution only once.
    """
    if currency != policy.resources.currency:
        return []
    _, paid = settled_contributions(currency)
    lent = (
        Contribution.objects.filter(
            created_at__date__lte=period_end, kind=Contribution.Kind.RESOURCE
        )
        .exclude(pk__in=paid)
        .prefetch_related("reviews")
        .order_by("pk")
    )
    payments = []
    for contribution in lent:
        ratings = [review.rating for review in contribution.reviews.all()]
        if not ratings or sum(ratings) < len(ratings):
            continue
        price = resource_price(contribution.unit_name, policy)
        units = Decimal(contribution.units or 0)
        exact = units * price
        minor = _floor_minor(exact, currency)
        if minor <= 0:
            continue
        payments.append(
            {
                "contribution": contribution.pk,
                "member": contribution.author_id,
                "units": str(units),
                "unit_name": contribution.unit_name,
                "price": str(price),
                "amount": str(from_minor(minor, currency)),
                "minor": minor,
            }
        )
    return payments


def _refuse_two_versions(start: dt.date, end: dt.date) -> None:
    """A period follows one version of the rules: it may not cross a later one's start."""
    later = next_version_after(start)
    if later is None or later.valid_from > end:
        return
    begins = later.valid_from
    raise InvalidInput(
        f"Version {later.number} of the rules takes effect on {long_date(begins)}: end this "
        f"period on {long_date(begins - dt.timedelta(days=1))} or start it on "
        f"{begins.day} {begins:%B}.",
        field="period_end",
    )


def _floor_minor(amount: Decimal, currency: str) -> int:
    """Whole minor units in ``amount``, rounded down (the commons never overpays)."""
    return floor_of(amount, to_minor(Decimal(1), currency))


@action
def run_distribution(
    actor: Member,
    *,
    period_start: Any,
    period_end: Any,
    currency: str,
    amount: Any = None,
) -> Distribution:
    """Pay resource use, then split an amount among the period's contributors.

    All of it is one transaction: a crash leaves nothing or everything, and a
    period is distributed at most once. Without ``amount``, everything
    distributable in ``currency`` is split.
    """
    ensure_may_act(actor, doing="run distributions")
    start = _date(period_start, "period_start")
    end = _date(period_end, "period_end")
    if end < start:
        raise InvalidInput("The period cannot end before it starts.", field="period_end")
    if end > timezone.localdate():
        raise InvalidInput("The period cannot end in the future.", field="period_end")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"A period is at most {MAX_PERIOD_DAYS} days long.", field="period_start"
        )
    code = _code(currency)
    version = current_version(at=start)  # the rules in force when the period began
    _refuse_two_versions(start, end)
    policy = policy_of(version)
    with transaction.atomic():
        journal.lock()
        _refuse_overlap(code, start, end)
        _require_books_that_verify()
        resources = resource_payments(period_end=end, currency=code, policy=policy)
        resource_minor = sum(p["minor"] for p in resources)
        available = distributable_minor(code) - resource_minor
        if amount in (None, ""):
            minor = available
        else:
            minor = _amount_minor(amount, code, most=MAX_DISTRIBUTION)
            if minor > available:
                raise InvalidInput(
                    "The amount is more than can be distributed "
                    f"({from_minor(max(available, 0), code)} {code}, after what is owed).",
                    field="amount",
                )
        if minor <= 0:
            raise InvalidInput(f"There is no {code} left to distribute.", field="amount")
        seed = secrets.token_hex(16)
        request = valuation_request(
            period_end=end, currency=code, minor=minor, seed=seed, policy=policy
        )
        try:
            result = allocate(request)
        except ValuationError as error:
            raise InvalidInput("; ".join(error.problems)) from None
        result_json = result.to_json()
        result_json["resource_payments"] = [
            {k: v for k, v in p.items() if k != "minor"} for p in resources
        ]
        try:
            distribution = Distribution.objects.create(
                period_start=start,
                period_end=end,
                currency=code,
                amount_minor=minor,
                remainder_minor=to_minor(result.remainder, code),
                method=result.method,
                seed=seed,
                # The version's own text, so its checksum is the version's even when
                # sections were added to the code since (they take their defaults).
                policy=json.loads(version.content),
                policy_version=version.number,
                policy_sha256=version.sha256,
                request=_request_json(request),
                result=result_json,
                created_by=actor,
            )
        except IntegrityError:
            raise Conflict("This period has already been distributed.") from None
        payouts = [
            Payout(
                distribution=distribution,
                member_id=int(line.member),
                amount_minor=to_minor(line.amount, code),
                share=line.share,
                explanation=result.explanations.get(line.member, {}),
            )
            for line in result.payouts
            if line.amount > 0
        ]
        if not payouts and not resources:
            raise Conflict(
                f"Nothing to pay for {start} to {end}: no reviewed work or lent resources "
                "came out with an amount, so no distribution was run.",
                field="period_end",
            )
        Payout.objects.bulk_create(payouts)
        _post_distribution(distribution, payouts, resources, actor)
        record(
            "books.distribution.posted",
            distribution,
            actor=actor,
            amount_minor=minor,
            currency=code,
            payouts=len(payouts),
        )
    return distribution


def _refuse_overlap(currency: str, start: dt.date, end: dt.date) -> None:
    existing = Distribution.objects.filter(
        currency=currency, period_start__lte=end, period_end__gte=start
    ).first()
    if existing is None:
        return
    if (existing.period_start, existing.period_end) == (start, end):
        raise Conflict(
            f"Already done: {existing} was distributed (distribution {existing.pk}).",
            field="period_start",
        )
    raise Conflict(
        f"The period overlaps the distribution of {existing}; each period is distributed once.",
        field="period_start",
    )


def _post_distribution(
    distribution: Distribution,
    payouts: list[Payout],
    resources: list[dict[str, Any]],
    actor: Member,
) -> None:
    code = distribution.currency
    # both entries commit to the distribution as stored: policy, request, result, payouts
    commits = records.digest(records.distribution_content(distribution.pk))
    if resources:
        owed: dict[int, int] = {}
        for payment in resources:
            owed[payment["member"]] = owed.get(payment["member"], 0) + payment["minor"]
        _post(
            EntryDraft(
                date=distribution.period_end,
                description=f"Resources lent, {distribution}: paid by metered use",
                postings=(
                    Posting(RESOURCES, code, sum(owed.values())),
                    *(
                        Posting(payable_account(m), code, -minor)
                        for m, minor in sorted(owed.items())
                    ),
                ),
                source=f"distribution:{distribution.pk}",
                actor=str(actor.pk),
                service="books.run_distribution",
                commits=commits,
            )
        )
    paid = sum(p.amount_minor for p in payouts)
    if paid:
        _post(
            EntryDraft(
                date=distribution.period_end,
                description=f"Distribution {distribution}: {len(payouts)} payouts",
                postings=(
                    Posting(PAYOUTS, code, paid),
                    *(
                        Posting(payable_account(p.member_id), code, -p.amount_minor)
                        for p in sorted(payouts, key=lambda p: p.member_id)
                    ),
                ),
                source=f"distribution:{distribution.pk}",
                actor=str(actor.pk),
                service="books.run_distribution",
                commits=commits,
            )
        )


def _request_json(request: AllocationRequest) -> dict[str, Any]:
    return {
        "currency": request.currency,
        "amount": str(request.amount),
        "method": request.method,
        "seed": request.seed,
        "members": [
            {"id": m.id, **({"reputation": str(m.reputation)} if m.reputation is not None else {})}
            for m in request.members
        ],
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
