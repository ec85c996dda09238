"""Keyset paging (``commonshare.paging``): every row once, in order, both ways; cursors checked."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare import paging
from commonshare.books.models import Income
from commonshare.community.models import Member

DAY = dt.date(2026, 3, 1)


def _walk_forward(queryset: Any, size: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        found = paging.page(queryset, cursor=cursor, size=size)
        pages.append([row.pk for row in found])
        if not found.has_next:
            return pages
        cursor = found.next_cursor


def _income(recorded_by: Member, days: list[int]) -> list[Income]:
    return Income.objects.bulk_create(
        Income(
            amount_minor=100,
            currency="EUR",
            payer="P",
            description="D",
            received_on=DAY + dt.timedelta(days=d),
            recorded_by=recorded_by,
        )
        for d in days
    )


@pytest.fixture
def member(make_member: Callable[..., Any]) -> Member:
    return make_member("Pat")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(st.integers(0, 3), max_size=23), size=st.integers(1, 7))
def test_pages_hold_every_row_once_in_order_forward_and_back(
    member: Member, days: list[int], size: int
) -> None:
    """Many rows share a day (the first key), so the unique last key decides ties."""
    Income.objects.all().delete()
    _income(member, days)
    queryset = Income.objects.all()  # newest day first, then highest id
    expected = list(queryset.values_list("pk", flat=True))
    pages = _walk_forward(queryset, size)
    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == size for page in pages[:-1])
    # And back from the last page, by each page's previous cursor.
    last = paging.page(queryset, size=size)
    for _ in pages[1:]:
        last = paging.page(queryset, cursor=last.next_cursor, size=size)
    back = [[row.pk for row in last]]
    while last.has_previous:
        last = paging.page(queryset, cursor=last.previous_cursor, size=size)
        back.insert(0, [row.pk for row in last])
    assert back == pages
    assert not last.has_previous


def test_a_row_added_while_paging_neither_repeats_nor_skips_a_row(member: Member) -> None:
    rows = _income(member, [0, 1, 2, 3, 4, 5])
    first = paging.page(Income.objects.all(), size=3)
    _income(member, [9])  # newer than everything: it lands before page 1, not on page 2
    second = paging.page(Income.objects.all(), cursor=first.next_cursor, size=3)
    assert [r.pk for r in first] + [r.pk for r in second] == [r.pk for r in reversed(rows)]


def test_the_ordering_ends_in_the_primary_key() -> None:
    keys = paging.keys_of(Member.objects.order_by("-joined_at"))
    assert [k.term for k in keys] == ["-joined_at", "-pk"]
    assert [k.term for k in paging.keys_of(Member.objects.order_by("display_name", "id"))] == [
        "display_name",
        "id",
    ]


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "e30",  # {} decoded
        _cursor("a", "2026-01-01"),  # one key short
        _cursor("x", "2026-01-01", 3),  # no such direction
        _cursor("a", "yesterday", 3),  # not a date
        _cursor("a", "2026-01-01", "three"),  # not an id
        _cursor("a", "2026-01-01", 2**70),  # past a 64-bit column
        _cursor("a", None, 3),
        "A" * 500,
    ],
)
def test_a_cursor_this_list_did_not_hand_out_is_refused(db: Any, cursor: str) -> None:
    with pytest.raises(paging.BadCursor) as refused:
        paging.page(Income.objects.all(), cursor=cursor)
    assert refused.value.field == "cursor"
    assert refused.value.status == 400


def test_the_api_says_400_naming_the_cursor_and_pages_by_next(
    make_member: Callable[..., Any], client: Client
) -> None:
    for number in range(5):
        make_member(f"Member {number}")
    refused = client.get("/api/members?cursor=bm90LWEtY3Vyc29y")
    assert refused.status_code == 400
    assert refused.json()["field"] == "cursor"
    first = client.get("/api/members?limit=2").json()
    assert first["previous"] is None and first["next"]
    second = client.get(f"/api/members?limit=2&cursor={first['next']}").json()
    assert {m["id"] for m in first["items"]}.isdisjoint(m["id"] for m in second["items"])
    back = client.get(f"/api/members?limit=2&cursor={second['previous']}").json()
    assert back["items"] == first["items"]


def test_web_pages_link_older_and_newer_keeping_the_filter(member: Member, client: Client) -> None:
    from commonshare.work.models import Contribution

    Contribution.objects.bulk_create(
        Contribution(author=member, kind="work", summary=f"Work {i}", hours=1) for i in range(7)
    )
    first = client.get(f"/contributions/?author={member.pk}&size=3")
    page = first.content.decode()
    assert "Older →" in page and "← Newer" not in page
    older = first.context["pager"].next_url
    assert f"author={member.pk}" in older and "size=3" in older and "cursor=" in older
    second = client.get(f"/contributions/{older}")
    assert "← Newer" in second.content.decode()
    shown = [c.summary for c in first.context["contributions"]]
    assert shown == ["Work 6", "Work 5", "Work 4"]
    assert [c.summary for c in second.context["contributions"]] == ["Work 3", "Work 2", "Work 1"]
    bad = client.get("/contributions/?cursor=bm9wZQ")
    assert bad.status_code == 400
    assert "first page" in bad.content.decode()


def test_in_memory_lists_page_the_same_way() -> None:
    rows = [{"name": n, "id": i} for i, n in enumerate("ccbbaa")]
    seen, cursor = [], None
    while True:
        found = paging.page_of_list(rows, ["-name", "id"], cursor=cursor, size=4)
        seen += [r["id"] for r in found]
        if not found.has_next:
            break
        cursor = found.next_cursor
    assert seen == [0, 1, 2, 3, 4, 5]
    back = paging.page_of_list(rows, ["-name", "id"], cursor=found.previous_cursor, size=4)
    assert [r["id"] for r in back] == [0, 1, 2, 3]


def test_list_commands_page_by_cursor_or_walk_every_page(
    make_member: Callable[..., Any],
) -> None:
    from click.testing import CliRunner

    from commonshare.cli import main

    for number in range(5):
        make_member(f"Member {number}")

    def listed(*extra: str) -> tuple[list[int], str]:
        result = CliRunner().invoke(main, ["member", "list", "--json", *extra])
        assert result.exit_code == 0, result.output
        return [row["id"] for row in json.loads(result.stdout)], result.stderr

    everyone, said = listed()
    assert len(everyone) == 5 and said == ""
    first, said = listed("--limit", "2")
    assert first == everyone[:2]
    cursor = said.strip().removeprefix("next: ")
    second, _ = listed("--limit", "2", "--cursor", cursor)
    assert second == everyone[2:4]
    refused = CliRunner().invoke(main, ["member", "list", "--cursor", "nonsense"])
    assert refused.exit_code == 2
    assert "page link is not valid" in refused.stderr
