"""The steward phase over the API: ``GET /api/steward``."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from commonshare.work import steward

router = Router(tags=["steward"])


class StewardOut(Schema):
    id: int
    display_name: str


class StewardRulesOut(Schema):
    first_members: int
    ends_at_level2_members: int
    ends_at_first_decision: bool
    ends_after_days: int


class StewardPhaseOut(Schema):
    is_open: bool
    began_at: dt.datetime | None
    ends_by: dt.datetime | None
    ended_at: dt.datetime | None
    reason: str | None
    decision_number: int | None
    recorded: bool
    stewards: list[StewardOut]
    waiting: int
    earned_level2: int
    rules: StewardRulesOut
    summary: list[str]


@router.get("", response={200: StewardPhaseOut})
def steward_phase(request: HttpRequest) -> dict[str, object]:
    """Who the stewards are, whether the phase is open, and what ends (or ended) it."""
    current = steward.phase()
    return {
        "is_open": current.is_open,
        "began_at": current.began_at,
        "ends_by": current.ends_by,
        "ended_at": current.ended_at,
        "reason": current.reason,
        "decision_number": current.decision_number,
        "recorded": current.recorded,
        "stewards": steward.steward_names(current),
        "waiting": current.waiting,
        "earned_level2": current.earned_level2,
        "rules": current.rules.__dict__,
        "summary": steward.summary(current),
    }
