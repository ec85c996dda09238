"""The open books: balances, the journal entry by entry, its head hash, and sustainability.

Everything here is public except reversing an entry, which any signed-in
member may ask for (the service decides whether it can be done).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from commonshare.books import journal, selectors, services
from commonshare.books.models import Distribution
from commonshare.community import selectors as community
from commonshare.core.ledger import entry_hash, stored_canonical_bytes
from commonshare.core.sustainability import MonthTotals, Sustainability
from commonshare.errors import NotFound
from commonshare.web import charts, fragments, ledger
from commonshare.web.formatting import month_label
from commonshare.web.forms import ReversalForm
from commonshare.web.pager import slice_of
from commonshare.web.templatetags.commonshare_web import money
from commonshare.web.views.common import MemberRequest, domain_errors, int_or_none, submit

MONTHS_SHOWN = 12


def chosen_currency(request: HttpRequest, currencies: list[str]) -> str:
    """The ``?currency=`` asked for if the books know it, else the main currency."""
    asked = (request.GET.get("currency") or "").strip().upper()
    return asked if asked in currencies else selectors.main_currency(currencies)


# A list of entries shows this many postings of each; a distribution's entry has one per
# payee (thousands in a large community), and its own page shows them ENTRY_POSTINGS at a
# time.
LISTED_POSTINGS = 8
ENTRY_POSTINGS = 100


def dressed_entries(
    rows: list[dict[str, Any]], *, postings: int | None = LISTED_POSTINGS
) -> list[dict[str, Any]]:
    """Entries as the templates show them, each with at most ``postings`` postings (those
    read, with None: an entry's own page reads the ones it shows)."""
    shown = []
    for row in rows:
        cut = len(row["postings"]) if postings is None else postings
        listed = row["postings"][:cut]
        more = 0 if postings is None else max(0, row.get("posting_count", 0) - len(listed))
        # the table rows the entry spans: its listed postings, and one saying how many more
        shown.append(
            {**row, "postings": listed, "more_postings": more, "rows": len(listed) + bool(more)}
        )
    members = community.members_by_id(ledger.member_ids_in(shown))
    reversals = selectors.reversed_by([row["seq"] for row in rows])
    return [ledger.dress_entry(row, members, reversals) for row in shown]


def flows_chart(currency: str, months: list[MonthTotals]) -> charts.GroupedChart:
    series = [
        charts.Series("income", "income"),
        charts.Series("expenses", "expenses"),
        charts.Series("payouts", "payouts"),
    ]
    return charts.grouped_bars(
        f"Income, expenses and payouts per month, {currency}",
        series,
        [
            (
                month_label(m.month, with_year=True),
                [
                    (m.income, money(m.income, currency)),
                    (m.expenses, money(m.expenses, currency)),
                    (m.payouts, money(m.payouts, currency)),
                ],
            )
            for m in months
        ],
        scale_text=lambda minor: money(minor, currency),
    )


def sustainability_chart(report: Sustainability, months: list[MonthTotals]) -> charts.GroupedChart:
    code = report.currency
    return charts.grouped_bars(
        f"Income against costs per month, {code}; the line is break-even income",
        [charts.Series("income", "income"), charts.Series("costs", "costs")],
        [
            (
                month_label(m.month, with_year=True),
                [(m.income, money(m.income, code)), (m.costs, money(m.costs, code))],
            )
            for m in months
        ],
        scale_text=lambda minor: money(minor, code),
        level=(report.break_even_income, f"break-even {money(report.break_even_income, code)}"),
    )


# The overview shows each kind of account's largest balances and the kind's total; a
# member's own page shows what the commons owes them, and the journal every posting.
BALANCES_SHOWN = 10
# The newest posted distributions, each in a line; the distributions' list has them all.
DISTRIBUTIONS_SHOWN = 12


def balance_groups(totals: selectors.LedgerTotals, head: str) -> SafeString:
    """The balances by account type, rendered once per head (names checked each time)."""

    def draw() -> fragments.Drawn:
        groups = ledger.largest_first(ledger.balance_groups(totals.balances, {}), BALANCES_SHOWN)
        listed = {line.member_id for group in groups for line in group.lines if line.member_id}
        members = community.members_by_id(listed)
        groups = [ledger.with_members(group, members) for group in groups]
        html = render_to_string("web/books/_balance_groups.html", {"groups": groups})
        return html, fragments.names_of(members)

    return fragments.rendered("balance-groups", draw, parts=(), head=head)


def posted_distributions(head: str) -> SafeString:
    """The newest posted distributions, a line each, rendered once per head and count of
    posted distributions (one that moved no money posts no entry)."""

    def draw() -> fragments.Drawn:
        posted = selectors.distribution_summaries(Distribution.Status.POSTED, with_payees=True)
        html = render_to_string(
            "web/books/_posted_distributions.html",
            {"distributions": list(posted[:DISTRIBUTIONS_SHOWN]), "count": posted.count()},
        )
        return html, {}

    parts = selectors.posted_mark()
    return fragments.rendered("posted-distributions", draw, parts=parts, head=head)


def open_books(request: HttpRequest) -> HttpResponse:
    totals = selectors.ledger_totals()
    currencies = totals.currencies()
    currency = chosen_currency(request, currencies)
    today = timezone.localdate()
    page = selectors.journal_page(1, postings=LISTED_POSTINGS)
    if page is None:  # page 1 always exists, even for an empty journal
        raise Http404("No journal.")
    head = f"{totals.seq}:{totals.hash}"
    months = selectors.last_months(totals.month_totals(currency), today, MONTHS_SHOWN)
    return render(
        request,
        "web/books/open_books.html",
        {
            "page": page,
            "entries": dressed_entries(page.entries),
            "balances": balance_groups(totals, head),
            "currencies": currencies,
            "currency": currency,
            "chart": flows_chart(currency, months),
            "report": selectors.sustainability_of(totals, currency, today),
            "posted": posted_distributions(head),
            "proposed": selectors.distribution_summaries(Distribution.Status.PROPOSED),
            "unconfirmed": selectors.pending_income_totals(),
        },
    )


def entry_list(request: HttpRequest) -> HttpResponse:
    number = int_or_none(request.GET.get("page", "1"))
    page = selectors.journal_page(number, postings=LISTED_POSTINGS) if number else None
    if page is None:
        raise Http404("No such page of the journal.")
    return render(
        request,
        "web/books/entry_list.html",
        {"page": page, "entries": dressed_entries(page.entries)},
    )


def entry_seq_redirect(request: HttpRequest) -> HttpResponse:
    """The "go to entry #" box: straight to the entry's page."""
    seq = int_or_none(request.GET.get("seq"))
    if seq is None or seq < 1:
        raise Http404("Give an entry number.")
    return redirect("web:entry", seq)


@domain_errors
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    start = int_or_none(request.GET.get("from")) or 0
    start = max(0, start - start % ENTRY_POSTINGS)  # pages begin at whole hundreds
    row = selectors.entry_row(seq, lines=(start, start + ENTRY_POSTINGS))
    count = row["posting_count"]
    if start and start >= count:
        raise NotFound(f"Journal entry #{seq} has {count} postings.")
    entry = dressed_entries([row], postings=None)[0]
    stored = journal.stored_entry(seq)
    if stored is None:
        raise NotFound(f"There is no journal entry #{seq}.")
    canonical = stored_canonical_bytes(stored)
    head_seq, _ = journal.head()
    return render(
        request,
        "web/books/entry_detail.html",
        {
            "entry": entry,
            "postings": slice_of(start, len(entry["postings"]), count, ENTRY_POSTINGS),
            # The canonical form is shown whole only when it is short enough to read.
            "canonical": canonical.decode("ascii") if count <= ENTRY_POSTINGS else None,
            "canonical_length": len(canonical),
            "recomputed": entry_hash(stored.prev_hash, canonical),
            "head_seq": head_seq,
            "form": ReversalForm() if request.user.is_authenticated else None,
        },
    )


@login_required
@domain_errors
def entry_reverse(request: MemberRequest, seq: int) -> HttpResponse:
    """GET asks for a reason; POST asks for the reversal, which a second member confirms."""
    row = dressed_entries([selectors.entry_row(seq)], postings=None)[0]
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        asked = submit(form, lambda: services.request_reversal(request.user, seq, reason=reason))
        if asked is not None:
            messages.success(
                request,
                f"Asked: entry {seq} is reversed when another member confirms it.",
            )
            return redirect("web:entry", seq)
    return render(request, "web/books/entry_reverse.html", {"entry": row, "form": form})


@domain_errors
def income_detail(request: HttpRequest, income_id: int) -> HttpResponse:
    income = selectors.income(income_id)
    return render(
        request,
        "web/books/income_detail.html",
        {
            "income": income,
            "entries": dressed_entries(selectors.entries_from(f"income:{income.pk}")),
        },
    )


def sustainability(request: HttpRequest) -> HttpResponse:
    totals = selectors.ledger_totals()
    currencies = totals.currencies()
    currency = chosen_currency(request, currencies)
    today = timezone.localdate()
    report = selectors.sustainability_of(totals, currency, today)
    months = selectors.last_months(totals.month_totals(currency), today, MONTHS_SHOWN)
    return render(
        request,
        "web/books/sustainability.html",
        {
            "report": report,
            "currency": currency,
            "currencies": currencies,
            "months": months[::-1],
            "chart": sustainability_chart(report, months),
            "window": len(report.months),
        },
    )
