"""Authentication (bearer token, session + CSRF), tokens and the schema itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.api.conftest import ApiClient, assert_refused
from tests.conftest import PASSWORD

from commonshare.community.models import ApiToken
from commonshare.work.models import Task

pytestmark = pytest.mark.django_db

TASK = {"title": "Write the guide", "estimate_hours": "3"}


def test_writes_need_credentials(anonymous: ApiClient) -> None:
    assert_refused(anonymous.post("/tasks", TASK), 401)
    assert_refused(anonymous.get("/members/me"), 401)
    assert_refused(anonymous.get("/reviews/todo"), 401)
    assert not Task.objects.exists()


def test_a_wrong_token_is_refused(alice: Any) -> None:
    assert_refused(ApiClient("cs_not-a-token").post("/tasks", TASK), 401)


def test_bearer_token_works(as_alice: ApiClient, alice: Any) -> None:
    response = as_alice.post("/tasks", TASK)
    assert response.status_code == 201
    assert response.json()["created_by"] == {"id": alice.pk, "display_name": "Alice"}


def test_session_writes_need_the_csrf_token(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    refused = client.post("/api/tasks", TASK, content_type="application/json")
    assert_refused(refused, 403)
    assert not Task.objects.exists()

    client.get("/api/members/me")  # reads need no CSRF token
    client.get("/login/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        client.cookies["csrftoken"] = token
    accepted = client.post(
        "/api/tasks", TASK, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content


def test_session_reads_work_without_csrf(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.get("/api/members/me")
    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_token_lifecycle(as_alice: ApiClient, alice: Any) -> None:
    created = as_alice.post("/tokens", {"name": "laptop"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("cs_")
    listed = as_alice.get("/tokens").json()
    assert {t["name"] for t in listed["items"]} == {"tests", "laptop"}
    assert all("token" not in t for t in listed["items"])

    laptop = ApiClient(raw)
    assert laptop.get("/members/me").json()["id"] == alice.pk
    assert as_alice.delete(f"/tokens/{created.json()['id']}").status_code == 204
    assert_refused(laptop.get("/members/me"), 401)


def test_token_names_are_checked(as_alice: ApiClient) -> None:
    assert_refused(as_alice.post("/tokens", {"name": ""}), 422, "name")
    assert_refused(as_alice.post("/tokens", {"name": 7}), 422, "name")
    assert ApiToken.objects.count() == 1


def test_someone_elses_token_cannot_be_revoked(as_alice: ApiClient, as_bob: ApiClient) -> None:
    bobs = as_bob.get("/tokens").json()["items"][0]["id"]
    assert_refused(as_alice.delete(f"/tokens/{bobs}"), 404)
    assert_refused(as_alice.delete("/tokens/999999"), 404)


def test_login_for_a_token(anonymous: ApiClient, alice: Any) -> None:
    response = anonymous.post(
        "/auth/token", {"email": alice.email.upper(), "password": PASSWORD, "name": "cli"}
    )
    assert response.status_code == 201
    assert ApiClient(response.json()["token"]).get("/members/me").status_code == 200
    wrong = anonymous.post("/auth/token", {"email": alice.email, "password": "nope"})
    assert_refused(wrong, 401)


def test_unknown_fields_are_refused(as_alice: ApiClient) -> None:
    body = assert_refused(as_alice.post("/tasks", {**TASK, "status": "done"}), 422, "status")
    assert body["errors"][0]["field"] == "status"
    assert not Task.objects.exists()


def test_a_body_that_is_not_json_is_a_422(as_alice: ApiClient) -> None:
    assert_refused(as_alice.post("/tasks", b"{not json"), 422, "body")


def test_openapi_schema_lists_every_route(anonymous: ApiClient) -> None:
    schema = anonymous.get("/openapi.json").json()
    routes = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    expected = {
        ("POST", "/api/tokens"),
        ("GET", "/api/tokens"),
        ("DELETE", "/api/tokens/{token_id}"),
        ("POST", "/api/auth/token"),
        ("GET", "/api/members"),
        ("POST", "/api/members"),
        ("GET", "/api/members/me"),
        ("PUT", "/api/members/me"),
        ("PATCH", "/api/members/me"),
        ("POST", "/api/members/me/leave"),
        ("POST", "/api/members/me/rejoin"),
        ("POST", "/api/members/me/verify-email"),
        ("POST", "/api/members/verify-email"),
        ("POST", "/api/members/password-reset"),
        ("POST", "/api/members/password-reset/confirm"),
        ("GET", "/api/members/{member_id}"),
        ("GET", "/api/members/{member_id}/payouts"),
        ("GET", "/api/members/{member_id}/trust"),
        ("GET", "/api/members/me/trust"),
        ("GET", "/api/tasks"),
        ("POST", "/api/tasks"),
        ("GET", "/api/tasks/{task_id}"),
        ("POST", "/api/tasks/{task_id}/claim"),
        ("POST", "/api/tasks/{task_id}/release"),
        ("POST", "/api/tasks/{task_id}/done"),
        ("GET", "/api/contributions"),
        ("POST", "/api/contributions"),
        ("POST", "/api/contributions/multipart"),
        ("GET", "/api/contributions/{contribution_id}"),
        ("PUT", "/api/contributions/{contribution_id}"),
        ("PATCH", "/api/contributions/{contribution_id}"),
        ("POST", "/api/contributions/{contribution_id}/multipart"),
        ("GET", "/api/contributions/{contribution_id}/reviews"),
        ("POST", "/api/contributions/{contribution_id}/reviews"),
        ("GET", "/api/reviews/todo"),
        ("GET", "/api/income"),
        ("POST", "/api/income"),
        ("GET", "/api/distributions"),
        ("POST", "/api/distributions"),
        ("POST", "/api/distributions/{distribution_id}/withdraw"),
        ("GET", "/api/distributions/{distribution_id}"),
        ("GET", "/api/distributions/{distribution_id}/payouts"),
        ("GET", "/api/distributions/{distribution_id}/payouts/{member_id}"),
        ("GET", "/api/books/entries"),
        ("GET", "/api/books/entries/{seq}"),
        ("POST", "/api/books/entries/{seq}/reverse"),
        ("GET", "/api/books/head"),
        ("GET", "/api/books/verify"),
        ("GET", "/api/books/balances"),
        ("GET", "/api/books/sustainability"),
        ("GET", "/api/books/export"),
        ("GET", "/api/expenses"),
        ("POST", "/api/expenses/{contribution_id}/decision"),
        ("POST", "/api/withdrawals"),
        ("GET", "/api/members/{member_id}/balance"),
        ("POST", "/api/income/{income_id}/confirm"),
        ("POST", "/api/withdrawals/{withdrawal_id}/confirm"),
        ("POST", "/api/withdrawals/{withdrawal_id}/dispute"),
        ("POST", "/api/withdrawals/{withdrawal_id}/resolve"),
        ("GET", "/api/reversals"),
        ("POST", "/api/reversals/{request_id}/confirm"),
        ("GET", "/api/books/waiting"),
        ("GET", "/api/policy"),
        ("GET", "/api/policy/versions"),
        ("GET", "/api/policy/versions/{number}"),
        ("GET", "/api/norms"),
        ("GET", "/api/norms/{kind}"),
        ("GET", "/api/norms/{kind}/versions/{number}"),
        ("GET", "/api/steward"),
        ("GET", "/api/decisions"),
        ("POST", "/api/decisions"),
        ("GET", "/api/decisions/{number}"),
        ("POST", "/api/decisions/{number}/ballot"),
        ("GET", "/api/decisions/{number}/receipt"),
        ("GET", "/api/decisions/{number}/recount"),
        ("POST", "/api/decisions/{number}/close"),
        ("GET", "/api/discussion/threads/{subject}"),
        ("POST", "/api/discussion/threads/{subject}/comments"),
        ("GET", "/api/discussion/comments/{comment_id}"),
        ("PATCH", "/api/discussion/comments/{comment_id}"),
        ("DELETE", "/api/discussion/comments/{comment_id}"),
        ("GET", "/api/discussion/comments/{comment_id}/history"),
        ("GET", "/api/discussion/topics"),
        ("POST", "/api/discussion/topics"),
        ("GET", "/api/search"),
        ("DELETE", "/api/members/me/avatar"),
        ("GET", "/api/activity"),
        ("GET", "/api/members/{member_id}/history"),
        ("GET", "/api/members/{member_id}/thanks"),
        ("GET", "/api/members/{member_id}/levels"),
        ("GET", "/api/members/{member_id}/withdrawals"),
        ("GET", "/api/tasks/{task_id}/contributions"),
        ("GET", "/api/tasks/{task_id}/subtasks"),
        ("POST", "/api/members/me/avatar"),
        ("POST", "/api/thanks"),
        ("GET", "/api/notifications"),
        ("GET", "/api/notifications/unread"),
        ("POST", "/api/notifications/{notification_id}/read"),
        ("POST", "/api/notifications/read"),
        ("GET", "/api/notifications/settings"),
        ("PUT", "/api/notifications/settings"),
    }
    assert routes == expected
    claim = schema["paths"]["/api/tasks/{task_id}/claim"]["post"]
    assert set(claim["responses"]) == {"200", "401", "403", "404", "409", "422"}
