"""The open books over the API: income, distributions, payouts and their explanations.

Everything here is public to read. Amounts are decimal strings with exactly
the currency's number of minor-unit digits ("12.50" EUR, "1200" JPY).
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from commonshare.api.auth import acting_member, member_auth
from commonshare.api.schemas import (
    E404,
    E409,
    E422,
    WRITE,
    CurrencyCode,
    DecimalStr,
    IsoDate,
    MemberRef,
    Pagination,
    PathId,
    StrictIn,
    Text,
)
from commonshare.books import selectors, services
from commonshare.books.models import Distribution, Income, Payout
from commonshare.community import selectors as community_selectors
from commonshare.core.money import from_minor

router = Router(tags=["books"])


class IncomeIn(StrictIn):
    amount: DecimalStr
    currency: CurrencyCode
    payer: Text = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1, max_length=500)
    received_on: IsoDate


class IncomeOut(Schema):
    id: int
    amount: str
    currency: str
    payer: str
    description: str
    received_on: dt.date
    recorded_by: MemberRef
    created_at: dt.datetime

    @staticmethod
    def resolve_amount(obj: Income) -> str:
        return str(obj.amount)


class DistributionIn(StrictIn):
    period_start: IsoDate
    period_end: IsoDate
    currency: CurrencyCode
    amount: DecimalStr | None = Field(
        None, description="Defaults to all income in the currency not yet distributed"
    )


class DistributionOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    currency: str
    amount: str
    remainder: str = Field(description="Left undistributed by rounding, carried forward")
    method: str
    seed: str
    created_by: MemberRef
    created_at: dt.datetime

    @staticmethod
    def resolve_amount(obj: Distribution) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_remainder(obj: Distribution) -> str:
        return str(obj.remainder)


class PayoutLineOut(Schema):
    member: MemberRef
    amount: str
    share: str

    @staticmethod
    def resolve_amount(obj: Payout) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_share(obj: Payout) -> str:
        return str(obj.share)


class DistributionDetailOut(DistributionOut):
    policy: dict[str, Any]
    payouts: list[PayoutLineOut]

    @staticmethod
    def resolve_payouts(obj: Distribution) -> list[Payout]:
        return list(selectors.payouts_of(obj))


class PayoutOut(PayoutLineOut):
    """One member's payout in a distribution, with the explanation of every number."""

    distribution_id: int
    currency: str
    explanation: dict[str, Any]

    @staticmethod
    def resolve_currency(obj: Payout) -> str:
        return obj.distribution.currency


class DistributionRef(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    currency: str


class MemberPayoutOut(Schema):
    distribution: DistributionRef
    amount: str
    share: str

    @staticmethod
    def resolve_amount(obj: Payout) -> str:
        return str(from_minor(obj.amount_minor, obj.distribution.currency))

    @staticmethod
    def resolve_share(obj: Payout) -> str:
        return str(obj.share)


@router.get("/income", response={200: list[IncomeOut], **E422}, tags=["income"])
@paginate(Pagination)
def list_income(request: HttpRequest) -> QuerySet[Income]:
    return selectors.incomes()


@router.post("/income", auth=member_auth, response={201: IncomeOut, **WRITE}, tags=["income"])
def record_income(request: HttpRequest, payload: IncomeIn) -> Status:
    income = services.record_income(
        acting_member(request),
        amount=payload.amount,
        currency=payload.currency,
        payer=payload.payer,
        description=payload.description,
        received_on=payload.received_on,
    )
    return Status(201, income)


@router.get("/distributions", response={200: list[DistributionOut], **E422}, tags=["distributions"])
@paginate(Pagination)
def list_distributions(request: HttpRequest) -> QuerySet[Distribution]:
    return selectors.distributions()


@router.get(
    "/distributions/{distribution_id}",
    response={200: DistributionDetailOut, **E404, **E422},
    tags=["distributions"],
)
def get_distribution(request: HttpRequest, distribution_id: PathId) -> Distribution:
    return selectors.distribution(distribution_id)


@router.post(
    "/distributions",
    auth=member_auth,
    response={201: DistributionDetailOut, **WRITE, **E409},
    tags=["distributions"],
)
def run_distribution(request: HttpRequest, payload: DistributionIn) -> Status:
    """Split the period's income among its reviewed contributors, once per period."""
    distribution = services.run_distribution(
        acting_member(request),
        period_start=payload.period_start,
        period_end=payload.period_end,
        currency=payload.currency,
        amount=payload.amount,
    )
    return Status(201, distribution)


@router.get(
    "/distributions/{distribution_id}/payouts/{member_id}",
    response={200: PayoutOut, **E404, **E422},
    tags=["distributions"],
)
def get_payout(request: HttpRequest, distribution_id: PathId, member_id: PathId) -> Payout:
    return selectors.payout(distribution_id, member_id)


@router.get(
    "/members/{member_id}/payouts",
    response={200: list[MemberPayoutOut], **E404, **E422},
    tags=["members"],
)
@paginate(Pagination)
def member_payouts(request: HttpRequest, member_id: PathId) -> QuerySet[Payout]:
    return selectors.payouts_for(community_selectors.member(member_id))
