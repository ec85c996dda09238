"""A distribution in its challenge window is on ``/books/waiting`` for every member: what it
pays, when it posts, and how to object; the same on the API and ``commonshare books waiting``."""

from __future__ import annotations

import datetime as dt
import html
import re
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests import distributing
from tests.api.conftest import ApiClient
from tests.money import posted_income

from commonshare.books.models import Distribution, Payout
from commonshare.books.selectors import waiting
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.core.money import from_minor
from commonshare.decisions import services as decisions

pytestmark = pytest.mark.django_db


def _page(member: Any) -> str:
    client = Client()
    client.force_login(member)
    response = client.get(reverse("web:waiting"))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def proposed(make_member: Any) -> SimpleNamespace:
    """Ada's reviewed work, 100.00 EUR of income, and this period's distribution proposed
    by Ada, its window open; Bo may object, Fresh (level 0) may not."""
    from commonshare.work import services as work
    from commonshare.work.services import ContributionInput

    ada, bo, fresh = make_member("Ada"), make_member("Bo"), make_member("Fresh", level=0)
    done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, done.pk, rating=5, comment="good")
    posted_income(
        bo, amount="100.00", currency="EUR", payer="P", description="d",
        received_on=timezone.localdate(),
    )  # fmt: skip
    distribution = distributing.propose(ada)
    payout = Payout.objects.get(distribution=distribution, member=ada)
    return SimpleNamespace(
        ada=ada, bo=bo, fresh=fresh, distribution=distribution, payout=payout,
        number=distribution.decision_number,
    )  # fmt: skip


def test_every_member_sees_what_it_pays_when_it_posts_and_how_to_object(
    proposed: SimpleNamespace,
) -> None:
    p = proposed
    amount = f"{p.distribution.amount:,}"
    yours = f"{from_minor(p.payout.amount_minor, 'EUR'):,}"
    ada, bo, fresh = _page(p.ada), _page(p.bo), _page(p.fresh)
    for page in (ada, bo, fresh):
        assert "Distributions open for challenge" in page
        assert f"shares {amount} EUR among 1 member." in page
        assert "when its decision closes, unless someone objects" in page
        assert f"See decision {p.number}" in page
    assert f"Your payout is {yours} EUR" in ada and "why this amount" in ada
    assert "It pays you nothing." in bo and "It pays you nothing." in fresh
    assert f"To object, give your reason in decision {p.number} before it closes" in bo
    assert f"To vote on decision {p.number} you need trust level 2; you are at level 0." in fresh
    assert "To object" not in fresh
    assert "Nothing waits for you now." in fresh  # shown, but not waiting for their word


def test_an_objection_is_acknowledged_then_the_vote_shown_and_a_posted_one_is_gone(
    proposed: SimpleNamespace,
) -> None:
    p = proposed
    decisions.vote(p.bo, p.number, {"position": "object", "reason": "Too much for docs."})
    assert f"You objected in decision {p.number}" in _page(p.bo)
    distributing.past_the_window(p.distribution)
    assert "Its window closed on" in _page(p.ada)
    [moved] = decisions.close_due_decisions()
    assert moved.stage == "runoff"
    page = _page(p.ada)
    assert "A member objected, so it is now a majority vote, open until" in page
    assert f"To stop it, vote against it in decision {p.number}" in page
    decisions.vote(p.ada, p.number, {"choice": "for"})
    decisions.vote(p.bo, p.number, {"choice": "for"})
    distributing.travel_to(moved.runoff_closes_at + dt.timedelta(minutes=1))
    [closed] = decisions.close_due_decisions()
    assert closed.outcome == "passed"
    assert Distribution.objects.get(pk=p.distribution.pk).status == "posted"
    assert waiting.waiting_for(p.ada).challenges == []
    assert "Distributions open for challenge" not in _page(p.ada)


def test_a_member_who_left_is_told_they_may_not_object(proposed: SimpleNamespace) -> None:
    community.leave(proposed.bo)
    [challenge] = waiting.waiting_for(proposed.bo).challenges
    assert not challenge.may_object
    assert "To object" not in challenge.how_to_object()


def test_the_api_and_the_command_say_the_same(proposed: SimpleNamespace) -> None:
    p = proposed
    _, raw = community.create_token(p.bo, name="tests")
    body = ApiClient(raw).get("/books/waiting").json()
    [shown] = body["challenges"]
    assert shown["distribution"]["id"] == p.distribution.pk
    assert shown["amount"] == str(p.distribution.amount)
    assert shown["payees"] == 1 and shown["your_payout"] is None
    assert shown["decision"] == p.number and shown["may_object"] and not shown["in_vote"]
    assert shown["posts_at"].startswith(p.distribution.challenge_ends_at.date().isoformat())
    assert shown["how_to_object"].startswith("To object, give your reason")
    _, raw = community.create_token(p.ada, name="tests")
    [own] = ApiClient(raw).get("/books/waiting").json()["challenges"]
    assert own["your_payout"] == str(from_minor(p.payout.amount_minor, "EUR"))
    said = CliRunner().invoke(main, ["books", "waiting", "--as", p.bo.email])
    assert said.exit_code == 0, said.output
    assert f"distribution {p.distribution.pk} of" in said.output
    assert f"-> commonshare decision vote {p.number} --position object --reason TEXT" in said.output
    fresh = CliRunner().invoke(main, ["books", "waiting", "--as", p.fresh.email])
    assert "you need trust level 2" in fresh.output and "decision vote" not in fresh.output
