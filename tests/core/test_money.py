from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.money import (
    Money,
    MoneyError,
    check_currency,
    check_new_currency,
    currency_exponent,
    from_minor,
    parse_decimal,
    to_minor,
)


@pytest.mark.parametrize(("code", "digits"), [("EUR", 2), ("JPY", 0), ("BHD", 3), ("usd", 2)])
def test_currency_digits_come_from_cldr(code: str, digits: int) -> None:
    assert currency_exponent(code) == digits


@pytest.mark.parametrize("code", ["", "EU", "EURO", "ZZZ", "12", None])
def test_unknown_currencies_are_refused(code: object) -> None:
    with pytest.raises(MoneyError):
        check_currency(code)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.50", "EUR", 1250), ("1200", "JPY", 1200), ("0.125", "BHD", 125), ("-3.1", "EUR", -310)],
)
def test_to_minor_is_exact(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"), [("0.001", "EUR"), ("1.5", "JPY"), ("0.0001", "BHD")]
)
def test_sub_minor_precision_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(MoneyError, match="decimal places"):
        to_minor(Decimal(amount), currency)


@pytest.mark.parametrize("bad", [1.5, "abc", "NaN", "Infinity", True, None, [1]])
def test_parse_decimal_refuses_floats_and_garbage(bad: object) -> None:
    with pytest.raises(MoneyError):
        parse_decimal(bad)


def test_money_refuses_to_add_two_currencies() -> None:
    with pytest.raises(MoneyError, match="cannot combine"):
        _ = Money.parse("1.00", "EUR") + Money.parse("1.00", "USD")


def test_money_arithmetic_and_display() -> None:
    total = Money.parse("10.10", "EUR") + Money.parse("0.05", "EUR") - Money.parse("1", "EUR")
    assert total == Money("EUR", 915)
    assert str(total) == "9.15 EUR"
    assert str(Money.parse("5", "JPY")) == "5 JPY"
    assert Money.zero("BHD").amount == Decimal("0.000")


@given(st.integers(-(10**15), 10**15), st.sampled_from(["EUR", "JPY", "BHD"]))
def test_minor_units_round_trip(units: int, currency: str) -> None:
    assert to_minor(from_minor(units, currency), currency) == units


NOT_MONEY = [
    *("XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBD", "XSU", "XUA"),
    *("BOV", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "CHE", "CHW"),
]


@pytest.mark.parametrize("code", NOT_MONEY)
def test_codes_that_are_not_money_are_refused(code: str) -> None:
    with pytest.raises(MoneyError, match=f"Currency {code} is not money"):
        check_currency(code)


@pytest.mark.parametrize("code", ["EUR", "USD", "JPY", "BHD", "CHF", "XAF", "XOF", "XCD", "XPF"])
def test_currencies_people_pay_with_are_kept(code: str) -> None:
    assert check_currency(code.lower()) == code


@pytest.mark.parametrize("code", ["DEM", "FRF", "ITL", "VEF", "ZWD", "HRK"])
def test_withdrawn_currencies_are_refused_for_new_money_but_read_in_old_books(code: str) -> None:
    assert check_currency(code) == code  # an old journal in Deutschmarks still verifies
    with pytest.raises(MoneyError, match=f"Currency {code} is no longer in use"):
        check_new_currency(code)


@pytest.mark.parametrize("code", ["EUR", "USD", "JPY", "XAF", "VES", "SLE"])
def test_current_currencies_are_taken_for_new_money(code: str) -> None:
    assert check_new_currency(code.lower()) == code


def test_the_rule_is_applied_to_babels_list_not_written_by_hand() -> None:
    from babel.numbers import list_currencies

    from commonshare.core.money import money_currencies

    kept = money_currencies()
    assert kept < set(list_currencies())
    assert len(kept) > 150
    assert not any(code.startswith("X") for code in kept - {"XAF", "XOF", "XCD", "XPF", "XCG"})


def test_messages_are_plain_sentences() -> None:
    with pytest.raises(MoneyError) as caught:
        parse_decimal("abc", field="amount")
    assert str(caught.value) == "Amount must be a number such as 12.50."
    with pytest.raises(MoneyError) as caught:
        check_currency("EURO")
    assert str(caught.value) == "Currency must be a three-letter ISO 4217 code, such as EUR."
