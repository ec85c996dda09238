"""How long the commons can go on: burn, runway, break-even and trend.

Definitions (all amounts in minor units of one currency):

- a month's costs are its expenses plus the pay distributed to members
  (``expenses:payouts``); its net result is income minus costs;
- the window is the last ``window`` complete calendar months before the
  month of ``today`` (the current month is still running), and never starts
  before the first month on record: a young venture is not averaged with
  months it did not exist;
- monthly burn is the average of the window's costs, rounded half up;
- runway is the reserve divided by burn, in months, rounded down to a tenth;
  ``None`` means unlimited (nothing is burned);
- break-even is the income a month needs to cover the burn (equal to burn);
  the last complete month broke even when its income covered its costs;
- trend is the least-squares slope of the net result over the window, in
  minor units per month (positive: improving); it needs two months.

Pure and clock-free: ``today`` comes in as an argument.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from math import floor
from typing import Literal

from commonshare.core.ledger import PAYOUTS, RESERVE, AccountType, StoredEntry, account_type

Direction = Literal["improving", "flat", "worsening"]


class SustainabilityError(ValueError):
    """Monthly totals that cannot be used, with the reason."""


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """One calendar month (``month`` is its first day) of income and costs."""

    month: datetime.date
    income: int
    expenses: int
    payouts: int

    @property
    def costs(self) -> int:
        return self.expenses + self.payouts

    @property
    def net(self) -> int:
        return self.income - self.costs


@dataclass(frozen=True, slots=True)
class Sustainability:
    currency: str
    today: datetime.date
    months: tuple[datetime.date, ...]
    reserve: int
    burn: int
    average_income: int
    runway_months: Decimal | None
    break_even_income: int
    last_month_net: int | None
    last_month_broke_even: bool | None
    trend: int | None
    direction: Direction | None


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _previous_month(month: datetime.date) -> datetime.date:
    return month_start(month - datetime.timedelta(days=1))


def _round_half_up(value: Fraction) -> int:
    magnitude = floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def _slope(values: list[int]) -> Fraction | None:
    count = len(values)
    if count < 2:
        return None
    mean_x = Fraction(count - 1, 2)
    mean_y = Fraction(sum(values), count)
    numerator = sum(((x - mean_x) * (y - mean_y) for x, y in enumerate(values)), Fraction(0))
    denominator = sum(((x - mean_x) * (x - mean_x) for x in range(count)), Fraction(0))
    return numerator / denominator


def _by_month(months: Iterable[MonthTotals]) -> dict[datetime.date, MonthTotals]:
    table: dict[datetime.date, MonthTotals] = {}
    for totals in months:
        if totals.month.day != 1:
            raise SustainabilityError(f"month must be the first day of a month, got {totals.month}")
        for name in ("income", "expenses", "payouts"):
            value = getattr(totals, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SustainabilityError(f"{totals.month:%Y-%m}: {name} must be minor units")
        if totals.month in table:
            raise SustainabilityError(f"{totals.month:%Y-%m} is given twice")
        table[totals.month] = totals
    return table


def _window(
    table: dict[datetime.date, MonthTotals], today: datetime.date, window: int
) -> list[MonthTotals]:
    if window < 1:
        raise SustainabilityError(f"window must be at least one month, got {window}")
    first = min(table, default=None)
    months: list[MonthTotals] = []
    month = _previous_month(month_start(today))
    while first is not None and len(months) < window and month >= first:
        months.append(table.get(month, MonthTotals(month, 0, 0, 0)))
        month = _previous_month(month)
    return months[::-1]


def _direction(slope: Fraction | None) -> Direction | None:
    if slope is None:
        return None
    return "improving" if slope > 0 else "worsening" if slope < 0 else "flat"


def sustainability(
    months: Iterable[MonthTotals],
    *,
    reserve: int,
    currency: str,
    today: datetime.date,
    window: int = 3,
) -> Sustainability:
    """Burn, runway, break-even and trend from monthly totals and the reserve balance."""
    recent = _window(_by_month(months), today, window)
    count = len(recent)
    burn = _round_half_up(Fraction(sum(m.costs for m in recent), count)) if count else 0
    income = _round_half_up(Fraction(sum(m.income for m in recent), count)) if count else 0
    runway: Decimal | None = None
    if burn > 0:
        months_left = Fraction(max(reserve, 0), burn)
        runway = (Decimal(months_left.numerator) / Decimal(months_left.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_DOWN
        )
    slope = _slope([m.net for m in recent])
    last = recent[-1] if recent else None
    return Sustainability(
        currency=currency,
        today=today,
        months=tuple(m.month for m in recent),
        reserve=reserve,
        burn=burn,
        average_income=income,
        runway_months=runway,
        break_even_income=burn,
        last_month_net=None if last is None else last.net,
        last_month_broke_even=None if last is None else last.net >= 0,
        trend=None if slope is None else _round_half_up(slope),
        direction=_direction(slope),
    )


def monthly_totals(entries: Iterable[StoredEntry], currency: str) -> list[MonthTotals]:
    """Monthly income, expenses and payouts in ``currency`` from journal entries.

    Income is what was credited to ``income:*``; payouts what was debited to
    ``expenses:payouts``; expenses every other ``expenses:*`` debit (all net
    of reversals). Memo accounts and other currencies are left out.
    """
    table: dict[datetime.date, list[int]] = {}
    for entry in entries:
        for account, posting_currency, minor in entry.postings:
            if posting_currency != currency:
                continue
            kind = account_type(account)
            if kind not in {AccountType.INCOME, AccountType.EXPENSE}:
                continue
            totals = table.setdefault(month_start(entry.date), [0, 0, 0])
            if kind is AccountType.INCOME:
                totals[0] -= minor
            elif account == PAYOUTS:
                totals[2] += minor
            else:
                totals[1] += minor
    return [MonthTotals(month, *table[month]) for month in sorted(table)]


def reserve_balance(
    entries: Iterable[StoredEntry], currency: str, *, until: datetime.date | None = None
) -> int:
    """The balance of ``assets:reserve`` in ``currency`` from postings dated up to ``until``."""
    return sum(
        minor
        for entry in entries
        if until is None or entry.date <= until
        for account, posting_currency, minor in entry.postings
        if account == RESERVE and posting_currency == currency
    )
