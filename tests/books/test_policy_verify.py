"""``books verify`` covers the rules: each policy version against its checksum, and each
distribution's frozen policy against the checksum and the version it names. Rows are
forged behind the application's back (raw SQL, the append-only triggers dropped)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection, transaction
from django.test import Client
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import posted_income

from commonshare.books import records
from commonshare.books.append_only import set_guard
from commonshare.cli import main
from commonshare.work import services as work
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _raw(statement: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``statement`` with the append-only triggers dropped (as an operator could)."""
    with transaction.atomic():
        set_guard(connection, install=False)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
        set_guard(connection, install=True)


@pytest.fixture
def distributed(make_member: Any) -> Any:
    ada, bo = make_member("Ada"), make_member("Bo")
    done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, done.pk, rating=5, comment="good")
    posted_income(
        bo, amount="100.00", currency="EUR", payer="Acme", description="d", received_on=TODAY
    )
    return distribute(bo, currency="EUR")


def _verify_lines() -> tuple[list[str], list[str], str]:
    api = Client().get("/api/books/verify").json()
    cli = CliRunner().invoke(main, ["books", "verify"])
    return records.verify_all().records, api["records"], cli.output


def test_intact_rules_and_distributions_verify(distributed: Any) -> None:
    assert records.verify_all().ok
    assert distributed.policy_version == 1


def test_a_version_whose_rules_were_changed_is_named(distributed: Any) -> None:
    version_one = json.loads(_content_of(1))
    version_one["reserve"]["share"] = "0.5"
    _raw(
        "UPDATE governance_policyversion SET content = %s WHERE number = 1",
        (json.dumps(version_one, sort_keys=True, separators=(",", ":")),),
    )
    found, api, cli = _verify_lines()
    assert "policy version 1's rules no longer match its checksum" in found
    assert "policy version 1's rules no longer match its checksum" in api
    assert "record: policy version 1's rules no longer match its checksum" in cli


def test_a_version_rewritten_with_its_checksum_is_named_by_its_distributions(
    distributed: Any,
) -> None:
    from commonshare.governance.integrity import content_sha256

    data = json.loads(_content_of(1))
    data["reserve"]["share"] = "0.5"
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    _raw(
        "UPDATE governance_policyversion SET content = %s, sha256 = %s WHERE number = 1",
        (text, content_sha256(data)),
    )
    found = records.verify_all().records
    assert not any(line.startswith("policy version") for line in found)
    assert f"distribution {distributed.pk}'s rules are not those of version 1, which it names" in (
        found
    )


def test_a_distribution_whose_checksum_or_version_was_changed_is_named(
    distributed: Any,
) -> None:
    pk = distributed.pk
    _raw("UPDATE books_distribution SET policy_sha256 = %s WHERE id = %s", ("0" * 64, pk))
    assert f"distribution {pk}'s frozen rules no longer match the checksum it stored" in (
        records.verify_all().records
    )
    _raw(
        "UPDATE books_distribution SET policy_sha256 = %s, policy_version = 7 WHERE id = %s",
        (distributed.policy_sha256, pk),
    )
    assert f"distribution {pk} names version 7 of the rules, which does not exist" in (
        records.verify_all().records
    )
    _raw(
        "UPDATE books_distribution SET policy_sha256 = NULL, policy_version = NULL WHERE id = %s",
        (pk,),
    )
    assert f"distribution {pk} names no version of the rules, but froze versioned ones" in (
        records.verify_all().records
    )


def _content_of(number: int) -> str:
    from commonshare.governance.models import PolicyVersion

    return PolicyVersion.objects.get(number=number).content


def test_a_version_slipped_in_before_a_distribution_is_named(
    distributed: Any, adopt_rules: Any
) -> None:
    # A row inserted behind the service, in force since 2000: the distribution now
    # disagrees with the rules "in force" when its period began.
    adopt_rules(reserve={"share": "0.3"})
    assert (
        f"distribution {distributed.pk} names version 1 of the rules, but version 2 "
        "was in force when its period began"
    ) in records.verify_all().records
