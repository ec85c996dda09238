"""Trust levels as computed from what members did, what they unlock, and how they are shown."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone
from tests.dates import live_today
from tests.distributing import close_its_decision, past_the_window, propose
from tests.money import posted_income

from commonshare.books import distribution as distributions
from commonshare.cli import main
from commonshare.community.models import Member
from commonshare.core.policy import DEFAULT_POLICY, policy_to_dict
from commonshare.governance import services as governance
from commonshare.work import earned, services, trust
from commonshare.work.models import Contribution, ReputationRecord
from commonshare.work.services import ContributionInput

TODAY = live_today(__name__)


def _verified(*members: Any) -> None:
    Member.objects.filter(pk__in=[m.pk for m in members]).update(
        email_verified_at=timezone.now() - dt.timedelta(days=300)
    )


def _work(author: Any, hours: str = "2", summary: str = "Docs") -> Contribution:
    return services.log_contribution(
        author, ContributionInput(kind="work", summary=summary, hours=hours, evidence_text="e")
    )


def _review_all(contribution: Contribution, rating: int = 4) -> None:
    for assignment in contribution.assignments.all():
        services.submit_review(assignment.reviewer, contribution.pk, rating=rating, comment="ok")


def test_a_first_reviewed_contribution_and_a_verified_email_earn_level_1(make_member) -> None:
    newcomer = make_member("Nia", level=None)
    make_member("Rev A"), make_member("Rev B")
    _verified(newcomer)
    assert trust.level_of(newcomer) == 0
    done = _work(newcomer)
    assert trust.level_of(newcomer) == 0  # logged, not yet reviewed
    _review_all(done)
    assert trust.level_of(newcomer) == 1
    assert trust.has_power(newcomer, trust.Power.REVIEW)
    assert not trust.has_power(newcomer, trust.Power.MONEY)
    # The level on a day before the review was the one of that day.
    assert trust.level_of(newcomer, on=TODAY - dt.timedelta(days=1)) == 0


def test_without_a_verified_email_there_is_no_level_1(make_member) -> None:
    newcomer = make_member("Nia", level=None)
    make_member("Rev A"), make_member("Rev B")
    _review_all(_work(newcomer))
    assert trust.level_of(newcomer) == 0
    summary = trust_summary_of(newcomer)
    assert "E-mail address not verified yet" in [r.sentence for r in summary.requirements]


def trust_summary_of(member: Any) -> Any:
    from commonshare.work.selectors import trust_summary

    return trust_summary(member)


def test_the_draw_skips_members_who_may_not_review(make_member) -> None:
    author = make_member("Author")
    fresh, unearned = make_member("Fresh", level=0), make_member("Unearned", level=None)
    basic, regular = make_member("Basic", level=1), make_member("Regular", level=3)
    for _ in range(5):
        contribution = _work(author)
        pool = {int(pk) for pk in contribution.review_pool}
        assert pool == {basic.pk, regular.pk}
        drawn = {a.reviewer_id for a in contribution.assignments.all()}
        assert drawn == {basic.pk, regular.pk}
        assert not {author.pk, fresh.pk, unearned.pk} & drawn


def test_with_nobody_who_may_review_the_contribution_waits(make_member) -> None:
    author = make_member("Author")
    make_member("Fresh", level=0)
    contribution = _work(author)
    assert contribution.review_pool == [] and not contribution.assignments.exists()
    page = Client().get(f"/contributions/{contribution.pk}/").content.decode()
    assert "waits for a reviewer" in page


def test_the_level_a_power_needs_is_read_from_the_policy(make_member) -> None:
    assert trust.level_for(trust.Power.REVIEW) == 1
    assert trust.level_for(trust.Power.APPROVE_EXPENSES) == 2
    assert trust.level_for(trust.Power.MONEY) == 2
    assert trust.level_for(trust.Power.VOTE_RULES) == 1
    content = policy_to_dict(DEFAULT_POLICY)
    content["trust"]["review_level"] = 2
    version = governance.adopt_policy(content, adopted_by="the test")
    assert trust.level_for(trust.Power.REVIEW) == 1  # not before the next period
    assert trust.level_for(trust.Power.REVIEW, on=version.valid_from) == 2


def test_levels_of_many_members_take_a_fixed_number_of_queries(
    make_member, django_assert_max_num_queries
) -> None:
    reviewers = [make_member(f"Rev {i}") for i in range(3)]
    members = [make_member(f"M {i}", level=None) for i in range(12)]
    _verified(*members)
    for member in members[:6]:
        _review_all(_work(member))
    ids = [m.pk for m in members + reviewers]
    # the members, their reviewed work, ratings received, reviews given, agreement, the
    # reputations and the policy, and for members active in several periods, their work
    # and reviews by period: at most nine, for two members or fifteen
    with django_assert_max_num_queries(9):
        few = earned.earned_levels_of(ids[:2])
    with django_assert_max_num_queries(9):
        many = earned.earned_levels_of(ids)
    assert few == {ids[0]: 1, ids[1]: 1}
    assert [many[m.pk] for m in members] == [1] * 6 + [0] * 6
    assert earned.earned_levels_of([10**9]) == {10**9: 0}


def test_a_newcomers_work_counts_only_by_reviews_from_level_1_up(make_member, trust_levels) -> None:
    newcomer = make_member("Nia", level=0)
    first, second = make_member("Rev A"), make_member("Rev B")
    done = _work(newcomer)
    _review_all(done)

    def valued() -> tuple[set[str], set[str]]:
        request = distributions.valuation_request(
            period_end=TODAY, currency="EUR", minor=10_000, seed="s", policy=DEFAULT_POLICY
        )
        return {c.id for c in request.contributions}, {r.reviewer for r in request.reviews}

    assert valued() == ({str(done.pk)}, {str(first.pk), str(second.pk)})
    trust_levels({first: 0})  # one reviewer's review no longer counts
    assert valued() == ({str(done.pk)}, {str(second.pk)})
    trust_levels({second: 0})  # nor the other's: the work waits
    assert valued() == (set(), set())
    trust_levels({newcomer: 1})  # an established member's work counts by any review
    assert valued()[0] == {str(done.pk)}


def _distributed(make_member: Any) -> Any:
    ada, bo = make_member("Ada"), make_member("Bo")
    _review_all(_work(ada, hours="6"))
    _review_all(_work(bo, hours="1"))
    posted_income(
        bo, amount="100.00", currency="EUR", payer="Acme", description="d", received_on=TODAY
    )
    proposal = propose(bo, currency="EUR")
    # An open proposal hands nobody a reputation: only what is posted carries one.
    assert not ReputationRecord.objects.filter(distribution_id=proposal.pk).exists()
    past_the_window(proposal)
    return close_its_decision(proposal)


def test_a_posted_distribution_stores_the_reputations_it_hands_on(make_member) -> None:
    distribution = _distributed(make_member)
    stored = {
        str(r.member_id): r.reputation
        for r in ReputationRecord.objects.filter(distribution_id=distribution.pk)
    }
    handed_on = distribution.result["reputation"]
    assert stored and set(stored) == set(handed_on)
    for member, value in handed_on.items():
        assert abs(stored[member] - Decimal(str(value))) < Decimal("1e-11")
    # The migration that fills the table from stored distributions writes the same rows.
    ReputationRecord.objects.all().delete()
    migration = __import__(
        "commonshare.work.migrations.0004_fill_reputation_records", fromlist=["fill"]
    )
    migration.fill(django_apps, None)
    assert {str(r.member_id): r.reputation for r in ReputationRecord.objects.all()} == stored


def test_the_reputation_band_is_read_from_the_last_distribution(make_member) -> None:
    members = [make_member(f"M {i}", level=None) for i in range(4)]
    earlier = {str(m.pk): "0.9" for m in members}
    earned._record_reputation(1, TODAY - dt.timedelta(days=40), earlier)
    latest = dict(zip((str(m.pk) for m in members), ["0.4", "0.3", "0.2", "0.1"], strict=True))
    earned._record_reputation(2, TODAY - dt.timedelta(days=10), latest)
    bands = [earned.standing_of(m)[0].reputation_band for m in members]
    assert bands == [Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal(1)]
    # On a day before the later distribution, the earlier one's reputations are read.
    before = earned.standing_of(members[3], on=TODAY - dt.timedelta(days=20))[0]
    assert (before.reputation, before.reputation_band) == (Decimal("0.9"), Decimal(1))


def _reputation_row(member: Any, distribution: int, end: dt.date, level: int | None) -> None:
    ReputationRecord.objects.create(
        member=member,
        distribution_id=distribution,
        period_end=end,
        reputation=Decimal("0.5"),
        level=level,
    )


def test_level_4_counts_the_periods_level_3_was_held_by_the_stored_level(make_member) -> None:
    ada, bo = make_member("Ada", level=None), make_member("Bo", level=None)
    ends = [TODAY - dt.timedelta(days=days) for days in (100, 70, 40, 10)]
    _reputation_row(ada, 1, ends[0], None)  # written before levels were kept: not counted
    _reputation_row(ada, 2, ends[1], 3)
    _reputation_row(ada, 3, ends[2], 2)  # dropped to 2 that period: not counted
    _reputation_row(ada, 4, ends[3], 4)
    _reputation_row(ada, 5, ends[3], 3)  # a second distribution of the same period: once
    _reputation_row(bo, 4, ends[3], 3)
    record = earned.standing_of(ada)[0]
    assert record.periods_at_level3 == 2
    assert earned.standing_of(bo)[0].periods_at_level3 == 1
    # Asked on an earlier day, later periods are not there yet.
    assert earned.standing_of(ada, on=ends[1])[0].periods_at_level3 == 1
    assert earned.standing_of(ada, on=ends[0])[0].periods_at_level3 == 0
    # Periods active no longer stand in for periods held at level 3.
    assert record.periods_active == 0


def test_a_posted_distribution_stores_each_members_earned_level(make_member, adopt_rules) -> None:
    adopt_rules(trust={"level1_email_verified": False})  # reviewed work alone earns level 1
    distribution = _distributed(make_member)
    rows = list(ReputationRecord.objects.filter(distribution_id=distribution.pk))
    assert rows
    for row in rows:
        member = Member.objects.get(pk=row.member_id)
        assert row.level == earned.earned_level_of(member, on=row.period_end)
    assert any(row.level for row in rows)  # reviewed work earned a level, stored as it was


def test_level_4_is_reached_only_by_level_3_held_long_enough_in_the_top_band() -> None:
    from commonshare.core.trust import MemberRecord, assess

    held = MemberRecord(
        joined_on=dt.date(2025, 1, 1),
        email_verified=True,
        reviewed_contributions=30,
        reviewed_hours=Decimal(100),
        reviews_given=30,
        periods_active=12,
        periods_at_level3=3,
        average_rating=Decimal("4.2"),
        review_agreement=Decimal("0.9"),
        reputation=Decimal("0.3"),
        reputation_band=Decimal("0.05"),
        last_active=TODAY,
    )
    policy = DEFAULT_POLICY.trust
    assert assess(held, policy, today=TODAY).level == 4
    import dataclasses

    short = dataclasses.replace(held, periods_at_level3=2)
    result = assess(short, policy, today=TODAY)
    assert result.level == 3
    assert any(r.sentence == "2 of 3 periods at level 3" for r in result.requirements)
    low = dataclasses.replace(held, reputation_band=Decimal("0.2"))
    assert assess(low, policy, today=TODAY).level == 3


# --- explained on the page, the API and the CLI -------------------------------------


@pytest.fixture
def basic_member(make_member) -> Any:
    member = make_member("Nia", level=None, email="nia@example.org")
    make_member("Rev A"), make_member("Rev B")
    _verified(member)
    _review_all(_work(member, hours="12"))
    return member


def test_the_member_page_shows_the_level_and_the_next_levels_requirements(
    basic_member,
) -> None:
    page = Client().get(f"/members/{basic_member.pk}/").content.decode()
    assert "Trust level 1: basic" in page
    assert "Be drawn to review other members&#x27; contributions" in page
    assert "Next: level 2, member" in page
    assert "12 of 20 reviewed hours" in page
    assert '<progress max="100" value="60"' in page
    assert "reviewed_hours" not in page  # no internal codes


def test_the_api_gives_the_same_explanation(basic_member) -> None:
    answer = Client().get(f"/api/members/{basic_member.pk}/trust")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["level"], body["level_name"], body["next_level"]) == (1, "basic", 2)
    hours = next(r for r in body["requirements"] if r["key"] == "reviewed_hours")
    assert hours == {
        "key": "reviewed_hours",
        "sentence": "12 of 20 reviewed hours",
        "have": "12",
        "need": "20",
        "met": False,
        "progress": "0.6",
    }
    review = next(p for p in body["powers"] if p["power"] == "review")
    assert review == {
        "power": "review",
        "sentence": "Be drawn to review other members' contributions",
        "needs_level": 1,
        "held": True,
    }
    client = Client()
    assert client.get("/api/members/me/trust").status_code == 401
    client.force_login(basic_member)
    assert client.get("/api/members/me/trust").json() == body
    assert Client().get("/api/members/999999/trust").status_code == 404


def test_the_cli_gives_the_same_explanation(basic_member) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["member", "trust", "nia@example.org"])
    assert shown.exit_code == 0, shown.output
    assert "Nia: trust level 1 (basic)" in shown.output
    assert "[ ] 12 of 20 reviewed hours" in shown.output
    as_json = runner.invoke(main, ["member", "trust", "--as", "nia@example.org", "--json"])
    api = Client().get(f"/api/members/{basic_member.pk}/trust").json()
    assert json.loads(as_json.output) == api


def test_the_policy_page_says_what_each_level_asks_and_unlocks(db) -> None:
    page = Client().get("/policy/").content.decode()
    assert "Level 1 asks 7 days as a member, a verified e-mail address, and 1 reviewed" in page
    assert "Being drawn to review contributions needs trust level 1." in page
    assert "Recording, confirming and proposing money actions, and voting on them needs" in page
    assert "loses one level until they are active again" in page


def test_a_newcomers_lent_resource_is_accepted_only_by_reviews_that_count(
    make_member, trust_levels
) -> None:
    newcomer = make_member("Nia", level=0)
    first, second = make_member("Rev A"), make_member("Rev B")
    lent = services.log_contribution(
        newcomer,
        ContributionInput(
            kind="resource",
            summary="A server",
            units="100",
            unit_name="server hours",
            evidence_text="e",
        ),
    )
    _review_all(lent)

    def paid() -> list[int]:
        payments = distributions.resource_payments(
            period_end=TODAY, currency="EUR", policy=DEFAULT_POLICY
        )
        return [p["contribution"] for p in payments]

    assert paid() == [lent.pk]
    trust_levels({first: 0, second: 0})
    assert paid() == []
