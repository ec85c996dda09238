"""Decisions, counted: pure tallies, one per method, over ballots and terms fixed in
advance. No Django, no clock, no I/O; anyone holding the terms and the ballots can recount.

The terms (``Terms``) fix the method, the options, the threshold, the quorum, the
criteria, the score range and the seed before a proposal opens. ``check_terms`` lists
every problem with them; ``check_ballot`` every problem with one ballot; ``tally``
counts and returns a ``Tally`` with its outcome and one plain ``statement``.

Ballot shapes, by method (any other field is refused, naming it):

- consent, lazy consensus: ``{"position": "consent" | "object", "reason": str}``;
  an objection needs a reason, a consent may leave it out.
- majority, supermajority: ``{"choice": "for" | "against" | "abstain"}``.
- score: ``{"scores": {option: {criterion: int}}}``, every option against every
  criterion, each a whole number from 0 to ``max_score``.
- ranked (instant-runoff, Schulze): ``{"ranking": [option, ...]}``, first choice first,
  a strict order of some or all options, none repeated.

The quorum counts cast ballots only: an abstention is cast, an eligible member who did
not vote is not. It is met when at least ``ceil(quorum * eligible)`` ballots are cast.
Lazy consensus needs no quorum (silence is consent). The rules for each method and their
ties are in ``docs/decisions.md``, "How votes are counted".
"""

from commonshare.core.decisions.ballots import CHOICES, POSITIONS, check_ballot
from commonshare.core.decisions.counting import BallotError, tally
from commonshare.core.decisions.result import (
    Outcome,
    Round,
    Tally,
    TallyFormError,
    differences,
    tally_from_dict,
)
from commonshare.core.decisions.terms import (
    METHOD_LABELS,
    Criterion,
    Method,
    Problem,
    Terms,
    TermsError,
    check_terms,
    terms_from_dict,
    terms_to_dict,
)

__all__ = [
    "CHOICES",
    "METHOD_LABELS",
    "POSITIONS",
    "BallotError",
    "Criterion",
    "Method",
    "Outcome",
    "Problem",
    "Round",
    "Tally",
    "TallyFormError",
    "Terms",
    "TermsError",
    "check_ballot",
    "check_terms",
    "differences",
    "tally",
    "tally_from_dict",
    "terms_from_dict",
    "terms_to_dict",
]
