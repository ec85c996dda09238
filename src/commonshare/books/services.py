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
so debts are always paid before any distribution. Distributions (resources and
payouts) are built and posted by ``books.distribution``, with the helpers here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonshare.audit.actions import action, refuse_float
from commonshare.audit.services import record
from commonshare.books import journal, journal_verify, records
from commonshare.books.models import (
    ExpenseDecision,
    Income,
    JournalEntry,
    Withdrawal,
)
from commonshare.books.selectors.expenses import expense_status, policy_for
from commonshare.books.selectors.owed import community_began, owed_minor
from commonshare.books.vocab import (
    INCOME_DESCRIPTION_MAX,
    PAYER_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    ExpenseStatus,
)
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act, ensure_may_withdraw
from commonshare.core.ledger import (
    BANK,
    MAX_MINOR,
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
from commonshare.core.policy import Policy
from commonshare.core.valuation.rounding import floor_of
from commonshare.core.words import long_date, one_of
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound, Problems
from commonshare.governance.selectors import current_policy
from commonshare.work import versions
from commonshare.work.models import Contribution

CLAIMS = expense_account("claims")


# The largest amount each money field accepts, in whole units of its currency
# (documented in docs/books.md, "Limits"); anything larger is a typing mistake.
MAX_INCOME = Decimal(1_000_000_000)
MAX_WITHDRAWAL = Decimal(1_000_000_000)

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
    refuse_float(amount, "amount")
    try:
        number = parse_decimal(amount)
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


@action
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
    if not payer or len(payer) > PAYER_MAX:
        problems.add("payer", f"Say who paid (1 to {PAYER_MAX} characters).")
    if not description or len(description) > INCOME_DESCRIPTION_MAX:
        problems.add(
            "description",
            f"Say what the money was for (1 to {INCOME_DESCRIPTION_MAX} characters).",
        )
    if len(reference) > REFERENCE_MAX:
        problems.add("reference", f"The reference can be at most {REFERENCE_MAX} characters.")
    if source not in Income.Source.values:
        problems.add("source", f"Choose the source: {one_of(Income.Source.labels)}.")
    received = problems.check(_received_on, received_on)
    problems.raise_any()
    reserve_minor = _reserve_part(minor, current_policy(at=received))
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


def _reserve_part(minor: int, policy: Policy) -> int:
    """The reserve's share of an income, rounded down to a whole minor unit."""
    share = policy.reserve.share
    return floor_of(share, minor)


# --- expenses -----------------------------------------------------------------------


@action
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
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"The reason can be at most {REASON_MAX} characters.", field="reason")
    with transaction.atomic():
        claim = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
        if claim is None or claim.kind != Contribution.Kind.EXPENSE:
            raise NotFound(f"No expense claim with id {contribution_id}.")
        policy = policy_for(claim)  # the rules of the day it was logged, not today's
        if claim.author_id == actor.pk:
            raise Forbidden("Nobody approves or rejects their own expense claim.")
        status = expense_status(claim, policy)
        if status != ExpenseStatus.PENDING:
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
        if expense_status(claim, policy) == ExpenseStatus.APPROVED:
            if JournalEntry.objects.filter(source=f"expense:{claim.pk}").exists():
                raise Conflict(
                    "This claim is already in the books as a debt owed, so it cannot be "
                    "approved again."
                )
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


def _require_books_that_verify() -> None:
    """Money leaves only books whose chain holds (call under ``journal.lock()``).

    Balances sum the postings of entries in the chain, but an entry forged behind the
    application's back (a wrong hash, a row inserted at the end) is in the table until
    someone runs verify. Paying out is where that would cost money, so a distribution
    and a withdrawal check the whole chain first: seconds at a million entries, paid
    once a period or per bank transfer.
    """
    report = journal_verify.verify()
    if report.problem is not None:
        raise Conflict(
            "The books do not verify, so no money can be paid out until this is put right. "
            f"What verify found: {report.problem.message}."
        )


@action
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
    if not reference or len(reference) > REFERENCE_MAX:
        raise InvalidInput(
            f"Give the bank transfer's reference (1 to {REFERENCE_MAX} characters).",
            field="reference",
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


@action
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
        reversed_entry = JournalEntry.objects.get(pk=seq)
        record("books.entry.reversed", reversed_entry, actor=actor, entry=seq, reversal=entry.seq)
    return entry
