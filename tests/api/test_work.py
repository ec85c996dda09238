"""Tasks, contributions and reviews over the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.api.conftest import ApiClient, assert_refused

from commonshare.work.models import Contribution, Review, ReviewAssignment, Task

pytestmark = pytest.mark.django_db

WORK = {"kind": "work", "summary": "Wrote the guide", "hours": "2.5", "evidence_text": "See docs"}


# --- tasks --------------------------------------------------------------------


def test_task_lifecycle(as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient) -> None:
    parent = as_alice.post("/tasks", {"title": "Launch", "estimate_hours": "10"}).json()
    child = as_alice.post(
        "/tasks", {"title": "Write the guide", "estimate_hours": "3", "parent_id": parent["id"]}
    )
    assert child.status_code == 201
    detail = anonymous.get(f"/tasks/{parent['id']}").json()
    assert [t["title"] for t in detail["subtasks"]] == ["Write the guide"]
    assert detail["estimate_hours"] == "10.00"

    task_id = child.json()["id"]
    assert as_bob.post(f"/tasks/{task_id}/claim").json()["status"] == "claimed"
    assert_refused(as_bob.post(f"/tasks/{task_id}/claim"), 409)
    assert_refused(as_alice.post(f"/tasks/{task_id}/claim"), 409)
    assert_refused(as_alice.post(f"/tasks/{task_id}/release"), 403)
    assert_refused(as_alice.post(f"/tasks/{task_id}/done"), 403)
    assert as_bob.post(f"/tasks/{task_id}/release").json()["claimed_by"] is None
    as_bob.post(f"/tasks/{task_id}/claim")
    assert as_bob.post(f"/tasks/{task_id}/done").json()["status"] == "done"

    assert anonymous.get("/tasks?status=done").json()["count"] == 1
    assert anonymous.get("/tasks?status=open").json()["count"] == 1
    assert_refused(anonymous.get("/tasks?status=lost"), 422, "status")


def test_task_not_found(as_alice: ApiClient, anonymous: ApiClient) -> None:
    assert_refused(anonymous.get("/tasks/424242"), 404)
    assert_refused(as_alice.post("/tasks/424242/claim"), 404)
    assert_refused(
        as_alice.post("/tasks", {"title": "x", "estimate_hours": "1", "parent_id": 424242}), 404
    )
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "estimate_hours": "1"}, "title"),
        ({"title": "x", "estimate_hours": 1}, "estimate_hours"),
        ({"title": "x", "estimate_hours": "0"}, "estimate_hours"),
        ({"title": "x", "estimate_hours": "1.234"}, "estimate_hours"),
        ({"title": "x", "estimate_hours": "lots"}, "estimate_hours"),
        ({"title": "x"}, "estimate_hours"),
        ({"title": "x", "estimate_hours": "1", "parent_id": "1"}, "parent_id"),
    ],
)
def test_bad_task_names_the_field(as_alice: ApiClient, body: dict, field: str) -> None:
    assert_refused(as_alice.post("/tasks", body), 422, field)
    assert not Task.objects.exists()


# --- contributions ------------------------------------------------------------


def test_log_and_read_contributions(
    as_alice: ApiClient, anonymous: ApiClient, alice: Any, bob: Any
) -> None:
    response = as_alice.post("/contributions", WORK)
    assert response.status_code == 201
    body = response.json()
    assert (body["hours"], body["review_pool"]) == ("2.50", [str(bob.pk)])
    assert "email" not in body["author"]

    detail = anonymous.get(f"/contributions/{body['id']}").json()
    assert [d["reviewer"]["id"] for d in detail["drawn_reviewers"]] == [bob.pk]
    assert anonymous.get(f"/contributions?author={alice.pk}").json()["count"] == 1
    assert anonymous.get(f"/contributions?author={bob.pk}").json()["count"] == 0
    assert_refused(anonymous.get("/contributions?author=999999"), 404)
    assert_refused(anonymous.get("/contributions/999999"), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "gift"}, "kind"),
        ({"hours": 2.5}, "hours"),
        ({"hours": "0"}, "hours"),
        ({"hours": None}, "hours"),
        ({"summary": ""}, "summary"),
        ({"evidence_text": ""}, "evidence_text"),
        ({"evidence_url": "ftp://x"}, "evidence_url"),
        ({"kind": "expense", "amount": "5.00", "currency": "EUR"}, "receipt"),
        ({"kind": "resource", "units": "3"}, "unit_name"),
    ],
)
def test_bad_contribution_names_the_field(as_alice: ApiClient, change: dict, field: str) -> None:
    assert_refused(as_alice.post("/contributions", {**WORK, **change}), 422, field)
    assert not Contribution.objects.exists()


def test_log_contribution_on_unknown_task(as_alice: ApiClient) -> None:
    assert_refused(as_alice.post("/contributions", {**WORK, "task_id": 999999}), 404)
    assert not Contribution.objects.exists()


def test_expense_with_receipt_as_multipart(as_alice: ApiClient, anonymous: ApiClient) -> None:
    receipt = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4", content_type="application/pdf")
    form = {"kind": "expense", "summary": "Hosting", "amount": "12.50", "currency": "eur"}
    response = as_alice.upload("/contributions/multipart", {**form, "receipt": receipt})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["currency"]) == ("12.50", "EUR")
    assert body["receipt"].startswith("/media/receipts/")
    assert anonymous.get(f"/contributions/{body['id']}").json()["receipt"] == body["receipt"]


def test_multipart_refuses_bad_files_and_amounts(as_alice: ApiClient) -> None:
    exe = SimpleUploadedFile("tool.exe", b"MZ")
    form = {"kind": "expense", "summary": "Hosting", "amount": "12.50", "currency": "EUR"}
    assert_refused(
        as_alice.upload("/contributions/multipart", {**form, "receipt": exe}), 422, "receipt"
    )
    pdf = SimpleUploadedFile("r.pdf", b"%PDF")
    bad = {**form, "amount": "12.505", "receipt": pdf}
    assert_refused(as_alice.upload("/contributions/multipart", bad), 422, "amount")
    assert not Contribution.objects.exists()


def test_work_with_evidence_file(as_alice: ApiClient) -> None:
    evidence = SimpleUploadedFile("notes.md", b"# notes")
    form = {"kind": "work", "summary": "Research", "hours": "1"}
    response = as_alice.upload("/contributions/multipart", {**form, "evidence_file": evidence})
    assert response.status_code == 201, response.content
    assert response.json()["evidence_file"].startswith("/media/evidence/")


def _drawn(contribution_id: int) -> list[Any]:
    return [a.reviewer for a in ReviewAssignment.objects.filter(contribution_id=contribution_id)]


def test_edit_until_first_review(
    as_alice: ApiClient, as_bob: ApiClient, api_as: Callable[..., ApiClient]
) -> None:
    contribution_id = as_alice.post("/contributions", WORK).json()["id"]
    replaced = as_alice.put(f"/contributions/{contribution_id}", {**WORK, "hours": "3"})
    assert replaced.json()["hours"] == "3.00"
    patched = as_alice.patch(f"/contributions/{contribution_id}", {"summary": "Wrote more"})
    assert (patched.json()["summary"], patched.json()["hours"]) == ("Wrote more", "3.00")
    assert_refused(
        as_alice.patch(f"/contributions/{contribution_id}", {"hours": "-1"}), 422, "hours"
    )
    assert_refused(as_bob.patch(f"/contributions/{contribution_id}", {"summary": "Mine"}), 403)
    assert_refused(as_alice.patch("/contributions/999999", {"summary": "x"}), 404)

    reviewer = _drawn(contribution_id)[0]
    review = {"rating": 4, "comment": "Solid"}
    assert (
        api_as(reviewer).post(f"/contributions/{contribution_id}/reviews", review).status_code
        == 201
    )
    after = as_alice.patch(f"/contributions/{contribution_id}", {"summary": "Changed"})
    assert_refused(after, 409)
    assert Contribution.objects.get().summary == "Wrote more"


# --- reviews ------------------------------------------------------------------


def test_reviews(
    as_alice: ApiClient,
    anonymous: ApiClient,
    api_as: Callable[..., ApiClient],
    make_member: Callable[..., Any],
    alice: Any,
) -> None:
    others = [make_member() for _ in range(3)]
    contribution_id = as_alice.post("/contributions", WORK).json()["id"]
    drawn = _drawn(contribution_id)
    assert len(drawn) == 2
    not_drawn = next(m for m in others if m not in drawn)
    path = f"/contributions/{contribution_id}/reviews"
    review = {"rating": 5, "comment": "Great", "effort_estimate": "2"}

    todo = api_as(drawn[0]).get("/reviews/todo").json()
    assert [t["contribution"]["id"] for t in todo["items"]] == [contribution_id]

    assert_refused(as_alice.post(path, review), 403)
    assert_refused(api_as(not_drawn).post(path, review), 403)
    assert_refused(api_as(drawn[0]).post(path, {**review, "rating": 6}), 422, "rating")
    assert_refused(api_as(drawn[0]).post(path, {**review, "rating": "5"}), 422, "rating")
    assert_refused(api_as(drawn[0]).post(path, {**review, "comment": ""}), 422, "comment")
    assert not Review.objects.exists()

    created = api_as(drawn[0]).post(path, review)
    assert created.status_code == 201
    assert created.json()["effort_estimate"] == "2.000"
    assert_refused(api_as(drawn[0]).post(path, review), 409)
    assert api_as(drawn[0]).get("/reviews/todo").json()["count"] == 0
    listed = anonymous.get(path).json()
    assert [r["rating"] for r in listed["items"]] == [5]
    assert_refused(anonymous.get("/contributions/999999/reviews"), 404)
    assert_refused(api_as(drawn[0]).post("/contributions/999999/reviews", review), 404)
