"""The activity feeds over the API: what happened, newest first, as sentences.

``GET /api/activity`` is the community's feed; ``member`` narrows it to what one member
did, ``subject`` to one task (``task-12``) or decision (``proposal-3``, by its number),
and both together to what that member did there. The same events are left out as on the
pages (``commonshare.web.feed``): account business, and when anyone voted on a secret
decision. Public to read, paged by keyset (``cursor``, ``limit``).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from commonshare.apikit import E404, E422, MAX_ID, MemberRef, paged_here
from commonshare.paging import Page
from commonshare.web import feed

router = Router(tags=["activity"])


class ActivityFilter(Schema):
    member: int | None = Field(None, ge=1, le=MAX_ID, description="Only what this member did")
    subject: str | None = Field(
        None,
        max_length=40,
        pattern=r"^(task|proposal)-[1-9][0-9]{0,17}$",
        description="Only what happened on this task (task-N) or decision (proposal-N)",
    )


class ActivityOut(Schema):
    id: int = Field(description="The audit event's id")
    when: dt.datetime
    actor: MemberRef | None = Field(description="Who did it; null: the system")
    text: str = Field(description="The whole sentence, with the actor's name, in plain text")
    html: str = Field(description="The sentence after the actor's name, as HTML with links")
    link: str | None = Field(description="The page of the record it is about, when there is one")


def _out(line: feed.Line) -> dict[str, Any]:
    actor = line.actor
    return {
        "id": line.id,
        "when": line.when,
        "actor": {"id": actor.pk, "display_name": actor.display_name} if actor else None,
        "text": line.text,
        "html": str(line.sentence),
        "link": line.link,
    }


@router.get("/activity", response={200: list[ActivityOut], **E404, **E422})
@paged_here
def activity(request: HttpRequest, filters: Query[ActivityFilter], **kwargs: Any) -> Any:
    """What happened, newest first: one sentence per audit event."""
    asked = kwargs["paging"]
    events = feed.chosen(member_id=filters.member, subject=filters.subject)
    found = feed.page(events, cursor=asked.cursor, size=asked.limit)
    return Page([_out(line) for line in found.items], found.next_cursor, found.previous_cursor)
