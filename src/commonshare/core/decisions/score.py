"""Score voting: every ballot scores every option against every weighted criterion.

An option's result is its weighted mean score over criteria and ballots::

    mean(option) = sum over ballots and criteria of weight * score
                   / (ballots * sum of the weights)

Every option shares the denominator, so the winner is found on the exact numerators
(Decimal sums, nothing rounded); the published means are rounded to four places only
to be shown. A tie at the top is broken by lot when the terms publish a seed, and is
otherwise the outcome ``tied``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal, Inexact, localcontext
from typing import Any

from commonshare.core.decisions import lots
from commonshare.core.decisions.result import Outcome, Tally
from commonshare.core.decisions.terms import Terms
from commonshare.core.decisions.turnout import Turnout, and_list

SHOWN = Decimal("0.0001")
EXACT_DIGITS = 60  # weights have at most 6 places and 4 whole digits: sums fit with room


def _sums(terms: Terms, ballots: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Each option's sum of scores on each criterion, over all ballots (whole numbers)."""
    sums = {option: dict.fromkeys((c.name for c in terms.criteria), 0) for option in terms.options}
    for ballot in ballots:
        for option, row in sums.items():
            given = ballot["scores"][option]
            for name in row:
                row[name] += given[name]
    return sums


def _totals(terms: Terms, sums: Mapping[str, Mapping[str, int]]) -> dict[str, Decimal]:
    """Each option's sum of weight * score: exact (a rounded sum would raise)."""
    with localcontext() as exact:
        exact.prec = EXACT_DIGITS
        exact.traps[Inexact] = True
        return {
            option: sum((c.weight * row[c.name] for c in terms.criteria), Decimal(0))
            for option, row in sums.items()
        }


def _by_criterion(
    sums: Mapping[str, Mapping[str, int]], cast: int
) -> dict[str, dict[str, Decimal]]:
    """Each option's mean score on each criterion, unweighted, rounded to be shown."""
    return {
        option: {
            name: (Decimal(total) / cast).quantize(SHOWN, rounding=ROUND_HALF_EVEN)
            if cast
            else Decimal(0)
            for name, total in row.items()
        }
        for option, row in sums.items()
    }


def _shown(value: Decimal) -> str:
    return f"{value.normalize():f}"


def score(terms: Terms, ballots: Sequence[Mapping[str, Any]], eligible: int) -> Tally:
    """Count score ballots: the highest weighted mean score is chosen."""
    sums = _sums(terms, ballots)
    totals = _totals(terms, sums)
    weight = sum((c.weight for c in terms.criteria), Decimal(0))
    cast = len(ballots)
    means = {
        option: (total / (cast * weight)).quantize(SHOWN, rounding=ROUND_HALF_EVEN)
        if cast
        else Decimal(0)
        for option, total in totals.items()
    }
    turnout = Turnout.of(cast, eligible, terms.quorum)
    base = Tally(
        by_criterion=_by_criterion(sums, cast),
        method=terms.method,
        outcome=Outcome.NO_QUORUM,
        winner=None,
        cast=cast,
        eligible=eligible,
        quorum_met=turnout.met,
        quorum_needed=turnout.needed,
        counts=means,
        statement=f"No quorum: {turnout.sentence()}, so nothing was chosen.",
    )
    if not turnout.met:
        return base
    best = max(totals.values())
    top = [option for option in terms.options if totals[option] == best]
    out_of = f"{_shown(means[top[0]])} out of {terms.max_score}"
    if len(top) == 1:
        return replace(
            base,
            outcome=Outcome.CHOSEN,
            winner=top[0],
            statement=(
                f"Chosen: {top[0]}, with the highest weighted mean score, {out_of}; "
                f"{turnout.sentence()}."
            ),
        )
    tied = and_list(top)
    if not terms.seed:
        return replace(
            base,
            outcome=Outcome.TIED,
            winner=None,
            statement=(
                f"Tied: {tied} share the highest weighted mean score, {out_of}, and no seed "
                f"was published to draw lots, so nothing was chosen; {turnout.sentence()}."
            ),
        )
    winner = lots.luckiest(terms.seed, top)
    return replace(
        base,
        outcome=Outcome.CHOSEN,
        winner=winner,
        lots=lots.tickets(terms.seed, top),
        statement=(
            f"Chosen by lot: {tied} shared the highest weighted mean score, {out_of}, and "
            f"the lot drawn from the published seed chose {winner}; {turnout.sentence()}."
        ),
    )
