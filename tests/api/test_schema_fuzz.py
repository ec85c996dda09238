"""Fuzz every operation of the OpenAPI schema against the app, in-process.

schemathesis reads /api/openapi.json from the WSGI app, generates requests
(valid and invalid) for each operation and checks every response against the
schema: no 5xx, only declared status codes and content types, and bodies that
match the declared schemas. It runs as a member with a bearer token, in a
database that already holds tasks, contributions, reviews, income, expense
claims (one approved, so a member is owed money) and a reversed entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from tests.money import approved_claim, posted_income, reversed_entry

from commonshare.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _connection_kept_open() -> Iterator[None]:
    """Requests go straight to the WSGI app, whose request signals close the connection.

    The test database is a file, so closing it would end the test's transaction;
    Django's own test client disconnects the same handlers.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(make_member: Callable[..., Any]) -> dict[str, str]:
    """A populated community and the Authorization header of one of its members."""
    from commonshare.community import services as community
    from commonshare.work import services as work
    from commonshare.work.models import ReviewAssignment

    members = [make_member(name) for name in ("Ada", "Ben", "Cleo", "Dan")]
    ada = members[0]
    parent = work.create_task(ada, title="Launch", estimate_hours="10")
    work.create_task(ada, title="Write the guide", estimate_hours="3", parent_id=parent.pk)
    claimed = work.create_task(members[1], title="Fix the form", estimate_hours="2")
    work.claim_task(members[1], claimed.pk)
    for author in members:
        contribution = work.log_contribution(
            author,
            work.ContributionInput(
                kind="work", summary="Did things", hours="2", evidence_text="ok"
            ),
        )
        for assignment in ReviewAssignment.objects.filter(contribution=contribution)[:1]:
            work.submit_review(assignment.reviewer, contribution.pk, rating=4, comment="Good")
    posted_income(
        ada,
        amount="100.00",
        currency="EUR",
        payer="A customer",
        description="Subscriptions",
        received_on=dt.date(2026, 1, 1),
    )
    mistake = posted_income(
        ada,
        amount="5",
        currency="JPY",
        payer="Typo",
        description="Booked twice",
        received_on=dt.date(2026, 1, 2),
        source="sales",
    )
    reversed_entry(ada, 2, reason=f"Income {mistake.pk} was booked twice")
    for amount in ("30.00", "12.00"):
        claim = work.log_contribution(
            members[1],
            work.ContributionInput(
                kind="expense",
                summary="Domain",
                amount=amount,
                currency="EUR",
                receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
            ),
        )
    approved_claim(claim.pk, reason="Receipt matches")
    _, raw = community.create_token(ada, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::DeprecationWarning:hypothesis_jsonschema.*")
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)
