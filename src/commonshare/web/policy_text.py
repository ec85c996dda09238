"""The policy in plain sentences, and each version's changes in words (no field names)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commonshare.core.policy import Change, Policy, TrustPolicy
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
        "A distribution covers one whole period that has ended. Once proposed, it stays open "
        f"for challenge for {count(policy.period.challenge_hours, 'hour', 'hours')}, when "
        "every member can read each payout and why; only after that can it be posted.",
        *trust_sentences(trust),
        *steward_sentences(policy),
        *decision_sentences(policy),
        *discussion_sentences(policy),
    ]


def trust_sentences(trust: TrustPolicy) -> list[str]:
    """What each trust level asks and unlocks, and how a level is lost."""
    contributions = ("reviewed contribution", "reviewed contributions")
    given = ("review given", "reviews given")
    email = " a verified e-mail address," if trust.level1_email_verified else ""
    powers = [
        f"{what[0].upper()}{what[1:]} needs trust level {level}."
        for what, level in (
            ("being drawn to review contributions", trust.review_level),
            ("being drawn to approve expense claims", trust.approve_expenses_level),
            (
                "recording, confirming and proposing money actions, and voting on them",
                trust.money_level,
            ),
            ("voting on rules and norms", trust.vote_rules_level),
        )
    ]
    lost = (
        f"A member with no reviewed work nor review for "
        f"{count(trust.inactive_periods, 'whole period', 'whole periods')} loses one level "
        "until they are active again"
        if trust.inactive_periods
        else "Inactivity never costs a level"
    )
    return [
        "Trust levels are earned from reviewed work, computed from what each member did. "
        f"Level 1 asks {count(trust.level1_days, 'day', 'days')} as a member,{email} and "
        f"{count(trust.level1_reviewed_contributions, *contributions)}.",
        f"Level 2 asks {count(trust.level2_days, 'day', 'days')}, "
        f"{count(trust.level2_reviewed_contributions, *contributions)} worth at least "
        f"{count(trust.level2_reviewed_hours, 'hour', 'hours')}, "
        f"{count(trust.level2_reviews_given, *given)}, and an average rating of at least "
        f"{number(trust.level2_average_rating, 2)} out of 5.",
        f"Level 3 asks {count(trust.level3_days, 'day', 'days')}, "
        f"{count(trust.level3_reviewed_contributions, *contributions)} worth at least "
        f"{count(trust.level3_reviewed_hours, 'hour', 'hours')}, "
        f"{count(trust.level3_reviews_given, *given)}, activity in "
        f"{count(trust.level3_periods_active, 'period', 'periods')}, and at least "
        f"{_share(trust.level3_review_agreement)} of one's reviews agreeing with the other "
        "reviewers of the same work.",
        "Level 4 asks level 3 held at the end of "
        f"{count(trust.level4_periods_at_level3, 'period', 'periods')} (as it stood each "
        "time a period's distribution was posted) and a "
        f"reputation in the top {_share(trust.level4_reputation_band)} of the members who "
        "have one.",
        f"{lost}; each upheld flag costs a level too.",
        *powers,
    ]


def steward_sentences(policy: Policy) -> list[str]:
    """What the steward phase is and what ends it, in words."""
    steward = policy.steward
    ends = [
        f"{count(steward.ends_at_level2_members, 'member has', 'members have')} earned "
        "trust level 2",
        *(["the first decision is adopted"] if steward.ends_at_first_decision else []),
        f"{count(steward.ends_after_days, 'day has', 'days have')} passed since the community "
        "began",
    ]
    listed = ", ".join(ends[:-1]) + f" or {ends[-1]}"
    return [
        "A new community has nobody at trust level 2, so stewards hold the powers of level 2 "
        "while the steward phase lasts: the people named when the site was set up, or else "
        f"the first {count(steward.first_members, 'member', 'members')} to join.",
        f"The steward phase ends by itself as soon as {listed}. After it ends, no account has "
        "any power beyond its own trust level, and the steward role never comes back.",
    ]


def decision_sentences(policy: Policy) -> list[str]:
    """How decisions are made, in sentences (the decisions section)."""
    rules = policy.decisions
    return [
        f"A member at trust level {rules.propose_level} or above may make a proposal; "
        "a proposal about money also needs the level that moving money needs. Its method, "
        "criteria, quorum, voters and times are fixed when it is made.",
        f"Unless a proposal asks more, members at trust level {rules.default_eligibility} "
        f"or above may vote, and {_share(rules.default_quorum)} of them must cast a ballot.",
        f"A vote runs from {count(rules.min_voting_days, 'day', 'days')} to "
        f"{count(rules.max_voting_days, 'day', 'days')}. An objection to a lazy consensus "
        f"opens a majority vote of {count(rules.lazy_consensus_days, 'day', 'days')}.",
        "A closed decision is due for review "
        f"{count(rules.review_after_days, 'day', 'days')} after it closes.",
    ]


def discussion_sentences(policy: Policy) -> list[str]:
    """How much members may post in threads and the forum (the discussion section)."""
    rules = policy.discussion
    new = (
        "Members at trust level 0 may not post comments"
        if rules.level0_per_day == 0
        else "Members at trust level 0 may post "
        f"{count(rules.level0_per_day, 'comment', 'comments')} in 24 hours"
    )
    marked = (
        "No member's links in comments are marked as unvouched for."
        if rules.ugc_below_level == 0
        else "Links in comments by members below trust level "
        f"{rules.ugc_below_level} are marked for search engines as written by a user and "
        "not vouched for by the community."
    )
    return [
        f"{new}, and nobody may post more than "
        f"{count(rules.per_hour, 'comment', 'comments')} in an hour.",
        marked,
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
    "period.challenge_hours": "Hours a proposed distribution stays open for challenge",
    "trust.level1_days": "Days as a member for trust level 1",
    "trust.level1_reviewed_contributions": "Reviewed contributions for trust level 1",
    "trust.level2_days": "Days as a member for trust level 2",
    "trust.level2_reviewed_contributions": "Reviewed contributions for trust level 2",
    "trust.level2_reviews_given": "Reviews given for trust level 2",
    "trust.level3_days": "Days as a member for trust level 3",
    "trust.level3_reviewed_contributions": "Reviewed contributions for trust level 3",
    "trust.level3_reviews_given": "Reviews given for trust level 3",
    "steward.first_members": "First members who are stewards",
    "steward.ends_at_level2_members": "Members at trust level 2 that end the steward phase",
    "steward.ends_at_first_decision": "The first adopted decision ends the steward phase",
    "steward.ends_after_days": "Days after which the steward phase ends",
    "trust.level1_email_verified": "A verified e-mail address for trust level 1",
    "trust.level2_reviewed_hours": "Reviewed hours for trust level 2",
    "trust.level2_average_rating": "Average rating received for trust level 2",
    "trust.level3_reviewed_hours": "Reviewed hours for trust level 3",
    "trust.level3_periods_active": "Periods of activity for trust level 3",
    "trust.level3_review_agreement": "Share of agreeing reviews for trust level 3",
    "trust.level4_periods_at_level3": "Periods at level 3 for trust level 4",
    "trust.level4_reputation_band": "Top reputation band for trust level 4",
    "trust.inactive_periods": "Periods without activity that cost a trust level",
    "trust.review_level": "Trust level a reviewer needs",
    "trust.approve_expenses_level": "Trust level an expense approver needs",
    "trust.money_level": "Trust level moving money needs",
    "trust.vote_rules_level": "Trust level voting on rules needs",
    "decisions.propose_level": "Trust level to make a proposal",
    "decisions.default_eligibility": "Trust level to vote, unless a proposal asks more",
    "decisions.default_quorum": "Share of voters who must cast a ballot, by default",
    "decisions.min_voting_days": "Fewest days a vote runs",
    "decisions.max_voting_days": "Most days a vote runs",
    "decisions.lazy_consensus_days": "Days of the vote an objection to a lazy consensus opens",
    "decisions.review_after_days": "Days after the close a decision is due for review",
    "discussion.level0_per_day": "Comments a member at trust level 0 may post in a day",
    "discussion.per_hour": "Comments anyone may post in an hour",
    "discussion.ugc_below_level": "Trust level from which links in comments are not marked",
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
    if path in ("reserve.share", "decisions.default_quorum"):
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
