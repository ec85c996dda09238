"""Who may vote, and a receipt's digest: the rules the services and the selectors share."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from commonshare.community.rules import ensure_may_act
from commonshare.decisions import vocab
from commonshare.errors import Forbidden
from commonshare.work import trust

if TYPE_CHECKING:
    from commonshare.community.models import Member
    from commonshare.decisions.models import Proposal


def digest(receipt: str) -> str:
    """The sha256 of a receipt, the only form of it the server keeps."""
    return hashlib.sha256(receipt.strip().lower().encode("utf-8")).hexdigest()


def power_for(kind: str) -> trust.Power | None:
    """The power voting on a proposal of ``kind`` needs, besides its trust level."""
    if kind == vocab.ProposalKind.RULES:
        return trust.Power.VOTE_RULES
    if kind == vocab.ProposalKind.MONEY:
        return trust.Power.MONEY
    return None


def ensure_may_vote(member: Member, proposal: Proposal) -> None:
    """Refuse (403) a member who may not vote on ``proposal``, saying why."""
    ensure_may_act(member, doing="vote")
    level = trust.level_of(member)
    if level < proposal.eligibility:
        raise Forbidden(
            f"To vote on decision {proposal.number} you need trust level "
            f"{proposal.eligibility}; you are at level {level}."
        )
    power = power_for(proposal.kind)
    if power is not None:
        doing = f"vote on {vocab.ProposalKind(proposal.kind).label.lower()}"
        trust.ensure_power(member, power, doing=doing)
