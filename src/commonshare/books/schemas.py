"""The books API's schemas: income, distributions, payouts, expense claims, withdrawals.

Amounts are decimal strings with exactly the currency's number of minor-unit digits.
The handlers are in ``books.api``.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from commonshare import paging
from commonshare.apikit import (
    CurrencyCode,
    DecimalStr,
    Id,
    IsoDate,
    MemberRef,
    OneLine,
    StrictIn,
    Text,
)
from commonshare.books import selectors
from commonshare.books.models import (
    Distribution,
    ExpenseDecision,
    Income,
    Payout,
    Withdrawal,
)
from commonshare.books.vocab import (
    DEFAULT_INCOME_SOURCE,
    INCOME_DESCRIPTION_MAX,
    PAYER_MAX,
    PERIOD_TEXT_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    DisputeOutcomeValue,
    DistributionStatusValue,
    ExpenseStatusValue,
    ExpenseVerdictValue,
    IncomeSourceValue,
    IncomeStatusValue,
    ReversalStatusValue,
    WithdrawalStatusValue,
)
from commonshare.community.models import Member
from commonshare.core import exports
from commonshare.core.money import from_minor
from commonshare.work.models import Contribution


class IncomeIn(StrictIn):
    amount: DecimalStr
    currency: CurrencyCode
    payer: OneLine = Field(min_length=1, max_length=PAYER_MAX)
    description: OneLine = Field(min_length=1, max_length=INCOME_DESCRIPTION_MAX)
    received_on: IsoDate
    source: IncomeSourceValue = Field(
        DEFAULT_INCOME_SOURCE, description="Books it to income:<source>"
    )
    reference: OneLine = Field(
        "", max_length=REFERENCE_MAX, description="Invoice or bank reference"
    )


class IncomeOut(Schema):
    id: int
    amount: str
    currency: str
    source: IncomeSourceValue
    reference: str
    payer: str
    description: str
    received_on: dt.date
    recorded_by: MemberRef
    created_at: dt.datetime
    status: IncomeStatusValue = Field(
        description="pending until a second member confirms it; only confirmed income is "
        "in the books and can be distributed"
    )
    confirmed_by: MemberRef | None
    confirmed_at: dt.datetime | None
    duplicate_of: int | None = Field(
        description="Another income with the same payer, amount and date when this one was "
        "entered: a likely duplicate, for the confirmer to check"
    )

    @staticmethod
    def resolve_amount(obj: Income) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_duplicate_of(obj: Income) -> int | None:
        return obj.duplicate_of_id


class DistributionIn(StrictIn):
    period: str = Field(
        min_length=7,
        max_length=PERIOD_TEXT_MAX,
        pattern=r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$",
        description="The closed period: its first month, YYYY-MM, or its first day",
    )
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
    policy_version: int | None = Field(
        description="The policy version in force when the period began; null when the "
        "distribution was frozen before policy versions existed"
    )
    policy_sha256: str | None = Field(
        description="The sha256 of that version's canonical JSON; null as policy_version"
    )
    created_by: MemberRef
    created_at: dt.datetime
    status: DistributionStatusValue = Field(
        description="proposed: frozen and open for challenge, not posted yet; posted; "
        "superseded by a newer proposal for the period; or withdrawn"
    )
    challenge_ends_at: dt.datetime | None = Field(
        description="When the challenge window closes and it may be posted; null for "
        "distributions posted before proposals existed"
    )
    posted_at: dt.datetime | None
    decision_number: int | None = Field(
        description="The lazy-consensus decision that carries it: it posts when that "
        "decision closes with no objection; null for distributions from before"
    )
    withdrawn_reason: str = Field(
        description="Why it was withdrawn or replaced (by its proposer, or because its "
        "decision did not pass); empty otherwise"
    )

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
    explanation: dict[str, Any]

    @staticmethod
    def resolve_amount(obj: Payout) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_share(obj: Payout) -> str:
        return str(obj.share)


DETAIL_PAYOUTS = paging.MAX_SIZE
"""How many payouts a distribution's detail carries: it pays thousands of members in a
large community, and all of them with their explanations would be megabytes."""


def _first_payouts(obj: Distribution) -> paging.Page[Payout]:
    # one page, read once for the three fields that show it
    found: paging.Page[Payout] | None = getattr(obj, "_first_payouts", None)
    if found is None:
        found = paging.page(selectors.payouts_of(obj), size=DETAIL_PAYOUTS)
        obj._first_payouts = found  # type: ignore[attr-defined]
    return found


class DistributionDetailOut(DistributionOut):
    policy: dict[str, Any]
    payout_count: int = Field(description="How many members it pays")
    payouts: list[PayoutLineOut] = Field(
        description=f"Its largest payouts, at most {DETAIL_PAYOUTS}, the largest first"
    )
    payouts_next: str | None = Field(
        description="Null when `payouts` holds them all; else the cursor of the rest: "
        "`GET /api/distributions/{id}/payouts?cursor=…`"
    )

    @staticmethod
    def resolve_payout_count(obj: Distribution) -> int:
        return obj.payouts.count()

    @staticmethod
    def resolve_payouts(obj: Distribution) -> list[Payout]:
        return _first_payouts(obj).items

    @staticmethod
    def resolve_payouts_next(obj: Distribution) -> str | None:
        return _first_payouts(obj).next_cursor


class PayoutOut(PayoutLineOut):
    """One member's payout in a distribution, with the explanation of every number."""

    distribution_id: int
    currency: str

    @staticmethod
    def resolve_currency(obj: Payout) -> str:
        return obj.distribution.currency


class DistributionRef(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    currency: str
    status: DistributionStatusValue


class WithdrawDistributionIn(StrictIn):
    reason: OneLine = Field(min_length=1, max_length=REASON_MAX)


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


ExpenseStatus = ExpenseStatusValue
Verdict = ExpenseVerdictValue


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
    approvers: list[int] | None = Field(
        description="Ids of the members drawn to approve it (null for claims logged before "
        "approvers were drawn: any member who may approve expenses decides those)"
    )
    approver_seed: str = Field(description="The published seed of the approver draw")
    approver_pool: list[str] | None = Field(
        description="Ids of the members eligible when approvers were drawn"
    )
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
    reason: Text = Field("", max_length=REASON_MAX, description="Required to reject")


class WithdrawalIn(StrictIn):
    member_id: Id
    amount: DecimalStr
    currency: CurrencyCode
    reference: OneLine = Field(
        min_length=1, max_length=REFERENCE_MAX, description="Bank transfer ref."
    )


class WithdrawalOut(Schema):
    id: int
    member: MemberRef
    amount: str
    currency: str
    reference: str
    entry_seq: int | None = Field(
        description="The journal entry, posted when the payee confirms receipt (null before)"
    )
    status: WithdrawalStatusValue
    recorded_by: MemberRef | None
    dispute_reason: str
    resolution: DisputeOutcomeValue | None = Field(
        description="How a third member settled a dispute: paid (posted) or cancelled"
    )
    resolution_reason: str
    resolved_by: MemberRef | None
    created_at: dt.datetime

    @staticmethod
    def resolve_amount(obj: Withdrawal) -> str:
        return exports.amount_text(obj.amount_minor, obj.currency)

    @staticmethod
    def resolve_entry_seq(obj: Withdrawal) -> int | None:
        return obj.entry_id

    @staticmethod
    def resolve_resolution(obj: Withdrawal) -> str | None:
        return obj.resolution or None


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
    history: list[AccountLineOut] = Field(
        description="Newest first, at most 200 lines; `GET /api/members/{member_id}/history` "
        "pages through them all"
    )
    withdrawals: list[WithdrawalOut] = Field(
        description="The newest 50; `GET /api/members/{member_id}/withdrawals` pages "
        "through them all"
    )


class DisputeIn(StrictIn):
    reason: Text = Field(min_length=1, max_length=REASON_MAX, description="What is wrong")


class ResolutionIn(StrictIn):
    outcome: DisputeOutcomeValue = Field(
        description="paid: the money did arrive, post the payout; cancelled: it did not"
    )
    reason: Text = Field(min_length=1, max_length=REASON_MAX, description="What you found")


class ReversalIn(StrictIn):
    seq: Id = Field(description="The journal entry to reverse")
    reason: Text = Field(min_length=1, max_length=REASON_MAX)


class ReversalOut(Schema):
    id: int
    seq: int = Field(description="The journal entry to reverse")
    reason: str
    requested_by: MemberRef
    status: ReversalStatusValue
    confirmed_by: MemberRef | None
    decision_number: int | None
    reversal_seq: int | None = Field(description="The reversing entry, once confirmed")
    created_at: dt.datetime


def _list_cursor(name: str) -> Any:
    return Field(
        None,
        max_length=paging.MAX_CURSOR_LENGTH,
        pattern=r"^[A-Za-z0-9_-]*$",
        description=f"Where the list starts: a cursor from `next.{name}`",
    )


class WaitingQuery(Schema):
    """Where each list of ``/books/waiting`` starts (its first page without one)."""

    incomes: str | None = _list_cursor("incomes")
    withdrawals: str | None = _list_cursor("withdrawals")
    disputes: str | None = _list_cursor("disputes")
    reversals: str | None = _list_cursor("reversals")
    claims: str | None = _list_cursor("claims")


class WaitingNextOut(Schema):
    """The cursor of each list's next page (pass it back under the list's name), or null."""

    incomes: str | None
    withdrawals: str | None
    disputes: str | None
    reversals: str | None
    claims: str | None


class ChallengeOut(Schema):
    """A proposed distribution in its challenge window, as the calling member sees it."""

    distribution: DistributionRef
    amount: str
    payees: int = Field(description="How many members it pays")
    your_payout: str | None = Field(description="What it pays the calling member, if anything")
    decision: int = Field(description="The number of the lazy-consensus decision carrying it")
    posts_at: dt.datetime = Field(
        description="When its decision (or the majority vote after an objection) closes: it "
        "posts then unless stopped"
    )
    in_vote: bool = Field(description="An objection turned it into a majority vote")
    may_object: bool = Field(description="Whether the calling member may object (or vote)")
    objected: bool = Field(description="The calling member's ballot objects, or votes against")
    posts: str = Field(description="When it posts, in a sentence")
    how_to_object: str = Field(description="What the calling member can do, in a sentence")

    @staticmethod
    def resolve_distribution(obj: Any) -> Any:
        return obj.distribution

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return str(obj.distribution.amount)

    @staticmethod
    def resolve_your_payout(obj: Any) -> str | None:
        if obj.yours is None:
            return None
        return str(from_minor(obj.yours.amount_minor, obj.distribution.currency))

    @staticmethod
    def resolve_decision(obj: Any) -> int:
        return int(obj.number)

    @staticmethod
    def resolve_in_vote(obj: Any) -> bool:
        return bool(obj.standing.in_vote)

    @staticmethod
    def resolve_objected(obj: Any) -> bool:
        return bool(obj.standing.objected)

    @staticmethod
    def resolve_posts(obj: Any) -> str:
        return str(obj.posts())

    @staticmethod
    def resolve_how_to_object(obj: Any) -> str:
        return str(obj.how_to_object())


class WaitingOut(Schema):
    """What waits for the calling member's confirmation, one page (50) of each list, and
    the distributions in their challenge window."""

    incomes: list[IncomeOut]
    withdrawals: list[WithdrawalOut]
    disputes: list[WithdrawalOut] = Field(
        description="Disputed payouts the member may resolve (neither payee nor recorder)"
    )
    reversals: list[ReversalOut]
    claims: list[ExpenseClaimOut]
    next: WaitingNextOut
    challenges: list[ChallengeOut] = Field(
        description="Proposed distributions in their challenge window (shown to every member; "
        "not counted as waiting for you)"
    )

    @staticmethod
    def resolve_next(waiting: Any) -> dict[str, str | None]:
        pages = waiting.pages
        return {
            name: pages[name].next_cursor if name in pages else None
            for name in WaitingNextOut.model_fields
        }
