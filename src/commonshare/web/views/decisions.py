"""The decisions pages: the list, a new proposal, one decision (terms, diff, who voted,
the ballot form, the tally as charts), the receipt check, and the close button."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonshare.books import selectors as book_selectors
from commonshare.core.decisions import METHOD_LABELS, Method, Outcome
from commonshare.core.policy import Change
from commonshare.core.words import period_words
from commonshare.decisions import presenting, selectors, services, vocab
from commonshare.errors import CommonshareError, Conflict, InvalidInput, NotFound
from commonshare.governance.selectors import current_policy
from commonshare.web import charts, policy_text
from commonshare.web.decision_forms import (
    COUNT_WORDS,
    ProposalForm,
    ReceiptForm,
    ballot_form,
    ballot_of,
    ballot_words,
    form_field,
)
from commonshare.web.formatting import percent
from commonshare.web.pager import cursor_of, pager
from commonshare.web.views.common import MemberRequest, add_problems, domain_errors

OUTCOME_WORDS = {
    Outcome.PASSED.value: "Passed",
    Outcome.REJECTED.value: "Not passed",
    Outcome.NO_QUORUM.value: "No quorum",
    Outcome.OBJECTED.value: "Objected",
    Outcome.TIED.value: "Tied",
    Outcome.CHOSEN.value: "Chosen",
    vocab.WITHDRAWN: "Withdrawn",
}


@domain_errors
def decision_list(request: HttpRequest) -> HttpResponse:
    page = selectors.proposals_page(cursor_of(request))
    rows = [(d, OUTCOME_WORDS.get(d.outcome, "")) for d in page]
    found = pager(request, page, label="Pages of decisions")
    return render(request, "web/decisions/list.html", {"pager": found, "rows": rows})


@login_required
@domain_errors
def decision_create(request: MemberRequest) -> HttpResponse:
    rules = current_policy().decisions
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.propose(request.user, **form.service_arguments())
        except CommonshareError as error:
            if error.status == 403:
                raise
            add_problems(form, _on_form_fields(error))
        else:
            messages.success(request, f"Decision {made.number} is open for votes.")
            return redirect("web:decision", made.number)
    return render(
        request,
        "web/decisions/form.html",
        {
            "form": form,
            "min_days": rules.min_voting_days,
            "max_days": rules.max_voting_days,
            "quorum": percent(rules.default_quorum),
        },
    )


def _on_form_fields(error: CommonshareError) -> CommonshareError:
    problems = [(form_field(field), message) for field, message in error.problems]
    return InvalidInput.of(problems)


def _bars(title: str, counts: dict[str, Any]) -> charts.Chart:
    rows = []
    for label, value in counts.items():
        amount = Decimal(str(value))
        shown = f"{amount.normalize():f}" if amount != amount.to_integral() else str(int(amount))
        rows.append((COUNT_WORDS.get(label, label), int(amount * 1000), shown))
    return charts.horizontal_bars(title, rows)


def _phase_views(found: Any) -> list[dict[str, Any]]:
    views = []
    for phase in selectors.published(found).get("phases", []):
        tally = phase["tally"]
        method = Method(tally["method"])
        views.append(
            {
                "phase": phase["phase"],
                "method": METHOD_LABELS[method],
                "statement": tally["statement"],
                "chart": _bars(f"Votes, phase {phase['phase']}", tally["counts"])
                if tally["counts"]
                else None,
                "rounds": [
                    _bars(f"Round {index}", round_["counts"])
                    for index, round_ in enumerate(tally["rounds"], start=1)
                ],
                "objections": tally["objections"],
                "ballots": [
                    {"name": b.get("name", ""), "words": ballot_words(b["ballot"])}
                    for b in phase["ballots"]
                ],
                "secret": found.secret,
            }
        )
    return views


@domain_errors
def decision_detail(request: HttpRequest, number: int, *, ballot: Any = None) -> HttpResponse:
    found = selectors.proposal(number)
    shown = presenting.as_dict(found)
    phase, terms = selectors.phase_terms(found)
    refusal = selectors.may_vote(request.user, found)
    voted = selectors.has_voted(request.user, found)
    form = ballot or (
        ballot_form(terms, needs_receipt=found.secret and voted) if refusal is None else None
    )
    effect = shown["effect"]
    changes = []
    if effect:
        changes = policy_text.change_lines(
            [Change(c["path"], c["before"], c["after"]) for c in effect["changes"]]
        )
    now = timezone.now()
    return render(
        request,
        "web/decisions/detail.html",
        {
            "decision": found,
            "shown": shown,
            "terms": terms,
            # Named when it was proposed; the majority vote after an objection keeps them.
            "criteria": selectors.terms_of(found).criteria,
            "phase": phase,
            "method": METHOD_LABELS[Method(found.method)],
            "voting_method": METHOD_LABELS[terms.method],
            "quorum": percent(terms.quorum),
            "threshold": percent(terms.threshold) if terms.threshold is not None else None,
            "deadline": selectors.deadline(found),
            "effect": effect,
            "changes": changes,
            "voters": selectors.voters(found),
            "ballot_form": form,
            "refusal": refusal,
            "voted": voted,
            "phases": _phase_views(found),
            "outcome": OUTCOME_WORDS.get(found.outcome, ""),
            "can_close": found.stage != vocab.Stage.CLOSED and now >= selectors.deadline(found),
            "receipt_form": ReceiptForm(auto_id="check_%s"),
            **_distribution_preview(found),
        },
    )


def _distribution_preview(found: Any) -> dict[str, Any]:
    """The distribution a decision carries, with each payout and what explains it."""
    if found.effect_kind != vocab.POST_DISTRIBUTION:
        return {}
    distribution_id = json.loads(found.effect).get("distribution_id")
    try:
        distribution = book_selectors.distribution(int(distribution_id))
    except (NotFound, TypeError, ValueError):
        return {}
    payouts = list(book_selectors.payouts_of(distribution))
    for payout in payouts:
        lines = payout.explanation.get("contributions") if payout.explanation else None
        payout.valued = len(lines) if isinstance(lines, list) else 0  # type: ignore[attr-defined]
    return {
        "distribution": distribution,
        "distribution_state": book_selectors.distribution_state(distribution),
        "distribution_period": period_words(distribution.period_start, distribution.period_end),
        "payouts": payouts,
    }


@login_required
@require_POST
@domain_errors
def decision_vote(request: MemberRequest, number: int) -> HttpResponse:
    found = selectors.proposal(number)
    _, terms = selectors.phase_terms(found)
    voted = selectors.has_voted(request.user, found)
    form = ballot_form(terms, request.POST, needs_receipt=found.secret and voted)
    if form.is_valid():
        try:
            cast = services.vote(
                request.user,
                number,
                ballot_of(terms, form.cleaned_data),
                receipt=form.cleaned_data.get("receipt", ""),
            )
        except CommonshareError as error:
            if error.status == 403:
                raise
            add_problems(form, _ballot_fields(error))
        else:
            return render(request, "web/decisions/voted.html", {"decision": found, "cast": cast})
    return decision_detail(request, number, ballot=form)


def _ballot_fields(error: CommonshareError) -> CommonshareError:
    problems = [
        ("receipt" if field == "receipt" else None, message) for field, message in error.problems
    ]
    return InvalidInput.of(problems)


@require_POST
@domain_errors
def decision_close(request: HttpRequest, number: int) -> HttpResponse:
    try:
        closed = services.close_decision(number)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, closed.statement)
    return redirect("web:decision", number)


@domain_errors
def decision_receipt(request: HttpRequest, number: int) -> HttpResponse:
    found = selectors.proposal(number)
    form = ReceiptForm(request.GET or None)
    check = None
    if request.GET and form.is_valid():
        check = selectors.check_receipt(number, form.cleaned_data["receipt"])
    return render(
        request,
        "web/decisions/receipt.html",
        {
            "decision": found,
            "form": form,
            "check": check,
            "words": ballot_words(check.ballot) if check else "",
        },
    )
