"""The ``mean`` method: value = claimed effort x mean rating / 5.

The plain baseline most tools use. It trusts every reviewer equally and takes
the author's effort as claimed; it is here to compare the others against.
A contribution with no review yet is worth nothing in this period.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from commonshare.core.valuation.columns import Columns
from commonshare.core.valuation.results import (
    EngineResult,
    claimed_hours,
    fbincount,
    member_sum,
)
from commonshare.core.valuation.rounding import apportion, exact_weights


def allocate_mean(columns: Columns, total_minor: int, policy: dict[str, Any]) -> EngineResult:
    n_c = columns.n_contributions
    counts = fbincount(columns.review_contribution, size=n_c).astype(np.float64)
    sums = fbincount(
        columns.review_contribution, weights=columns.review_rating.astype(np.float64), size=n_c
    )
    reviewed = counts > 0
    rating = np.full(n_c, np.nan)
    rating[reviewed] = sums[reviewed] / counts[reviewed]
    effort = claimed_hours(columns)
    value = np.where(reviewed, effort * np.nan_to_num(rating) / 5.0, 0.0)
    member_value = member_sum(columns, value)
    largest = policy["rounding"] == "largest_remainder"
    parts = apportion(total_minor, exact_weights(member_value), largest_remainder=largest)
    review_weight = 1.0 / counts[columns.review_contribution] if columns.n_reviews else counts[:0]
    return EngineResult(
        method="mean",
        payout_minor=parts,
        remainder_minor=total_minor - sum(parts),
        accepted_effort=effort,
        rating=rating,
        value=value,
        member_value=member_value,
        review_weight=review_weight,
        reputation=np.where(columns.reputation < 0, np.nan, columns.reputation),
        rounding=policy["rounding"],
    )
