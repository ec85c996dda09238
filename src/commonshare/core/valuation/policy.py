"""The value policy: every knob of the engine as plain data with documented defaults.

A policy is a JSON-ready dict. ``resolve_policy`` fills in defaults and checks
types and ranges; the resolved policy is echoed in every result so a past
distribution can be recomputed from its frozen inputs alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commonshare.core.valuation.types import ValuationError

DEFAULTS: dict[str, Any] = {
    # robust: reviewer weight = trust x reliability; "eigentrust" (trust from a damped power
    # iteration over who rated whom, anchored on the standing) or "none" (trust = standing).
    "trust_weighting": "eigentrust",
    # robust: EigenTrust damping (share of trust passed along the review graph per step).
    "damping": 0.85,
    # robust: power-iteration stopping rule (L1 change) and iteration limit.
    "trust_tolerance": 1e-6,
    "trust_max_iterations": 100,
    # robust: standing of a member with no reputation when others have one (a newcomer).
    "anchor_reputation": 0.0,
    # robust: reviewer reliability (Tukey biweight of the leave-one-out deviation).
    "outlier_cutoff": 2.5,
    "reliability_prior": 1.0,
    "reliability_rounds": 3,
    # robust: reputation half-life, in periods (distributions).
    "half_life_periods": 4.0,
    # robust: "median" (weighted) or "trimmed_mean" (weighted, trim on each side).
    "aggregate": "median",
    "trim": 0.2,
    # robust: largest share of the weight on one contribution one reviewer may hold.
    "reviewer_cap": 0.5,
    # robust: rating of the neutral prior that takes weight a cap removed.
    "prior_rating": 3.0,
    # robust: 0 keeps the claimed effort, 1 moves it to the reviewers' median estimate.
    "effort_challenge_weight": 1.0,
    # impartial: number of clusters drawn from the seed (a member's cluster is its ticket mod
    # this; more clusters waste less of the amount, see docs/valuation.md).
    "clusters": 32,
    # every method: "largest_remainder" or "floor" (impartial always floors).
    "rounding": "largest_remainder",
    # monitoring thresholds.
    "ring_margin": 1.5,
    "ring_min_reviews": 2,
    "sock_puppet_min_reviews": 3,
}

# Keys of earlier engine versions, accepted and ignored (none at present).
RETIRED: frozenset[str] = frozenset()

_CHOICES = {
    "aggregate": ("median", "trimmed_mean"),
    "rounding": ("largest_remainder", "floor"),
    "trust_weighting": ("eigentrust", "none"),
}
_UNIT = (
    "damping",
    "trim",
    "reviewer_cap",
    "effort_challenge_weight",
    "anchor_reputation",
)
_POSITIVE_INT = (
    "clusters",
    "ring_min_reviews",
    "sock_puppet_min_reviews",
    "reliability_rounds",
    "trust_max_iterations",
)


# C901, PLR0912 allowed: a flat list of checks, one per key, each adding its problem
def resolve_policy(policy: Mapping[str, Any]) -> dict[str, Any]:  # noqa: C901, PLR0912
    """Defaults filled in; raises ``ValuationError`` naming every bad key."""
    problems: list[str] = []
    resolved = dict(DEFAULTS)
    for key, value in policy.items():
        if key == "reserve_share":  # applied by the platform before calling the engine
            resolved[key] = value
            continue
        if key in RETIRED:  # accepted so that frozen policies still load; no longer used
            continue
        if key not in DEFAULTS:
            problems.append(f"policy.{key}: unknown key")
            continue
        resolved[key] = value
    for key, choices in _CHOICES.items():
        if resolved[key] not in choices:
            problems.append(f"policy.{key}: must be one of {', '.join(choices)}")
    for key in _POSITIVE_INT:
        value = resolved[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"policy.{key}: must be a whole number >= 1")
    for key in (
        "half_life_periods",
        "prior_rating",
        "ring_margin",
        "outlier_cutoff",
        "reliability_prior",
        "trust_tolerance",
        *_UNIT,
    ):
        value = resolved[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"policy.{key}: must be a number")
        elif key in _UNIT and not 0 <= value <= 1:
            problems.append(f"policy.{key}: must be between 0 and 1")
        elif value < 0:
            problems.append(f"policy.{key}: must not be negative")
    if not problems and not resolved["reviewer_cap"] > 0:
        problems.append("policy.reviewer_cap: must be above 0")
    if not problems and resolved["trim"] >= 0.5:
        problems.append("policy.trim: must be below 0.5")
    if not problems and not 0 <= resolved["prior_rating"] <= 5:
        problems.append("policy.prior_rating: must be between 0 and 5")
    if problems:
        raise ValuationError(problems)
    return resolved
