"""The one rounding (core.valuation.rounding): splits sum exactly to the whole, floors never
round up, and nothing depends on the order the weights came in."""

import math
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.valuation.rounding import (
    SplitError,
    apportion,
    apportion_exactly,
    floor_of,
)


def apportion_by_key(  # the properties read best by name; it pays through apportion
    total: int,
    weights: Mapping[str, Decimal | Fraction | int],
    *,
    largest_remainder: bool = True,
) -> dict[str, int]:
    """``apportion`` by name: split ``total`` minor units among keys in proportion to
    exact ``weights`` (decimals, fractions or integers, never floats).

    Keys are put in sorted order first, so ties go to the key that sorts first and the
    result never depends on the order the weights came in. A key with zero weight gets
    zero; if every weight is zero, every part is zero and the caller says where
    ``total`` goes.
    """
    if total < 0:
        raise SplitError("cannot split a negative amount")
    exact: dict[str, Fraction] = {}
    for key, weight in weights.items():
        if isinstance(weight, float):
            raise SplitError(f"weight of {key!r} is a float; give a Decimal")
        fraction = Fraction(weight)
        if fraction < 0:
            raise SplitError(f"weight of {key!r} is negative")
        exact[key] = fraction
    keys = sorted(exact)
    scale = math.lcm(*(exact[key].denominator for key in keys)) if keys else 1
    integers = [int(exact[key] * scale) for key in keys]
    parts = apportion(total, integers, largest_remainder=largest_remainder)
    return dict(zip(keys, parts, strict=True))


weights_strategy = st.dictionaries(
    st.text(alphabet="abcdefghij", min_size=1, max_size=4),
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
)


@given(st.integers(0, 10**12), weights_strategy)
def test_parts_sum_exactly_to_the_whole(total: int, weights: dict[str, Decimal]) -> None:
    parts = apportion_by_key(total, weights)
    if any(weights.values()):
        assert sum(parts.values()) == total
    else:
        assert sum(parts.values()) == 0
    assert all(part >= 0 for part in parts.values())


@given(st.integers(0, 10**12), weights_strategy)
def test_floor_parts_never_exceed_the_whole(total: int, weights: dict[str, Decimal]) -> None:
    parts = apportion_by_key(total, weights, largest_remainder=False)
    assert 0 <= total - sum(parts.values()) < max(len(weights), 1) or not any(weights.values())


@given(st.integers(0, 10**9), weights_strategy, st.randoms())
def test_order_does_not_matter(total: int, weights: dict[str, Decimal], rnd: Random) -> None:
    items = list(weights.items())
    rnd.shuffle(items)
    assert apportion_by_key(total, dict(items)) == apportion_by_key(total, weights)


@given(st.integers(0, 10**9), weights_strategy)
def test_each_part_is_within_one_unit_of_its_exact_share(
    total: int, weights: dict[str, Decimal]
) -> None:
    weight_sum = sum(weights.values())
    if not weight_sum:
        return
    for key, part in apportion_by_key(total, weights).items():
        exact = Fraction(total) * Fraction(weights[key]) / Fraction(weight_sum)
        assert abs(part - exact) < 1


@given(st.integers(0, 10**12), weights_strategy)
def test_by_key_is_apportion_in_key_order(total: int, weights: dict[str, Decimal]) -> None:
    """The split by name is the paying split, not a second rounding: scaled to integers,
    in sorted key order, it gives exactly what ``apportion`` gives."""
    keys = sorted(weights)
    scale = 1000  # the strategy's decimals have at most 3 places
    integers = [int(weights[key] * scale) for key in keys]
    for largest in (True, False):
        expected = apportion_exactly(total, integers, largest_remainder=largest)
        assert apportion(total, integers, largest_remainder=largest) == expected
        assert apportion_by_key(total, weights, largest_remainder=largest) == dict(
            zip(keys, expected, strict=True)
        )


def test_zero_weight_gets_nothing_and_ties_go_by_key() -> None:
    assert apportion_by_key(100, {"b": 1, "a": 1, "c": 1, "z": 0}) == {
        "a": 34,
        "b": 33,
        "c": 33,
        "z": 0,
    }


def test_negative_and_float_inputs_are_refused() -> None:
    with pytest.raises(SplitError):
        apportion_by_key(-1, {"a": 1})
    with pytest.raises(SplitError):
        apportion_by_key(10, {"a": -1})
    with pytest.raises(SplitError):
        apportion_by_key(10, {"a": 0.5})  # type: ignore[dict-item]
    with pytest.raises(SplitError):
        floor_of(0.1, 100)  # type: ignore[arg-type]


@given(
    st.integers(1, 10**15),
    st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False),
)
def test_a_reserve_share_is_floored_and_the_rest_makes_the_whole(
    minor: int, share: Decimal
) -> None:
    """What books.record_income keeps in reserve: the floor of its share, never more;
    the bank's part is the rest, so the two make the income exactly."""
    reserve = floor_of(share, minor)
    assert reserve == int((Decimal(minor) * share).to_integral_value(rounding=ROUND_FLOOR))
    assert 0 <= reserve <= minor * share < reserve + 1
    assert reserve + (minor - reserve) == minor


@given(
    st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False),
    st.sampled_from([1, 100, 1000]),
)
def test_an_amount_floors_to_whole_minor_units(amount: Decimal, per_major: int) -> None:
    """What a resource's use is paid: whole minor units of units x price, rounded down."""
    minor = floor_of(amount, per_major)
    assert minor == int((amount * per_major).to_integral_value(rounding=ROUND_FLOOR))
    assert minor <= amount * per_major < minor + 1


def test_floors_of_exact_values() -> None:
    assert floor_of(Decimal("100.01") * Decimal("0.1"), 1) == 10
    assert floor_of(Decimal("0.1"), 10001) == 1000  # 10 % of 100.01 EUR, in cents
    assert floor_of(Decimal("1.999"), 100) == 199
    assert floor_of(Decimal("7"), 1) == 7
