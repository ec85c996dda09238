"""Explanations: for a member, every number needed to recompute the payout by hand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from commonshare.core.money import from_minor
from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, Columns
from commonshare.core.valuation.results import EngineResult
from commonshare.core.valuation.rounding import share_text, tidy

FORMULAS = {
    "mean": "value = claimed_effort * mean(rating) / 5",
    "robust": (
        "value = accepted_effort * rating / 5; rating = weighted median (or trimmed mean) of "
        "the used reviews' ratings with the weights shown (trust * reliability, capped; "
        "trust = standing when trust_weighting is none) "
        "plus prior_weight at prior_rating"
    ),
    "impartial": (
        "value = lower median of the votes of the clusters other than the author's, each "
        "cluster's vote the lower median of its reviews' min(claimed, reviewer effort) * "
        "rating / 5; shown as rating = value * 5 / claimed effort"
    ),
}
ROUNDING = {
    "largest_remainder": (
        "each member gets floor(amount * value / total_value) minor units; the units left go "
        "one each to the largest remainders, ties to the member id that sorts first"
    ),
    "floor": (
        "each member gets floor(amount * value / denominator) minor units; units left are the "
        "remainder, carried to the reserve"
    ),
}


def explain(
    columns: Columns,
    result: EngineResult,
    total_minor: int,
    currency: str,
    members: Iterable[int],
) -> dict[str, dict[str, Any]]:
    """Explanations for the given member codes (all of them on the record path)."""
    wanted = np.array(sorted(set(members)), dtype=np.int64)
    starts = np.searchsorted(columns.review_contribution, np.arange(columns.n_contributions + 1))
    mine = np.isin(columns.contribution_member, wanted)
    by_member: dict[int, list[int]] = {int(m): [] for m in wanted}
    for c in np.flatnonzero(mine).tolist():
        by_member[int(columns.contribution_member[c])].append(c)
    total_value = float(result.member_value.sum())
    out = {}
    for m, contributions in by_member.items():
        lines = [
            _line(columns, result, c, int(starts[c]), int(starts[c + 1])) for c in contributions
        ]
        payout = result.payout_minor[m]
        entry: dict[str, Any] = {
            "member": columns.member_ids[m],
            "method": result.method,
            "contributions": lines,
            "value": tidy(float(result.member_value[m])),
            "total_value": tidy(total_value),
            "payout": str(from_minor(payout, currency)),
            "payout_minor": payout,
            "share": share_text(payout, total_minor),
            "rounding": ROUNDING[result.rounding],
        }
        entry.update(_method_detail(columns, result, m, total_minor))
        out[columns.member_ids[m]] = entry
    return out


def _line(columns: Columns, result: EngineResult, c: int, lo: int, hi: int) -> dict[str, Any]:
    reviews = []
    for e in range(lo, hi):
        effort = int(columns.review_effort[e])
        review: dict[str, Any] = {
            "reviewer": columns.member_ids[int(columns.review_reviewer[e])],
            "rating": int(columns.review_rating[e]),
            "effort": None if effort == NO_EFFORT else tidy(effort / EFFORT_SCALE),
            "weight": tidy(float(result.review_weight[e])),
        }
        if result.method == "impartial":
            review["used"] = bool(result.detail["eligible"][e])
        if result.method == "robust":
            review["used"] = not bool(result.detail["excluded"][e])
        reviews.append(review)
    rating = float(result.rating[c])
    line: dict[str, Any] = {
        "contribution": columns.contribution_ids[c],
        "kind": columns.contribution_kind[c],
        "claimed_effort": tidy(int(columns.contribution_effort[c]) / EFFORT_SCALE),
        "accepted_effort": tidy(float(result.accepted_effort[c])),
        "reviews": reviews,
        "rating": None if np.isnan(rating) else tidy(rating),
        "value": tidy(float(result.value[c])),
        "formula": FORMULAS[result.method],
    }
    if result.method == "robust":
        line["prior_weight"] = tidy(float(result.detail["prior_share"][c]))
    return line


def _method_detail(
    columns: Columns, result: EngineResult, m: int, total_minor: int
) -> dict[str, Any]:
    if result.method == "robust":
        before = float(columns.reputation[m])
        return {
            "standing": tidy(float(result.detail["standing"][m])),
            "trust": tidy(float(result.detail["trust"][m])),
            "trust_iterations": int(result.detail["trust_iterations"]),
            "agreement": tidy(float(result.detail["agreement"][m])),
            "reliability": tidy(float(result.detail["reliability"][m])),
            "deviation": tidy(float(result.detail["deviation"][m])),
            "reputation_before": None if before < 0 else tidy(before),
            "reputation_after": tidy(float(result.reputation[m])),
        }
    if result.method == "impartial":
        cluster = int(result.detail["cluster"][m])
        denominator = result.detail["denominator"][cluster]
        value = int(result.detail["member_value_exact"][m])
        return {
            "cluster": cluster,
            "value_exact": value,
            "denominator_exact": denominator,
            "exact_share": tidy(value / denominator) if denominator else "0",
            "check": f"floor({total_minor} * {value} / {denominator})",
        }
    return {}
