"""The terms of a decision, fixed before it opens: method, options, threshold, quorum,
criteria, score range and the published seed; their check and their dict form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from commonshare.core.words import one_of


class Method(StrEnum):
    """How the ballots of a decision are counted."""

    CONSENT = "consent"  # passes unless an eligible member objects with a reason
    MAJORITY = "majority"  # more for than against (abstentions count for quorum only)
    SUPERMAJORITY = "supermajority"  # for / (for + against) >= threshold
    SCORE = "score"  # options scored against named, weighted criteria
    RANKED_IRV = "ranked_irv"  # instant-runoff
    RANKED_SCHULZE = "ranked_schulze"  # Schulze's beatpath method
    LAZY_CONSENSUS = "lazy_consensus"  # passes at close unless someone objects


METHOD_LABELS: dict[Method, str] = {
    Method.CONSENT: "Consent (passes unless someone objects with a reason)",
    Method.MAJORITY: "Simple majority",
    Method.SUPERMAJORITY: "Supermajority",
    Method.SCORE: "Score voting against criteria",
    Method.RANKED_IRV: "Ranked choice, instant-runoff",
    Method.RANKED_SCHULZE: "Ranked choice, Schulze",
    Method.LAZY_CONSENSUS: "Lazy consensus (passes at the close unless someone objects)",
}

OPTION_METHODS = frozenset({Method.SCORE, Method.RANKED_IRV, Method.RANKED_SCHULZE})
POSITION_METHODS = frozenset({Method.CONSENT, Method.LAZY_CONSENSUS})
CHOICE_METHODS = frozenset({Method.MAJORITY, Method.SUPERMAJORITY})

MAX_OPTIONS = 50
MAX_CRITERIA = 20
MAX_SCORE_LIMIT = 100
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_SEED_LENGTH = 200
MAX_WEIGHT = 1000
WEIGHT_STEP = Decimal("0.000001")


@dataclass(frozen=True)
class Criterion:
    """A named criterion options are scored against, with its weight (more than 0)."""

    name: str
    weight: Decimal
    description: str = ""


@dataclass(frozen=True)
class Terms:
    """Everything fixed before a proposal opens; changing any of it means a new proposal."""

    method: Method
    options: tuple[str, ...] = ()  # for score and ranked methods (2 or more)
    threshold: Decimal | None = None  # supermajority share, e.g. Decimal("0.667")
    quorum: Decimal = Decimal(0)  # share of eligible members who must cast a ballot
    # Required for score voting, which scores against them; any other method may name the
    # criteria it is judged by, shown before voting (its count does not use them).
    criteria: tuple[Criterion, ...] = ()
    max_score: int = 5  # score voting range 0..max_score
    seed: str = ""  # published; breaks ties where a method needs a lot


@dataclass(frozen=True)
class Problem:
    """One thing wrong with terms or a ballot: the field it is about and a plain sentence."""

    field: str
    message: str


class TermsError(ValueError):
    """Terms that fail ``check_terms``; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


# --- the check ------------------------------------------------------------------------


def _is_decimal(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def check_terms(terms: Terms) -> list[Problem]:
    """Every problem with ``terms`` at once; an empty list means they can open."""
    if not isinstance(terms.method, Method):
        return [Problem("method", f"Choose the method: {one_of(METHOD_LABELS.values())}.")]
    problems: list[Problem] = []
    problems += _check_quorum(terms)
    problems += _check_threshold(terms)
    problems += _check_options(terms)
    problems += _check_criteria(terms)
    if not isinstance(terms.seed, str) or len(terms.seed) > MAX_SEED_LENGTH:
        problems.append(
            Problem("seed", f"The seed must be text of at most {MAX_SEED_LENGTH} characters.")
        )
    return problems


def _check_quorum(terms: Terms) -> list[Problem]:
    if not _is_decimal(terms.quorum) or not Decimal(0) <= terms.quorum <= 1:
        return [
            Problem(
                "quorum",
                "The quorum must be a share of the eligible members from 0 to 1, "
                "such as 0.5 for half.",
            )
        ]
    return []


def _check_threshold(terms: Terms) -> list[Problem]:
    if terms.method is Method.SUPERMAJORITY:
        threshold = terms.threshold
        if threshold is None or not _is_decimal(threshold) or not Decimal("0.5") < threshold <= 1:
            return [
                Problem(
                    "threshold",
                    "A supermajority needs a threshold above 0.5 and at most 1, "
                    "such as 0.667 for two thirds.",
                )
            ]
    elif terms.threshold is not None:
        return [Problem("threshold", "Only a supermajority has a threshold; leave it out.")]
    return []


def _check_options(terms: Terms) -> list[Problem]:
    options = terms.options
    if terms.method not in OPTION_METHODS:
        if options:
            return [
                Problem(
                    "options",
                    "Only score voting and ranked choice have options; a yes-or-no "
                    "proposal has none.",
                )
            ]
        return []
    problems = []
    if len(options) < 2:
        problems.append(Problem("options", "Give at least two options to choose between."))
    if len(options) > MAX_OPTIONS:
        problems.append(Problem("options", f"Give at most {MAX_OPTIONS} options."))
    for index, option in enumerate(options):
        if not isinstance(option, str) or not option.strip():
            problems.append(Problem(f"options.{index}", "Every option needs a name."))
        elif option != option.strip() or len(option) > MAX_NAME_LENGTH:
            problems.append(
                Problem(
                    f"options.{index}",
                    f"An option's name has at most {MAX_NAME_LENGTH} characters and no "
                    "spaces at either end.",
                )
            )
    names = [o for o in options if isinstance(o, str)]
    if len(set(names)) != len(names):
        problems.append(Problem("options", "Each option must have a different name."))
    return problems


def _check_criteria(terms: Terms) -> list[Problem]:
    """Score voting scores each option against its criteria, so it needs one at least;
    every other method may name the criteria it is to be judged by, agreed before anyone
    votes and shown to the voters (the voters weigh them; the count does not)."""
    problems = []
    if terms.method is Method.SCORE and not terms.criteria:
        problems.append(
            Problem(
                "criteria",
                "Score voting needs at least one criterion, named and weighted, "
                "agreed before anyone votes.",
            )
        )
    if len(terms.criteria) > MAX_CRITERIA:
        problems.append(Problem("criteria", f"Give at most {MAX_CRITERIA} criteria."))
    for index, criterion in enumerate(terms.criteria):
        problems += _check_criterion(index, criterion)
    names = [c.name for c in terms.criteria if isinstance(c, Criterion)]
    if len(set(names)) != len(names):
        problems.append(Problem("criteria", "Each criterion must have a different name."))
    if terms.method is Method.SCORE and (
        isinstance(terms.max_score, bool)
        or not isinstance(terms.max_score, int)
        or not 1 <= terms.max_score <= MAX_SCORE_LIMIT
    ):
        problems.append(
            Problem(
                "max_score",
                f"The highest score must be a whole number from 1 to {MAX_SCORE_LIMIT}.",
            )
        )
    return problems


def _check_criterion(index: int, criterion: object) -> list[Problem]:
    at = f"criteria.{index}"
    if not isinstance(criterion, Criterion):
        return [Problem(at, "Every criterion needs a name and a weight.")]
    problems = []
    name = criterion.name
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(f"{at}.name", "Every criterion needs a name."))
    elif name != name.strip() or len(name) > MAX_NAME_LENGTH:
        problems.append(
            Problem(
                f"{at}.name",
                f"A criterion's name has at most {MAX_NAME_LENGTH} characters and no "
                "spaces at either end.",
            )
        )
    weight = criterion.weight
    if (
        not _is_decimal(weight)
        or not 0 < weight <= MAX_WEIGHT
        or weight != weight.quantize(WEIGHT_STEP)
    ):
        problems.append(
            Problem(
                f"{at}.weight",
                f"A criterion's weight must be a number more than 0 and at most {MAX_WEIGHT}, "
                "with at most six decimal places, such as 1 or 0.5.",
            )
        )
    if (
        not isinstance(criterion.description, str)
        or len(criterion.description) > MAX_DESCRIPTION_LENGTH
    ):
        problems.append(
            Problem(
                f"{at}.description",
                f"A criterion's description has at most {MAX_DESCRIPTION_LENGTH} characters.",
            )
        )
    return problems


# --- the dict form --------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """One text per decimal value: ``0.50`` and ``0.5`` are both ``"0.5"``; ``2`` is ``"2"``."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value.normalize())


def terms_to_dict(terms: Terms) -> dict[str, Any]:
    """The JSON-able form of ``terms``: decimals as text, so no float ever touches them."""
    return {
        "method": str(terms.method),
        "options": list(terms.options),
        "threshold": None if terms.threshold is None else decimal_text(terms.threshold),
        "quorum": decimal_text(terms.quorum),
        "criteria": [
            {
                "name": c.name,
                "weight": decimal_text(c.weight),
                "description": c.description,
            }
            for c in terms.criteria
        ],
        "max_score": terms.max_score,
        "seed": terms.seed,
    }


def _decimal(data: Mapping[str, Any], key: str, default: Decimal | None) -> Decimal | None:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, (bool, float)):
        raise TermsError([Problem(key, f'Write the {key} as a decimal in text, such as "0.5".')])
    try:
        return Decimal(str(value)) if isinstance(value, (str, int, Decimal)) else None
    except InvalidOperation:
        return None


def terms_from_dict(data: Any) -> Terms:
    """Read ``terms_to_dict``'s form back; raises ``TermsError`` naming what is wrong."""
    if not isinstance(data, Mapping):
        raise TermsError([Problem("terms", "The terms must be a mapping of fields.")])
    try:
        method = Method(str(data.get("method")))
    except ValueError:
        raise TermsError(
            [Problem("method", f"Choose the method: {one_of(METHOD_LABELS.values())}.")]
        ) from None
    criteria = data.get("criteria") or []
    if not isinstance(criteria, list) or not all(isinstance(c, Mapping) for c in criteria):
        raise TermsError([Problem("criteria", "The criteria must be a list of mappings.")])
    options = data.get("options") or []
    if not isinstance(options, list):
        raise TermsError([Problem("options", "The options must be a list of names.")])
    quorum = _decimal(data, "quorum", Decimal(0))
    terms = Terms(
        method=method,
        options=tuple(options),
        threshold=_decimal(data, "threshold", None),
        quorum=Decimal("NaN") if quorum is None else quorum,
        criteria=tuple(
            Criterion(
                name=c.get("name", ""),
                weight=_decimal(c, "weight", None) or Decimal(0),
                description=c.get("description", ""),
            )
            for c in criteria
        ),
        max_score=data.get("max_score", 5),
        seed=data.get("seed", ""),
    )
    problems = check_terms(terms)
    if problems:
        raise TermsError(problems)
    return terms
