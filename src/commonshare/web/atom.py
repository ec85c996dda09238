"""Atom feeds (RFC 4287, Django's syndication framework) of what the pages show.

- ``/activity/feed/``: the community's activity, the same events as ``/activity/``;
- ``/members/N/activity/feed/``: what one member did;
- ``/books/entries/feed/``: the open books' newest journal entries;
- ``/decisions/feed/``: the newest decisions, each updated when it closes.

Each holds the newest ``ATOM_SIZE`` items: a feed reader keeps what it has seen, so a
feed pages nothing. Entry ids are tag URIs (RFC 4151) that name the site's host, the day
the record was made and the record, so they never change and two communities' event 7
are two entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from commonshare.books import journal
from commonshare.books.selectors import entries as book_entries
from commonshare.community import selectors as community
from commonshare.decisions import selectors as decisions
from commonshare.errors import NotFound
from commonshare.web import feed, formatting
from commonshare.web.views.decisions import OUTCOME_WORDS

AUTHOR = "Commonshare"


@dataclass(frozen=True)
class Item:
    """One entry: what it shows, and the host its id names."""

    host: str
    key: str
    made: dt.datetime
    title: str
    link: str
    author: str
    updated: dt.datetime
    summary: str | None = None


def _tag(host: str, made: dt.datetime, key: str) -> str:
    return f"tag:{host.split(':', maxsplit=1)[0]},{made.date().isoformat()}:{key}"


class _AtomFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    author_name = AUTHOR

    def item_title(self, item: Item) -> str:
        return item.title

    def item_description(self, item: Item) -> str | None:  # type: ignore[override]
        return item.summary  # None: the entry has no summary (its title says it all)

    def item_link(self, item: Item) -> str:
        return item.link

    def item_guid(self, item: Item) -> str:
        return _tag(item.host, item.made, item.key)

    item_guid_is_permalink = False

    def item_author_name(self, item: Item) -> str:
        return item.author

    def item_pubdate(self, item: Item) -> dt.datetime:
        return item.made

    def item_updateddate(self, item: Item) -> dt.datetime:
        return item.updated


def _activity_items(host: str, lines: list[feed.Line], fallback: str) -> list[Item]:
    return [
        Item(
            host=host,
            key=f"event-{line.id}",
            made=line.when,
            title=line.text,
            link=line.link or f"{fallback}#event-{line.id}",
            # The system's own events (a decision closed when due) are the community's.
            author=line.who if line.actor is not None else AUTHOR,
            updated=line.when,
        )
        for line in lines
    ]


class CommunityActivityFeed(_AtomFeed):
    title = "Commonshare: activity"
    subtitle = "Everything done in the community, newest first."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return request.get_host()

    def link(self) -> str:
        return reverse("web:activity")

    def items(self, host: str) -> list[Item]:
        lines = feed.latest(feed.community(), feed.ATOM_SIZE)
        return _activity_items(host, lines, reverse("web:activity"))


@dataclass(frozen=True)
class _Of:
    host: str
    member: Any


class MemberActivityFeed(_AtomFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> _Of:
        try:
            return _Of(request.get_host(), community.member(kwargs["member_id"]))
        except NotFound as error:
            raise Http404(str(error)) from None

    def title(self, of: _Of) -> str:
        return f"Commonshare: what {of.member.display_name} did"

    def subtitle(self, of: _Of) -> str:
        return f"Everything {of.member.display_name} did in the community, newest first."

    def link(self, of: _Of) -> str:
        return reverse("web:member_activity", args=[of.member.pk])

    def items(self, of: _Of) -> list[Item]:
        lines = feed.latest(feed.of_member(of.member.pk), feed.ATOM_SIZE)
        return _activity_items(of.host, lines, self.link(of))


class JournalFeed(_AtomFeed):
    title = "Commonshare: the open books"
    subtitle = "New entries of the journal, newest first: every amount in and out."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return request.get_host()

    def link(self) -> str:
        return reverse("web:entries")

    def items(self, host: str) -> list[Item]:
        head, _ = journal.head()
        rows = book_entries.entries_between(max(head - feed.ATOM_SIZE, 0), head)
        names = community.members_by_id({row["actor"] for row in rows if row["actor"]})
        return [self._item(host, row, names.get(row["actor"] or "")) for row in rows]

    def _item(self, host: str, row: dict[str, Any], actor: Any) -> Item:
        seq = row["seq"]
        lines = [
            f"{p['account']}: {formatting.money(abs(p['minor']), p['currency'])} "
            f"{'debit' if p['minor'] > 0 else 'credit'}"
            for p in row["postings"]
        ]
        return Item(
            host=host,
            key=f"journal-entry-{seq}",
            made=row["created_at"],
            title=f"Journal entry {seq}: {row['description']}",
            link=reverse("web:entry", args=[seq]),
            author=actor.display_name if actor is not None else AUTHOR,
            updated=row["created_at"],
            summary="; ".join(lines) or None,
        )


class DecisionsFeed(_AtomFeed):
    title = "Commonshare: decisions"
    subtitle = "Proposals as they are made, and again when they close with their outcome."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return request.get_host()

    def link(self) -> str:
        return reverse("web:decisions")

    def items(self, host: str) -> list[Item]:
        return [
            Item(
                host=host,
                key=f"decision-{p.number}",
                made=p.created_at,
                title=f"Decision {p.number}: {p.title}",
                link=reverse("web:decision", args=[p.number]),
                author=p.proposer.display_name,
                updated=p.closed_at or p.created_at,
                summary=_decision_summary(p),
            )
            for p in decisions.proposals()[: feed.ATOM_SIZE]
        ]


def _decision_summary(proposal: Any) -> str:
    if proposal.closed_at is None:
        return f"Open for votes until {formatting.moment(proposal.closes_at)}."
    outcome = OUTCOME_WORDS.get(proposal.outcome)
    closed = f"Closed {formatting.moment(proposal.closed_at)}"
    return f"{closed}: {outcome.lower()}." if outcome else f"{closed}."
