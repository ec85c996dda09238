"""Upgrading a data folder: distributions made before policy versions name no version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from commonshare.governance.initial import INITIAL_SHA256

BEFORE = [("books", "0008_expense_decision_version"), ("governance", "0002_initial_policy")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_existing_distribution_names_no_version_its_policy_does_not_match(
    make_member: Any,
) -> None:
    member = make_member("Ada")
    old = _migrate(BEFORE)
    try:
        old.get_model("books", "Distribution").objects.create(
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 31),
            currency="EUR",
            amount_minor=100,
            method="robust",
            seed="s",
            policy={"method": "robust", "reserve_share": "0.10"},
            request={},
            result={},
            created_by_id=member.pk,
        )
    finally:
        latest = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    row = latest.get_model("books", "Distribution").objects.get()
    # Its flat policy hashes to no version, so it is labelled with none (not version 1).
    assert (row.policy_version, row.policy_sha256) == (None, None)
    api = Client().get(f"/api/distributions/{row.pk}").json()
    assert (api["policy_version"], api["policy_sha256"]) == (None, None)
    page = Client().get(f"/books/distributions/{row.pk}/").content.decode()
    assert "frozen before the rules had versions" in page
    version_one = latest.get_model("governance", "PolicyVersion").objects.get(number=1)
    assert version_one.sha256 == INITIAL_SHA256
