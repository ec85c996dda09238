"""Terms fixed before a proposal opens: every problem named at once, and the dict form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commonshare.core.decisions import (
    Criterion,
    Method,
    Terms,
    TermsError,
    check_ballot,
    check_terms,
    terms_from_dict,
    terms_to_dict,
)


def fields(terms: Terms) -> list[str]:
    return [p.field for p in check_terms(terms)]


def test_good_terms_have_no_problems() -> None:
    assert check_terms(Terms(Method.MAJORITY, quorum=Decimal("0.5"))) == []
    assert check_terms(Terms(Method.SUPERMAJORITY, threshold=Decimal("0.667"))) == []
    assert check_terms(Terms(Method.RANKED_IRV, options=("A", "B"), seed="s")) == []
    score = Terms(Method.SCORE, options=("A", "B"), criteria=(Criterion("cost", Decimal(1)),))
    assert check_terms(score) == []


def test_score_voting_without_criteria_is_refused_in_a_sentence() -> None:
    problems = check_terms(Terms(Method.SCORE, options=("A", "B")))
    assert [(p.field, p.message) for p in problems] == [
        (
            "criteria",
            "Score voting needs at least one criterion, named and weighted, agreed before "
            "anyone votes.",
        )
    ]


@pytest.mark.parametrize("quorum", ["-0.1", "1.01", "2", "NaN", "Infinity"])
def test_a_quorum_outside_0_to_1_is_refused(quorum: str) -> None:
    problems = check_terms(Terms(Method.MAJORITY, quorum=Decimal(quorum)))
    assert [(p.field, p.message) for p in problems] == [
        (
            "quorum",
            "The quorum must be a share of the eligible members from 0 to 1, such as 0.5 for half.",
        )
    ]


def test_every_problem_is_listed_at_once() -> None:
    terms = Terms(
        Method.SCORE,
        options=("A", "A", " "),
        quorum=Decimal(3),
        criteria=(
            Criterion("cost", Decimal(0)),
            Criterion("cost", Decimal("0.0000001")),
            Criterion("", Decimal(1)),
        ),
        max_score=0,
        threshold=Decimal("0.6"),
    )
    assert fields(terms) == [
        "quorum",
        "threshold",
        "options.2",
        "options",
        "criteria.0.weight",
        "criteria.1.weight",
        "criteria.2.name",
        "criteria",
        "max_score",
    ]


@pytest.mark.parametrize("threshold", [None, Decimal("0.5"), Decimal("1.1"), Decimal("NaN")])
def test_a_supermajority_needs_a_threshold_above_half(threshold: Decimal | None) -> None:
    assert fields(Terms(Method.SUPERMAJORITY, threshold=threshold)) == ["threshold"]


def test_options_only_where_the_method_uses_them() -> None:
    assert fields(Terms(Method.MAJORITY, options=("A", "B"))) == ["options"]
    assert fields(Terms(Method.RANKED_SCHULZE, options=("A",))) == ["options"]


@pytest.mark.parametrize("method", [m for m in Method if m is not Method.SCORE])
def test_any_method_may_name_the_criteria_it_is_judged_by_checked_as_score_votings(
    method: Method,
) -> None:
    options = ("A", "B") if method in (Method.RANKED_IRV, Method.RANKED_SCHULZE) else ()
    threshold = Decimal("0.667") if method is Method.SUPERMAJORITY else None
    named = (Criterion("cost", Decimal(1), "Cheaper is better"), Criterion("reach", Decimal(1)))
    given = Terms(method, options=options, threshold=threshold, criteria=named)
    assert fields(given) == []
    assert terms_from_dict(terms_to_dict(given)) == given
    twice = (
        Criterion("cost", Decimal(1)),
        Criterion("cost", Decimal(2)),
        Criterion("", Decimal(1)),
    )
    bad = Terms(method, options=options, threshold=threshold, criteria=twice)
    assert fields(bad) == ["criteria.2.name", "criteria"]
    assert fields(Terms(method, options=options, threshold=threshold)) == []  # optional


def test_the_dict_form_round_trips_with_decimals_as_text() -> None:
    terms = Terms(
        Method.SCORE,
        options=("Rent a room", "Buy a van"),
        quorum=Decimal("0.50"),
        criteria=(Criterion("cost", Decimal("2.0"), "Cheaper is better"),),
        max_score=10,
        seed="2026-12-01",
    )
    data = terms_to_dict(terms)
    assert data == {
        "method": "score",
        "options": ["Rent a room", "Buy a van"],
        "threshold": None,
        "quorum": "0.5",
        "criteria": [{"name": "cost", "weight": "2", "description": "Cheaper is better"}],
        "max_score": 10,
        "seed": "2026-12-01",
    }
    assert terms_from_dict(data) == terms


def test_reading_bad_terms_names_every_problem() -> None:
    with pytest.raises(TermsError) as unknown:
        terms_from_dict({"method": "dictator"})
    assert [p.field for p in unknown.value.problems] == ["method"]
    assert "simple majority" in unknown.value.problems[0].message
    with pytest.raises(TermsError) as float_quorum:
        terms_from_dict({"method": "majority", "quorum": 0.5})
    assert [p.field for p in float_quorum.value.problems] == ["quorum"]
    with pytest.raises(TermsError) as several:
        terms_from_dict({"method": "score", "options": ["A"], "quorum": "x"})
    assert [p.field for p in several.value.problems] == ["quorum", "options", "criteria"]
    with pytest.raises(TermsError):
        terms_from_dict(["majority"])


def test_ranks_on_a_consent_proposal_are_refused_by_name() -> None:
    problems = check_ballot(Terms(Method.CONSENT), {"ranking": ["A", "B"]})
    assert [(p.field, p.message) for p in problems] == [
        ("ranking", "A consent proposal takes a position (consent or object), not a ranking."),
        ("position", "Choose whether you consent or object."),
    ]
    not_a_mapping = check_ballot(Terms(Method.MAJORITY), "for")  # type: ignore[arg-type]
    assert [p.field for p in not_a_mapping] == ["ballot"]
