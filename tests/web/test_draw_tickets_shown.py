"""A contribution's page shows the lowest tickets of its draw and every drawn member's,
not a row for each of the thousands of members a large community's pool holds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from commonshare.work import services
from commonshare.work.models import Contribution
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db


def _logged(make_member: Any, reviewers: int) -> Contribution:
    author = make_member("Author")
    for n in range(reviewers):
        make_member(f"Reviewer {n}")
    return services.log_contribution(
        author, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )


def test_a_large_pool_shows_twenty_tickets_and_the_drawn_ones(make_member: Any) -> None:
    done = _logged(make_member, 4)
    drawn = set(done.assignments.values_list("reviewer_id", flat=True))
    assert drawn
    pool = [*done.review_pool, *range(10_000, 10_250)]
    Contribution.objects.filter(pk=done.pk).update(review_pool=pool)

    page = Client().get(f"/contributions/{done.pk}/").content.decode()
    rows = re.findall(r"\(id (\d+)\)</td><td><code class=\"hash\">", page)
    assert 20 <= len(rows) <= 20 + len(drawn)
    assert {str(pk) for pk in drawn} <= set(rows)
    assert f"The other {len(pool) - len(rows)} members of the pool had higher tickets" in page
    assert f"{len(pool)} members; their ids are in the API" in page


def test_a_small_pool_is_listed_whole(make_member: Any) -> None:
    done = _logged(make_member, 3)
    page = Client().get(f"/contributions/{done.pk}/").content.decode()
    rows = re.findall(r"\(id (\d+)\)</td><td><code class=\"hash\">", page)
    assert len(rows) == len(done.review_pool)
    assert "had higher tickets" not in page
    assert ", ".join(str(pk) for pk in done.review_pool) in page
