"""``commonshare income``, ``distribute``, ``books`` and ``expense``: the books from the shell."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from commonshare.books.vocab import (
    DEFAULT_INCOME_SOURCE,
    DisputeOutcome,
    ExpenseStatus,
    ExpenseVerdict,
    IncomeSource,
)
from commonshare.clikit import as_option, echo_json, paged_options, rows_of, with_django
from commonshare.community.cli import acting_member
from commonshare.core.exports import FORMATS as EXPORT_FORMATS


@click.group()
def income() -> None:
    """Record and list income."""


@income.command("record")
@click.option("--amount", required=True)
@click.option("--currency", required=True)
@click.option("--payer", required=True)
@click.option("--description", required=True)
@click.option("--date", "received_on", required=True, help="YYYY-MM-DD")
@click.option(
    "--source",
    type=click.Choice(IncomeSource.values),
    default=DEFAULT_INCOME_SOURCE,
    show_default=True,
    help="What the money was for (its income account).",
)
@click.option("--reference", default="", help="Invoice or bank reference.")
@as_option
@with_django
def income_record(as_email: str | None, **given: Any) -> None:
    """Record money received; it waits for another member to confirm it.

    Example: commonshare income record --amount 1200.00 --currency EUR --payer "Acme"
    --description "Hosting, March" --date 2026-03-31 --as ada@example.org
    """
    from commonshare.books.services import record_income

    recorded = record_income(acting_member(as_email), **given)
    click.echo(
        f"Income {recorded.pk} recorded: {recorded.amount} {recorded.currency}, waiting for "
        "another member to confirm it."
    )
    if recorded.duplicate_of_id is not None:
        click.echo(
            f"Note: income {recorded.duplicate_of_id} has the same payer, amount and date; "
            "the confirmer will see that."
        )


@income.command("confirm")
@click.argument("income_id", type=int)
@as_option
@with_django
def income_confirm(income_id: int, as_email: str | None) -> None:
    """Confirm income another member recorded: it is posted to the books.

    Example: commonshare income confirm 12 --as grace@example.org
    """
    from commonshare.books.services import confirm_income

    confirmed = confirm_income(acting_member(as_email), income_id)
    click.echo(
        f"Income {confirmed.pk} confirmed and posted: {confirmed.amount} {confirmed.currency}"
    )


@income.command("list")
@paged_options
@with_django
def income_list(cursor: str | None, limit: int | None) -> None:
    """List income, newest first."""
    from commonshare.books.selectors import incomes

    for row in rows_of(incomes(), cursor=cursor, limit=limit):
        click.echo(
            f"{row.pk:>5}  {row.received_on}  {row.amount:>12} {row.currency}  "
            f"{row.get_status_display():<24}  {row.payer}: {row.description}"
        )


@click.group()
def distribute() -> None:
    """Split income among contributors for a period."""


@distribute.command("propose")
@click.option("--period", required=True, help="The closed period: its first month, YYYY-MM.")
@click.option("--currency", required=True)
@click.option("--amount", help="Default: all income not yet distributed in the currency.")
@as_option
@with_django
def distribute_propose(as_email: str | None, **given: Any) -> None:
    """Propose the distribution of a closed period: frozen now, and posted when its
    lazy-consensus decision closes with no objection (commonshare decision close N).

    Example: commonshare distribute propose --period 2026-10 --currency EUR
    --as ada@example.org
    """
    from commonshare.books.distribution import propose_distribution

    done = propose_distribution(acting_member(as_email), **given)
    _echo_distribution(done)


@distribute.command("withdraw")
@click.argument("distribution_id", type=int)
@click.option("--reason", required=True, help="Why the proposal is withdrawn.")
@as_option
@with_django
def distribute_withdraw(distribution_id: int, reason: str, as_email: str | None) -> None:
    """Withdraw the distribution you proposed, before its decision closes.

    Example: commonshare distribute withdraw 3 --reason "income missing" --as ada@example.org
    """
    from commonshare.books.distribution import withdraw_distribution

    _echo_distribution(
        withdraw_distribution(acting_member(as_email), distribution_id, reason=reason)
    )


def _echo_distribution(done: Any) -> None:
    from commonshare.books.selectors import distribution_state

    click.echo(
        f"Distribution {done.pk}: {done.amount} {done.currency} by {done.method}, "
        f"{distribution_state(done)}"
    )
    if done.decision_number:
        click.echo(f"  carried by decision {done.decision_number} (commonshare decision show)")
    if done.withdrawn_reason:
        click.echo(f"  {done.withdrawn_reason}")
    for payout in done.payouts.select_related("member"):
        click.echo(f"  {payout.member.display_name:<24} {payout.amount:>12}  share {payout.share}")
    if done.remainder_minor:
        click.echo(f"  remainder kept: {done.remainder}")


@distribute.command("list")
@paged_options
@with_django
def distribute_list(cursor: str | None, limit: int | None) -> None:
    """List distributions, the latest period first, with where each stands."""
    from commonshare.books.selectors import distribution_state, distributions

    for row in rows_of(distributions(), cursor=cursor, limit=limit):
        click.echo(
            f"{row.pk:>5}  {row.period_start} – {row.period_end}  {row.amount:>12} "
            f"{row.currency}  {row.method}  {distribution_state(row)}"
        )


@distribute.command("show")
@click.argument("distribution_id", type=int)
@click.option("--member", "member_id", type=int, help="Explain one member's payout.")
@with_django
def distribute_show(distribution_id: int, member_id: int | None) -> None:
    """Show a distribution (or a proposal's preview): its state, each payout with its
    explanation, and the frozen result; or why one member got what they got."""
    from commonshare.books import selectors

    if member_id is not None:
        echo_json(selectors.payout(distribution_id, member_id).explanation)
        return
    found = selectors.distribution(distribution_id)
    echo_json(
        {
            "status": found.status,
            "state": selectors.distribution_state(found),
            "challenge_ends_at": found.challenge_ends_at.isoformat()
            if found.challenge_ends_at
            else None,
            "payouts": [
                {
                    "member": p.member_id,
                    "amount": str(p.amount),
                    "share": str(p.share),
                    "explanation": p.explanation,
                }
                for p in selectors.payouts_of(found)
            ],
            "result": found.result,
        }
    )


@click.group()
def books() -> None:
    """Verify, export and read the journal; withdrawals and reversals."""


@books.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="SEQ:HASH",
    help="A head hash copied earlier from the transparency page; repeatable.",
)
@with_django
def books_verify(anchors: tuple[str, ...]) -> None:
    """Walk the hash chain; name the first entry changed, removed or inserted, and every
    record (income, claim, withdrawal, distribution, review, contribution, audit event)
    that no longer matches what the journal committed to.

    Without --anchor, checks the heads listed at COMMONSHARE_ANCHORS, if set.
    Exits 0 when everything holds, 1 when something does not.
    Example: commonshare books verify --anchor 1200:3f5a…
    """
    from commonshare.books import anchors as published
    from commonshare.books import records

    given = published.given(anchors)
    with click.progressbar(length=1, label="Verifying the journal", file=sys.stderr) as bar:
        report = records.verify_all(given or None, workers=os.cpu_count() or 1)
        bar.update(1)
    for line in report.lines:
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@books.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="beancount",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@with_django
def books_export(fmt: str, output: Path | None) -> None:
    """Export the whole journal (stdout, or --output FILE).

    Example: commonshare books export -o books.beancount && bean-check books.beancount
    """
    from commonshare.books.selectors import journal_export

    _, text = journal_export(fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@books.command("balances")
@click.option("--json", "as_json", is_flag=True)
@with_django
def books_balances(as_json: bool) -> None:
    """Balance of every account, derived from the postings (debit positive)."""
    from commonshare.books import journal
    from commonshare.core.money import from_minor

    rows = [
        {"account": account, "currency": currency, "balance": str(from_minor(total, currency))}
        for (account, currency), total in sorted(journal.balances().items())
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['account']:<40} {row['balance']:>14} {row['currency']}")
    seq, digest = journal.head()
    click.echo(f"head: entry {seq} {digest}")


@books.command("sustainability")
@click.option("--currency", default="EUR", show_default=True)
@click.option("--window", default=3, show_default=True, type=click.IntRange(1, 36))
@with_django
def books_sustainability(currency: str, window: int) -> None:
    """Monthly burn, runway, break-even and trend."""
    from django.utils import timezone

    from commonshare.books.selectors import sustainability_report
    from commonshare.core.money import check_currency, from_minor

    code = check_currency(currency)
    report = sustainability_report(code, today=timezone.localdate(), window=window)

    def money(minor: int | None) -> str:
        return "-" if minor is None else f"{from_minor(minor, code)} {code}"

    click.echo(f"reserve            {money(report.reserve)}")
    click.echo(f"monthly burn       {money(report.burn)}")
    click.echo(f"average income     {money(report.average_income)}")
    runway = "unlimited" if report.runway_months is None else f"{report.runway_months} months"
    click.echo(f"runway             {runway}")
    click.echo(f"break-even income  {money(report.break_even_income)} a month")
    click.echo(f"last month net     {money(report.last_month_net)}")
    click.echo(f"trend              {money(report.trend)} a month ({report.direction or 'n/a'})")


@books.command("withdraw")
@click.option("--member", "member_id", type=int, required=True, help="Member id paid.")
@click.option("--amount", required=True)
@click.option("--currency", required=True)
@click.option("--reference", required=True, help="The bank transfer reference.")
@as_option
@with_django
def books_withdraw(as_email: str | None, **given: Any) -> None:
    """Record money owed to another member as sent by bank transfer; the payee confirms.

    Example: commonshare books withdraw --member 3 --amount 120.00 --currency EUR
    --reference "SEPA 2026-11-02 #88" --as ada@example.org
    """
    from commonshare.books.services import record_withdrawal

    done = record_withdrawal(acting_member(as_email), **given)
    click.echo(f"Withdrawal {done.pk} recorded, waiting for the payee to confirm they received it.")


@books.command("received")
@click.argument("withdrawal_id", type=int)
@as_option
@with_django
def books_received(withdrawal_id: int, as_email: str | None) -> None:
    """Confirm, as the payee, that a payout recorded to you arrived; its entry posts.

    Example: commonshare books received 7 --as grace@example.org
    """
    from commonshare.books.services import confirm_withdrawal

    done = confirm_withdrawal(acting_member(as_email), withdrawal_id)
    click.echo(f"Withdrawal {done.pk} confirmed, in journal entry {done.entry_id}.")


@books.command("dispute")
@click.argument("withdrawal_id", type=int)
@click.option("--reason", required=True, help="What is wrong with the payout.")
@as_option
@with_django
def books_dispute(withdrawal_id: int, reason: str, as_email: str | None) -> None:
    """Dispute, as the payee, a payout recorded to you; nothing posts.

    Example: commonshare books dispute 7 --reason "Nothing arrived" --as grace@example.org
    """
    from commonshare.books.services import dispute_withdrawal

    done = dispute_withdrawal(acting_member(as_email), withdrawal_id, reason=reason)
    click.echo(f"Withdrawal {done.pk} disputed.")


@books.command("resolve")
@click.argument("withdrawal_id", type=int)
@click.option(
    "--outcome",
    type=click.Choice(DisputeOutcome.values),
    required=True,
    help="paid: the money did arrive, post it; cancelled: it did not.",
)
@click.option("--reason", required=True, help="What you found, e.g. in the bank statement.")
@as_option
@with_django
def books_resolve(withdrawal_id: int, outcome: str, reason: str, as_email: str | None) -> None:
    """Settle a disputed payout, as a third member (neither payee nor recorder).

    Example: commonshare books resolve 7 --outcome paid --reason "On the 3 March statement"
    --as ada@example.org
    """
    from commonshare.books.services import resolve_withdrawal

    done = resolve_withdrawal(
        acting_member(as_email), withdrawal_id, outcome=outcome, reason=reason
    )
    if done.entry_id:
        click.echo(f"Withdrawal {done.pk} settled as paid, in journal entry {done.entry_id}.")
    else:
        click.echo(f"Withdrawal {done.pk} cancelled; nothing posts.")


@books.command("reverse")
@click.argument("seq", type=int)
@click.option("--reason", required=True)
@as_option
@with_django
def books_reverse(seq: int, reason: str, as_email: str | None) -> None:
    """Ask for entry SEQ to be reversed; another member confirms it (only once).

    Example: commonshare books reverse 12 --reason "Entered twice" --as ada@example.org
    """
    from commonshare.books.services import request_reversal

    asked = request_reversal(acting_member(as_email), seq, reason=reason)
    click.echo(f"Reversal {asked.pk} of entry {seq} asked for, waiting for another member.")


@books.command("confirm-reversal")
@click.argument("request_id", type=int)
@as_option
@with_django
def books_confirm_reversal(request_id: int, as_email: str | None) -> None:
    """Confirm a reversal another member asked for: the reversing entry posts.

    Example: commonshare books confirm-reversal 3 --as grace@example.org
    """
    from commonshare.books.services import confirm_reversal

    entry = confirm_reversal(acting_member(as_email), request_id)
    click.echo(f"Entry {entry.seq} reverses entry {entry.reverses}.")


def _challenge_line(challenge: Any) -> str:
    from commonshare.core.money import from_minor

    found = challenge.distribution
    yours = (
        f"yours {from_minor(challenge.yours.amount_minor, found.currency)} {found.currency}"
        if challenge.yours
        else "nothing to you"
    )
    line = (
        f"distribution {found.pk} of {challenge.period_name}: {found.amount} {found.currency} "
        f"to {challenge.payees} member{'s' if challenge.payees != 1 else ''} ({yours}). "
        f"{challenge.posts()} {challenge.how_to_object()}"
    )
    if not challenge.may_object:
        return line
    ballot = "--choice against" if challenge.standing.in_vote else "--position object --reason TEXT"
    return f"{line} -> commonshare decision vote {challenge.number} {ballot}"


@books.command("waiting")
@click.option("--json", "as_json", is_flag=True)
@as_option
@with_django
def books_waiting(as_json: bool, as_email: str | None) -> None:
    """What waits for your confirmation: income, payouts to you, reversals, claims; and the
    distributions in their challenge window, with how to object.

    Example: commonshare books waiting --as grace@example.org
    """
    from commonshare.books.selectors.waiting import everything_waiting_for
    from commonshare.core.money import from_minor

    found = everything_waiting_for(acting_member(as_email))
    lines = [
        *(
            f"income {i.pk}: {i.amount} {i.currency} from {i.payer}"
            + (f" (same as income {i.duplicate_of_id}?)" if i.duplicate_of_id else "")
            + f" -> commonshare income confirm {i.pk}"
            for i in found.incomes
        ),
        *(
            f"payout {w.pk} to you: {from_minor(w.amount_minor, w.currency)} {w.currency} "
            f"({w.reference}) -> commonshare books received {w.pk}"
            for w in found.withdrawals
        ),
        *(
            f"disputed payout {w.pk} to {w.member.display_name}: "
            f"{from_minor(w.amount_minor, w.currency)} {w.currency} ({w.dispute_reason}) "
            f"-> commonshare books resolve {w.pk} --outcome paid|cancelled --reason TEXT"
            for w in found.disputes
        ),
        *(
            f"your disputed payout {w.pk}: waits for a third member to settle it"
            for w in found.own_disputes
        ),
        *(
            f"reversal {r.pk} of entry {r.seq}: {r.reason} "
            f"-> commonshare books confirm-reversal {r.pk}"
            for r in found.reversals
        ),
        *(
            f"expense claim {c.pk} v{c.version}: {c.summary} "
            f"-> commonshare expense approve {c.pk} --version {c.version}"
            for c in found.claims
        ),
        *(_challenge_line(c) for c in found.challenges),
    ]
    if as_json:
        echo_json(
            {
                "incomes": [i.pk for i in found.incomes],
                "withdrawals": [w.pk for w in found.withdrawals],
                "disputes": [w.pk for w in found.disputes],
                "reversals": [r.pk for r in found.reversals],
                "claims": [c.pk for c in found.claims],
                "challenges": [c.distribution.pk for c in found.challenges],
            }
        )
        return
    for line in lines or ["Nothing waits for you."]:
        click.echo(line)


@click.group()
def expense() -> None:
    """Peer approval of expense claims."""


@expense.command("list")
@click.option("--status", type=click.Choice(ExpenseStatus.values))
@paged_options
@with_django
def expense_list(status: str | None, cursor: str | None, limit: int | None) -> None:
    """List expense claims and where they stand, newest first."""
    from commonshare.books.selectors.expenses import expense_claims_page

    def fetch(at: str | None, size: int) -> Any:
        return expense_claims_page(status, cursor=at, size=size)

    for claim in rows_of(fetch, cursor=cursor, limit=limit):
        click.echo(
            f"{claim.pk:>5}  v{claim.version:<4} {claim.status:<9} "
            f"{claim.quantity_label:>14}  {claim.author.display_name}: {claim.summary}"
        )


def _decide(verdict: str) -> Any:
    @click.argument("contribution_id", type=int)
    @click.option(
        "--version",
        "version",
        type=click.IntRange(min=1),
        required=True,
        help="The claim's version you read (expense list shows it).",
    )
    @click.option("--reason", default="", help="Required to reject.")
    @as_option
    @with_django
    def decide(contribution_id: int, version: int, reason: str, as_email: str | None) -> None:
        from commonshare.books.selectors.expenses import expense_claim
        from commonshare.books.services import decide_expense

        decide_expense(
            acting_member(as_email),
            contribution_id,
            verdict=verdict,
            reason=reason,
            version=version,
        )
        status = expense_claim(contribution_id).status  # type: ignore[attr-defined]
        click.echo(f"Claim {contribution_id}: {verdict}d; the claim is now {status}.")

    decide.__doc__ = f"{verdict.capitalize()} a peer's expense claim (never your own)."
    return decide


expense.command("approve")(_decide(ExpenseVerdict.APPROVE.value))
expense.command("reject")(_decide(ExpenseVerdict.REJECT.value))
