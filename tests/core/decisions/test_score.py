"""Score voting against weighted criteria: exact weighted means and the tie rules."""

from __future__ import annotations

from decimal import Decimal

from commonshare.core.decisions import Criterion, Method, Outcome, Terms, tally, tally_from_dict
from commonshare.core.decisions.lots import ticket

ROOM, VAN = "Rent a room", "Buy a van"
CRITERIA = (Criterion("cost", Decimal(2), "Cheaper is better"), Criterion("reach", Decimal(1)))


def scored(room: tuple[int, int], van: tuple[int, int]) -> dict[str, object]:
    return {
        "scores": {
            ROOM: {"cost": room[0], "reach": room[1]},
            VAN: {"cost": van[0], "reach": van[1]},
        }
    }


def test_the_highest_weighted_mean_is_chosen() -> None:
    terms = Terms(Method.SCORE, options=(ROOM, VAN), criteria=CRITERIA)
    # room: (2*4 + 2) + (2*3 + 3) = 19 over 2 ballots * 3 weight = 3.1666..
    # van:  (2*2 + 5) + (2*3 + 3) = 18 over 6 = 3
    result = tally(terms, [scored((4, 2), (2, 5)), scored((3, 3), (3, 3))], eligible=3)
    assert result.outcome is Outcome.CHOSEN
    assert result.winner == ROOM
    assert result.counts == {ROOM: Decimal("3.1667"), VAN: Decimal(3)}
    assert result.statement == (
        "Chosen: Rent a room, with the highest weighted mean score, 3.1667 out of 5; "
        "2 of 3 eligible members voted, and no quorum was set."
    )
    assert tally_from_dict(result.as_dict()) == result


def test_exact_sums_tie_where_floats_would_not() -> None:
    # 0.1 + 0.2 == 0.3 exactly; in floating point it is 0.30000000000000004.
    criteria = (
        Criterion("a", Decimal("0.1")),
        Criterion("b", Decimal("0.2")),
        Criterion("c", Decimal("0.3")),
    )
    terms = Terms(Method.SCORE, options=("X", "Y"), criteria=criteria, seed="s")
    ballot = {"scores": {"X": {"a": 1, "b": 1, "c": 0}, "Y": {"a": 0, "b": 0, "c": 1}}}
    result = tally(terms, [ballot], eligible=1)
    assert result.outcome is Outcome.CHOSEN
    assert result.lots == {"X": ticket("s", "X"), "Y": ticket("s", "Y")}
    assert result.winner == min("XY", key=lambda option: ticket("s", option))
    assert result.statement.startswith("Chosen by lot: X and Y shared")


def test_the_winner_is_found_on_exact_sums_not_on_the_rounded_means() -> None:
    criteria = (Criterion("big", Decimal(1000)), Criterion("tiny", Decimal("0.000001")))
    terms = Terms(Method.SCORE, options=("X", "Y"), criteria=criteria)
    ballot = {"scores": {"X": {"big": 3, "tiny": 1}, "Y": {"big": 3, "tiny": 0}}}
    result = tally(terms, [ballot], eligible=1)
    assert result.counts["X"] == result.counts["Y"] == Decimal(3)  # as shown, rounded
    assert result.outcome is Outcome.CHOSEN
    assert result.winner == "X"
    assert result.lots == {}


def test_a_tie_without_a_seed_is_tied() -> None:
    terms = Terms(Method.SCORE, options=(ROOM, VAN), criteria=CRITERIA)
    result = tally(terms, [scored((3, 3), (3, 3))], eligible=1)
    assert result.outcome is Outcome.TIED
    assert result.winner is None
    assert result.statement.startswith(
        "Tied: Rent a room and Buy a van share the highest weighted mean score, 3 out of 5"
    )


def test_score_respects_the_quorum() -> None:
    terms = Terms(Method.SCORE, options=(ROOM, VAN), criteria=CRITERIA, quorum=Decimal(1))
    result = tally(terms, [scored((5, 5), (0, 0))], eligible=2)
    assert result.outcome is Outcome.NO_QUORUM
    assert result.winner is None
    assert result.counts == {ROOM: 5, VAN: 0}
