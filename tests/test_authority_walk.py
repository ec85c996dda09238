"""The authority walk: every write route, and who may not move money or rules through it.

The routes are enumerated here, not listed by hand: every web URL pattern (from the URL
conf) and every API operation that writes (from the OpenAPI schema). Each is in one table
below with what it is, and a test checks the tables cover exactly the enumerated routes,
so a route added later without a row fails here until someone says what it may do.

Each route that moves money or decides rules is then tried by:

- ``fresh``: an account that joined today (trust level 0);
- ``gone``: a level-2 member who left;
- ``themself``: the one person the item concerns, whose word alone must not move it (the
  recorder of the income, the claimant of the expense, the payee or recorder of a payout,
  the one who asked for a reversal, the proposer of a decision); for the few routes only
  one person may take (confirming receipt, withdrawing a proposed distribution), it is
  another level-2 member, who is refused as not that person.

Each try is refused with a plain sentence (a 403, 409 or 422 answer, or an error page)
or leaves the item pending; and nothing reaches the books: the journal's head is the same
and no new entry is posted. The right person's call of the same route, with the same
body, is checked to work (a positive control), so a refusal here is about who tried.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commonshare.books import journal, services
from commonshare.books.models import (
    Distribution,
    ExpenseDecision,
    Income,
    JournalEntry,
    ReversalRequest,
    Withdrawal,
)
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.decisions.models import Proposal
from commonshare.governance.models import NormVersion, PolicyVersion
from commonshare.work import services as work
from commonshare.work.models import Contribution
from tests.decisions.helpers import make_proposal
from tests.distributing import propose
from tests.test_left_members import api_writes, snapshot, web_routes

pytestmark = pytest.mark.django_db

# --- the tables: every route, with what it is ----------------------------------------------

MONEY = "moves money or decides rules: walked below as fresh, gone and themself"
ACCOUNT = "a member's own account, or acting as nobody (signing in, joining, mailed links)"
WORK = "tasks, contributions and reviews: walked in tests/test_authority_walk_work.py"
TALK = "comments and topics, limited by trust and rate: walked in test_authority_walk_work.py"
READ = "a page that only reads (a POST changes nothing)"
THANKS = (
    "recognition: moves no pay; level 0 may, nobody for their own (tests/work/test_recognition)"
)

WEB_ROUTES: dict[str, str] = {
    "web:home": READ,
    "web:signup": ACCOUNT,
    "web:login": ACCOUNT,
    "web:logout": ACCOUNT,
    "web:verify_email": ACCOUNT,
    "web:verify_email_resend": ACCOUNT,
    "web:password_reset": ACCOUNT,
    "web:password_reset_done": READ,
    "web:password_reset_confirm": ACCOUNT,
    "web:password_reset_complete": READ,
    "web:members": READ,
    "web:member": READ,
    "web:withdrawal_create": MONEY,
    "web:me": READ,
    "web:profile_edit": ACCOUNT,
    "web:leave": ACCOUNT,
    "web:rejoin": ACCOUNT,
    "web:avatar": READ,
    "web:avatar_edit": ACCOUNT,
    "web:about": READ,
    "web:thank_contribution": THANKS,
    "web:thank_review": THANKS,
    "web:decisions": READ,
    "web:decision_create": MONEY,
    "web:decision": READ,
    "web:decision_vote": MONEY,
    "web:decision_close": MONEY,
    "web:decision_receipt": READ,
    "web:tasks": READ,
    "web:task_create": WORK,
    "web:task": READ,
    "web:subtask_create": WORK,
    "web:task_claim": WORK,
    "web:task_release": WORK,
    "web:task_done": WORK,
    "web:contributions": READ,
    "web:contribution_create": WORK,
    "web:contribution": READ,
    "web:contribution_edit": WORK,
    "web:review_create": WORK,
    "web:expense_decide": MONEY,
    "web:reviews_todo": READ,
    "web:books": READ,
    "web:entries": READ,
    "web:entry_go": READ,
    "web:entry": READ,
    "web:entry_reverse": MONEY,
    "web:sustainability": READ,
    "web:waiting": READ,
    "web:income_confirm": MONEY,
    "web:withdrawal_confirm": MONEY,
    "web:withdrawal_dispute": MONEY,
    "web:withdrawal_resolve": MONEY,
    "web:reversal_confirm": MONEY,
    "web:policy": READ,
    "web:norms": READ,
    "web:search": READ,
    "web:norm": READ,
    "web:norm_version": READ,
    "web:expenses": READ,
    "web:income": READ,
    "web:income_list": READ,
    "web:income_create": MONEY,
    "web:distributions": READ,
    "web:distribution_create": MONEY,
    "web:distribution_withdraw": MONEY,
    "web:distribution": READ,
    "web:payout": READ,
    "web:activity": READ,
    "web:activity_atom": READ,
    "web:member_activity": READ,
    "web:member_atom": READ,
    "web:task_activity": READ,
    "web:decision_activity": READ,
    "web:decisions_atom": READ,
    "web:entries_atom": READ,
    "web:forum": READ,
    "web:topic_create": TALK,
    "web:topic": READ,
    "web:discussion": READ,
    "web:discussion_post": TALK,
    "web:comment_edit": TALK,
    "web:comment_delete": TALK,
    "web:comment_history": READ,
    "web:notifications": READ,
    "web:notification_read": ACCOUNT,
    "web:notifications_read_all": ACCOUNT,
    "web:notification_settings": ACCOUNT,
    "web:unsubscribe": ACCOUNT,
    "None": READ,  # uploaded receipts, served to read
}

API_ROUTES: dict[tuple[str, str], str] = {
    ("post", "/api/tokens"): ACCOUNT,
    ("delete", "/api/tokens/{token_id}"): ACCOUNT,
    ("post", "/api/auth/token"): ACCOUNT,
    ("post", "/api/members"): ACCOUNT,
    ("put", "/api/members/me"): ACCOUNT,
    ("patch", "/api/members/me"): ACCOUNT,
    ("post", "/api/members/me/leave"): ACCOUNT,
    ("post", "/api/members/me/rejoin"): ACCOUNT,
    ("post", "/api/members/me/verify-email"): ACCOUNT,
    ("post", "/api/members/verify-email"): ACCOUNT,
    ("post", "/api/members/password-reset"): ACCOUNT,
    ("post", "/api/members/password-reset/confirm"): ACCOUNT,
    ("post", "/api/members/me/avatar"): ACCOUNT,
    ("delete", "/api/members/me/avatar"): ACCOUNT,
    ("post", "/api/thanks"): THANKS,
    ("post", "/api/tasks"): WORK,
    ("post", "/api/tasks/{task_id}/claim"): WORK,
    ("post", "/api/tasks/{task_id}/release"): WORK,
    ("post", "/api/tasks/{task_id}/done"): WORK,
    ("post", "/api/contributions"): WORK,
    ("post", "/api/contributions/multipart"): WORK,
    ("put", "/api/contributions/{contribution_id}"): WORK,
    ("patch", "/api/contributions/{contribution_id}"): WORK,
    ("post", "/api/contributions/{contribution_id}/multipart"): WORK,
    ("post", "/api/contributions/{contribution_id}/reviews"): WORK,
    ("post", "/api/income"): MONEY,
    ("post", "/api/distributions"): MONEY,
    ("post", "/api/distributions/{distribution_id}/withdraw"): MONEY,
    ("post", "/api/expenses/{contribution_id}/decision"): MONEY,
    ("post", "/api/withdrawals"): MONEY,
    ("post", "/api/income/{income_id}/confirm"): MONEY,
    ("post", "/api/withdrawals/{withdrawal_id}/confirm"): MONEY,
    ("post", "/api/withdrawals/{withdrawal_id}/dispute"): MONEY,
    ("post", "/api/withdrawals/{withdrawal_id}/resolve"): MONEY,
    ("post", "/api/reversals/{request_id}/confirm"): MONEY,
    ("post", "/api/books/entries/{seq}/reverse"): MONEY,
    ("post", "/api/decisions"): MONEY,
    ("post", "/api/decisions/{number}/ballot"): MONEY,
    ("post", "/api/decisions/{number}/close"): MONEY,
    ("post", "/api/discussion/topics"): TALK,
    ("post", "/api/discussion/threads/{subject}/comments"): TALK,
    ("patch", "/api/discussion/comments/{comment_id}"): TALK,
    ("delete", "/api/discussion/comments/{comment_id}"): TALK,
    ("post", "/api/notifications/read"): ACCOUNT,
    ("post", "/api/notifications/{notification_id}/read"): ACCOUNT,
    ("put", "/api/notifications/settings"): ACCOUNT,
}


def test_the_web_table_covers_exactly_the_enumerated_routes() -> None:
    found = {name for name, _ in web_routes()}
    assert found == set(WEB_ROUTES), (
        f"not in the table: {sorted(found - set(WEB_ROUTES))}; "
        f"no longer routes: {sorted(set(WEB_ROUTES) - found)}"
    )


def test_the_api_table_covers_exactly_the_enumerated_writes() -> None:
    found = {(method, path) for method, path, _ in api_writes()}
    assert found == set(API_ROUTES), (
        f"not in the table: {sorted(found - set(API_ROUTES))}; "
        f"no longer routes: {sorted(set(API_ROUTES) - found)}"
    )


def test_every_money_route_is_walked_below() -> None:
    assert {n for n, kind in WEB_ROUTES.items() if kind == MONEY} == set(WEB_CALLS)
    assert {r for r, kind in API_ROUTES.items() if kind == MONEY} == set(API_CALLS)


def test_every_work_and_talk_route_is_walked_as_fresh_gone_and_themself() -> None:
    from tests import test_authority_walk_work as walk

    assert {n for n, kind in WEB_ROUTES.items() if kind in (WORK, TALK)} == set(walk.WEB_CALLS)
    assert {r for r, kind in API_ROUTES.items() if kind in (WORK, TALK)} == set(walk.API_CALLS)
    # Each is tried by a member who left, and each rule says who else it refuses.
    assert {route for route, who in walk._tries(walk.WEB_CALLS) if who == "gone"} == set(
        walk.WEB_CALLS
    )
    assert {route for route, who in walk._tries(walk.API_CALLS) if who == "gone"} == set(
        walk.API_CALLS
    )


# --- the world the walk runs in ------------------------------------------------------------


@pytest.fixture
def m(make_member: Callable[..., Any], settings: Any) -> SimpleNamespace:
    """Books with one of each item waiting, each naming the one person it concerns.

    Bo recorded the posted income (entry 1) and the pending one, paid Ada out (pending) and
    once more (disputed by Ada), asked to reverse entry 1, proposed the distribution and
    decision 1. Ada claimed the approved expense and the pending one. Di is a third member
    who concerns nothing; ``fresh`` joined today; ``gone`` was at level 2 and left.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ada, bo = make_member("Ada"), make_member("Bo")
    done = work.log_contribution(
        ada, work.ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, done.pk, rating=5, comment="Good")  # the only one to draw
    cy = make_member("Cy")
    first = services.record_income(
        bo,
        amount="500",
        currency="EUR",
        payer="A",
        description="Gift",
        received_on=timezone.localdate(),
    )
    services.confirm_income(cy, first.pk)
    claim = _claim(ada, "40.00")
    for pk in claim.approvers:
        services.decide_expense(bo if pk == bo.pk else cy, claim.pk, verdict="approve")
    distribution = propose(bo, currency="EUR")  # the clock moves past the period's end
    today = timezone.localdate()
    pending = services.record_income(
        bo, amount="70", currency="EUR", payer="B", description="Support", received_on=today
    )
    payout = services.record_withdrawal(
        bo, member_id=ada.pk, amount="10.00", currency="EUR", reference="TR-1"
    )
    disputed = services.record_withdrawal(
        bo, member_id=ada.pk, amount="5.00", currency="EUR", reference="TR-2"
    )
    services.dispute_withdrawal(ada, disputed.pk, reason="Nothing arrived")
    reversal = services.request_reversal(bo, 1, reason="Recorded twice")
    second = _claim(ada, "5.00")
    decision = make_proposal(bo, kind="rules")
    di = make_member("Di")
    gone = make_member("Gone")
    _, gone_token = community.create_token(gone, name="laptop")
    community.leave(gone)
    gone.refresh_from_db()
    fresh = make_member("Fresh", level=0)
    return SimpleNamespace(
        ada=ada,
        bo=bo,
        cy=cy,
        di=di,
        gone=gone,
        gone_token=gone_token,
        fresh=fresh,
        today=today,
        pending=pending,
        payout=payout,
        disputed=disputed,
        reversal=reversal,
        claim=second,
        distribution=distribution,
        decision=decision,
    )


def _claim(author: Any, amount: str) -> Contribution:
    made = work.log_contribution(
        author,
        work.ContributionInput(
            kind="expense",
            summary="Hosting",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    return Contribution.objects.get(pk=made.pk)


def books() -> tuple[Any, ...]:
    """What money and rules actions move: the journal, and every item's standing."""
    return (
        journal.head(),
        JournalEntry.objects.count(),
        sorted(Income.objects.values_list("pk", "status")),
        sorted(Withdrawal.objects.values_list("pk", "status")),
        sorted(ReversalRequest.objects.values_list("pk", "status")),
        sorted(Distribution.objects.values_list("pk", "status")),
        ExpenseDecision.objects.count(),
        sorted(Proposal.objects.values_list("number", "stage")),
        PolicyVersion.objects.count(),
        NormVersion.objects.count(),
    )


# --- each money route: its call, the one it concerns, and who may make it --------------

# (url, body) for a route, in the world ``m``.
Call = Callable[[SimpleNamespace], tuple[str, dict[str, Any]]]


class Route:
    """A money route: its call; who it concerns (``themself``, or None when nobody's own
    item is involved yet); who may make it (the positive control); and whether the one it
    concerns is refused outright or only leaves the item pending (a proposer's own ballot)."""

    def __init__(
        self,
        call: Call,
        *,
        themself: str | None,
        right: str,
        pending_only: bool = False,
    ) -> None:
        self.call, self.themself, self.right, self.pending_only = (
            call,
            themself,
            right,
            pending_only,
        )
        self.web = ""  # the web route's name; its API twin shares it (set below)


def _income_body(m: SimpleNamespace) -> dict[str, Any]:
    return {
        "amount": "9",
        "currency": "EUR",
        "payer": "X",
        "description": "D",
        "received_on": m.today.isoformat(),
    }


WEB_CALLS: dict[str, Route] = {
    "web:income_create": Route(
        lambda m: ("/books/income/new/", {**_income_body(m), "source": "support"}),
        themself=None,
        right="cy",
    ),
    "web:income_confirm": Route(
        lambda m: (f"/books/income/{m.pending.pk}/confirm/", {}), themself="bo", right="cy"
    ),
    "web:expense_decide": Route(
        lambda m: (f"/contributions/{m.claim.pk}/decide/", {"verdict": "approve", "version": 1}),
        themself="ada",
        right="approver",
    ),
    "web:withdrawal_create": Route(
        lambda m: (
            f"/members/{m.ada.pk}/pay-out/",
            {"amount": "1.00", "currency": "EUR", "reference": "TR-9"},
        ),
        themself="ada",
        right="cy",
    ),
    "web:withdrawal_confirm": Route(
        lambda m: (f"/books/withdrawals/{m.payout.pk}/confirm/", {}), themself="bo", right="ada"
    ),
    "web:withdrawal_dispute": Route(
        lambda m: (f"/books/withdrawals/{m.payout.pk}/dispute/", {"reason": "No"}),
        themself="bo",
        right="ada",
    ),
    "web:withdrawal_resolve": Route(
        lambda m: (
            f"/books/withdrawals/{m.disputed.pk}/resolve/",
            {"outcome": "paid", "reason": "On the statement"},
        ),
        themself="ada",
        right="di",
    ),
    "web:entry_reverse": Route(
        lambda m: ("/books/entries/2/reverse/", {"reason": "Mistake"}), themself=None, right="cy"
    ),
    "web:reversal_confirm": Route(
        lambda m: (f"/books/reversals/{m.reversal.pk}/confirm/", {}), themself="bo", right="cy"
    ),
    "web:distribution_create": Route(
        lambda m: ("/books/distributions/new/", {"period": _period(m), "currency": "EUR"}),
        themself=None,
        right="cy",
    ),
    "web:distribution_withdraw": Route(
        lambda m: (f"/books/distributions/{m.distribution.pk}/withdraw/", {"reason": "Wrong"}),
        themself="cy",  # not the proposer: only Bo, who proposed it, may withdraw it
        right="bo",
    ),
    "web:decision_create": Route(
        lambda m: (
            "/decisions/new/",
            {"title": "Reserve at 20%", "kind": "rules", "method": "majority"},
        ),
        themself=None,
        right="cy",
    ),
    "web:decision_vote": Route(
        lambda m: (f"/decisions/{m.decision.number}/vote/", {"choice": "for"}),
        themself="bo",
        right="cy",
        pending_only=True,
    ),
    "web:decision_close": Route(
        lambda m: (f"/decisions/{m.decision.number}/close/", {}),
        themself="bo",
        right="none",  # its vote is still open: nobody closes it yet
        pending_only=True,
    ),
}


for _name, _route in WEB_CALLS.items():
    _route.web = _name


def _period(m: SimpleNamespace) -> str:
    return m.distribution.period_start.isoformat()[:7]


def _api(web: str, path: Callable[[SimpleNamespace], str], body: Any = None) -> Route:
    """The API's twin of a web route: the same people, another door."""
    route = WEB_CALLS[web]
    twin = Route(
        lambda m: (path(m), body(m) if callable(body) else (body or {})),
        themself=route.themself,
        right=route.right,
        pending_only=route.pending_only,
    )
    twin.web = web
    return twin


API_CALLS: dict[tuple[str, str], Route] = {
    ("post", "/api/income"): _api("web:income_create", lambda m: "/api/income", _income_body),
    ("post", "/api/income/{income_id}/confirm"): _api(
        "web:income_confirm", lambda m: f"/api/income/{m.pending.pk}/confirm"
    ),
    ("post", "/api/expenses/{contribution_id}/decision"): _api(
        "web:expense_decide",
        lambda m: f"/api/expenses/{m.claim.pk}/decision",
        {"version": 1, "verdict": "approve"},
    ),
    ("post", "/api/withdrawals"): _api(
        "web:withdrawal_create",
        lambda m: "/api/withdrawals",
        lambda m: {"member_id": m.ada.pk, "amount": "1.00", "currency": "EUR", "reference": "T"},
    ),
    ("post", "/api/withdrawals/{withdrawal_id}/confirm"): _api(
        "web:withdrawal_confirm", lambda m: f"/api/withdrawals/{m.payout.pk}/confirm"
    ),
    ("post", "/api/withdrawals/{withdrawal_id}/dispute"): _api(
        "web:withdrawal_dispute",
        lambda m: f"/api/withdrawals/{m.payout.pk}/dispute",
        {"reason": "No"},
    ),
    ("post", "/api/withdrawals/{withdrawal_id}/resolve"): _api(
        "web:withdrawal_resolve",
        lambda m: f"/api/withdrawals/{m.disputed.pk}/resolve",
        {"outcome": "paid", "reason": "Seen"},
    ),
    ("post", "/api/books/entries/{seq}/reverse"): _api(
        "web:entry_reverse", lambda m: "/api/books/entries/2/reverse", {"reason": "Mistake"}
    ),
    ("post", "/api/reversals/{request_id}/confirm"): _api(
        "web:reversal_confirm", lambda m: f"/api/reversals/{m.reversal.pk}/confirm"
    ),
    ("post", "/api/distributions"): _api(
        "web:distribution_create",
        lambda m: "/api/distributions",
        lambda m: {"period": _period(m), "currency": "EUR"},
    ),
    ("post", "/api/distributions/{distribution_id}/withdraw"): _api(
        "web:distribution_withdraw",
        lambda m: f"/api/distributions/{m.distribution.pk}/withdraw",
        {"reason": "Wrong"},
    ),
    ("post", "/api/decisions"): _api(
        "web:decision_create",
        lambda m: "/api/decisions",
        {"title": "Reserve at 20%", "kind": "rules", "method": "majority", "voting_days": 3},
    ),
    ("post", "/api/decisions/{number}/ballot"): _api(
        "web:decision_vote",
        lambda m: f"/api/decisions/{m.decision.number}/ballot",
        {"ballot": {"choice": "for"}},
    ),
    ("post", "/api/decisions/{number}/close"): _api(
        "web:decision_close", lambda m: f"/api/decisions/{m.decision.number}/close"
    ),
}

WHO = ("fresh", "gone", "themself")


def _cases(table: dict[Any, Route]) -> list[tuple[Any, str]]:
    return [
        (route, who)
        for route, spec in table.items()
        for who in WHO
        if who != "themself" or spec.themself is not None
    ]


def _actor(m: SimpleNamespace, route: Route, who: str) -> Any:
    return getattr(m, route.themself) if who == "themself" else getattr(m, who)


def _right(m: SimpleNamespace, route: Route) -> Any:
    if route.right == "approver":
        return next(member for member in (m.bo, m.cy) if member.pk in (m.claim.approvers or []))
    return getattr(m, route.right)


def _plain(text: str) -> str:
    return text.replace("&#x27;", "'").replace("&quot;", '"')


# Why each is refused, in the words the member reads.
PAYEE_ONLY = "Only the member who was paid"
THEMSELF_WHY = {
    "web:income_confirm": "You recorded this income, so another member must confirm it",
    "web:expense_decide": "Nobody approves or rejects their own expense claim",
    "web:withdrawal_create": "Nobody records a payout to themself",
    "web:withdrawal_confirm": PAYEE_ONLY,
    "web:withdrawal_dispute": PAYEE_ONLY,
    "web:withdrawal_resolve": "so a third member must resolve the dispute",
    "web:reversal_confirm": "You asked for this reversal, so another member must confirm it",
    "web:distribution_withdraw": "Only the member who proposed a distribution withdraws it",
}


def _why(route: Route, who: str) -> str:
    web = route.web
    if web in ("web:withdrawal_confirm", "web:withdrawal_dispute"):
        return PAYEE_ONLY  # the payee's answer: anyone else is refused as not the payee
    if who == "gone":
        return "You left the community"
    if who == "themself":
        return THEMSELF_WHY[web]
    if web == "web:decision_close":
        return "it can be closed after"  # nobody closes a vote before its time
    return "you are at level 0"


def _stays_pending(before: tuple[Any, ...]) -> None:
    """Nothing reached the books, and every item stands as it stood."""
    assert books() == before


# --- the web -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "who"), _cases(WEB_CALLS))
def test_the_web_refuses_or_leaves_it_pending(m: SimpleNamespace, name: str, who: str) -> None:
    route = WEB_CALLS[name]
    client = Client()
    client.force_login(_actor(m, route, who))
    url, body = route.call(m)
    before, rows = books(), snapshot()
    response = client.post(url, body, follow=True)
    _stays_pending(before)
    if route.pending_only and who == "themself":
        return  # the proposer's own ballot is counted like anyone's; nothing is decided
    assert snapshot() == rows, (name, who)
    page = _plain(response.content.decode())
    assert response.status_code in (403, 409, 200), (name, who, response.status_code)
    assert _why(route, who) in page, (name, who, page)
    # A refusal names why in a sentence: a 403 page, or the error on the form or list.
    assert re.search(r"(You|you|Only|Nobody|This|only|cannot|not yet)[^<]{10,}\.", page)
    if response.status_code == 200:
        shown = ('class="message error', 'class="field-error', 'class="error-summary')
        assert _why(route, who) in page, (name, who)
        assert any(mark in page for mark in shown), page


@pytest.mark.parametrize("name", [n for n, r in WEB_CALLS.items() if r.right != "none"])
def test_the_right_person_moves_it_through_the_same_web_route(
    m: SimpleNamespace, name: str
) -> None:
    """The positive control: the calls above are valid, so their refusals are about who."""
    route = WEB_CALLS[name]
    client = Client()
    client.force_login(_right(m, route))
    url, body = route.call(m)
    before = snapshot()
    response = client.post(url, body)
    assert response.status_code in (200, 302), (name, response.status_code)
    assert snapshot() != before


@pytest.mark.parametrize("name", [n for n, kind in WEB_ROUTES.items() if kind == READ])
def test_a_post_to_a_reading_page_changes_nothing(m: SimpleNamespace, name: str) -> None:
    """A route the table calls a read must stay one: posting to it writes nothing."""
    url = dict(web_routes())[name]
    client = Client()
    client.force_login(m.cy)
    before = snapshot()
    client.post(url, {"reason": "x", "amount": "1", "currency": "EUR"})
    assert snapshot() == before


# --- the API -------------------------------------------------------------------------


def _token(m: SimpleNamespace, who: str, route: Route) -> str:
    if who == "gone":
        return str(m.gone_token)
    actor = _actor(m, route, who) if who != "right" else _right(m, route)
    _, token = community.create_token(actor, name="walk")
    return str(token)


def _api_post(token: str, url: str, body: dict[str, Any]) -> Any:
    return Client().post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(("key", "who"), _cases(API_CALLS))
def test_the_api_refuses_or_leaves_it_pending(
    m: SimpleNamespace, key: tuple[str, str], who: str
) -> None:
    route = API_CALLS[key]
    token = _token(m, who, route)
    url, body = route.call(m)
    before, rows = books(), snapshot()
    response = _api_post(token, url, body)
    _stays_pending(before)
    if route.pending_only and who == "themself":
        return
    assert snapshot() == rows, (key, who)
    assert response.status_code in (403, 409), (key, who, response.status_code, response.content)
    detail = response.json()["detail"]
    assert _why(route, who) in detail, (key, who, detail)
    assert detail.endswith((".", ")")) and len(detail) > 20, detail


@pytest.mark.parametrize("key", [k for k, r in API_CALLS.items() if r.right != "none"])
def test_the_right_person_moves_it_through_the_same_api_route(
    m: SimpleNamespace, key: tuple[str, str]
) -> None:
    route = API_CALLS[key]
    url, body = route.call(m)
    before = snapshot()
    response = _api_post(_token(m, "right", route), url, body)
    assert response.status_code in (200, 201), (key, response.content)
    assert snapshot() != before


# --- the command line: the same services, by the same people ---------------------------

CLI_CALLS: dict[str, tuple[Callable[[SimpleNamespace], list[str]], str | None]] = {
    "income record": (
        lambda m: [
            *("income", "record", "--amount", "9", "--currency", "EUR", "--payer", "X"),
            *("--description", "D", "--date", m.today.isoformat()),
        ],
        None,
    ),
    "income confirm": (lambda m: ["income", "confirm", str(m.pending.pk)], "bo"),
    "expense approve": (
        lambda m: ["expense", "approve", str(m.claim.pk), "--version", "1"],
        "ada",
    ),
    "books withdraw": (
        lambda m: [
            *("books", "withdraw", "--member", str(m.ada.pk), "--amount", "1.00"),
            *("--currency", "EUR", "--reference", "T"),
        ],
        "ada",
    ),
    "books received": (lambda m: ["books", "received", str(m.payout.pk)], "bo"),
    "books dispute": (
        lambda m: ["books", "dispute", str(m.payout.pk), "--reason", "No"],
        "bo",
    ),
    "books resolve": (
        lambda m: [
            *("books", "resolve", str(m.disputed.pk)),
            *("--outcome", "paid", "--reason", "Seen"),
        ],
        "ada",
    ),
    "books reverse": (lambda m: ["books", "reverse", "2", "--reason", "Mistake"], None),
    "books confirm-reversal": (
        lambda m: ["books", "confirm-reversal", str(m.reversal.pk)],
        "bo",
    ),
    "distribute propose": (
        lambda m: ["distribute", "propose", "--period", _period(m), "--currency", "EUR"],
        None,
    ),
    "distribute withdraw": (
        lambda m: ["distribute", "withdraw", str(m.distribution.pk), "--reason", "Wrong"],
        "cy",
    ),
}


# Each command's web twin, whose refusal it shares (the same service says it).
CLI_WEB = {
    "income record": "web:income_create",
    "income confirm": "web:income_confirm",
    "expense approve": "web:expense_decide",
    "books withdraw": "web:withdrawal_create",
    "books received": "web:withdrawal_confirm",
    "books dispute": "web:withdrawal_dispute",
    "books resolve": "web:withdrawal_resolve",
    "books reverse": "web:entry_reverse",
    "books confirm-reversal": "web:reversal_confirm",
    "distribute propose": "web:distribution_create",
    "distribute withdraw": "web:distribution_withdraw",
}


@pytest.mark.parametrize(
    ("name", "who"),
    [(n, w) for n, (_, own) in CLI_CALLS.items() for w in WHO if w != "themself" or own],
)
def test_the_command_line_refuses(m: SimpleNamespace, name: str, who: str) -> None:
    call, own = CLI_CALLS[name]
    actor = getattr(m, own) if who == "themself" and own else getattr(m, who)
    before, rows = books(), snapshot()
    result = CliRunner().invoke(main, call(m), env={"COMMONSHARE_MEMBER": actor.email})
    assert result.exit_code == 2, (name, who, result.output)
    assert result.output.startswith("error: "), result.output
    assert _why(WEB_CALLS[CLI_WEB[name]], who) in result.output, result.output
    _stays_pending(before)
    assert snapshot() == rows
