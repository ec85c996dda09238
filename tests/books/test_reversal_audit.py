"""A reversal's audit event names the journal entry it reversed, not the member who did it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from tests.money import posted_income, reversed_entry

from commonshare.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_reversal_event_targets_the_reversed_entry(make_member: Callable[..., Any]) -> None:
    ada = make_member("Ada")
    posted_income(
        ada,
        amount="100.00",
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=dt.date(2026, 3, 1),
    )
    reversal = reversed_entry(ada, 1, reason="Recorded twice")
    asked = AuditEvent.objects.get(code="books.reversal.requested")
    assert (asked.target_type, asked.target_id, asked.actor) == ("books.journalentry", "1", ada)
    event = AuditEvent.objects.get(code="books.entry.reversed")
    assert (event.target_type, event.target_id) == ("books.journalentry", "1")
    assert event.actor != ada  # the second member, who confirmed it
    assert event.data == {"entry": 1, "reversal": reversal.seq, "requested_by": ada.pk}
