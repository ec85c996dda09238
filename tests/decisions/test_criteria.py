"""The criteria by which a proposal is judged: fixed before it opens for every method, stored
with its terms and shown to every voter before they vote (score voting also counts by them)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse

from commonshare.cli import main
from commonshare.community import services as community
from commonshare.decisions import selectors, services
from commonshare.decisions.models import Proposal
from commonshare.errors import InvalidInput
from tests.api.conftest import ApiClient
from tests.decisions.helpers import after_close, make_proposal

pytestmark = pytest.mark.django_db
CRITERIA = [
    {"name": "Keeps us solvent", "weight": "1", "description": "Three lean months covered"},
    {"name": "Fair to newcomers"},
]


def _page(member: Any, number: int) -> str:
    client = Client()
    client.force_login(member)
    response = client.get(reverse("web:decision", args=[number]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_majority_vote_names_its_criteria_and_every_voter_sees_them_before_voting(
    make_member: Any,
) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    proposal = make_proposal(ada, method="majority", criteria=CRITERIA)
    stored = json.loads(Proposal.objects.get(number=proposal.number).terms)["criteria"]
    assert [c["name"] for c in stored] == ["Keeps us solvent", "Fair to newcomers"]
    page = _page(bo, proposal.number)
    assert "Judge it by these criteria, agreed before anyone voted" in page
    assert "Keeps us solvent: Three lean months covered" in page
    assert "Fair to newcomers" in page
    assert page.index("Judge it by these criteria") < page.index("Cast my ballot")
    services.vote(bo, proposal.number, {"choice": "for"})
    with after_close(proposal):
        closed = services.close_decision(proposal.number)
    assert closed.outcome == "passed"  # counted as a majority: the criteria guide, not count
    published = selectors.published(closed)["phases"][0]["terms"]["criteria"]
    assert [c["name"] for c in published] == ["Keeps us solvent", "Fair to newcomers"]
    assert selectors.recount(proposal.number).matches


def test_a_lazy_consensus_keeps_its_criteria_into_the_vote_after_an_objection(
    make_member: Any,
) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    proposal = make_proposal(ada, method="lazy_consensus", criteria=CRITERIA)
    services.vote(bo, proposal.number, {"position": "object", "reason": "Not yet."})
    with after_close(proposal):
        assert services.close_decision(proposal.number).stage == "runoff"
        page = _page(bo, proposal.number)
    assert "Judge it by these criteria" in page and "Fair to newcomers" in page


def test_bad_criteria_are_refused_by_name_and_nothing_is_made(make_member: Any) -> None:
    ada = make_member("Ada")
    twice = [{"name": "Cost"}, {"name": "Cost"}, {"name": " ", "weight": "0"}]
    with pytest.raises(InvalidInput) as refused:
        make_proposal(ada, method="consent", criteria=twice)
    assert {field for field, _ in refused.value.problems} >= {
        "criteria",
        "criteria.2.name",
        "criteria.2.weight",
    }
    assert Proposal.objects.count() == 0


def test_the_form_the_api_and_the_command_take_and_show_them(make_member: Any) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    client = Client()
    client.force_login(ada)
    made = client.post(
        reverse("web:decision_create"),
        {
            "title": "A second bank account",
            "body": "For the reserve.",
            "kind": "other",
            "method": "majority",
            "criteria": "Cost\nSafety: 2",
        },
    )
    assert made.status_code == 302, made.content.decode()
    number = Proposal.objects.get().number
    assert "Judge it by these criteria" in _page(bo, number)
    _, token = community.create_token(bo, name="t")
    shown = ApiClient(token).get(f"/decisions/{number}").json()
    assert [c["name"] for c in shown["terms"]["criteria"]] == ["Cost", "Safety"]
    said = CliRunner().invoke(main, ["decision", "show", str(number)])
    assert "criterion: Cost" in said.output and "criterion: Safety" in said.output
    proposed = CliRunner().invoke(
        main,
        [
            *("decision", "propose", "--title", "Move the meeting", "--kind", "other"),
            *("--method", "lazy_consensus", "--criterion", "Reach:1", "--as", ada.email),
        ],
    )
    assert proposed.exit_code == 0, proposed.output
    later = Proposal.objects.order_by("-number").first()
    assert later is not None and json.loads(later.terms)["criteria"][0]["name"] == "Reach"
