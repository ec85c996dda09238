"""The open books over the API: income, distributions, payouts and their explanations,
expense claims and their peer decisions, what each member is owed, and withdrawals.

Everything here is public to read; writes need credentials. The journal itself
(entries, verification, balances, exports) is in ``commonshare.api.journal``.
Amounts are decimal strings with exactly the currency's number of minor-unit
digits ("12.50" EUR, "1200" JPY).
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from commonshare.api.auth import acting_member, any_member_auth, member_auth
from commonshare.api.schemas import (
    E404,
    E409,
    E422,
    WRITE,
    CurrencyCode,
    DecimalStr,
    ErrorOut,
    Id,
    IsoDate,
    MemberRef,
    OneLine,
    Pagination,
    PathId,
    StrictIn,
    Text,
)
from commonshare.books import selectors, services
from commonshare.books.models import (
    Distribution,
    ExpenseDecision,
    Income,
    Payout,
    Withdrawal,
)
from commonshare.books.selectors import expenses
from commonshare.community import selectors as community_selectors
from commonshare.community.models import Member
from commonshare.core import exports
from commonshare.core.money import from_minor
from commonshare.work.api import version_read
from commonshare.work.models import Contribution

router = Router(tags=["books"])


IncomeSource = Literal["support", "hosting", "custom-work", "sales", "donations"]


class IncomeIn(StrictIn):
    amount: DecimalStr
    currency: CurrencyCode
    payer: OneLine = Field(min_length=1, max_length=200)
    description: OneLine = Field(min_length=1, max_length=500)
    received_on: IsoDate
    source: IncomeSource = Field("support", description="Books it to income:<source>")
    reference: OneLine = Field("", max_length=200, description="Invoice or bank reference")


class IncomeOut(Schema):
    id: int
    amount: str
    currency: str
    source: IncomeSource
    reference: str
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
def record_income(request: HttpRequest, payload: IncomeIn) -> Status[Any]:
    income = services.record_income(
        acting_member(request),
        amount=payload.amount,
        currency=payload.currency,
        payer=payload.payer,
        description=payload.description,
        received_on=payload.received_on,
        source=payload.source,
        reference=payload.reference,
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
def run_distribution(request: HttpRequest, payload: DistributionIn) -> Status[Any]:
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


# --- expense claims -----------------------------------------------------------------------

ExpenseStatus = Literal["pending", "approved", "rejected"]
Verdict = Literal["approve", "reject"]


class ExpenseFilter(Schema):
    status: ExpenseStatus | None = None


class ExpenseDecisionOut(Schema):
    member: MemberRef
    verdict: Verdict
    reason: str
    version: int | None = Field(
        description="The claim's version the member decided on (null for older decisions)"
    )
    created_at: dt.datetime


class ExpenseClaimOut(Schema):
    """An expense claim (a contribution of kind expense) and where it stands."""

    id: int = Field(description="The contribution's id")
    summary: str
    claimant: MemberRef
    amount: str
    currency: str
    status: ExpenseStatus
    version: int = Field(description="The claim's version now: decide on this one")
    decisions: list[ExpenseDecisionOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_claimant(obj: Contribution) -> Member:
        return obj.author

    @staticmethod
    def resolve_amount(obj: Contribution) -> str:
        return exports.amount_text(obj.amount_minor or 0, obj.currency) if obj.currency else "0"

    @staticmethod
    def resolve_decisions(obj: Contribution) -> list[ExpenseDecision]:
        return list(obj.expense_decisions.all())


class ExpenseDecisionIn(StrictIn):
    version: int | None = Field(
        None,
        ge=1,
        le=10**9,
        description="The claim's version you read (or send its ETag in If-Match); one is required",
    )
    verdict: Verdict
    reason: Text = Field("", max_length=500, description="Required to reject")


@router.get("/expenses", response={200: list[ExpenseClaimOut], **E422}, tags=["expenses"])
@paginate(Pagination)
def list_expenses(request: HttpRequest, filters: Query[ExpenseFilter]) -> list[Contribution]:
    """Expense claims, newest first, with every peer's decision and reason."""
    return expenses.expense_claims(filters.status)


@router.post(
    "/expenses/{contribution_id}/decision",
    auth=member_auth,
    response={201: ExpenseClaimOut, **WRITE, **E404, **E409, 428: ErrorOut},
    tags=["expenses"],
)
def decide_expense(
    request: HttpRequest,
    contribution_id: PathId,
    payload: ExpenseDecisionIn,
    if_match: HeaderEx[str | None, P(alias="If-Match", max_length=100)] = None,
) -> Status[Any]:
    """Approve or reject the version you read of a peer's expense claim.

    Enough approvals make it a debt owed. 409 when the claim changed since (the
    detail lists what changed); 428 when neither ``version`` nor ``If-Match``
    says which version you read.
    """
    services.decide_expense(
        acting_member(request),
        contribution_id,
        verdict=payload.verdict,
        reason=payload.reason,
        version=version_read(contribution_id, payload.version, if_match, sending="decision"),
    )
    return Status(201, expenses.expense_claim(contribution_id))


# --- what members are owed, and withdrawals -----------------------------------------------


class WithdrawalIn(StrictIn):
    member_id: Id
    amount: DecimalStr
    currency: CurrencyCode
    reference: OneLine = Field(min_length=1, max_length=200, description="Bank transfer ref.")


class WithdrawalOut(Schema):
    id: int
    member: MemberRef
    amount: str
    currency: str
    reference: str
    entry_seq: int
    created_at: dt.datetime

    @staticmethod
    def resolve_amount(obj: Withdrawal) -> str:
        return exports.amount_text(obj.amount_minor, obj.currency)

    @staticmethod
    def resolve_entry_seq(obj: Withdrawal) -> int:
        return obj.entry_id


class OwedOut(Schema):
    currency: str
    amount: str
    minor: int


class AccountLineOut(Schema):
    """A posting to the member's payable account: a credit (negative) means more is owed."""

    seq: int
    date: dt.date
    description: str
    currency: str
    minor: int
    amount: str
    owed_change: str = Field(description="How much more (or, if negative, less) is owed")


class MemberBalanceOut(Schema):
    member: MemberRef
    owed: list[OwedOut]
    history: list[AccountLineOut] = Field(description="Newest first, at most 200 lines")
    withdrawals: list[WithdrawalOut]


@router.post(
    "/withdrawals",
    auth=any_member_auth,
    response={201: WithdrawalOut, **WRITE, **E404},
    tags=["members"],
)
def record_withdrawal(request: HttpRequest, payload: WithdrawalIn) -> Status[Any]:
    """Mark money the commons owes a member as paid by bank transfer ``reference``."""
    withdrawal = services.record_withdrawal(
        acting_member(request),
        member_id=payload.member_id,
        amount=payload.amount,
        currency=payload.currency,
        reference=payload.reference,
    )
    return Status(201, withdrawal)


@router.get(
    "/members/{member_id}/balance",
    response={200: MemberBalanceOut, **E404, **E422},
    tags=["members"],
)
def member_balance(request: HttpRequest, member_id: PathId) -> dict[str, Any]:
    """What the commons owes a member per currency, their account's history and withdrawals."""
    member = community_selectors.member(member_id)
    history = selectors.member_account_history(member)
    return {
        "member": member,
        "owed": [
            {"currency": code, "minor": owed, "amount": exports.amount_text(owed, code)}
            for code, owed in selectors.owed_by_currency(member.pk)
        ],
        "history": [
            {
                "seq": line["entry_id"],
                "date": line["entry__date"],
                "description": line["entry__description"],
                "currency": line["currency"],
                "minor": line["minor"],
                "amount": exports.amount_text(line["minor"], line["currency"]),
                "owed_change": exports.amount_text(-line["minor"], line["currency"]),
            }
            for line in history
        ],
        "withdrawals": list(selectors.withdrawals_of(member).select_related("member")),
    }
