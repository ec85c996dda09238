"""On the pages, a review is about the version its reviewer read.

The issue: an author raised a contribution's hours from 1 to 1,000 after a
reviewer opened it, and the reviewer's 5-star review then applied to 1,000 hours.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from commonshare.work import services
from commonshare.work.models import Contribution, Review
from commonshare.work.services import ContributionInput

ONE_HOUR = ContributionInput(kind="work", summary="Fixed the backup", hours="1", evidence_text="e")


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=args)


def as_member(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def edit_data(hours: str) -> dict[str, str]:
    return {"kind": "work", "summary": "Fixed the backup", "hours": hours, "evidence_text": "e"}


@pytest.fixture
def opened(make_member: Any) -> tuple[Any, Any, Contribution]:
    """Ada logged one hour; Bo, the only other member, is drawn and has the form open."""
    ada, bo = make_member("Ada"), make_member("Bo")
    contribution = services.log_contribution(ada, ONE_HOUR)
    return ada, bo, contribution


@pytest.mark.django_db
def test_the_review_form_carries_the_version(opened: Any) -> None:
    _, bo, contribution = opened
    page = as_member(bo).get(url("review_create", contribution.pk)).content.decode()
    assert '<input type="hidden" name="version" value="1">' in page


@pytest.mark.django_db
def test_a_stale_review_shows_what_changed_and_keeps_the_text(opened: Any) -> None:
    ada, bo, contribution = opened
    reviewer = as_member(bo)
    reviewer.get(url("review_create", contribution.pk))
    edited = as_member(ada).post(
        url("contribution_edit", contribution.pk), edit_data("1000"), follow=True
    )
    assert "updated to version 2. The reviewers already drawn are shown what changed." in (
        edited.content.decode()
    )

    review = {"rating": "5", "comment": "Checked the restore; works.", "version": "1"}
    response = reviewer.post(url("review_create", contribution.pk), review)
    assert response.status_code == 200
    page = response.content.decode()
    assert not Review.objects.exists()
    assert "you read version 1, it is now at version 2" in page
    assert re.search(r"<strong>Hours</strong>: 1 → 1,000", page)
    assert "Checked the restore; works.</textarea>" in page
    # The form now carries the current version: sending it again reviews version 2.
    assert '<input type="hidden" name="version" value="2">' in page
    again = reviewer.post(url("review_create", contribution.pk), {**review, "version": "2"})
    assert again["Location"] == url("contribution", contribution.pk)
    assert Review.objects.get().version == 2
    detail = as_member(ada).get(url("contribution", contribution.pk)).content.decode()
    assert "Version judged" in detail
    assert re.search(r'<td class="num">5 / 5</td>\s*<td class="num">2</td>', detail)
    # Once reviewed, the note for a waiting reviewer is gone.
    mine = reviewer.get(url("contribution", contribution.pk)).content.decode()
    assert "changed since you were drawn" not in mine


@pytest.mark.django_db
def test_a_form_without_a_version_is_refused(opened: Any) -> None:
    _, bo, contribution = opened
    response = as_member(bo).post(
        url("review_create", contribution.pk), {"rating": "5", "comment": "Fine"}
    )
    assert response.status_code == 200
    assert "did not say which version you read" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_drawn_reviewers_see_what_changed_since_they_were_drawn(
    opened: Any, make_member: Any
) -> None:
    ada, bo, contribution = opened
    reviewer = as_member(bo)
    assert "Changed since" in reviewer.get(url("reviews_todo")).content.decode()
    assert "1 → 1,000" not in reviewer.get(url("reviews_todo")).content.decode()
    as_member(ada).post(url("contribution_edit", contribution.pk), edit_data("1000"))

    todo = reviewer.get(url("reviews_todo")).content.decode()
    assert "version 1 → 2" in todo
    assert "<strong>Hours</strong>: 1 → 1,000" in todo
    detail = reviewer.get(url("contribution", contribution.pk)).content.decode()
    assert "changed since you were drawn to review it (version 1, now 2)" in detail
    assert "<strong>Hours</strong>: 1 → 1,000" in detail
    assert 'id="edits"' in detail
    review_page = reviewer.get(url("review_create", contribution.pk)).content.decode()
    assert 'id="changed-since-drawn"' in review_page
    # Someone who was not drawn sees the edit history, not a note meant for reviewers.
    other = as_member(make_member("Cy")).get(url("contribution", contribution.pk))
    assert "changed since you were drawn" not in other.content.decode()
    assert "<strong>Hours</strong>: 1 → 1,000" in other.content.decode()


@pytest.mark.django_db
def test_a_redraw_shows_the_earlier_draw(make_member: Any, adopt_rules: Any) -> None:
    adopt_rules(review={"redraw_reviewers_on_edit": True})
    ada = make_member("Ada")
    for _ in range(4):
        make_member()
    contribution = services.log_contribution(ada, ONE_HOUR)
    seed = contribution.review_seed
    edited = as_member(ada).post(
        url("contribution_edit", contribution.pk), edit_data("3"), follow=True
    )
    assert "they were drawn anew" in edited.content.decode()
    page = Client().get(url("contribution", contribution.pk)).content.decode()
    assert "Earlier draws" in page
    assert f"seed <code>{seed}</code>" in page
    assert Contribution.objects.get().review_seed in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_stale_review_in_the_browser(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    """Bo opens the form, Ada raises the hours, Bo's send shows the change, then goes through."""
    from tests.conftest import PASSWORD

    ada, bo = make_member("Ada"), make_member("Bo")
    contribution = services.log_contribution(ada, ONE_HOUR)
    base = live_server.url
    pages = {}
    for member in (ada, bo):
        page = browser.new_context().new_page()
        page.goto(f"{base}{url('login')}")
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text(f"Signed in as {member.display_name}")).to_be_visible()
        pages[member.display_name] = page
    author, reviewer = pages["Ada"], pages["Bo"]

    reviewer.goto(f"{base}{url('review_create', contribution.pk)}")
    reviewer.get_by_label("5 — excellent").check()
    reviewer.get_by_label("Comment").fill("Checked the restore; works.")

    author.goto(f"{base}{url('contribution_edit', contribution.pk)}")
    author.get_by_label("Hours worked").fill("1000")
    author.get_by_role("button", name="Save changes").click()
    expect(author.get_by_text("Contribution updated to version 2.")).to_be_visible()

    reviewer.get_by_role("button", name="Submit review").click()
    alert = reviewer.locator("#stale-version")
    expect(alert).to_contain_text("you read version 1, it is now at version 2")
    expect(alert).to_contain_text("Hours: 1 → 1,000")
    expect(reviewer.get_by_label("Comment")).to_have_value("Checked the restore; works.")
    expect(reviewer.locator("#review-version")).to_have_text("2")
    reviewer.get_by_label("2 — fair").check()
    reviewer.get_by_role("button", name="Submit review").click()
    expect(reviewer.get_by_text("Thank you: your review is recorded.")).to_be_visible()
    expect(reviewer.get_by_role("cell", name="2 / 5")).to_be_visible()
    # On a phone, the wider reviews table scrolls in its own box, not the page.
    reviewer.set_viewport_size({"width": 390, "height": 800})
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= 390
    assert Review.objects.get().version == 2
