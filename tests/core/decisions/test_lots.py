"""Lot tickets are what the docs say anyone can compute by hand."""

from __future__ import annotations

from decimal import Decimal

from commonshare.core.decisions import Criterion, Method, Outcome, Terms, tally
from commonshare.core.decisions.lots import luckiest, ticket, unluckiest

SEED = "published 2026-12-01"
ROOM, VAN = "Rent a room", "Buy a van"


def test_a_ticket_is_the_sha256_of_seed_unit_separator_option() -> None:
    # printf 'published 2026-12-01\x1fRent a room' | sha256sum
    assert ticket(SEED, ROOM) == "0d7308f9aeeb8174b21820edf8325ea83269dae9deb8e498fc9a31ad533aa790"
    assert ticket(SEED, VAN) == "973f54b2a707ae64ea5c11d8d43aa9e653420c42df37c219df5ee98968f893b2"
    assert luckiest(SEED, [VAN, ROOM]) == ROOM
    assert unluckiest(SEED, [ROOM, VAN]) == VAN


def test_a_score_tie_goes_to_the_lowest_ticket() -> None:
    terms = Terms(
        Method.SCORE, options=(VAN, ROOM), criteria=(Criterion("cost", Decimal(1)),), seed=SEED
    )
    level = {"scores": {ROOM: {"cost": 3}, VAN: {"cost": 3}}}
    result = tally(terms, [level], eligible=1)
    assert (result.outcome, result.winner) == (Outcome.CHOSEN, ROOM)
    assert result.lots == {VAN: ticket(SEED, VAN), ROOM: ticket(SEED, ROOM)}
