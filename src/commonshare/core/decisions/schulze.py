"""Schulze's method: pairwise preferences, then the strongest paths between options.

``d[X][Y]`` is the number of ballots that rank X above Y; an option a ballot ranks is
above every option it leaves out, and the options left out are level with each other.
A link X to Y has strength ``d[X][Y]`` when more prefer X to Y than Y to X (winning
votes), and none otherwise; ``p[X][Y]`` is the strength of the strongest path from X to Y,
a path being as strong as its weakest link (computed as a widest-path Floyd-Warshall).
X beats Y when ``p[X][Y] > p[Y][X]``. The winner is the option no other beats.

Several options may be unbeaten; then the lot from the published seed chooses among them
(``core.decisions.lots``: the lowest ticket), and with no seed the outcome is ``tied``.
The published ``counts`` are, per option, how many other options it beats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from commonshare.core.decisions import lots
from commonshare.core.decisions.result import Outcome, Tally
from commonshare.core.decisions.terms import Terms
from commonshare.core.decisions.turnout import Turnout, and_list

Matrix = dict[str, dict[str, int]]


def pairwise(options: Sequence[str], rankings: Sequence[Sequence[str]]) -> Matrix:
    """``d[X][Y]``: how many ballots rank X above Y."""
    d = {x: {y: 0 for y in options if y != x} for x in options}
    # Identical rankings are counted once, times how many there are: a real vote has
    # far fewer distinct rankings than ballots.
    for ranking, many in Counter(tuple(r) for r in rankings).items():
        unranked = [y for y in options if y not in ranking]
        for index, x in enumerate(ranking):
            row = d[x]
            for y in ranking[index + 1 :]:
                row[y] += many
            for y in unranked:
                row[y] += many
    return d


def strongest_paths(options: Sequence[str], d: Mapping[str, Mapping[str, int]]) -> Matrix:
    """``p[X][Y]``: the strength of the strongest path from X to Y (winning votes)."""
    p = {x: {y: d[x][y] if d[x][y] > d[y][x] else 0 for y in options if y != x} for x in options}
    for k in options:
        for i in options:
            if i == k:
                continue
            for j in options:
                if j in (i, k):
                    continue
                p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def schulze(terms: Terms, ballots: Sequence[Mapping[str, Any]], eligible: int) -> Tally:
    """Count ranked ballots by Schulze's method."""
    options = terms.options
    d = pairwise(options, [ballot["ranking"] for ballot in ballots])
    p = strongest_paths(options, d)
    beats = {x: sum(1 for y in options if y != x and p[x][y] > p[y][x]) for x in options}
    unbeaten = [x for x in options if all(p[y][x] <= p[x][y] for y in options if y != x)]
    turnout = Turnout.of(len(ballots), eligible, terms.quorum)
    base = Tally(
        method=terms.method,
        outcome=Outcome.NO_QUORUM,
        winner=None,
        cast=turnout.cast,
        eligible=eligible,
        quorum_met=turnout.met,
        quorum_needed=turnout.needed,
        counts={x: Decimal(n) for x, n in beats.items()},
        statement=f"No quorum: {turnout.sentence()}, so nothing was chosen.",
        pairwise=d,
        strongest=p,
    )
    if not turnout.met:
        return base
    if len(unbeaten) == 1:
        (winner,) = unbeaten
        return replace(
            base,
            outcome=Outcome.CHOSEN,
            winner=winner,
            statement=(
                f"Chosen: {winner}, the Schulze winner, whose strongest path to every other "
                f"option is stronger than the path back; {turnout.sentence()}."
            ),
        )
    tied = and_list(unbeaten)
    if not terms.seed:
        return replace(
            base,
            outcome=Outcome.TIED,
            statement=(
                f"Tied: no option beats {tied} by the strongest paths, and no seed was "
                f"published to draw lots, so nothing was chosen; {turnout.sentence()}."
            ),
        )
    winner = lots.luckiest(terms.seed, unbeaten)
    return replace(
        base,
        outcome=Outcome.CHOSEN,
        winner=winner,
        lots=lots.tickets(terms.seed, unbeaten),
        statement=(
            f"Chosen by lot: no option beats {tied} by the strongest paths, and the lot "
            f"drawn from the published seed chose {winner}; {turnout.sentence()}."
        ),
    )
