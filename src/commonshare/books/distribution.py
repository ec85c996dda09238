"""Distributions: the frozen valuation request, resource payments, and the posting of a period.

A distribution splits what the bank holds beyond what is owed to members
(see ``books.services``) among a period's reviewed contributions:

- resources:    Dr expenses:resources, Cr liabilities:payable:<member>
- distribution: Dr expenses:payouts, Cr liabilities:payable:<member> for each payout

Both entries commit to the distribution as stored (policy, request, result, payouts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.books import journal, records
from commonshare.books.models import Distribution, Payout
from commonshare.books.policy import effort_of, resource_price
from commonshare.books.selectors.owed import distributable_minor
from commonshare.books.services import (
    _amount_minor,
    _code,
    _post,
    _require_books_that_verify,
)
from commonshare.books.vocab import REASON_MAX, VALUED_KINDS
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.core.ledger import PAYOUTS, EntryDraft, Posting, expense_account, payable_account
from commonshare.core.money import from_minor, to_minor
from commonshare.core.policy import Policy, next_period_start, period_start
from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
    allocate,
)
from commonshare.core.valuation.rounding import floor_of
from commonshare.core.words import long_date, long_datetime, period_words
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.governance.models import PolicyVersion
from commonshare.governance.selectors import (
    current_policy,
    current_version,
    next_version_after,
    policy_of,
)
from commonshare.work import earned, trust
from commonshare.work.models import Contribution, Review

RESOURCES = expense_account("resources")
# The largest amount a distribution accepts, in whole units of its currency (docs/books.md).
MAX_DISTRIBUTION = Decimal(1_000_000_000)

ReviewRow = TypeVar("ReviewRow", bound=Mapping[str, Any])


def settled_contributions(currency: str) -> tuple[set[int], set[int]]:
    """Contributions already valued in ``currency``, and resources already paid (any currency)."""
    valued: set[int] = set()
    paid: set[int] = set()
    posted = records.posted_distributions()
    for code, request, result in posted.values_list("currency", "request", "result"):
        if code == currency:
            valued.update(records.valued_in(request))
        paid.update(int(p["contribution"]) for p in result.get("resource_payments", []))
    return valued, paid


def valuation_request(
    *,
    period_end: dt.date,
    currency: str,
    minor: int,
    seed: str,
    policy: Policy,
) -> AllocationRequest:
    """The frozen input of a distribution: reviewed work not valued before in this currency.

    A contribution is valued in the first distribution whose period ends on or
    after the day it was logged, once it has a review; work reviewed late is
    therefore paid by the next distribution, never lost. Under ``impartial`` the
    period's unreviewed work is in the request too (worth 0): otherwise a member
    who is a contribution's only reviewer would decide, by reviewing or not,
    whether it is in the split, and so move their own pay.
    """
    valued, _ = settled_contributions(currency)
    period = Contribution.objects.filter(created_at__date__lte=period_end, kind__in=VALUED_KINDS)
    candidates = list(
        period.exclude(pk__in=valued)
        .order_by("pk")
        .values("pk", "author_id", "kind", "hours", "units")
    )
    reviews = list(
        Review.objects.filter(contribution_id__in=period.exclude(pk__in=valued).values("pk"))
        .order_by("pk")
        .values("reviewer_id", "contribution_id", "rating", "effort_estimate")
    )
    newcomers = _newcomers(candidates, on=period_end)
    reviews = _counted_reviews(candidates, reviews, on=period_end, newcomers=newcomers)
    reviewed = {r["contribution_id"] for r in reviews}
    contributions = [
        c
        for c in candidates
        if c["pk"] in reviewed
        # Under impartial, unreviewed work is in the request (worth 0); a newcomer's waits
        # for a review that counts instead, so that it is not settled at nothing.
        or (policy.valuation.method == "impartial" and c["author_id"] not in newcomers)
    ]
    kind_of = {c["pk"]: c["kind"] for c in contributions}
    members = sorted({c["author_id"] for c in contributions} | {r["reviewer_id"] for r in reviews})
    reputation = earlier_reputation()
    return AllocationRequest(
        currency=currency,
        amount=from_minor(minor, currency),
        method=policy.valuation.method,
        seed=seed,
        members=tuple(
            MemberInput(id=str(pk), reputation=reputation.get(str(pk))) for pk in members
        ),
        contributions=tuple(
            ContributionInput(
                id=str(c["pk"]),
                member=str(c["author_id"]),
                kind=c["kind"],
                effort=effort_of(c["kind"], _quantity(c), policy),
            )
            for c in contributions
        ),
        reviews=tuple(
            ReviewInput(
                reviewer=str(r["reviewer_id"]),
                contribution=str(r["contribution_id"]),
                rating=r["rating"],
                effort=None
                if r["effort_estimate"] is None
                else effort_of(kind_of[r["contribution_id"]], r["effort_estimate"], policy),
            )
            for r in reviews
        ),
        policy=dict(policy.valuation.parameters),
    )


def _newcomers(contributions: Sequence[Mapping[str, Any]], *, on: dt.date) -> set[int]:
    authors = {c["author_id"] for c in contributions}
    return {pk for pk, level in trust.levels_of(authors, on=on).items() if level == 0}


def _counted_reviews(
    contributions: Sequence[Mapping[str, Any]],
    reviews: list[ReviewRow],
    *,
    on: dt.date,
    newcomers: set[int] | None = None,
) -> list[ReviewRow]:
    """The reviews that count: of a level-0 member's work, only those by reviewers at level
    1 or higher on ``on`` (so fresh accounts cannot make each other's work count).
    ``newcomers`` (the authors at level 0) is computed when not given.

    The one place the rule lives: the valuation request is built from these only.
    """
    if newcomers is None:
        newcomers = _newcomers(contributions, on=on)
    if not newcomers:
        return reviews
    author_of = {c["pk"]: c["author_id"] for c in contributions}
    levels = trust.levels_of({r["reviewer_id"] for r in reviews}, on=on)
    return [
        r
        for r in reviews
        if author_of.get(r["contribution_id"]) not in newcomers or levels[r["reviewer_id"]] >= 1
    ]


def earlier_reputation() -> dict[str, Decimal]:
    """Reputations the last distribution's valuation handed on (empty before the first).

    Carrying them forward is what lets trust be earned over periods: long-standing
    members anchor the next valuation, and new accounts start with none.
    """
    posted = records.posted_distributions()
    last = posted.order_by("-created_at", "-id").values_list("result", flat=True)
    result = last.first() or {}
    return {member: Decimal(str(value)) for member, value in result.get("reputation", {}).items()}


def _quantity(contribution: Mapping[str, Any]) -> Decimal:
    """Hours for work, units for deliverables (never empty: the work services check)."""
    is_work = contribution["kind"] == Contribution.Kind.WORK
    quantity = contribution["hours"] if is_work else contribution["units"]
    return Decimal(quantity)


def resource_payments(
    *, period_end: dt.date, currency: str, policy: Policy
) -> list[dict[str, Any]]:
    """Resources lent up to the period's end, accepted by review (mean rating >= 1), unpaid.

    As for work, a level-0 member's resource is accepted only by reviews that count.

    Prices are in the policy's ``resource_currency``, so resources are paid
    by distributions in that currency only, and each contribution only once.
    """
    if currency != policy.resources.currency:
        return []
    _, paid = settled_contributions(currency)
    lent = list(
        Contribution.objects.filter(
            created_at__date__lte=period_end, kind=Contribution.Kind.RESOURCE
        )
        .exclude(pk__in=paid)
        .prefetch_related("reviews")
        .order_by("pk")
    )
    rows = [{"pk": c.pk, "author_id": c.author_id} for c in lent]
    reviews = [
        {"contribution_id": c.pk, "reviewer_id": r.reviewer_id, "rating": r.rating}
        for c in lent
        for r in c.reviews.all()
    ]
    counted: dict[int, list[int]] = {}
    for review in _counted_reviews(rows, reviews, on=period_end):
        counted.setdefault(review["contribution_id"], []).append(review["rating"])
    payments = []
    for contribution in lent:
        ratings = counted.get(contribution.pk, [])
        if not ratings or sum(ratings) < len(ratings):
            continue
        price = resource_price(contribution.unit_name, policy)
        units = Decimal(contribution.units or 0)
        exact = units * price
        minor = _floor_minor(exact, currency)
        if minor <= 0:
            continue
        payments.append(
            {
                "contribution": contribution.pk,
                "member": contribution.author_id,
                "units": str(units),
                "unit_name": contribution.unit_name,
                "price": str(price),
                "amount": str(from_minor(minor, currency)),
                "minor": minor,
            }
        )
    return payments


def _refuse_two_versions(start: dt.date, end: dt.date) -> None:
    """A period follows one version of the rules: it may not cross a later one's start."""
    later = next_version_after(start)
    if later is None or later.valid_from > end:
        return
    begins = later.valid_from
    raise InvalidInput(
        f"Version {later.number} of the rules takes effect on {long_date(begins)}, inside "
        f"this period, so it cannot be distributed under one set of rules.",
        field="period",
    )


def _floor_minor(amount: Decimal, currency: str) -> int:
    """Whole minor units in ``amount``, rounded down (the commons never overpays)."""
    return floor_of(amount, to_minor(Decimal(1), currency))


def _closed_period(period: Any) -> tuple[dt.date, dt.date]:
    """The first and last day of the period ``period`` names, which must have ended.

    A period is named by its first day (``2026-11-01``) or, for the month it starts in,
    ``2026-11``; its length is the policy's (``period.months``) in force on that day.
    """
    start = _period_day(period)
    length = current_policy(at=start).period
    first = period_start(start, length)
    if first != start:
        raise InvalidInput(
            f"Periods are {_months(length.months)} long: the one containing "
            f"{long_date(start)} starts on {long_date(first)}. Name the period by its first "
            "day, or by its first month (YYYY-MM).",
            field="period",
        )
    end = next_period_start(start, length) - dt.timedelta(days=1)
    today = timezone.localdate()
    if end >= today:
        raise InvalidInput(
            f"The period {period_words(start, end)} has not ended yet: it can be distributed "
            f"from {long_date(end + dt.timedelta(days=1))}.",
            field="period",
        )
    return start, end


def _months(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def _period_day(period: Any) -> dt.date:
    if isinstance(period, dt.datetime):
        raise InvalidInput("The period must be a month or a day, not a time.", field="period")
    if isinstance(period, dt.date):
        return period
    text = str(period or "").strip()
    if not text:
        raise InvalidInput("Say which period to distribute (such as 2026-11).", field="period")
    try:
        if len(text) == len("2026-11"):
            return dt.date.fromisoformat(f"{text}-01")
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "The period must be a month as YYYY-MM (such as 2026-11), or its first day as "
            "YYYY-MM-DD.",
            field="period",
        ) from None


def _propose_distribution(
    actor: Member, *, period: Any, currency: str, amount: Any = None
) -> Distribution:
    """Freeze the distribution of a closed ``period``: valuation, payouts, explanations.

    Nothing is posted: it stays open for challenge for the policy's ``challenge_hours``
    and is posted by ``_post_proposed_distribution`` after that. A proposal not yet posted
    for the same period and currency is superseded by this one (it stays, marked so, with
    its own frozen preview). Without ``amount``, everything distributable in ``currency``
    that no other open proposal has frozen is split. Writes rows, records no event: the
    calling action's event names it.
    """
    ensure_may_act(actor, doing="propose distributions")
    trust.ensure_power(actor, trust.Power.MONEY, doing="propose a distribution")
    start, end = _closed_period(period)
    code = _code(currency)
    version = current_version(at=start)  # the rules in force when the period began
    _refuse_two_versions(start, end)
    policy = policy_of(version)
    with transaction.atomic():
        journal.lock()
        replaced = _live_for_period(code, start, end)
        _refuse_overlap(code, start, end)
        _require_books_that_verify()
        resources = resource_payments(period_end=end, currency=code, policy=policy)
        resource_minor = sum(p["minor"] for p in resources)
        held = _held_by_proposals(code, but=None if replaced is None else replaced.pk)
        available = distributable_minor(code) - resource_minor - held
        if amount in (None, ""):
            minor = available
        else:
            minor = _amount_minor(amount, code, most=MAX_DISTRIBUTION)
            if minor > available:
                raise InvalidInput(
                    "The amount is more than can be distributed "
                    f"({from_minor(max(available, 0), code)} {code}, after what is owed and "
                    "what open proposals hold).",
                    field="amount",
                )
        if minor <= 0:
            raise InvalidInput(f"There is no {code} left to distribute.", field="amount")
        seed = _period_seed(code, start, end)
        request = valuation_request(
            period_end=end, currency=code, minor=minor, seed=seed, policy=policy
        )
        try:
            result = allocate(request)
        except ValuationError as error:
            raise InvalidInput("; ".join(error.problems)) from None
        result_json = result.to_json()
        result_json["resource_payments"] = [
            {k: v for k, v in p.items() if k != "minor"} for p in resources
        ]
        payout_lines = [line for line in result.payouts if line.amount > 0]
        if not payout_lines and not resources:
            raise Conflict(
                f"Nothing to pay for {period_words(start, end)}: no reviewed work or lent "
                "resources came out with an amount, so nothing was proposed.",
                field="period",
            )
        if replaced is not None:
            Distribution.objects.filter(pk=replaced.pk, status=Distribution.Status.PROPOSED).update(
                status=Distribution.Status.SUPERSEDED
            )
        try:
            with transaction.atomic():
                distribution = Distribution.objects.create(
                    period_start=start,
                    period_end=end,
                    currency=code,
                    amount_minor=minor,
                    remainder_minor=to_minor(result.remainder, code),
                    method=result.method,
                    seed=seed,
                    policy=_frozen_policy(version),
                    policy_version=version.number,
                    policy_sha256=version.sha256,
                    request=_request_json(request),
                    result=result_json,
                    created_by=actor,
                    status=Distribution.Status.PROPOSED,
                    challenge_ends_at=timezone.now()
                    + dt.timedelta(hours=policy.period.challenge_hours),
                )
        except IntegrityError:
            raise Conflict(
                f"{period_words(start, end)} was proposed by someone else at the same moment; "
                "read that proposal first.",
                field="period",
            ) from None
        Payout.objects.bulk_create(
            Payout(
                distribution=distribution,
                member_id=int(line.member),
                amount_minor=to_minor(line.amount, code),
                share=line.share,
                explanation=result.explanations.get(line.member, {}),
            )
            for line in payout_lines
        )
    distribution.replaced = replaced  # type: ignore[attr-defined]
    return distribution


def _period_seed(currency: str, start: dt.date, end: dt.date) -> str:
    """The published seed of a period's valuation: fixed by the period and the books as
    they stand (the journal's head), so proposing again draws the same one. A new seed needs
    a new entry in the books, which nobody posts alone: no proposer re-rolls their pay."""
    _, head_hash = journal.head()
    text = f"commonshare:distribution:{currency}:{start}:{end}:{head_hash}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _frozen_policy(version: PolicyVersion) -> dict[str, Any]:
    """The rules as the version holds them: its checksum is the distribution's."""
    frozen: dict[str, Any] = json.loads(version.content)
    return frozen


@dataclass(frozen=True)
class DecisionDoor:
    """How a proposed distribution is put to a lazy-consensus decision.

    The decisions app registers it (``decisions.apps``): it imports books, so books may not
    import it back. ``open(actor, distribution)`` makes the decision, with no event, and
    returns its number; ``withdraw(number, sentence)`` closes an open one as withdrawn.
    """

    open: Callable[[Member, Distribution], int]
    withdraw: Callable[[int, str], None]


_DOORS: list[DecisionDoor] = []


def use_decision_door(door: DecisionDoor) -> None:
    _DOORS[:] = [door]


def _door() -> DecisionDoor:
    if not _DOORS:
        raise RuntimeError("The decisions app is not installed: nothing carries a distribution.")
    return _DOORS[0]


@action
def propose_distribution(
    actor: Member, *, period: Any, currency: str, amount: Any = None
) -> Distribution:
    """Propose the distribution of a closed period: frozen now, and carried by a
    lazy-consensus decision that closes when the challenge window ends. It posts at that
    close unless an objection turns the decision into a vote that rejects it."""
    distribution = _propose_distribution(actor, period=period, currency=currency, amount=amount)
    replaced = getattr(distribution, "replaced", None)
    door = _door()
    number = door.open(actor, distribution)
    distribution.decision_number = number
    distribution.save(update_fields=["decision_number"])
    if replaced is not None:
        replaced.status = Distribution.Status.SUPERSEDED
        replaced.withdrawn_reason = (
            f"Replaced by distribution {distribution.pk}, a newer proposal for the same period "
            f"(decision {number})."
        )
        replaced.save(update_fields=["withdrawn_reason"])
        if replaced.decision_number is not None:
            door.withdraw(replaced.decision_number, replaced.withdrawn_reason)
    record(
        "books.distribution.proposed",
        distribution,
        actor=actor,
        amount_minor=distribution.amount_minor,
        currency=distribution.currency,
        period_start=str(distribution.period_start),
        decision=number,
        challenge_ends_at=distribution.challenge_ends_at.isoformat()
        if distribution.challenge_ends_at
        else None,
        **({"replaces": replaced.pk} if replaced is not None else {}),
    )
    return distribution


def _post_proposed_distribution(distribution_id: int) -> Distribution:
    """Post a proposal whose challenge window is over, exactly once (no event): the
    ``post_distribution`` action its decision carries runs it at the close.

    One transaction under the journal lock: a crash leaves it proposed and unposted, and
    posting it again then posts it whole. Refused while the window is open, once posted,
    when superseded or withdrawn, and when the books changed so that its frozen amount is
    no longer there to distribute or its work was paid by another distribution meanwhile.
    """
    with transaction.atomic():
        journal.lock()
        distribution = Distribution.objects.select_for_update().filter(pk=distribution_id).first()
        if distribution is None:
            raise NotFound(f"There is no distribution {distribution_id}.")
        name = period_words(distribution.period_start, distribution.period_end)
        _refuse_unless_postable(distribution, name)
        _require_books_that_verify()
        code = distribution.currency
        resources = _frozen_resources(distribution)
        _refuse_settled_since(distribution, name)
        if any(True for _ in records.valued_rows_problems(distribution.pk)):
            raise Conflict(
                f"Work that the distribution of {name} values was changed since it was "
                "proposed, so its frozen valuation no longer holds. Propose the period again.",
                field="period",
            )
        needed = distribution.amount_minor + sum(p["minor"] for p in resources)
        available = distributable_minor(code) - _held_by_proposals(code, but=distribution.pk)
        if needed > available:
            raise Conflict(
                f"The books changed since {name} was proposed: it would pay "
                f"{from_minor(needed, code)} {code}, but only "
                f"{from_minor(max(available, 0), code)} {code} can be distributed now. "
                "Propose the period again.",
                field="period",
            )
        distribution.status = Distribution.Status.POSTED
        distribution.posted_at = timezone.now()
        distribution.save(update_fields=["status", "posted_at"])
        payouts = list(distribution.payouts.all())
        _post_distribution(distribution, payouts, resources, distribution.created_by)
        # Reputation is carried only by what was posted: a proposal still open (or
        # superseded) hands nobody a reputation, so trust reads posted periods only.
        earned._record_reputation(
            distribution.pk, distribution.period_end, distribution.result.get("reputation", {})
        )
    return distribution


def _release_proposed_distribution(distribution_id: int, reason: str) -> Distribution | None:
    """Withdraw a proposal not posted, so that what it froze can be distributed again
    (no event): its decision did not pass, or its action could not run. ``None`` when it
    is no longer a proposal (posted, superseded or withdrawn already)."""
    distribution = (
        Distribution.objects.select_for_update()
        .filter(pk=distribution_id, status=Distribution.Status.PROPOSED)
        .first()
    )
    if distribution is None:
        return None
    distribution.status = Distribution.Status.WITHDRAWN
    distribution.withdrawn_reason = reason[:REASON_MAX]
    distribution.save(update_fields=["status", "withdrawn_reason"])
    return distribution


@action
def withdraw_distribution(actor: Member, distribution_id: int, *, reason: str) -> Distribution:
    """The proposer withdraws their proposal before its decision closes: its frozen
    preview stays, marked withdrawn, and its decision closes as withdrawn. Anyone else who
    disagrees objects in the decision instead."""
    ensure_may_act(actor, doing="withdraw distributions")
    trust.ensure_power(actor, trust.Power.MONEY, doing="withdraw a proposed distribution")
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("Say why the proposal is withdrawn.", field="reason")
    if len(why) > REASON_MAX:
        raise InvalidInput(f"The reason can be at most {REASON_MAX} characters.", field="reason")
    with transaction.atomic():
        journal.lock()
        distribution = Distribution.objects.select_for_update().filter(pk=distribution_id).first()
        if distribution is None:
            raise NotFound(f"There is no distribution {distribution_id}.")
        if distribution.status != Distribution.Status.PROPOSED:
            raise Conflict(
                f"Only a proposal open for challenge can be withdrawn; this one is "
                f"{distribution.get_status_display().lower()}.",
            )
        if distribution.created_by_id != actor.pk:
            raise Forbidden(
                "Only the member who proposed a distribution withdraws it. If you think it is "
                f"wrong, object in decision {distribution.decision_number}: an objection turns "
                "it into a vote."
                if distribution.decision_number
                else "Only the member who proposed a distribution withdraws it."
            )
        distribution.status = Distribution.Status.WITHDRAWN
        distribution.withdrawn_reason = f"Withdrawn by its proposer: {why}"
        distribution.save(update_fields=["status", "withdrawn_reason"])
        if distribution.decision_number is not None:
            _door().withdraw(distribution.decision_number, distribution.withdrawn_reason)
        record(
            "books.distribution.withdrawn",
            distribution,
            actor=actor,
            reason=why,
            decision=distribution.decision_number,
        )
    return distribution


def _refuse_unless_postable(distribution: Distribution, name: str) -> None:
    status = distribution.status
    if status == Distribution.Status.POSTED or records.has_entries(distribution.pk):
        raise Conflict(f"Already done: the distribution of {name} was posted.")
    if status == Distribution.Status.SUPERSEDED:
        raise Conflict(f"This proposal for {name} was replaced by a newer one; post that.")
    if status == Distribution.Status.WITHDRAWN:
        raise Conflict(f"This proposal for {name} was withdrawn.")
    ends = distribution.challenge_ends_at
    if ends is not None and timezone.now() < ends:
        raise Conflict(
            f"The distribution of {name} is open for challenge until "
            f"{long_datetime(timezone.localtime(ends))}; it can be posted after that."
        )


def _refuse_settled_since(distribution: Distribution, name: str) -> None:
    """Work or resources it pays that another distribution posted since has paid."""
    valued, paid = settled_contributions(distribution.currency)
    mine = records.valued_in(distribution.request)
    lent = {int(p["contribution"]) for p in distribution.result.get("resource_payments", [])}
    if mine & valued or lent & paid:
        raise Conflict(
            f"The books changed since {name} was proposed: another distribution has paid "
            "some of the work it values. Propose the period again.",
            field="period",
        )


def _frozen_resources(distribution: Distribution) -> list[dict[str, Any]]:
    code = distribution.currency
    return [
        {**p, "member": int(p["member"]), "minor": to_minor(Decimal(p["amount"]), code)}
        for p in distribution.result.get("resource_payments", [])
    ]


def _held_by_proposals(currency: str, *, but: int | None = None) -> int:
    """What open proposals in ``currency`` have frozen (payouts and resources)."""
    held = 0
    open_ones = Distribution.objects.filter(currency=currency, status=Distribution.Status.PROPOSED)
    if but is not None:
        open_ones = open_ones.exclude(pk=but)
    for distribution in open_ones:
        held += distribution.amount_minor + sum(p["minor"] for p in _frozen_resources(distribution))
    return held


def _live_for_period(currency: str, start: dt.date, end: dt.date) -> Distribution | None:
    """The proposal not yet posted for exactly this period, which a new one replaces."""
    return (
        Distribution.objects.filter(
            currency=currency,
            period_start=start,
            period_end=end,
            status=Distribution.Status.PROPOSED,
        )
        .select_for_update()
        .first()
    )


def _refuse_overlap(currency: str, start: dt.date, end: dt.date) -> None:
    existing = (
        Distribution.objects.filter(currency=currency, period_start__lte=end, period_end__gte=start)
        .exclude(status__in=[Distribution.Status.SUPERSEDED, Distribution.Status.WITHDRAWN])
        .exclude(status=Distribution.Status.PROPOSED, period_start=start, period_end=end)
        .first()
    )
    if existing is None:
        return
    if (existing.period_start, existing.period_end) == (start, end):
        raise Conflict(
            f"Already done: {period_words(start, end)} was distributed "
            f"(distribution {existing.pk}).",
            field="period",
        )
    raise Conflict(
        f"The period overlaps the distribution of {existing}; each period is distributed once.",
        field="period",
    )


def _post_distribution(
    distribution: Distribution,
    payouts: list[Payout],
    resources: list[dict[str, Any]],
    actor: Member,
) -> None:
    code = distribution.currency
    # both entries commit to the distribution as stored: policy, request, result, payouts
    commits = records.digest(records.distribution_content(distribution.pk))
    if resources:
        owed: dict[int, int] = {}
        for payment in resources:
            owed[payment["member"]] = owed.get(payment["member"], 0) + payment["minor"]
        _post(
            EntryDraft(
                date=distribution.period_end,
                description=f"Resources lent, {distribution}: paid by metered use",
                postings=(
                    Posting(RESOURCES, code, sum(owed.values())),
                    *(
                        Posting(payable_account(m), code, -minor)
                        for m, minor in sorted(owed.items())
                    ),
                ),
                source=f"distribution:{distribution.pk}",
                actor=str(actor.pk),
                service="books.post_distribution",
                commits=commits,
            )
        )
    paid = sum(p.amount_minor for p in payouts)
    if paid:
        _post(
            EntryDraft(
                date=distribution.period_end,
                description=f"Distribution {distribution}: {len(payouts)} payouts",
                postings=(
                    Posting(PAYOUTS, code, paid),
                    *(
                        Posting(payable_account(p.member_id), code, -p.amount_minor)
                        for p in sorted(payouts, key=lambda p: p.member_id)
                    ),
                ),
                source=f"distribution:{distribution.pk}",
                actor=str(actor.pk),
                service="books.post_distribution",
                commits=commits,
            )
        )


def _request_json(request: AllocationRequest) -> dict[str, Any]:
    return {
        "currency": request.currency,
        "amount": str(request.amount),
        "method": request.method,
        "seed": request.seed,
        "members": [
            {"id": m.id, **({"reputation": str(m.reputation)} if m.reputation is not None else {})}
            for m in request.members
        ],
        "contributions": [
            {"id": c.id, "member": c.member, "kind": c.kind, "effort": str(c.effort)}
            for c in request.contributions
        ],
        "reviews": [
            {
                "reviewer": r.reviewer,
                "contribution": r.contribution,
                "rating": r.rating,
                **({"effort": str(r.effort)} if r.effort is not None else {}),
            }
            for r in request.reviews
        ],
        "policy": request.policy,
    }
