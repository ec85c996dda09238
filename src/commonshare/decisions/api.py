"""Decisions over the API: list, one decision, propose, vote, check a receipt, recount, close."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from commonshare.apikit import E404, E409, E422, WRITE, OneLine, PathId, StrictIn, Text, paged
from commonshare.community.auth import acting_member, member_auth
from commonshare.decisions import presenting, selectors, services
from commonshare.decisions.vocab import (
    BODY_MAX,
    OPTION_MAX,
    TITLE_MAX,
    ProposalKindValue,
    StageValue,
)

router = Router(tags=["decisions"])


class CriterionIn(StrictIn):
    name: OneLine = Field(max_length=200)
    weight: str = Field("1", max_length=20, description="A decimal weight as text, e.g. 2")
    description: Text = Field("", max_length=2000)


class ProposalIn(StrictIn):
    title: OneLine = Field(max_length=TITLE_MAX)
    body: Text = Field("", max_length=BODY_MAX)
    kind: ProposalKindValue
    method: str = Field(
        description="consent, majority, supermajority, score, ranked_irv, "
        "ranked_schulze or lazy_consensus"
    )
    options: list[Annotated[OneLine, Field(max_length=OPTION_MAX)]] = Field([], max_length=50)
    threshold: str | None = Field(
        None, max_length=20, description="Supermajority share as text, e.g. 0.667"
    )
    quorum: str | None = Field(
        None, max_length=20, description="Share of eligible members, 0 to 1, as text"
    )
    criteria: list[CriterionIn] = Field([], max_length=20)
    max_score: int = 5
    secret: bool = False
    eligibility: int | None = Field(None, description="The trust level a voter needs")
    opens_at: str | None = Field(None, max_length=40, description="ISO date and time; now")
    closes_at: str | None = Field(None, max_length=40, description="ISO date and time")
    voting_days: int | None = Field(None, ge=1, le=366, description="Instead of closes_at")
    effect_kind: str = Field("", description='The carried action, e.g. "policy_change"')
    effect: dict[str, Any] | None = Field(
        None, description='For a policy change: {"changes": {"reserve.share": "0.2"}}'
    )


class ProposalOut(Schema):
    number: int
    title: str
    kind: str
    method: str
    stage: StageValue
    secret: bool
    eligibility: int
    opens_at: Any
    closes_at: Any
    outcome: str | None = None
    statement: str | None = None

    @staticmethod
    def resolve_outcome(obj: Any) -> str | None:
        return obj.outcome or None

    @staticmethod
    def resolve_statement(obj: Any) -> str | None:
        return obj.statement or None


class DecisionOut(Schema):
    number: int
    title: str
    body: str
    proposer: dict[str, Any]
    kind: str
    method: str
    terms: dict[str, Any] = Field(description="The fixed terms (core.decisions.terms_to_dict)")
    secret: bool
    eligibility: int
    opens_at: str | None
    closes_at: str | None
    runoff_days: int
    runoff_closes_at: str | None
    stage: StageValue
    outcome: str | None
    statement: str | None
    review_on: str | None
    closed_at: str | None
    effect: dict[str, Any] | None = Field(description="The carried action and its diff")
    voters: list[dict[str, Any]] = Field(description="Who voted (public, secret ballots too)")
    phases: list[dict[str, Any]] = Field(
        description="The published record: each phase's terms, eligible count, tally, ballots"
    )


class BallotIn(StrictIn):
    ballot: dict[str, Any] = Field(
        description='As the method asks: {"choice": "for"}, {"position": "object", "reason": '
        '"…"}, {"ranking": ["A", "B"]} or {"scores": {"A": {"cost": 3}}}'
    )
    receipt: OneLine = Field(
        "", max_length=100, description="The earlier receipt, to change a secret ballot"
    )


class CastOut(Schema):
    number: int
    changed: bool
    receipt: str = Field(description="Shown once: keep it to check your ballot was counted")


class ReceiptQuery(Schema):
    receipt: OneLine = Field(max_length=100, description="The receipt you were shown")


class ReceiptOut(Schema):
    number: int
    found: bool
    counted: bool
    ballot: dict[str, Any] | None
    sentence: str


class RecountOut(Schema):
    number: int
    matches: bool
    sentence: str
    phases: list[dict[str, Any]]


@router.get("", response={200: list[ProposalOut], **E422})
@paged
def list_decisions(request: HttpRequest) -> Any:
    """Every proposal, newest first."""
    return selectors.proposals()


@router.get("/{number}", response={200: DecisionOut, **E404, **E422})
def get_decision(request: HttpRequest, number: PathId) -> dict[str, Any]:
    """One decision: its fixed terms, carried action (with its diff), who voted, the tally."""
    return presenting.as_dict(number)


@router.post("", auth=member_auth, response={201: DecisionOut, **WRITE, **E404, **E409})
def propose(request: HttpRequest, payload: ProposalIn) -> Status[Any]:
    """Make a proposal; its terms are fixed from now on."""
    given = payload.dict()
    made = services.propose(acting_member(request), **given)
    return Status(201, presenting.as_dict(made))


@router.post("/{number}/ballot", auth=member_auth, response={200: CastOut, **WRITE, **E404, **E409})
def vote(request: HttpRequest, number: PathId, payload: BallotIn) -> dict[str, Any]:
    """Cast or change your ballot until the close; the receipt is shown this once."""
    cast = services.vote(acting_member(request), number, payload.ballot, receipt=payload.receipt)
    return {"number": number, "changed": cast.changed, "receipt": cast.receipt}


@router.get("/{number}/receipt", response={200: ReceiptOut, **E404, **E422})
def check_receipt(request: HttpRequest, number: PathId, receipt: Query[ReceiptQuery]) -> Any:
    """Whether the ballot of a receipt is stored or counted, and with what content."""
    return selectors.check_receipt(number, receipt.receipt)


@router.get("/{number}/recount", response={200: RecountOut, **E404, **E422})
def recount(request: HttpRequest, number: PathId) -> Any:
    """Recount from the published ballots and compare with the stored tally."""
    return selectors.recount(number)


@router.post(
    "/{number}/close", auth=member_auth, response={200: DecisionOut, **WRITE, **E404, **E409}
)
def close(request: HttpRequest, number: PathId) -> dict[str, Any]:
    """Close a decision after its closing time (any member may); runs its action if passed."""
    return presenting.as_dict(services.close_decision(number))
