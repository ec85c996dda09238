"""'Why this amount' in plain words: who, how rated, how much of the whole, then the detail."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonshare.web.explain import explain, story

pytestmark = pytest.mark.django_db


def payout_page(paid: Any, viewer: Any = None) -> str:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    url = reverse("web:payout", args=[paid.distribution.pk, paid.ada.pk])
    return client.get(url).content.decode()


def lead_of(page: str) -> str:
    match = re.search(r'id="payout-story">(.*?)</p>', page, re.S)
    assert match
    return html.unescape(match.group(1)).strip()


def paid_text(paid: Any) -> str:
    return f"{paid.distribution.amount} EUR"


def test_the_payee_reads_about_their_own_pay(paid: Any) -> None:
    # 2.5 hours rated 4 by Ben is worth 2.5 x 4 / 5 = 2 hour-equivalents, all of the period's.
    assert lead_of(payout_page(paid, paid.ada)) == (
        "Your 1 contribution was rated 4 by 1 reviewer; it was worth 2 hour-equivalents of "
        f"the 2 in this period, so you get 100 %: {paid_text(paid)}."
    )


def test_anyone_else_reads_the_members_name_not_your(paid: Any) -> None:
    for viewer in (paid.ben, None):
        page = payout_page(paid, viewer)
        assert lead_of(page).startswith("Ada's 1 contribution was rated 4 by 1 reviewer;")
        assert lead_of(page).endswith(f"so Ada gets 100 %: {paid_text(paid)}.")
        assert "Your" not in page[page.index("<main") :]


def test_the_lead_and_the_detail_use_no_engine_terms_and_show_no_none(paid: Any) -> None:
    page = payout_page(paid, paid.ben)
    shown = page[page.index("<main") : page.index('<details class="stored"')]
    for term in ("prior_weight", "EigenTrust", "trust_weighting", "None", "accepted_effort"):
        assert term not in shown, term
    assert '<details class="calculation" id="payout-calculation">' in page
    lines = html.unescape(re.sub(r"<[^>]+>", "", shown))
    assert (
        "Wrote chapter one: 2.5 hours claimed; rated 4 by Ben (4); worth 2 hour-equivalents "
        "(2.5 × 4 ÷ 5)." in lines
    )


def test_long_engine_numbers_are_rounded(paid: Any) -> None:
    payout = paid.distribution.payouts.get(member=paid.ada)
    payout.explanation = {**payout.explanation, "trust": "0.223663170344", "standing": None}
    payout.explanation["contributions"][0]["reviews"][0]["weight"] = "0.081822223225"
    payout.save()
    page = payout_page(paid)
    shown = page[: page.index('<details class="stored"')]
    assert "0.223663170344" not in shown and "0.224" in shown
    assert "0.081822223225" not in shown and "weight 0.08" in shown
    assert re.search(r'data-key="standing">none<', shown)


def reviews_of(make_member: Any) -> tuple[Any, Any, Any]:
    return make_member("Ada"), make_member("Ben"), make_member("Cleo")


def one_line(claimed: str, accepted: str, estimates: dict[str, str | None]) -> dict[str, Any]:
    return {
        "value": "2",
        "total_value": "4",
        "contributions": [
            {
                "contribution": "999",
                "kind": "work",
                "claimed_effort": claimed,
                "accepted_effort": accepted,
                "rating": "4",
                "value": "2",
                "reviews": [
                    {"reviewer": reviewer, "rating": 4, "effort": effort, "used": True}
                    for reviewer, effort in estimates.items()
                ],
            }
        ],
    }


def notes_for(raw: dict[str, Any], members: dict[str, Any], viewer: Any) -> list[str]:
    told = story(
        explain(raw, amount=Decimal(100), members=members),
        payee=members["ada"],
        viewer=viewer,
        method="robust",
        paid="50.00 EUR",
        share="0.5",
        value=raw["value"],
        total_value=raw["total_value"],
    )
    return told.lines[0].notes


def test_an_effort_challenge_that_changed_nothing_is_explained(make_member: Any) -> None:
    ada, ben, cleo = reviews_of(make_member)
    members = {"ada": ada, str(ben.pk): ben, str(cleo.pk): cleo}
    raw = one_line("3", "3", {str(ben.pk): "2", str(cleo.pk): None})
    assert notes_for(raw, members, ada) == [
        "Ben thought it took 2 hours; the other reviewers agreed with the 3 claimed, "
        "so it counted as 3 hours."
    ]


def test_an_effort_challenge_that_moved_the_effort_says_by_how_much(make_member: Any) -> None:
    ada, ben, cleo = reviews_of(make_member)
    members = {"ada": ada, str(ben.pk): ben, str(cleo.pk): cleo}
    raw = one_line("3", "2.5", {str(ben.pk): "2", str(cleo.pk): None})
    assert notes_for(raw, members, ada) == [
        "Ben thought it took 2 hours rather than the 3 claimed; weighing the reviewers' "
        "estimates, it counted as 2.5 hours."
    ]


def test_an_estimate_above_the_claim_counts_as_the_claim(make_member: Any) -> None:
    ada, ben, _cleo = reviews_of(make_member)
    members = {"ada": ada, str(ben.pk): ben}
    raw = one_line("1", "1", {str(ben.pk): "4"})
    assert notes_for(raw, members, None) == [
        "Ben thought it took 4 hours, more than the 1 claimed; an estimate above the claim "
        "counts as the claim."
    ]
