"""Thanks over the API: thank a member for a contribution or a review; list a member's."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonshare.apikit import E404, E409, E422, WRITE, PathId, StrictIn, Text, paged
from commonshare.community import selectors as community
from commonshare.community.auth import acting_member, member_auth
from commonshare.work import recognition
from commonshare.work.models import Thanks
from commonshare.work.recognition_selectors import thanks_received
from commonshare.work.vocab import THANKS_NOTE_MAX

router = Router(tags=["thanks"])


class ThanksIn(StrictIn):
    """Thank for exactly one of a contribution or a review."""

    contribution_id: int | None = Field(None, ge=1, le=10**18)
    review_id: int | None = Field(None, ge=1, le=10**18)
    note: Text = Field("", max_length=THANKS_NOTE_MAX)


class ThanksOut(Schema):
    id: int
    thanked_by: int = Field(validation_alias="thanked_by_id")
    member: int = Field(validation_alias="member_id", description="Who was thanked")
    contribution_id: int | None
    review_id: int | None
    note: str
    created_at: dt.datetime
    moves_pay: bool = Field(False, description="Always false: thanks never change pay")


@router.post("/thanks", auth=member_auth, response={201: ThanksOut, **WRITE, **E404, **E409})
def give_thanks(request: HttpRequest, payload: ThanksIn) -> Status[Any]:
    """Thank a member for one contribution or one review (once per item; never yourself).
    Recognition only: it never changes pay."""
    thanks = recognition.thank(
        acting_member(request),
        contribution_id=payload.contribution_id,
        review_id=payload.review_id,
        note=payload.note,
    )
    return Status(201, thanks)


@router.get("/members/{member_id}/thanks", response={200: list[ThanksOut], **E404, **E422})
@paged
def member_thanks(request: HttpRequest, member_id: PathId) -> QuerySet[Thanks]:
    """The thanks a member received, newest first."""
    return thanks_received(community.member(member_id))
