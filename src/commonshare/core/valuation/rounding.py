"""The one rounding of money: exact apportionment of minor units, floors, tidy output.

Every split of an amount pays through ``apportion``: weights are turned into
exact integers first (the engine's floats by a power-of-two scaling, which is
exact; decimal or rational weights by their common denominator), so it runs on
integers and the parts always sum to the whole (largest remainder) or to at most
the whole (floor, the rest stated as remainder). ``floor_of`` is the same floor
for one share alone (a reserve's part of an income, a resource's price times its
use): whole minor units, never rounded up, so the commons never pays out more
than it has.
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
    return list(scaled.astype(np.int64).tolist())


# Below this many parts the plain integer loop is as fast as any shortcut.
_SHORTCUT_FROM = 1024
# The shortcut's floats are trusted to this total (2 ** 40 minor units: 10 billion euros).
_SHORTCUT_TOTAL = 2**40


def apportion(total: int, weights: list[int], *, largest_remainder: bool) -> list[int]:
    """Split ``total`` by integer ``weights``: floors first, then (optionally) the units
    left go one each to the largest remainders, ties to the lower index (= sorted id).

    Exact: every part equals that of ``apportion_exactly``. Large splits first work in
    floating point, with a proven error bound, and redo exactly only the parts and the
    remainders the bound cannot decide.
    """
    weight_sum = sum(weights)
    if weight_sum == 0 or total == 0:
        return [0] * len(weights)
    if len(weights) < _SHORTCUT_FROM or total > _SHORTCUT_TOTAL:
        return apportion_exactly(total, weights, largest_remainder=largest_remainder)
    # f = total x w / S in floats: weights below 2 ** 53 and total below 2 ** 53 are exact,
    # and three roundings leave |f - exact| < total x 2 ** -51; `margin` is 8 times that
    f = np.array(weights, dtype=np.float64) * float(total) / float(weight_sum)
    margin = float(total) * 2.0**-48
    floors = np.floor(f)
    fraction = f - floors
    parts = floors.astype(np.int64)
    unsure = np.flatnonzero((fraction < margin) | (fraction > 1 - margin))
    exact_rest: dict[int, int] = {}
    for i in unsure.tolist():
        parts[i], exact_rest[i] = divmod(total * weights[i], weight_sum)
        fraction[i] = exact_rest[i] / weight_sum
    if not largest_remainder:
        return list(parts.tolist())
    left = total - int(parts.sum())
    if left == 0:
        return list(parts.tolist())
    # the left-th largest fraction; the exact one is within `margin` of it, so whatever lies
    # more than 2 x margin above wins, whatever lies more than 2 x margin below loses, and
    # only the few in between are ranked exactly
    cut = float(np.partition(fraction, fraction.size - left)[fraction.size - left])
    winners = np.flatnonzero(fraction > cut + 2 * margin)
    between = np.flatnonzero(np.abs(fraction - cut) <= 2 * margin).tolist()
    rest = {
        i: exact_rest[i] if i in exact_rest else total * weights[i] % weight_sum for i in between
    }
    ranked = sorted(between, key=lambda i: (-rest[i], i))
    parts[winners] += 1
    parts[ranked[: left - winners.size]] += 1
    return list(parts.tolist())


def apportion_exactly(total: int, weights: list[int], *, largest_remainder: bool) -> list[int]:
    """``apportion`` on Python integers alone."""
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


class SplitError(ValueError):
    """An amount or weights that cannot be split (a negative one)."""


def floor_of(amount: Decimal | Fraction | int, scale: int = 1) -> int:
    """The whole units in ``amount x scale``, rounded down, exactly (no decimal context)."""
    if isinstance(amount, float):
        raise SplitError("a float is not an amount; give a Decimal")
    exact = Fraction(amount) * scale
    return exact.numerator // exact.denominator


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
