"""A recount from the published terms and ballots confirms the published tally, or
names where it differs (what ``commonshare decision recount`` will say)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from commonshare.core.decisions import (
    Criterion,
    Method,
    Terms,
    differences,
    tally,
    tally_from_dict,
    terms_from_dict,
    terms_to_dict,
)


def test_a_recount_from_the_published_json_confirms_the_tally() -> None:
    terms = Terms(
        Method.SCORE,
        options=("Rent a room", "Buy a van"),
        criteria=(Criterion("cost", Decimal(2)), Criterion("reach", Decimal("0.5"))),
        quorum=Decimal("0.5"),
        seed="s",
    )
    ballots = [
        {"scores": {"Rent a room": {"cost": 4, "reach": 1}, "Buy a van": {"cost": 1, "reach": 5}}},
        {"scores": {"Rent a room": {"cost": 2, "reach": 3}, "Buy a van": {"cost": 3, "reach": 4}}},
    ]
    published = tally(terms, ballots, eligible=4)
    assert published.by_criterion == {
        "Rent a room": {"cost": 3, "reach": 2},
        "Buy a van": {"cost": 2, "reach": Decimal("4.5")},
    }
    page = json.dumps(
        {"terms": terms_to_dict(terms), "ballots": ballots, "tally": published.as_dict()}
    )
    read = json.loads(page)
    recounted = tally(terms_from_dict(read["terms"]), read["ballots"], eligible=4)
    assert differences(tally_from_dict(read["tally"]), recounted) == []


def test_a_tampered_tally_is_caught_field_by_field() -> None:
    terms = Terms(Method.MAJORITY)
    ballots = [{"choice": "for"}, {"choice": "against"}, {"choice": "for"}]
    honest = tally(terms, ballots, eligible=3)
    assert honest.winner is None
    assert honest.statement == (
        "Passed: 2 for, 1 against, 0 abstained; 3 of 3 eligible members voted, and no "
        "quorum was set."
    )
    forged = replace(
        honest, counts={"for": Decimal(3), "against": Decimal(0), "abstain": Decimal(0)}
    )
    assert differences(forged, honest) == ["counts"]
    dropped = tally(terms, ballots[:2], eligible=3)
    assert differences(honest, dropped) == ["outcome", "cast", "counts", "statement"]
