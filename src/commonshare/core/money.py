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

from babel.numbers import get_currency_precision, list_currencies


class MoneyError(ValueError):
    """An amount or currency that cannot be accepted, with a message a person can act on."""


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return the ISO 4217 code, upper-cased, or raise if it is not a currency."""
    if not isinstance(code, str) or len(code.strip()) != 3:
        raise MoneyError(f"currency must be a three-letter ISO 4217 code, got {code!r}")
    upper = code.strip().upper()
    if upper not in _known_currencies():
        raise MoneyError(f"unknown currency {code!r}")
    return upper


@cache
def currency_exponent(code: str) -> int:
    """Number of minor-unit digits of a currency: EUR 2, JPY 0, BHD 3 (from CLDR)."""
    return int(get_currency_precision(check_currency(code)))


def parse_decimal(text: object, *, field: str = "amount") -> Decimal:
    """Parse a decimal from a string, int or Decimal; floats are refused on purpose."""
    if isinstance(text, bool | float):
        raise MoneyError(f"{field}: give a decimal string such as '12.50', not a float")
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, str):
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise MoneyError(f"{field}: {text!r} is not a decimal number") from None
    else:
        raise MoneyError(f"{field}: {text!r} is not a decimal number")
    if not value.is_finite():
        raise MoneyError(f"{field}: {text!r} is not a finite number")
    return value


def to_minor(amount: Decimal, currency: str, *, field: str = "amount") -> int:
    """Exact number of minor units in ``amount``; refuses sub-minor-unit precision."""
    exponent = currency_exponent(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"{field}: {amount} has more than {exponent} decimal places for {currency.upper()}"
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
