"""Money as exact decimals in a currency's minor units.

No float ever touches an amount. Amounts are parsed once, at the edge, into
``Decimal`` and checked against the currency's number of minor-unit digits
(0 for JPY, 2 for EUR, 3 for BHD). Arithmetic inside the engine runs on
integers of minor units, so splits can be made exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_precision, list_currencies


class MoneyError(ValueError):
    """An amount or currency that cannot be accepted, with a message a person can act on."""


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


@cache
def money_currencies() -> frozenset[str]:
    """ISO 4217 codes that are money: legal tender of some territory, now or before.

    The rule is applied to Babel's list (CLDR), not written out by hand: a code
    counts when CLDR records it as the tender currency of at least one territory.
    That keeps every national currency and the shared ones (XAF, XOF, XCD, XPF)
    and leaves out what ISO 4217 lists but nobody pays with: precious metals
    (XAU, XAG, XPT, XPD), test and "no currency" codes (XTS, XXX), units of
    account and bond units (XDR, XBA-XBD, XSU, XUA) and funds (BOV, CLF, COU,
    MXV, USN, UYI, UYW, CHE, CHW), which CLDR marks as not tender.
    """
    tender = {
        code
        for rows in get_global("territory_currencies").values()
        for code, _start, _end, is_tender in rows
        if is_tender
    }
    return frozenset(list_currencies()) & frozenset(tender)


CURRENCY_CODE_LENGTH = 3
"""An ISO 4217 code's length: every currency column and field holds exactly this."""


def check_currency(code: str) -> str:
    """Return the ISO 4217 code, upper-cased, or raise if it is not a currency that is money."""
    if not isinstance(code, str) or len(code.strip()) != CURRENCY_CODE_LENGTH:
        raise MoneyError("Currency must be a three-letter ISO 4217 code, such as EUR.")
    upper = code.strip().upper()
    if upper not in money_currencies():
        if upper in list_currencies():
            raise MoneyError(
                f"Currency {upper} is not money one can pay with (a metal, fund or test code); "
                "use a currency such as EUR."
            )
        raise MoneyError(f"Currency {upper} is not an ISO 4217 currency code; use one such as EUR.")
    return upper


@cache
def currencies_in_use() -> frozenset[str]:
    """Money currencies that are legal tender somewhere today (no end date in CLDR).

    Stored entries may hold a currency that has since been withdrawn (DEM, VEF), so
    reading the books uses ``check_currency``; new amounts use ``check_new_currency``.
    """
    current = {
        code
        for rows in get_global("territory_currencies").values()
        for code, _start, end, is_tender in rows
        if is_tender and end is None
    }
    return money_currencies() & frozenset(current)


def check_new_currency(code: str) -> str:
    """``check_currency``, and the currency must still be in use: for new amounts."""
    upper = check_currency(code)
    if upper not in currencies_in_use():
        raise MoneyError(
            f"Currency {upper} is no longer in use; use a current currency such as EUR."
        )
    return upper


@cache
def currency_exponent(code: str) -> int:
    """Number of minor-unit digits of a currency: EUR 2, JPY 0, BHD 3 (from CLDR)."""
    return int(get_currency_precision(check_currency(code)))


def parse_decimal(text: object, *, field: str = "amount") -> Decimal:
    """Parse a decimal from a string, int or Decimal; floats are refused on purpose."""
    label = _label(field)
    if isinstance(text, bool | float):
        raise MoneyError(f"{label} must be a decimal string such as '12.50', not a float.")
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, str):
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise MoneyError(f"{label} must be a number such as 12.50.") from None
    else:
        raise MoneyError(f"{label} must be a number such as 12.50.")
    if not value.is_finite():
        raise MoneyError(f"{label} must be a finite number.")
    return value


def to_minor(amount: Decimal, currency: str, *, field: str = "amount") -> int:
    """Exact number of minor units in ``amount``; refuses sub-minor-unit precision."""
    exponent = currency_exponent(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"{_label(field)} can have at most {exponent} decimal places in {currency.upper()}."
        )
    return int(scaled)


def from_minor(units: int, currency: str) -> Decimal:
    """The decimal amount of ``units`` minor units, quantized to the currency's digits."""
    exponent = currency_exponent(currency)
    return Decimal(units).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount in one currency, held as integer minor units."""

    currency: str
    minor: int

    @classmethod
    def parse(cls, amount: object, currency: str, *, field: str = "amount") -> Money:
        code = check_currency(currency)
        return cls(code, to_minor(parse_decimal(amount, field=field), code, field=field))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(check_currency(currency), 0)

    @property
    def amount(self) -> Decimal:
        return from_minor(self.minor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.currency, self.minor + other.minor)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.currency, self.minor - other.minor)

    def __neg__(self) -> Money:
        return Money(self.currency, -self.minor)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
