"""The check of one ballot against the terms: does its shape fit the method?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from commonshare.core.decisions.terms import (
    CHOICE_METHODS,
    POSITION_METHODS,
    Method,
    Problem,
    Terms,
)

POSITIONS = ("consent", "object")
CHOICES = ("for", "against", "abstain")
MAX_REASON_LENGTH = 5000

# What each ballot field is, in words, for the sentence that refuses it.
_FIELD_WORDS = {
    "position": "a position (consent or object)",
    "reason": "a reason",
    "choice": "a choice (for, against or abstain)",
    "scores": "scores",
    "ranking": "a ranking",
}


def _quoted(value: object) -> str:
    """A name as typed, in quotation marks."""
    return f"“{value}”"


def _fields_of(method: Method) -> tuple[str, ...]:
    if method in POSITION_METHODS:
        return ("position", "reason")
    if method in CHOICE_METHODS:
        return ("choice",)
    if method is Method.SCORE:
        return ("scores",)
    return ("ranking",)


def _method_words(method: Method) -> str:
    return {
        Method.CONSENT: "A consent proposal",
        Method.LAZY_CONSENSUS: "A lazy-consensus proposal",
        Method.MAJORITY: "A majority vote",
        Method.SUPERMAJORITY: "A supermajority vote",
        Method.SCORE: "A score vote",
        Method.RANKED_IRV: "A ranked-choice vote",
        Method.RANKED_SCHULZE: "A ranked-choice vote",
    }[method]


def check_ballot(terms: Terms, ballot: Mapping[str, Any]) -> list[Problem]:
    """Every problem with ``ballot`` under ``terms``; an empty list means it can be cast."""
    if not isinstance(ballot, Mapping):
        return [Problem("ballot", "A ballot must be a mapping of fields.")]
    method = terms.method
    allowed = _fields_of(method)
    expected = " and ".join(_FIELD_WORDS[name] for name in allowed if name != "reason")
    strangers = [key for key in ballot if key not in allowed]
    problems = [
        Problem(
            str(key),
            f"{_method_words(method)} takes {expected}, not "
            f"{_FIELD_WORDS.get(str(key), 'anything called ' + _quoted(key))}.",
        )
        for key in strangers
    ]
    if method in POSITION_METHODS:
        problems += _check_position(ballot)
    elif method in CHOICE_METHODS:
        problems += _check_choice(ballot)
    elif method is Method.SCORE:
        problems += _check_scores(terms, ballot.get("scores"))
    else:
        problems += _check_ranking(terms, ballot.get("ranking"))
    return problems


def _check_position(ballot: Mapping[str, Any]) -> list[Problem]:
    position = ballot.get("position")
    if position not in POSITIONS:
        return [Problem("position", "Choose whether you consent or object.")]
    reason = ballot.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
        return [Problem("reason", f"A reason is text of at most {MAX_REASON_LENGTH} characters.")]
    if position == "object" and not reason.strip():
        return [Problem("reason", "An objection needs a reason: say what you object to and why.")]
    return []


def _check_choice(ballot: Mapping[str, Any]) -> list[Problem]:
    if ballot.get("choice") not in CHOICES:
        return [Problem("choice", "Choose for, against or abstain.")]
    return []


def _check_scores(terms: Terms, scores: Any) -> list[Problem]:
    if not isinstance(scores, Mapping):
        return [Problem("scores", "Score every option against every criterion.")]
    problems = [
        Problem(f"scores.{key}", f"There is no option called {_quoted(key)} to score.")
        for key in scores
        if key not in terms.options
    ]
    names = [c.name for c in terms.criteria]
    for option in terms.options:
        row = scores.get(option)
        if not isinstance(row, Mapping):
            problems.append(Problem(f"scores.{option}", f"Score {option} against every criterion."))
            continue
        problems += [
            Problem(f"scores.{option}.{key}", f"There is no criterion called {_quoted(key)}.")
            for key in row
            if key not in names
        ]
        for name in names:
            value = row.get(name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= terms.max_score
            ):
                problems.append(
                    Problem(
                        f"scores.{option}.{name}",
                        f"Score {option} on {name} with a whole number from 0 to "
                        f"{terms.max_score}.",
                    )
                )
    return problems


def _check_ranking(terms: Terms, ranking: Any) -> list[Problem]:
    if isinstance(ranking, (str, bytes)) or not isinstance(ranking, Sequence):
        return [Problem("ranking", "Rank the options as a list, your first choice first.")]
    if not ranking:
        return [Problem("ranking", "Rank at least one option.")]
    unknown = [o for o in ranking if not isinstance(o, str) or o not in terms.options]
    if unknown:
        return [Problem("ranking", f"There is no option called {_quoted(unknown[0])} to rank.")]
    if len(set(ranking)) != len(ranking):
        return [Problem("ranking", "Rank each option at most once.")]
    return []
