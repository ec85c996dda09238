"""Distributions over closed periods: proposed and frozen, open for challenge, posted once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from tests.dates import live_today
from tests.distributing import (
    close_its_decision,
    close_this_period,
    distribute,
    past_the_window,
    propose,
    travel_to,
)
from tests.money import posted_income, reversed_entry

from commonshare.audit.models import AuditEvent
from commonshare.books import records
from commonshare.books.distribution import (
    _post_proposed_distribution,
    _propose_distribution,
    propose_distribution,
    withdraw_distribution,
)
from commonshare.books.models import Distribution, JournalEntry, Payout
from commonshare.books.selectors import earned_by_currency, owed
from commonshare.decisions import selectors as decisions
from commonshare.decisions import services as decide
from commonshare.errors import CommonshareError, Conflict, Forbidden, InvalidInput
from commonshare.work import services as work
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _income(member: Any, amount: str = "100.00") -> None:
    posted_income(
        member,
        amount=amount,
        currency="EUR",
        payer="P",
        description="d",
        received_on=timezone.localdate(),
    )


def _reviewed(author: Any, reviewer: Any, hours: str = "2") -> Any:
    done = work.log_contribution(
        author, ContributionInput(kind="work", summary="Docs", hours=hours, evidence_text="e")
    )
    work.submit_review(reviewer, done.pk, rating=5, comment="good")
    return done


@pytest.fixture
def ready(make_member: Any) -> tuple[Any, Any]:
    """Ada's reviewed work and 100.00 EUR of income (90.00 distributable) this month."""
    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed(ada, bo)
    _income(bo)
    return ada, bo


def _entries() -> int:
    return JournalEntry.objects.filter(source__startswith="distribution:").count()


# --- closed periods only ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("soon", "as YYYY-MM"),
        ("2026-13", "as YYYY-MM"),
        ("", "Say which period"),
        ("2999-01", "has not ended yet"),
    ],
)
def test_a_period_that_is_not_a_closed_one_is_refused(ready: Any, period: str, words: str) -> None:
    ada, _ = ready
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        propose_distribution(ada, period=period, currency="EUR")
    assert refused.value.field == "period"
    assert words in refused.value.message
    assert not Distribution.objects.exists() and AuditEvent.objects.count() == events


def test_the_running_period_is_refused_naming_the_day_it_can_be_distributed(ready: Any) -> None:
    ada, _ = ready
    first = timezone.localdate().replace(day=1)
    with pytest.raises(InvalidInput) as refused:
        propose_distribution(ada, period=f"{first:%Y-%m}", currency="EUR")
    after = (first + dt.timedelta(days=32)).replace(day=1)
    assert refused.value.message == (
        f"The period {first:%B %Y} has not ended yet: it can be distributed from "
        f"{after.day} {after:%B %Y}."
    )


def test_a_day_inside_a_period_is_refused_naming_the_periods_first_day(
    ready: Any, adopt_rules: Any
) -> None:
    adopt_rules(period={"months": 3})
    ada, _ = ready
    quarter = close_this_period()  # the quarter that holds today, ended
    inside = (quarter + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(InvalidInput) as refused:
        propose_distribution(ada, period=f"{inside:%Y-%m}", currency="EUR")
    assert refused.value.field == "period"
    assert "Periods are 3 months long" in refused.value.message
    assert f"starts on 1 {quarter:%B %Y}" in refused.value.message
    proposal = propose_distribution(ada, period=f"{quarter:%Y-%m}", currency="EUR")
    end = (quarter + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    assert (proposal.period_start, proposal.period_end) == (quarter, end)


def test_a_proposal_covers_a_whole_month_named_by_its_first_day_or_month(ready: Any) -> None:
    ada, _ = ready
    start = close_this_period()
    proposal = propose_distribution(ada, period=start.isoformat(), currency="EUR")
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    assert (proposal.period_start, proposal.period_end) == (start, end)


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1])
def test_below_level_two_nobody_proposes_objects_or_withdraws(
    ready: Any, make_member: Any, trust_levels: Any, level: int
) -> None:
    ada, _ = ready
    fresh = make_member("Fresh", level=level)
    with pytest.raises(Forbidden, match="need trust level 2"):
        propose(fresh, currency="EUR")
    assert not Distribution.objects.exists()
    proposal = propose_distribution(ada, period=close_this_period(), currency="EUR")
    with pytest.raises(Forbidden, match="need trust level 2"):
        decide.vote(fresh, proposal.decision_number, {"position": "object", "reason": "mine"})
    with pytest.raises(Forbidden, match="need trust level 2"):
        withdraw_distribution(fresh, proposal.pk, reason="mine")
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and _entries() == 0
    assert not decisions.voters(decisions.proposal(proposal.decision_number))


# --- proposed: frozen, nothing posted ---------------------------------------------------


def test_a_proposal_freezes_everything_and_posts_nothing(ready: Any) -> None:
    ada, _ = ready
    balances = owed.distributable_minor("EUR")
    proposal = propose(ada, currency="EUR")
    assert proposal.status == "proposed"
    window = proposal.challenge_ends_at - proposal.created_at
    assert abs(window - dt.timedelta(hours=72)) < dt.timedelta(seconds=1)  # the default
    assert proposal.amount_minor == 9000
    (payout,) = Payout.objects.filter(distribution=proposal)
    assert payout.member_id == ada.pk and payout.amount_minor == 9000 and payout.explanation
    assert proposal.request["contributions"] and proposal.result["payouts"]
    assert _entries() == 0
    assert owed.distributable_minor("EUR") == balances  # the books did not move
    assert earned_by_currency(ada) == {}  # a preview is not pay
    assert records.verify_all().ok
    event = AuditEvent.objects.filter(code="books.distribution.proposed").get()
    assert event.data["amount_minor"] == 9000


def test_two_open_proposals_never_promise_the_same_money(ready: Any) -> None:
    ada, bo = ready
    first = propose(ada, currency="EUR", amount="60.00")
    _reviewed(bo, ada)  # work in the next month
    with pytest.raises(InvalidInput) as refused:
        propose(ada, currency="EUR", amount="40.00")
    assert refused.value.field == "amount"
    assert "(30.00 EUR, after what is owed and what open proposals hold)" in (refused.value.message)
    second = propose(ada, currency="EUR")
    assert second.amount_minor == 3000
    # The later month's proposal values the earlier month's work too (nothing posted had
    # valued it): once the earlier one posts, the later one is refused, not paid twice.
    past_the_window(second)
    assert close_its_decision(first).status == "posted"
    refused = close_its_decision(second)
    assert refused.status == "withdrawn" and _entries() == 1
    closed = decisions.proposal(second.decision_number)
    assert closed.outcome == "passed"
    assert "another distribution has paid some of the work" in closed.effect_note
    assert "was withdrawn and nothing of it was paid" in closed.effect_note
    assert "another distribution has paid some of the work" in refused.withdrawn_reason


# --- posted after the window, once ------------------------------------------------------


def test_posting_waits_for_the_window_then_posts_the_preview_exactly_once(ready: Any) -> None:
    ada, bo = ready
    proposal = propose(ada, currency="EUR")
    preview = list(
        Payout.objects.filter(distribution=proposal).values_list("member", "amount_minor")
    )
    decision = decisions.proposal(proposal.decision_number)
    assert (decision.method, decision.kind, decision.eligibility) == ("lazy_consensus", "money", 2)
    assert decision.closes_at == proposal.challenge_ends_at
    with pytest.raises(Conflict, match="it can be closed after") as early:
        decide.close_decision(decision.number)
    assert _entries() == 0
    with pytest.raises(Conflict, match="open for challenge until") as direct:
        _post_proposed_distribution(proposal.pk)
    ends = timezone.localtime(proposal.challenge_ends_at)
    assert f"{ends.day} {ends:%B %Y, %H:%M}" in direct.value.message
    assert "closes at" in early.value.message
    past_the_window(proposal)
    posted = close_its_decision(proposal)
    assert posted.status == "posted" and posted.posted_at is not None
    assert _entries() == 1
    assert owed.owed_minor(ada.pk, "EUR") == 9000
    assert sorted(preview) == [(ada.pk, 9000)]
    assert earned_by_currency(ada) == {"EUR": 9000}
    closed = decisions.proposal(decision.number)
    assert closed.outcome == "passed" and closed.effect_note.startswith("Posted the distribution")
    with pytest.raises(Conflict, match="closed already"):
        decide.close_decision(decision.number)
    with pytest.raises(Conflict, match="Already done"):
        _post_proposed_distribution(proposal.pk)
    with pytest.raises(Conflict, match="Already done"):
        propose_distribution(bo, period=posted.period_start, currency="EUR")
    assert _entries() == 1 and owed.owed_minor(ada.pk, "EUR") == 9000
    assert records.verify_all().ok


def test_an_objection_opens_a_vote_and_a_rejection_releases_the_money(
    ready: Any, make_member: Any
) -> None:
    ada, bo = ready
    cy = make_member("Cy")
    proposal = propose(ada, currency="EUR")
    number = proposal.decision_number
    decide.vote(bo, number, {"position": "object", "reason": "Cy's work is missing."})
    past_the_window(proposal)
    objected = decide.close_decision(number)
    assert objected.stage == "runoff" and _entries() == 0
    proposal.refresh_from_db()
    assert proposal.status == "proposed"  # still holding its money during the vote
    decide.vote(bo, number, {"choice": "against"})
    decide.vote(cy, number, {"choice": "against"})
    decide.vote(ada, number, {"choice": "for"})
    travel_to(objected.runoff_closes_at + dt.timedelta(minutes=1))
    closed = decide.close_decision(number)
    assert closed.outcome == "rejected" and _entries() == 0
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    assert proposal.withdrawn_reason == f"Decision {number} did not pass."
    assert "was withdrawn and nothing of it was paid" in closed.effect_note
    assert owed.owed_minor(ada.pk, "EUR") == 0
    again = propose_distribution(bo, period=proposal.period_start, currency="EUR")
    assert again.amount_minor == 9000  # what the rejected one held is free again


def test_posting_is_refused_when_the_books_changed_under_it(ready: Any) -> None:
    ada, bo = ready
    proposal = propose(ada, currency="EUR")
    income_entry = JournalEntry.objects.filter(source__startswith="income:").get()
    reversed_entry(bo, income_entry.seq, reason="The payment bounced")
    past_the_window(proposal)
    refused = close_its_decision(proposal)
    note = decisions.proposal(proposal.decision_number).effect_note
    assert "The books changed since" in note
    assert "it would pay 90.00 EUR, but only 0.00 EUR can be distributed now" in note
    assert _entries() == 0
    # It passed but could not run: the distribution is withdrawn, saying why.
    assert refused.status == "withdrawn"
    assert "0.00 EUR can be distributed now" in refused.withdrawn_reason


def test_posting_is_refused_when_work_it_values_was_edited_since(ready: Any) -> None:
    ada, _ = ready
    proposal = propose(ada, currency="EUR")
    logged = proposal.request["contributions"][0]["id"]
    from commonshare.work.models import Contribution

    Contribution.objects.filter(pk=int(logged)).update(hours="40")
    past_the_window(proposal)
    with pytest.raises(Conflict, match="was changed since it was proposed"):
        _post_proposed_distribution(proposal.pk)
    assert _entries() == 0


# --- replaced and withdrawn --------------------------------------------------------------


def test_a_new_proposal_for_the_period_supersedes_the_open_one(ready: Any) -> None:
    ada, bo = ready
    first = propose(ada, currency="EUR", amount="50.00")
    second = propose_distribution(bo, period=first.period_start, currency="EUR")
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "proposed")
    assert second.amount_minor == 9000  # what the superseded one held is free again
    # Proposing again draws the same seed: the books have not changed, so nobody re-rolls
    # the valuation (and their own pay) by proposing until it suits them.
    assert second.seed == first.seed
    assert (
        AuditEvent.objects.filter(code="books.distribution.proposed")
        .order_by("-id")
        .first()
        .data["replaces"]
        == first.pk
    )
    replaced = decisions.proposal(first.decision_number)
    assert (replaced.stage, replaced.outcome) == ("closed", "withdrawn")
    assert f"Replaced by distribution {second.pk}" in replaced.statement
    assert f"decision {second.decision_number}" in first.withdrawn_reason
    past_the_window(second)
    with pytest.raises(Conflict, match="replaced by a newer one"):
        _post_proposed_distribution(first.pk)
    assert close_its_decision(second).status == "posted"
    assert _entries() == 1
    assert records.verify_all().ok


def test_a_withdrawn_proposal_is_never_posted_and_frees_the_period(ready: Any) -> None:
    ada, bo = ready
    proposal = propose(ada, currency="EUR")
    with pytest.raises(InvalidInput) as refused:
        withdraw_distribution(ada, proposal.pk, reason=" ")
    assert refused.value.field == "reason"
    with pytest.raises(Forbidden, match=f"object in decision {proposal.decision_number}"):
        withdraw_distribution(bo, proposal.pk, reason="Not mine to withdraw")
    withdraw_distribution(ada, proposal.pk, reason="Income from a customer is missing")
    decision = decisions.proposal(proposal.decision_number)
    assert (decision.stage, decision.outcome) == ("closed", "withdrawn")
    assert "Income from a customer is missing" in decision.statement
    past_the_window(proposal)
    with pytest.raises(Conflict, match="closed already"):
        decide.close_decision(decision.number)
    with pytest.raises(Conflict, match="was withdrawn"):
        _post_proposed_distribution(proposal.pk)
    again = propose_distribution(bo, period=proposal.period_start, currency="EUR")
    assert again.status == "proposed" and _entries() == 0


# --- the books' integrity ------------------------------------------------------------------


def test_verify_names_a_posted_row_set_back_to_proposed(ready: Any) -> None:
    ada, _ = ready
    done = distribute(ada, currency="EUR")
    Distribution.objects.filter(pk=done.pk).update(status="proposed")
    report = records.verify_all()
    assert f"distribution {done.pk} has journal entries but is marked proposed" in report.records
    Distribution.objects.filter(pk=done.pk).update(status="posted")
    assert records.verify_all().ok


def test_the_private_helpers_write_rows_and_no_event(ready: Any) -> None:
    """What a decisions app calls inside its own action (its one event names it all)."""
    from django.db import transaction

    ada, _ = ready
    start = close_this_period()
    events = AuditEvent.objects.count()
    with transaction.atomic():
        proposal = _propose_distribution(ada, period=start, currency="EUR")
    assert proposal.status == "proposed" and AuditEvent.objects.count() == events
    past_the_window(proposal)
    with transaction.atomic():
        posted = _post_proposed_distribution(proposal.pk)
    assert posted.status == "posted" and _entries() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_two_proposals_for_one_period_at_once_leave_exactly_one_live(
    make_member: Any,
) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed(ada, bo)
    _income(bo)
    start = close_this_period()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def propose_now(member: Any) -> None:
        try:
            barrier.wait()
            propose_distribution(member, period=start, currency="EUR")
            outcomes.append("proposed")
        except CommonshareError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=propose_now, args=(m,)) for m in (ada, bo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    live = Distribution.objects.filter(status__in=["proposed", "posted"])
    assert live.count() == 1
    assert Distribution.objects.count() == outcomes.count("proposed")
