"""Keeping the search index: ``index(record)``, ``remove(record)``, ``rebuild()``, and the
audit subscriber that re-indexes each event's record after its commit.

The index is derived data, like a cache: its writes are not actions and record no audit
event (the write they follow has recorded its own). Re-indexing after the commit can be
lost (the process dies between the commit and the hook, or the hook fails and is
logged): a search then shows an older text until the next write to that record, or
until ``commonshare search reindex`` rebuilds everything. What must never show, a
deleted comment or a member who left, is also checked against the records when a page
of results is read (``selectors.search``), so a lost hook cannot show it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Model, Q, QuerySet
from django.urls import reverse

from commonshare.community.models import Member
from commonshare.core import search as text
from commonshare.decisions.models import Proposal
from commonshare.discussion.models import Comment, Thread
from commonshare.discussion.vocab import PAGE_SIZE as THREAD_PAGE_SIZE
from commonshare.governance.models import NormVersion
from commonshare.search import vocab
from commonshare.search.models import Entry
from commonshare.work.models import Contribution, Task

if TYPE_CHECKING:
    from commonshare.audit.models import AuditEvent

log = logging.getLogger(__name__)
Kind = vocab.Kind


_SLOT = "987654321"


@functools.cache
def _pattern(name: str) -> str:
    """The path of page ``name`` with ``{}`` for its one argument (reverse once per name:
    a rebuild makes hundreds of thousands of paths)."""
    return reverse(name, args=[_SLOT]).replace(_SLOT, "{}")


def _page(name: str, argument: object) -> str:
    return _pattern(name).format(argument)


@dataclass(frozen=True)
class Document:
    """What one record is found by, and where its page is."""

    kind: str
    object_id: int
    title: str
    body: str
    path: str
    place: str = ""

    def fields(self) -> dict[str, Any]:
        return {
            "title": text.clean(self.title)[: vocab.TITLE_MAX],
            "body": text.clean(text.as_text(self.body)),
            "path": self.path[: vocab.PATH_MAX],
            "place": self.place[: vocab.PLACE_MAX],
        }


# --- what each kind of record is found by ------------------------------------------------


def _task(task: Task) -> Document:
    return Document(Kind.TASK, task.pk, task.title, task.description, _page("web:task", task.pk))


def _contribution(contribution: Contribution) -> Document:
    return Document(
        Kind.CONTRIBUTION,
        contribution.pk,
        contribution.summary,
        contribution.description,
        _page("web:contribution", contribution.pk),
    )


# The page of each kind of record a thread can be on, by how its subject is written.
_RECORD_PAGES = {
    "task": "web:task",
    "contribution": "web:contribution",
    "proposal": "web:decision",
    "distribution": "web:distribution",
}


def _thread_page(thread: Thread) -> str:
    """The page that shows ``thread``: its record's page, or the forum topic's."""
    if thread.is_topic:
        return _page("web:topic", thread.pk)
    kind, _, number = thread.written.partition("-")
    if kind in _RECORD_PAGES:
        return _page(_RECORD_PAGES[kind], number)
    version = NormVersion.objects.filter(pk=number).first()
    if version is None:
        return _page("web:discussion", thread.written)
    return reverse("web:norm_version", args=[version.kind, version.number])


def _position(comment: Comment) -> int:
    """How many of its thread's top-level comments come before the one it shows under."""
    top = comment.parent if comment.parent_id is not None else comment
    if top is None:  # pragma: no cover - a reply's parent is kept (PROTECT)
        return 0
    earlier = Q(created_at__lt=top.created_at) | Q(created_at=top.created_at, pk__lt=top.pk)
    return Comment.objects.filter(earlier, thread_id=comment.thread_id, parent=None).count()


def _comment(comment: Comment) -> Document | None:
    if comment.is_deleted:
        return None
    thread = comment.thread
    place = thread.title if thread.is_topic else thread.written
    # The thread's page that shows it: a rebuild counts as it goes (``_comments``).
    position = getattr(comment, "search_position", None)
    if position is None:
        position = _position(comment)
    number = position // THREAD_PAGE_SIZE + 1
    shown = f"?comments={number}" if number > 1 else ""
    return Document(
        Kind.COMMENT,
        comment.pk,
        f"{comment.author.display_name} on {place}",
        comment.body,
        f"{_thread_page(thread)}{shown}#comment-{comment.pk}",
        place,
    )


def _comments() -> Iterator[Comment]:
    """Every comment, thread by thread in their order, each told its position (one read)."""
    ordered = Comment.objects.select_related("author", "thread").order_by(
        "thread_id", "created_at", "id"
    )
    thread_id: int | None = None
    count = 0
    positions: dict[int, int] = {}
    for comment in ordered.iterator(chunk_size=vocab.REINDEX_BATCH):
        if comment.thread_id != thread_id:
            thread_id, count, positions = comment.thread_id, 0, {}
        if comment.parent_id is None:
            positions[comment.pk] = count
            count += 1
        parent = comment.parent_id
        comment.search_position = positions.get(comment.pk if parent is None else parent)  # type: ignore[attr-defined]
        if not comment.is_deleted:
            yield comment


def _proposal(proposal: Proposal) -> Document:
    body = "\n\n".join(part for part in (proposal.body, proposal.statement) if part)
    return Document(
        Kind.PROPOSAL,
        proposal.pk,
        proposal.title,
        body,
        _page("web:decision", proposal.number),
        f"proposal-{proposal.number}",
    )


def _norm(version: NormVersion) -> Document | None:
    newest = NormVersion.objects.filter(kind=version.kind).aggregate(n=Max("number"))["n"]
    if version.number != newest:  # only the version in force is found
        return None
    return Document(
        Kind.NORM,
        version.pk,
        version.title,
        version.text,
        reverse("web:norm_version", args=[version.kind, version.number]),
        f"version {version.number}",
    )


def _member(member: Member) -> Document | None:
    if member.left_at is not None or not member.is_active:
        return None
    return Document(
        Kind.MEMBER,
        member.pk,
        member.display_name,
        member.bio,
        _page("web:member", member.pk),
    )


_DOCUMENTS: dict[type[Model], tuple[str, Callable[[Any], Document | None]]] = {
    Task: (Kind.TASK, _task),
    Contribution: (Kind.CONTRIBUTION, _contribution),
    Comment: (Kind.COMMENT, _comment),
    Proposal: (Kind.PROPOSAL, _proposal),
    NormVersion: (Kind.NORM, _norm),
    Member: (Kind.MEMBER, _member),
}
_BY_LABEL = {model._meta.label_lower: model for model in _DOCUMENTS}


def _everything() -> Iterator[Any]:
    """Every record of every kind, read in batches, with what its document needs."""
    sources: list[Iterable[Any]] = [
        Task.objects.order_by("pk"),
        Contribution.objects.order_by("pk"),
        _comments(),
        Proposal.objects.order_by("pk"),
        NormVersion.objects.order_by("kind", "number"),
        Member.objects.filter(left_at=None, is_active=True).order_by("pk"),
    ]
    for source in sources:
        if isinstance(source, QuerySet):
            yield from source.iterator(chunk_size=vocab.REINDEX_BATCH)
        else:
            yield from source


# --- the interface -----------------------------------------------------------------------


def is_indexed(record: Model) -> bool:
    return type(record) in _DOCUMENTS


def index(record: Model) -> None:
    """Make ``record``'s entry say what it says now; remove it if it should not be found
    (a deleted comment, a member who left, a norm version no longer in force)."""
    kind, document_of = _DOCUMENTS[type(record)]
    document = document_of(record)
    if document is None:
        remove(record)
        return
    Entry.objects.update_or_create(kind=kind, object_id=record.pk, defaults=document.fields())
    if kind == Kind.NORM:  # the version it replaced is no longer found
        older = NormVersion.objects.filter(kind=record.kind).exclude(pk=record.pk)  # type: ignore[attr-defined]
        Entry.objects.filter(kind=kind, object_id__in=older.values("pk")).delete()


def remove(record: Model) -> None:
    """Take ``record`` out of the index (nothing happens if it is not in it)."""
    kind, _ = _DOCUMENTS[type(record)]
    Entry.objects.filter(kind=kind, object_id=record.pk).delete()


def record_count() -> int:
    """How many records ``rebuild`` reads: the length of its progress bar."""
    return (
        Task.objects.count()
        + Contribution.objects.count()
        + Comment.objects.filter(deleted_at=None).count()
        + Proposal.objects.count()
        + NormVersion.objects.count()
        + Member.objects.filter(left_at=None, is_active=True).count()
    )


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and index every record again, in one transaction; the number of
    entries made. ``progress(n)`` is told of each ``n`` records read."""
    made = 0
    with transaction.atomic():
        Entry.objects.all().delete()
        batch: list[Entry] = []
        read = 0
        for record in _everything():
            kind, document_of = _DOCUMENTS[type(record)]
            document = document_of(record)
            read += 1
            if document is not None:
                batch.append(Entry(kind=kind, object_id=record.pk, **document.fields()))
            if len(batch) >= vocab.REINDEX_BATCH or read >= vocab.REINDEX_BATCH:
                made += _flush(batch)
                if progress is not None:
                    progress(read)
                read = 0
        made += _flush(batch)
        if progress is not None and read:
            progress(read)
    return made


def _flush(batch: list[Entry]) -> int:
    Entry.objects.bulk_create(batch)
    count = len(batch)
    batch.clear()
    return count


def is_empty() -> bool:
    return not Entry.objects.exists()


# --- kept current from the audit log -----------------------------------------------------

REBUILD_AFTER = frozenset({"sample.community.generated"})
"""Events after which everything is indexed again: rows written in bulk, without events."""
NORMS_AFTER = frozenset({"decisions.proposal.closed"})
"""Events after which the norms in force are indexed again: a closed decision may have
adopted a new version (its event names the proposal, not the version)."""


def on_event(event: AuditEvent) -> None:
    """Re-index the record ``event`` is about (runs after the action's commit).

    A closed decision may have adopted a norm version, so the norms in force are indexed
    again with it (``NORMS_AFTER``).
    """
    if event.code in REBUILD_AFTER:
        rebuild()
        return
    model = _BY_LABEL.get(event.target_type)
    if model is None:
        return
    record = model._default_manager.filter(pk=event.target_id).first()
    if record is None:
        Entry.objects.filter(kind=_DOCUMENTS[model][0], object_id=event.target_id).delete()
        return
    index(record)
    if event.code in NORMS_AFTER:
        for version in norms_in_force():
            index(version)


def norms_in_force() -> list[NormVersion]:
    newest = NormVersion.objects.values("kind").annotate(n=Max("number"))
    wanted = {(row["kind"], row["n"]) for row in newest}
    kinds = [kind for kind, _ in wanted]
    return [v for v in NormVersion.objects.filter(kind__in=kinds) if (v.kind, v.number) in wanted]
