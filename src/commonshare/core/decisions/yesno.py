"""Yes-or-no methods: consent, lazy consensus, simple majority and supermajority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from commonshare.core.decisions.ballots import CHOICES, POSITIONS
from commonshare.core.decisions.result import Outcome, Tally
from commonshare.core.decisions.terms import Terms
from commonshare.core.decisions.turnout import Turnout, plural

Ballots = Sequence[Mapping[str, Any]]


def _no_quorum(terms: Terms, turnout: Turnout, counts: dict[str, Decimal]) -> Tally:
    return Tally(
        method=terms.method,
        outcome=Outcome.NO_QUORUM,
        winner=None,
        cast=turnout.cast,
        eligible=turnout.eligible,
        quorum_met=False,
        quorum_needed=turnout.needed,
        counts=counts,
        statement=f"No quorum: {turnout.sentence()}, so nothing was decided.",
    )


def _decided(
    terms: Terms,
    turnout: Turnout,
    counts: dict[str, Decimal],
    outcome: Outcome,
    statement: str,
    *,
    objections: tuple[str, ...] = (),
) -> Tally:
    """The tally of a yes-or-no decision whose quorum was met (or needed none)."""
    return Tally(
        method=terms.method,
        outcome=outcome,
        winner=None,
        cast=turnout.cast,
        eligible=turnout.eligible,
        quorum_met=True,
        quorum_needed=turnout.needed,
        counts=counts,
        statement=statement,
        objections=objections,
    )


def _choice_counts(ballots: Ballots) -> dict[str, Decimal]:
    counts = dict.fromkeys(CHOICES, 0)
    for ballot in ballots:
        counts[ballot["choice"]] += 1
    return {choice: Decimal(n) for choice, n in counts.items()}


def _choices_words(counts: Mapping[str, Decimal]) -> str:
    return f"{counts['for']} for, {counts['against']} against, {counts['abstain']} abstained"


def majority(terms: Terms, ballots: Ballots, eligible: int) -> Tally:
    """Passes with more for than against; a tie is a rejection; abstentions only count
    towards the quorum."""
    counts = _choice_counts(ballots)
    turnout = Turnout.of(len(ballots), eligible, terms.quorum)
    if not turnout.met:
        return _no_quorum(terms, turnout, counts)
    passed = counts["for"] > counts["against"]
    outcome = Outcome.PASSED if passed else Outcome.REJECTED
    head = "Passed" if passed else "Rejected"
    statement = f"{head}: {_choices_words(counts)}; {turnout.sentence()}."
    return _decided(terms, turnout, counts, outcome, statement)


def _percent_places(threshold: Decimal) -> int:
    """Decimal places that show the threshold as a percentage exactly (at least one)."""
    exponent = (threshold * 100).normalize().as_tuple().exponent
    return max(1, -exponent) if isinstance(exponent, int) else 1


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _floored_percent(part: int, whole: int, places: int) -> Decimal:
    """``part / whole`` as a percentage rounded down to ``places``, in whole-number
    arithmetic, so a share below the threshold never shows as reaching it."""
    scale = 10**places
    return Decimal(part * 100 * scale // whole) / Decimal(scale)


def _share_words(fors: int, sided: int, threshold: Decimal, passed: bool) -> str:
    bar = _percent(threshold * 100)
    if not sided:
        return f"so nobody took a side and the threshold of {bar} was not reached"
    share = _percent(_floored_percent(fors, sided, _percent_places(threshold)))
    reached = f"at least the threshold of {bar}" if passed else f"below the threshold of {bar}"
    return f"so {share} of the {sided} who took a side were for, {reached}"


def supermajority(terms: Terms, ballots: Ballots, eligible: int) -> Tally:
    """Passes when for / (for + against) reaches the threshold; with nobody for or
    against it is rejected."""
    if terms.threshold is None:
        raise ValueError("a supermajority needs a threshold (check_terms says so)")
    counts = _choice_counts(ballots)
    turnout = Turnout.of(len(ballots), eligible, terms.quorum)
    if not turnout.met:
        return _no_quorum(terms, turnout, counts)
    sided = counts["for"] + counts["against"]
    passed = sided > 0 and counts["for"] >= terms.threshold * sided
    head = "Passed" if passed else "Rejected"
    share = _share_words(int(counts["for"]), int(sided), terms.threshold, passed)
    outcome = Outcome.PASSED if passed else Outcome.REJECTED
    statement = f"{head}: {_choices_words(counts)}, {share}; {turnout.sentence()}."
    return _decided(terms, turnout, counts, outcome, statement)


def _positions(ballots: Ballots) -> tuple[dict[str, Decimal], tuple[str, ...]]:
    counts = dict.fromkeys(POSITIONS, 0)
    reasons = []
    for ballot in ballots:
        counts[ballot["position"]] += 1
        if ballot["position"] == "object":
            reasons.append(ballot["reason"].strip())
    # sorted, so the published tally does not depend on the order ballots came in
    return {p: Decimal(n) for p, n in counts.items()}, tuple(sorted(reasons))


def _with_reasons(objections: tuple[str, ...]) -> str:
    return "with a reason" if len(objections) == 1 else "each with a reason"


def consent(terms: Terms, ballots: Ballots, eligible: int) -> Tally:
    """Passes unless an eligible member objects with a reason (once the quorum is met)."""
    counts, objections = _positions(ballots)
    turnout = Turnout.of(len(ballots), eligible, terms.quorum)
    if not turnout.met:
        return _no_quorum(terms, turnout, counts)
    consented = plural(int(counts["consent"]), "member consented", "members consented")
    if objections:
        objected = plural(len(objections), "member objected", "members objected")
        statement = f"Rejected: {objected}, {_with_reasons(objections)}, and {consented}"
    else:
        statement = f"Passed: {consented} and nobody objected"
    outcome = Outcome.REJECTED if objections else Outcome.PASSED
    statement = f"{statement}; {turnout.sentence('took part')}."
    return _decided(terms, turnout, counts, outcome, statement, objections=objections)


def lazy_consensus(terms: Terms, ballots: Ballots, eligible: int) -> Tally:
    """Passes at the close unless someone objects; needs no quorum, since silence is
    consent. An objection gives ``objected``: the app then opens a majority vote."""
    counts, objections = _positions(ballots)
    turnout = Turnout(cast=len(ballots), eligible=eligible, needed=0, met=True, set=False)
    took_part = (
        f"{turnout.cast} of {plural(eligible, 'eligible member', 'eligible members')} "
        "responded, and lazy consensus needs no quorum, since silence is consent"
    )
    if objections:
        objected = plural(len(objections), "member objected", "members objected")
        statement = (
            f"Objected: {objected}, {_with_reasons(objections)}, so a majority vote follows with a "
            f"fresh voting period; {took_part}."
        )
    else:
        statement = f"Passed: nobody objected by the close; {took_part}."
    outcome = Outcome.OBJECTED if objections else Outcome.PASSED
    return _decided(terms, turnout, counts, outcome, statement, objections=objections)
