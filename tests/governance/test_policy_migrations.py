"""Upgrading a data folder: distributions made before policy versions become version 1."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonshare.governance.initial import INITIAL_SHA256

BEFORE = [("books", "0008_expense_decision_version"), ("governance", "0002_initial_policy")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_existing_distribution_gets_version_one_and_its_hash(make_member: Any) -> None:
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
    assert (row.policy_version, row.policy_sha256) == (1, INITIAL_SHA256)
    version_one = latest.get_model("governance", "PolicyVersion").objects.get(number=1)
    assert version_one.sha256 == INITIAL_SHA256
