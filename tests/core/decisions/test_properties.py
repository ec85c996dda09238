"""Properties of the tallies (hypothesis), over every method."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.core.decisions.strategies import any_terms, ballot_for, decisions, terms_for

from commonshare.core.decisions import (
    Method,
    Outcome,
    Terms,
    check_ballot,
    check_terms,
    tally,
    tally_from_dict,
    terms_from_dict,
    terms_to_dict,
)
from commonshare.core.decisions.ballots import CHOICES
from commonshare.core.decisions.schulze import pairwise


@given(decisions(), st.randoms(use_true_random=False))
def test_the_tally_does_not_depend_on_the_order_of_the_ballots(decision: Any, random: Any) -> None:
    terms, ballots, eligible = decision
    shuffled = list(ballots)
    random.shuffle(shuffled)
    assert tally(terms, shuffled, eligible=eligible) == tally(terms, ballots, eligible=eligible)


@given(decisions(), st.data())
def test_the_quorum_counts_cast_ballots_only(decision: Any, data: st.DataObject) -> None:
    terms, ballots, eligible = decision
    result = tally(terms, ballots, eligible=eligible)
    assert result.cast == len(ballots)
    assert result.eligible == eligible
    if terms.method is Method.LAZY_CONSENSUS:
        assert result.quorum_met  # silence is consent: no quorum
        assert result.outcome is not Outcome.NO_QUORUM
        return
    needed = math.ceil(terms.quorum * eligible)
    assert result.quorum_needed == needed
    assert result.quorum_met == (len(ballots) >= needed)
    assert (result.outcome is Outcome.NO_QUORUM) == (not result.quorum_met)
    # What the ballots say does not matter to the quorum, only that they were cast:
    others = data.draw(st.lists(ballot_for(terms), min_size=len(ballots), max_size=len(ballots)))
    assert tally(terms, others, eligible=eligible).quorum_met == result.quorum_met
    # and the members who did not vote never count towards it.
    if needed > len(ballots):
        more = tally(terms, ballots, eligible=eligible + 5)
        assert not more.quorum_met


yes_no = st.sampled_from([Method.MAJORITY, Method.SUPERMAJORITY]).flatmap(terms_for)


@given(decisions(yes_no), st.booleans())
def test_another_for_never_turns_a_pass_into_a_rejection(decision: Any, newcomer: bool) -> None:
    terms, ballots, eligible = decision
    before = tally(terms, ballots, eligible=eligible)
    if before.outcome is not Outcome.PASSED:
        return
    # the extra ballot comes from a member who had not voted, or from a new eligible member
    room = eligible + 1 if newcomer or eligible == len(ballots) else eligible
    after = tally(terms, [*ballots, {"choice": "for"}], eligible=room)
    assert after.outcome is Outcome.PASSED


@given(decisions(yes_no))
def test_majority_passes_exactly_when_for_beats_against(decision: Any) -> None:
    terms, ballots, eligible = decision
    result = tally(terms, ballots, eligible=eligible)
    counts = {c: sum(1 for b in ballots if b["choice"] == c) for c in CHOICES}
    assert result.counts == counts
    if result.quorum_met and terms.method is Method.MAJORITY:
        assert (result.outcome is Outcome.PASSED) == (counts["for"] > counts["against"])


@given(decisions())
def test_every_generated_valid_ballot_is_accepted(decision: Any) -> None:
    terms, ballots, _ = decision
    assert check_terms(terms) == []
    for ballot in ballots:
        assert check_ballot(terms, ballot) == []


SHAPES = {
    "position": {"position": "consent"},
    "choice": {"choice": "for"},
    "scores": {"scores": {}},
    "ranking": {"ranking": []},
}
FIELD_OF = {
    Method.CONSENT: "position",
    Method.LAZY_CONSENSUS: "position",
    Method.MAJORITY: "choice",
    Method.SUPERMAJORITY: "choice",
    Method.SCORE: "scores",
    Method.RANKED_IRV: "ranking",
    Method.RANKED_SCHULZE: "ranking",
}


@given(any_terms, st.sampled_from(sorted(SHAPES)))
def test_a_ballot_of_another_methods_shape_is_refused_naming_the_field(
    terms: Terms, shape: str
) -> None:
    if shape == FIELD_OF[terms.method]:
        return
    problems = check_ballot(terms, SHAPES[shape])
    assert shape in [p.field for p in problems]
    assert all(p.message.endswith(".") and p.message[0].isupper() for p in problems)


@given(decisions(), st.data())
def test_each_spoilt_ballot_is_refused(decision: Any, data: st.DataObject) -> None:
    terms, _, _ = decision
    ballot = data.draw(ballot_for(terms))
    spoilt, field = data.draw(st.sampled_from(_spoilings(terms, ballot)))
    assert field in [p.field for p in check_ballot(terms, spoilt)]


def _spoilings(terms: Terms, ballot: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    method = terms.method
    if method in (Method.CONSENT, Method.LAZY_CONSENSUS):
        return [
            ({"position": "object"}, "reason"),
            ({"position": "object", "reason": "   "}, "reason"),
            ({"position": "maybe"}, "position"),
            ({**ballot, "choice": "for"}, "choice"),
        ]
    if method in (Method.MAJORITY, Method.SUPERMAJORITY):
        return [
            ({"choice": "yes"}, "choice"),
            ({}, "choice"),
            ({**ballot, "reason": "x"}, "reason"),
        ]
    if method is Method.SCORE:
        option, criterion = terms.options[0], terms.criteria[0].name
        scores = ballot["scores"]
        too_high = {**scores, option: {**scores[option], criterion: terms.max_score + 1}}
        missing = {**scores, option: {k: v for k, v in scores[option].items() if k != criterion}}
        half = {**scores, option: {**scores[option], criterion: 1.5}}
        return [
            ({"scores": too_high}, f"scores.{option}.{criterion}"),
            ({"scores": missing}, f"scores.{option}.{criterion}"),
            ({"scores": half}, f"scores.{option}.{criterion}"),
            ({"scores": {k: v for k, v in scores.items() if k != option}}, f"scores.{option}"),
            ({"scores": {**scores, "Nowhere": {}}}, "scores.Nowhere"),
            ({**ballot, "ranking": list(terms.options)}, "ranking"),
        ]
    ranking = ballot["ranking"]
    return [
        ({"ranking": [*ranking, ranking[0]]}, "ranking"),
        ({"ranking": [*ranking, "Nowhere"]}, "ranking"),
        ({"ranking": []}, "ranking"),
        ({"ranking": ranking[0]}, "ranking"),
        ({**ballot, "position": "consent"}, "position"),
    ]


@given(decisions())
def test_terms_and_tallies_round_trip_through_json(decision: Any) -> None:
    terms, ballots, eligible = decision
    assert terms_from_dict(json.loads(json.dumps(terms_to_dict(terms)))) == terms
    result = tally(terms, ballots, eligible=eligible)
    assert tally_from_dict(json.loads(json.dumps(result.as_dict()))) == result


ranked = st.sampled_from([Method.RANKED_IRV, Method.RANKED_SCHULZE]).flatmap(terms_for)


@given(decisions(ranked))
def test_a_condorcet_winner_wins_schulze(decision: Any) -> None:
    terms, ballots, eligible = decision
    d = pairwise(terms.options, [b["ranking"] for b in ballots])
    winners = [x for x in terms.options if all(d[x][y] > d[y][x] for y in d[x])]
    schulze = Terms(Method.RANKED_SCHULZE, options=terms.options, quorum=terms.quorum)
    result = tally(schulze, ballots, eligible=eligible)
    if winners and result.quorum_met:
        assert result.winner == winners[0]


@given(decisions(ranked))
def test_a_first_choice_majority_wins_instant_runoff_in_round_one(decision: Any) -> None:
    terms, ballots, eligible = decision
    irv = Terms(Method.RANKED_IRV, options=terms.options, quorum=terms.quorum, seed=terms.seed)
    result = tally(irv, ballots, eligible=eligible)
    firsts = [b["ranking"][0] for b in ballots]
    majority = [o for o in terms.options if 2 * firsts.count(o) > len(firsts)]
    if majority and result.quorum_met:
        assert result.winner == majority[0]
        assert len(result.rounds) == 1
    if result.outcome is Outcome.CHOSEN:
        last = result.rounds[-1]
        live = len(ballots) - last.exhausted
        assert 2 * last.counts[result.winner] > live or len(last.counts) == 1


scored = terms_for(Method.SCORE)


@given(decisions(scored))
def test_score_matches_weighted_means_computed_with_fractions(decision: Any) -> None:
    terms, ballots, eligible = decision
    result = tally(terms, ballots, eligible=eligible)
    if not ballots:
        return
    weight = sum(Fraction(c.weight) for c in terms.criteria)
    means = {
        option: sum(
            Fraction(c.weight) * b["scores"][option][c.name]
            for b in ballots
            for c in terms.criteria
        )
        / (len(ballots) * weight)
        for option in terms.options
    }
    for option, mean in means.items():
        assert abs(Fraction(result.counts[option]) - mean) <= Fraction(1, 20000)
    best = max(means.values())
    top = [option for option, mean in means.items() if mean == best]
    if not result.quorum_met:
        assert result.winner is None
    elif len(top) == 1:
        assert (result.outcome, result.winner) == (Outcome.CHOSEN, top[0])
    else:
        assert result.outcome is (Outcome.CHOSEN if terms.seed else Outcome.TIED)
        assert result.winner in ([*top] if terms.seed else [None])


@given(decisions())
def test_the_statement_is_one_plain_sentence(decision: Any) -> None:
    terms, ballots, eligible = decision
    statement = tally(terms, ballots, eligible=eligible).statement
    assert statement[0].isupper()
    assert statement.endswith(".")
    assert statement.count(". ") == 0  # one sentence
    for code in ("None", "_", "Decimal", "{", "'"):
        assert code not in statement
    assert f"of {eligible} eligible member" in statement
