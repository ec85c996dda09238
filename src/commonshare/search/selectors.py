"""Reading the search index: one page of results for a query, best first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from commonshare import paging
from commonshare.community.models import Member
from commonshare.core import search as text
from commonshare.discussion.models import Comment
from commonshare.errors import InvalidInput
from commonshare.search import backends, vocab

_KEYS = [paging.Key("score", True), paging.Key("id", True)]
# Batches read past results that may no longer be shown before a page is given up short.
_MAX_BATCHES = 5


class EmptyQuery(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "Type a word or two to search for: the search looks for letters and numbers, "
            "and ignores other signs.",
            field="q",
        )


@dataclass(frozen=True)
class Result:
    """One thing found: what it is, its title and a snippet with the words found marked."""

    kind: str
    object_id: int
    title: str
    path: str
    place: str
    title_parts: list[tuple[str, bool]]
    snippet_parts: list[tuple[str, bool]]
    score: int
    id: int

    @property
    def kind_words(self) -> str:
        return str(vocab.Kind(self.kind).label)

    @property
    def title_html(self) -> SafeString:
        return _html(self.title_parts)

    @property
    def snippet_html(self) -> SafeString:
        return _html(self.snippet_parts)

    @property
    def snippet(self) -> str:
        return "".join(part for part, _ in self.snippet_parts)


def _html(parts: list[tuple[str, bool]]) -> SafeString:
    """The parts escaped, the matched ones inside ``<mark>``: no text is ever markup."""
    out = "".join(f"<mark>{escape(p)}</mark>" if hit else str(escape(p)) for p, hit in parts)
    return mark_safe(out)  # noqa: S308 - every part was escaped just above


def kinds_of(kinds: Iterable[str] | None) -> list[str]:
    """The kinds asked for (all when none), each checked."""
    chosen = [k for k in (kinds or []) if k]
    if not chosen:
        return list(vocab.Kind.values)
    known = set(vocab.Kind.values)
    for kind in chosen:
        if kind not in known:
            names = ", ".join(vocab.Kind.values)
            raise InvalidInput(
                f"Search can look among {names}; “{kind}” is not one of them.", field="kind"
            )
    return sorted(set(chosen))


def search(
    query: str,
    kinds: Iterable[str] | None = None,
    cursor: str | None = None,
    *,
    size: int = vocab.PAGE_SIZE,
) -> paging.Page[Result]:
    """The page of results for ``query`` that ``cursor`` points at, best first.

    Every word must be found. A deleted comment or a member who left is never shown,
    even while the index still holds them (see ``indexing``).
    """
    words = text.words(query or "")
    if not words:
        raise EmptyQuery
    chosen = kinds_of(kinds)
    size = min(max(size, 1), vocab.MAX_PAGE_SIZE)
    direction, values = paging.decode(cursor, None, _KEYS)
    mark = _mark(values)
    after = mark if direction == paging.AFTER else None
    before = mark if direction == paging.BEFORE else None
    shown: list[Result] = []
    more = False
    for _ in range(_MAX_BATCHES):
        hits = backends.find(words, kinds=chosen, after=after, before=before, limit=size + 1)
        walked = hits if before is None else hits[::-1]  # in the order walked
        kept = _shown(walked)
        shown.extend(kept)
        if len(shown) > size or len(hits) <= size:
            more = len(shown) > size
            break
        last = walked[-1]
        if before is None:
            after = (last.score, last.id)
        else:
            before = (last.score, last.id)
    else:
        more = True
    shown = shown[:size]
    if direction == paging.BEFORE:
        shown.reverse()
    return _page(shown, direction, moved=values is not None, more=more)


def _mark(values: list[object] | None) -> tuple[int, int] | None:
    if values is None:
        return None
    score, pk = values
    if not isinstance(score, int) or not isinstance(pk, int):
        raise paging.BadCursor
    if not (-(2**62) < score < 2**62 and 0 < pk < 2**62):
        raise paging.BadCursor
    return score, pk


def _page(rows: list[Result], direction: str, *, moved: bool, more: bool) -> paging.Page[Result]:
    if not rows:
        return paging.Page([], None, None)
    ahead = more if direction == paging.AFTER else moved
    behind = moved if direction == paging.AFTER else more
    first, last = rows[0], rows[-1]
    return paging.Page(
        rows,
        paging.encode(paging.AFTER, [last.score, last.id]) if ahead else None,
        paging.encode(paging.BEFORE, [first.score, first.id]) if behind else None,
    )


def _shown(hits: list[backends.Hit]) -> list[Result]:
    """The hits that may be shown, checked against the records themselves."""
    comments = [h.object_id for h in hits if h.kind == vocab.Kind.COMMENT]
    members = [h.object_id for h in hits if h.kind == vocab.Kind.MEMBER]
    live_comments = (
        set(Comment.objects.filter(pk__in=comments, deleted_at=None).values_list("pk", flat=True))
        if comments
        else set()
    )
    live_members = (
        set(
            Member.objects.filter(pk__in=members, left_at=None, is_active=True).values_list(
                "pk", flat=True
            )
        )
        if members
        else set()
    )
    results = []
    for hit in hits:
        if hit.kind == vocab.Kind.COMMENT and hit.object_id not in live_comments:
            continue
        if hit.kind == vocab.Kind.MEMBER and hit.object_id not in live_members:
            continue
        results.append(
            Result(
                kind=hit.kind,
                object_id=hit.object_id,
                title=hit.title,
                path=hit.path,
                place=hit.place,
                title_parts=text.marked(hit.title_marked or hit.title),
                snippet_parts=text.marked(hit.snippet or ""),
                score=hit.score,
                id=hit.id,
            )
        )
    return results
