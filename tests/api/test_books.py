"""Income, distributions and payouts: the open books over the API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from tests.api.conftest import ApiClient, assert_refused
from tests.distributing import close_this_period, past_the_window

from commonshare.books.models import Distribution, Income
from commonshare.work.models import ReviewAssignment

pytestmark = pytest.mark.django_db

INCOME = {
    "amount": "100.00",
    "currency": "EUR",
    "payer": "A customer",
    "description": "Subscriptions",
    "received_on": "2026-01-15",
}


def test_record_and_list_income(as_alice: ApiClient, anonymous: ApiClient) -> None:
    created = as_alice.post("/income", INCOME)
    assert created.status_code == 201
    assert created.json()["amount"] == "100.00"
    yen = as_alice.post("/income", {**INCOME, "amount": "1200", "currency": "JPY"}).json()
    assert yen["amount"] == "1200"
    assert len(anonymous.get("/income").json()["items"]) == 2
    assert_refused(anonymous.post("/income", INCOME), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 100}, "amount"),
        ({"amount": "100.001"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "euro"}, "currency"),
        ({"received_on": "15/01/2026"}, "received_on"),
        ({"received_on": 20260115}, "received_on"),
        ({"payer": ""}, "payer"),
    ],
)
def test_bad_income_names_the_field(as_alice: ApiClient, change: dict, field: str) -> None:
    assert_refused(as_alice.post("/income", {**INCOME, **change}), 422, field)
    assert not Income.objects.exists()


@pytest.fixture
def reviewed_period(
    as_alice: ApiClient, alice: Any, bob: Any, api_as: Callable[..., ApiClient]
) -> dict[str, Any]:
    """Alice and Bob each logged reviewed work today; 100.00 EUR came in."""
    for author, reviewer in ((alice, bob), (bob, alice)):
        contribution = api_as(author).post(
            "/contributions",
            {"kind": "work", "summary": "Work", "hours": "2", "evidence_text": "done"},
        )
        contribution_id = contribution.json()["id"]
        assert ReviewAssignment.objects.filter(
            contribution_id=contribution_id, reviewer=reviewer
        ).exists()
        api_as(reviewer).post(
            f"/contributions/{contribution_id}/reviews",
            {"rating": 4, "comment": "Good", "version": 1},
        )
    pending = as_alice.post("/income", INCOME).json()
    assert api_as(bob).post(f"/income/{pending['id']}/confirm").status_code == 200
    return {"period": f"{close_this_period():%Y-%m}", "currency": "EUR"}


def test_distribution_and_payouts(  # noqa: PLR0917 - pytest fixtures
    as_alice: ApiClient,
    anonymous: ApiClient,
    alice: Any,
    bob: Any,
    api_as: Any,
    reviewed_period: dict,
) -> None:
    response = as_alice.post("/distributions", reviewed_period)
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["status"] == "proposed" and proposal["posted_at"] is None
    assert proposal["amount"] == "90.00"  # 100.00 income less the policy's 10 % reserve
    paid = [p["amount"] for p in proposal["payouts"]]
    assert sum(Decimal(a) for a in paid) + Decimal(proposal["remainder"]) == Decimal("90.00")
    assert all(isinstance(a, str) for a in paid)
    assert all(p["explanation"] for p in proposal["payouts"])  # the full preview
    assert (
        anonymous.get(f"/distributions/{proposal['id']}").json()["payouts"] == (proposal["payouts"])
    )
    as_bob = api_as(bob)
    number = proposal["decision_number"]
    assert number and proposal["withdrawn_reason"] == ""
    carried = as_bob.get(f"/decisions/{number}").json()
    assert carried["method"] == "lazy_consensus" and carried["stage"] == "open"
    refused = as_bob.post(f"/decisions/{number}/close")
    assert_refused(refused, 409)
    assert "it can be closed after" in refused.json()["detail"]
    assert not anonymous.get(f"/members/{alice.pk}/payouts").json()["items"]  # not pay yet
    assert as_bob.post(f"/distributions/{proposal['id']}/post", {}).status_code in (404, 405)

    past_the_window(Distribution.objects.get(pk=proposal["id"]))
    response = as_bob.post(f"/decisions/{number}/close")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "passed"
    distribution = anonymous.get(f"/distributions/{proposal['id']}").json()
    assert distribution["status"] == "posted" and distribution["posted_at"]
    assert distribution["payouts"] == proposal["payouts"]  # exactly what was previewed
    assert_refused(as_bob.post(f"/decisions/{number}/close"), 409)
    assert_refused(as_alice.post("/distributions", reviewed_period), 409)
    assert Distribution.objects.count() == 1

    listed = anonymous.get("/distributions").json()
    assert [d["id"] for d in listed["items"]] == [distribution["id"]]
    detail = anonymous.get(f"/distributions/{distribution['id']}").json()
    assert detail["payouts"] == distribution["payouts"]
    assert detail["payout_count"] == len(detail["payouts"]) and detail["payouts_next"] is None
    first = anonymous.get(f"/distributions/{distribution['id']}/payouts?limit=1").json()
    assert first["items"] == detail["payouts"][:1] and first["previous"] is None
    if len(detail["payouts"]) > 1:
        rest = anonymous.get(
            f"/distributions/{distribution['id']}/payouts?cursor={first['next']}"
        ).json()
        assert first["items"] + rest["items"] == detail["payouts"]  # the largest first
    assert anonymous.get("/distributions/999/payouts").status_code == 404

    payout = anonymous.get(f"/distributions/{distribution['id']}/payouts/{alice.pk}").json()
    assert payout["currency"] == "EUR"
    assert payout["explanation"]
    mine = anonymous.get(f"/members/{alice.pk}/payouts").json()
    assert mine["items"][0]["distribution"]["id"] == distribution["id"]

    assert_refused(anonymous.get("/distributions/999999"), 404)
    assert_refused(anonymous.get(f"/distributions/{distribution['id']}/payouts/999999"), 404)
    assert_refused(anonymous.get("/members/999999/payouts"), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2000-01-15"}, "period"),
        ({"period": "yesterday"}, "period"),
        ({"period": "2999-01"}, "period"),
        ({"currency": 978}, "currency"),
        ({"amount": "1000.00"}, "amount"),
        ({"amount": 10}, "amount"),
    ],
)
def test_bad_distribution_names_the_field(
    as_alice: ApiClient, reviewed_period: dict, change: dict, field: str
) -> None:
    assert_refused(as_alice.post("/distributions", {**reviewed_period, **change}), 422, field)
    assert not Distribution.objects.exists()


def test_nothing_to_distribute(as_alice: ApiClient) -> None:
    body = {"period": "2026-01", "currency": "EUR"}
    assert_refused(as_alice.post("/distributions", body), 422, "amount")


def test_a_distribution_s_detail_carries_its_largest_payouts_and_the_cursor_of_the_rest(
    as_alice: ApiClient, anonymous: ApiClient, reviewed_period: dict, monkeypatch: Any
) -> None:
    from commonshare.books import schemas

    proposal = as_alice.post("/distributions", reviewed_period).json()
    every = anonymous.get(f"/distributions/{proposal['id']}/payouts").json()["items"]
    assert len(every) >= 2 and proposal["payout_count"] == len(every)
    monkeypatch.setattr(schemas, "DETAIL_PAYOUTS", 1)
    detail = anonymous.get(f"/distributions/{proposal['id']}").json()
    assert detail["payout_count"] == len(every)
    assert detail["payouts"] == every[:1]
    rest = anonymous.get(
        f"/distributions/{proposal['id']}/payouts?cursor={detail['payouts_next']}"
    ).json()
    assert detail["payouts"] + rest["items"] == every
