"""Which audit events each activity feed shows, and each event as a line to read.

Four feeds: the community's (everything public), a member's (what they did), a task's
(the task, its contributions and their reviews, its discussion) and a decision's (the
proposal, its ballots when they are open, its discussion). The web pages, the Atom
feeds, the API and ``commonshare activity`` all read them here, so the same events are
left out everywhere:

- a member's own account business (a password chosen through a mailed link, an e-mail
  address verified, API keys made or withdrawn), which tells others nothing about the
  community's work and a little about the account's security;
- the casting of a ballot on a secret decision. Who voted is public (the voter roll) but
  the roll deliberately keeps no time, so nobody can line a change in a running count up
  with one voter; a feed that said "Ana voted on decision 4 at 14:02" would undo that.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from commonshare import paging
from commonshare.audit import selectors as audit
from commonshare.audit.models import AuditEvent
from commonshare.community import selectors as community_reads
from commonshare.decisions import selectors as decisions
from commonshare.errors import InvalidInput
from commonshare.web.activity import describe_all
from commonshare.work import selectors as work

# A member's own account business: not the community's news (see the module's text).
# A trust level is shown on every public profile, so its changes (``work.trust_level.*``)
# are public too: the feed says what anyone could see by comparing the profile over time.
PRIVATE_CODES = (
    "community.member.email_verified",
    "community.member.password_reset",
    "community.token.created",
    "community.token.revoked",
    # Reading one's notifications and choosing what is mailed are one's own business too.
    "notifications.notification.read",
    "notifications.notification.all_read",
    "notifications.preferences.changed",
    "notifications.preferences.unsubscribed",
)
BALLOT_CAST = "decisions.ballot.cast"
PAGE_SIZE = 50
HOME_SIZE = 20
ATOM_SIZE = 50

_HREF = re.compile(r'href="([^"]+)"')


def hidden() -> Q:
    """What no feed shows: account business, and the ballots of secret decisions."""
    return audit.coded(*PRIVATE_CODES) | (
        Q(code=BALLOT_CAST) & audit.on("decisions.proposal", decisions.secret_proposal_ids())
    )


def community() -> QuerySet[AuditEvent]:
    return audit.events(hidden=hidden())


def of_member(member_id: int) -> QuerySet[AuditEvent]:
    return audit.events(actor_id=member_id, hidden=hidden())


def of_task(task_id: int) -> QuerySet[AuditEvent]:
    about = (
        audit.on("work.task", task_id)
        | audit.on("work.contribution", work.contribution_ids_of_task(task_id))
        | audit.on("work.review", work.review_ids_of_task(task_id))
        | audit.in_thread(f"task-{task_id}")
    )
    return audit.events(about=about, hidden=hidden())


def of_proposal(proposal_pk: int, number: int) -> QuerySet[AuditEvent]:
    about = audit.on("decisions.proposal", proposal_pk) | audit.in_thread(f"proposal-{number}")
    return audit.events(about=about, hidden=hidden())


SUBJECT = re.compile(r"(task|proposal)-([1-9][0-9]{0,17})")
"""A feed's subject as the API and the command take it: ``task-12``, ``proposal-3``."""


def of_subject(subject: str) -> QuerySet[AuditEvent]:
    """The feed of ``task-N`` or ``proposal-N`` (N: the decision's number); NotFound when
    there is no such record."""
    match = SUBJECT.fullmatch(subject.strip().lower())
    if match is None:
        raise InvalidInput(
            f"A feed's subject is a task or a decision, written task-N or proposal-N; "
            f"“{subject}” is neither.",
            field="subject",
        )
    kind, number = match.group(1), int(match.group(2))
    if kind == "task":
        return of_task(work.task(number).pk)
    proposal = decisions.proposal(number)
    return of_proposal(proposal.pk, proposal.number)


def chosen(*, member_id: int | None = None, subject: str | None = None) -> QuerySet[AuditEvent]:
    """The community's feed, narrowed to a member's doings and to a subject's, as asked."""
    events = of_subject(subject) if subject else community()
    if member_id is not None:
        events = events.filter(actor_id=community_reads.member(member_id).pk)
    return events


@dataclass(frozen=True)
class Line:
    """One event to show: who (a member or None), the sentence after their name (HTML,
    safe), when, and the same sentence as plain text with the name in front."""

    id: int  # the event's, which the keyset pages walk
    actor: Any
    sentence: SafeString
    when: Any
    text: str
    link: str | None

    @property
    def who(self) -> str:
        return self.actor.display_name if self.actor is not None else "Someone"


def lines(events: list[AuditEvent]) -> list[Line]:
    """The events as lines, their records read in bulk (one query per kind of record)."""
    return [
        _line(event, described)
        for event, described in zip(events, describe_all(events), strict=True)
    ]


def _line(event: AuditEvent, described: dict[str, Any]) -> Line:
    sentence: SafeString = described["sentence"]
    actor = described["actor"]
    who = actor.display_name if actor is not None else "Someone"
    found = _HREF.search(sentence)
    return Line(
        id=event.pk,
        actor=actor,
        sentence=sentence,
        when=described["when"],
        text=f"{who} {html.unescape(strip_tags(sentence))}.",
        link=html.unescape(found.group(1)) if found else None,
    )


def page(
    events: QuerySet[AuditEvent], *, cursor: str | None = None, size: int = PAGE_SIZE
) -> paging.Page[Line]:
    """One keyset page of ``events`` (newest first), as lines."""
    return paging.page(events, cursor=cursor, size=size, dress=lines)


def latest(events: QuerySet[AuditEvent], size: int) -> list[Line]:
    return lines(list(events[:size]))


def latest_in_community(size: int) -> list[Line]:
    """The community's latest ``size`` lines, kept under the newest event's id.

    Whatever a line says (a name, a title, a comment's tombstone) changes only by an
    action, and every action records an event: until the next one, the lines stay right.
    """
    newest = audit.newest_event_id()
    key = f"commonshare.feed.latest:{newest}:{size}:{translation.get_language()}"
    found: list[Line] | None = cache.get(key)
    if found is None:
        found = latest(community(), size)
        cache.set(key, found, 24 * 60 * 60)
    return found
