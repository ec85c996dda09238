"""Dates, numbers, money and plurals for people, in the reader's locale, through Babel.

This is the one place the pages format a value: the template filters, the
activity sentences and the payout explanations all call these functions, so a
date reads the same on every page ("1 December 2026") and "1 hour" is never
"1 hours". The locale is the language Django activated for the request
(``LocaleMiddleware`` picks it from ``Accept-Language`` among ``LANGUAGES``),
else ``LANGUAGE_CODE``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.units import format_unit
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, to_locale

from commonshare.core.money import MoneyError, currency_exponent, from_minor


@cache
def _parse(code: str) -> Locale:
    try:
        return Locale.parse(to_locale(code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(to_locale(settings.LANGUAGE_CODE))


def locale() -> Locale:
    """The Babel locale of the current request (or the site's default)."""
    return _parse(get_language() or settings.LANGUAGE_CODE)


def as_decimal(value: Any) -> Decimal | None:
    """A number from the engine's strings, ints or Decimals; None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def day(value: dt.date | dt.datetime | None) -> str:
    """``1 December 2026`` (the locale's long date); an aware datetime in the site's zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return _day_in(value, get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=4096)  # a page of entries or events shows a few days many times
def _day_in(value: dt.date, language: str) -> str:
    return format_date(value, format="long", locale=_parse(language))


def moment(value: dt.datetime | None) -> str:
    """The day as :func:`day` writes it, then the time: ``1 December 2026, 14:05``."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day(local)}, {format_time(local, format='short', locale=locale())}"


def number(value: Any, places: int = 2) -> str:
    """``1234.5678`` → ``1,234.57``: at most ``places`` decimals, trailing zeros dropped."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    pattern = "#,##0" + ("." + "#" * places if places > 0 else "")
    return format_decimal(amount, format=pattern, locale=locale(), decimal_quantization=True)


def money_amount(amount: Decimal, currency: str) -> str:
    """An amount in major units with the currency's own digits: ``1,200.00 EUR``."""
    try:
        digits = currency_exponent(currency)
    except MoneyError:
        digits = 2
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(amount, format=pattern, locale=locale(), decimal_quantization=True)
    return f"{text} {currency}"


def money(minor: int | None, currency: str) -> str:
    """Minor units shown in major units: ``120000`` EUR → ``1,200.00 EUR``."""
    if minor is None:
        return ""
    return _money_in(int(minor), currency, get_language() or settings.LANGUAGE_CODE)


# The open books show the same amounts again and again (balances, monthly totals, payouts),
# and Babel's formatting is the slowest part of drawing them: each text is kept once made.
@lru_cache(maxsize=8192)
def _money_in(minor: int, currency: str, language: str) -> str:
    try:
        return money_amount(from_minor(minor, currency), currency)
    except MoneyError:
        return f"{number(minor, 0)} (smallest units of {currency})"


def percent(share: Any, places: int = 2) -> str:
    """``0.30281`` → ``30.28 %``: a share of a whole as a percentage."""
    fraction = as_decimal(share)
    if fraction is None:
        return ""
    return f"{number(fraction * 100, places)} %"


def hours(value: Any) -> str:
    """``1`` → ``1 hour``, ``2.5`` → ``2.5 hours``: plural by the locale's rules."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    rounded = amount.quantize(Decimal("0.01")).normalize()
    return format_unit(rounded, "duration-hour", length="long", locale=locale(), format="#,##0.##")


def months(value: Any) -> str:
    """``1`` → ``1 month``, ``2.46`` → ``2.5 months``: a span in months, to one decimal."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    rounded = amount.quantize(Decimal("0.1")).normalize()
    return format_unit(rounded, "duration-month", length="long", locale=locale(), format="#,##0.#")


def month(value: dt.date | None) -> str:
    """``December 2026``: a calendar month, for tables and charts by month."""
    return "" if value is None else format_date(value, format="MMMM y", locale=locale())


def month_label(value: dt.date, *, with_year: bool = False) -> str:
    """``Dec`` or ``Dec 2026``: a month under a chart's bar, in the reader's locale."""
    return format_date(value, format="MMM y" if with_year else "MMM", locale=locale())


def count(value: int, one: str, many: str) -> str:
    """``count(1, "review", "reviews")`` → ``1 review``; ``3`` → ``3 reviews``."""
    word = one if _parse_plural(value) == "one" else many
    return f"{number(value, 0)} {word}"


def _parse_plural(value: int) -> str:
    return str(locale().plural_form(abs(value)))
