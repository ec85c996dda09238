"""The published result of a count: ``Tally``, its outcome, and its dict form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from commonshare.core.decisions.terms import Method, decimal_text


class Outcome(StrEnum):
    PASSED = "passed"  # a yes-or-no proposal passed
    REJECTED = "rejected"  # it did not (a tie of for and against is a rejection)
    NO_QUORUM = "no_quorum"  # too few eligible members cast a ballot: nothing was decided
    OBJECTED = "objected"  # lazy consensus met an objection: a majority vote follows
    TIED = "tied"  # options tied at the top and no published seed could break it
    CHOSEN = "chosen"  # an option was chosen (score and ranked methods)


@dataclass(frozen=True)
class Round:
    """One instant-runoff round: each continuing option's votes, the ballots that ranked
    no continuing option (``exhausted``), and who was eliminated after it (with how)."""

    counts: Mapping[str, int]
    exhausted: int = 0
    eliminated: tuple[str, ...] = ()
    by: str = ""  # "" (fewest votes), "earlier rounds", "lot" or "together" (see irv.py)


@dataclass(frozen=True)
class Tally:
    """The full result of counting a decision's ballots under its terms.

    ``counts`` holds, per position (consent, object), choice (for, against, abstain) or
    option, the number of ballots, or for score voting the option's weighted mean score.
    ``rounds`` is instant-runoff's rounds; ``pairwise`` and ``strongest`` are Schulze's
    d[X][Y] (voters preferring X to Y) and p[X][Y] (strength of the strongest path).
    ``by_criterion`` is score voting's mean score of each option on each criterion
    (unweighted, rounded to four places, to be shown). ``lots`` holds each tied
    option's lot ticket when one was drawn.
    """

    method: Method
    outcome: Outcome
    winner: str | None
    cast: int
    eligible: int
    quorum_met: bool
    quorum_needed: int
    counts: Mapping[str, Decimal]
    statement: str
    rounds: tuple[Round, ...] = ()
    pairwise: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    strongest: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    objections: tuple[str, ...] = ()
    lots: Mapping[str, str] = field(default_factory=dict)
    by_criterion: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON-able form, decimals as text; ``tally_from_dict`` reads it back."""
        return {
            "method": str(self.method),
            "outcome": str(self.outcome),
            "winner": self.winner,
            "cast": self.cast,
            "eligible": self.eligible,
            "quorum_met": self.quorum_met,
            "quorum_needed": self.quorum_needed,
            "counts": {key: decimal_text(value) for key, value in self.counts.items()},
            "statement": self.statement,
            "rounds": [
                {
                    "counts": dict(r.counts),
                    "exhausted": r.exhausted,
                    "eliminated": list(r.eliminated),
                    "by": r.by,
                }
                for r in self.rounds
            ],
            "pairwise": {x: dict(row) for x, row in self.pairwise.items()},
            "strongest": {x: dict(row) for x, row in self.strongest.items()},
            "objections": list(self.objections),
            "lots": dict(self.lots),
            "by_criterion": {
                option: {name: decimal_text(mean) for name, mean in row.items()}
                for option, row in self.by_criterion.items()
            },
        }


class TallyFormError(ValueError):
    """A published tally that is not in ``Tally.as_dict``'s form."""


def _matrix(data: Any) -> dict[str, dict[str, int]]:
    if not isinstance(data, Mapping):
        raise TallyFormError("A matrix must map each option to a row.")
    return {str(x): {str(y): int(v) for y, v in dict(row).items()} for x, row in data.items()}


def _winner(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TallyFormError("The winner must be an option's name or none.")


def tally_from_dict(data: Any) -> Tally:
    """Read a published tally back, so it can be compared with a recount."""
    if not isinstance(data, Mapping):
        raise TallyFormError("A tally must be a mapping of fields.")
    try:
        return Tally(
            method=Method(data["method"]),
            outcome=Outcome(data["outcome"]),
            winner=_winner(data["winner"]),
            cast=int(data["cast"]),
            eligible=int(data["eligible"]),
            quorum_met=bool(data["quorum_met"]),
            quorum_needed=int(data["quorum_needed"]),
            counts={str(k): Decimal(str(v)) for k, v in dict(data["counts"]).items()},
            statement=str(data["statement"]),
            rounds=tuple(
                Round(
                    counts={str(k): int(v) for k, v in dict(r["counts"]).items()},
                    exhausted=int(r.get("exhausted", 0)),
                    eliminated=tuple(r.get("eliminated", ())),
                    by=str(r.get("by", "")),
                )
                for r in data.get("rounds", ())
            ),
            pairwise=_matrix(data.get("pairwise", {})),
            strongest=_matrix(data.get("strongest", {})),
            objections=tuple(str(o) for o in data.get("objections", ())),
            lots={str(k): str(v) for k, v in dict(data.get("lots", {})).items()},
            by_criterion={
                str(option): {str(name): Decimal(str(mean)) for name, mean in dict(row).items()}
                for option, row in dict(data.get("by_criterion", {})).items()
            },
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise TallyFormError(f"This is not a published tally: {error}.") from None


def differences(published: Tally, recounted: Tally) -> list[str]:
    """The fields in which a published tally and a recount disagree, in the order of
    ``Tally.as_dict``; an empty list means the recount confirms what was published."""
    mine, theirs = published.as_dict(), recounted.as_dict()
    return [key for key in mine if mine[key] != theirs[key]]
