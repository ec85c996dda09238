"""Ranked choice against published worked examples, and instant-runoff's tie rules."""

from __future__ import annotations

from decimal import Decimal

from commonshare.core.decisions import Method, Outcome, Round, Terms, tally, tally_from_dict
from commonshare.core.decisions.lots import ticket

WIKIPEDIA_45 = "5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC"

MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE = "Memphis", "Nashville", "Chattanooga", "Knoxville"
TENNESSEE = (MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE)


def ballots_from(spec: str) -> list[dict[str, list[str]]]:
    ballots = []
    for group in spec.split(", "):
        count, order = group.split()
        ballots += [{"ranking": list(order)} for _ in range(int(count))]
    return ballots


def tennessee_ballots() -> list[dict[str, list[str]]]:
    """Per 100 voters: each city's people vote for their own city, then by distance."""
    groups = [
        (42, [MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE]),
        (26, [NASHVILLE, CHATTANOOGA, KNOXVILLE, MEMPHIS]),
        (15, [CHATTANOOGA, KNOXVILLE, NASHVILLE, MEMPHIS]),
        (17, [KNOXVILLE, CHATTANOOGA, NASHVILLE, MEMPHIS]),
    ]
    return [{"ranking": order} for count, order in groups for _ in range(count)]


def test_schulze_matches_wikipedias_45_voter_example() -> None:
    """Wikipedia, "Schulze method", section "Example" (45 voters, candidates A to E):
    the matrix of pairwise preferences d[X,Y], the strengths of the strongest paths
    p[X,Y], and the winner E (Schulze ranking E > A > C > B > D)."""
    terms = Terms(Method.RANKED_SCHULZE, options=tuple("ABCDE"))
    result = tally(terms, ballots_from(WIKIPEDIA_45), eligible=45)
    d = {
        "A": [None, 20, 26, 30, 22],
        "B": [25, None, 16, 33, 18],
        "C": [19, 29, None, 17, 24],
        "D": [15, 12, 28, None, 14],
        "E": [23, 27, 21, 31, None],
    }
    p = {
        "A": [None, 28, 28, 30, 24],
        "B": [25, None, 28, 33, 24],
        "C": [25, 29, None, 29, 24],
        "D": [25, 28, 28, None, 24],
        "E": [25, 28, 28, 31, None],
    }
    assert {x: [result.pairwise[x].get(y) for y in "ABCDE"] for x in "ABCDE"} == d
    assert {x: [result.strongest[x].get(y) for y in "ABCDE"] for x in "ABCDE"} == p
    assert result.outcome is Outcome.CHOSEN
    assert result.winner == "E"
    # how many others each beats: E > A > C > B > D
    assert result.counts == {"A": 3, "B": 1, "C": 2, "D": 0, "E": 4}
    assert tally_from_dict(result.as_dict()) == result


def test_instant_runoff_matches_the_tennessee_capital_example() -> None:
    """Wikipedia, "Instant-runoff voting", the Tennessee capital example (after
    "Tennessee and its four major cities"): Chattanooga goes first (15), then
    Nashville (26), and Knoxville wins 58 to 42 in the third round. The same ballots
    elect Nashville, the Condorcet winner, under Schulze (Wikipedia, "Condorcet method")."""
    irv = tally(Terms(Method.RANKED_IRV, options=TENNESSEE), tennessee_ballots(), eligible=100)
    assert irv.rounds == (
        Round(
            counts={MEMPHIS: 42, NASHVILLE: 26, CHATTANOOGA: 15, KNOXVILLE: 17},
            eliminated=(CHATTANOOGA,),
        ),
        Round(counts={MEMPHIS: 42, NASHVILLE: 26, KNOXVILLE: 32}, eliminated=(NASHVILLE,)),
        Round(counts={MEMPHIS: 42, KNOXVILLE: 58}),
    )
    assert irv.winner == KNOXVILLE
    assert irv.counts == {MEMPHIS: 42, NASHVILLE: 26, CHATTANOOGA: 15, KNOXVILLE: 17}
    assert irv.statement == (
        "Chosen: Knoxville in round 3 of instant-runoff, with 58 of 100 continuing votes; "
        "100 of 100 eligible members voted, and no quorum was set."
    )
    assert tally_from_dict(irv.as_dict()) == irv
    schulze = tally(
        Terms(Method.RANKED_SCHULZE, options=TENNESSEE), tennessee_ballots(), eligible=100
    )
    assert schulze.winner == NASHVILLE


def rank(*order: str) -> dict[str, list[str]]:
    return {"ranking": list(order)}


def test_irv_elimination_tie_goes_by_the_earlier_round() -> None:
    ballots = [rank("A")] * 6 + [rank("B")] * 3 + [rank("C")] * 4 + [rank("D", "B")]
    # round 1: A 6, B 3, C 4, D 1 -> D out; round 2: A 6, B 4, C 4 -> tie B/C, B had fewer
    # in round 1, so B goes; round 3: A 6 (of 10 continuing), chosen.
    result = tally(Terms(Method.RANKED_IRV, options=tuple("ABCD")), ballots, eligible=14)
    assert [r.eliminated for r in result.rounds] == [("D",), ("B",), ()]
    assert result.rounds[1].by == "earlier rounds"
    assert result.rounds[2].exhausted == 4
    assert result.winner == "A"


def test_irv_tie_without_history_goes_by_lot_from_the_seed() -> None:
    seed = "published-seed"
    ballots = [rank("A")] * 2 + [rank("B")] + [rank("C")]
    result = tally(Terms(Method.RANKED_IRV, options=tuple("ABC"), seed=seed), ballots, eligible=4)
    unlucky = max("BC", key=lambda option: ticket(seed, option))
    assert result.rounds[0].eliminated == (unlucky,)
    assert result.rounds[0].by == "lot"
    assert result.lots == {"B": ticket(seed, "B"), "C": ticket(seed, "C")}
    assert result.winner == "A"
    assert "after a tie broken by lot from the published seed" in result.statement


def test_irv_tie_without_a_seed_drops_the_tied_together_or_is_tied() -> None:
    ballots = [rank("A")] * 2 + [rank("B")] + [rank("C")]
    together = tally(Terms(Method.RANKED_IRV, options=tuple("ABC")), ballots, eligible=4)
    assert together.rounds[0].eliminated == ("B", "C")
    assert together.winner == "A"
    level = tally(Terms(Method.RANKED_IRV, options=tuple("AB")), [rank("A"), rank("B")], eligible=2)
    assert level.outcome is Outcome.TIED
    assert level.winner is None
    assert level.statement.startswith("Tied: A and B stayed level in round 1")


def test_schulze_tie_is_tied_without_a_seed_and_drawn_with_one() -> None:
    ballots = [rank("A", "B"), rank("B", "A")]
    tied = tally(Terms(Method.RANKED_SCHULZE, options=("A", "B")), ballots, eligible=2)
    assert tied.outcome is Outcome.TIED
    seed = "s"
    drawn = tally(Terms(Method.RANKED_SCHULZE, options=("A", "B"), seed=seed), ballots, eligible=2)
    assert drawn.outcome is Outcome.CHOSEN
    assert drawn.winner == min("AB", key=lambda option: ticket(seed, option))
    assert drawn.statement.startswith("Chosen by lot:")


def test_ranked_methods_respect_the_quorum() -> None:
    terms = Terms(Method.RANKED_SCHULZE, options=("A", "B"), quorum=Decimal("0.5"))
    result = tally(terms, [rank("A")], eligible=3)
    assert result.outcome is Outcome.NO_QUORUM
    assert result.winner is None
    assert result.pairwise == {"A": {"B": 1}, "B": {"A": 0}}


def test_the_schulze_statement_says_why_in_words() -> None:
    terms = Terms(Method.RANKED_SCHULZE, options=tuple("ABCDE"), quorum=Decimal("0.5"))
    result = tally(terms, ballots_from(WIKIPEDIA_45), eligible=60)
    assert result.statement == (
        "Chosen: E, the Schulze winner, whose strongest path to every other option is "
        "stronger than the path back; 45 of 60 eligible members voted, more than the "
        "quorum of 30."
    )


def test_irv_lots_are_drawn_only_among_the_options_still_tied() -> None:
    # Round 1: A 4, B 2, C 1, D 1 -> C and D tie with no earlier round: lot between them.
    # The winner is decided later, but B never took part in a lot.
    seed = "seed"
    ballots = [rank("A")] * 4 + [rank("B")] * 2 + [rank("C", "B"), rank("D", "B")]
    result = tally(Terms(Method.RANKED_IRV, options=tuple("ABCD"), seed=seed), ballots, eligible=8)
    assert result.rounds[0].by == "lot"
    assert result.rounds[0].eliminated == (max("CD", key=lambda option: ticket(seed, option)),)
    assert sorted(result.lots) == ["C", "D"]
