"""Fixtures for the page tests: a small community with one full cycle, and Chromium."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.distributing import distribute
from tests.money import posted_income


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Drive Debian's Chromium; Playwright's own browser download cannot work here."""
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def world(make_member: Any) -> SimpleNamespace:
    """Ada logs work on a task, Ben (always drawn) reviews it, income comes in."""
    from commonshare.work import services as work

    ada = make_member("Ada")
    ben = make_member("Ben")
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    work.claim_task(ada, task.pk)
    contribution = work.log_contribution(
        ada,
        work.ContributionInput(
            kind="work",
            summary="Wrote chapter one",
            task_id=task.pk,
            hours="2.5",
            evidence_text="See the draft.",
        ),
    )
    review = work.submit_review(ben, contribution.pk, rating=4, comment="Clear and useful.")
    today = timezone.localdate()
    income = posted_income(
        ada,
        amount="100.00",
        currency="EUR",
        payer="A customer",
        description="Guide sales",
        received_on=today,
    )
    return SimpleNamespace(
        ada=ada,
        ben=ben,
        task=task,
        contribution=contribution,
        review=review,
        income=income,
        today=today,
        amount=Decimal("100.00"),
    )


@pytest.fixture
def paid(world: SimpleNamespace) -> SimpleNamespace:
    """The world after its income has been distributed (all of it to Ada)."""

    world.distribution = distribute(world.ada, currency="EUR")
    return world


@pytest.fixture(autouse=True)
def _fast_passwords(request: pytest.FixtureRequest) -> None:
    """Argon2 is slow on purpose; page tests only need passwords that check."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
