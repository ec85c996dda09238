"""The policy in plain sentences, and each version's changes in words (no field names)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commonshare.core.policy import Change, Policy
from commonshare.web.formatting import count, number, percent

METHOD_WORDS = {
    "mean": "the mean method: each contribution is worth its effort times the mean rating "
    "of its reviews",
    "robust": "the robust method: reviewers are weighed by the trust they earned, and "
    "ratings far from the others count less",
    "impartial": "the impartial method: nothing members report about their own group's work "
    "changes their own pay",
}
# What a change table says for each method: short, and no method code.
METHOD_NAMES = {
    "mean": "the mean of its ratings",
    "robust": "ratings weighed by earned trust",
    "impartial": "no say over one's own group's pay",
}
_STARTS = {
    1: "on the first of every month",
    2: "every two months, in January, March, May, July, September and November",
    3: "every quarter, in January, April, July and October",
    4: "every four months, in January, May and September",
    6: "every half year, in January and July",
    12: "every year, in January",
}


def _share(value: Any) -> str:
    return percent(value, places=2)


def sentences(policy: Policy) -> list[str]:
    """The rules of ``policy``, one plain sentence each."""
    review, valuation, resources = policy.review, policy.valuation, policy.resources
    trust = policy.trust
    reviewers = count(review.reviewers_per_contribution, "reviewer", "reviewers")
    approvals = count(policy.expenses.approvals, "member", "members")
    effort = valuation.effort_per_unit
    prices = "; ".join(
        f"{unit}: {number(price, 2)} {resources.currency} each"
        for unit, price in sorted(resources.prices.items())
    )
    changed = len(valuation.parameters)
    return [
        f"Each contribution gets {reviewers}, drawn at random from the members eligible "
        "when it was logged (never its author).",
        "When an author edits a contribution after its reviewers were drawn, "
        + (
            "the reviewers are drawn anew from a fresh published seed."
            if review.redraw_reviewers_on_edit
            else "the same reviewers stay."
        ),
        f"{_share(policy.reserve.share)} of every income goes to the reserve.",
        f"{approvals.capitalize()} who may approve expenses are drawn at random to decide "
        "each expense claim (never the claimant): it is approved when they all approve it.",
        _decision_above(policy),
        f"Pay is split by {METHOD_WORDS[valuation.method]}.",
        "The valuation engine runs with its default settings."
        if not changed
        else f"The valuation engine runs with {count(changed, 'setting', 'settings')} "
        "changed from its defaults.",
        f"One unit of work counts as {count_hours(effort['work'])}, one deliverable as "
        f"{count_hours(effort['deliverable'])}.",
        f"Lent resources are paid by metered use, in {resources.currency}"
        + (f" ({prices})" if prices else "")
        + f"; any other unit is paid {number(resources.default_price, 2)} "
        f"{resources.currency} a unit.",
        f"Income is distributed by periods of {count(policy.period.months, 'month', 'months')}, "
        f"starting {_STARTS[policy.period.months]}. A new version of these rules takes "
        "effect only when the next period starts.",
        "When trust levels arrive, level 1 will ask "
        f"{count(trust.level1_days, 'day', 'days')} as a member and "
        f"{count(trust.level1_reviewed_contributions, 'reviewed contribution', 'reviewed contributions')}; "  # noqa: E501
        f"level 2, {count(trust.level2_days, 'day', 'days')}, "
        f"{count(trust.level2_reviewed_contributions, 'reviewed contribution', 'reviewed contributions')} "  # noqa: E501
        f"and {count(trust.level2_reviews_given, 'review given', 'reviews given')}; "
        f"level 3, {count(trust.level3_days, 'day', 'days')}, "
        f"{count(trust.level3_reviewed_contributions, 'reviewed contribution', 'reviewed contributions')} "  # noqa: E501
        f"and {count(trust.level3_reviews_given, 'review given', 'reviews given')}.",
    ]


def _decision_above(policy: Policy) -> str:
    limits = policy.expenses.decision_above
    if not limits:
        return "No expense claim needs a decision of the community, whatever its amount."
    named = "; ".join(f"{number(v, 2)} {code}" for code, v in sorted(limits.items()))
    return (
        f"An expense claim above {named} needs an adopted decision instead of drawn "
        "approvers, and so does a claim in any other currency."
    )


def count_hours(value: Decimal) -> str:
    return f"{number(value, 2)} hour{'' if value == 1 else 's'}"


_LABELS = {
    "valuation.method": "How pay is split",
    "valuation.effort_per_unit.work": "Hours one unit of work counts as",
    "valuation.effort_per_unit.deliverable": "Hours one deliverable counts as",
    "review.reviewers_per_contribution": "Reviewers per contribution",
    "review.redraw_reviewers_on_edit": "Reviewers drawn anew after an edit",
    "reserve.share": "Share of every income that goes to the reserve",
    "expenses.approvals": "Approvals an expense claim needs",
    "expenses.decision_above": "Amounts above which an expense claim needs a decision",
    "resources.default_price": "Price of a unit with no price of its own",
    "resources.currency": "Currency of resource prices",
    "period.months": "Months in a distribution period",
    "trust.level1_days": "Days as a member for trust level 1",
    "trust.level1_reviewed_contributions": "Reviewed contributions for trust level 1",
    "trust.level2_days": "Days as a member for trust level 2",
    "trust.level2_reviewed_contributions": "Reviewed contributions for trust level 2",
    "trust.level2_reviews_given": "Reviews given for trust level 2",
    "trust.level3_days": "Days as a member for trust level 3",
    "trust.level3_reviewed_contributions": "Reviewed contributions for trust level 3",
    "trust.level3_reviews_given": "Reviews given for trust level 3",
}


def _label(path: str) -> str:
    if path.startswith("resources.prices."):
        return f"Price of one unit of {path.removeprefix('resources.prices.')}"
    if path.startswith("valuation.parameters."):
        return "A setting of the valuation engine"
    if path.startswith("expenses.decision_above."):
        code = path.removeprefix("expenses.decision_above.")
        return f"Amount in {code} above which an expense claim needs a decision"
    return _LABELS.get(path, "Another rule")


def _value(path: str, value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if path == "reserve.share":
        return _share(value)
    if path == "valuation.method":
        return METHOD_NAMES.get(value, "a method this version of the site does not know")
    if isinstance(value, str) and path.startswith(
        ("resources.prices", "resources.default", "expenses.decision_above")
    ):
        return number(value, 2)
    return number(value, 0) if isinstance(value, int) else str(value)


def change_lines(changes: list[Change]) -> list[dict[str, str]]:
    """Each change as a label and its values before and after, in words."""
    return [
        {
            "label": _label(c.path),
            "before": _value(c.path, c.before),
            "after": _value(c.path, c.after),
        }
        for c in changes
    ]
