"""Floats stay out of money: every amount, hours, quantity or price a service takes is a
``Decimal``, an ``int`` or a ``str``; a ``float`` is refused naming its field, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.dates import live_today
from tests.distributing import propose

from commonshare.audit.models import AuditEvent
from commonshare.books import services as books
from commonshare.books.models import Distribution, Income, JournalEntry, Withdrawal
from commonshare.errors import InvalidInput
from commonshare.work import services as work
from commonshare.work.models import Contribution, Review, Task

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _work(**extra: Any) -> work.ContributionInput:
    return work.ContributionInput(
        **({"kind": "work", "summary": "Docs", "hours": "1", "evidence_text": "e"} | extra)
    )


CALLS: dict[str, tuple[str, Callable[[Any, Any, Contribution], object]]] = {
    "create_task": (
        "estimate_hours",
        lambda ada, bo, logged: work.create_task(ada, title="T", estimate_hours=2.5),
    ),
    "log_contribution hours": (
        "hours",
        lambda ada, bo, logged: work.log_contribution(ada, _work(hours=1.5)),
    ),
    "log_contribution units": (
        "units",
        lambda ada, bo, logged: work.log_contribution(
            ada, _work(kind="deliverable", hours=None, units=3.0, unit_name="pages")
        ),
    ),
    "log_contribution amount": (
        "amount",
        lambda ada, bo, logged: work.log_contribution(
            ada, _work(kind="expense", hours=None, amount=12.5, currency="EUR")
        ),
    ),
    "edit_contribution": (
        "hours",
        lambda ada, bo, logged: work.edit_contribution(ada, logged.pk, _work(hours=2.0)),
    ),
    "submit_review": (
        "effort_estimate",
        lambda ada, bo, logged: work.submit_review(
            bo, logged.pk, rating=4, comment="c", effort_estimate=0.5
        ),
    ),
    "record_income": (
        "amount",
        lambda ada, bo, logged: books.record_income(
            ada, amount=100.0, currency="EUR", payer="P", description="d", received_on=TODAY
        ),
    ),
    "record_withdrawal": (
        "amount",
        lambda ada, bo, logged: books.record_withdrawal(
            bo, member_id=ada.pk, amount=10.0, currency="EUR", reference="TR"
        ),
    ),
    "propose_distribution": (
        "amount",
        lambda ada, bo, logged: propose(ada, currency="EUR", amount=5.0),
    ),
}
WRITTEN = (AuditEvent, Contribution, Task, Review, Income, JournalEntry, Withdrawal, Distribution)


@pytest.mark.parametrize("case", sorted(CALLS))
def test_a_float_is_refused_naming_its_field_and_nothing_is_written(
    make_member: Callable[..., Any], case: str
) -> None:
    field, call = CALLS[case]
    ada, bo = make_member("Ada"), make_member("Bo")
    logged = work.log_contribution(ada, _work())  # Bo is drawn to review it
    counts = {model: model.objects.count() for model in WRITTEN}
    with pytest.raises(InvalidInput) as refused:
        call(ada, bo, logged)
    assert refused.value.field == field
    assert "floating-point" in refused.value.message
    assert refused.value.message.startswith(field.replace("_", " ").capitalize() + " ")
    assert {model: model.objects.count() for model in WRITTEN} == counts
    assert Contribution.objects.get().version == 1


@pytest.mark.parametrize("number", ["1.5", 2, "0.10"])
def test_the_exact_forms_are_still_taken(make_member: Callable[..., Any], number: Any) -> None:
    from decimal import Decimal

    task = work.create_task(make_member(), title="T", estimate_hours=number)
    assert task.estimate_hours == Decimal(str(number))
