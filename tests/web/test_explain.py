"""'Why this amount' in plain words: who, how rated, how much of the whole, then the detail."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonshare.web.explain import explain, split_of, story
from tests.distributing import distribute

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


def impartial_raw(make_member: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    ada, ben = make_member("Ada"), make_member("Ben")
    raw = {
        "method": "impartial",
        "value": "2",
        "total_value": "2.5",
        "value_exact": 10_000_000,
        "denominator_exact": 15_000_000,
        "contributions": [
            {
                "contribution": "999",
                "kind": "work",
                "claimed_effort": "2.5",
                "accepted_effort": "2.5",
                "rating": "4",
                "value": "2",
                "reviews": [
                    {"reviewer": str(ben.pk), "rating": 4, "effort": None, "used": True},
                    {"reviewer": str(ben.pk), "rating": 3, "effort": None, "used": True},
                ],
            }
        ],
    }
    for review, weight in zip(raw["contributions"][0]["reviews"], ("1", "0"), strict=True):
        review["weight"] = weight
    return raw, {"ada": ada, str(ben.pk): ben}


def test_impartial_lead_divides_by_the_groups_denominator_and_names_the_remainder(
    make_member: Any,
) -> None:
    raw, members = impartial_raw(make_member)
    split = split_of(raw)
    # 10,000,000 / 15,000,000 = 2 / 3 of the amount: the numbers the engine divided
    assert (split.value, split.total, split.period_total) == (2, 3, Decimal("2.5"))
    told = story(
        explain(raw, amount=Decimal(100), members=members),
        payee=members["ada"],
        viewer=members["ada"],
        method="impartial",
        paid="66.66 EUR",
        share="0.6666",
        value=split.value,
        total_value=split.total,
        period_total=split.period_total,
    )
    assert told.lead == (
        "Your 1 contribution was rated 4 by 1 reviewer; it was worth 2 hour-equivalents of the "
        "3 the impartial split counts for your group (the 2.5 in this period, with other "
        "groups' work counted at the most your group's reviews could have made it worth), so "
        "you get 66.66 %: 66.66 EUR; the part of the amount this holds back is kept as the "
        "remainder."
    )


def test_impartial_detail_shows_no_weight_for_reviews_that_counted(make_member: Any) -> None:
    raw, members = impartial_raw(make_member)
    rows = explain(raw, amount=Decimal(100), members=members).contributions
    assert [review.weighted for review in rows[0].reviews] == [False, False]
    robust = explain({**raw, "method": "robust"}, amount=Decimal(100), members=members)
    assert [review.weighted for review in robust.contributions[0].reviews] == [True, True]


def test_an_impartial_payout_page_agrees_with_the_engine(
    world: Any, monkeypatch: pytest.MonkeyPatch, adopt_rules: Any
) -> None:
    from commonshare.books import distribution as books
    from commonshare.core.valuation.impartial import clusters
    from commonshare.work import services as work

    adopt_rules(valuation={"method": "impartial"})
    ids = [str(world.ada.pk), str(world.ben.pk)]
    seed = next(s for s in map(str, range(100)) if len(set(clusters(ids, s, 32).tolist())) == 2)
    monkeypatch.setattr(books, "_period_seed", lambda *_period: seed)
    # Ben's 1 hour has no review yet: it is counted at its ceiling for Ada's group
    work.log_contribution(
        world.ben, work.ContributionInput(kind="work", summary="s", hours="1", evidence_text="e")
    )
    world.distribution = distribute(world.ada, currency="EUR")
    page = payout_page(world, world.ada)
    raw = world.distribution.payouts.get(member=world.ada).explanation
    assert (raw["value_exact"], raw["denominator_exact"]) == (10_000_000, 15_000_000)
    assert lead_of(page) == (
        "Your 1 contribution was rated 4 by 1 reviewer; it was worth 2 hour-equivalents of the "
        "3 the impartial split counts for your group (the 2 in this period, with other groups' "
        "work counted at the most your group's reviews could have made it worth), so you get "
        "66.67 %: 60.00 EUR; the part of the amount this holds back is kept as the remainder."
    )
    body = page[page.index('id="explain-contributions"') :].split("<tbody>")[1].split("</tbody>")[0]
    assert "Ben: 4" in body and "weight" not in body  # the review counted: no "weight 0"
    head = page[page.index('id="explain-contributions"') :].split("</thead>")[0]
    assert "Reviews (rating, estimate)" in head  # no weight column named either
