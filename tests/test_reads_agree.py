"""Web, API and CLI read the same thing the same way (issue 9's five disagreements)."""

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from commonshare.cli import main

pytestmark = pytest.mark.django_db
HASH = "ab" * 32


@pytest.mark.parametrize("anchor", [f"0:{HASH}", f"007:{HASH}", "1", f"1:{HASH[:-1]}"])
def test_the_cli_and_the_api_refuse_a_bad_anchor_with_one_message(anchor: str) -> None:
    cli = CliRunner().invoke(main, ["books", "verify", "--anchor", anchor])
    api = Client().get("/api/books/verify", {"anchor": anchor})
    assert cli.exit_code == 2, cli.output
    assert api.status_code == 422
    body: dict[str, Any] = api.json()
    assert body["field"] == "anchor"
    assert body["detail"].startswith("anchor: give SEQ:HASH")
    assert f"error: {body['detail']}" in cli.output
