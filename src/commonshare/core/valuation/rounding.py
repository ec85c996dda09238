"""Exact apportionment of minor units and tidy decimal output.

Weights are floats from the engine; they are turned into exact integers first
(a power-of-two scaling, which is exact), so apportionment runs on integers and
the parts always sum to the whole (largest remainder) or to at most the whole
(floor, the rest stated as remainder).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

_PLACES = Decimal("1e-12")


def exact_weights(values: npt.NDArray[np.float64]) -> list[int]:
    """Non-negative float weights as exact integers with ~52 significant bits."""
    if values.size == 0:
        return []
    top = float(values.max())
    if top <= 0:
        return [0] * int(values.size)
    _, exponent = np.frexp(top)
    scaled = np.floor(np.ldexp(np.maximum(values, 0.0), 52 - int(exponent)))
    return [int(v) for v in scaled.astype(np.int64)]


def apportion(total: int, weights: list[int], *, largest_remainder: bool) -> list[int]:
    """Split ``total`` by integer ``weights``: floors first, then (optionally) the units
    left go one each to the largest remainders, ties to the lower index (= sorted id)."""
    weight_sum = sum(weights)
    if weight_sum == 0 or total == 0:
        return [0] * len(weights)
    parts = []
    remainders = []
    for weight in weights:
        part, rest = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append(rest)
    if largest_remainder:
        left = total - sum(parts)
        # largest remainder first; the sort is stable, so equal remainders keep index order
        order = sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)
        for i in order[:left]:
            parts[i] += 1
    return parts


def tidy(value: Decimal | Fraction | float | int) -> str:
    """A decimal string with no exponent and no useless trailing zeros: 4, 0.5, 12.25."""
    if isinstance(value, Fraction):
        number = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if abs(value) >= 1e-12 else Decimal(0)
    else:
        number = Decimal(value)
    if number != number.to_integral_value():
        number = number.quantize(_PLACES)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def share_text(part: int, total: int) -> str:
    return tidy(Fraction(part, total)) if total else "0"
