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

    assert len(anonymous.get("/tasks?status=done").json()["items"]) == 1
    assert len(anonymous.get("/tasks?status=open").json()["items"]) == 1
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
    [listed] = anonymous.get(f"/contributions?author={alice.pk}").json()["items"]
    # a list leaves the draw's pool (every eligible member's id) to the contribution itself
    assert "review_pool" not in listed and listed["review_seed"] == body["review_seed"]
    assert detail["review_pool"] == [str(bob.pk)]
    assert len(anonymous.get(f"/contributions?author={bob.pk}").json()["items"]) == 0
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
    review = {"rating": 4, "comment": "Solid", "version": 3}
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
    review = {"rating": 5, "comment": "Great", "effort_estimate": "2", "version": 1}

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
    assert len(api_as(drawn[0]).get("/reviews/todo").json()["items"]) == 0
    listed = anonymous.get(path).json()
    assert [r["rating"] for r in listed["items"]] == [5]
    assert_refused(anonymous.get("/contributions/999999/reviews"), 404)
    assert_refused(api_as(drawn[0]).post("/contributions/999999/reviews", review), 404)


# --- versions: a review is about what the reviewer read ----------------------------


def _logged_and_drawn(as_alice: ApiClient, bob: Any) -> int:
    contribution_id = as_alice.post("/contributions", {**WORK, "hours": "1"}).json()["id"]
    assert [r.pk for r in _drawn(contribution_id)] == [bob.pk]
    return contribution_id


def test_get_answers_the_version_and_its_etag(
    as_alice: ApiClient, anonymous: ApiClient, bob: Any
) -> None:
    contribution_id = _logged_and_drawn(as_alice, bob)
    first = anonymous.get(f"/contributions/{contribution_id}")
    assert (first.json()["version"], first["ETag"]) == (1, f'"c{contribution_id}-v1"')
    assert first.json()["edits"] == []
    as_alice.patch(f"/contributions/{contribution_id}", {"hours": "1000"})
    second = anonymous.get(f"/contributions/{contribution_id}")
    assert (second.json()["version"], second["ETag"]) == (2, f'"c{contribution_id}-v2"')
    assert second.json()["edits"] == [
        {
            "version": 2,
            "changes": [{"field": "hours", "label": "hours", "old": "1", "new": "1,000"}],
        }
    ]
    assert second.json()["drawn_reviewers"][0]["drawn_version"] == 1


def test_a_review_of_an_older_version_is_409_with_what_changed(
    as_alice: ApiClient, as_bob: ApiClient, bob: Any
) -> None:
    """The issue: hours raised from 1 to 1,000 after the reviewer opened it."""
    contribution_id = _logged_and_drawn(as_alice, bob)
    path = f"/contributions/{contribution_id}/reviews"
    read = as_bob.get(f"/contributions/{contribution_id}")
    as_alice.patch(f"/contributions/{contribution_id}", {"hours": "1000"})

    stale = {"rating": 5, "comment": "Great", "version": read.json()["version"]}
    body = assert_refused(as_bob.post(path, stale), 409, "version")
    assert "hours: 1 → 1,000" in body["detail"]
    stale_header = {"rating": 5, "comment": "Great"}
    body = assert_refused(as_bob.post(path, stale_header, HTTP_IF_MATCH=read["ETag"]), 409)
    assert body["field"] == "version"
    assert not Review.objects.exists()

    current = as_bob.get(f"/contributions/{contribution_id}")
    created = as_bob.post(path, stale_header, HTTP_IF_MATCH=current["ETag"])
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 2
    assert Review.objects.get().version == 2


def test_a_review_in_the_body_version_is_201(
    as_alice: ApiClient, as_bob: ApiClient, bob: Any
) -> None:
    contribution_id = _logged_and_drawn(as_alice, bob)
    path = f"/contributions/{contribution_id}/reviews"
    created = as_bob.post(path, {"rating": 4, "comment": "Good", "version": 1})
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1


def test_a_review_without_a_version_is_428(
    as_alice: ApiClient, as_bob: ApiClient, bob: Any
) -> None:
    contribution_id = _logged_and_drawn(as_alice, bob)
    path = f"/contributions/{contribution_id}/reviews"
    body = assert_refused(as_bob.post(path, {"rating": 4, "comment": "Good"}), 428, "version")
    assert "If-Match" in body["detail"]
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("body_version", "if_match"),
    [
        (None, "*"),
        (None, '"c999-v1"'),
        (None, "v1"),
        (2, '"c{id}-v1"'),
        (0, None),
        ("1", None),
    ],
)
def test_a_version_that_cannot_be_read_names_the_field(
    as_alice: ApiClient, as_bob: ApiClient, bob: Any, body_version: Any, if_match: str | None
) -> None:
    contribution_id = _logged_and_drawn(as_alice, bob)
    as_alice.patch(f"/contributions/{contribution_id}", {"hours": "2"})
    review: dict[str, Any] = {"rating": 4, "comment": "Good"}
    if body_version is not None:
        review["version"] = body_version
    extra = {} if if_match is None else {"HTTP_IF_MATCH": if_match.format(id=contribution_id)}
    response = as_bob.post(f"/contributions/{contribution_id}/reviews", review, **extra)
    assert_refused(response, 422, "version")
    assert not Review.objects.exists()


def test_todo_shows_what_changed_since_the_draw(
    as_alice: ApiClient, as_bob: ApiClient, bob: Any
) -> None:
    contribution_id = _logged_and_drawn(as_alice, bob)
    assert as_bob.get("/reviews/todo").json()["items"][0]["changed_since_drawn"] == []
    as_alice.patch(f"/contributions/{contribution_id}", {"hours": "1000"})
    item = as_bob.get("/reviews/todo").json()["items"][0]
    assert (item["drawn_version"], item["version"]) == (1, 2)
    assert item["changed_since_drawn"] == [
        {"field": "hours", "label": "hours", "old": "1", "new": "1,000"}
    ]


def test_the_schema_declares_428_and_if_match() -> None:
    from commonshare.api.main import api

    operation = api.get_openapi_schema()["paths"]["/api/contributions/{contribution_id}/reviews"]
    post = operation["post"]
    assert {201, 409, 422, 428} <= {int(code) for code in post["responses"]}
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in post["parameters"])
    get = api.get_openapi_schema()["paths"]["/api/contributions/{contribution_id}"]["get"]
    assert "ETag" in get["responses"][200]["headers"]
