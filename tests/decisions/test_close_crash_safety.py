"""SIGKILL a real ``commonshare decision close`` mid-close: the carried action is never run
twice and never lost.

The close tallies, stores the outcome and runs the policy change in one transaction. A
process killed inside it (after the policy version is written, or while the close's event is
written) leaves the decision open and no new version; closing again runs the action once;
a third close is refused. Kills at random moments of real runs say the same.

A proposed distribution's lazy consensus is killed the same ways: after it posted the
distribution's entries inside the close, or while the close's event is written. The
distribution stays proposed with no entry, and the next close posts it exactly once.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from commonshare.audit.models import AuditEvent
from commonshare.decisions import fixed, services
from commonshare.decisions.models import Proposal
from commonshare.governance.models import PolicyVersion
from tests.decisions.helpers import make_proposal

pytestmark = pytest.mark.django_db(transaction=True)

# The subprocess does not see this process's ``trust_levels`` fixture: every member holds
# level 2 there, as here, so the voters are still eligible when it closes.
LEVEL_TWO = """
import commonshare.work.trust as trust
trust.level_of = lambda member, on=None: 2
trust.levels_of = lambda member_ids, on=None: {i: 2 for i in member_ids}
"""

KILL_AFTER_THE_EFFECT = """
import dataclasses, os, signal
from commonshare.clikit import setup_django
setup_django()
{level_two}
from commonshare.decisions import effects
original = effects.EFFECTS["policy_change"]
def run(proposal, content):
    note = original.run(proposal, content)
    os.kill(os.getpid(), signal.SIGKILL)
    return note
effects.EFFECTS["policy_change"] = dataclasses.replace(original, run=run)
from commonshare.cli import main
main(["decision", "close", "{number}"])
"""

KILL_IN_THE_EVENT = """
import os, signal
from commonshare.clikit import setup_django
setup_django()
{level_two}
from commonshare.decisions import services
def record(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
services.record = record
from commonshare.cli import main
main(["decision", "close", "{number}"])
"""


def _env() -> dict[str, str]:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        url = (
            f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
            f"{settings['PORT']}/{settings['NAME']}"
        )
    return dict(os.environ, DATABASE_URL=url)


CLOSE = """
from commonshare.clikit import setup_django
setup_django()
{level_two}
from commonshare.cli import main
main(["decision", "close", "{number}"])
"""


def _script(script: str, number: int) -> str:
    return (
        textwrap.dedent(script).replace("{level_two}", LEVEL_TWO).replace("{number}", str(number))
    )


def _python(script: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", script],
        env=_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )


def _close(number: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _script(CLOSE, number)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _due_now(proposal: Proposal) -> None:
    """Set-up data: move a proposal's times into the past, as make_member backdates joining
    (the service never makes a proposal that closed already, and its terms are fixed)."""
    fixed.set_guard(connection, install=False)
    try:
        past = timezone.now() - dt.timedelta(days=1)
        Proposal.objects.filter(pk=proposal.pk).update(
            opens_at=past - dt.timedelta(days=3), closes_at=past
        )
    finally:
        fixed.set_guard(connection, install=True)


def _passing_policy_change(make_member: Any, share: str) -> Proposal:
    # Two members per proposal, each pair named apart: no two members share a name.
    ada, bo = make_member(f"Ada {share}"), make_member(f"Bo {share}")
    proposal = make_proposal(
        ada, kind="rules", effect_kind="policy_change", effect={"changes": {"reserve.share": share}}
    )
    services.vote(ada, proposal.number, {"choice": "for"})
    services.vote(bo, proposal.number, {"choice": "for"})
    _due_now(proposal)
    return proposal


def _adopted_by(number: int) -> int:
    return PolicyVersion.objects.filter(adopted_by=f"decision {number}").count()


def _assert_open_and_nothing_adopted(number: int) -> None:
    proposal = Proposal.objects.get(number=number)
    assert proposal.stage == "open"
    assert _adopted_by(number) == 0
    assert not AuditEvent.objects.filter(
        code="decisions.proposal.closed", target_id=str(proposal.pk)
    ).exists()


@pytest.mark.parametrize("script", [KILL_AFTER_THE_EFFECT, KILL_IN_THE_EVENT])
def test_a_close_killed_midway_changes_nothing_and_the_next_close_runs_the_action_once(
    make_member: Any, script: str
) -> None:
    proposal = _passing_policy_change(make_member, "0.2")
    killed = _python(_script(script, proposal.number))
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    _assert_open_and_nothing_adopted(proposal.number)

    again = _close(proposal.number)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert "Adopted policy version" in out.decode()
    closed = Proposal.objects.get(number=proposal.number)
    assert closed.stage == "closed" and closed.outcome == "passed"
    assert _adopted_by(proposal.number) == 1

    third = _close(proposal.number)
    _, err = third.communicate(timeout=120)
    assert third.returncode == 2
    assert "closed already" in err.decode()
    assert _adopted_by(proposal.number) == 1


def test_closes_killed_at_random_moments_run_each_action_once(make_member: Any) -> None:
    rng = random.Random(2026)
    proposals = [_passing_policy_change(make_member, f"0.{n}") for n in (2, 3, 4)]
    started = time.monotonic()
    probe = _close(proposals[0].number)
    probe.communicate(timeout=120)
    duration = time.monotonic() - started
    assert _adopted_by(proposals[0].number) == 1
    for proposal in proposals[1:]:
        run = _close(proposal.number)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=120)
        assert _adopted_by(proposal.number) in (0, 1)
        if Proposal.objects.get(number=proposal.number).stage != "closed":
            _assert_open_and_nothing_adopted(proposal.number)
            rerun = _close(proposal.number)
            rerun.communicate(timeout=120)
        assert _adopted_by(proposal.number) == 1
    assert PolicyVersion.objects.filter(adopted_by__startswith="decision ").count() == 3


# --- a distribution's lazy consensus: it posts at the close, once ------------------------

KILL_AFTER_POSTING = """
import dataclasses, os, signal
from commonshare.clikit import setup_django
setup_django()
{level_two}
from commonshare.decisions import effects
original = effects.EFFECTS["post_distribution"]
def run(proposal, content):
    note = original.run(proposal, content)
    os.kill(os.getpid(), signal.SIGKILL)
    return note
effects.EFFECTS["post_distribution"] = dataclasses.replace(original, run=run)
from commonshare.cli import main
main(["decision", "close", "{number}"])
"""


def _last_month() -> dt.datetime:
    first = timezone.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _distribution_due(make_member: Any) -> tuple[Proposal, int]:
    """Ada's reviewed work of last month, 100.00 EUR of income, and the proposal of last
    month with its window (and so its decision) closed a minute ago: set-up data."""
    from commonshare.books.distribution import propose_distribution
    from commonshare.books.models import Distribution
    from commonshare.work import services as work
    from commonshare.work.models import Contribution, Review
    from commonshare.work.services import ContributionInput
    from tests.money import posted_income

    ada, bo = make_member("Ada"), make_member("Bo")
    done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, done.pk, rating=5, comment="good")
    logged = _last_month() + dt.timedelta(days=10)
    Contribution.objects.filter(pk=done.pk).update(created_at=logged)
    Review.objects.filter(contribution=done).update(created_at=logged + dt.timedelta(hours=2))
    posted_income(
        bo,
        amount="100.00",
        currency="EUR",
        payer="P",
        description="d",
        received_on=timezone.localdate(),
    )
    distribution = propose_distribution(ada, period=f"{_last_month():%Y-%m}", currency="EUR")
    Distribution.objects.filter(pk=distribution.pk).update(
        challenge_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    proposal = Proposal.objects.get(number=distribution.decision_number)
    _due_now(proposal)
    return proposal, distribution.pk


def _posted_entries(distribution_id: int) -> int:
    from commonshare.books.models import JournalEntry

    return JournalEntry.objects.filter(source=f"distribution:{distribution_id}").count()


@pytest.mark.parametrize("script", [KILL_AFTER_POSTING, KILL_IN_THE_EVENT])
def test_a_distributions_close_killed_midway_posts_nothing_and_the_next_posts_it_once(
    make_member: Any, script: str
) -> None:
    from commonshare.books import records
    from commonshare.books.models import Distribution

    proposal, distribution_id = _distribution_due(make_member)
    killed = _python(_script(script, proposal.number))
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert Proposal.objects.get(number=proposal.number).stage == "open"
    assert Distribution.objects.get(pk=distribution_id).status == "proposed"
    assert _posted_entries(distribution_id) == 0

    again = _close(proposal.number)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert "Posted the distribution" in out.decode()
    closed = Proposal.objects.get(number=proposal.number)
    assert (closed.stage, closed.outcome) == ("closed", "passed")
    posted = Distribution.objects.get(pk=distribution_id)
    assert posted.status == "posted" and _posted_entries(distribution_id) == 1

    third = _close(proposal.number)
    _, err = third.communicate(timeout=120)
    assert third.returncode == 2 and "closed already" in err.decode()
    assert _posted_entries(distribution_id) == 1
    assert records.verify_all().ok
