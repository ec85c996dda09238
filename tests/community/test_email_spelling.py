"""One email, however it is typed: every door finds the same member by one normalisation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from tests.conftest import PASSWORD

from commonshare.cli import main
from commonshare.community import selectors
from commonshare.community.models import ApiToken, Member
from commonshare.community.vocab import normalise_email

pytestmark = pytest.mark.django_db

TYPED = "  Ana@Example.ORG "


def test_normalise_email_strips_and_lowers() -> None:
    assert normalise_email(TYPED) == "ana@example.org"
    assert normalise_email(None) == ""
    assert normalise_email("") == ""


def test_every_door_finds_the_member_however_the_email_is_typed(make_member: Any) -> None:
    ana = make_member("Ana", email=TYPED)
    assert ana.email == "ana@example.org"

    # the web's sign-in form
    signed_in = Client().post("/login/", {"username": TYPED, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content.decode()[:400]

    # the API's token exchange
    answered = Client().post(
        "/api/auth/token",
        json.dumps({"email": TYPED, "password": PASSWORD, "name": "laptop"}),
        content_type="application/json",
    )
    assert answered.status_code == 201, answered.content
    assert ApiToken.objects.get(name="laptop").member == ana

    # the CLI's --as
    ran = CliRunner().invoke(main, ["member", "token", "shell", "--as", TYPED])
    assert ran.exit_code == 0, ran.output
    assert ApiToken.objects.get(name="shell").member == ana

    # the selector every door uses, and the manager that Django's sign-in calls
    assert selectors.member_by_email(TYPED) == ana
    assert Member.objects.get_by_natural_key(TYPED) == ana


def test_signing_up_again_with_another_spelling_is_a_conflict(make_member: Any) -> None:
    make_member("Ana", email="ana@example.org")
    answered = Client().post(
        "/api/members",
        json.dumps({"email": TYPED, "display_name": "Ana again", "password": PASSWORD}),
        content_type="application/json",
    )
    assert answered.status_code == 409, answered.content
    assert answered.json()["field"] == "email"
    assert Member.objects.count() == 1
