"""Property: any sequence of money operations keeps the stored books balanced and verifiable."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import paid_out, posted_income, reversed_entry
from tests.transactions import held_open

from commonshare.books import journal, journal_verify, services
from commonshare.books.models import JournalEntry
from commonshare.community.models import Member
from commonshare.errors import CommonshareError
from commonshare.work import services as work
from commonshare.work.models import Contribution

TODAY = live_today(__name__)

operation = st.one_of(
    st.tuples(st.just("income"), st.integers(1, 10**7), st.sampled_from(["EUR", "JPY", "BHD"])),
    st.tuples(st.just("expense"), st.integers(1, 10**5), st.integers(0, 3)),
    st.tuples(st.just("approve"), st.integers(0, 20), st.integers(0, 3)),
    st.tuples(st.just("withdraw"), st.integers(1, 10**6), st.integers(0, 3)),
    st.tuples(st.just("reverse"), st.integers(1, 30), st.integers(0, 3)),
    st.tuples(st.just("work"), st.integers(1, 40), st.integers(0, 3)),
    st.tuples(st.just("distribute"), st.integers(0, 2), st.sampled_from(["EUR", "JPY", "BHD"])),
)


def _apply(op: tuple[str, int, object], members: list[Member], day: list[int]) -> None:
    kind, number, extra = op
    actor = members[extra if isinstance(extra, int) else 0]
    if kind == "income":
        amount = {
            "EUR": f"{number // 100}.{number % 100:02d}",
            "JPY": str(number),
            "BHD": f"{number // 1000}.{number % 1000:03d}",
        }[str(extra)]
        posted_income(
            members[0],
            amount=amount,
            currency=str(extra),
            payer="P",
            description="d",
            received_on=TODAY,
        )
    elif kind == "expense":
        work.log_contribution(
            actor,
            work.ContributionInput(
                kind="expense",
                summary="x",
                amount=f"{number // 100}.{number % 100:02d}",
                currency="EUR",
                receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
            ),
        )
    elif kind == "approve":
        claims = list(Contribution.objects.filter(kind="expense").order_by("pk"))
        if claims:
            services.decide_expense(actor, claims[number % len(claims)].pk, verdict="approve")
    elif kind == "withdraw":
        owed = services.owed_minor(members[number % 4].pk, "EUR")
        if owed > 0:
            minor = 1 + number % owed
            paid_out(
                actor,
                member_id=members[number % 4].pk,
                amount=f"{minor // 100}.{minor % 100:02d}",
                currency="EUR",
                reference="TR",
            )
    elif kind == "reverse":
        reversed_entry(actor, number, reason="property test")
    elif kind == "work":
        contribution = work.log_contribution(
            actor,
            work.ContributionInput(
                kind="work", summary="w", hours=str(number / 4), evidence_text="e"
            ),
        )
        for assignment in contribution.assignments.all():
            work.submit_review(assignment.reviewer, contribution.pk, rating=number % 6, comment="c")
    else:
        day[0] += 1
        distribute(actor, currency=str(extra))


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(operation, min_size=1, max_size=25))
def test_any_sequence_keeps_the_books_balanced_and_verifiable(
    make_member, operations: list[tuple[str, int, object]]
) -> None:
    with held_open():
        members = [make_member() for _ in range(4)]
        day = [0]
        for op in operations:
            entries_before = JournalEntry.objects.count()
            try:
                with held_open():
                    _apply(op, members, day)
            except CommonshareError:
                # A refusal writes nothing at all.
                assert JournalEntry.objects.count() == entries_before
            for entry in journal.stream():
                totals: dict[str, int] = {}
                for posting in entry.postings:
                    totals[posting.currency] = totals.get(posting.currency, 0) + posting.minor
                assert set(totals.values()) <= {0}
            report = journal_verify.verify()
            assert report.ok, report.message
            # Nobody is ever owed a negative amount; withdrawals never overdraw the bank.
            for member in members:
                assert services.owed_minor(member.pk, "EUR") >= 0
            if op[0] == "withdraw" and JournalEntry.objects.count() > entries_before:
                assert journal.balance("assets:bank", "EUR") >= 0
        transaction.set_rollback(True)
