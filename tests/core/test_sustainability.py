"""Burn, runway, break-even and trend, from monthly totals and from the journal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.ledger import (
    BANK,
    PAYOUTS,
    RESERVE,
    STANDARD_ACCOUNTS,
    EntryDraft,
    MemoryJournal,
    Posting,
    expense_account,
    income_account,
    payable_account,
    reversal_of,
)
from commonshare.core.sustainability import (
    MonthTotals,
    SustainabilityError,
    monthly_totals,
    reserve_balance,
    sustainability,
)

TODAY = datetime.date(2024, 5, 10)


def month(year: int, number: int, income: int, expenses: int, payouts: int = 0) -> MonthTotals:
    return MonthTotals(datetime.date(year, number, 1), income, expenses, payouts)


def test_burn_runway_break_even_and_trend_over_the_last_three_complete_months() -> None:
    history = [
        month(2024, 1, 9_000, 1_000),  # outside the window
        month(2024, 2, 1_000, 600, 400),
        month(2024, 3, 1_500, 700, 500),
        month(2024, 4, 2_000, 800, 600),
        month(2024, 5, 50_000, 0),  # the running month is left out
    ]
    report = sustainability(history, reserve=6_300, currency="EUR", today=TODAY)
    assert report.months == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 3, 1),
        datetime.date(2024, 4, 1),
    )
    assert report.burn == 1_200
    assert report.average_income == 1_500
    assert report.runway_months == Decimal("5.2")
    assert report.break_even_income == 1_200
    assert report.last_month_net == 600
    assert report.last_month_broke_even is True
    assert report.trend == 300
    assert report.direction == "improving"


def test_missing_months_count_as_zero_but_not_before_the_first_record() -> None:
    report = sustainability([month(2024, 3, 0, 900)], reserve=900, currency="EUR", today=TODAY)
    assert report.months == (datetime.date(2024, 3, 1), datetime.date(2024, 4, 1))
    assert report.burn == 450
    assert report.runway_months == Decimal("2.0")
    assert report.last_month_broke_even is True
    assert report.trend == 900


def test_no_burn_means_unlimited_runway_and_no_history_means_no_trend() -> None:
    report = sustainability([], reserve=100, currency="EUR", today=TODAY)
    assert (report.burn, report.runway_months, report.trend, report.direction) == (
        0,
        None,
        None,
        None,
    )
    assert report.last_month_broke_even is None
    quiet = sustainability([month(2024, 4, 10, 0)], reserve=0, currency="EUR", today=TODAY)
    assert (quiet.runway_months, quiet.trend) == (None, None)


def test_window_crosses_the_year_and_rounds_half_up() -> None:
    history = [month(2023, 11, 0, 1), month(2023, 12, 0, 0), month(2024, 1, 0, 0)]
    report = sustainability(
        history, reserve=-5, currency="JPY", today=datetime.date(2024, 2, 1), window=2
    )
    assert report.months == (datetime.date(2023, 12, 1), datetime.date(2024, 1, 1))
    assert report.burn == 0
    report = sustainability(
        history, reserve=1, currency="JPY", today=datetime.date(2024, 1, 31), window=2
    )
    assert report.burn == 1  # (1 + 0) / 2 = 0.5 rounds up
    assert report.runway_months == Decimal("1.0")
    assert report.direction == "improving"


@pytest.mark.parametrize(
    ("months", "window", "says"),
    [
        ([MonthTotals(datetime.date(2024, 1, 2), 0, 0, 0)], 3, "first day of a month"),
        ([month(2024, 1, 0, 0), month(2024, 1, 1, 1)], 3, "given twice"),
        ([MonthTotals(datetime.date(2024, 1, 1), 1.5, 0, 0)], 3, "minor units"),  # type: ignore[arg-type]
        ([], 0, "at least one month"),
    ],
)
def test_bad_totals_are_refused(months: list[MonthTotals], window: int, says: str) -> None:
    with pytest.raises(SustainabilityError, match=says):
        sustainability(months, reserve=0, currency="EUR", today=TODAY, window=window)


@given(
    st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)), min_size=1, max_size=12),
    st.integers(0, 10**12),
    st.integers(1, 6),
)
def test_runway_never_overstates_the_reserve(
    costs: list[tuple[int, int]], reserve: int, window: int
) -> None:
    start = 13 - len(costs)  # the months run up to December 2023
    history = [month(2023, start + i, income, cost) for i, (income, cost) in enumerate(costs)]
    report = sustainability(
        history, reserve=reserve, currency="EUR", today=datetime.date(2024, 1, 1), window=window
    )
    assert len(report.months) == min(window, len(costs))
    if report.burn == 0:
        assert report.runway_months is None
    else:
        assert report.runway_months is not None
        assert report.runway_months * report.burn <= reserve
        assert (report.runway_months + Decimal("0.1")) * report.burn > reserve


def test_totals_come_from_the_journal_net_of_reversals() -> None:
    chart = {
        *STANDARD_ACCOUNTS,
        income_account("sales"),
        expense_account("hosting"),
        payable_account("m-1"),
    }
    journal = MemoryJournal(chart)

    def post(day: datetime.date, *postings: Posting) -> None:
        journal.post(EntryDraft(day, "x", postings, "test:1", None, "test", None))

    march, april = datetime.date(2024, 3, 5), datetime.date(2024, 4, 5)
    post(march, Posting(BANK, "EUR", 5000), Posting("income:sales", "EUR", -5000))
    post(march, Posting("expenses:hosting", "EUR", 700), Posting(BANK, "EUR", -700))
    post(april, Posting(PAYOUTS, "EUR", 2000), Posting("liabilities:payable:m-1", "EUR", -2000))
    post(april, Posting(RESERVE, "EUR", 1000), Posting(BANK, "EUR", -1000))
    post(april, Posting(BANK, "USD", 999), Posting("income:sales", "USD", -999))
    wrong = journal.entries[1]
    journal.post(reversal_of(wrong, date=april, service="test", actor=None))
    assert monthly_totals(journal.entries, "EUR") == [
        month(2024, 3, 5000, 700),
        month(2024, 4, 0, -700, 2000),
    ]
    assert reserve_balance(journal.entries, "EUR") == 1000
    assert reserve_balance(journal.entries, "EUR", until=march) == 0
