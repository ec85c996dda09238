"""A generated community whose build was stopped is never served as if it were whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import transaction

from commonshare import demo_large
from commonshare.books import journal
from commonshare.cli import main
from commonshare.community.models import Member
from commonshare.core.ledger import BANK, EntryDraft, Posting
from commonshare.sample import note_generated

pytestmark = pytest.mark.django_db


def test_demo_asks_for_reset_when_a_generation_did_not_finish(make_member: Any) -> None:
    make_member("Camille Pereira", email=f"camille.pereira.1@{demo_large.MAIL_DOMAIN}")
    assert demo_large.unfinished()
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--size", "medium"])
    assert result.exit_code != 0
    assert "stopped before it finished" in result.output
    assert "--reset" in result.output
    assert Member.objects.count() == 1  # nothing was added to the part built


def test_a_community_of_people_who_joined_is_not_taken_for_a_stopped_build(
    make_member: Any,
) -> None:
    make_member("Ada", email="ada@example.org")
    assert not demo_large.unfinished()
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--size", "medium"])
    assert result.exit_code == 0, result.output
    assert "reusing it" in result.output


def test_a_finished_generation_is_reused(make_member: Any) -> None:
    make_member("Camille Pereira", email=f"camille.pereira.1@{demo_large.MAIL_DOMAIN}")
    day = dt.date(2026, 1, 5)
    with transaction.atomic():
        journal.open_accounts([BANK, "income:support"], on=day)
        journal.post(
            EntryDraft(
                date=day,
                description="Support",
                postings=(Posting(BANK, "EUR", 100), Posting("income:support", "EUR", -100)),
                source="income:1",
                actor=None,
                service="test.demo",
            )
        )
    note_generated({"members": 1})
    assert not demo_large.unfinished()
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--size", "medium"])
    assert result.exit_code == 0, result.output
    assert "reusing it" in result.output
