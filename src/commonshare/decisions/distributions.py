"""A proposed distribution is a lazy-consensus decision.

``books.propose_distribution`` freezes the distribution and, through the door registered
here (``books.distribution.use_decision_door``: books may not import decisions), opens the
decision that carries its posting. The decision closes when the challenge window ends: with
no objection it passes and posts the distribution in the close's transaction; an objection
opens a majority vote, and a rejection withdraws the distribution and releases its money.
Neither function records an event: the books action that calls them records the one event.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from commonshare.books.challenges import Standing, use_standing_reader
from commonshare.books.distribution import DecisionDoor, use_decision_door
from commonshare.books.models import Distribution
from commonshare.community.models import Member
from commonshare.core.decisions import Method, Terms, check_terms, terms_to_dict
from commonshare.core.policy import canonical_json
from commonshare.core.words import period_words
from commonshare.decisions import selectors, vocab
from commonshare.decisions.models import Ballot, Proposal
from commonshare.decisions.rules import ensure_may_vote
from commonshare.decisions.services import (
    _close_withdrawn,
    _ensure_may_propose,
    _guarded,
    _new_proposal,
)
from commonshare.errors import Forbidden, Problems
from commonshare.governance.selectors import current_policy
from commonshare.work import trust


def _open_distribution_decision(actor: Member, distribution: Distribution) -> int:
    """Open the lazy consensus that carries ``distribution``'s posting; its number.

    Its terms are the policy's, never the proposer's: every member at the money level may
    vote (and so object), it closes when the challenge window ends, and an objection opens
    a majority vote of the policy's days with the policy's quorum.
    """
    rules = current_policy(at=timezone.localdate()).decisions
    _ensure_may_propose(actor, vocab.ProposalKind.MONEY, rules)
    terms = Terms(
        method=Method.LAZY_CONSENSUS, quorum=rules.default_quorum, seed=secrets.token_hex(16)
    )
    found = Problems()
    for problem in check_terms(terms):
        found.add(problem.field, problem.message)
    _guarded(found, rules, actor, vocab.ProposalKind.MONEY, terms)
    # On the distribution's form, who could object is a matter of its period.
    found.found = [("period" if f == "kind" else f, m) for f, m in found.found]
    found.raise_any()
    name = period_words(distribution.period_start, distribution.period_end)
    amount = f"{distribution.amount:,} {distribution.currency}"  # 1,200.00 EUR
    closes = distribution.challenge_ends_at or timezone.now()
    proposal = _new_proposal(
        actor,
        {
            "title": f"Distribute {amount} for {name}",
            "body": (
                f"The distribution of {name} shares {amount} among the period's reviewed "
                "work; its page shows every payout and why. It posts when this decision "
                "closes, unless someone objects: an objection turns it into a majority vote, "
                "and if that rejects it, the distribution is withdrawn and its money released."
            ),
            "kind": vocab.ProposalKind.MONEY,
            "method": terms.method.value,
            "terms": canonical_json(terms_to_dict(terms)),
            "secret": False,
            "eligibility": trust.level_for(trust.Power.MONEY),
            "opens_at": timezone.now(),
            "closes_at": closes,
            "runoff_days": rules.lazy_consensus_days,
            "effect_kind": vocab.POST_DISTRIBUTION,
            "effect": canonical_json({"distribution_id": distribution.pk}),
            "created_at": timezone.now(),
        },
    )
    return proposal.number


def _withdraw_distribution_decision(number: int, sentence: str) -> None:
    _close_withdrawn(number, sentence)


def _objects(content: str, in_vote: bool) -> bool:
    ballot: dict[str, Any] = json.loads(content)
    if in_vote:
        return bool(ballot.get("choice") == "against")
    return bool(ballot.get("position") == "object")


def _standings(numbers: Sequence[int], member: Member) -> dict[int, Standing]:
    """How each decision stands for ``member`` (the books' challenge window reads it)."""
    found = {}
    for proposal in Proposal.objects.filter(number__in=numbers):
        in_vote = proposal.stage == vocab.Stage.RUNOFF
        ballot = Ballot.objects.filter(
            proposal=proposal, voter=member, phase=2 if in_vote else 1
        ).first()
        try:
            ensure_may_vote(member, proposal)
            refusal = ""
        except Forbidden as refused:
            refusal = refused.message
        found[proposal.number] = Standing(
            number=proposal.number,
            closed=proposal.stage == vocab.Stage.CLOSED,
            in_vote=in_vote,
            closes_at=selectors.deadline(proposal),
            objected=ballot is not None and _objects(ballot.content, in_vote),
            refusal=refusal,
        )
    return found


def install() -> None:
    """Register the door and the standing reader (``DecisionsConfig.ready``)."""
    use_decision_door(
        DecisionDoor(open=_open_distribution_decision, withdraw=_withdraw_distribution_decision)
    )
    use_standing_reader(_standings)
