"""Who voted, against the quorum, and the words that say so."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


def plural(n: int, one: str, many: str) -> str:
    """``1 member``, ``2 members``."""
    return f"{n} {one if n == 1 else many}"


def and_list(names: Sequence[str]) -> str:
    """``A, B and C``, each name as written."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class Turnout:
    cast: int
    eligible: int
    needed: int  # the quorum as a number of ballots: the share of eligible members, rounded up
    met: bool
    set: bool = True  # False when the quorum is 0 (or, for lazy consensus, not needed)

    @classmethod
    def of(cls, cast: int, eligible: int, quorum: Decimal) -> Turnout:
        """Quorum counts cast ballots only (an abstention is cast; silence is not)."""
        needed = math.ceil(quorum * eligible)
        return cls(cast=cast, eligible=eligible, needed=needed, met=cast >= needed, set=quorum > 0)

    def sentence(self, verb: str = "voted") -> str:
        """``10 of 12 eligible members voted, more than the quorum of 6``."""
        took_part = f"{self.cast} of {plural(self.eligible, 'eligible member', 'eligible members')}"
        took_part += f" {verb}"
        if not self.set:
            return f"{took_part}, and no quorum was set"
        if self.cast > self.needed:
            return f"{took_part}, more than the quorum of {self.needed}"
        if self.cast == self.needed:
            return f"{took_part}, exactly the quorum of {self.needed}"
        return f"{took_part}, fewer than the quorum of {self.needed}"
