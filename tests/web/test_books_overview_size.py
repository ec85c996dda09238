"""The books' overview stays small however many members are paid: each kind of account
lists its largest balances with the kind's total, and each posted distribution is a line
(its payouts are on its own page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonshare.core.ledger import AccountType
from commonshare.web import fragments, ledger
from commonshare.web.views import openbooks
from tests.web.test_pages import url

pytestmark = pytest.mark.django_db


def _line(account: str, shown: int) -> ledger.BalanceLine:
    return ledger.BalanceLine(account=account, currency="EUR", minor=-shown, shown=shown)


def test_a_kind_of_account_lists_its_largest_balances_and_keeps_the_total() -> None:
    lines = [_line(f"liabilities:payable:{n}", n * 100) for n in range(1, 6)]
    group = ledger.BalanceGroup(AccountType.LIABILITY, "Liabilities", "", lines, [("EUR", 1500)])
    (kept,) = ledger.largest_first([group], 2)
    assert [line.shown for line in kept.lines] == [500, 400]
    assert kept.more == 3
    assert kept.totals == [("EUR", 1500)]
    (whole,) = ledger.largest_first([group], 5)
    assert whole == group and whole.more == 0


def test_the_overview_says_how_many_balances_it_leaves_out(
    paid: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openbooks, "BALANCES_SHOWN", 1)
    fragments.forget_kept_parts()
    page = Client().get(url("books")).content.decode()
    assert "The 1 largest are listed;" in page
    assert "more account" in page
    assert '<th scope="row">Total</th>' in page  # each kind's total, of every account


def test_the_overview_lines_up_posted_distributions_without_their_payouts(paid: Any) -> None:
    page = Client().get(url("books")).content.decode()
    assert 'id="posted-distributions"' in page
    assert url("distribution", paid.distribution.pk) in page
    assert url("payout", paid.distribution.pk, paid.ada.pk) not in page
