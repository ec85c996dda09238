"""The journal over the API: entries, head, verification, balances, sustainability, exports.

Everything here is public to read; only reversing an entry needs credentials.
Entries are numbered 1..head with no gaps, so pages go by sequence number
(``before_seq``) and stay as fast at entry 1 as at the newest, whatever the
journal's size. Amounts are strings with the currency's digits; ``minor`` is
the same amount in minor units, positive for a debit and negative for a credit.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.params.functions import Query as QueryParam

from commonshare.apikit import (
    E404,
    E409,
    E422,
    MAX_ID,
    MAX_LIMIT,
    WRITE,
    CurrencyCode,
    OneLine,
    PathId,
    StrictIn,
    paged,
)
from commonshare.books import anchors as published
from commonshare.books import journal, records, selectors, services
from commonshare.books.schemas import ReversalOut
from commonshare.books.selectors import waiting
from commonshare.books.vocab import REASON_MAX
from commonshare.community.auth import acting_member, member_auth
from commonshare.core import exports
from commonshare.core.ledger import account_type
from commonshare.core.money import MoneyError, check_currency
from commonshare.core.sustainability import MonthTotals
from commonshare.errors import InvalidInput

router = Router(tags=["journal"])


class PostingOut(Schema):
    """One line of an entry: ``minor`` is positive for a debit, negative for a credit."""

    account: str
    currency: str
    amount: str = Field(description="``minor`` with the currency's digits, e.g. '-12.50'")
    minor: int


class EntryOut(Schema):
    seq: int
    date: dt.date
    description: str
    source: str = Field(description="The record it came from, e.g. income:17")
    actor: str | None = Field(description="Id of the member who caused it; null: the system")
    service: str = Field(description="The code path that wrote it")
    reverses: int | None
    reversed_by: int | None
    prev_hash: str
    hash: str
    postings: list[PostingOut]


class EntryPageOut(Schema):
    count: int = Field(description="Entries in the journal (numbered 1..count, no gaps)")
    next_before_seq: int | None = Field(description="Pass as before_seq for the next page")
    items: list[EntryOut]


class EntryPageQuery(Schema):
    before_seq: int | None = Field(
        None, ge=1, le=MAX_ID, description="Entries numbered below this; omit for the newest"
    )
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class ReverseIn(StrictIn):
    reason: OneLine = Field(min_length=1, max_length=REASON_MAX)


class HeadOut(Schema):
    seq: int = Field(description="The newest entry's number (0 when the journal is empty)")
    hash: str


# Read by ``books.anchors.given`` (one parser for every door), not by a pattern here.
Anchor = Annotated[str, Field(max_length=200)]


class ChainProblemOut(Schema):
    kind: str = Field(
        description="changed, removed, inserted, reordered, checkpoint, truncated, orphan"
    )
    seq: int
    message: str


class VerifyOut(Schema):
    ok: bool
    message: str
    checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblemOut | None
    records: list[str] = Field(
        description="Every record or audit event that no longer matches what was committed"
    )
    anchors: int = Field(description="How many published heads were checked")


AccountKind = Literal["assets", "liabilities", "equity", "income", "expenses", "memo"]


class BalanceOut(Schema):
    account: str
    type: AccountKind
    currency: str
    minor: int = Field(description="Debit positive, credit negative, as posted")
    amount: str = Field(description="``minor`` with the currency's digits")
    normal_amount: str = Field(
        description="The balance in the account's own direction (what is owed, earned, held)"
    )


class SustainabilityQuery(Schema):
    currency: CurrencyCode = "EUR"
    window: int = Field(3, ge=1, le=36, description="Complete months averaged")


class MonthOut(Schema):
    month: dt.date = Field(description="The first day of the month")
    income: str
    expenses: str
    payouts: str
    net: str


class SustainabilityOut(Schema):
    currency: str
    today: dt.date
    months: list[dt.date] = Field(description="The complete months averaged")
    reserve: str
    burn: str = Field(description="Average monthly costs (expenses and payouts)")
    average_income: str
    runway_months: str | None = Field(description="Reserve / burn; null: nothing is burned")
    break_even_income: str
    last_month_net: str | None
    last_month_broke_even: bool | None
    trend: str | None = Field(description="Slope of the monthly net result, per month")
    direction: Literal["improving", "flat", "worsening"] | None
    series: list[MonthOut] = Field(description="Every month on record, for charts")


# The names of ``core.exports.FORMATS``, spelled out for the schema (a test keeps them equal).
ExportFormat = Literal["beancount", "csv", "json"]


class ExportQuery(Schema):
    format: ExportFormat = "beancount"


def _entries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The selector's entry rows with each posting's amount written out."""
    for row in rows:
        for line in row["postings"]:
            line["amount"] = exports.amount_text(line["minor"], line["currency"])
    return rows


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else exports.amount_text(minor, currency)


@router.get("/books/entries", response={200: EntryPageOut, **E422}, tags=["journal"])
def list_entries(request: HttpRequest, query: Query[EntryPageQuery]) -> dict[str, Any]:
    """The journal, newest first, a page at a time by sequence number (fast at any depth)."""
    count, _ = journal.head()
    before = count + 1 if query.before_seq is None else query.before_seq
    rows = selectors.entries_before(before, query.limit)
    last = rows[-1]["seq"] if rows else None
    return {
        "count": count,
        "next_before_seq": last if last is not None and last > 1 else None,
        "items": _entries(rows),
    }


@router.get("/books/entries/{seq}", response={200: EntryOut, **E404, **E422}, tags=["journal"])
def get_entry(request: HttpRequest, seq: PathId) -> dict[str, Any]:
    return _entries([selectors.entry_row(seq)])[0]


@router.post(
    "/books/entries/{seq}/reverse",
    auth=member_auth,
    response={201: ReversalOut, **WRITE, **E404, **E409},
    tags=["journal"],
)
def reverse_entry(request: HttpRequest, seq: PathId, payload: ReverseIn) -> Status[Any]:
    """Ask for entry ``seq`` to be undone by a reversing entry (once; never a reversal).

    The reversal waits for a second member to confirm it (``POST /reversals/{id}/confirm``).
    """
    asked = services.request_reversal(acting_member(request), seq, reason=payload.reason)
    return Status(201, waiting.reversal_request(asked.pk))


@router.get("/books/head", response={200: HeadOut}, tags=["journal"])
def journal_head(request: HttpRequest) -> dict[str, Any]:
    """The newest entry's number and hash: publish it, and pass it to verify later."""
    seq, digest = journal.head()
    return {"seq": seq, "hash": digest}


ANCHORS = QueryParam([], max_length=100, description="SEQ:HASH published earlier; repeatable")


CONFIGURED = QueryParam(
    None,
    description="`configured`: check the heads published at COMMONSHARE_ANCHORS too (fetched "
    "only when asked, and only when no anchor is given)",
)


@router.get("/books/verify", response={200: VerifyOut, **E422}, tags=["journal"])
def verify_journal(
    request: HttpRequest,
    anchor: list[Anchor] = ANCHORS,
    anchors: Literal["configured"] | None = CONFIGURED,
) -> dict[str, Any]:
    """Walk the hash chain as stored; name the first entry changed, removed or inserted."""
    heads = published.given(anchor)
    full = records.verify_all(heads or None, configured=anchors == "configured")
    report = full.chain
    problem = report.problem
    return {
        "ok": full.ok,
        "records": full.records,
        "anchors": full.anchors,
        "message": report.message,
        "checked": report.checked,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
        "problem": None
        if problem is None
        else {"kind": problem.kind, "seq": problem.seq, "message": problem.message},
    }


@router.get("/books/balances", response={200: list[BalanceOut], **E422}, tags=["journal"])
@paged
def list_balances(request: HttpRequest) -> list[dict[str, Any]]:
    """Every account's balance per currency, derived from the postings."""
    rows = []
    for (account, currency), minor in sorted(journal.balances().items()):
        kind = account_type(account)
        rows.append(
            {
                "account": account,
                "type": kind.value,
                "currency": currency,
                "minor": minor,
                "amount": exports.amount_text(minor, currency),
                "normal_amount": exports.amount_text(minor * kind.normal_sign, currency),
            }
        )
    return rows


def _series(months: list[MonthTotals], currency: str) -> list[dict[str, Any]]:
    """Every month from the first on record to the last, with empty months as zeros."""
    table = {m.month: m for m in months}
    series = []
    month = min(table, default=None)
    while month is not None and month <= max(table):
        totals = table.get(month, MonthTotals(month, 0, 0, 0))
        series.append(
            {
                "month": month,
                "income": exports.amount_text(totals.income, currency),
                "expenses": exports.amount_text(totals.expenses, currency),
                "payouts": exports.amount_text(totals.payouts, currency),
                "net": exports.amount_text(totals.net, currency),
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return series


@router.get("/books/sustainability", response={200: SustainabilityOut, **E422}, tags=["journal"])
def sustainability(request: HttpRequest, query: Query[SustainabilityQuery]) -> dict[str, Any]:
    """Monthly burn, runway, break-even and trend of one currency, with the monthly series."""
    try:
        code = check_currency(query.currency)
    except MoneyError as error:
        raise InvalidInput(str(error), field="currency") from None
    report = selectors.sustainability_report(code, today=timezone.localdate(), window=query.window)
    return {
        "currency": code,
        "today": report.today,
        "months": list(report.months),
        "reserve": _money(report.reserve, code),
        "burn": _money(report.burn, code),
        "average_income": _money(report.average_income, code),
        "runway_months": None if report.runway_months is None else f"{report.runway_months:f}",
        "break_even_income": _money(report.break_even_income, code),
        "last_month_net": _money(report.last_month_net, code),
        "last_month_broke_even": report.last_month_broke_even,
        "trend": _money(report.trend, code),
        "direction": report.direction,
        "series": _series(selectors.month_totals(code), code),
    }


_EXPORT_RESPONSE = {
    "description": "The whole journal as a file",
    "content": {
        "text/plain": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}},
    },
}


@router.get(
    "/books/export",
    response={**E422},
    openapi_extra={"responses": {200: _EXPORT_RESPONSE}},
    tags=["journal"],
)
def export_journal(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponse:
    """The whole journal as Beancount (text/plain), CSV (one row per posting) or JSON."""
    chosen, text = selectors.journal_export(query.format)
    response = HttpResponse(text, content_type=chosen.content_type)
    response["Content-Disposition"] = f'attachment; filename="{chosen.filename}"'
    return response
