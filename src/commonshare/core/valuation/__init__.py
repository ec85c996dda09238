"""The valuation engine: contributions and reviews in, exact payouts and their reasons out.

``allocate`` is the entry point for records (the platform, the JSON command);
``allocate_columns`` is the same engine on int-coded arrays for large inputs.
Each method lives in its own module; see docs/valuation.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from commonshare.core.money import check_currency, from_minor, to_minor
from commonshare.core.valuation.columns import Columns, columns_from_request
from commonshare.core.valuation.explain import explain
from commonshare.core.valuation.impartial import allocate_impartial
from commonshare.core.valuation.mean import allocate_mean
from commonshare.core.valuation.policy import DEFAULTS, resolve_policy
from commonshare.core.valuation.results import EngineResult
from commonshare.core.valuation.rounding import share_text, tidy
from commonshare.core.valuation.types import (
    METHODS,
    AllocationRequest,
    AllocationResult,
    ContributionInput,
    ContributionValue,
    MemberInput,
    PayoutLine,
    ReviewInput,
    ValuationError,
)
from commonshare.core.valuation.validate import check_columns, validate

__all__ = [
    "DEFAULTS",
    "METHODS",
    "AllocationRequest",
    "AllocationResult",
    "ColumnarAllocation",
    "Columns",
    "ContributionInput",
    "MemberInput",
    "ReviewInput",
    "ValuationError",
    "allocate",
    "allocate_columns",
    "resolve_policy",
]


@dataclass(frozen=True, slots=True)
class ColumnarAllocation:
    """The engine's arrays plus what is needed to explain any member on demand."""

    columns: Columns
    engine: EngineResult
    total_minor: int
    currency: str
    seed: str
    policy: dict[str, Any]
    monitoring: dict[str, Any] | None

    def explain(self, members: Iterable[str]) -> dict[str, dict[str, Any]]:
        code = {member: i for i, member in enumerate(self.columns.member_ids)}
        return explain(
            self.columns, self.engine, self.total_minor, self.currency, [code[m] for m in members]
        )


def allocate_columns(
    columns: Columns,
    *,
    currency: str,
    total_minor: int,
    method: str = "robust",
    seed: str = "",
    policy: dict[str, Any] | None = None,
    with_monitoring: bool = True,
    check: bool = True,
) -> ColumnarAllocation:
    """Run ``method`` on columns; explanations are produced lazily via ``.explain``."""
    resolved = resolve_policy(policy or {})
    if method not in METHODS:
        raise ValuationError([f"method: {method!r} is not one of {', '.join(METHODS)}"])
    if check and (problems := check_columns(columns)):
        raise ValuationError(problems)
    # robust (Numba) and monitoring (SciPy) are imported when used: together they cost the
    # command line half a second at start, and most commands never value anything
    if method == "mean":
        engine = allocate_mean(columns, total_minor, resolved)
    elif method == "robust":
        from commonshare.core.valuation.robust import allocate_robust

        engine = allocate_robust(columns, total_minor, resolved)
    else:
        engine = allocate_impartial(columns, total_minor, resolved, seed)
    monitoring = None
    if with_monitoring:
        from commonshare.core.valuation.monitoring import monitor

        monitoring = monitor(columns, resolved)
    return ColumnarAllocation(
        columns=columns,
        engine=engine,
        total_minor=total_minor,
        currency=check_currency(currency),
        seed=seed,
        policy=resolved,
        monitoring=monitoring,
    )


def allocate(request: AllocationRequest) -> AllocationResult:
    """Split ``request.amount`` by ``request.method``; raises ``ValuationError`` on bad input."""
    validate(request)
    resolved = resolve_policy(request.policy)
    currency = check_currency(request.currency)
    columns = columns_from_request(request)
    total_minor = to_minor(request.amount, currency)
    run = allocate_columns(
        columns,
        currency=currency,
        total_minor=total_minor,
        method=request.method,
        seed=request.seed,
        policy=resolved,
        check=False,
    )
    engine = run.engine
    payouts = tuple(
        PayoutLine(
            member=member,
            amount=from_minor(engine.payout_minor[i], currency),
            share=Decimal(share_text(engine.payout_minor[i], total_minor)),
        )
        for i, member in enumerate(columns.member_ids)
    )
    values = tuple(
        ContributionValue(
            id=columns.contribution_ids[c],
            member=columns.member_ids[int(columns.contribution_member[c])],
            accepted_effort=Decimal(tidy(float(engine.accepted_effort[c]))),
            rating=None if np.isnan(engine.rating[c]) else Decimal(tidy(float(engine.rating[c]))),
            value=Decimal(tidy(float(engine.value[c]))),
        )
        for c in range(columns.n_contributions)
    )
    reputation = {
        member: tidy(float(engine.reputation[i]))
        for i, member in enumerate(columns.member_ids)
        if not np.isnan(engine.reputation[i])
    }
    return AllocationResult(
        currency=currency,
        amount=from_minor(total_minor, currency),
        method=request.method,
        seed=request.seed,
        payouts=payouts,
        remainder=from_minor(engine.remainder_minor, currency),
        contributions=values,
        explanations=explain(columns, engine, total_minor, currency, range(columns.n_members)),
        reputation=reputation,
        monitoring=run.monitoring or {},
        policy=resolved,
        rounding=engine.rounding,
    )
