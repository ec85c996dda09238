"""Notifications over the API: your list (keyset paged), mark read (one or all), and how
each kind is mailed to you."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from commonshare.apikit import E401, E404, E422, WRITE, PathId, paged_here
from commonshare.community.auth import acting_member, member_auth
from commonshare.notifications import selectors, services, vocab

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="One of the kinds listed by GET /notifications/settings")
    sentence: str
    link: str = Field(description="The page it is about, as a path on this site")
    created_at: Any
    read_at: Any = Field(description="When it was marked read; null while unread")


class NotificationFilter(Schema):
    unread: bool = Field(False, description="Only the unread ones")


class ReadAllOut(Schema):
    marked: int = Field(description="How many unread notifications were marked read")


class UnreadOut(Schema):
    unread: int


class ChoiceOut(Schema):
    kind: str
    description: str
    delivery: str = Field(description="immediately, daily or off")


class PreferencesIn(Schema):
    """For each kind to change, how it is mailed: immediately, daily or off."""

    model_config = ConfigDict(extra="forbid", strict=True)

    choices: dict[str, str] = Field(
        description="Kind → immediately | daily | off; kinds not named keep their choice",
        examples=[{"mention": "daily", "vote_opened": "off"}],
    )


def _choices(member: Any) -> list[dict[str, str]]:
    return [
        {"kind": kind, "description": vocab.KINDS[kind], "delivery": value}
        for kind, value in selectors.preferences_of(member).items()
    ]


@router.get("", auth=member_auth, response={200: list[NotificationOut], **E401, **E422})
@paged_here
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilter], **kwargs: Any
) -> Any:
    """Your notifications, the newest first."""
    page = kwargs["paging"]
    return selectors.page_of(
        acting_member(request), page.cursor, page.limit, unread_only=filters.unread
    )


@router.get("/unread", auth=member_auth, response={200: UnreadOut, **E401})
def unread(request: HttpRequest) -> Any:
    """How many of your notifications are unread (the bell's number)."""
    return {"unread": selectors.unread_count(acting_member(request))}


@router.post(
    "/{notification_id}/read",
    auth=member_auth,
    response={200: NotificationOut, **WRITE, **E404},
)
def mark_read(request: HttpRequest, notification_id: PathId) -> Any:
    """Mark one of your notifications read."""
    return services.mark_read(acting_member(request), notification_id)


@router.post("/read", auth=member_auth, response={200: ReadAllOut, **WRITE})
def mark_all_read(request: HttpRequest) -> Any:
    """Mark every unread notification of yours read."""
    return {"marked": services.mark_all_read(acting_member(request))}


@router.get("/settings", auth=member_auth, response={200: list[ChoiceOut], **E401})
def get_settings(request: HttpRequest) -> Any:
    """How each kind of notification is mailed to you."""
    return _choices(acting_member(request))


@router.put("/settings", auth=member_auth, response={200: list[ChoiceOut], **WRITE})
def put_settings(request: HttpRequest, payload: PreferencesIn) -> Any:
    """Change how some kinds are mailed: immediately, in a daily digest, or off."""
    member = acting_member(request)
    services.set_preferences(member, payload.choices)
    return _choices(member)
