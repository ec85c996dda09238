"""A payout's explanation (the valuation engine's JSON) as rows a person can check.

Known keys get labels and their place in the arithmetic; keys the engine adds
later are shown generically so nothing in the explanation is ever hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from commonshare.community.models import Member
from commonshare.web import formatting
from commonshare.work import selectors as work
from commonshare.work.vocab import ContributionKind

CONTRIBUTION_KEYS = (
    "contribution",
    "kind",
    "claimed_effort",
    "accepted_effort",
    "reviews",
    "rating",
    "value",
    "formula",
)
REVIEW_KEYS = ("reviewer", "rating", "weight", "effort", "used")
# Summary keys in the order of the arithmetic, each with a plain label. The labels speak of
# "this member" so they read right whoever looks; the lead sentences say "you" to the payee.
SUMMARY_LABELS = {
    "method": "How the pay was worked out",
    "value": "Worth of this member's contributions, in hour-equivalents",
    "total_value": "Worth of everyone's contributions in this period",
    "value_exact": "That worth as the exact whole number the split uses",
    "denominator_exact": "Everyone's worth as that exact whole number",
    "cluster": "Group this member was dealt into (reviews from inside it do not count)",
    "exact_share": "Exact share = this member's worth ÷ everyone's worth",
    "check": "Check by hand",
    "payout": "Pay, rounded to the currency's smallest unit",
    "payout_minor": "Pay in the currency's smallest unit (such as cents)",
    "share": "Share of the amount actually paid",
    "rounding": "How rounding works",
    "trust": "Trust earned from how trusted members rated this member's work",
    "trust_iterations": "Rounds the trust calculation took to settle",
    "standing": "Standing (reputation, or hours claimed while nobody has a reputation yet)",
    "reliability": "Reliability of this member's reviews (1 = in line with the other reviewers)",
    "deviation": "Average distance of this member's ratings from the other reviewers', in stars",
    "agreement": "Agreement of this member's reviews with the final ratings (1 = full)",
    "reputation_before": "Reputation before this distribution",
    "reputation_after": "Reputation after this distribution",
}
METHODS = {
    "mean": "the average rating of each contribution",
    "robust": "weighted reviews: each reviewer counts by the trust and reliability they earned",
    "impartial": "impartial: nobody's reviews change their own pay",
}
# Plain labels for the engine's extra keys on a contribution line; others show by name.
EXTRA_LABELS = {
    "prior_weight": "Weight of the neutral review that fills what the cap on one reviewer removed",
    "prior_rating": "Rating of that neutral review",
}
HIDDEN = {"member"}  # shown as the page's subject already


@dataclass
class ReviewRow:
    reviewer_id: str
    reviewer: Member | None
    rating: Any
    weight: Any
    effort: Any
    used: Any
    extra: list[tuple[str, Any]]
    weighted: bool = True  # False: the method's weights mean nothing to a reader


@dataclass
class ContributionRow:
    id: str
    kind: Any
    claimed_effort: Any
    accepted_effort: Any
    reviews: list[ReviewRow]
    rating: Any
    value: Any
    formula: Any
    extra: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Explanation:
    contributions: list[ContributionRow]
    summary: list[tuple[str, str, Any]]
    exact_amount: str | None
    extra: list[tuple[str, Any]]
    weighted: bool = True  # whether the reviews' weights mean something to a reader


def reviewer_ids(explanation: dict[str, Any]) -> set[str]:
    return {
        str(review.get("reviewer"))
        for line in explanation.get("contributions") or []
        if isinstance(line, dict)
        for review in line.get("reviews") or []
        if isinstance(review, dict)
    }


def explain(
    explanation: dict[str, Any], *, amount: Decimal, members: dict[str, Member]
) -> Explanation:
    lines = explanation.get("contributions") or []
    # impartial marks one review per contribution with weight 1 (the vote that is the
    # value) and the others 0, though every review from outside the author's group
    # counted in its group's vote: a weight of 0 would mislead, so none is shown
    weighted = explanation.get("method") != "impartial"
    rows = [
        _contribution_row(line, members, weighted=weighted)
        for line in lines
        if isinstance(line, dict)
    ]
    summary = [
        (key, label, explanation[key])
        for key, label in SUMMARY_LABELS.items()
        if key in explanation
    ]
    known = {"contributions", *SUMMARY_LABELS, *HIDDEN}
    extra = [(key, value) for key, value in explanation.items() if key not in known]
    return Explanation(rows, summary, _exact_amount(explanation, amount), extra, weighted)


def _contribution_row(
    line: dict[str, Any], members: dict[str, Member], *, weighted: bool = True
) -> ContributionRow:
    reviews = [
        ReviewRow(
            reviewer_id=str(review.get("reviewer")),
            reviewer=members.get(str(review.get("reviewer"))),
            rating=review.get("rating"),
            weight=review.get("weight"),
            effort=review.get("effort"),
            used=review.get("used"),
            extra=[(k, v) for k, v in review.items() if k not in REVIEW_KEYS],
            weighted=weighted,
        )
        for review in line.get("reviews") or []
        if isinstance(review, dict)
    ]
    return ContributionRow(
        id=str(line.get("contribution", "")),
        kind=line.get("kind"),
        claimed_effort=line.get("claimed_effort"),
        accepted_effort=line.get("accepted_effort"),
        reviews=reviews,
        rating=line.get("rating"),
        value=line.get("value"),
        formula=line.get("formula"),
        extra=[(k, v) for k, v in line.items() if k not in CONTRIBUTION_KEYS],
    )


def _exact_amount(explanation: dict[str, Any], amount: Decimal) -> str | None:
    """Distribution amount x your value / total value, before rounding: the number to check."""
    try:
        if "exact_share" in explanation:
            exact = amount * Decimal(str(explanation["exact_share"]))
        else:
            total = Decimal(str(explanation["total_value"]))
            if total == 0:
                return None
            exact = amount * Decimal(str(explanation["value"])) / total
    except (KeyError, InvalidOperation, ArithmeticError):
        return None
    return str(exact.quantize(Decimal("1e-6")))


# --- The plain story told before the tables --------------------------------------------------

# impartial's exact whole numbers are hour-equivalents x this (micro-hours x 5 stars)
IMPARTIAL_SCALE = Decimal(5_000_000)


@dataclass
class Split:
    """The two numbers whose ratio is the member's share, and (impartial, when that divisor
    is larger) the period's total value: the difference is kept back as the remainder."""

    value: Any
    total: Any
    period_total: Any = None


def split_of(explanation: dict[str, Any]) -> Split:
    """What the lead sentence divides: value over the period's total, or, under impartial,
    the exact value over the member's group's denominator (which is larger than the
    total when a group's reviews could have made other work worth more)."""
    value, total = explanation.get("value"), explanation.get("total_value")
    if explanation.get("method") != "impartial":
        return Split(value, total)
    exact = formatting.as_decimal(explanation.get("value_exact"))
    denominator = formatting.as_decimal(explanation.get("denominator_exact"))
    whole = formatting.as_decimal(total)
    if exact is None or denominator is None or whole is None:
        return Split(value, total)
    counted = denominator / IMPARTIAL_SCALE
    return Split(exact / IMPARTIAL_SCALE, counted, whole if counted > whole else None)


@dataclass
class ContributionStory:
    id: str
    title: str
    sentence: str
    notes: list[str]


@dataclass
class Story:
    lead: str
    lines: list[ContributionStory]


@dataclass
class _Whose:
    """How the sentences name the payee: "Your … you get" or "Ada's … Ada gets"."""

    possessive: str
    gets: str


def whose(payee: Member, viewer: Any) -> _Whose:
    if getattr(viewer, "pk", None) == payee.pk:
        return _Whose("Your", "you get")
    return _Whose(f"{payee.display_name}'s", f"{payee.display_name} gets")


def _effort(value: Any, kind: Any) -> str:
    if kind == ContributionKind.WORK:
        return formatting.hours(value)
    amount = formatting.as_decimal(value) or Decimal(0)
    word = "hour-equivalent" if amount == 1 else "hour-equivalents"
    return f"{formatting.number(amount)} {word}"


def _name(review: ReviewRow) -> str:
    return review.reviewer.display_name if review.reviewer else "a former reviewer"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def story(
    explained: Explanation,
    *,
    payee: Member,
    viewer: Any,
    method: str,
    paid: str,
    share: Any,
    value: Any,
    total_value: Any,
    period_total: Any = None,
) -> Story:
    """The lead sentence and one sentence per contribution, in plain words and round numbers."""
    who = whose(payee, viewer)
    rows = explained.contributions
    titles = _titles([row.id for row in rows])
    lines = [
        ContributionStory(
            row.id, titles.get(row.id, f"Contribution {row.id}"), _worth(row), _notes(row, method)
        )
        for row in rows
    ]
    split = Split(value, total_value, period_total)
    return Story(_lead(rows, who, paid=paid, share=share, split=split), lines)


def _lead(rows: list[ContributionRow], who: _Whose, *, paid: str, share: Any, split: Split) -> str:
    value, total = split.value, split.total
    gets = f"{who.gets} {formatting.percent(share)}: {paid}."
    if not rows:
        return f"{who.gets[0].upper()}{who.gets[1:]} {formatting.percent(share)}: {paid}."
    ratings = [r for r in (formatting.as_decimal(row.rating) for row in rows) if r is not None]
    reviewers = {review.reviewer_id for row in rows for review in row.reviews}
    many = len(rows) != 1
    noun = f"{len(rows)} contributions were" if many else "1 contribution was"
    if ratings:
        average = formatting.number(sum(ratings) / len(ratings), 1)
        rated = f"rated {average}{' on average' if many else ''} by {_reviewers(len(reviewers))}"
    else:
        rated = "not rated yet"
    if formatting.as_decimal(value) is None or formatting.as_decimal(total) is None:
        return f"{who.possessive} {noun} {rated}, so {gets}"
    worth = "together they were worth" if many else "it was worth"
    whole = "in this period"
    if split.period_total is not None:
        group = "your" if who.possessive == "Your" else who.possessive
        whole = (
            f"the impartial split counts for {group} group (the "
            f"{formatting.number(split.period_total)} in this period, with other groups' work "
            f"counted at the most {group} group's reviews could have made it worth)"
        )
        gets = f"{gets[:-1]}; the part of the amount this holds back is kept as the remainder."
    return (
        f"{who.possessive} {noun} {rated}; {worth} {formatting.number(value)} "
        f"hour-equivalents of the {formatting.number(total)} {whole}, so {gets}"
    )


def _reviewers(count: int) -> str:
    return "1 reviewer" if count == 1 else f"{count} reviewers"


def _worth(row: ContributionRow) -> str:
    claimed = f"{_effort(row.claimed_effort, row.kind)} claimed"
    used = [review for review in row.reviews if review.used is not False]
    if not used:
        return f"{claimed}; no review counted, so it is worth nothing this period."
    names = _and([f"{_name(r)} ({formatting.number(r.rating, 1)})" for r in used])
    rating = formatting.number(row.rating, 2)
    return (
        f"{claimed}; rated {rating} by {names}; worth {_effort(row.value, None)} "
        f"({formatting.number(row.accepted_effort)} × {rating} ÷ 5)."
    )


def _notes(row: ContributionRow, method: str) -> list[str]:
    notes = [_challenge(row, review) for review in row.reviews if review.effort is not None]
    for review in row.reviews:
        if review.used is False:
            notes.append(f"{_name(review)}'s review did not count: {_why_unused(method)}.")
    return notes


def _challenge(row: ContributionRow, review: ReviewRow) -> str:
    claimed = formatting.as_decimal(row.claimed_effort)
    accepted = formatting.as_decimal(row.accepted_effort)
    estimate = formatting.as_decimal(review.effort)
    name, kind = _name(review), row.kind
    said = f"{name} thought it took {_effort(estimate, kind)}"
    if claimed is None or accepted is None or estimate is None:
        return f"{said}."
    if estimate == claimed:
        return f"{name} agreed with the {_effort(claimed, kind)} claimed."
    if estimate > claimed:
        return (
            f"{said}, more than the {formatting.number(claimed)} claimed; an estimate above "
            "the claim counts as the claim."
        )
    if accepted == claimed:
        others = [r for r in row.reviews if r is not review and r.effort is None]
        why = (
            f"the other reviewers agreed with the {formatting.number(claimed)} claimed"
            if others
            else f"this period's rules kept the {formatting.number(claimed)} claimed"
        )
        return f"{said}; {why}, so it counted as {_effort(claimed, kind)}."
    return (
        f"{said} rather than the {formatting.number(claimed)} claimed; weighing the reviewers' "
        f"estimates, it counted as {_effort(accepted, kind)}."
    )


def _why_unused(method: str) -> str:
    if method == "impartial":
        return (
            "the reviewer is in the author's own group, and the impartial method only counts "
            "reviews from other groups"
        )
    if method == "robust":
        return (
            "the reviewer and the author rated each other's work well above what other "
            "reviewers gave, so reviews between them are left out"
        )
    return "this method left it out"


def _titles(ids: list[str]) -> dict[str, str]:
    return work.summaries_by_id(ids)
