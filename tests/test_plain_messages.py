"""One bad input, three layers: the same plain sentence naming the field, never its code."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from commonshare.cli import main
from commonshare.community import services as community
from commonshare.work.models import Contribution

pytestmark = pytest.mark.django_db

MESSAGE = "Hours must be more than 0 and at most 1,000."


@pytest.fixture
def ada(make_member: Callable[..., Any], settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_member("Ada")


def test_the_web_form_shows_the_services_sentence(ada: Any) -> None:
    client = Client()
    client.force_login(ada)
    response = client.post(
        "/contributions/new/",
        {"kind": "work", "summary": "S", "hours": "2000", "evidence_text": "e"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hours"] == [MESSAGE]
    assert "hours:" not in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_api_answers_the_same_sentence(ada: Any) -> None:
    _, token = community.create_token(ada, name="t")
    response = Client().post(
        "/api/contributions",
        json.dumps({"kind": "work", "summary": "S", "hours": "2000", "evidence_text": "e"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == MESSAGE
    assert response.json()["field"] == "hours"


def test_the_command_line_prints_the_same_sentence(ada: Any) -> None:
    result = CliRunner().invoke(
        main,
        ["contribution", "log", "--kind", "work", "--summary", "S", "--hours", "2000"],
        env={"COMMONSHARE_MEMBER": ada.email},
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {MESSAGE}",
        "error: Add evidence: a link, a few words, or a file.",
    ]
    assert not Contribution.objects.exists()
