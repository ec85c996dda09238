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
    ExpenseByDecision,
    ExpenseDecision,
    Income,
    JournalEntry,
    ReversalRequest,
    Withdrawal,
)
from commonshare.books.selectors.expenses import expense_status, may_decide, policy_for
from commonshare.books.selectors.owed import (
    community_began,
    owed_minor,
    pending_withdrawn_minor,
)
from commonshare.books.vocab import (
    INCOME_DESCRIPTION_MAX,
    PAYER_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    DisputeOutcome,
    ExpenseStatus,
    IncomeStatus,
    ReversalStatus,
    WithdrawalStatus,
)
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
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
from commonshare.work import trust, versions
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
#
# Income is recorded as pending by a member who may handle money and posted to the journal
# only when a different one confirms it. The entry is dated the day the money was received
# and its reserve share follows the policy in force that day (the period it belongs to),
# whenever it is confirmed; it commits to the income as confirmed (who confirmed it too).


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
    """Record money received, pending until another member confirms it.

    A likely duplicate (another income with the same payer, amount, currency and date,
    pending or confirmed) is not refused: it is stored with ``duplicate_of`` set, and the
    confirmer is shown it.
    """
    ensure_may_act(actor, doing="record income")
    trust.ensure_power(actor, trust.Power.MONEY, doing="record income")
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
    with transaction.atomic():
        duplicate = (
            Income.objects.filter(
                payer__iexact=payer, amount_minor=minor, currency=code, received_on=received
            )
            .order_by("id")
            .first()
        )
        income = Income.objects.create(
            amount_minor=minor,
            currency=code,
            source=source,
            reference=reference,
            payer=payer,
            description=description,
            received_on=received,
            recorded_by=actor,
            duplicate_of=duplicate,
        )
        record(
            "books.income.recorded",
            income,
            actor=actor,
            amount_minor=minor,
            currency=code,
            status=IncomeStatus.PENDING,
            duplicate_of=duplicate.pk if duplicate else None,
        )
    return income


@action
def confirm_income(actor: Member, income_id: int) -> Income:
    """A second member confirms pending income: it is posted to the journal now."""
    ensure_may_act(actor, doing="confirm income")
    trust.ensure_power(actor, trust.Power.MONEY, doing="confirm income")
    with transaction.atomic():
        income = Income.objects.select_for_update().filter(pk=income_id).first()
        if income is None:
            raise NotFound(f"No income with id {income_id}.")
        if income.status != IncomeStatus.PENDING:
            raise Conflict("This income is already confirmed and in the books.")
        if income.recorded_by_id == actor.pk:
            raise Forbidden(
                "You recorded this income, so another member must confirm it: "
                "money enters the books only when two people agree it arrived."
            )
        income.status = IncomeStatus.CONFIRMED
        income.confirmed_by = actor
        income.confirmed_at = timezone.now()
        income.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        entry = _post_income(income)
        record(
            "books.income.confirmed",
            income,
            actor=actor,
            amount_minor=income.amount_minor,
            currency=income.currency,
            entry=entry.seq,
        )
    return income


def _post_income(income: Income) -> StoredEntry:
    minor, code = income.amount_minor, income.currency
    reserve_minor = _reserve_part(minor, current_policy(at=income.received_on))
    postings = [
        Posting(BANK, code, minor - reserve_minor),
        Posting(income_account(income.source), code, -minor),
    ]
    if reserve_minor:
        postings.insert(1, Posting(RESERVE, code, reserve_minor))
    return _post(
        EntryDraft(
            date=income.received_on,
            description=one_line(f"{income.description} ({income.payer})"),
            postings=tuple(p for p in postings if p.minor),
            source=f"income:{income.pk}",
            actor=str(income.confirmed_by_id),
            service="books.confirm_income",
            commits=records.digest(records.income_content(income.pk)),
        )
    )


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
    """A drawn approver approves or rejects an expense claim; when all the approvals the
    policy asks are in, the claim becomes a debt owed.

    Only the members drawn when the claim was logged decide (a claim logged before
    approvers were drawn: any member who may approve expenses, never the claimant). A
    claim that needs a decision is refused here: an adopted decision approves it
    (``_approve_expense_by_decision``).

    ``version`` is the claim's version the peer read; a decision on an older one
    is refused (``versions.StaleVersion``, a Conflict listing what changed). The
    API, the web form and the CLI always send it; ``None`` (the version current
    now) is for callers that just showed it, such as the demo.
    """
    ensure_may_act(actor, doing="decide on expense claims")
    trust.ensure_power(actor, trust.Power.APPROVE_EXPENSES, doing="decide on expense claims")
    if verdict not in ExpenseDecision.Verdict.values:
        raise InvalidInput("The verdict must be approve or reject.", field="verdict")
    reason = (reason or "").strip()
    if verdict == ExpenseDecision.Verdict.REJECT and not reason:
        raise InvalidInput("Say why the claim is rejected.", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"The reason can be at most {REASON_MAX} characters.", field="reason")
    with transaction.atomic():
        claim = _locked_claim(contribution_id)
        policy = policy_for(claim)  # the rules of the day it was logged, not today's
        if claim.author_id == actor.pk:
            raise Forbidden("Nobody approves or rejects their own expense claim.")
        status = expense_status(claim, policy)
        if status == ExpenseStatus.NEEDS_DECISION:
            raise Conflict(
                "This claim needs a decision of the community, not approvers: propose one "
                "to approve it."
            )
        if status != ExpenseStatus.PENDING:
            raise Conflict(f"This claim is already {status}.")
        if not may_decide(claim, actor.pk):
            raise Forbidden(
                "Only the members drawn at random to approve this claim may decide on it."
            )
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
            _post_expense(claim, actor=str(actor.pk), service="books.decide_expense")
        approved = verdict == ExpenseDecision.Verdict.APPROVE
        record(
            "books.expense.approved" if approved else "books.expense.rejected",
            claim,
            actor=actor,
            reason=reason,
            version=claim.version,
        )
    return decision


def _locked_claim(contribution_id: int) -> Contribution:
    claim = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
    if claim is None or claim.kind != Contribution.Kind.EXPENSE:
        raise NotFound(f"No expense claim with id {contribution_id}.")
    return claim


def _post_expense(claim: Contribution, *, actor: str | None, service: str) -> StoredEntry:
    if JournalEntry.objects.filter(source=f"expense:{claim.pk}").exists():
        raise Conflict(
            "This claim is already in the books as a debt owed, so it cannot be approved again."
        )
    amount = claim.amount_minor or 0
    return _post(
        EntryDraft(
            date=timezone.localdate(),
            description=one_line(f"Expense claim approved: {claim.summary}"),
            postings=(
                Posting(CLAIMS, claim.currency, amount),
                Posting(payable_account(claim.author_id), claim.currency, -amount),
            ),
            source=f"expense:{claim.pk}",
            actor=actor,
            service=service,
            commits=records.digest(records.expense_content(claim.pk)),
        )
    )


def _approve_expense_by_decision(claim_id: int, *, decision_number: int) -> StoredEntry:
    """Approve an expense claim because adopted decision ``decision_number`` says so.

    For the decisions app, inside its own action (which records the one event): writes
    the approval and posts the debt owed, and records no event. A claim already approved
    or rejected is refused (Conflict); so is a second approval of the same claim.
    """
    claim = _locked_claim(claim_id)
    status = expense_status(claim)
    if status not in (ExpenseStatus.PENDING, ExpenseStatus.NEEDS_DECISION):
        raise Conflict(f"This claim is already {status}.")
    ExpenseByDecision.objects.create(contribution=claim, decision_number=decision_number)
    return _post_expense(claim, actor=None, service="books.approve_expense_by_decision")


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


# Withdrawals: the member who sent the bank transfer records it (never the payee); it is
# pending until the payee confirms they received it, and the journal entry posts then.
# From the moment it is recorded it counts against what the payee is owed and what the
# bank holds (``owed.pending_withdrawn_minor``), checked under the journal lock, so the
# same money cannot be recorded as paid twice. A disputed withdrawal no longer counts:
# the payee says the money did not arrive, and nothing was posted.


@action
def record_withdrawal(
    actor: Member, *, member_id: int, amount: Any, currency: str, reference: str
) -> Withdrawal:
    """Record money sent to a member by bank transfer ``reference``, pending their word."""
    ensure_may_act(actor, doing="record withdrawals")
    trust.ensure_power(actor, trust.Power.MONEY, doing="record withdrawals")
    if actor.pk == member_id:
        raise Forbidden(
            "Nobody records a payout to themself: the member who sent the transfer records "
            "it, and you confirm that it arrived."
        )
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
        _check_payable(member, minor, code)
        withdrawal = Withdrawal.objects.create(
            member=member,
            amount_minor=minor,
            currency=code,
            reference=reference,
            recorded_by=actor,
        )
        record(
            "books.withdrawal.recorded",
            withdrawal,
            actor=actor,
            amount_minor=minor,
            status=WithdrawalStatus.PENDING,
        )
    return withdrawal


def _check_payable(member: Member, minor: int, code: str, *, besides: int | None = None) -> None:
    """Refuse ``minor`` unless what is owed and what the bank holds, less every pending
    withdrawal (but ``besides``), cover it. Call under ``journal.lock()``."""
    owed = owed_minor(member.pk, code) - pending_withdrawn_minor(code, member.pk, besides=besides)
    if minor > owed:
        raise InvalidInput(
            f"The amount is more than the commons owes {member.display_name}, less payouts "
            f"waiting for confirmation ({from_minor(max(owed, 0), code)} {code}).",
            field="amount",
        )
    in_bank = journal.balance(BANK, code) - pending_withdrawn_minor(code, besides=besides)
    if minor > in_bank:
        raise InvalidInput(
            "The amount is more than the bank account holds, less payouts waiting for "
            f"confirmation ({from_minor(max(in_bank, 0), code)} {code}).",
            field="amount",
        )


def _pending_withdrawal(actor: Member, withdrawal_id: int, *, doing: str) -> Withdrawal:
    """The pending withdrawal, locked; only its payee answers it (even after leaving)."""
    withdrawal = (
        Withdrawal.objects.select_for_update()
        .select_related("member")
        .filter(pk=withdrawal_id)
        .first()
    )
    if withdrawal is None:
        raise NotFound(f"No withdrawal with id {withdrawal_id}.")
    if withdrawal.member_id != actor.pk:
        raise Forbidden(f"Only the member who was paid can {doing}.")
    if withdrawal.status != WithdrawalStatus.PENDING:
        raise Conflict(f"This withdrawal is already {withdrawal.get_status_display().lower()}.")
    return withdrawal


@action
def confirm_withdrawal(actor: Member, withdrawal_id: int) -> Withdrawal:
    """The payee confirms the money arrived: the entry posts (owed to them, out of the bank).

    A member who left may still confirm money paid to them.
    """
    with transaction.atomic():
        journal.lock()
        withdrawal = _pending_withdrawal(actor, withdrawal_id, doing="confirm receiving it")
        _require_books_that_verify()
        entry = _post_withdrawal(withdrawal, actor=actor, service="books.confirm_withdrawal")
        withdrawal.entry_id = entry.seq
        withdrawal.status = WithdrawalStatus.CONFIRMED
        withdrawal.answered_at = timezone.now()
        withdrawal.save(update_fields=["entry", "status", "answered_at"])
        record("books.withdrawal.confirmed", withdrawal, actor=actor, entry=entry.seq)
    return withdrawal


def _post_withdrawal(withdrawal: Withdrawal, *, actor: Member, service: str) -> StoredEntry:
    """Post the payout (owed to the payee, out of the bank) once what is owed and the bank
    cover it. Call under ``journal.lock()`` with the withdrawal locked."""
    member, minor, code = withdrawal.member, withdrawal.amount_minor, withdrawal.currency
    _check_payable(member, minor, code, besides=withdrawal.pk)
    return _post(
        EntryDraft(
            date=timezone.localdate(),
            description=one_line(f"Paid out to {member.display_name} ({withdrawal.reference})"),
            postings=(
                Posting(payable_account(member.pk), code, minor),
                Posting(BANK, code, -minor),
            ),
            source=f"member:{member.pk}",
            actor=str(actor.pk),
            service=service,
            commits=records.digest(
                records.withdrawal_content(
                    member_id=member.pk,
                    amount_minor=minor,
                    currency=code,
                    reference=withdrawal.reference,
                )
            ),
        )
    )


@action
def dispute_withdrawal(actor: Member, withdrawal_id: int, *, reason: str) -> Withdrawal:
    """The payee says the money did not arrive (as recorded): nothing posts, and it stops
    counting against what they are owed."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say what is wrong with this payout.", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"The reason can be at most {REASON_MAX} characters.", field="reason")
    with transaction.atomic():
        journal.lock()
        withdrawal = _pending_withdrawal(actor, withdrawal_id, doing="dispute it")
        withdrawal.status = WithdrawalStatus.DISPUTED
        withdrawal.dispute_reason = reason
        withdrawal.answered_at = timezone.now()
        withdrawal.save(update_fields=["status", "dispute_reason", "answered_at"])
        record("books.withdrawal.disputed", withdrawal, actor=actor, reason=reason)
    return withdrawal


# A dispute ends when a third member, at the money level and neither the payee nor the
# member who recorded the payout, looks at the bank statement and says what happened:
# the money did arrive after all (the payout posts, as the payee's confirmation would
# have posted it) or it did not (the payout is cancelled and nothing is owed less). The
# two people whose word disagrees are the two who cannot settle it.


@action
def resolve_withdrawal(
    actor: Member, withdrawal_id: int, *, outcome: str, reason: str
) -> Withdrawal:
    """Resolve a disputed payout: ``outcome`` is ``paid`` (it posts) or ``cancelled``."""
    ensure_may_act(actor, doing="resolve disputed payouts")
    trust.ensure_power(actor, trust.Power.MONEY, doing="resolve disputed payouts")
    problems = Problems()
    if outcome not in DisputeOutcome.values:
        problems.add("outcome", "Say whether the money arrived (paid) or not (cancelled).")
    reason = (reason or "").strip()
    if not reason:
        problems.add("reason", "Say what you found, so everyone can see why.")
    elif len(reason) > REASON_MAX:
        problems.add("reason", f"The reason can be at most {REASON_MAX} characters.")
    problems.raise_any()
    with transaction.atomic():
        journal.lock()
        withdrawal = (
            Withdrawal.objects.select_for_update()
            .select_related("member")
            .filter(pk=withdrawal_id)
            .first()
        )
        if withdrawal is None:
            raise NotFound(f"No withdrawal with id {withdrawal_id}.")
        if actor.pk in (withdrawal.member_id, withdrawal.recorded_by_id):
            raise Forbidden(
                "You were paid or recorded this payout, so a third member must resolve "
                "the dispute: the two people who disagree cannot settle it."
            )
        if withdrawal.status != WithdrawalStatus.DISPUTED:
            raise Conflict(
                "Only a disputed payout is resolved; this one is "
                f"{withdrawal.get_status_display().lower()}."
            )
        entry = None
        if outcome == DisputeOutcome.PAID:
            _require_books_that_verify()
            entry = _post_withdrawal(withdrawal, actor=actor, service="books.resolve_withdrawal")
            withdrawal.entry_id = entry.seq
            withdrawal.status = WithdrawalStatus.CONFIRMED
        else:
            withdrawal.status = WithdrawalStatus.CANCELLED
        withdrawal.resolution = outcome
        withdrawal.resolution_reason = reason
        withdrawal.resolved_by = actor
        withdrawal.resolved_at = timezone.now()
        withdrawal.save(
            update_fields=[
                "entry",
                "status",
                "resolution",
                "resolution_reason",
                "resolved_by",
                "resolved_at",
            ]
        )
        record(
            "books.withdrawal.resolved",
            withdrawal,
            actor=actor,
            outcome=outcome,
            reason=reason,
            entry=entry.seq if entry else None,
        )
    return withdrawal


# --- reversals ----------------------------------------------------------------------


def _reversible(seq: int) -> JournalEntry:
    entry = JournalEntry.objects.filter(pk=seq).first()
    if entry is None or seq < 1:
        raise NotFound(f"Entry {seq} does not exist.")
    if entry.reverses is not None:
        raise Conflict(f"Entry {seq} is itself a reversal; it cannot be reversed.")
    if JournalEntry.objects.filter(reverses=seq).exists():
        raise Conflict(f"Entry {seq} is already reversed.")
    return entry


@action
def request_reversal(actor: Member, seq: int, *, reason: str) -> ReversalRequest:
    """Ask for entry ``seq`` to be reversed; a second member confirms (or a decision)."""
    ensure_may_act(actor, doing="ask for journal entries to be reversed")
    trust.ensure_power(actor, trust.Power.MONEY, doing="ask for journal entries to be reversed")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the entry is reversed.", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"The reason can be at most {REASON_MAX} characters.", field="reason")
    with transaction.atomic():
        journal.lock()
        entry = _reversible(seq)
        if ReversalRequest.objects.filter(seq=seq, status=ReversalStatus.PENDING).exists():
            raise Conflict(f"Entry {seq} already has a reversal waiting for confirmation.")
        request = ReversalRequest.objects.create(seq=seq, reason=reason, requested_by=actor)
        record("books.reversal.requested", entry, actor=actor, entry=seq, reason=reason)
    return request


@action
def confirm_reversal(actor: Member, request_id: int) -> StoredEntry:
    """A second member confirms a requested reversal: the reversing entry posts now."""
    ensure_may_act(actor, doing="confirm reversals")
    trust.ensure_power(actor, trust.Power.MONEY, doing="confirm reversals")
    with transaction.atomic():
        journal.lock()
        request = ReversalRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound(f"No reversal request with id {request_id}.")
        if request.status != ReversalStatus.PENDING:
            raise Conflict("This reversal is already confirmed.")
        if request.requested_by_id == actor.pk:
            raise Forbidden(
                "You asked for this reversal, so another member must confirm it: "
                "money moves only when two people agree."
            )
        entry = _post_reversal(request.seq, reason=request.reason, actor=str(actor.pk))
        request.status = ReversalStatus.CONFIRMED
        request.confirmed_by = actor
        request.reversal_seq = entry.seq
        request.confirmed_at = timezone.now()
        request.save(update_fields=["status", "confirmed_by", "reversal_seq", "confirmed_at"])
        reversed_entry = JournalEntry.objects.get(pk=request.seq)
        record(
            "books.entry.reversed",
            reversed_entry,
            actor=actor,
            entry=request.seq,
            reversal=entry.seq,
            requested_by=request.requested_by_id,
        )
    return entry


def _post_reversal(seq: int, *, reason: str, actor: str | None) -> StoredEntry:
    _reversible(seq)
    try:
        return journal.reverse(
            seq,
            date=timezone.localdate(),
            service="books.reverse_entry",
            actor=actor,
            reason=one_line(reason, 200),
        )
    except LedgerError as error:
        message = "; ".join(error.problems)
        if "does not exist" in message:
            raise NotFound(message) from None
        raise Conflict(message) from None


def _reverse_by_decision(seq: int, *, reason: str, decision_number: int) -> StoredEntry:
    """Reverse entry ``seq`` because adopted decision ``decision_number`` says so.

    For the decisions app, inside its own action (which records the one event): posts the
    reversing entry and closes any pending request for the entry; records no event.
    """
    journal.lock()
    entry = _post_reversal(seq, reason=f"{reason} (decision {decision_number})", actor=None)
    ReversalRequest.objects.filter(seq=seq, status=ReversalStatus.PENDING).update(
        status=ReversalStatus.CONFIRMED,
        decision_number=decision_number,
        reversal_seq=entry.seq,
        confirmed_at=timezone.now(),
    )
    return entry
