"""Refusals speak plain words: no field codes in front, labels not codes, one date format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from commonshare.books.models import Income
from commonshare.core.words import long_date, one_of
from commonshare.errors import CommonshareError, InvalidInput
from commonshare.work import services as work
from commonshare.work import versions
from commonshare.work.api import version_read
from commonshare.work.models import Contribution
from tests.money import posted_income

pytestmark = pytest.mark.django_db


def test_words_helpers() -> None:
    assert long_date(dt.date(2025, 1, 1)) == "1 January 2025"
    assert one_of(["Work (hours)", "Sales", "Donations"]) == "work (hours), sales or donations"
    assert one_of(["Only"]) == "only"


def test_an_unknown_kind_lists_the_kinds_in_words(make_member: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        work.log_contribution(make_member(), work.ContributionInput(kind="bogus", summary="s"))
    assert refused.value.field == "kind"
    assert refused.value.message == (
        "Choose the kind: work (hours), deliverable (units), expense (money spent) "
        "or resource (metered use lent)."
    )
    assert not Contribution.objects.exists()


def test_an_unknown_source_lists_the_sources_in_words(make_member: Any) -> None:
    with pytest.raises(CommonshareError) as refused:
        posted_income(
            make_member(),
            amount="10",
            currency="EUR",
            payer="P",
            description="d",
            source="bogus",
            received_on=dt.date(2025, 6, 1),
        )
    said = dict(refused.value.problems)
    assert said["source"] == (
        "Choose the source: support, hosting, custom work, sales or donations."
    )
    assert not Income.objects.exists()


@pytest.mark.parametrize("version", [0, 9, True, "2"])
def test_version_refusals_are_sentences(make_member: Any, version: Any) -> None:
    claim = work.log_contribution(
        make_member(),
        work.ContributionInput(kind="work", summary="s", hours="1", evidence_text="did it"),
    )
    with pytest.raises(InvalidInput) as refused:
        versions.check_read(claim, version)
    assert refused.value.field == "version"
    assert not refused.value.message.lower().startswith("version")
    assert refused.value.message[0].isupper()


@pytest.mark.parametrize(
    ("body", "header"), [(None, '"c99-v1"'), (None, "nonsense"), (1, '"c1-v2"'), (None, None)]
)
def test_api_version_refusals_are_sentences(body: Any, header: Any) -> None:
    with pytest.raises(CommonshareError) as refused:
        version_read(1, body, header)
    assert refused.value.field == "version"
    assert not refused.value.message.lower().startswith(("version", "if-match:"))
    assert refused.value.message[0].isupper()
