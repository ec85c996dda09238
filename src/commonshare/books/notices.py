"""Mail about a payout to the members it concerns, sent only after its action commits.

``on_payout_event`` is an audit subscriber (``audit.actions.subscribe``): it runs from
``transaction.on_commit`` after the withdrawal's row, its journal entry and its event are
committed, each subscriber on its own (``robust``). So a mail server that is down or
refuses the message is logged and changes nothing: the money action is whole before any
mail is tried, and no mail is sent for an action that was refused or rolled back.
"""

from __future__ import annotations

from django.urls import reverse

from commonshare.audit.models import AuditEvent
from commonshare.books.models import Withdrawal
from commonshare.community import mail
from commonshare.community.models import Member
from commonshare.core.money import from_minor

WAITING = "the list of what waits for you"


def _amount(withdrawal: Withdrawal) -> str:
    return f"{from_minor(withdrawal.amount_minor, withdrawal.currency)} {withdrawal.currency}"


def _send(member: Member | None, subject: str, text: str) -> None:
    if member is None:
        return
    waiting = mail.link(reverse("web:waiting"))
    mail.send(
        to=member.email,
        subject=subject,
        body=f"Hello {member.display_name},\n\n{text}\n\n{WAITING.capitalize()}: {waiting}\n",
    )


def on_payout_event(event: AuditEvent) -> None:
    """Audit subscriber: tell the payee of a payout recorded to them, the recorder of a
    dispute, and both of how a dispute was settled."""
    if not event.code.startswith("books.withdrawal."):
        return
    withdrawal = (
        Withdrawal.objects.select_related("member", "recorded_by")
        .filter(pk=event.target_id)
        .first()
    )
    if withdrawal is None:
        return
    amount, reference = _amount(withdrawal), withdrawal.reference
    if event.code == "books.withdrawal.recorded":
        _send(
            withdrawal.member,
            "A payout to you waits for your word",
            f"{withdrawal.recorded_by.display_name if withdrawal.recorded_by else 'A member'} "
            f"recorded sending you {amount} (reference {reference}). Once it is in your "
            "account, confirm it; if it is not, or the amount is wrong, say so.",
        )
    elif event.code == "books.withdrawal.disputed":
        _send(
            withdrawal.recorded_by,
            "A payout you recorded is disputed",
            f"{withdrawal.member.display_name} says the {amount} you recorded (reference "
            f"{reference}) did not arrive as recorded: {withdrawal.dispute_reason}\n"
            "A third member who may handle money will check the bank statement and settle it.",
        )
    elif event.code == "books.withdrawal.resolved":
        said = (
            "it did arrive, so it is now in the books"
            if withdrawal.entry_id
            else "it did not arrive, so it is cancelled and nothing changed in the books"
        )
        for member in (withdrawal.member, withdrawal.recorded_by):
            _send(
                member,
                "Settled: a disputed payout",
                f"The disputed payout of {amount} (reference {reference}) was settled: {said}. "
                f"The reason given: {withdrawal.resolution_reason}",
            )
