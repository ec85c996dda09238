"""Instant-runoff: count first choices, eliminate the weakest, move its ballots on.

Each round counts every ballot for its highest-ranked option still in the count; a
ballot ranking none of them is exhausted. An option with more than half of the
continuing (not exhausted) ballots, or the last one left, is chosen. Otherwise the option
with the fewest votes is eliminated. A tie for fewest is broken, in order:

1. by the earlier rounds: whichever of the tied options had fewer votes in the round
   before, going back a round at a time while they stay tied;
2. by lot from the published seed (``core.decisions.lots``: the highest ticket goes);
3. with no seed published, the options still tied are eliminated together, unless that
   would leave none: then the outcome is ``tied``.

None of this depends on the order the ballots came in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from commonshare.core.decisions import lots
from commonshare.core.decisions.result import Outcome, Round, Tally
from commonshare.core.decisions.terms import Terms
from commonshare.core.decisions.turnout import Turnout, and_list, plural

# How a round's elimination was decided (``Round.by``):
BY_FEWEST = ""  # one option had the fewest votes
BY_EARLIER_ROUNDS = "earlier rounds"  # a tie for fewest, broken by the rounds before
BY_LOT = "lot"  # a tie for fewest, broken by lot from the published seed
TOGETHER = "together"  # a tie for fewest with no seed: all of them eliminated together


def _count(
    rankings: Mapping[tuple[str, ...], int], continuing: Sequence[str]
) -> tuple[dict[str, int], int]:
    """Each continuing option's votes, and the exhausted ballots; ``rankings`` maps each
    distinct ranking to how many ballots gave it."""
    counts = dict.fromkeys(continuing, 0)
    exhausted = 0
    for ranking, many in rankings.items():
        top = next((option for option in ranking if option in counts), None)
        if top is None:
            exhausted += many
        else:
            counts[top] += many
    return counts, exhausted


def _fewest(
    counts: Mapping[str, int], earlier: Sequence[Round], seed: str
) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Who is eliminated after this round, how that was decided, and (when a lot was
    drawn) among whom."""
    low = min(counts.values())
    tied = [option for option, n in counts.items() if n == low]
    if len(tied) == 1:
        return (tied[0],), BY_FEWEST, ()
    for past in reversed(earlier):
        low = min(past.counts[option] for option in tied)
        tied = [option for option in tied if past.counts[option] == low]
        if len(tied) == 1:
            return (tied[0],), BY_EARLIER_ROUNDS, ()
    if seed:
        return (lots.unluckiest(seed, tied),), BY_LOT, tuple(tied)
    return tuple(sorted(tied)), TOGETHER, ()


def instant_runoff(terms: Terms, ballots: Sequence[Mapping[str, Any]], eligible: int) -> Tally:
    """Count ranked ballots by instant-runoff."""
    rankings = Counter(tuple(ballot["ranking"]) for ballot in ballots)
    turnout = Turnout.of(len(ballots), eligible, terms.quorum)
    first, _ = _count(rankings, terms.options)
    base = Tally(
        method=terms.method,
        outcome=Outcome.NO_QUORUM,
        winner=None,
        cast=turnout.cast,
        eligible=eligible,
        quorum_met=turnout.met,
        quorum_needed=turnout.needed,
        counts={option: Decimal(n) for option, n in first.items()},
        statement=f"No quorum: {turnout.sentence()}, so nothing was chosen.",
    )
    if not turnout.met:
        return base
    rounds: list[Round] = []
    continuing = list(terms.options)
    drawn: set[str] = set()
    while True:
        counts, exhausted = _count(rankings, continuing)
        live = turnout.cast - exhausted
        leader = max(continuing, key=lambda option: counts[option])
        if len(continuing) == 1 or 2 * counts[leader] > live:
            rounds.append(Round(counts=counts, exhausted=exhausted))
            return _chosen(
                base,
                rounds,
                winner=leader,
                votes=counts[leader],
                live=live,
                drawn=drawn,
                seed=terms.seed,
                turnout=turnout,
            )
        out, by, lot_among = _fewest(counts, rounds, terms.seed)
        if len(out) == len(continuing):
            rounds.append(Round(counts=counts, exhausted=exhausted))
            return _tied(base, rounds, continuing, turnout)
        drawn.update(lot_among)
        rounds.append(Round(counts=counts, exhausted=exhausted, eliminated=out, by=by))
        continuing = [option for option in continuing if option not in out]


def _chosen(
    base: Tally,
    rounds: list[Round],
    *,
    winner: str,
    votes: int,
    live: int,
    drawn: set[str],
    seed: str,
    turnout: Turnout,
) -> Tally:
    by_lot = " (after a tie broken by lot from the published seed)" if drawn else ""
    return Tally(
        method=base.method,
        outcome=Outcome.CHOSEN,
        winner=winner,
        cast=base.cast,
        eligible=base.eligible,
        quorum_met=True,
        quorum_needed=base.quorum_needed,
        counts=base.counts,
        rounds=tuple(rounds),
        lots=lots.tickets(seed, drawn) if drawn else {},
        statement=(
            f"Chosen: {winner} in round {len(rounds)} of instant-runoff{by_lot}, with "
            f"{votes} of {plural(live, 'continuing vote', 'continuing votes')}; "
            f"{turnout.sentence()}."
        ),
    )


def _tied(base: Tally, rounds: list[Round], tied: Sequence[str], turnout: Turnout) -> Tally:
    return Tally(
        method=base.method,
        outcome=Outcome.TIED,
        winner=None,
        cast=base.cast,
        eligible=base.eligible,
        quorum_met=True,
        quorum_needed=base.quorum_needed,
        counts=base.counts,
        rounds=tuple(rounds),
        statement=(
            f"Tied: {and_list(sorted(tied))} stayed level in round {len(rounds)} of "
            "instant-runoff and in every round before, and no seed was published to draw "
            f"lots, so nothing was chosen; {turnout.sentence()}."
        ),
    )
