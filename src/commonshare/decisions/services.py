"""Writing decisions: make a proposal, cast or change a ballot, close a decision.

Each is an action (one durable transaction, one audit event). ``close_decision`` tallies
with core's ``tally``, stores the tally with the ballots it counted, and, when the decision
passed, runs its carried action in the same transaction, once: the proposal row is locked,
a closed proposal is refused, and the database refuses any change to a closed one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.core.decisions import (
    Criterion,
    Method,
    Outcome,
    Terms,
    check_ballot,
    check_terms,
    tally,
    terms_to_dict,
)
from commonshare.core.policy import DecisionPolicy, canonical_json
from commonshare.core.words import one_of
from commonshare.decisions import effects, selectors, vocab
from commonshare.decisions.models import Ballot, Proposal, SecretBallot, VoterRoll
from commonshare.decisions.rules import digest, ensure_may_vote, power_for
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound, Problems
from commonshare.governance.selectors import current_policy
from commonshare.work import trust
from commonshare.work.steward_services import _end_steward_phase
from commonshare.work.vocab import StewardEndReason

log = logging.getLogger(__name__)
YES_OR_NO = frozenset(
    {Method.CONSENT, Method.MAJORITY, Method.SUPERMAJORITY, Method.LAZY_CONSENSUS}
)
"""The methods whose outcome is passed or not: the ones that can carry an action."""
MAX_LEVEL = 4
MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class Cast:
    """A ballot cast: the receipt is shown to the voter once and never stored."""

    proposal: Proposal
    receipt: str
    changed: bool


# --- propose ------------------------------------------------------------------------------


def _decimal(found: Problems, field: str, value: Any, words: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        found.add(field, f"{words} must be a number, such as 0.5.")
        return None
    if not number.is_finite():
        found.add(field, f"{words} must be a number, such as 0.5.")
        return None
    return number


def _criteria(found: Problems, given: Sequence[Any]) -> tuple[Criterion, ...]:
    criteria = []
    for index, item in enumerate(given or ()):
        if isinstance(item, Criterion):
            criteria.append(item)
            continue
        if not isinstance(item, Mapping):
            found.add(f"criteria.{index}", "Each criterion needs a name and a weight.")
            continue
        weight = _decimal(found, f"criteria.{index}.weight", item.get("weight", 1), "A weight")
        criteria.append(
            Criterion(
                name=str(item.get("name", "")).strip(),
                weight=Decimal(1) if weight is None else weight,
                description=str(item.get("description", "") or "").strip(),
            )
        )
    return tuple(criteria)


def _at(found: Problems, field: str, value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        found.add(field, "Give a date and time, such as 2026-12-24 18:00.")
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _ensure_may_propose(proposer: Member, kind: str, rules: DecisionPolicy) -> None:
    ensure_may_act(proposer, doing="make proposals")
    level = trust.level_of(proposer)
    if level < rules.propose_level:
        raise Forbidden(
            f"To make a proposal you need trust level {rules.propose_level}; "
            f"you are at level {level}."
        )
    if kind == vocab.ProposalKind.MONEY:
        trust.ensure_power(proposer, trust.Power.MONEY, doing="make a proposal about money")


def _words(found: Problems, title: str, body: str, kind: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title or len(title) > vocab.TITLE_MAX:
        found.add("title", f"Give the proposal a title of 1 to {vocab.TITLE_MAX} characters.")
    body = (body or "").strip()
    if "\x00" in title + body:
        found.add("body" if "\x00" in body else "title", "Text cannot hold NUL characters.")
    if len(body) > vocab.BODY_MAX:
        found.add("body", f"The text can be at most {vocab.BODY_MAX:,} characters.")
    if kind not in vocab.ProposalKind.values:
        found.add("kind", f"Say what it is about: {one_of(vocab.ProposalKind.values)}.")
    return title, body


def _terms(found: Problems, rules: DecisionPolicy, given: Mapping[str, Any]) -> Terms | None:
    chosen: Method | None = None
    try:
        chosen = Method(given["method"])
    except ValueError:
        found.add("method", f"Choose how votes are counted: {one_of(m.value for m in Method)}.")
    quorum = _decimal(found, "quorum", given["quorum"], "The quorum")
    threshold = _decimal(found, "threshold", given["threshold"], "The threshold")
    criteria = _criteria(found, given["criteria"])
    if chosen is None or "quorum" in found.fields():
        return None
    terms = Terms(
        method=chosen,
        options=tuple(str(o).strip() for o in given["options"] or () if str(o).strip()),
        threshold=threshold,
        quorum=rules.default_quorum if quorum is None else quorum,
        criteria=criteria,
        max_score=given["max_score"],
        seed=secrets.token_hex(16),
    )
    for problem in check_terms(terms):
        found.add(problem.field, problem.message)
    return terms


def _eligibility(found: Problems, rules: DecisionPolicy, kind: str, given: Any) -> int:
    level = rules.default_eligibility if given is None else given
    power = power_for(kind)
    needed = trust.level_for(power) if power else 0
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
        found.add("eligibility", f"Who may vote is a trust level from 0 to {MAX_LEVEL}.")
        return 0
    if level < needed:
        found.add(
            "eligibility",
            f"Voting on {vocab.ProposalKind(kind).label.lower()} needs trust level {needed}: "
            f"choose level {needed} or above.",
        )
    elif power and level > needed:
        # Who may vote on rules or money is the policy's, never the proposer's: raising it
        # would shut out those who could object.
        found.add(
            "eligibility",
            f"Every member at trust level {needed} or above may vote on "
            f"{vocab.ProposalKind(kind).label.lower()}; a proposal cannot narrow that.",
        )
    return level


def _guarded(
    found: Problems, rules: DecisionPolicy, proposer: Member, kind: str, terms: Terms | None
) -> None:
    """Rules and money are never decided by the proposer alone: the policy's quorum at
    least, and someone besides the proposer who may vote (and so object)."""
    if terms is None or power_for(kind) is None:
        return
    if terms.method is not Method.LAZY_CONSENSUS and terms.quorum < rules.default_quorum:
        found.add(
            "quorum",
            f"A proposal about {vocab.ProposalKind(kind).label.lower()} needs a quorum of at "
            f"least {rules.default_quorum}, the policy's.",
        )
    needed = trust.level_for(power_for(kind))  # type: ignore[arg-type]
    others = [
        pk
        for pk, level in trust.levels_of(selectors.current_member_ids()).items()
        if level >= needed and pk != proposer.pk
    ]
    if not others:
        found.add(
            "kind",
            "Nobody besides you may vote on this yet, so nobody could object: it waits until "
            f"another member reaches trust level {needed}.",
        )


def _times(
    found: Problems, rules: DecisionPolicy, now: dt.datetime, given: Mapping[str, Any]
) -> tuple[dt.datetime, dt.datetime | None]:
    opens = _at(found, "opens_at", given["opens_at"]) or now
    if opens < now - dt.timedelta(minutes=5):
        found.add("opens_at", "A vote cannot open in the past.")
    if opens > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        found.add("opens_at", f"A vote opens at most {MAX_DAYS_AHEAD} days from now.")
        return opens, None
    closes = _at(found, "closes_at", given["closes_at"])
    days = given["voting_days"]
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS_AHEAD
    ):
        found.add("closes_at", f"A vote runs a whole number of days, 1 to {MAX_DAYS_AHEAD}.")
        return opens, None
    if closes is None and "closes_at" not in found.fields():
        closes = opens + dt.timedelta(days=rules.min_voting_days if days is None else days)
    low, high = rules.min_voting_days, rules.max_voting_days
    if closes is not None and not (
        dt.timedelta(days=low) <= closes - opens <= dt.timedelta(days=high)
    ):
        found.add(
            "closes_at",
            f"A vote runs from {low} to {high} days; choose a closing time in that range.",
        )
    return opens, closes


def _carried(found: Problems, kind: str, method: Method | None, kind_of: str, content: Any) -> str:
    """The carried action's stored content (canonical JSON), or "" when there is none."""
    if not kind_of:
        return ""
    carried = found.check(effects.effect, kind_of)
    if carried is None:
        return ""
    if kind in vocab.ProposalKind.values and kind not in carried.proposal_kinds:
        allowed = one_of(
            vocab.ProposalKind(k).label.lower() for k in sorted(carried.proposal_kinds)
        )
        found.add(
            "effect_kind", f"“{carried.label}” is carried only by a proposal about {allowed}."
        )
    if method is not None and method not in YES_OR_NO:
        found.add(
            "effect_kind",
            "A carried action needs a yes-or-no method: consent, lazy consensus, "
            "majority or supermajority.",
        )
    prepared = found.check(carried.prepare, content)
    return "" if prepared is None else canonical_json(prepared)


@action
def propose(
    proposer: Member,
    *,
    title: str,
    body: str = "",
    kind: str,
    method: str,
    options: Sequence[str] = (),
    threshold: Any = None,
    quorum: Any = None,
    criteria: Sequence[Any] = (),
    max_score: int = 5,
    secret: bool = False,
    eligibility: int | None = None,
    opens_at: Any = None,
    closes_at: Any = None,
    voting_days: int | None = None,
    effect_kind: str = "",
    effect: Any = None,
) -> Proposal:
    """Make the next numbered proposal with its terms fixed; every problem of the input is
    refused at once (``InvalidInput`` naming each field), and nothing is written then.

    Quorum and threshold are shares as text or ``Decimal`` ("0.5"); criteria are
    ``{"name", "weight", "description"}`` mappings; without ``closes_at`` the vote runs
    ``voting_days`` (the policy's fewest by default) from ``opens_at`` (now by default).
    """
    now = timezone.now()
    rules = current_policy(at=timezone.localdate()).decisions
    _ensure_may_propose(proposer, kind, rules)
    found = Problems()
    title, body = _words(found, title, body, kind)
    terms = _terms(
        found,
        rules,
        {
            "method": method,
            "options": options,
            "threshold": threshold,
            "quorum": quorum,
            "criteria": criteria,
            "max_score": max_score,
        },
    )
    level = _eligibility(found, rules, kind, eligibility)
    _guarded(found, rules, proposer, kind, terms)
    opens, closes = _times(
        found,
        rules,
        now,
        {"opens_at": opens_at, "closes_at": closes_at, "voting_days": voting_days},
    )
    stored_effect = _carried(found, kind, terms.method if terms else None, effect_kind, effect)
    if stored_effect:
        mine = effects.proposers_own(effect_kind, json.loads(stored_effect), proposer.pk)
        if mine:
            found.add("effect_kind", mine)
    found.raise_any()
    assert terms is not None and closes is not None  # noqa: S101 - raise_any refused otherwise
    return _create(
        proposer,
        {
            "title": title,
            "body": body,
            "kind": kind,
            "method": terms.method.value,
            "terms": canonical_json(terms_to_dict(terms)),
            "secret": bool(secret),
            "eligibility": level,
            "opens_at": opens,
            "closes_at": closes,
            "runoff_days": rules.lazy_consensus_days
            if terms.method is Method.LAZY_CONSENSUS
            else 0,
            "effect_kind": effect_kind or "",
            "effect": stored_effect,
            "created_at": now,
        },
    )


def _new_proposal(proposer: Member, fields: dict[str, Any]) -> Proposal:
    """Store the next numbered proposal (no event: the calling action records one)."""
    number = (Proposal.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            return Proposal.objects.create(number=number, proposer=proposer, **fields)
    except IntegrityError:
        raise Conflict("Another proposal was made at the same moment; try again.") from None


def _create(proposer: Member, fields: dict[str, Any]) -> Proposal:
    proposal = _new_proposal(proposer, fields)
    record(
        "decisions.proposal.made",
        proposal,
        actor=proposer,
        number=proposal.number,
        method=proposal.method,
        secret=proposal.secret,
        closes_at=proposal.closes_at.isoformat(),
        effect_kind=proposal.effect_kind,
    )
    return proposal


# --- vote ---------------------------------------------------------------------------------


def _locked(number: int) -> Proposal:
    proposal = Proposal.objects.select_for_update().filter(number=number).first()
    if proposal is None:
        raise NotFound(f"There is no decision {number}.", field="number")
    return proposal


@action
def vote(member: Member, number: int, ballot: Any, *, receipt: str = "") -> Cast:
    """Cast or change ``member``'s ballot on decision ``number``, until its close.

    A secret ballot is changed only with its receipt (the server cannot find it otherwise).
    Each cast gives a new receipt, shown once.
    """
    now = timezone.now()
    ensure_may_act(member, doing="vote")
    proposal = _locked(number)
    phase, terms = selectors.phase_terms(proposal)
    if proposal.stage == vocab.Stage.CLOSED:
        raise Conflict(
            f"Decision {number} is closed: a ballot cannot be cast or changed after the close.",
            field="ballot",
        )
    deadline = selectors.deadline(proposal)
    if now >= deadline:
        raise Conflict(
            f"Voting on decision {number} closed at {selectors.when(deadline)}: a ballot "
            "cannot be cast or changed after the close.",
            field="ballot",
        )
    if now < proposal.opens_at:
        raise Conflict(
            f"Voting on decision {number} opens at {selectors.when(proposal.opens_at)}.",
            field="ballot",
        )
    ensure_may_vote(member, proposal)
    if not isinstance(ballot, Mapping):
        raise InvalidInput("A ballot must be a JSON object.", field="ballot")
    problems = check_ballot(terms, ballot)
    if problems:
        raise InvalidInput.of(
            [(f"ballot.{p.field}" if p.field else "ballot", p.message) for p in problems]
        )
    content = canonical_json(dict(ballot))
    new_receipt = secrets.token_hex(vocab.RECEIPT_BYTES)
    changed = (
        _cast_secret(
            member, proposal, phase=phase, content=content, receipt=new_receipt, old=receipt
        )
        if proposal.secret
        else _cast_open(
            member, proposal, phase=phase, content=content, receipt=new_receipt, now=now
        )
    )
    record(
        "decisions.ballot.cast",
        proposal,
        actor=member,
        number=number,
        phase=phase,
        changed=changed,
    )
    return Cast(proposal, new_receipt, changed)


def _cast_open(
    member: Member, proposal: Proposal, *, phase: int, content: str, receipt: str, now: dt.datetime
) -> bool:
    existing = Ballot.objects.filter(proposal=proposal, voter=member, phase=phase).first()
    if existing is not None:
        Ballot.objects.filter(pk=existing.pk).update(
            content=content, receipt_digest=digest(receipt), cast_at=now
        )
        return True
    Ballot.objects.create(
        proposal=proposal,
        voter=member,
        phase=phase,
        content=content,
        receipt_digest=digest(receipt),
        cast_at=now,
    )
    VoterRoll.objects.create(proposal=proposal, member=member, phase=phase)
    return False


def _cast_secret(
    member: Member, proposal: Proposal, *, phase: int, content: str, receipt: str, old: str
) -> bool:
    roll = (
        VoterRoll.objects.select_for_update()
        .filter(proposal=proposal, member=member, phase=phase)
        .first()
    )
    if roll is not None:
        if not (old or "").strip():
            raise Conflict(
                "You have voted already. A secret ballot can be changed only with its "
                "receipt: give the receipt you were shown.",
                field="receipt",
            )
        if roll.receipt_check != _voter_check(member, old):
            raise InvalidInput(
                "This is not the receipt of your ballot: give the one you were shown last.",
                field="receipt",
            )
        deleted, _ = SecretBallot.objects.filter(
            receipt_digest=digest(old), proposal=proposal, phase=phase
        ).delete()
        if not deleted:
            raise InvalidInput(
                "This receipt is not one of this vote's ballots: check it and try again.",
                field="receipt",
            )
        SecretBallot.objects.create(
            receipt_digest=digest(receipt), proposal=proposal, phase=phase, content=content
        )
        roll.receipt_check = _voter_check(member, receipt)
        roll.save(update_fields=["receipt_check"])
        return True
    SecretBallot.objects.create(
        receipt_digest=digest(receipt), proposal=proposal, phase=phase, content=content
    )
    VoterRoll.objects.create(
        proposal=proposal, member=member, phase=phase, receipt_check=_voter_check(member, receipt)
    )
    return False


def _voter_check(member: Member, receipt: str) -> str:
    return digest(f"{member.pk}:{(receipt or '').strip()}")


# --- close --------------------------------------------------------------------------------


@action
def close_decision(number: int) -> Proposal:
    """Close decision ``number`` after its closing time: anyone may.

    Tallies the ballots, publishes the tally with them (their contents alone when secret),
    states the outcome and its review date, and, if it passed, runs its carried action in
    this same transaction. A lazy consensus met by an objection opens its majority vote
    instead (a fresh voting period, as its terms fix).
    """
    now = timezone.now()
    proposal = _locked(number)
    if proposal.stage == vocab.Stage.CLOSED:
        raise Conflict(f"Decision {number} is closed already; a closed decision never changes.")
    deadline = selectors.deadline(proposal)
    if now < deadline:
        raise Conflict(
            f"Decision {number} closes at {selectors.when(deadline)}; it can be closed after.",
        )
    phase, terms = selectors.phase_terms(proposal)
    counted = selectors.counted_at_close(proposal, phase)
    ballots, eligible = counted.ballots, counted.eligible
    result = tally(terms, [json.loads(b["ballot"]) for b in ballots], eligible=eligible)
    published = selectors.published(proposal)
    published.setdefault("phases", []).append(
        {
            "phase": phase,
            "terms": terms_to_dict(terms),
            "eligible": eligible,
            "tally": result.as_dict(),
            "ballots": [{**b, "ballot": json.loads(b["ballot"])} for b in ballots],
            # Ballots of voters no longer eligible at the close: published, not counted.
            **(
                {"set_aside": [{**b, "ballot": json.loads(b["ballot"])} for b in counted.set_aside]}
                if counted.set_aside
                else {}
            ),
        }
    )
    if terms.method is Method.LAZY_CONSENSUS and result.outcome is Outcome.OBJECTED:
        return _open_runoff(proposal, published, result.statement, now)
    rules = current_policy(at=timezone.localdate()).decisions
    if proposal.effect_kind:
        # What it carries, as it stands at the close: afterwards the live rules include
        # what it adopted, so a description computed later would compare it with itself.
        described = effects.effect(proposal.effect_kind).describe(effects.content_of(proposal))
        published["carried"] = {
            "summary": described.summary,
            "changes": [
                {"path": c.path, "before": c.before, "after": c.after} for c in described.changes
            ],
        }
    proposal.stage = vocab.Stage.CLOSED
    proposal.outcome = result.outcome.value
    proposal.statement = result.statement
    proposal.tally = canonical_json(published)
    proposal.closed_at = now
    proposal.review_on = timezone.localdate() + dt.timedelta(days=rules.review_after_days)
    carried = effects.effect(proposal.effect_kind) if proposal.effect_kind else None
    if result.outcome is Outcome.PASSED and carried is not None:
        proposal.effect_note = _run_carried(proposal, carried)
    elif carried is not None and carried.release is not None:
        # It did not pass: what the action held back (a distribution's money) is let go.
        proposal.effect_note = carried.release(
            proposal, effects.content_of(proposal), f"Decision {number} did not pass."
        )
    if result.outcome is Outcome.PASSED and (carried is None or carried.ends_steward_phase):
        # The first adopted decision ends the steward phase (when the policy says so).
        _end_steward_phase(StewardEndReason.FIRST_DECISION, proposal.number)
    proposal.save(
        update_fields=[
            "stage",
            "outcome",
            "statement",
            "tally",
            "closed_at",
            "review_on",
            "effect_note",
        ]
    )
    record(
        "decisions.proposal.closed",
        proposal,
        number=number,
        outcome=proposal.outcome,
        cast=result.cast,
        eligible=eligible,
        effect_kind=proposal.effect_kind,
        effect=proposal.effect_note,
    )
    return proposal


def _run_carried(proposal: Proposal, carried: effects.Effect) -> str:
    """Run a passed decision's action, and say what it did (or why it could not)."""
    content = effects.content_of(proposal)
    try:
        # A savepoint: a refusal half-way leaves nothing of the action behind.
        with transaction.atomic():
            return carried.run(proposal, content)
    except effects.REFUSALS as error:
        # The rules or the books changed since it was proposed, and the action no
        # longer fits them: it passed, and says plainly why nothing was done.
        reasons = " ".join(message for _, message in error.problems)
        note = f"The carried action could not run: {reasons}"
        if carried.release is not None:
            note = f"{note} {carried.release(proposal, content, note)}"
        return note


def _close_withdrawn(number: int, sentence: str) -> Proposal | None:
    """Close an open decision as withdrawn, before its close, saying why (no event: the
    calling action's names it). Nothing is counted and its carried action never runs.
    ``None`` when it was closed already."""
    proposal = _locked(number)
    if proposal.stage == vocab.Stage.CLOSED:
        return None
    proposal.stage = vocab.Stage.CLOSED
    proposal.outcome = vocab.WITHDRAWN
    proposal.statement = sentence
    proposal.effect_note = "Nothing was done: the proposal was withdrawn before its close."
    proposal.closed_at = timezone.now()
    proposal.save(update_fields=["stage", "outcome", "statement", "effect_note", "closed_at"])
    return proposal


def _open_runoff(
    proposal: Proposal, published: dict[str, Any], statement: str, now: dt.datetime
) -> Proposal:
    proposal.stage = vocab.Stage.RUNOFF
    proposal.runoff_closes_at = now + dt.timedelta(days=proposal.runoff_days)
    proposal.statement = (
        f"{statement} An objection turned it into a majority vote, open until "
        f"{selectors.when(proposal.runoff_closes_at)}."
    )
    proposal.tally = canonical_json(published)
    proposal.save(update_fields=["stage", "runoff_closes_at", "statement", "tally"])
    record(
        "decisions.proposal.objected",
        proposal,
        number=proposal.number,
        runoff_closes_at=proposal.runoff_closes_at.isoformat(),
    )
    return proposal


def close_due_decisions(
    now: dt.datetime | None = None, *, each: Callable[[int], None] | None = None
) -> list[Proposal]:
    """Close every decision whose closing time has passed by ``now`` (default: now).

    A plain callable for a timer or a periodic job, needing no argument. Each decision is
    closed by its own ``close_decision`` action, so by the same path and rules as by hand,
    in the order of their closing times (the earliest first): one transaction and one
    event each, so a crash part-way leaves those already closed closed and the rest due
    for the next run, and a run with nothing due changes nothing. A decision that somebody
    closed meanwhile is passed over, and so is one that fails for a reason of its own (it
    is logged and stays due), so one broken decision never holds up the others. A lazy
    consensus met by an objection opens its majority vote, and is closed when that is due.
    ``now`` may only look back: a decision is never closed before its time. ``each`` is
    called with each decision's number once it has been dealt with (a progress bar).
    Returns the decisions closed or moved to their vote, in order.
    """
    moment = timezone.now() if now is None else min(now, timezone.now())
    done = []
    for number in selectors.due_numbers(moment):
        try:
            done.append(close_decision(number))
        except Conflict:
            pass  # closed by someone else meanwhile
        except Exception:
            log.exception("Decision %s could not be closed; it stays due.", number)
        if each is not None:
            each(number)
    return done
