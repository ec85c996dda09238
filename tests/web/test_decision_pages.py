"""The decisions pages without JavaScript: the form's error summary, voting, the receipt shown
once and checked, the close button, the tally as charts and the policy diff."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonshare.decisions import services
from commonshare.decisions.models import Proposal
from tests.decisions.helpers import after_close, make_proposal

pytestmark = pytest.mark.django_db


def as_member(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _form(**extra: str) -> dict[str, str]:
    return {
        "title": "Reserve at 20%",
        "body": "More for lean months.",
        "kind": "rules",
        "method": "majority",
        "quorum": "0.25",
        "changes": "reserve.share = 0.2",
        **extra,
    }


def test_the_proposal_form_lists_every_problem_at_the_top_and_makes_nothing(
    make_member: Any,
) -> None:
    client = as_member(make_member("Ada"))
    page = client.post(
        reverse("web:decision_create"),
        _form(method="score", quorum="1.5", changes="reserve.share = 7"),
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_quorum"' in summary
    assert 'href="#id_criteria"' in summary
    assert 'href="#id_changes"' in summary
    assert "reserve share must be between 0 and 1" in summary
    assert "<title>Error:" in html
    assert Proposal.objects.count() == 0


def test_propose_vote_see_receipt_close_and_read_the_outcome(make_member: Any) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    client = as_member(ada)
    made = client.post(reverse("web:decision_create"), _form())
    assert made.status_code == 302, made.content.decode()[:3000]
    detail = client.get(made["Location"]).content.decode()
    assert "Share of every income that goes to the reserve" in detail
    assert "<td>10 %</td><td>20 %</td>" in detail
    assert "Cast my ballot" in detail
    voted = as_member(bo).post(reverse("web:decision_vote", args=[1]), {"choice": "for"})
    receipt = re.search(r'id="receipt">([0-9a-f]{32})<', voted.content.decode())
    assert receipt is not None
    checked = Client().get(reverse("web:decision_receipt", args=[1]), {"receipt": receipt[1]})
    assert "will be counted when the vote closes" in checked.content.decode()
    assert "Its content: For" in checked.content.decode()
    with after_close(Proposal.objects.get()):
        page = Client().get(reverse("web:decision", args=[1])).content.decode()
        assert "Close and count" in page
        closed = Client().post(reverse("web:decision_close", args=[1]))
        assert closed.status_code == 302
    page = Client().get(reverse("web:decision", args=[1])).content.decode()
    assert "<svg" in page and "Passed." in page
    assert "Adopted policy version 2" in page
    assert "Bo: For" in page
    assert "Due for review on" in page
    listing = Client().get(reverse("web:decisions")).content.decode()
    assert "Decision 1: Reserve at 20%" in listing and "Passed" in listing


def test_a_ballot_that_does_not_fit_is_refused_on_the_page(make_member: Any) -> None:
    ada = make_member("Ada")
    make_proposal(ada, method="consent")
    page = as_member(ada).post(reverse("web:decision_vote", args=[1]), {"position": "object"})
    html = page.content.decode()
    assert "There is a problem" in html and "reason" in html.lower()
    assert not Proposal.objects.get().roll.exists()


def test_a_fresh_account_is_told_why_it_may_not_vote(make_member: Any) -> None:
    ada, fresh = make_member("Ada"), make_member("Fresh", level=0)
    make_member("Bo")  # who could object besides the proposer
    make_proposal(ada, kind="rules")
    page = as_member(fresh).get(reverse("web:decision", args=[1])).content.decode()
    assert "you need trust level 1; you are at level 0" in page
    assert "Cast my ballot" not in page


def test_ranked_choice_rounds_are_drawn_one_chart_per_round(make_member: Any) -> None:
    members = [make_member(f"M{i}") for i in range(5)]
    proposal = make_proposal(members[0], method="ranked_irv", options=["Red", "Blue", "Green"])
    for member, ranking in zip(
        members,
        [["Red", "Blue"], ["Red"], ["Blue", "Red"], ["Green", "Blue"], ["Blue"]],
        strict=True,
    ):
        services.vote(member, 1, {"ranking": ranking})
    with after_close(proposal):
        services.close_decision(1)
    page = Client().get(reverse("web:decision", args=[1])).content.decode()
    assert page.count("<svg") >= 2
    assert "Round 1" in page and "Round 2" in page


def test_the_rules_page_explains_how_decisions_are_made() -> None:
    page = Client().get(reverse("web:policy")).content.decode()
    assert "A member at trust level 1 or above may make a proposal" in page
    assert "25 % of them must cast a ballot" in page
    assert "An objection to a lazy consensus opens a majority vote of 3 days" in page
