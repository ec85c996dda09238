"""How a proposed distribution's decision stands, read for the pages that show its window.

A proposed distribution is carried by a lazy-consensus decision (``decisions``), which books
may not import. The decisions app registers the reader here at start-up
(``use_standing_reader``), as it registers the door that opens the decision; books then asks
through ``standings`` without knowing the decisions' models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from commonshare.community.models import Member


@dataclass(frozen=True)
class Standing:
    """Where one decision that carries a distribution stands, for one member."""

    number: int
    closed: bool
    # An objection turned the lazy consensus into a majority vote, open until ``closes_at``.
    in_vote: bool
    # When the phase being voted on closes: the distribution posts then unless it is stopped.
    closes_at: dt.datetime
    # The member's standing ballot objects (or, in the majority vote, votes against).
    objected: bool
    # Why the member may not object, in a sentence; "" when they may.
    refusal: str


Reader = Callable[[Sequence[int], Member], dict[int, Standing]]
_READERS: list[Reader] = []


def use_standing_reader(reader: Reader) -> None:
    _READERS[:] = [reader]


def standings(numbers: Sequence[int], member: Member) -> dict[int, Standing]:
    """The standing of each decision in ``numbers`` for ``member`` (none without the app)."""
    if not numbers or not _READERS:
        return {}
    return _READERS[0](numbers, member)
