"""Exact splits of an amount of minor units by weights.

Largest-remainder (Hamilton) apportionment on exact rationals: each part gets
the floor of its exact share, then the units left over go one at a time to
the parts with the largest fractional remainders. Ties are broken by the
key's sort order, so the result never depends on input order.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction


class SplitError(ValueError):
    """Weights that cannot be split by."""


def split_minor(total: int, weights: Mapping[str, Decimal | Fraction | int]) -> dict[str, int]:
    """Split ``total`` minor units among keys in proportion to ``weights``.

    The parts are non-negative integers that sum exactly to ``total``. A key
    with zero weight gets zero. If every weight is zero the result is all
    zeros and the caller decides where ``total`` goes (see ``leftover``).
    """
    if total < 0:
        raise SplitError("cannot split a negative amount")
    exact: dict[str, Fraction] = {}
    for key, weight in weights.items():
        fraction = Fraction(weight)
        if fraction < 0:
            raise SplitError(f"weight of {key!r} is negative")
        exact[key] = fraction
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum == 0:
        return dict.fromkeys(exact, 0)
    shares = {key: total * weight / weight_sum for key, weight in exact.items()}
    parts = {key: share.numerator // share.denominator for key, share in shares.items()}
    leftover = total - sum(parts.values())
    by_remainder = sorted(
        (key for key in shares if exact[key] > 0),
        key=lambda key: (-(shares[key] - parts[key]), key),
    )
    for key in by_remainder[:leftover]:
        parts[key] += 1
    return parts


def leftover(total: int, parts: Mapping[str, int]) -> int:
    """What of ``total`` the parts did not take (all of it when every weight was zero)."""
    return total - sum(parts.values())
