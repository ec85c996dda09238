"""Hypothesis strategies: valid terms for every method, and valid ballots for terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from commonshare.core.decisions import CHOICES, Criterion, Method, Terms

OPTION_NAMES = ("Alder", "Birch", "Cedar", "Damson", "Elm", "Fir")
CRITERION_NAMES = ("cost", "reach", "effort", "risk")

shares = st.decimals(min_value=0, max_value=1, places=2)
seeds = st.sampled_from(["", "seed-1", "published 2026-12-01"])
options = st.lists(st.sampled_from(OPTION_NAMES), min_size=2, max_size=5, unique=True).map(tuple)
criteria = st.lists(
    st.builds(
        Criterion,
        name=st.sampled_from(CRITERION_NAMES),
        weight=st.decimals(min_value=Decimal("0.5"), max_value=5, places=1),
        description=st.sampled_from(["", "How much it costs us"]),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda c: c.name,
).map(tuple)


def terms_for(method: Method) -> st.SearchStrategy[Terms]:
    if method is Method.SUPERMAJORITY:
        return st.builds(
            Terms,
            method=st.just(method),
            threshold=st.decimals(min_value=Decimal("0.51"), max_value=1, places=2),
            quorum=shares,
        )
    if method is Method.SCORE:
        return st.builds(
            Terms,
            method=st.just(method),
            options=options,
            criteria=criteria,
            max_score=st.integers(1, 10),
            quorum=shares,
            seed=seeds,
        )
    if method in (Method.RANKED_IRV, Method.RANKED_SCHULZE):
        return st.builds(Terms, method=st.just(method), options=options, quorum=shares, seed=seeds)
    return st.builds(Terms, method=st.just(method), quorum=shares)


any_terms = st.sampled_from(list(Method)).flatmap(terms_for)


def ballot_for(terms: Terms) -> st.SearchStrategy[dict[str, Any]]:
    method = terms.method
    if method in (Method.CONSENT, Method.LAZY_CONSENSUS):
        return st.one_of(
            st.just({"position": "consent"}),
            st.just({"position": "consent", "reason": ""}),
            st.sampled_from(["Too costly.", "Not yet.", "  Ask the members first. "]).map(
                lambda reason: {"position": "object", "reason": reason}
            ),
        )
    if method in (Method.MAJORITY, Method.SUPERMAJORITY):
        return st.sampled_from(CHOICES).map(lambda choice: {"choice": choice})
    if method is Method.SCORE:
        score = st.integers(0, terms.max_score)
        row = st.fixed_dictionaries({c.name: score for c in terms.criteria})
        return st.fixed_dictionaries(dict.fromkeys(terms.options, row)).map(
            lambda scores: {"scores": scores}
        )
    return (
        st.permutations(terms.options)
        .flatmap(lambda order: st.integers(1, len(order)).map(lambda n: list(order[:n])))
        .map(lambda ranking: {"ranking": ranking})
    )


@st.composite
def decisions(draw: st.DrawFn, terms: st.SearchStrategy[Terms] = any_terms) -> Any:
    """Terms, ballots that fit them, and a number of eligible members at least as large."""
    chosen = draw(terms)
    ballots = draw(st.lists(ballot_for(chosen), max_size=25))
    eligible = len(ballots) + draw(st.integers(0, 15))
    return chosen, ballots, eligible
