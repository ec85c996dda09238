from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.split import SplitError, split_minor

weights_strategy = st.dictionaries(
    st.text(alphabet="abcdefghij", min_size=1, max_size=4),
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
)


@given(st.integers(0, 10**12), weights_strategy)
def test_parts_sum_exactly_to_the_whole(total: int, weights: dict[str, Decimal]) -> None:
    parts = split_minor(total, weights)
    if any(weights.values()):
        assert sum(parts.values()) == total
    else:
        assert sum(parts.values()) == 0
    assert all(part >= 0 for part in parts.values())


@given(st.integers(0, 10**9), weights_strategy, st.randoms())
def test_order_does_not_matter(total: int, weights: dict[str, Decimal], rnd: object) -> None:
    items = list(weights.items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    assert split_minor(total, dict(items)) == split_minor(total, weights)


@given(st.integers(0, 10**9), weights_strategy)
def test_each_part_is_within_one_unit_of_its_exact_share(
    total: int, weights: dict[str, Decimal]
) -> None:
    weight_sum = sum(weights.values())
    if not weight_sum:
        return
    for key, part in split_minor(total, weights).items():
        exact = Fraction(total) * Fraction(weights[key]) / Fraction(weight_sum)
        assert abs(part - exact) < 1


def test_zero_weight_gets_nothing_and_ties_go_by_key() -> None:
    assert split_minor(100, {"b": 1, "a": 1, "c": 1, "z": 0}) == {"a": 34, "b": 33, "c": 33, "z": 0}


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(SplitError):
        split_minor(-1, {"a": 1})
    with pytest.raises(SplitError):
        split_minor(10, {"a": -1})
