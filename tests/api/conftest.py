"""Fixtures for the API tests: clients that call the API as a member."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Argon2 is slow on purpose; the API tests create many members."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class ApiClient:
    """A Django test client that speaks JSON to /api and may carry a bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        send = getattr(self.client, method)
        if data is not None:
            extra.setdefault("content_type", "application/json")
            if not isinstance(data, bytes | str):
                data = json.dumps(data)
            return send(f"/api{path}", data, headers=self.headers, **extra)
        return send(f"/api{path}", headers=self.headers, **extra)

    def get(self, path: str, **extra: Any) -> Any:
        return self._send("get", path, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._send("post", path, data, **extra)

    def put(self, path: str, data: Any = None) -> Any:
        return self._send("put", path, data)

    def patch(self, path: str, data: Any = None) -> Any:
        return self._send("patch", path, data)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        """POST multipart form data (files as open file objects)."""
        return self.client.post(f"/api{path}", data, headers=self.headers)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()


@pytest.fixture
def api_as(make_member: Callable[..., Any]) -> Callable[..., ApiClient]:
    """``api_as(member)`` is a client authenticated with a fresh token of ``member``."""
    from commonshare.community import services

    def make(member: Any) -> ApiClient:
        _, raw = services.create_token(member, name="tests")
        return ApiClient(raw)

    return make


@pytest.fixture
def alice(make_member: Callable[..., Any]) -> Any:
    return make_member("Alice")


@pytest.fixture
def bob(make_member: Callable[..., Any]) -> Any:
    return make_member("Bob")


@pytest.fixture
def as_alice(api_as: Callable[..., ApiClient], alice: Any) -> ApiClient:
    return api_as(alice)


@pytest.fixture
def as_bob(api_as: Callable[..., ApiClient], bob: Any) -> ApiClient:
    return api_as(bob)


def assert_refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is a JSON refusal with ``status`` naming ``field``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    if field is not None:
        assert body["field"] == field, body
    return body
