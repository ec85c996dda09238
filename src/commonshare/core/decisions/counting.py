"""``tally``: check the terms and every ballot, then count by the terms' method."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from commonshare.core.decisions import irv, schulze, score, yesno
from commonshare.core.decisions.ballots import check_ballot
from commonshare.core.decisions.result import Tally
from commonshare.core.decisions.terms import Method, Problem, Terms, TermsError, check_terms

Counter = Callable[[Terms, Sequence[Mapping[str, Any]], int], Tally]

COUNTERS: dict[Method, Counter] = {
    Method.CONSENT: yesno.consent,
    Method.LAZY_CONSENSUS: yesno.lazy_consensus,
    Method.MAJORITY: yesno.majority,
    Method.SUPERMAJORITY: yesno.supermajority,
    Method.SCORE: score.score,
    Method.RANKED_IRV: irv.instant_runoff,
    Method.RANKED_SCHULZE: schulze.schulze,
}


class BallotError(ValueError):
    """A ballot among those counted does not fit the terms; ``problems`` are numbered by
    the ballot's place (``ballots.3.choice``)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def tally(terms: Terms, ballots: Sequence[Mapping[str, Any]], *, eligible: int) -> Tally:
    """Count ``ballots`` (one per voter who cast one) under ``terms``.

    ``eligible`` is how many members could vote; the quorum is a share of them. Raises
    ``TermsError`` or ``BallotError`` when the terms or a ballot do not check, and
    ``ValueError`` when more ballots than eligible members are given.
    """
    problems = check_terms(terms)
    if problems:
        raise TermsError(problems)
    if isinstance(eligible, bool) or not isinstance(eligible, int) or eligible < len(ballots):
        raise ValueError("eligible must be a whole number, at least the number of ballots")
    problems = [
        Problem(f"ballots.{index}.{p.field}", p.message)
        for index, ballot in enumerate(ballots)
        for p in check_ballot(terms, ballot)
    ]
    if problems:
        raise BallotError(problems)
    return COUNTERS[terms.method](terms, ballots, eligible)
