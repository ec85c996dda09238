"""The open books over the API: income, distributions, payouts and their explanations,
expense claims and their peer decisions, what each member is owed, and withdrawals.

Everything here is public to read; writes need credentials. The journal itself
(entries, verification, balances, exports) is in ``commonshare.api.journal``.
Amounts are decimal strings with exactly the currency's number of minor-unit
digits ("12.50" EUR, "1200" JPY).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.params import HeaderEx, P

from commonshare import paging
from commonshare.apikit import (
    E404,
    E409,
    E422,
    WRITE,
    ErrorOut,
    PathId,
    paged,
    paged_here,
)
from commonshare.books import distribution as distributions
from commonshare.books import selectors, services
from commonshare.books.models import (
    Distribution,
    Income,
    Payout,
    Withdrawal,
)
from commonshare.books.schemas import (
    AccountLineOut,
    DisputeIn,
    DistributionDetailOut,
    DistributionIn,
    DistributionOut,
    ExpenseClaimOut,
    ExpenseDecisionIn,
    ExpenseFilter,
    IncomeIn,
    IncomeOut,
    MemberBalanceOut,
    MemberPayoutOut,
    PayoutLineOut,
    PayoutOut,
    ResolutionIn,
    ReversalOut,
    WaitingOut,
    WaitingQuery,
    WithdrawalIn,
    WithdrawalOut,
    WithdrawDistributionIn,
)
from commonshare.books.selectors import expenses, waiting
from commonshare.community import selectors as community_selectors
from commonshare.community.auth import acting_member, any_member_auth, member_auth
from commonshare.core import exports
from commonshare.work.api import version_read

router = Router(tags=["books"])


@router.get("/income", response={200: list[IncomeOut], **E422}, tags=["income"])
@paged
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
@paged
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
def propose_distribution(request: HttpRequest, payload: DistributionIn) -> Status[Any]:
    """Propose the split of a closed period: frozen now, and carried by a lazy-consensus
    decision (``decision_number``) that posts it when the challenge window closes, unless
    an objection turns it into a vote that rejects it. Close it with
    ``POST /api/decisions/{number}/close``.

    A proposal not yet posted for the same period is replaced by this one.
    """
    distribution = distributions.propose_distribution(
        acting_member(request),
        period=payload.period,
        currency=payload.currency,
        amount=payload.amount,
    )
    return Status(201, distribution)


@router.post(
    "/distributions/{distribution_id}/withdraw",
    auth=member_auth,
    response={200: DistributionDetailOut, **WRITE, **E404, **E409},
    tags=["distributions"],
)
def withdraw_distribution(
    request: HttpRequest, distribution_id: PathId, payload: WithdrawDistributionIn
) -> Distribution:
    """The proposer withdraws their distribution before its decision closes (the decision
    closes as withdrawn)."""
    return distributions.withdraw_distribution(
        acting_member(request), distribution_id, reason=payload.reason
    )


@router.get(
    "/distributions/{distribution_id}/payouts",
    response={200: list[PayoutLineOut], **E404, **E422},
    tags=["distributions"],
)
@paged
def distribution_payouts(request: HttpRequest, distribution_id: PathId) -> QuerySet[Payout]:
    """A distribution's payouts, the largest first, a page at a time (its detail carries
    the first hundred, and the cursor of the rest as ``payouts_next``)."""
    return selectors.payouts_of(selectors.distribution(distribution_id, brief=True))


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
@paged
def member_payouts(request: HttpRequest, member_id: PathId) -> QuerySet[Payout]:
    return selectors.payouts_for(community_selectors.member(member_id))


# --- expense claims -----------------------------------------------------------------------


@router.get("/expenses", response={200: list[ExpenseClaimOut], **E422}, tags=["expenses"])
@paged_here
def list_expenses(request: HttpRequest, filters: Query[ExpenseFilter], **kwargs: Any) -> Any:
    """Expense claims, newest first, with every peer's decision and reason."""
    page = kwargs["paging"]
    return expenses.expense_claims_page(filters.status, cursor=page.cursor, size=page.limit)


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


@router.post(
    "/withdrawals",
    auth=member_auth,
    response={201: WithdrawalOut, **WRITE, **E404},
    tags=["members"],
)
def record_withdrawal(request: HttpRequest, payload: WithdrawalIn) -> Status[Any]:
    """Record money the commons owes a member as sent by bank transfer ``reference``.

    Recorded by the sender, never the payee; it is pending (and counts against what the
    member is owed) until the payee confirms receipt, when the journal entry posts.
    """
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
        "history": [_account_line(line) for line in history],
        # The newest page: ``/members/{member_id}/withdrawals`` pages through them all.
        "withdrawals": list(
            selectors.withdrawals_of(member).select_related("member", "recorded_by", "resolved_by")[
                : paging.DEFAULT_SIZE
            ]
        ),
    }


def _account_line(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": line["entry_id"],
        "date": line["entry__date"],
        "description": line["entry__description"],
        "currency": line["currency"],
        "minor": line["minor"],
        "amount": exports.amount_text(line["minor"], line["currency"]),
        "owed_change": exports.amount_text(-line["minor"], line["currency"]),
    }


@router.get(
    "/members/{member_id}/history",
    response={200: list[AccountLineOut], **E404, **E422},
    tags=["members"],
)
@paged_here
def member_history(request: HttpRequest, member_id: PathId, **kwargs: Any) -> Any:
    """The postings to a member's account, newest entry first: what was owed and paid."""
    asked = kwargs["paging"]
    found = paging.page(
        selectors.account_history(community_selectors.member(member_id)),
        cursor=asked.cursor,
        size=asked.limit,
    )
    return paging.Page(
        [_account_line(line) for line in found], found.next_cursor, found.previous_cursor
    )


@router.get(
    "/members/{member_id}/withdrawals",
    response={200: list[WithdrawalOut], **E404, **E422},
    tags=["members"],
)
@paged
def member_withdrawals(request: HttpRequest, member_id: PathId) -> QuerySet[Withdrawal]:
    """Payouts by bank transfer to a member, newest first, with where each stands."""
    member = community_selectors.member(member_id)
    return selectors.withdrawals_of(member).select_related("member", "recorded_by", "resolved_by")


# --- confirmations: money moves only when a second person agrees ---------------------------


@router.post(
    "/income/{income_id}/confirm",
    auth=member_auth,
    response={200: IncomeOut, **WRITE, **E404, **E409},
    tags=["income"],
)
def confirm_income(request: HttpRequest, income_id: PathId) -> Income:
    """Confirm pending income someone else recorded: it is posted to the books now."""
    return services.confirm_income(acting_member(request), income_id)


@router.post(
    "/withdrawals/{withdrawal_id}/confirm",
    auth=any_member_auth,
    response={200: WithdrawalOut, **WRITE, **E404, **E409},
    tags=["members"],
)
def confirm_withdrawal(request: HttpRequest, withdrawal_id: PathId) -> Any:
    """The payee confirms a payout arrived: its journal entry posts now."""
    return services.confirm_withdrawal(acting_member(request), withdrawal_id)


@router.post(
    "/withdrawals/{withdrawal_id}/dispute",
    auth=any_member_auth,
    response={200: WithdrawalOut, **WRITE, **E404, **E409},
    tags=["members"],
)
def dispute_withdrawal(request: HttpRequest, withdrawal_id: PathId, payload: DisputeIn) -> Any:
    """The payee says a recorded payout did not arrive as recorded; nothing posts."""
    return services.dispute_withdrawal(acting_member(request), withdrawal_id, reason=payload.reason)


@router.post(
    "/withdrawals/{withdrawal_id}/resolve",
    auth=member_auth,
    response={200: WithdrawalOut, **WRITE, **E404, **E409},
    tags=["members"],
)
def resolve_withdrawal(request: HttpRequest, withdrawal_id: PathId, payload: ResolutionIn) -> Any:
    """A third member settles a disputed payout: it did arrive (it posts) or not (cancelled)."""
    return services.resolve_withdrawal(
        acting_member(request), withdrawal_id, outcome=payload.outcome, reason=payload.reason
    )


@router.get("/reversals", response={200: list[ReversalOut], **E422}, tags=["journal"])
@paged
def list_reversals(request: HttpRequest) -> Any:
    """Reversals asked for, newest first: pending ones wait for a second member."""
    return waiting.reversal_requests()


@router.post(
    "/reversals/{request_id}/confirm",
    auth=member_auth,
    response={200: ReversalOut, **WRITE, **E404, **E409},
    tags=["journal"],
)
def confirm_reversal(request: HttpRequest, request_id: PathId) -> Any:
    """Confirm a reversal another member asked for: the reversing entry posts now."""
    services.confirm_reversal(acting_member(request), request_id)
    return waiting.reversal_request(request_id)


@router.get(
    "/books/waiting",
    auth=any_member_auth,
    response={200: WaitingOut, 400: ErrorOut, **WRITE},
    tags=["members"],
)
def waiting_for_me(request: HttpRequest, cursors: Query[WaitingQuery]) -> Any:
    """What waits for your confirmation: income, payouts to you, reversals, expense claims
    you were drawn to approve, one page of each list (`next` names the cursor of each
    list's next page, passed back under the list's name: `?incomes=…`); and every
    distribution in its challenge window, with what it pays you, when it posts and how you
    may object."""
    return waiting.waiting_for(acting_member(request), cursors.model_dump())
