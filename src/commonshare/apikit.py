"""Schemas and input types shared by every router (the apps' and ``api/``'s own).

It imports no app and no router, and sits below the apps in pyproject's import-linter
layers, so the apps' ``api.py`` and ``schemas.py`` import it while ``api/main.py``
mounts their routers, without a cycle. Who is calling is ``community.auth``.

Inputs are strict (a number where a string is expected is refused) and forbid
unknown fields; amounts and other decimals travel as strings, never floats.
Outputs are separate classes, so nothing private leaks by accident.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Schema
from ninja.pagination import PaginationBase, paginate
from ninja.utils import contribute_operation_callback
from pydantic import AfterValidator, ConfigDict, PlainValidator, WithJsonSchema

from commonshare import paging

MAX_ID = 2**63 - 1
MAX_LIMIT = 100

# A database id: positive and small enough for a 64-bit column.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A decimal number written as a string: "12.50", "3", "0.125".
DecimalStr = Annotated[
    str, Field(pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$", max_length=20, examples=["12.50"])
]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", examples=["EUR"])]


# Free text without NUL bytes (PostgreSQL cannot store them); give max_length per field.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]

_NOT_ONE_LINE = {"Cc", "Cf", "Zl", "Zp"}


def _one_line(value: str) -> str:
    if any(unicodedata.category(char) in _NOT_ONE_LINE for char in value):
        raise ValueError("give one line of text, without control or formatting characters")
    return value


# One line of text, as the journal requires of what goes into an entry's description.
OneLine = Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]*$"), AfterValidator(_one_line)]


def _iso_date(value: object) -> dt.date:
    if not isinstance(value, str):
        raise ValueError("give a date as a string, YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("give a date as YYYY-MM-DD") from None


# A calendar date given as an ISO string; strict mode would refuse strings for dates.
IsoDate = Annotated[
    dt.date,
    PlainValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-01-31"]}),
]


class StrictIn(Schema):
    """Base of every JSON input: no unknown fields, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorOut(Schema):
    """Every refusal: what went wrong and, when it is about one input, which field."""

    detail: str
    field: str | None = None


class FieldErrorOut(Schema):
    field: str | None = None
    message: str


class ValidationErrorOut(ErrorOut):
    """Bad input; ``errors`` lists every problem found, the first being ``detail``/``field``."""

    errors: list[FieldErrorOut] = []


class MemberRef(Schema):
    id: int
    display_name: str


class Pagination(PaginationBase):
    """Keyset pages (``commonshare.paging``): ``cursor``, ``limit`` in; ``next``, ``previous`` out.

    The rows come in the order the selector gives them (ending in a unique key);
    ``next`` is the cursor of the page after this one and ``previous`` of the one
    before, each null at its end of the list. A cursor this list did not hand out
    is a 400 naming the field ``cursor``.
    """

    class Input(Schema):
        cursor: str | None = Field(
            None,
            max_length=paging.MAX_CURSOR_LENGTH,
            pattern=r"^[A-Za-z0-9_-]*$",
            description="Where the page starts: a `next` or `previous` from an earlier page.",
        )
        limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page.")

    class Output(Schema):
        items: list[Any]
        next: str | None = Field(description="The cursor of the page after this one, or null.")
        previous: str | None = Field(description="The cursor of the page before this one, or null.")

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        if isinstance(queryset, paging.Page):  # the view paged it itself (``paged_here``)
            found = queryset
        elif isinstance(queryset, QuerySet):
            found = paging.page(queryset, cursor=pagination.cursor, size=pagination.limit)
        else:  # a short list built in memory, in its own order: keyed by position
            found = paging.page_of_list(
                list(enumerate(queryset)), ["0"], cursor=pagination.cursor, size=pagination.limit
            )
            found = paging.Page(
                [row for _, row in found.items], found.next_cursor, found.previous_cursor
            )
        return {"items": found.items, "next": found.next_cursor, "previous": found.previous_cursor}


def _declares_bad_cursor(operation: Any) -> None:
    operation.response_models[400] = operation._create_response_model(ErrorOut)


def paged(view: Callable[..., Any]) -> Callable[..., Any]:
    """A list endpoint paged by ``Pagination``, with its 400 (a bad cursor) declared."""
    wrapped: Callable[..., Any] = paginate(Pagination)(view)
    contribute_operation_callback(wrapped, _declares_bad_cursor)
    return wrapped


def paged_here(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``paged``, for a view that pages itself: it is given ``paging`` (its
    ``cursor`` and ``limit``) and returns a ``commonshare.paging.Page``."""
    wrapped: Callable[..., Any] = paginate(Pagination, pass_parameter="paging")(view)  # noqa: S106 (a parameter's name)
    contribute_operation_callback(wrapped, _declares_bad_cursor)
    return wrapped


# Response declarations, combined per operation so the schema is an honest contract.
E401: dict[int, Any] = {401: ErrorOut}
E403: dict[int, Any] = {403: ErrorOut}
E404: dict[int, Any] = {404: ErrorOut}
E409: dict[int, Any] = {409: ErrorOut}
E429: dict[int, Any] = {429: ErrorOut}  # too many wrong passwords (community.lockout)
E422: dict[int, Any] = {422: ValidationErrorOut}
WRITE: dict[int, Any] = {**E401, **E403, **E422}
# 413 (a body past the upload limits) and 415 (a JSON route sent another type)
# are declared by api.main on every operation that takes a body of that kind.
