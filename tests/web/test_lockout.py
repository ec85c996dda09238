"""Password guessing: ten wrong passwords for one email from one address lock that pair out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from commonshare.community.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 10


def _web_login(email: str, password: str, address: str = "203.0.113.7") -> Any:
    return Client(REMOTE_ADDR=address).post("/login/", {"username": email, "password": password})


def _api_login(email: str, password: str, address: str = "203.0.113.7") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/auth/token",
        {"email": email, "password": password},
        content_type="application/json",
    )


def test_the_web_locks_an_email_out_after_ten_wrong_passwords(make_member: Any) -> None:
    ada, ben = make_member("Ada"), make_member("Ben")
    for _ in range(LIMIT - 1):
        assert _web_login(ada.email, "wrong").status_code == 200  # the form again, with an error
    locked = _web_login(ada.email.upper(), "wrong")  # another spelling of the same email counts
    assert locked.status_code == 429
    assert "try again in 15 minutes" in locked.content.decode()
    # now even the right password is refused, from that address
    assert _web_login(ada.email, PASSWORD).status_code == 429
    # the same email from elsewhere, and other members from here, are not affected
    assert _web_login(ada.email, PASSWORD, address="198.51.100.9").status_code == 302
    assert _web_login(ben.email, PASSWORD).status_code == 302


def test_the_api_answers_429_with_the_usual_error_body(make_member: Any) -> None:
    ada = make_member("Ada")
    for _ in range(LIMIT - 1):
        assert _api_login(ada.email, "wrong").status_code == 401
    refused = _api_login(ada.email, "wrong")
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Too many wrong passwords for this email from your address: "
        "try again in 15 minutes.",
        "field": "password",
    }
    assert _api_login(ada.email, PASSWORD).status_code == 429
    assert not ApiToken.objects.filter(member=ada).exists()  # no token was made


def test_the_lock_ends_after_the_cool_off(make_member: Any) -> None:
    ada = make_member("Ada")
    for _ in range(LIMIT):
        _api_login(ada.email, "wrong")
    assert _api_login(ada.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _api_login(ada.email, PASSWORD).status_code == 201


def test_a_right_password_clears_the_count(make_member: Any) -> None:
    ada = make_member("Ada")
    for _ in range(LIMIT - 1):
        _api_login(ada.email, "wrong")
    assert _api_login(ada.email, PASSWORD).status_code == 201
    for _ in range(LIMIT - 1):
        _api_login(ada.email, "wrong")
    assert _api_login(ada.email, PASSWORD).status_code == 201
