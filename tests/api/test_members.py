"""Members: sign up, public profiles (never the email), own profile, leave and rejoin."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import ApiClient, assert_refused

from commonshare.community.models import Member

pytestmark = pytest.mark.django_db

SIGN_UP = {"email": "zoe@example.org", "display_name": "Zoe", "password": "a long passphrase"}


def test_sign_up_returns_the_member(anonymous: ApiClient) -> None:
    response = anonymous.post("/members", SIGN_UP)
    assert response.status_code == 201
    assert response.json()["email"] == "zoe@example.org"
    assert_refused(anonymous.post("/members", SIGN_UP), 409, "email")
    assert Member.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"password": "short"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": 5}, "display_name"),
    ],
)
def test_sign_up_names_the_bad_field(anonymous: ApiClient, change: dict, field: str) -> None:
    assert_refused(anonymous.post("/members", {**SIGN_UP, **change}), 422, field)
    assert not Member.objects.exists()


def test_public_profiles_never_show_the_email(anonymous: ApiClient, alice: Any) -> None:
    listed = anonymous.get("/members").json()
    assert len(listed["items"]) == 1
    assert set(listed["items"][0]) == {
        *("id", "display_name", "bio", "joined_at", "left_at"),
        *("pronouns", "skills", "links", "time_zone", "availability"),
    }
    one = anonymous.get(f"/members/{alice.pk}").json()
    assert "email" not in one
    assert_refused(anonymous.get("/members/999999"), 404)
    assert_refused(anonymous.get("/members/0"), 422, "member_id")


def test_update_profile(as_alice: ApiClient, alice: Any) -> None:
    response = as_alice.put("/members/me", {"display_name": "Alice B.", "bio": "Writes docs"})
    assert response.json()["display_name"] == "Alice B."
    patched = as_alice.patch("/members/me", {"bio": "Writes code"}).json()
    assert (patched["display_name"], patched["bio"]) == ("Alice B.", "Writes code")
    assert_refused(as_alice.patch("/members/me", {"display_name": "x" * 81}), 422, "display_name")
    alice.refresh_from_db()
    assert alice.display_name == "Alice B."


def test_leave_and_rejoin(as_alice: ApiClient, alice: Any) -> None:
    assert as_alice.post("/members/me/leave").json()["left_at"] is not None
    assert_refused(as_alice.post("/members/me/leave"), 409)
    assert_refused(as_alice.post("/tasks", {"title": "x", "estimate_hours": "1"}), 403)
    assert as_alice.post("/members/me/rejoin").json()["left_at"] is None
    assert_refused(as_alice.post("/members/me/rejoin"), 409)
