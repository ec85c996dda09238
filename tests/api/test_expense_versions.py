"""An expense decision is for the version of the claim its peer read.

Between a peer opening a claim and approving it, the claimant may raise the
amount; that approval must not count for an amount nobody saw. Each way in
(service, API, web form, CLI) names the version read and is refused, with what
changed and nothing written, when the claim moved on.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.api.conftest import ApiClient, assert_refused

from commonshare.books import services as books
from commonshare.books.models import ExpenseDecision, JournalEntry
from commonshare.books.selectors import expenses
from commonshare.cli import main
from commonshare.work import services as work
from commonshare.work import versions

pytestmark = pytest.mark.django_db


def _claim(author: Any, amount: str = "20.00") -> Any:
    return work.log_contribution(
        author,
        work.ContributionInput(
            kind="expense",
            summary="Domain name",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        ),
    )


def _raise_amount(author: Any, claim: Any, amount: str = "1000000.00") -> None:
    work.edit_contribution(
        author,
        claim.pk,
        work.ContributionInput(
            kind="expense", summary="Domain name", amount=amount, currency="EUR"
        ),
    )


@pytest.fixture
def people(make_member: Any) -> tuple[Any, Any, Any]:
    return make_member("Bob"), make_member("Cleo"), make_member("Dan")


def test_a_decision_on_an_older_version_is_refused_with_what_changed(people: Any) -> None:
    bob, cleo, dan = people
    claim = _claim(bob)
    read = claim.version
    _raise_amount(bob, claim)
    with pytest.raises(versions.StaleVersion) as refused:
        books.decide_expense(cleo, claim.pk, verdict="approve", version=read)
    assert refused.value.field == "version"
    assert "amount: “20.00 EUR” → “1000000.00 EUR”" in str(refused.value)
    assert "send your decision for version 2" in str(refused.value)
    assert not ExpenseDecision.objects.exists()
    # Deciding on the version now shown counts, and the decision says which one.
    decision = books.decide_expense(cleo, claim.pk, verdict="approve", version=2)
    assert decision.version == 2
    books.decide_expense(dan, claim.pk, verdict="approve", version=2)
    assert expenses.expense_status(claim) == "approved"


def test_api_needs_the_version_and_refuses_a_stale_one(people: Any, api_as: Any) -> None:
    bob, cleo, dan = people
    claim = _claim(bob)
    as_cleo: ApiClient = api_as(cleo)
    url = f"/expenses/{claim.pk}/decision"
    etag = as_cleo.get(f"/contributions/{claim.pk}")["ETag"]
    assert etag == f'"c{claim.pk}-v1"'
    assert as_cleo.get("/expenses").json()["items"][0]["version"] == 1

    missing = assert_refused(as_cleo.post(url, {"verdict": "approve"}), 428, "version")
    assert "version" in missing["detail"]
    _raise_amount(bob, claim)
    stale = assert_refused(as_cleo.post(url, {"version": 1, "verdict": "approve"}), 409, "version")
    assert "1000000.00 EUR" in stale["detail"]
    stale_header = as_cleo.post(url, {"verdict": "approve"}, HTTP_IF_MATCH=etag)
    assert_refused(stale_header, 409, "version")
    assert not ExpenseDecision.objects.exists()
    assert not JournalEntry.objects.exists()

    fresh = as_cleo.post(url, {"verdict": "approve"}, HTTP_IF_MATCH=f'"c{claim.pk}-v2"')
    assert fresh.status_code == 201, fresh.content
    assert fresh.json()["decisions"][0]["version"] == 2
    assert api_as(dan).post(url, {"version": 2, "verdict": "approve"}).status_code == 201


def test_the_schema_declares_428_on_the_decision_route(anonymous: ApiClient) -> None:
    schema = anonymous.get("/openapi.json").json()
    route = schema["paths"]["/api/expenses/{contribution_id}/decision"]["post"]
    assert {"409", "428"} <= set(route["responses"])
    names = {p["name"] for p in route.get("parameters", [])}
    assert "If-Match" in names


def test_web_form_carries_the_version_and_shows_what_changed(people: Any) -> None:
    bob, cleo, _ = people
    claim = _claim(bob)
    browser = Client()
    browser.force_login(cleo)
    url = reverse("web:expense_decide", args=[claim.pk])
    assert 'name="version" value="1"' in browser.get(url).content.decode()
    detail = browser.get(reverse("web:contribution", args=[claim.pk])).content.decode()
    assert 'name="version" value="1"' in detail

    _raise_amount(bob, claim)
    page = browser.post(url, {"version": "1", "verdict": "approve"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="stale-version"' in text
    assert "1000000.00 EUR" in text
    assert 'name="version" value="2"' in text
    assert not ExpenseDecision.objects.exists()

    unsaid = browser.post(url, {"verdict": "approve"})
    assert "did not say which version" in unsaid.content.decode()
    assert not ExpenseDecision.objects.exists()

    done = browser.post(url, {"version": "2", "verdict": "approve"})
    assert done.status_code == 302
    assert ExpenseDecision.objects.get().version == 2


def test_cli_lists_versions_and_refuses_a_stale_decision(people: Any) -> None:
    bob, cleo, _ = people
    claim = _claim(bob)
    runner = CliRunner()
    listed = runner.invoke(main, ["expense", "list"], catch_exceptions=False)
    assert f"{claim.pk:>5}  v1 " in listed.output

    _raise_amount(bob, claim)
    args = ["expense", "approve", str(claim.pk), "--as", cleo.email]
    unsaid = runner.invoke(main, args)
    assert unsaid.exit_code == 2
    stale = runner.invoke(main, [*args, "--version", "1"])
    assert stale.exit_code == 2
    assert "1000000.00 EUR" in stale.output
    assert not ExpenseDecision.objects.exists()

    assert runner.invoke(main, [*args, "--version", "2"]).exit_code == 0
    assert ExpenseDecision.objects.get().version == 2
