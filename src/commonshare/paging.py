"""Keyset paging: one page of any list, at the same cost on page 1 and page 10,000.

Every list on the web, in the API and in the commands is paged here. A page is
found by the keys of the row it starts after (or ends before), never by an
offset, so the database walks an index from that row and reads ``size + 1``
rows, however deep the page is. The ordering must end in a unique key: the
primary key is appended when the queryset's ordering does not end in one.

The cursor handed out is opaque to the reader: URL-safe base64 of a small JSON
list ``[direction, key values...]``, where the direction is ``"a"`` (the rows
after these keys) or ``"b"`` (the rows before them). When it comes back it is
checked: it must decode, carry one value per key of this list's ordering, and
each value must be one the key's column accepts. Anything else is ``BadCursor``
(a 400 in the API, naming the field ``cursor``), before any query runs.

Why our own, in about two hundred lines: django-ninja 1.7's ``CursorPagination``
positions on the *first* ordering field only and steps over equal values with an
offset (so pages of rows sharing a date cost more the more rows share it), is
fixed to one ordering per decorator rather than the selector's own, and hands out
URLs rather than cursors; it also exists only for the API, while the web pages
and the commands need the same paging. ``django-keyset-pagination`` (a
``Paginator`` subclass) was last released for Django 3 and is not installed.
The API's ``apikit.Pagination`` is a thin ``PaginationBase`` over ``page`` below.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from commonshare.errors import InvalidInput

T = TypeVar("T")

DEFAULT_SIZE = 50
MAX_SIZE = 100
# A cursor is a handful of keys; anything longer is not one of ours.
MAX_CURSOR_LENGTH = 400
# Rows fetched at a time when a page is filtered in Python (``keep``).
FILTER_BATCH = 200

AFTER = "a"
BEFORE = "b"


class BadCursor(InvalidInput):
    """A cursor this list did not hand out (or one that was changed)."""

    status = 400

    def __init__(self) -> None:
        super().__init__(
            "That page link is not valid for this list: start again from the first page.",
            field="cursor",
        )


@dataclass(frozen=True)
class Key:
    """One column of an ordering: its name and whether it runs high to low."""

    name: str
    descending: bool

    @classmethod
    def parse(cls, term: str) -> Key:
        return cls(term.lstrip("-"), term.startswith("-"))

    @property
    def term(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def flipped(self) -> Key:
        return Key(self.name, not self.descending)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its rows in the list's order, and cursors to the pages either side."""

    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def size_of(value: Any, default: int = DEFAULT_SIZE) -> int:
    """A page size from a query string: a whole number between 1 and ``MAX_SIZE``."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(size, 1), MAX_SIZE)


def keys_of(queryset: QuerySet[Any], ordering: Sequence[str] | None = None) -> list[Key]:
    """The ordering a page follows: given, else the queryset's, ending in its primary key."""
    terms = list(ordering) if ordering else [str(t) for t in queryset.query.order_by]
    if not terms:
        terms = [str(t) for t in queryset.model._meta.ordering]
    keys = [Key.parse(t) for t in terms]
    pk = queryset.model._meta.pk
    unique = {"pk", "id", pk.name if pk is not None else "id"}
    if not keys or keys[-1].name not in unique:
        descending = keys[-1].descending if keys else False
        keys.append(Key("pk", descending))
    return keys


def page(
    queryset: QuerySet[Any],
    *,
    cursor: str | None = None,
    size: int = DEFAULT_SIZE,
    ordering: Sequence[str] | None = None,
    dress: Callable[[list[Any]], list[Any]] | None = None,
    keep: Callable[[Any], bool] | None = None,
) -> Page[Any]:
    """The page of ``queryset`` that ``cursor`` points at (the first page without one).

    One query for ``size + 1`` rows (none for the cursor). ``dress`` is called with
    the rows fetched, for what a list shows beside each row (looked up in bulk, never
    per row). ``keep`` filters by what only ``dress`` knows (a status worked out in
    Python): rows are then fetched ``FILTER_BATCH`` at a time until the page is full,
    so a filter that matches few rows costs a query per batch it skips.
    """
    size = min(max(size, 1), MAX_SIZE)
    keys = keys_of(queryset, ordering)
    direction, values = decode(cursor, queryset.model, keys)
    walking = [k.flipped() for k in keys] if direction == BEFORE else keys
    ordered = queryset.order_by(*(k.term for k in walking))
    rows: list[Any] = []
    mark = values
    while True:
        found = ordered if mark is None else ordered.filter(_beyond(walking, mark))
        batch = list(found[: size + 1 if keep is None else FILTER_BATCH])
        fetched = len(batch)
        if fetched:
            mark = _values(batch[-1], walking)
        if dress is not None:
            batch = dress(batch)
        if keep is not None:
            batch = [row for row in batch if keep(row)]
        rows.extend(batch)
        if keep is None or len(rows) > size or fetched < FILTER_BATCH:
            break
    more = len(rows) > size
    rows = rows[:size]
    if direction == BEFORE:
        rows.reverse()
    return _page(rows, keys, direction, values is not None, more)


def page_of_list(
    rows: Sequence[T], keys: Sequence[str], *, cursor: str | None = None, size: int = DEFAULT_SIZE
) -> Page[T]:
    """The same paging over rows already in memory (a short list that is not a table)."""
    size = min(max(size, 1), MAX_SIZE)
    order = [Key.parse(k) for k in keys]
    direction, values = decode(cursor, None, order)
    ordered = sorted(rows, key=lambda row: _sort_key(order, _values(row, order)))
    if values is not None:
        mark = _sort_key(order, values)
        if direction == AFTER:
            ordered = [r for r in ordered if _sort_key(order, _values(r, order)) > mark]
        else:
            ordered = [r for r in ordered if _sort_key(order, _values(r, order)) < mark]
    if direction == BEFORE:
        more = len(ordered) > size
        chosen = ordered[-size:]
    else:
        more = len(ordered) > size
        chosen = ordered[:size]
    return _page(list(chosen), order, direction, values is not None, more)


def _page(rows: list[T], keys: Sequence[Key], direction: str, moved: bool, more: bool) -> Page[T]:
    if not rows:
        return Page([], None, None)
    # Walking forward, there is more ahead when a row past the page was found, and
    # something behind whenever we started from a cursor; walking back, the other way.
    ahead = more if direction == AFTER else moved
    behind = moved if direction == AFTER else more
    return Page(
        rows,
        encode(AFTER, _values(rows[-1], keys)) if ahead else None,
        encode(BEFORE, _values(rows[0], keys)) if behind else None,
    )


def _beyond(keys: Sequence[Key], values: Sequence[Any]) -> Q:
    """Rows strictly past ``values`` in the order of ``keys`` (a row comparison, spelt out)."""
    condition = Q()
    for i, key in enumerate(keys):
        step = Q(**{f"{k.name}": v for k, v in zip(keys[:i], values[:i], strict=True)})
        step &= Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": values[i]})
        condition |= step
    return condition


def _values(row: Any, keys: Sequence[Key]) -> list[Any]:
    out = []
    for key in keys:
        name = "pk" if key.name == "pk" else key.name
        if isinstance(row, dict):
            value = row[name]
        elif isinstance(row, tuple):
            value = row[int(name)]
        else:
            value = row
            for part in name.split("__"):
                value = getattr(value, part)
        out.append(value)
    return out


class _Reversed:
    """Wraps a value so that sorting ascending puts it in descending order."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __gt__(self, other: _Reversed) -> bool:
        return bool(other.value > self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(self.value == other.value)

    __hash__ = None  # type: ignore[assignment]


def _sort_key(keys: Sequence[Key], values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_Reversed(v) if k.descending else v for k, v in zip(keys, values, strict=True))


# --- the cursor ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    return value


def encode(direction: str, values: Sequence[Any]) -> str:
    text = json.dumps([direction, *(_plain(v) for v in values)], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(
    cursor: str | None, model: type[Model] | None, keys: Sequence[Key]
) -> tuple[str, list[Any] | None]:
    """The direction and key values of ``cursor``, each checked against its column."""
    if not cursor:
        return AFTER, None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.b64decode(padded, altchars=b"-_", validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor from None
    if not isinstance(decoded, list) or len(decoded) != len(keys) + 1:
        raise BadCursor
    direction, *raw = decoded
    if direction not in (AFTER, BEFORE):
        raise BadCursor
    values = [_checked(model, key, value) for key, value in zip(keys, raw, strict=True)]
    return direction, values


def _checked(model: type[Model] | None, key: Key, value: Any) -> Any:
    if value is None or isinstance(value, list | dict | float):
        raise BadCursor
    if model is None:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise BadCursor
        return value
    field = _field(model, key.name)
    try:
        checked = field.to_python(value)
    except (ValidationError, TypeError, ValueError, OverflowError):
        raise BadCursor from None
    if checked is None or (isinstance(checked, int) and not -(2**63) <= checked < 2**63):
        raise BadCursor
    if isinstance(checked, str) and "\x00" in checked:
        raise BadCursor
    return checked


def _field(model: type[Model], name: str) -> Any:
    """The column a key names, following relations (``distribution__period_end``)."""
    meta: Any = model._meta
    *path, last = name.split("__")
    for part in path:
        meta = meta.get_field(part).related_model._meta
    return meta.pk if last == "pk" else meta.get_field(last)
