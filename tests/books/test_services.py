import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import paid_out, posted_income

from commonshare.books.distribution import propose_distribution
from commonshare.books.models import Distribution, Income, JournalEntry, Payout
from commonshare.errors import Conflict, InvalidInput
from commonshare.work import services as work
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _reviewed_work(author, reviewer, hours: str, rating: int):
    contribution = work.log_contribution(
        author, ContributionInput(kind="work", summary="x", hours=hours, evidence_text="e")
    )
    work.submit_review(reviewer, contribution.pk, rating=rating, comment="c")
    return contribution


def test_income_is_recorded_exactly(make_member) -> None:
    income = posted_income(
        make_member(),
        amount="1234.567",
        currency="BHD",
        payer="Acme",
        description="Support",
        received_on="2026-03-01",
    )
    assert income.amount_minor == 1234567 and income.amount == Decimal("1234.567")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"payer": ""}, "payer"),
        ({"description": ""}, "description"),
        ({"received_on": "31/03/2026"}, "received_on"),
    ],
)
def test_bad_income_names_the_field(make_member, fields: dict, field: str) -> None:
    given = {
        "amount": "10.00",
        "currency": "EUR",
        "payer": "Acme",
        "description": "d",
        "received_on": "2026-03-01",
    } | fields
    with pytest.raises(InvalidInput) as caught:
        posted_income(make_member(), **given)
    assert caught.value.field == field
    assert not Income.objects.exists()


def test_distribution_splits_by_effort_times_mean_rating(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed_work(ada, bo, "3", 5)  # value 3
    _reviewed_work(bo, ada, "1", 5)  # value 1
    posted_income(
        ada, amount="100.01", currency="EUR", payer="P", description="d", received_on=TODAY
    )
    distribution = distribute(bo, currency="EUR")
    # 10 % of 100.01 (rounded down) went to the reserve; 90.01 is split 3:1.
    paid = {p.member: p.amount_minor for p in distribution.payouts.all()}
    assert distribution.amount_minor == 9001
    assert paid == {ada: 6751, bo: 2250}  # 67.5075 and 22.5025: the extra cent by remainder
    assert sum(paid.values()) + distribution.remainder_minor == 9001
    explanation = Payout.objects.get(member=ada).explanation
    assert explanation["contributions"][0]["rating"].startswith("5")
    # Robust, the default, pays one agreeing reviewer per contribution as effort x rating.
    assert distribution.policy["valuation"]["method"] == "robust"
    assert distribution.request["contributions"][0]["effort"] == "3.00"


def test_a_period_is_distributed_once(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed_work(ada, bo, "1", 4)
    posted_income(ada, amount="50", currency="EUR", payer="P", description="d", received_on=TODAY)
    done = distribute(ada, currency="EUR", amount="20")
    with pytest.raises(Conflict, match="Already done"):
        propose_distribution(ada, period=done.period_start, currency="EUR", amount="10")
    assert Distribution.objects.count() == 1


def test_cannot_distribute_more_than_was_received(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed_work(ada, bo, "1", 4)
    posted_income(ada, amount="50", currency="EUR", payer="P", description="d", received_on=TODAY)
    with pytest.raises(InvalidInput) as caught:
        distribute(ada, currency="EUR", amount="45.01")
    assert caught.value.field == "amount"
    with pytest.raises(InvalidInput, match="no USD left"):
        distribute(ada, currency="USD")
    with pytest.raises(InvalidInput) as caught:
        propose_distribution(ada, period=f"{timezone.localdate():%Y-%m}", currency="EUR")
    assert caught.value.field == "period"
    assert "has not ended yet" in caught.value.message
    assert not Distribution.objects.exists() and not Payout.objects.exists()


def test_a_member_who_left_keeps_their_payout(make_member) -> None:
    from commonshare.books.selectors import earned_by_currency
    from commonshare.community.services import leave

    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed_work(ada, bo, "2", 4)
    posted_income(bo, amount="10", currency="EUR", payer="P", description="d", received_on=TODAY)
    distribute(bo, currency="EUR")
    leave(ada)
    assert earned_by_currency(ada) == {"EUR": 900}  # 10.00 less the 10 % reserve


def test_reputation_earned_in_one_period_anchors_the_next(make_member) -> None:
    from django.utils import timezone

    from commonshare.work.models import Contribution

    ada, bo = make_member("Ada"), make_member("Bo")
    _reviewed_work(ada, bo, "2", 4)
    _reviewed_work(bo, ada, "1", 5)
    Contribution.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    posted_income(ada, amount="10", currency="EUR", payer="P", description="d", received_on=TODAY)
    earlier = distribute(ada, currency="EUR", amount="5")
    handed_on = earlier.result["reputation"]
    assert set(handed_on) == {str(ada.pk), str(bo.pk)}
    _reviewed_work(ada, bo, "1", 3)
    later = distribute(ada, currency="EUR", amount="4")
    frozen = {m["id"]: m.get("reputation") for m in later.request["members"]}
    assert frozen == {member: str(Decimal(value)) for member, value in handed_on.items()}


def _income(member, **fields):  # type: ignore[no-untyped-def]
    given = {
        "amount": "10",
        "currency": "EUR",
        "payer": "P",
        "description": "d",
        "received_on": TODAY,
        **fields,
    }
    return posted_income(member, **given)


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "CHE", "USN"])
def test_income_in_a_code_that_is_not_money_is_refused(make_member, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _income(make_member(), currency=code)
    assert caught.value.field == "currency"
    assert caught.value.message.startswith(f"Currency {code} is not money")
    assert not Income.objects.exists() and not JournalEntry.objects.exists()


def test_income_in_a_withdrawn_currency_is_refused(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        _income(make_member(), currency="DEM")
    assert caught.value.field == "currency"
    assert caught.value.message.startswith("Currency DEM is no longer in use")
    assert not Income.objects.exists() and not JournalEntry.objects.exists()


def test_income_dated_in_the_future_is_refused(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        _income(make_member(), received_on=TODAY + dt.timedelta(days=1))
    assert caught.value.field == "received_on"
    assert caught.value.message == "The date received cannot be in the future."
    assert not Income.objects.exists()


def test_income_dated_before_the_community_began_is_refused(make_member) -> None:
    member = make_member()  # joined on 2025-01-01 (tests/conftest.py)
    with pytest.raises(InvalidInput) as caught:
        _income(member, received_on="2024-12-31")
    assert caught.value.field == "received_on"
    assert "before the community began (1 January 2025)." in caught.value.message
    assert _income(member, received_on="2025-01-01").received_on == dt.date(2025, 1, 1)


@pytest.mark.parametrize(
    ("call", "most"),
    [
        ("income", "1,000,000,000 EUR"),
        ("withdrawal", "1,000,000,000 EUR"),
        ("distribution", "1,000,000,000 EUR"),
    ],
)
def test_amounts_past_the_documented_maximum_are_refused(make_member, call: str, most: str) -> None:
    ada = make_member()
    too_much = "1000000000.01"
    with pytest.raises(InvalidInput) as caught:
        if call == "income":
            _income(ada, amount=too_much)
        elif call == "withdrawal":
            paid_out(ada, member_id=ada.pk, amount=too_much, currency="EUR", reference="T")
        else:
            distribute(ada, currency="EUR", amount=too_much)
    assert caught.value.field == "amount"
    assert caught.value.message == f"Amount can be at most {most}."
    assert not JournalEntry.objects.exists()


def test_income_reports_every_problem_at_once(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        _income(make_member(), amount="0", payer="", received_on="tomorrow")
    assert [field for field, _ in caught.value.problems] == ["amount", "payer", "received_on"]
    assert caught.value.field == "amount"
    assert caught.value.message == "Amount must be more than zero."
    for field, message in caught.value.problems:
        assert not message.lower().startswith(f"{field}:")
