"""Every page answers, every form names the field it refuses, nothing is written then."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonshare.audit.models import AuditEvent
from commonshare.books.models import Distribution, Income, JournalEntry
from commonshare.community.models import Member
from commonshare.work.models import Contribution, Review, Task
from tests.distributing import close_this_period, past_the_window, propose
from tests.money import posted_income

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=args)


def as_member(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def public_pages(w: Any) -> list[str]:
    return [
        url("home"),
        url("signup"),
        url("login"),
        url("members"),
        url("member", w.ada.pk),
        url("tasks"),
        url("task", w.task.pk),
        url("contributions"),
        url("contribution", w.contribution.pk),
        url("income_list"),
        url("distributions"),
        url("distribution", w.distribution.pk),
        url("payout", w.distribution.pk, w.ada.pk),
    ]


def member_pages(w: Any) -> list[str]:
    return [
        url("task_create"),
        url("subtask_create", w.task.pk),
        url("contribution_create"),
        url("contribution_create") + f"?task={w.task.pk}",
        url("reviews_todo"),
        url("income_create"),
        url("distribution_create"),
        url("profile_edit"),
        url("leave"),
    ]


def test_public_pages_answer_visitors_and_members(paid: Any) -> None:
    visitor, member = Client(), as_member(paid.ben)
    for page in public_pages(paid):
        assert visitor.get(page).status_code == 200, page
        if page != url("login"):  # a signed-in member is sent on from the login page
            assert member.get(page).status_code == 200, page
    assert member.get(url("login"))["Location"] == url("home")


def test_member_pages_need_login(world: Any) -> None:
    visitor, member = Client(), as_member(world.ada)
    for page in member_pages(world):
        response = visitor.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(url("login")), page
        assert member.get(page).status_code == 200, page
    own = member.get(url("me"))
    assert own.status_code == 200 and own.context["member"] == world.ada
    assert f'<link rel="canonical" href="{url("member", world.ada.pk)}">' in own.content.decode()


def test_unknown_ids_give_404(paid: Any) -> None:
    member = as_member(paid.ada)
    missing = 987654
    for page in [
        url("member", missing),
        url("task", missing),
        url("subtask_create", missing),
        url("contribution", missing),
        url("contribution_edit", missing),
        url("review_create", missing),
        url("distribution", missing),
        url("payout", paid.distribution.pk, missing),
        url("payout", missing, paid.ada.pk),
    ]:
        assert member.get(page).status_code == 404, page
    for action in ("task_claim", "task_release", "task_done"):
        assert member.post(url(action, missing)).status_code == 404, action


def test_every_form_carries_a_csrf_token(world: Any) -> None:
    member = as_member(world.ben)
    pages = [*member_pages(world), url("review_create", world.contribution.pk + 0)]
    for page in [p for p in pages if "review" not in p]:
        assert "csrfmiddlewaretoken" in member.get(page).content.decode(), page
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.ada)
    assert strict.post(url("task_create"), {"title": "x", "estimate_hours": "1"}).status_code == 403
    assert not Task.objects.filter(title="x").exists()


def assert_field_error(response: Any, field: str, text: str = "") -> None:
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if text:
        assert text in " ".join(errors[field]), errors[field]
    page = response.content.decode()
    # Listed in the error summary, linked to its field, and said again at the field.
    assert f'href="#id_{field}"' in page
    assert f'id="id_{field}_error"' in page


# --- Sign up, profile, leaving ---------------------------------------------------


def test_signup_joins_and_logs_in(db: Any, password: str) -> None:
    client = Client()
    response = client.post(
        url("signup"), {"email": "cy@example.org", "display_name": "Cy", "password": password}
    )
    assert response.status_code == 302
    member = Member.objects.get(email="cy@example.org")
    assert client.get(url("me")).context["member"] == member


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email", "display_name": "Cy"}, "email"),
        ({"email": "cy@example.org", "display_name": "  "}, "display_name"),
        ({"email": "cy@example.org", "display_name": "Cy", "password": "short"}, "password"),
    ],
)
def test_signup_refusals_name_the_field(
    db: Any, password: str, data: dict[str, str], field: str
) -> None:
    response = Client().post(url("signup"), {"password": password, **data})
    assert_field_error(response, field)
    assert Member.objects.count() == 0


def test_signup_with_a_taken_email(world: Any, password: str) -> None:
    before = Member.objects.count()
    response = Client().post(
        url("signup"), {"email": world.ada.email, "display_name": "Ada 2", "password": password}
    )
    assert_field_error(response, "email", "already exists")
    assert Member.objects.count() == before


def test_login_and_logout_pages(world: Any, password: str) -> None:
    client = Client()
    response = client.post(url("login"), {"username": world.ada.email, "password": password})
    assert response.status_code == 302
    assert client.get(url("reviews_todo")).status_code == 200
    assert client.post(url("logout")).status_code == 302
    assert client.get(url("reviews_todo")).status_code == 302


def test_profile_edit(world: Any) -> None:
    client = as_member(world.ada)
    response = client.post(url("profile_edit"), {"display_name": "", "bio": "hi"})
    assert_field_error(response, "display_name")
    world.ada.refresh_from_db()
    assert world.ada.display_name == "Ada"
    response = client.post(url("profile_edit"), {"display_name": "Ada L.", "bio": "*maths*"})
    assert response.status_code == 302
    page = client.get(url("member", world.ada.pk)).content.decode()
    assert "Ada L." in page
    assert "<em>maths</em>" in page


def paid_amount(paid: Any) -> str:
    """What the distribution split (income less any reserve), as the pages show it."""
    return f"{paid.distribution.amount} EUR"


def test_profile_shows_contributions_payouts_and_earnings(paid: Any) -> None:
    page = Client().get(url("member", paid.ada.pk)).content.decode()
    assert "Wrote chapter one" in page
    assert paid_amount(paid) in page  # the only contributor earns everything
    assert url("payout", paid.distribution.pk, paid.ada.pk) in page


def test_leave_keeps_history_and_rejoin(paid: Any) -> None:
    client = as_member(paid.ada)
    confirm = client.get(url("leave")).content.decode()
    assert paid_amount(paid) in confirm
    assert client.post(url("leave")).status_code == 302
    paid.ada.refresh_from_db()
    assert paid.ada.left_at is not None
    page = client.get(url("member", paid.ada.pk)).content.decode()
    assert "Left on" in page
    assert paid_amount(paid) in page
    assert "Rejoin" in page
    # A member who left may not claim or create work: the service says 403.
    assert client.post(url("task_claim", paid.task.pk)).status_code == 403
    assert client.post(url("rejoin")).status_code == 302
    paid.ada.refresh_from_db()
    assert paid.ada.left_at is None
    assert client.get(url("rejoin")).status_code == 405


# --- Tasks ------------------------------------------------------------------------


def test_task_create_and_subtask(world: Any) -> None:
    client = as_member(world.ben)
    response = client.post(
        url("task_create"),
        {"title": "Translate", "description": "Into **Dutch**", "estimate_hours": "1.5"},
    )
    task = Task.objects.get(title="Translate")
    assert response["Location"] == url("task", task.pk)
    response = client.post(
        url("subtask_create", task.pk), {"title": "Chapter 1", "estimate_hours": "0.5"}
    )
    sub = Task.objects.get(title="Chapter 1")
    assert sub.parent_id == task.pk
    tree = client.get(url("tasks")).content.decode()
    assert tree.index("Translate") < tree.index("Chapter 1")
    assert "<strong>Dutch</strong>" in client.get(url("task", task.pk)).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "T", "estimate_hours": "abc"}, "estimate_hours"),
        ({"title": "T", "estimate_hours": "0"}, "estimate_hours"),
        ({"title": "T", "estimate_hours": ""}, "estimate_hours"),
        ({"title": "", "estimate_hours": "1"}, "title"),
    ],
)
def test_task_refusals_name_the_field(world: Any, data: dict[str, str], field: str) -> None:
    before = Task.objects.count()
    assert_field_error(as_member(world.ben).post(url("task_create"), data), field)
    assert Task.objects.count() == before


def test_subtask_of_a_done_task_is_refused(world: Any) -> None:
    from commonshare.work import services

    services.complete_task(world.ada, world.task.pk)
    before = Task.objects.count()
    response = as_member(world.ada).post(
        url("subtask_create", world.task.pk), {"title": "More", "estimate_hours": "1"}
    )
    assert response.status_code == 200
    assert "subtasks go under open tasks" in response.content.decode()
    assert Task.objects.count() == before


def test_claim_release_done_buttons(world: Any) -> None:
    ada, ben = as_member(world.ada), as_member(world.ben)
    page = ada.get(url("task", world.task.pk)).content.decode()
    assert "Release" in page
    assert "Mark done" in page
    assert ">Claim<" not in page
    other = ben.get(url("task", world.task.pk)).content.decode()
    assert "Release" not in other
    assert ">Claim<" not in other
    # Somebody else's claim: releasing or finishing it is forbidden.
    assert ben.post(url("task_release", world.task.pk)).status_code == 403
    assert ben.post(url("task_done", world.task.pk)).status_code == 403
    # Claiming a claimed task is a conflict, shown as a message.
    response = ben.post(url("task_claim", world.task.pk), follow=True)
    assert "already claimed by another member" in response.content.decode()
    assert ada.post(url("task_release", world.task.pk)).status_code == 302
    assert ">Claim<" in ben.get(url("task", world.task.pk)).content.decode()
    assert ben.post(url("task_claim", world.task.pk)).status_code == 302
    assert ben.post(url("task_done", world.task.pk)).status_code == 302
    world.task.refresh_from_db()
    assert world.task.status == "done"
    assert world.task.claimed_by_id == world.ben.pk
    assert ben.get(url("task_claim", world.task.pk)).status_code == 405


def test_visitor_sees_no_buttons(world: Any) -> None:
    page = Client().get(url("task", world.task.pk)).content.decode()
    assert "Log work on this task" not in page
    assert Client().post(url("task_claim", world.task.pk)).status_code == 302


# --- Contributions and reviews ---------------------------------------------------


def contribution_data(**extra: str) -> dict[str, str]:
    return {
        "kind": "work",
        "summary": "Fixed a bug",
        "hours": "1.25",
        "evidence_text": "PR 4",
        **extra,
    }


def test_log_work_on_a_task(world: Any) -> None:
    client = as_member(world.ada)
    response = client.post(url("contribution_create"), contribution_data(task=str(world.task.pk)))
    contribution = Contribution.objects.get(summary="Fixed a bug")
    assert response["Location"] == url("contribution", contribution.pk)
    assert contribution.task_id == world.task.pk
    assert contribution.hours == 1.25
    page = client.get(url("contribution", contribution.pk)).content.decode()
    assert "1.25 h" in page
    assert contribution.review_seed in page
    assert "Ben" in page  # always drawn: the only other member
    assert "Edit" in page


def test_log_expense_with_receipt(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client = as_member(world.ben)
    data = {"kind": "expense", "summary": "Domain name", "amount": "12.5", "currency": "eur"}
    response = client.post(url("contribution_create"), {**data, "receipt": receipt})
    assert response.status_code == 302, response.context["form"].errors
    contribution = Contribution.objects.get(summary="Domain name")
    page = client.get(url("contribution", contribution.pk)).content.decode()
    assert "12.50 EUR" in page
    assert contribution.receipt.url in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (contribution_data(hours=""), "hours"),
        (contribution_data(hours="lots"), "hours"),
        (contribution_data(summary=""), "summary"),
        (contribution_data(evidence_text="", evidence_url="javascript:alert(1)"), "evidence_url"),
        (contribution_data(evidence_text=""), "evidence_text"),
        (contribution_data(kind="expense", amount="5", currency="EUR"), "receipt"),
        (contribution_data(kind="expense", amount="5", currency="ZZZ"), "currency"),
        (contribution_data(kind="resource", units="3", unit_name=""), "unit_name"),
        (contribution_data(kind="nonsense"), "kind"),
        (contribution_data(task="999999"), "task"),
    ],
)
def test_contribution_refusals_name_the_field(world: Any, data: dict[str, str], field: str) -> None:
    before = Contribution.objects.count()
    response = as_member(world.ada).post(url("contribution_create"), data)
    assert_field_error(response, field)
    assert Contribution.objects.count() == before


def test_edit_contribution_only_by_author_before_review(world: Any) -> None:
    client = as_member(world.ada)
    fresh = client.post(url("contribution_create"), contribution_data(summary="Draft"))
    assert fresh.status_code == 302
    contribution = Contribution.objects.get(summary="Draft")
    assert client.get(url("contribution_edit", contribution.pk)).status_code == 200
    bad = client.post(url("contribution_edit", contribution.pk), contribution_data(hours="-1"))
    assert_field_error(bad, "hours")
    response = client.post(
        url("contribution_edit", contribution.pk), contribution_data(summary="Final", hours="3")
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.summary, contribution.hours) == ("Final", 3)
    # Not the author: 403 both ways.
    ben = as_member(world.ben)
    assert ben.get(url("contribution_edit", contribution.pk)).status_code == 403
    assert (
        ben.post(url("contribution_edit", contribution.pk), contribution_data()).status_code == 403
    )
    # Reviewed: no Edit link, and the service refuses.
    reviewed = url("contribution", world.contribution.pk)
    assert (
        f'href="{url("contribution_edit", world.contribution.pk)}"'
        not in client.get(reviewed).content.decode()
    )
    response = client.post(url("contribution_edit", world.contribution.pk), contribution_data())
    assert response.status_code == 200
    assert "can no longer change" in response.content.decode()


def test_review_flow(world: Any) -> None:
    ada, ben = as_member(world.ada), as_member(world.ben)
    ada.post(url("contribution_create"), contribution_data(summary="Needs review"))
    contribution = Contribution.objects.get(summary="Needs review")
    todo = ben.get(url("reviews_todo")).content.decode()
    assert "Needs review" in todo
    assert url("review_create", contribution.pk) in todo
    before = Review.objects.count()
    assert_field_error(
        ben.post(url("review_create", contribution.pk), {"comment": "ok", "version": "1"}), "rating"
    )
    assert_field_error(
        ben.post(
            url("review_create", contribution.pk), {"rating": "3", "comment": "", "version": "1"}
        ),
        "comment",
    )
    assert_field_error(
        ben.post(
            url("review_create", contribution.pk),
            {"rating": "3", "comment": "ok", "effort_estimate": "-2", "version": "1"},
        ),
        "effort_estimate",
    )
    assert Review.objects.count() == before
    response = ben.post(
        url("review_create", contribution.pk),
        {"rating": "5", "comment": "Great", "effort_estimate": "1", "version": "1"},
    )
    assert response["Location"] == url("contribution", contribution.pk)
    assert "Needs review" not in ben.get(url("reviews_todo")).content.decode()
    page = ada.get(url("contribution", contribution.pk)).content.decode()
    assert "5 / 5" in page
    assert "Great" in page
    again = ben.post(
        url("review_create", contribution.pk), {"rating": "1", "comment": "x", "version": "1"}
    )
    assert "already reviewed" in again.content.decode()


def test_review_forbidden_for_author_and_undrawn(world: Any, make_member: Any) -> None:
    ada = as_member(world.ada)
    outsider = as_member(make_member("Cleo"))
    for client in (ada, outsider):
        assert client.get(url("review_create", world.contribution.pk)).status_code == 403
        response = client.post(
            url("review_create", world.contribution.pk), {"rating": "5", "comment": "x"}
        )
        assert response.status_code == 403


# --- Books -----------------------------------------------------------------------


def test_record_income(world: Any) -> None:
    client = as_member(world.ben)
    data = {
        "amount": "250",
        "currency": "JPY",
        "payer": "Kaisha",
        "description": "Licence",
        "received_on": "2026-01-15",
    }
    assert client.post(url("income_create"), data).status_code == 302
    page = client.get(url("income_list")).content.decode()
    assert "250 JPY" in page
    assert "Kaisha" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"payer": ""}, "payer"),
        ({"description": ""}, "description"),
        ({"received_on": "yesterday"}, "received_on"),
    ],
)
def test_income_refusals_name_the_field(world: Any, change: dict[str, str], field: str) -> None:
    data = {
        "amount": "10",
        "currency": "EUR",
        "payer": "P",
        "description": "D",
        "received_on": "2026-01-15",
        **change,
    }
    before = Income.objects.count()
    assert_field_error(as_member(world.ben).post(url("income_create"), data), field)
    assert Income.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2020-01-15"}, "period"),
        ({"period": "soon"}, "period"),
        ({"period": "this month"}, "period"),
        ({"currency": "???"}, "currency"),
        ({"amount": "1000000"}, "amount"),
    ],
)
def test_distribution_refusals_name_the_field(
    world: Any, change: dict[str, str], field: str
) -> None:

    posted_income(
        world.ada, amount="10", currency="EUR", payer="P", description="D", received_on=world.today
    )
    if change.get("period") == "this month":
        change = {"period": f"{world.today:%Y-%m}"}  # not ended yet
    data = {"period": "2025-01", "currency": "EUR", **change}
    before = (Distribution.objects.count(), AuditEvent.objects.count())
    assert_field_error(as_member(world.ben).post(url("distribution_create"), data), field)
    assert (Distribution.objects.count(), AuditEvent.objects.count()) == before


def test_distribution_of_a_period_twice_is_refused(paid: Any) -> None:
    data = {"period": f"{paid.distribution.period_start:%Y-%m}", "currency": "EUR"}
    response = as_member(paid.ben).post(url("distribution_create"), data)
    assert_field_error(response, "period")


def test_propose_then_post_a_distribution_through_the_pages(world: Any) -> None:

    posted_income(
        world.ada, amount="7", currency="USD", payer="P", description="D", received_on=world.today
    )
    period = f"{close_this_period():%Y-%m}"
    form = as_member(world.ben).get(url("distribution_create")).content.decode()
    assert 'name="period"' in form and 'name="period_start"' not in form
    response = as_member(world.ben).post(
        url("distribution_create"), {"period": period, "currency": "USD"}
    )
    distribution = Distribution.objects.get(currency="USD")
    assert response["Location"] == url("distribution", distribution.pk)
    assert (
        distribution.status == "proposed"
        and not JournalEntry.objects.filter(source=f"distribution:{distribution.pk}").exists()
    )
    page = Client().get(url("distribution", distribution.pk)).content.decode()
    ends = timezone.localtime(distribution.challenge_ends_at)
    assert f"open for challenge until {ends.day} {ends:%B %Y, %H:%M}" in page
    assert f"{distribution.amount} USD" in page
    assert "<svg" in page
    assert distribution.seed in page
    assert url("payout", distribution.pk, world.ada.pk) in page  # each payout, and why
    listing = Client().get(url("distributions")).content.decode()
    proposed, posted = listing.split("<h2>Posted</h2>")
    assert url("distribution", distribution.pk) in proposed
    assert url("distribution", distribution.pk) not in posted
    number = distribution.decision_number
    assert url("decision", number) in page  # the distribution links its decision
    decision = Client().get(url("decision", number)).content.decode()
    assert url("distribution", distribution.pk) in decision  # and the decision its preview
    assert url("payout", distribution.pk, world.ada.pk) in decision
    assert "why this amount" in decision
    early = as_member(world.ada).post(url("decision_close", number), follow=True)
    assert "it can be closed after" in early.content.decode()
    distribution.refresh_from_db()
    assert distribution.status == "proposed"
    past_the_window(distribution)
    as_member(world.ada).post(url("decision_close", number))
    distribution.refresh_from_db()
    assert distribution.status == "posted"
    assert JournalEntry.objects.filter(source=f"distribution:{distribution.pk}").count() == 1
    listing = Client().get(url("distributions")).content.decode()
    assert url("distribution", distribution.pk) in listing.split("<h2>Posted</h2>")[1]
    closed = Client().get(url("decision", number)).content.decode()
    assert "Posted the distribution of" in closed


def test_a_proposal_is_withdrawn_with_a_reason(world: Any) -> None:
    proposal = propose(world.ada, currency="EUR")
    shown = as_member(world.ada).get(url("distribution", proposal.pk)).content.decode()
    assert url("distribution_withdraw", proposal.pk) in shown
    other = as_member(world.ben).get(url("distribution", proposal.pk)).content.decode()
    assert url("distribution_withdraw", proposal.pk) not in other  # Ben objects instead
    empty = as_member(world.ada).post(url("distribution_withdraw", proposal.pk), {"reason": ""})
    assert_field_error(empty, "reason")
    as_member(world.ada).post(
        url("distribution_withdraw", proposal.pk), {"reason": "Income is missing"}
    )
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    page = Client().get(url("distribution", proposal.pk)).content.decode()
    assert "nothing of it was paid" in page
    assert "Withdrawn by its proposer: Income is missing" in page
    decision = Client().get(url("decision", proposal.decision_number)).content.decode()
    assert "Withdrawn" in decision and "Income is missing" in decision


def test_distribution_page_shows_amount_seed_chart_and_payouts(paid: Any) -> None:
    page = Client().get(url("distribution", paid.distribution.pk)).content.decode()
    assert paid_amount(paid) in page
    assert paid.distribution.seed in page
    assert "<rect" in page
    assert "Ada" in page
    assert url("payout", paid.distribution.pk, paid.ada.pk) in page


def summary_cell(page: str, key: str) -> str:
    match = re.search(rf'data-key="{key}">(.*?)</td>', page, re.S)
    assert match, key
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_payout_page_explains_the_amount(paid: Any) -> None:
    page = Client().get(url("payout", paid.distribution.pk, paid.ada.pk)).content.decode()
    # 2.5 hours, rated 4 by Ben; the only contributor takes the whole amount.
    assert f'id="payout-amount">{paid_amount(paid)}<' in page
    assert "Ben: 4" in page
    assert ">2.5<" in page
    assert url("contribution", paid.contribution.pk) in page
    value, total = summary_cell(page, "value"), summary_cell(page, "total_value")
    assert Decimal(value) == Decimal(total) > 0
    assert Decimal(summary_cell(page, "exact_amount").split()[0]) == paid.distribution.amount
    assert summary_cell(page, "payout") == paid_amount(paid)
    assert "/ 5" in page  # the formula
    assert "largest remainder" in page or "remainders" in page


def test_payout_page_shows_unknown_explanation_keys(paid: Any) -> None:
    payout = paid.distribution.payouts.get(member=paid.ada)
    payout.explanation = {
        **payout.explanation,
        "reputation": {"weight": "0.9"},
        "note": "new engine key",
    }
    payout.explanation["contributions"][0]["discount"] = "0.1"
    payout.save()
    page = Client().get(url("payout", paid.distribution.pk, paid.ada.pk)).content.decode()
    assert "new engine key" in page
    assert "reputation" in page
    assert "discount" in page


def test_home_shows_numbers_activity_and_chart(paid: Any) -> None:
    page = Client().get(url("home")).content.decode()
    assert "100.00 EUR" in page  # income received
    assert paid_amount(paid) in page  # distributed
    assert "joined the community" in page
    assert "distributed" in page
    assert "Income per month, EUR" in page


def test_nav_counts_reviews_to_do(world: Any) -> None:
    ada = as_member(world.ada)
    ada.post(url("contribution_create"), contribution_data(summary="One more"))
    page = as_member(world.ben).get(url("home")).content.decode()
    assert 'aria-label="1 waiting">1<' in page
