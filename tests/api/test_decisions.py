"""Decisions over the API: propose, vote, receipt, close, recount; refusals name the field."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import ApiClient, assert_refused
from tests.decisions.helpers import after_close

from commonshare.decisions.models import Proposal

pytestmark = pytest.mark.django_db


def _proposal(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Reserve at 20%",
        "kind": "rules",
        "method": "majority",
        "quorum": "0.5",
        "voting_days": 3,
        "effect_kind": "policy_change",
        "effect": {"changes": {"reserve.share": "0.2"}},
        **extra,
    }


def test_a_decision_from_proposal_to_recount(
    as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient
) -> None:
    made = as_alice.post("/decisions", _proposal())
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["number"] == 1 and body["stage"] == "open"
    assert body["effect"]["changes"] == [{"path": "reserve.share", "before": "0.1", "after": "0.2"}]
    cast = as_bob.post("/decisions/1/ballot", {"ballot": {"choice": "for"}})
    assert cast.status_code == 200, cast.content
    receipt = cast.json()["receipt"]
    assert len(receipt) == 32
    assert as_alice.post("/decisions/1/ballot", {"ballot": {"choice": "for"}}).status_code == 200
    check = anonymous.get(f"/decisions/1/receipt?receipt={receipt}").json()
    assert check["found"] and not check["counted"] and check["ballot"] == {"choice": "for"}
    shown = anonymous.get("/decisions/1").json()
    assert {v["display_name"] for v in shown["voters"]} == {"Alice", "Bob"}
    early = as_bob.post("/decisions/1/close")
    assert_refused(early, 409)
    with after_close(Proposal.objects.get()):
        closed = as_bob.post("/decisions/1/close")
        assert closed.status_code == 200, closed.content
        assert closed.json()["outcome"] == "passed"
        late = as_bob.post("/decisions/1/ballot", {"ballot": {"choice": "against"}})
        assert_refused(late, 409, "ballot")
    assert anonymous.get(f"/decisions/1/receipt?receipt={receipt}").json()["counted"]
    recount = anonymous.get("/decisions/1/recount").json()
    assert recount["matches"] is True
    listed = anonymous.get("/decisions").json()
    assert [d["number"] for d in listed["items"]] == [1]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_made(
    as_alice: ApiClient, bob: Any
) -> None:
    quorum = as_alice.post("/decisions", _proposal(quorum="2"))
    assert_refused(quorum, 422, "quorum")
    score = as_alice.post(
        "/decisions", _proposal(method="score", options=["A", "B"], effect_kind="", effect=None)
    )
    body = assert_refused(score, 422)
    assert any(e["field"].startswith("criteria") for e in body["errors"])
    policy = as_alice.post(
        "/decisions",
        _proposal(effect={"changes": {"reserve.share": "3", "expenses.approvals": 0}}),
    )
    body = assert_refused(policy, 422)
    assert {e["field"] for e in body["errors"]} == {
        "effect.policy.reserve.share",
        "effect.policy.expenses.approvals",
    }
    assert Proposal.objects.count() == 0


def test_a_ballot_that_does_not_fit_the_method_is_refused(
    as_alice: ApiClient, as_bob: ApiClient
) -> None:
    assert as_alice.post("/decisions", _proposal(method="consent")).status_code == 201
    refused = as_bob.post("/decisions/1/ballot", {"ballot": {"ranking": ["A"]}})
    body = assert_refused(refused, 422)
    assert body["field"].startswith("ballot")


def test_a_fresh_account_may_not_vote_on_rules(
    as_alice: ApiClient, bob: Any, make_member: Any, api_as: Any
) -> None:
    assert as_alice.post("/decisions", _proposal()).status_code == 201
    fresh = api_as(make_member("Fresh", level=0))
    assert_refused(fresh.post("/decisions/1/ballot", {"ballot": {"choice": "for"}}), 403)
