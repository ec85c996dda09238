"""SIGKILL a real `commonshare decision close` of a distribution's lazy consensus at random
moments: nothing half-paid or doubled.

Each currency's proposal is made here, for last month, and its challenge window (and so its
decision) is set to have closed (set-up data, as the seed's rows are); the subprocess then
closes the decision, which posts it. Its
member holds trust level 2 there by a patch of ``trust.level_of`` (``POSTER``), since a
subprocess does not see this process's ``trust_levels`` fixture.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from tests.conftest import JOINED_LONG_AGO
from tests.money import posted_income

from commonshare.books import journal, journal_verify
from commonshare.books.distribution import propose_distribution
from commonshare.books.models import Distribution, JournalEntry, Payout
from commonshare.community.models import Member
from commonshare.work.models import Contribution, Review, ReviewAssignment

MEMBERS = 400
CONTRIBUTIONS = 4000

POSTER = (
    "import os, django; "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'commonshare.settings'); "
    "django.setup(); "
    "import commonshare.work.trust as trust; "
    "trust.level_of = lambda member, on=None: 2; "
    "trust.levels_of = lambda member_ids, on=None: {i: 2 for i in member_ids}; "
    "from commonshare.cli import main; "
    "import sys; sys.stdout.write('ready\\n'); sys.stdout.flush(); main()"
)

# One currency per kill, so every kill has an undistributed period to interrupt
# (a run that finished before its kill leaves that currency done for good).
CURRENCIES = ("EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "BHD", "CAD")


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )


def _seed(trust_levels) -> Member:
    members = Member.objects.bulk_create(
        Member(email=f"m{i}@example.org", display_name=f"Member {i}", password="!")
        for i in range(MEMBERS)
    )
    # Joined long ago, so income dated this year is after the community began; verified,
    # so that their reviewed work earns them trust level 1 and their reviews count.
    Member.objects.update(joined_at=JOINED_LONG_AGO, email_verified_at=JOINED_LONG_AGO)
    rng = random.Random(7)
    contributions = Contribution.objects.bulk_create(
        Contribution(
            author=members[i % MEMBERS],
            kind="work",
            summary=f"work {i}",
            hours=Decimal(rng.randint(1, 40)) / 4,
            evidence_text="e",
            review_seed=secrets.token_hex(8),
        )
        for i in range(CONTRIBUTIONS)
    )
    reviews, assignments = [], []
    for index, contribution in enumerate(contributions):
        for offset in (1, 2):
            reviewer = members[(index + offset) % MEMBERS]
            assignments.append(
                ReviewAssignment(contribution=contribution, reviewer=reviewer, rank=offset - 1)
            )
            reviews.append(
                Review(
                    contribution=contribution,
                    reviewer=reviewer,
                    rating=rng.randint(0, 5),
                    comment="c",
                )
            )
    ReviewAssignment.objects.bulk_create(assignments)
    Review.objects.bulk_create(reviews)
    Contribution.objects.update(created_at=_last_month() + dt.timedelta(days=10))
    # Income takes two members who may handle money: one records, another confirms.
    trust_levels({members[0]: 2, members[1]: 2})
    for currency in ("USD", *CURRENCIES):
        posted_income(
            members[0],
            amount="12345",
            currency=currency,
            payer="Acme",
            description="Support",
            received_on="2026-01-01",
        )
    return members[0]


def _last_month() -> dt.datetime:
    from django.utils import timezone

    first = timezone.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _command(actor: Member, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=_database_url(), COMMONSHARE_MEMBER=actor.email)
    return subprocess.Popen(
        [sys.executable, "-c", POSTER, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _proposed(actor: Member, currency: str) -> int:
    """Last month's proposal in ``currency``, its challenge window and its decision over."""
    from django.utils import timezone

    from commonshare.decisions import fixed
    from commonshare.decisions.models import Proposal

    proposal = propose_distribution(actor, period=f"{_last_month():%Y-%m}", currency=currency)
    past = timezone.now() - dt.timedelta(minutes=1)
    Distribution.objects.filter(pk=proposal.pk).update(challenge_ends_at=past)
    # Set-up data under the lifted guard, as the decisions' own crash test moves its times.
    fixed.set_guard(connection, install=False)
    try:
        Proposal.objects.filter(number=proposal.decision_number).update(
            opens_at=past - dt.timedelta(days=3), closes_at=past
        )
    finally:
        fixed.set_guard(connection, install=True)
    return proposal.pk


def _post(actor: Member, distribution_id: int) -> subprocess.Popen[bytes]:
    """Close the decision that carries the distribution: it posts at that close."""
    number = Distribution.objects.get(pk=distribution_id).decision_number
    return _command(actor, "decision", "close", str(number))


def _ready(process: subprocess.Popen[bytes]) -> float:
    """Wait until the command has started Django and is about to run; return that moment.

    Timing kills from here, not from the launch, aims them at the command's own work, which
    is short beside the interpreter's start-up and varies less."""
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"
    return time.monotonic()


def _timed(process: subprocess.Popen[bytes]) -> float:
    """How long the command's own work took, from its start-up's end to its exit."""
    started = _ready(process)
    _, err = process.communicate(timeout=180)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


def _assert_nothing_or_everything(currency: str) -> None:
    report = journal_verify.verify()
    assert report.ok, report.message
    (done,) = Distribution.objects.filter(currency=currency)
    paid = sum(Payout.objects.filter(distribution=done).values_list("amount_minor", flat=True))
    assert paid + done.remainder_minor == done.amount_minor  # the frozen preview, whole
    entries = JournalEntry.objects.filter(source=f"distribution:{done.pk}").count()
    owed = -sum(
        total
        for (_, code), total in journal.balances(prefix="liabilities:payable:").items()
        if code == currency
    )
    from commonshare.decisions.models import Proposal

    stage = Proposal.objects.get(number=done.decision_number).stage
    if done.status == "proposed":  # killed before the commit: nothing of it posted
        assert (entries, owed, done.posted_at, stage) == (0, 0, None, "open")
        return
    assert done.status == "posted" and stage == "closed"
    assert entries == 1
    assert owed == paid


@pytest.mark.django_db(transaction=True)
def test_killing_a_posting_at_any_moment_leaves_nothing_or_everything(trust_levels: Any) -> None:
    actor = _seed(trust_levels)
    trust_levels({actor: 2})
    # Another member posts what the actor proposed: nobody posts their own proposal.
    poster = Member.objects.exclude(pk=actor.pk).order_by("pk").first()
    assert poster is not None
    # How long a post's own work takes on this machine (USD is a twin of EUR).
    duration = _timed(_post(poster, _proposed(actor, "USD")))
    _assert_nothing_or_everything("USD")
    assert Distribution.objects.get(currency="USD").status == "posted"

    rng = random.Random(2026)
    killed = 0
    proposals = {currency: _proposed(actor, currency) for currency in CURRENCIES}
    for currency in CURRENCIES:
        run = _post(poster, proposals[currency])
        started = _ready(run)
        try:
            run.wait(timeout=rng.uniform(0, duration))
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
        else:
            # It finished before its kill: later runs are faster than the first one
            # (warm caches), so aim the next kills within this observed run time.
            duration = time.monotonic() - started
        run.communicate(timeout=60)  # reaps it and closes its pipes
        killed += run.returncode == -signal.SIGKILL
        _assert_nothing_or_everything(currency)
    assert killed >= len(CURRENCIES) // 2
    for currency in CURRENCIES:
        # Close it again: it finishes, or says it is closed already; a third close changes
        # nothing.
        finish = _post(poster, proposals[currency])
        _, err = finish.communicate(timeout=180)
        assert finish.returncode == 0 or b"closed already" in err, err.decode()
        again = _post(poster, proposals[currency])
        _, err = again.communicate(timeout=180)
        assert again.returncode == 2 and b"closed already" in err
        _assert_nothing_or_everything(currency)
        assert Distribution.objects.get(currency=currency).status == "posted"
