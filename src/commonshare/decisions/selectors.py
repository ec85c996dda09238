"""Reading decisions: the list, one proposal, its phase's terms, who voted, the ballots,
the published tally, receipts and the recount."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from commonshare import paging
from commonshare.community.models import Member
from commonshare.core.decisions import Method, Terms, tally, terms_from_dict
from commonshare.core.policy import canonical_json
from commonshare.core.words import long_date
from commonshare.decisions import vocab
from commonshare.decisions.models import Ballot, Proposal, SecretBallot, VoterRoll
from commonshare.decisions.rules import digest, ensure_may_vote, power_for
from commonshare.errors import Forbidden, NotFound
from commonshare.work import trust


def proposals() -> QuerySet[Proposal]:
    """Every proposal, newest first."""
    return Proposal.objects.select_related("proposer").order_by("-number")


def proposals_page(cursor: str | None = None, size: int = vocab.PAGE_SIZE) -> paging.Page[Proposal]:
    """One page of proposals, newest first (keyset: ``commonshare.paging``)."""
    return paging.page(proposals(), cursor=cursor, size=size)


def secret_proposal_ids() -> QuerySet[Proposal, Any]:
    """The ids of the secret proposals, as the text the audit log keeps (for a subquery):
    a feed leaves out when each of their voters voted, as the voter roll does."""
    return (
        Proposal.objects.filter(secret=True)
        .annotate(as_text=Cast("pk", output_field=CharField()))
        .values("as_text")
    )


def proposal(number: int) -> Proposal:
    found = Proposal.objects.select_related("proposer").filter(number=number).first()
    if found is None:
        raise NotFound(f"There is no decision {number}.", field="number")
    return found


def terms_of(proposal: Proposal) -> Terms:
    return terms_from_dict(json.loads(proposal.terms))


def phase_terms(proposal: Proposal) -> tuple[int, Terms]:
    """The phase being voted on and its terms: a lazy consensus met by an objection is
    voted on again by simple majority (phase 2), with the quorum its terms fixed."""
    terms = terms_of(proposal)
    if proposal.stage == vocab.Stage.RUNOFF or (
        proposal.stage == vocab.Stage.CLOSED and proposal.runoff_closes_at is not None
    ):
        return 2, Terms(method=Method.MAJORITY, quorum=terms.quorum, seed=terms.seed)
    return 1, terms


def deadline(proposal: Proposal) -> dt.datetime:
    """When the phase being voted on closes."""
    if proposal.runoff_closes_at is not None:
        return proposal.runoff_closes_at
    return proposal.closes_at


def when(moment: dt.datetime) -> str:
    """A moment in the site's one date format, with the time (UTC)."""
    utc = moment.astimezone(dt.UTC)
    return f"{long_date(utc.date())}, {utc:%H:%M} UTC"


def due_numbers(now: dt.datetime) -> list[int]:
    """Decisions past their phase's closing time and not closed yet, the earliest closing
    time first (then by number)."""
    found = Proposal.objects.exclude(stage=vocab.Stage.CLOSED).only(
        "number", "closes_at", "runoff_closes_at"
    )
    due = [p for p in found if deadline(p) <= now]
    return [p.number for p in sorted(due, key=lambda p: (deadline(p), p.number))]


def voters(proposal: Proposal, phase: int | None = None) -> list[Member]:
    """Who voted (public for every proposal, secret ones too), by name."""
    rows = VoterRoll.objects.filter(proposal=proposal).select_related("member")
    if phase is not None:
        rows = rows.filter(phase=phase)
    return sorted({row.member for row in rows}, key=lambda m: (m.display_name, m.pk))


def open_ballots(proposal: Proposal, phase: int) -> list[Ballot]:
    """An open proposal's ballots of one phase, with their voters."""
    if proposal.secret:
        return []
    return list(
        Ballot.objects.filter(proposal=proposal, phase=phase)
        .select_related("voter")
        .order_by("voter_id")
    )


def ballots_to_publish(proposal: Proposal, phase: int) -> list[dict[str, Any]]:
    """The ballots of ``phase`` as they are published at the close (``ballot`` as JSON
    text): an open ballot with its voter, a secret one with its receipt's digest alone,
    ordered by that digest (which says nothing of when it was cast)."""
    if proposal.secret:
        rows = SecretBallot.objects.filter(proposal=proposal, phase=phase).order_by(
            "receipt_digest"
        )
        return [{"receipt_digest": r.receipt_digest, "ballot": r.content} for r in rows]
    return [
        {
            "voter": b.voter_id,
            "name": b.voter.display_name,
            "receipt_digest": b.receipt_digest,
            "ballot": b.content,
        }
        for b in open_ballots(proposal, phase)
    ]


def eligible_members(proposal: Proposal) -> list[Member]:
    """The current members who may vote on ``proposal`` now: at its trust level, and
    holding the power its kind needs."""
    members = list(Member.objects.filter(left_at__isnull=True).order_by("pk"))
    levels = trust.levels_of([m.pk for m in members])
    power = power_for(proposal.kind)
    needed = max(proposal.eligibility, trust.level_for(power) if power else 0)
    return [m for m in members if levels.get(m.pk, 0) >= needed]


def current_member_ids() -> list[int]:
    return list(Member.objects.filter(left_at__isnull=True).values_list("pk", flat=True))


def eligible_count(proposal: Proposal) -> int:
    return len(eligible_members(proposal))


@dataclass(frozen=True)
class Counted:
    """What a close counts: the ballots, those set aside, and the quorum's base."""

    ballots: list[dict[str, Any]]
    set_aside: list[dict[str, Any]]
    eligible: int


def counted_at_close(proposal: Proposal, phase: int) -> Counted:
    """The ballots a close counts, and the quorum's base: the members eligible at the close.

    An open ballot counts when its voter is still eligible at the close; one who left or
    lost the level since no longer counts, neither in the base nor among the ballots (their
    ballot is published as set aside), so the quorum is the share of those eligible at the
    close who cast a ballot. A secret ballot cannot be tied to its voter: a voter on the
    roll who is no longer eligible keeps their ballot in the count and is added to the
    base, so a ballot is never counted without its voter in the base either.
    """
    eligible = {m.pk for m in eligible_members(proposal)}
    ballots = ballots_to_publish(proposal, phase)
    if not proposal.secret:
        return Counted(
            [b for b in ballots if b["voter"] in eligible],
            [b for b in ballots if b["voter"] not in eligible],
            len(eligible),
        )
    roll = set(
        VoterRoll.objects.filter(proposal=proposal, phase=phase).values_list("member_id", flat=True)
    )
    return Counted(ballots, [], len(eligible | roll))


def published(proposal: Proposal) -> dict[str, Any]:
    """The published record: ``{"phases": [{phase, terms, eligible, tally, ballots}]}``."""
    data: dict[str, Any] = json.loads(proposal.tally) if proposal.tally else {}
    return data


def final_tally(proposal: Proposal) -> dict[str, Any] | None:
    """The last phase's published tally (``Tally.as_dict``), if any phase was counted."""
    phases = published(proposal).get("phases", [])
    return phases[-1]["tally"] if phases else None


@dataclass(frozen=True)
class ReceiptCheck:
    number: int
    found: bool
    ballot: dict[str, Any] | None
    counted: bool
    sentence: str


def check_receipt(number: int, receipt: str) -> ReceiptCheck:
    """Whether the ballot of ``receipt`` is stored, and, once closed, counted, and with
    what content. Asks nothing of who holds the receipt."""
    found_proposal = proposal(number)
    key = digest(receipt or "")
    for phase in reversed(published(found_proposal).get("phases", [])):
        for item in phase["ballots"]:
            if item.get("receipt_digest") == key:
                return ReceiptCheck(
                    number,
                    True,
                    item["ballot"],
                    True,
                    f"Your ballot was counted in the published tally of decision {number}.",
                )
    if found_proposal.secret:
        row = SecretBallot.objects.filter(proposal=found_proposal, receipt_digest=key).first()
        content = None if row is None else row.content
    else:
        ballot = Ballot.objects.filter(proposal=found_proposal, receipt_digest=key).first()
        content = None if ballot is None else ballot.content
    if content is None:
        return ReceiptCheck(
            number,
            False,
            None,
            False,
            f"No ballot of decision {number} has this receipt. A receipt stops working "
            "when its ballot is changed: the new ballot has a new receipt.",
        )
    closed = found_proposal.stage == vocab.Stage.CLOSED
    return ReceiptCheck(
        number,
        True,
        json.loads(content),
        False,
        "Your ballot is stored"
        + (
            " but was not counted: it belongs to a phase that was not the one decided."
            if closed
            else " and will be counted when the vote closes."
        ),
    )


@dataclass(frozen=True)
class Recount:
    number: int
    matches: bool
    phases: list[dict[str, Any]]
    sentence: str


def recount(number: int) -> Recount:
    """Recompute every published phase's tally from its published ballots with core's
    ``tally``, and compare with the stored tally; also check that the published ballots
    are the stored ones."""
    found = proposal(number)
    phases = published(found).get("phases", [])
    if not phases:
        return Recount(number, False, [], f"Decision {number} has not been counted yet.")
    results = []
    for phase in phases:
        terms = terms_from_dict(phase["terms"])
        again = tally(terms, [b["ballot"] for b in phase["ballots"]], eligible=phase["eligible"])
        stored_rows = sorted(
            canonical_json(json.loads(b["ballot"]))
            for b in ballots_to_publish(found, phase["phase"])
        )
        published_rows = sorted(
            canonical_json(b["ballot"]) for b in [*phase["ballots"], *phase.get("set_aside", [])]
        )
        results.append(
            {
                "phase": phase["phase"],
                "tally_matches": canonical_json(again.as_dict()) == canonical_json(phase["tally"]),
                "ballots_match": stored_rows == published_rows,
                "recounted": again.as_dict(),
                "stored": phase["tally"],
            }
        )
    matches = all(r["tally_matches"] and r["ballots_match"] for r in results)
    sentence = (
        f"The recount of decision {number} matches the published tally."
        if matches
        else f"The recount of decision {number} does NOT match the published tally."
    )
    return Recount(number, matches, results, sentence)


def may_vote(member: Any, found: Proposal) -> str | None:
    """Why ``member`` may not vote on ``found`` now, or None if they may."""
    if not getattr(member, "is_authenticated", False):
        return "Sign in to vote."
    if found.stage == vocab.Stage.CLOSED or timezone.now() >= deadline(found):
        return "Voting has closed."
    if timezone.now() < found.opens_at:
        return f"Voting opens at {when(found.opens_at)}."
    try:
        ensure_may_vote(member, found)
    except Forbidden as error:
        return error.message
    return None


def has_voted(member: Any, found: Proposal) -> bool:
    if not getattr(member, "is_authenticated", False):
        return False
    phase, _ = phase_terms(found)
    return VoterRoll.objects.filter(proposal=found, member=member, phase=phase).exists()
