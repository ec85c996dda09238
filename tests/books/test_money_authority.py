"""No newcomer, no departed member and nobody on their own item moves money.

Each money action is tried by a fresh account (trust level 0), by a member who left, and
by the recorder, claimant or payee themself, through the service, the API and the web
routes: each is refused, or leaves the item pending, and nothing reaches the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.api.conftest import ApiClient

from commonshare.books import journal, services
from commonshare.books.models import (
    ExpenseDecision,
    Income,
    ReversalRequest,
    Withdrawal,
)
from commonshare.community import services as community
from commonshare.errors import Forbidden
from commonshare.work import services as work
from commonshare.work.models import Contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(make_member: Callable[..., Any], settings: Any) -> SimpleNamespace:
    """Ada is owed an approved expense; income waits; a payout to Ada and a reversal wait.

    ``fresh`` joined today (level 0); ``gone`` was a level-2 member and left.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    gone = make_member("Gone")
    today = timezone.localdate()
    first = services.record_income(
        bo, amount="500", currency="EUR", payer="A", description="Gift", received_on=today
    )
    services.confirm_income(cy, first.pk)
    claim = work.log_contribution(
        ada,
        work.ContributionInput(
            kind="expense",
            summary="Domain",
            amount="20.00",
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    members = {m.pk: m for m in (bo, cy, gone)}
    for pk in Contribution.objects.get(pk=claim.pk).approvers:
        services.decide_expense(members[pk], claim.pk, verdict="approve")
    pending = services.record_income(
        bo, amount="70", currency="EUR", payer="B", description="Support", received_on=today
    )
    payout = services.record_withdrawal(
        bo, member_id=ada.pk, amount="10.00", currency="EUR", reference="TR-1"
    )
    reversal = services.request_reversal(bo, 1, reason="Recorded twice")
    second_claim = work.log_contribution(
        ada,
        work.ContributionInput(
            kind="expense",
            summary="Hosting",
            amount="5.00",
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    _, gone_token = community.create_token(gone, name="laptop")
    community.leave(gone)
    gone.refresh_from_db()
    fresh = make_member("Fresh", level=0)
    return SimpleNamespace(
        ada=ada,
        bo=bo,
        cy=cy,
        gone=gone,
        gone_token=gone_token,
        fresh=fresh,
        today=today,
        pending=pending,
        payout=payout,
        reversal=reversal,
        claim=Contribution.objects.get(pk=second_claim.pk),
    )


def state() -> tuple[Any, ...]:
    """What money actions change: the journal's head and every pending item's standing."""
    return (
        journal.head(),
        sorted(Income.objects.values_list("pk", "status")),
        sorted(Withdrawal.objects.values_list("pk", "status")),
        sorted(ReversalRequest.objects.values_list("pk", "status")),
        ExpenseDecision.objects.count(),
        Withdrawal.objects.count(),
        ReversalRequest.objects.count(),
        Income.objects.count(),
    )


# Each money action as one call, for an actor: (name, call).
def actions(m: SimpleNamespace) -> dict[str, Callable[[Any], Any]]:
    return {
        "record income": lambda who: services.record_income(
            who, amount="9", currency="EUR", payer="X", description="D", received_on=m.today
        ),
        "confirm income": lambda who: services.confirm_income(who, m.pending.pk),
        "decide an expense": lambda who: services.decide_expense(
            who, m.claim.pk, verdict="approve"
        ),
        "record a withdrawal": lambda who: services.record_withdrawal(
            who, member_id=m.ada.pk, amount="1.00", currency="EUR", reference="TR-9"
        ),
        "confirm a withdrawal": lambda who: services.confirm_withdrawal(who, m.payout.pk),
        "dispute a withdrawal": lambda who: services.dispute_withdrawal(
            who, m.payout.pk, reason="No"
        ),
        "ask for a reversal": lambda who: services.request_reversal(who, 2, reason="Mistake"),
        "confirm a reversal": lambda who: services.confirm_reversal(who, m.reversal.pk),
    }


# Who tries, and (for "themself") the one each action's own item names.
def _themself(m: SimpleNamespace, action: str) -> Any:
    return {
        "record income": None,  # nobody's own item yet
        "confirm income": m.bo,  # recorded it
        "decide an expense": m.ada,  # the claimant
        "record a withdrawal": m.ada,  # the payee
        "confirm a withdrawal": m.bo,  # recorded it, is not the payee
        "dispute a withdrawal": m.bo,
        "ask for a reversal": None,
        "confirm a reversal": m.bo,  # asked for it
    }[action]


# What the refusal says, by who tried (a payee's answer is refused to anyone else as such).
NOT_THE_PAYEE = "Only the member who was paid"
WHY = {
    "fresh": ("you need trust level 2", NOT_THE_PAYEE),
    "gone": ("You left the community", NOT_THE_PAYEE),
    "themself": (
        "so another member must confirm it",
        "Nobody approves or rejects their own expense claim",
        "Nobody records a payout to themself",
        NOT_THE_PAYEE,
    ),
}
ACTIONS = [
    "record income",
    "confirm income",
    "decide an expense",
    "record a withdrawal",
    "confirm a withdrawal",
    "dispute a withdrawal",
    "ask for a reversal",
    "confirm a reversal",
]
# The payee's answers are theirs alone: a departed payee may still give them, but a
# departed member who is not the payee is refused like anyone else. Recording income and
# asking for a reversal concern no item of the actor's own yet: fresh and gone cover them.
CASES = [
    (action, who)
    for action in ACTIONS
    for who in ("fresh", "gone", "themself")
    if not (who == "themself" and action in ("record income", "ask for a reversal"))
]


@pytest.mark.parametrize(("action", "who"), CASES)
def test_the_service_refuses(money: SimpleNamespace, action: str, who: str) -> None:
    actor = _themself(money, action) if who == "themself" else getattr(money, who)
    before = state()
    with pytest.raises(Forbidden) as refused:
        actions(money)[action](actor)
    assert any(why in str(refused.value) for why in WHY[who]), refused.value
    assert state() == before


def test_what_stays_pending_until_the_right_person_answers(money: SimpleNamespace) -> None:
    """A newcomer's or the recorder's try leaves each item pending; the right one moves it."""
    assert Income.objects.get(pk=money.pending.pk).status == "pending"
    services.confirm_income(money.cy, money.pending.pk)
    services.confirm_withdrawal(money.ada, money.payout.pk)
    services.confirm_reversal(money.cy, money.reversal.pk)
    assert Income.objects.get(pk=money.pending.pk).status == "confirmed"
    assert Withdrawal.objects.get(pk=money.payout.pk).status == "confirmed"
    assert ReversalRequest.objects.get(pk=money.reversal.pk).status == "confirmed"


# --- the API --------------------------------------------------------------------------------


def _api_calls(m: SimpleNamespace) -> dict[str, tuple[str, dict[str, Any] | None]]:
    return {
        "record income": (
            "/income",
            {
                "amount": "9",
                "currency": "EUR",
                "payer": "X",
                "description": "D",
                "received_on": m.today.isoformat(),
            },
        ),
        "confirm income": (f"/income/{m.pending.pk}/confirm", None),
        "decide an expense": (
            f"/expenses/{m.claim.pk}/decision",
            {"version": 1, "verdict": "approve"},
        ),
        "record a withdrawal": (
            "/withdrawals",
            {"member_id": m.ada.pk, "amount": "1.00", "currency": "EUR", "reference": "TR-9"},
        ),
        "confirm a withdrawal": (f"/withdrawals/{m.payout.pk}/confirm", None),
        "dispute a withdrawal": (f"/withdrawals/{m.payout.pk}/dispute", {"reason": "No"}),
        "ask for a reversal": ("/books/entries/2/reverse", {"reason": "Mistake"}),
        "confirm a reversal": (f"/reversals/{m.reversal.pk}/confirm", None),
    }


@pytest.mark.parametrize(("action", "who"), CASES)
def test_the_api_refuses(money: SimpleNamespace, action: str, who: str) -> None:
    if who == "gone":
        client = ApiClient(money.gone_token)
    else:
        actor = _themself(money, action) if who == "themself" else money.fresh
        _, token = community.create_token(actor, name="tests")
        client = ApiClient(token)
    path, body = _api_calls(money)[action]
    before = state()
    response = client.post(path, body if body is not None else {})
    assert response.status_code == 403, (action, who, response.content)
    assert any(why in response.json()["detail"] for why in WHY[who]), response.json()
    assert state() == before


# --- the web --------------------------------------------------------------------------------


def _web_calls(m: SimpleNamespace) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "record income": (
            "/books/income/new/",
            {
                "amount": "9",
                "currency": "EUR",
                "payer": "X",
                "description": "D",
                "received_on": m.today.isoformat(),
                "source": "support",
            },
        ),
        "confirm income": (f"/books/income/{m.pending.pk}/confirm/", {}),
        "decide an expense": (
            f"/contributions/{m.claim.pk}/decide/",
            {"verdict": "approve", "version": "1"},
        ),
        "record a withdrawal": (
            f"/members/{m.ada.pk}/pay-out/",
            {"amount": "1.00", "currency": "EUR", "reference": "TR-9"},
        ),
        "confirm a withdrawal": (f"/books/withdrawals/{m.payout.pk}/confirm/", {}),
        "dispute a withdrawal": (f"/books/withdrawals/{m.payout.pk}/dispute/", {"reason": "No"}),
        "ask for a reversal": ("/books/entries/2/reverse/", {"reason": "Mistake"}),
        "confirm a reversal": (f"/books/reversals/{m.reversal.pk}/confirm/", {}),
    }


@pytest.mark.parametrize(("action", "who"), CASES)
def test_the_web_refuses(money: SimpleNamespace, action: str, who: str) -> None:
    actor = _themself(money, action) if who == "themself" else getattr(money, who)
    client = Client()
    client.force_login(actor)
    path, body = _web_calls(money)[action]
    before = state()
    response = client.post(path, body)
    assert response.status_code == 403, (action, who, response.status_code)
    page = response.content.decode().replace("&#x27;", "'")
    assert any(why in page for why in WHY[who]), page
    assert state() == before
