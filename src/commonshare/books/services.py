"""Every write to the books: one transaction each, with its journal entry and audit row.

Money flows (debit-positive postings, see core.ledger):

- income:       Dr assets:bank (income - reserve), Dr assets:reserve, Cr income:<source>
- expense:      approved by N peers, then Dr expenses:claims, Cr liabilities:payable:<member>
- resources:    at distribution, Dr expenses:resources, Cr liabilities:payable:<member>
- distribution: Dr expenses:payouts, Cr liabilities:payable:<member> for each payout
- withdrawal:   Dr liabilities:payable:<member>, Cr assets:bank
- reversal:     the reversed entry's postings with signs flipped

What can be distributed is what the bank holds beyond what is owed to
members (approved expenses, resource use, earlier payouts not yet withdrawn),
so debts are always paid before any distribution.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from commonshare.audit.services import record
from commonshare.books import journal, records
from commonshare.books.models import Distribution, ExpenseDecision, Income, Payout, Withdrawal
from commonshare.books.policy import current_policy, effort_of, resource_price
from commonshare.books.selectors.owed import owed_minor
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act, ensure_may_withdraw
from commonshare.core.ledger import (
    BANK,
    MAX_MINOR,
    PAYOUTS,
    RESERVE,
    EntryDraft,
    LedgerError,
    Posting,
    StoredEntry,
    expense_account,
    income_account,
    one_line,
    payable_account,
)
from commonshare.core.money import (
    MoneyError,
    check_currency,
    check_new_currency,
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
from commonshare.core.words import long_date, one_of
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound, Problems
from commonshare.work import versions
from commonshare.work.models import Contribution, Review

VALUED_KINDS = ("work", "deliverable")
CLAIMS = expense_account("claims")
RESOURCES = expense_account("resources")


# The largest amount each money field accepts, in whole units of its currency
# (documented in docs/books.md, "Limits"); anything larger is a typing mistake.
MAX_INCOME = Decimal(1_000_000_000)
MAX_WITHDRAWAL = Decimal(1_000_000_000)
MAX_DISTRIBUTION = Decimal(1_000_000_000)

LABELS = {
    "received_on": "The date received",
    "period_start": "The period's start",
    "period_end": "The period's end",
}


def _code(currency: str, *, new: bool = False) -> str:
    """The currency code; ``new`` money (income) must be in a currency still in use."""
    try:
        return check_new_currency(currency) if new else check_currency(currency)
    except MoneyError as error:
        raise InvalidInput(str(error), field="currency") from None


def _amount_minor(amount: Any, code: str, *, most: Decimal) -> int:
    """``amount`` in minor units of ``code``: more than zero and at most ``most``."""
    if amount is None or amount == "":
        raise InvalidInput("Amount is required.", field="amount")
    try:
        number = parse_decimal(str(amount) if isinstance(amount, float) else amount)
        minor = to_minor(number, code)
    except MoneyError as error:
        raise InvalidInput(str(error), field="amount") from None
    if minor <= 0:
        raise InvalidInput("Amount must be more than zero.", field="amount")
    if number > most or minor > MAX_MINOR:
        raise InvalidInput(f"Amount can be at most {most:,} {code}.", field="amount")
    return minor


def _date(value: Any, field: str) -> dt.date:
    name = LABELS.get(field, field.replace("_", " ").capitalize())
    if isinstance(value, dt.datetime):
        raise InvalidInput(f"{name} must be a date, not a date and time.", field=field)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{name} must be a date as YYYY-MM-DD.", field=field) from None


def community_began() -> dt.date | None:
    """The day the community began: when its first member joined (None before anyone)."""
    first = Member.objects.aggregate(first=Min("joined_at"))["first"]
    return timezone.localdate(first) if first is not None else None


def _received_on(value: Any) -> dt.date:
    """A date received: not in the future, nor before the community began."""
    received = _date(value, "received_on")
    today = timezone.localdate()
    if received > today:
        raise InvalidInput("The date received cannot be in the future.", field="received_on")
    began = community_began()
    if began is not None and received < began:
        raise InvalidInput(
            f"The date received cannot be before the community began ({long_date(began)}).",
            field="received_on",
        )
    return received


def _post(draft: EntryDraft) -> StoredEntry:
    """Open the accounts this service vouches for, then post; a ledger refusal is bad input."""
    journal.lock()  # before opening accounts: two first uses of one account would collide
    journal.open_accounts((p.account for p in draft.postings), on=draft.date)
    try:
        return journal.post(draft)
    except LedgerError as error:
        raise InvalidInput("; ".join(error.problems)) from None


# --- income -------------------------------------------------------------------------


def record_income(
    actor: Member,
    *,
    amount: Any,
    currency: str,
    payer: str,
    description: str,
    received_on: Any,
    source: str = Income.Source.SUPPORT,
    reference: str = "",
) -> Income:
    """Record money received; the policy's reserve share goes to the reserve at once."""
    ensure_may_act(actor, doing="record income")
    problems = Problems()
    code = problems.check(_code, currency, new=True)
    minor = problems.check(_amount_minor, amount, code, most=MAX_INCOME) if code else 0
    payer = (payer or "").strip()
    description = (description or "").strip()
    reference = (reference or "").strip()
    if not payer or len(payer) > 200:
        problems.add("payer", "Say who paid (1 to 200 characters).")
    if not description or len(description) > 500:
        problems.add("description", "Say what the money was for (1 to 500 characters).")
    if len(reference) > 200:
        problems.add("reference", "The reference can be at most 200 characters.")
    if source not in Income.Source.values:
        problems.add("source", f"Choose the source: {one_of(Income.Source.labels)}.")
    received = problems.check(_received_on, received_on)
    problems.raise_any()
    reserve_minor = _reserve_part(minor, current_policy())
    with transaction.atomic():
        income = Income.objects.create(
            amount_minor=minor,
            currency=code,
            source=source,
            reference=reference,
            payer=payer,
            description=description,
            received_on=received,
            recorded_by=actor,
        )
        postings = [
            Posting(BANK, code, minor - reserve_minor),
            Posting(income_account(source), code, -minor),
        ]
        if reserve_minor:
            postings.insert(1, Posting(RESERVE, code, reserve_minor))
        _post(
            EntryDraft(
                date=received,
                description=one_line(f"{description} ({payer})"),
                postings=tuple(p for p in postings if p.minor),
                source=f"income:{income.pk}",
                actor=str(actor.pk),
                service="books.record_income",
                commits=records.digest(records.income_content(income.pk)),
            )
        )
        record("books.income.recorded", income, actor=actor, amount_minor=minor, currency=code)
    return income


def _reserve_part(minor: int, policy: Mapping[str, Any]) -> int:
    """The reserve's share of an income, rounded down to a whole minor unit."""
    share = Decimal(str(policy.get("reserve_share", "0")))
    return int((Decimal(minor) * share).to_integral_value(rounding=ROUND_FLOOR))


# --- expenses -----------------------------------------------------------------------


def expense_status(contribution: Contribution, policy: Mapping[str, Any] | None = None) -> str:
    """pending, approved or rejected: N approvals approve, N rejections reject."""
    needed = int((policy or current_policy())["expense_approvals"])
    verdicts = list(contribution.expense_decisions.values_list("verdict", flat=True))
    if verdicts.count(ExpenseDecision.Verdict.APPROVE) >= needed:
        return "approved"
    if verdicts.count(ExpenseDecision.Verdict.REJECT) >= needed:
        return "rejected"
    return "pending"


def decide_expense(
    actor: Member,
    contribution_id: int,
    *,
    verdict: str,
    reason: str = "",
    version: int | None = None,
) -> ExpenseDecision:
    """A peer approves or rejects an expense claim; the Nth approval makes it a debt owed.

    ``version`` is the claim's version the peer read; a decision on an older one
    is refused (``versions.StaleVersion``, a Conflict listing what changed). The
    API, the web form and the CLI always send it; ``None`` (the version current
    now) is for callers that just showed it, such as the demo.
    """
    ensure_may_act(actor, doing="decide on expense claims")
    if verdict not in ExpenseDecision.Verdict.values:
        raise InvalidInput("The verdict must be approve or reject.", field="verdict")
    reason = (reason or "").strip()
    if verdict == ExpenseDecision.Verdict.REJECT and not reason:
        raise InvalidInput("Say why the claim is rejected.", field="reason")
    if len(reason) > 500:
        raise InvalidInput("The reason can be at most 500 characters.", field="reason")
    policy = current_policy()
    with transaction.atomic():
        claim = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
        if claim is None or claim.kind != Contribution.Kind.EXPENSE:
            raise NotFound(f"No expense claim with id {contribution_id}.")
        if claim.author_id == actor.pk:
            raise Forbidden("Nobody approves or rejects their own expense claim.")
        status = expense_status(claim, policy)
        if status != "pending":
            raise Conflict(f"This claim is already {status}.")
        if claim.expense_decisions.filter(member=actor).exists():
            raise Conflict("You have already decided on this claim.")
        # Under the row lock, so an edit cannot slip in between this check and the decision.
        versions.check_read(
            claim, claim.version if version is None else version, sending="decision"
        )
        decision = ExpenseDecision.objects.create(
            contribution=claim, member=actor, verdict=verdict, reason=reason, version=claim.version
        )
        if expense_status(claim, policy) == "approved":
            amount = claim.amount_minor or 0
            _post(
                EntryDraft(
                    date=timezone.localdate(),
                    description=one_line(f"Expense claim approved: {claim.summary}"),
                    postings=(
                        Posting(CLAIMS, claim.currency, amount),
                        Posting(payable_account(claim.author_id), claim.currency, -amount),
                    ),
                    source=f"expense:{claim.pk}",
                    actor=str(actor.pk),
                    service="books.decide_expense",
                    commits=records.digest(records.expense_content(claim.pk)),
                )
            )
        approved = verdict == ExpenseDecision.Verdict.APPROVE
        record(
            "books.expense.approved" if approved else "books.expense.rejected",
            claim,
            actor=actor,
            reason=reason,
            version=claim.version,
        )
    return decision


# --- what members are owed, and withdrawals -----------------------------------------


def distributable_minor(currency: str) -> int:
    """Money in the bank account beyond everything owed to members."""
    # A payable in debit (a member owing the commons after a reversal) is not
    # money in the bank: only what the commons owes counts against it.
    owed = sum(
        max(-total, 0)
        for (account, code), total in journal.balances(prefix="liabilities:payable:").items()
        if code == currency
    )
    return journal.balance(BANK, currency) - owed


def _require_books_that_verify() -> None:
    """Money leaves only books whose chain holds (call under ``journal.lock()``).

    Balances sum the postings of entries in the chain, but an entry forged behind the
    application's back (a wrong hash, a row inserted at the end) is in the table until
    someone runs verify. Paying out is where that would cost money, so a distribution
    and a withdrawal check the whole chain first: seconds at a million entries, paid
    once a period or per bank transfer.
    """
    report = journal.verify()
    if report.problem is not None:
        raise Conflict(
            "The books do not verify, so no money can be paid out until this is put right. "
            f"What verify found: {report.problem.message}."
        )


def record_withdrawal(
    actor: Member, *, member_id: int, amount: Any, currency: str, reference: str
) -> Withdrawal:
    """Mark money owed to a member as paid out by bank transfer ``reference``.

    The sender records it; a member who left may still record money paid to them.
    """
    ensure_may_withdraw(actor, payee_id=member_id)
    code = _code(currency)
    minor = _amount_minor(amount, code, most=MAX_WITHDRAWAL)
    reference = (reference or "").strip()
    if not reference or len(reference) > 200:
        raise InvalidInput(
            "Give the bank transfer's reference (1 to 200 characters).", field="reference"
        )
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotFound(f"No member with id {member_id}.", field="member_id")
    with transaction.atomic():
        journal.lock()
        _require_books_that_verify()
        owed = owed_minor(member.pk, code)
        if minor > owed:
            raise InvalidInput(
                f"The amount is more than the commons owes {member.display_name} "
                f"({from_minor(max(owed, 0), code)} {code}).",
                field="amount",
            )
        in_bank = journal.balance(BANK, code)
        if minor > in_bank:
            raise InvalidInput(
                "The amount is more than the bank account holds "
                f"({from_minor(max(in_bank, 0), code)} {code}).",
                field="amount",
            )
        entry = _post(
            EntryDraft(
                date=timezone.localdate(),
                description=one_line(f"Paid out to {member.display_name} ({reference})"),
                postings=(
                    Posting(payable_account(member.pk), code, minor),
                    Posting(BANK, code, -minor),
                ),
                source=f"member:{member.pk}",
                actor=str(actor.pk),
                service="books.record_withdrawal",
                commits=records.digest(
                    records.withdrawal_content(
                        member_id=member.pk, amount_minor=minor, currency=code, reference=reference
                    )
                ),
            )
        )
        withdrawal = Withdrawal.objects.create(
            member=member,
            amount_minor=minor,
            currency=code,
            reference=reference,
            entry_id=entry.seq,
        )
        record("books.withdrawal.recorded", withdrawal, actor=actor, amount_minor=minor)
    return withdrawal


def reverse_entry(actor: Member, seq: int, *, reason: str) -> StoredEntry:
    """Correct a mistake by posting the reversing entry; reversing twice is refused."""
    ensure_may_act(actor, doing="reverse journal entries")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the entry is reversed.", field="reason")
    with transaction.atomic():
        try:
            entry = journal.reverse(
                seq,
                date=timezone.localdate(),
                service="books.reverse_entry",
                actor=str(actor.pk),
                reason=one_line(reason, 200),
            )
        except LedgerError as error:
            message = "; ".join(error.problems)
            if "does not exist" in message:
                raise NotFound(message) from None
            raise Conflict(message) from None
        record("books.entry.reversed", actor, actor=actor, entry=seq, reversal=entry.seq)
    return entry


# --- distributions --------------------------------------------------------------------


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
    policy: dict[str, Any],
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
    if policy["method"] != "impartial":
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
        method=policy["method"],
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
        policy=dict(policy.get("valuation", {})),
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
    quantity = contribution["hours"] if contribution["kind"] == "work" else contribution["units"]
    return Decimal(quantity)


def resource_payments(
    *, period_end: dt.date, currency: str, policy: dict[str, Any]
) -> list[dict[str, Any]]:
    """Resources lent up to the period's end, accepted by review (mean rating >= 1), unpaid.

    Prices are in the policy's ``resource_currency``, so resources are paid
    by distributions in that currency only, and each contribution only once.
    """
    if currency != policy.get("resource_currency", "EUR"):
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


def _floor_minor(amount: Decimal, currency: str) -> int:
    """Whole minor units in ``amount``, rounded down (the commons never overpays)."""
    units_per_major = to_minor(Decimal(1), currency)
    return int((amount * units_per_major).to_integral_value(rounding=ROUND_FLOOR))


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
    policy = current_policy()
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
                policy=policy,
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
