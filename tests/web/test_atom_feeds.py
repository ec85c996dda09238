"""The Atom feeds are valid Atom (RFC 4287) and say what the pages say.

Each feed is checked twice: by feedparser, a maintained parser that flags a malformed
feed (``bozo``), and by reading the XML for what RFC 4287 requires of every feed (id,
title, updated, an author for every entry) and every entry (id, title, updated, an
alternate link), with ids that are absolute IRIs, unique, and the same on every fetch.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from commonshare.decisions import services as decisions
from tests.decisions.helpers import make_proposal

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def community(paid: SimpleNamespace, make_member: Any) -> SimpleNamespace:
    """The paid world, with an open decision Ben voted on and a secret one he voted on."""
    paid.open_vote = make_proposal(paid.ada, title="Paint the door")
    paid.secret_vote = make_proposal(paid.ada, title="Choose a name", secret=True)
    decisions.vote(paid.ben, paid.open_vote.number, {"choice": "for"})
    decisions.vote(paid.ben, paid.secret_vote.number, {"choice": "against"})
    return paid


def _feeds(world: SimpleNamespace) -> dict[str, str]:
    return {
        "activity": reverse("web:activity_atom"),
        "member": reverse("web:member_atom", args=[world.ben.pk]),
        "books": reverse("web:entries_atom"),
        "decisions": reverse("web:decisions_atom"),
    }


def _is_datetime(text: str | None) -> bool:
    """An RFC 3339 date-time with its offset, as RFC 4287 section 3.3 asks."""
    assert text, "a date element is empty"
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.tzinfo is not None and "T" in text


def check_atom(body: bytes) -> list[ET.Element]:
    """Fail unless ``body`` is an Atom feed with every element RFC 4287 requires."""
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(body)  # noqa: S314 (our own feed, made by the test just now)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        found = root.findall(f"{ATOM}{name}")
        assert len(found) == 1 and (found[0].text or "").strip(), f"feed {name}"
    assert _is_datetime(root.findtext(f"{ATOM}updated"))
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    assert root.find(f"{ATOM}link[@rel='alternate']") is not None
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    entries = root.findall(f"{ATOM}entry")
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            found = entry.findall(f"{ATOM}{name}")
            assert len(found) == 1 and (found[0].text or "").strip(), f"entry {name}"
        assert _is_datetime(entry.findtext(f"{ATOM}updated"))
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("rel", "alternate") == "alternate"
        assert (link.get("href") or "").startswith("http://testserver/")
        assert feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(set(ids)) == len(ids), "entry ids repeat"
    assert all(i and i.startswith("tag:testserver,") for i in ids), ids
    return entries


@pytest.mark.parametrize("name", ["activity", "member", "books", "decisions"])
def test_each_feed_is_valid_atom_with_entries(community: SimpleNamespace, name: str) -> None:
    url = _feeds(community)[name]
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = check_atom(response.content)
    assert entries, f"the {name} feed has no entry"
    again = check_atom(Client().get(url).content)
    assert [e.findtext(f"{ATOM}id") for e in again] == [e.findtext(f"{ATOM}id") for e in entries]


def test_an_empty_feed_is_still_valid_atom(db: Any) -> None:
    for url in (reverse("web:activity_atom"), reverse("web:decisions_atom")):
        assert check_atom(Client().get(url).content) == []


def test_the_activity_feed_says_what_the_page_says(community: SimpleNamespace) -> None:
    parsed = feedparser.parse(Client().get(reverse("web:activity_atom")).content)
    titles = [entry.title for entry in parsed.entries]
    assert "Ada created the task Write the guide." in titles
    assert f"Ben voted on decision {community.open_vote.number}." in titles
    assert f"Ben voted on decision {community.secret_vote.number}." not in titles
    task = next(e for e in parsed.entries if e.title == "Ada created the task Write the guide.")
    assert task.link == f"http://testserver{reverse('web:task', args=[community.task.pk])}"
    assert task.author == "Ada"
    # The close of the distribution's decision, when due, is nobody's: the community's.
    closed = next(e for e in parsed.entries if "closed decision" in e.title)
    assert closed.author == "Commonshare"


def test_a_members_feed_is_theirs_and_a_missing_member_is_a_404(
    community: SimpleNamespace,
) -> None:
    parsed = feedparser.parse(
        Client().get(reverse("web:member_atom", args=[community.ben.pk])).content
    )
    assert parsed.entries and {entry.author for entry in parsed.entries} == {"Ben"}
    assert "Ben" in parsed.feed.title
    assert Client().get("/members/999999/activity/feed/").status_code == 404


def test_the_books_feed_has_each_new_entry(community: SimpleNamespace) -> None:
    parsed = feedparser.parse(Client().get(reverse("web:entries_atom")).content)
    seqs = [int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in parsed.entries]
    assert seqs == sorted(seqs, reverse=True) and seqs
    for entry, seq in zip(parsed.entries, seqs, strict=True):
        assert entry.title.startswith(f"Journal entry {seq}: ")
    assert any("100.00" in e.summary for e in parsed.entries)


def test_the_decisions_feed_has_each_decision(community: SimpleNamespace) -> None:
    parsed = feedparser.parse(Client().get(reverse("web:decisions_atom")).content)
    titles = [entry.title for entry in parsed.entries]
    assert f"Decision {community.open_vote.number}: Paint the door" in titles
    assert f"Decision {community.secret_vote.number}: Choose a name" in titles
    assert all(entry.author for entry in parsed.entries)


@pytest.mark.parametrize(
    ("view", "feed"),
    [
        ("web:home", "web:activity_atom"),
        ("web:activity", "web:activity_atom"),
        ("web:books", "web:entries_atom"),
        ("web:entries", "web:entries_atom"),
        ("web:decisions", "web:decisions_atom"),
    ],
)
def test_pages_name_their_feed_in_their_head(
    community: SimpleNamespace, view: str, feed: str
) -> None:
    html = Client().get(reverse(view)).content.decode()
    head = html[: html.index("</head>")]
    assert f'<link rel="alternate" type="application/atom+xml" href="{reverse(feed)}"' in head


def test_a_members_page_names_their_feed_in_its_head(community: SimpleNamespace) -> None:
    for view in ("web:member", "web:member_activity"):
        html = Client().get(reverse(view, args=[community.ben.pk])).content.decode()
        head = html[: html.index("</head>")]
        assert f'href="{reverse("web:member_atom", args=[community.ben.pk])}"' in head
