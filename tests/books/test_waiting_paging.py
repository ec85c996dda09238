""" "Waiting for you" pages each of its lists by keyset, on the web and in the API: every
item once, in order, each list by its own link; the command still prints them all."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from commonshare.books.models import ExpenseDecision, Income, ReversalRequest, Withdrawal
from commonshare.books.selectors import waiting
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.paging import DEFAULT_SIZE
from commonshare.work.models import Contribution

pytestmark = pytest.mark.django_db

N = DEFAULT_SIZE + 6  # two pages of each list


@pytest.fixture
def world(make_member: Callable[..., Any]) -> SimpleNamespace:
    """Ada, at level 2, with N of each kind of thing waiting for her, and as many that are
    not hers to move (hers to wait on, or someone else's)."""
    ada, bo, cy = make_member("Ada", email="ada@example.org"), make_member("Bo"), make_member("Cy")
    dee = make_member("Dee")
    now = timezone.now()
    Income.objects.bulk_create(
        Income(
            amount_minor=100 + i,
            currency="EUR",
            payer=f"Payer {i}",
            description="Gift",
            received_on=timezone.localdate(),
            recorded_by=ada if i % 2 else bo,  # hers are not hers to confirm
            status="pending",
        )
        for i in range(2 * N)
    )
    Withdrawal.objects.bulk_create(
        Withdrawal(
            member=ada if i % 2 else cy,
            amount_minor=10 + i,
            currency="EUR",
            reference=f"TR-{i}",
            recorded_by=bo,
            status="pending",
        )
        for i in range(2 * N)
    )
    Withdrawal.objects.bulk_create(
        Withdrawal(
            member=ada if i % 2 else cy,  # Ada's own are not hers to settle
            amount_minor=10 + i,
            currency="EUR",
            reference=f"DS-{i}",
            recorded_by=bo,
            status="disputed",
            dispute_reason="Nothing arrived",
            answered_at=now + dt.timedelta(seconds=i // 3),
        )
        for i in range(2 * N)
    )
    ReversalRequest.objects.bulk_create(
        ReversalRequest(seq=i + 1, reason=f"Typo {i}", requested_by=ada if i % 2 else bo)
        for i in range(2 * N)
    )
    claims = Contribution.objects.bulk_create(
        Contribution(
            author=bo,
            kind="expense",
            summary=f"Spent {i}",
            amount_minor=1000 + i,
            currency="EUR",
            # Every third drawn others; of Ada's, every fourth she has decided already.
            approvers=[cy.pk, dee.pk] if i % 3 == 0 else [ada.pk, cy.pk],
        )
        for i in range(int(N * 2.4))
    )
    decided = [c for i, c in enumerate(claims) if i % 3 and i % 4 == 0]
    ExpenseDecision.objects.bulk_create(
        ExpenseDecision(contribution=c, member=ada, verdict="approve") for c in decided
    )
    return SimpleNamespace(ada=ada, bo=bo, cy=cy)


LISTS = {
    "incomes": ("income-to-confirm", "income"),
    "withdrawals": ("payouts-to-confirm", "withdrawal"),
    "disputes": ("disputes-to-settle", "dispute"),
    "own_disputes": ("own-disputes", "own-dispute"),
    "reversals": ("reversals-to-confirm", "reversal"),
    "claims": ("claims-to-decide", "claim"),
}


def _shown(page: str, name: str) -> list[int]:
    box, item = LISTS[name]
    listed = page.split(f'id="{box}"')[1].split("</ul>", maxsplit=1)[0]
    return [int(n) for n in re.findall(rf'<li id="{item}-(\d+)">', listed)]


def _next(page: str, name: str, rel: str = "next") -> str | None:
    after = page.split(f'id="{LISTS[name][0]}"')[1].split("</ul>", 1)[1]
    nav = re.match(r'\s*<nav class="pager" aria-label="[^"]+">(.*?)</nav>', after, re.S)
    if nav is None:
        return None
    link = re.search(rf'<a href="([^"]+)" rel="{rel}"', nav.group(1))
    return html.unescape(link.group(1)) if link else None


def _everything(member: Any) -> dict[str, list[int]]:
    found = waiting.everything_waiting_for(member)
    return {name: [row.pk for row in getattr(found, name)] for name in LISTS}


def test_each_list_pages_forward_and_back_on_the_web(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.ada)
    expected = _everything(world.ada)
    for name in LISTS:
        assert len(expected[name]) > DEFAULT_SIZE, name  # more than one page of each
        page = client.get("/books/waiting/").content.decode()
        pages = [_shown(page, name)]
        while (ahead := _next(page, name)) is not None:
            page = client.get("/books/waiting/" + ahead).content.decode()
            pages.append(_shown(page, name))
        assert [pk for rows in pages for pk in rows] == expected[name], name
        back = _next(page, name, "prev")
        assert back is not None
        assert _shown(client.get("/books/waiting/" + back).content.decode(), name) == pages[-2]


def test_what_the_lists_hold_follows_the_rules(world: SimpleNamespace) -> None:
    shown = waiting.everything_waiting_for(world.ada)
    assert all(i.recorded_by_id != world.ada.pk for i in shown.incomes)
    assert all(w.member_id == world.ada.pk for w in shown.withdrawals)
    assert all(world.ada.pk not in (w.member_id, w.recorded_by_id) for w in shown.disputes)
    assert all(w.member_id == world.ada.pk for w in shown.own_disputes)
    assert all(r.requested_by_id != world.ada.pk for r in shown.reversals)
    decided = set(
        ExpenseDecision.objects.filter(member=world.ada).values_list("contribution", flat=True)
    )
    drawn = [
        c.pk
        for c in Contribution.objects.filter(kind="expense").order_by("-created_at", "-id")
        if world.ada.pk in c.approvers and c.pk not in decided
    ]
    assert [c.pk for c in shown.claims] == drawn
    # Half of each kind was made for Ada to move, the other half not.
    assert [len(shown.incomes), len(shown.withdrawals), len(shown.reversals)] == [N, N, N]
    assert [len(shown.disputes), len(shown.own_disputes)] == [N, N]


def test_the_api_names_each_lists_next_page(world: SimpleNamespace) -> None:
    _, raw = community.create_token(world.ada, name="paging")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    expected = _everything(world.ada)
    for name in ("incomes", "withdrawals", "disputes", "reversals", "claims"):
        body = client.get("/api/books/waiting").json()
        seen = [row["id"] for row in body[name]]
        while body["next"][name]:
            body = client.get("/api/books/waiting", {name: body["next"][name]}).json()
            seen += [row["id"] for row in body[name]]
        assert seen == expected[name], name
    refused = client.get("/api/books/waiting", {"claims": "bm90LW91cnM"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "cursor"


def test_a_changed_cursor_is_a_400_page(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.ada)
    response = client.get("/books/waiting/?reversals=bm90LW91cnM")
    assert response.status_code == 400
    assert "That page link is not valid for this list" in response.content.decode()


def test_the_command_still_prints_every_item(world: SimpleNamespace) -> None:
    shown = CliRunner().invoke(
        main, ["books", "waiting"], env={"COMMONSHARE_MEMBER": "ada@example.org"}
    )
    assert shown.exit_code == 0, shown.output
    expected = _everything(world.ada)
    assert len(re.findall(r"^income \d+:", shown.output, re.M)) == len(expected["incomes"])
    assert len(re.findall(r"^expense claim \d+ ", shown.output, re.M)) == len(expected["claims"])
