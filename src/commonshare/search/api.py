"""Search over the API: ``GET /api/search?q=…``, ranked and paged by cursor.

No ``from __future__ import annotations``: django-ninja reads the handler's annotations
as objects to build its query schema.
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from commonshare import paging
from commonshare.apikit import E422, paged_here
from commonshare.core.search import MAX_QUERY
from commonshare.search import selectors

router = Router(tags=["search"])

KindName = Literal["task", "contribution", "comment", "proposal", "norm", "member"]


class SearchQuery(Schema):
    q: str = Field(
        max_length=MAX_QUERY,
        description="Words to look for; every one must be found. Signs such as quotes, "
        "* or - are ignored, never read as search syntax.",
        examples=["budget review"],
    )
    kind: list[KindName] | None = Field(
        None, description="Only these kinds of record (repeat the parameter for several)"
    )


class SearchResultOut(Schema):
    kind: KindName
    id: int = Field(description="The record's id (a proposal's, a norm version's...)")
    title: str
    url: str = Field(description="The record's page on the web site")
    place: str = Field(description="Where it is, in words: the thread of a comment")
    snippet: str = Field(description="Text around the words found, as plain text")
    snippet_html: str = Field(
        description="The same snippet as HTML: the text escaped, the words found in <mark>"
    )
    title_html: str


def _out(result: selectors.Result) -> dict[str, Any]:
    return {
        "kind": result.kind,
        "id": result.object_id,
        "title": result.title,
        "url": result.path,
        "place": result.place,
        "snippet": result.snippet,
        "snippet_html": str(result.snippet_html),
        "title_html": str(result.title_html),
    }


@router.get("", response={200: list[SearchResultOut], **E422})
@paged_here
def search(request: HttpRequest, filters: Query[SearchQuery], **kwargs: Any) -> Any:
    """Tasks, contributions, comments, proposals, norms and members matching every word,
    best first. Deleted comments and members who left are never found. An empty query
    (no letters or numbers) is a 422."""
    page = kwargs["paging"]
    found = selectors.search(filters.q, filters.kind, page.cursor, size=page.limit)
    out: paging.Page[dict[str, Any]] = paging.Page(
        [_out(r) for r in found], found.next_cursor, found.previous_cursor
    )
    return out
