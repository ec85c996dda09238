"""The community's policy: every rule a community may decide, as typed, checked data.

A policy has one frozen dataclass per section (valuation, review, reserve, expenses,
resources, period, trust, steward, decisions). Its dict form (``policy_to_dict``) is plain
JSON: decimals are written as text, so no float ever carries a share or a price. ``check_policy``
names every problem of a dict at once, each with its field path and a sentence;
``policy_from_dict`` builds the policy (missing rules take their defaults) or raises
``PolicyError`` with those problems. ``canonical_json`` is the chain's canonical form
(keys sorted, no spaces, ASCII) and ``policy_sha256`` its digest: one text per policy.

Versions take effect only at the start of a period (``version_start``), so no rule
changes in the middle of one. Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from commonshare.core.money import MoneyError, check_currency
from commonshare.core.valuation.policy import resolve_policy
from commonshare.core.valuation.types import MAX_RATING, METHODS, ValuationError
from commonshare.core.words import one_of

VALUED_KINDS = ("work", "deliverable")
PERIOD_MONTHS = (1, 2, 3, 4, 6, 12)  # lengths that line up with the calendar year
MAX_REVIEWERS = 20
MAX_APPROVALS = 20
MAX_EFFORT_PER_UNIT = Decimal(1000)
MAX_PRICE = Decimal(1_000_000)
MAX_UNIT_NAME = 100
MAX_THRESHOLD = 100_000
MAX_DECISION_ABOVE = Decimal(1_000_000_000)


@dataclass(frozen=True)
class ValuationPolicy:
    """How contributions become pay (docs/valuation.md)."""

    # mean, robust (reviewers weighed by earned trust) or impartial.
    method: str = "robust"
    # The engine's parameters, handed to it as they are (core.valuation.policy.DEFAULTS).
    parameters: Mapping[str, Any] = field(default_factory=dict)
    # What one unit of each valued kind of contribution counts as, in hours of work.
    effort_per_unit: Mapping[str, Decimal] = field(
        default_factory=lambda: {"work": Decimal(1), "deliverable": Decimal(1)}
    )


@dataclass(frozen=True)
class ReviewPolicy:
    # Peers drawn at random (never the author) to review each contribution.
    reviewers_per_contribution: int = 2
    # After an edit, discard the draw and draw anew from a fresh seed (false: they stay).
    redraw_reviewers_on_edit: bool = False


@dataclass(frozen=True)
class ReservePolicy:
    # Share of every income set aside in the reserve when it is recorded.
    share: Decimal = Decimal("0.1")


@dataclass(frozen=True)
class ExpensePolicy:
    # Peers (never the claimant) drawn at random to approve an expense claim: all of them
    # approve it, and it is rejected once that can no longer happen.
    approvals: int = 2
    # Per currency, the amount above which a claim needs an adopted decision instead of
    # drawn approvers. Empty: no claim needs one. Once any currency is named, a claim in a
    # currency not named needs a decision too (nobody has said how much is too much there).
    decision_above: Mapping[str, Decimal] = field(default_factory=dict)

    def needs_decision(self, amount: Decimal, currency: str) -> bool:
        """True when a claim of ``amount`` in ``currency`` needs a decision, not approvers."""
        if not self.decision_above:
            return False
        limit = self.decision_above.get(currency)
        return limit is None or amount > limit


@dataclass(frozen=True)
class ResourcePolicy:
    # Lent resources are paid by metered use at these prices per unit, before the split.
    prices: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "server hours": Decimal("0.05"),
            "compute hours": Decimal("0.1"),
            "GB transferred": Decimal("0.01"),
        }
    )
    default_price: Decimal = Decimal("0.02")
    # The currency the prices are in: resources are paid by its distributions only.
    currency: str = "EUR"


@dataclass(frozen=True)
class PeriodPolicy:
    # The length of a distribution period, in whole months; periods start on the first of
    # a month and line up with the calendar year (quarters start in January, April...).
    months: int = 1
    # How long a proposed distribution of a closed period stays open for challenge, in
    # hours, before it may be posted: every member can read each payout meanwhile.
    challenge_hours: int = 72


@dataclass(frozen=True)
class TrustPolicy:
    """What each earned trust level asks (``core.trust``) and the level each power needs.

    Each level asks at least as much as the one below it. The first eight rules are the
    ones version 1 of the policy stored; the rest were added with defaults, so a stored
    version without them reads them as these defaults.
    """

    # Level 1 (basic): days since joining, and contributions that passed review.
    level1_days: int = 7
    level1_reviewed_contributions: int = 1
    # Level 2 (member): also reviews given.
    level2_days: int = 30
    level2_reviewed_contributions: int = 5
    level2_reviews_given: int = 5
    # Level 3 (regular).
    level3_days: int = 90
    level3_reviewed_contributions: int = 20
    level3_reviews_given: int = 20
    # Level 1 also asks a verified e-mail address.
    level1_email_verified: bool = True
    # Level 2: reviewed value (hours, or the hours deliverables count as) and a good
    # average rating received (0 to 5).
    level2_reviewed_hours: int = 20
    level2_average_rating: Decimal = Decimal(3)
    # Level 3: sustained over several periods, with reviews that agree with the others
    # (the share of one's reviews within one point of the other reviewers' mean).
    level3_reviewed_hours: int = 60
    level3_periods_active: int = 3
    level3_review_agreement: Decimal = Decimal("0.7")
    # Level 4: level 3 held at the end of this many periods (recorded as each period's
    # distribution posts), in the top band of reputation (the share of members with a
    # reputation who rank at or above the member).
    level4_periods_at_level3: int = 3
    level4_reputation_band: Decimal = Decimal("0.1")
    # A member with no reviewed work nor review for this many whole periods loses a level
    # (0: never).
    inactive_periods: int = 3
    # The level each power needs (work.trust.Power).
    review_level: int = 1
    approve_expenses_level: int = 2
    money_level: int = 2
    vote_rules_level: int = 1


@dataclass(frozen=True)
class StewardPolicy:
    """The steward phase: who bootstraps a new community, and what ends it (the first of
    the conditions to hold). The end is final: the role never comes back."""

    # With nobody named at `commonshare init --steward`, the first members to join.
    first_members: int = 3
    # The phase ends when this many members have earned trust level 2 ...
    ends_at_level2_members: int = 3
    # ... or when the first decision is adopted (if true) ...
    ends_at_first_decision: bool = True
    # ... or this many days after the community began, whichever comes first.
    ends_after_days: int = 90


MAX_STEWARDS = 50
MAX_STEWARD_DAYS = 3650


@dataclass(frozen=True)
class DecisionPolicy:
    """How decisions are made: who may propose, how long votes run, the defaults a
    proposal starts from. Voting on rules needs the ``vote_rules`` power and on money the
    ``money`` power (the trust levels those need are the trust section's)."""

    # The trust level a member needs to make a proposal (money proposals also need the
    # money power).
    propose_level: int = 1
    # The trust level a voter needs unless the proposal asks more.
    default_eligibility: int = 1
    # The share of eligible members who must cast a ballot, unless the proposal says.
    default_quorum: Decimal = Decimal("0.25")
    # How long a vote may run, in days.
    min_voting_days: int = 2
    max_voting_days: int = 30
    # Lazy consensus: the days of the majority vote an objection opens.
    lazy_consensus_days: int = 3
    # Days after the close when a decision's outcome is due for review.
    review_after_days: int = 180


@dataclass(frozen=True)
class DiscussionPolicy:
    """Posting in threads and the commons forum: how much, and whose links are vouched for."""

    # Comments a member at trust level 0 may post in 24 hours.
    level0_per_day: int = 10
    # Comments anyone may post in an hour (the rate limit).
    per_hour: int = 30
    # Links in comments by members below this trust level carry rel="nofollow ugc".
    ugc_below_level: int = 1


@dataclass(frozen=True)
class Policy:
    valuation: ValuationPolicy = field(default_factory=ValuationPolicy)
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    reserve: ReservePolicy = field(default_factory=ReservePolicy)
    expenses: ExpensePolicy = field(default_factory=ExpensePolicy)
    resources: ResourcePolicy = field(default_factory=ResourcePolicy)
    period: PeriodPolicy = field(default_factory=PeriodPolicy)
    trust: TrustPolicy = field(default_factory=TrustPolicy)
    steward: StewardPolicy = field(default_factory=StewardPolicy)
    decisions: DecisionPolicy = field(default_factory=DecisionPolicy)
    discussion: DiscussionPolicy = field(default_factory=DiscussionPolicy)

    def effort_of(self, kind: str, quantity: Decimal) -> Decimal:
        """Effort in hour-equivalents of ``quantity`` units of a valued ``kind``."""
        return quantity * self.valuation.effort_per_unit[kind]

    def resource_price(self, unit_name: str) -> Decimal:
        """Price of one metered unit of a lent resource, in ``resources.currency``."""
        return self.resources.prices.get(unit_name, self.resources.default_price)


_SECTION_TYPES: dict[str, type[Any]] = {
    "valuation": ValuationPolicy,
    "review": ReviewPolicy,
    "reserve": ReservePolicy,
    "expenses": ExpensePolicy,
    "resources": ResourcePolicy,
    "period": PeriodPolicy,
    "trust": TrustPolicy,
    "steward": StewardPolicy,
    "decisions": DecisionPolicy,
    "discussion": DiscussionPolicy,
}
TRUST_WORDS = {
    "level1_days": "the days a member waits for trust level 1",
    "level1_reviewed_contributions": "the reviewed contributions trust level 1 asks",
    "level2_days": "the days a member waits for trust level 2",
    "level2_reviewed_contributions": "the reviewed contributions trust level 2 asks",
    "level2_reviews_given": "the reviews given trust level 2 asks",
    "level3_days": "the days a member waits for trust level 3",
    "level3_reviewed_contributions": "the reviewed contributions trust level 3 asks",
    "level3_reviews_given": "the reviews given trust level 3 asks",
    "level1_email_verified": "whether trust level 1 asks a verified e-mail address",
    "level2_reviewed_hours": "the reviewed hours trust level 2 asks",
    "level2_average_rating": "the average rating trust level 2 asks",
    "level3_reviewed_hours": "the reviewed hours trust level 3 asks",
    "level3_periods_active": "the periods of activity trust level 3 asks",
    "level3_review_agreement": "the share of agreeing reviews trust level 3 asks",
    "level4_periods_at_level3": "the periods at level 3 that trust level 4 asks",
    "level4_reputation_band": "the top reputation band trust level 4 asks",
    "inactive_periods": "the periods without activity that cost a trust level",
    "review_level": "the trust level a reviewer needs",
    "approve_expenses_level": "the trust level an expense approver needs",
    "money_level": "the trust level moving money needs",
    "vote_rules_level": "the trust level voting on rules needs",
}
TRUST_DECIMALS = {
    "level2_average_rating": Decimal(MAX_RATING),
    "level3_review_agreement": Decimal(1),
    "level4_reputation_band": Decimal(1),
}
TRUST_LEVEL_RULES = ("review_level", "approve_expenses_level", "money_level", "vote_rules_level")
TRUST_TOP_LEVEL = 4
# Each measure asked by several levels, by the levels that ask it: a higher one asks no less.
TRUST_LADDERS = {
    "days": ("level1_days", "level2_days", "level3_days"),
    "reviewed_contributions": (
        "level1_reviewed_contributions",
        "level2_reviewed_contributions",
        "level3_reviewed_contributions",
    ),
    "reviews_given": ("level2_reviews_given", "level3_reviews_given"),
    "reviewed_hours": ("level2_reviewed_hours", "level3_reviewed_hours"),
}


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong with a policy: its field path (``reserve.share``) and a sentence."""

    field: str
    message: str


class PolicyError(ValueError):
    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


DEFAULT_POLICY = Policy()


# --- the dict form ------------------------------------------------------------------


def _text(value: Decimal) -> str:
    """One text per decimal value: ``0.10`` and ``0.1`` are both ``"0.1"``."""
    return format((value + 0).normalize(), "f")


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The JSON form: nested by section, decimals as normalised text."""
    valuation, resources = policy.valuation, policy.resources
    return {
        "valuation": {
            "method": valuation.method,
            "parameters": dict(valuation.parameters),
            "effort_per_unit": {k: _text(v) for k, v in valuation.effort_per_unit.items()},
        },
        "review": {
            "reviewers_per_contribution": policy.review.reviewers_per_contribution,
            "redraw_reviewers_on_edit": policy.review.redraw_reviewers_on_edit,
        },
        "reserve": {"share": _text(policy.reserve.share)},
        "expenses": _expenses_dict(policy.expenses),
        "resources": {
            "prices": {k: _text(v) for k, v in resources.prices.items()},
            "default_price": _text(resources.default_price),
            "currency": resources.currency,
        },
        "period": {
            "months": policy.period.months,
            "challenge_hours": policy.period.challenge_hours,
        },
        "trust": {
            f.name: _text(value) if isinstance(value, Decimal) else value
            for f in fields(TrustPolicy)
            for value in [getattr(policy.trust, f.name)]
        },
        "steward": {f.name: getattr(policy.steward, f.name) for f in fields(StewardPolicy)},
        "decisions": _decisions_dict(policy.decisions),
        **_discussion_dict(policy.discussion),
    }


def _expenses_dict(expenses: ExpensePolicy) -> dict[str, Any]:
    # ``decision_above`` is written only when set, so versions written before it existed
    # keep their text and checksum.
    found: dict[str, Any] = {"approvals": expenses.approvals}
    if expenses.decision_above:
        found["decision_above"] = {k: _text(v) for k, v in expenses.decision_above.items()}
    return found


def canonical_json(data: Any) -> str:
    """The chain's canonical form: ASCII JSON text, keys sorted, no spaces."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def policy_sha256(policy: Policy) -> str:
    """The lower-case hex sha256 of the policy's canonical JSON."""
    return hashlib.sha256(canonical_json(policy_to_dict(policy)).encode("ascii")).hexdigest()


def policy_from_dict(data: Any) -> Policy:
    """The policy ``data`` describes (missing rules take their defaults)."""
    problems = check_policy(data)
    if problems:
        raise PolicyError(problems)
    return _build(data)


def _build(data: Mapping[str, Any]) -> Policy:
    defaults = policy_to_dict(DEFAULT_POLICY)
    merged = {name: {**defaults[name], **data.get(name, {})} for name in defaults}
    valuation, resources = merged["valuation"], merged["resources"]
    decisions = merged["decisions"]
    expenses = merged["expenses"]
    return Policy(
        valuation=ValuationPolicy(
            method=valuation["method"],
            parameters=dict(valuation["parameters"]),
            effort_per_unit={k: Decimal(v) for k, v in valuation["effort_per_unit"].items()},
        ),
        review=ReviewPolicy(**merged["review"]),
        reserve=ReservePolicy(share=Decimal(merged["reserve"]["share"])),
        expenses=ExpensePolicy(
            approvals=expenses["approvals"],
            decision_above={k: Decimal(v) for k, v in expenses.get("decision_above", {}).items()},
        ),
        resources=ResourcePolicy(
            prices={k: Decimal(v) for k, v in resources["prices"].items()},
            default_price=Decimal(resources["default_price"]),
            currency=check_currency(resources["currency"]),
        ),
        period=PeriodPolicy(**merged["period"]),
        trust=_trust_policy(merged["trust"]),
        steward=StewardPolicy(**merged["steward"]),
        decisions=DecisionPolicy(
            **{**decisions, "default_quorum": Decimal(decisions["default_quorum"])}
        ),
        discussion=DiscussionPolicy(**data.get("discussion", {})),
    )


def _trust_policy(section: Mapping[str, Any]) -> TrustPolicy:
    rules: dict[str, Any] = {
        k: Decimal(v) if k in TRUST_DECIMALS else v for k, v in section.items()
    }
    return TrustPolicy(**rules)


# --- the checks ---------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.problems: list[PolicyProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(PolicyProblem(path, message))

    def whole(self, path: str, value: Any, words: str, low: int, high: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(path, f"{words} must be a whole number from {low} to {high}")

    def decimal(
        self,
        path: str,
        value: Any,
        words: str,
        high: Decimal,
        *,
        example: str = "0.10",
        out_of_range: str = "",
    ) -> Decimal | None:
        if isinstance(value, float):
            self.add(path, f'{words} must be written as text, like "{example}", not as a float')
            return None
        number: Decimal | None = None
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or not 0 <= number <= high:
            self.add(path, out_of_range or f"{words} must be a number from 0 to {_text(high)}")
            return None
        return number


def _mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


def check_policy(data: Any) -> list[PolicyProblem]:
    """Every problem of a policy's dict form at once; an empty list means it is sound."""
    check = _Checker()
    if not _mapping(data):
        check.add("", "a policy must be a JSON object with its sections")
        return check.problems
    for name, section in data.items():
        if name not in _SECTION_TYPES:
            check.add(name, f"there is no policy section called {name!r}")
        elif not _mapping(section):
            check.add(name, f"the {name} section must be a JSON object")
        else:
            known = {f.name for f in fields(_SECTION_TYPES[name])}
            for key in section:
                if key not in known:
                    check.add(f"{name}.{key}", f"the {name} section has no rule called {key!r}")
            _CHECKS[name](check, {k: v for k, v in section.items() if k in known})
    return check.problems


def _check_valuation(check: _Checker, section: Mapping[str, Any]) -> None:
    if "method" in section and section["method"] not in METHODS:
        check.add("valuation.method", f"the valuation method must be {one_of(METHODS)}")
    if "parameters" in section:
        _check_parameters(check, section["parameters"])
    if "effort_per_unit" in section:
        effort = section["effort_per_unit"]
        if not _mapping(effort) or set(effort) != set(VALUED_KINDS):
            check.add(
                "valuation.effort_per_unit",
                "the effort per unit must give the hours of one unit of work and of one "
                "deliverable, and nothing else",
            )
        else:
            for kind in VALUED_KINDS:
                words = f"the hours one unit of {kind} counts as"
                check.decimal(
                    f"valuation.effort_per_unit.{kind}",
                    effort[kind],
                    words,
                    MAX_EFFORT_PER_UNIT,
                    example="1",
                )


def _check_parameters(check: _Checker, parameters: Any) -> None:
    if not _mapping(parameters):
        check.add("valuation.parameters", "the valuation parameters must be a JSON object")
        return
    try:
        json.dumps(parameters, allow_nan=False)
    except (TypeError, ValueError):
        check.add(
            "valuation.parameters",
            "the valuation parameters must be plain JSON numbers and words",
        )
        return
    try:
        resolve_policy(parameters)
    except ValuationError as error:
        for problem in error.problems:
            key, _, message = problem.removeprefix("policy.").partition(": ")
            message = "is not a parameter of the engine" if message == "unknown key" else message
            check.add(f"valuation.parameters.{key}", f"the valuation parameter {key} {message}")


def _check_review(check: _Checker, section: Mapping[str, Any]) -> None:
    if "reviewers_per_contribution" in section:
        check.whole(
            "review.reviewers_per_contribution",
            section["reviewers_per_contribution"],
            "the number of reviewers per contribution",
            1,
            MAX_REVIEWERS,
        )
    if "redraw_reviewers_on_edit" in section and not isinstance(
        section["redraw_reviewers_on_edit"], bool
    ):
        check.add(
            "review.redraw_reviewers_on_edit",
            "whether reviewers are drawn anew after an edit must be true or false",
        )


def _check_reserve(check: _Checker, section: Mapping[str, Any]) -> None:
    if "share" in section:
        check.decimal(
            "reserve.share",
            section["share"],
            "the reserve share",
            Decimal(1),
            out_of_range="the reserve share must be between 0 and 1",
        )


def _check_expenses(check: _Checker, section: Mapping[str, Any]) -> None:
    if "approvals" in section:
        check.whole(
            "expenses.approvals",
            section["approvals"],
            "the number of approvals an expense claim needs",
            1,
            MAX_APPROVALS,
        )
    if "decision_above" in section:
        limits = section["decision_above"]
        if not _mapping(limits):
            check.add(
                "expenses.decision_above",
                "the amounts above which an expense needs a decision must be a JSON object "
                'of currency codes and amounts, like {"EUR": "500"}',
            )
            return
        for code, amount in limits.items():
            try:
                known = check_currency(code) == code
            except MoneyError:
                known = False
            if not known:
                check.add(
                    f"expenses.decision_above.{code}",
                    f"{code!r} is not a currency code (three capital letters, like EUR)",
                )
            check.decimal(
                f"expenses.decision_above.{code}",
                amount,
                f"the amount above which an expense in {code} needs a decision",
                MAX_DECISION_ABOVE,
                example="500",
            )


def _check_resources(check: _Checker, section: Mapping[str, Any]) -> None:
    if "prices" in section:
        prices = section["prices"]
        if not _mapping(prices):
            check.add("resources.prices", "the resource prices must be a JSON object")
        else:
            for unit, price in prices.items():
                if not unit.strip() or len(unit) > MAX_UNIT_NAME or unit != unit.strip():
                    check.add(
                        f"resources.prices.{unit}",
                        f"a resource's unit must be named in 1 to {MAX_UNIT_NAME} characters, "
                        "without spaces around it",
                    )
                check.decimal(
                    f"resources.prices.{unit}",
                    price,
                    f"the price of one {unit.strip() or 'unit'}",
                    MAX_PRICE,
                    example="0.05",
                )
    if "default_price" in section:
        check.decimal(
            "resources.default_price",
            section["default_price"],
            "the price of a unit with no price of its own",
            MAX_PRICE,
            example="0.02",
        )
    if "currency" in section:
        try:
            check_currency(section["currency"])
        except MoneyError:
            check.add(
                "resources.currency",
                "the currency of resource prices must be a three-letter code of money, such as EUR",
            )


MAX_CHALLENGE_HOURS = 24 * 31
# At least a day, so every member has a real chance to read a distribution before it posts.
MIN_CHALLENGE_HOURS = 24
"""A challenge window of at most a month: longer would hold a period's pay back for good."""


def _check_period(check: _Checker, section: Mapping[str, Any]) -> None:
    months = section.get("months", 1)
    if isinstance(months, bool) or months not in PERIOD_MONTHS:
        check.add(
            "period.months",
            f"the period must be {one_of(str(m) for m in PERIOD_MONTHS)} months long, "
            "so that periods line up with the year",
        )
    if "challenge_hours" in section:
        check.whole(
            "period.challenge_hours",
            section["challenge_hours"],
            "the hours a proposed distribution stays open for challenge",
            MIN_CHALLENGE_HOURS,
            MAX_CHALLENGE_HOURS,
        )


def _check_trust(check: _Checker, section: Mapping[str, Any]) -> None:
    for key, value in section.items():
        path, words = f"trust.{key}", TRUST_WORDS[key]
        if key == "level1_email_verified":
            if not isinstance(value, bool):
                check.add(path, f"{words} must be true or false")
        elif key in TRUST_DECIMALS:
            check.decimal(path, value, words, TRUST_DECIMALS[key], example="0.7")
        elif key in TRUST_LEVEL_RULES:
            check.whole(path, value, words, 0, TRUST_TOP_LEVEL)
        else:
            check.whole(path, value, words, 0, MAX_THRESHOLD)
    if any(p.field.startswith("trust.") for p in check.problems):
        return
    merged = {**policy_to_dict(DEFAULT_POLICY)["trust"], **section}
    for ladder in TRUST_LADDERS.values():
        for lower, upper in itertools.pairwise(ladder):
            if merged[upper] < merged[lower]:
                level = lower.removeprefix("level")[0]
                check.add(
                    f"trust.{upper}",
                    f"{TRUST_WORDS[upper]} cannot be fewer than level {level} asks",
                )


def _check_steward(check: _Checker, section: Mapping[str, Any]) -> None:
    wholes = {
        "first_members": ("the number of first members who are stewards", MAX_STEWARDS),
        "ends_at_level2_members": (
            "the number of members at trust level 2 that ends the steward phase",
            MAX_THRESHOLD,
        ),
        "ends_after_days": ("the days after which the steward phase ends", MAX_STEWARD_DAYS),
    }
    for key, (words, high) in wholes.items():
        if key in section:
            check.whole(f"steward.{key}", section[key], words, 1, high)
    if "ends_at_first_decision" in section and not isinstance(
        section["ends_at_first_decision"], bool
    ):
        check.add(
            "steward.ends_at_first_decision",
            "whether the first adopted decision ends the steward phase must be true or false",
        )


DECISION_WORDS = {
    "propose_level": "the trust level a member needs to make a proposal",
    "default_eligibility": "the trust level a voter needs by default",
    "min_voting_days": "the fewest days a vote may run",
    "max_voting_days": "the most days a vote may run",
    "lazy_consensus_days": "the days of the vote an objection to a lazy consensus opens",
    "review_after_days": "the days after the close when a decision is due for review",
}
MAX_TRUST_LEVEL = 4
MAX_VOTING_DAYS = 366


def _decisions_dict(decisions: DecisionPolicy) -> dict[str, Any]:
    data = {f.name: getattr(decisions, f.name) for f in fields(DecisionPolicy)}
    data["default_quorum"] = _text(decisions.default_quorum)
    return data


def _check_decisions(check: _Checker, section: Mapping[str, Any]) -> None:
    for key in ("propose_level", "default_eligibility"):
        if key in section:
            check.whole(f"decisions.{key}", section[key], DECISION_WORDS[key], 0, MAX_TRUST_LEVEL)
    for key in ("min_voting_days", "max_voting_days", "lazy_consensus_days"):
        if key in section:
            check.whole(f"decisions.{key}", section[key], DECISION_WORDS[key], 1, MAX_VOTING_DAYS)
    if "review_after_days" in section:
        words = DECISION_WORDS["review_after_days"]
        check.whole("decisions.review_after_days", section["review_after_days"], words, 1, 3660)
    if "default_quorum" in section:
        check.decimal(
            "decisions.default_quorum",
            section["default_quorum"],
            "the default quorum",
            Decimal(1),
            example="0.25",
            out_of_range="the default quorum must be a share between 0 and 1",
        )
    if any(p.field.startswith("decisions.") for p in check.problems):
        return
    merged = {**_decisions_dict(DEFAULT_DECISIONS), **section}
    if merged["max_voting_days"] < merged["min_voting_days"]:
        check.add(
            "decisions.max_voting_days",
            "the most days a vote may run cannot be fewer than the fewest",
        )


DEFAULT_DECISIONS = DecisionPolicy()

DISCUSSION_WORDS = {
    "level0_per_day": ("the comments a member at trust level 0 may post in a day", 0, 1000),
    "per_hour": ("the comments anyone may post in an hour", 1, 1000),
    "ugc_below_level": (
        "the trust level from which a member's links in comments are no longer marked",
        0,
        MAX_TRUST_LEVEL,
    ),
}


def _discussion_dict(discussion: DiscussionPolicy) -> dict[str, Any]:
    """The discussion section, written only when it differs from the defaults, so versions
    written before the section existed keep their text and checksum."""
    if discussion == DiscussionPolicy():
        return {}
    return {"discussion": {f.name: getattr(discussion, f.name) for f in fields(DiscussionPolicy)}}


def _check_discussion(check: _Checker, section: Mapping[str, Any]) -> None:
    for key, (words, low, high) in DISCUSSION_WORDS.items():
        if key in section:
            check.whole(f"discussion.{key}", section[key], words, low, high)


_CHECKS: dict[str, Callable[[_Checker, Mapping[str, Any]], None]] = {
    "valuation": _check_valuation,
    "review": _check_review,
    "reserve": _check_reserve,
    "expenses": _check_expenses,
    "resources": _check_resources,
    "period": _check_period,
    "trust": _check_trust,
    "steward": _check_steward,
    "decisions": _check_decisions,
    "discussion": _check_discussion,
}


# --- periods and differences --------------------------------------------------------


def period_start(day: dt.date, period: PeriodPolicy) -> dt.date:
    """The first day of the period that contains ``day``."""
    month = (day.month - 1) // period.months * period.months + 1
    return dt.date(day.year, month, 1)


def next_period_start(day: dt.date, period: PeriodPolicy) -> dt.date:
    """The first day of the period after the one containing ``day``.

    A version adopted on ``day`` takes effect then: never in the middle of a period,
    not even when ``day`` is itself the first day of one (that period has begun).
    """
    start = period_start(day, period)
    month = start.month - 1 + period.months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def version_start(day: dt.date, old: PeriodPolicy, new: PeriodPolicy) -> dt.date:
    """The day a version adopted on ``day`` takes effect, when it changes ``old`` to ``new``.

    It is the first day after ``day`` that begins a period under both lengths, so the
    last period of the old rules ends whole and the first of the new ones starts whole:
    monthly to quarterly adopted in May starts in July, not June. Lengths divide 12 and
    line up with 1 January, so that day is the next start under their least common
    multiple of months.
    """
    return next_period_start(day, PeriodPolicy(months=math.lcm(old.months, new.months)))


@dataclass(frozen=True)
class Change:
    """One rule that differs between two policies: its field path and both values."""

    path: str
    before: Any
    after: Any


def _leaves(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            found.update(_leaves(value, f"{path}."))
        else:
            found[path] = value
    return found


def policy_diff(before: Policy, after: Policy) -> list[Change]:
    """Every rule that differs, in field path order (``None`` where a rule is absent)."""
    old = _leaves(policy_to_dict(before))
    new = _leaves(policy_to_dict(after))
    return [
        Change(path, old.get(path), new.get(path))
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    ]
