"""The journal as Beancount text, CSV rows and a JSON document.

Pure: each function takes stored entries and returns text or rows; the caller
writes files. Amounts are exact, with the currency's number of digits
(``1000`` JPY, ``12.50`` EUR, ``1.250`` BHD).

Beancount: every account is opened, with the currencies it uses, on the first
date it is used; each currency gets a ``commodity`` directive; each entry is a
transaction carrying its ``seq``, ``hash``, ``prev_hash``, ``source``,
``service``, ``actor`` and ``reverses`` as metadata, and an entry and its
reversal share a ``^reversal-<seq>`` link. Memo accounts appear under
``Equity:Memo`` (see ``beancount_account``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from commonshare.core.ledger import Posting, StoredEntry, beancount_account
from commonshare.core.money import from_minor

JSON_FORMAT = "commonshare.journal"
JSON_VERSION = 1
CSV_HEADER = (
    "seq",
    "date",
    "account",
    "amount",
    "currency",
    "description",
    "source",
    "hash",
    "actor",
    "service",
    "reverses",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def amount_text(minor: int, currency: str) -> str:
    """``minor`` units as an exact decimal with the currency's digits: 1250 EUR → '12.50'."""
    return f"{from_minor(minor, currency):f}"


def _string(text: str) -> str:
    """A Beancount string literal (one line; backslash and quote escaped)."""
    one_line = " ".join(text.splitlines())
    return '"' + one_line.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first_use(
    entries: list[StoredEntry],
) -> tuple[dict[str, datetime.date], dict[str, set[str]], dict[str, datetime.date]]:
    opened: dict[str, datetime.date] = {}
    currencies: dict[str, set[str]] = {}
    commodities: dict[str, datetime.date] = {}
    for entry in entries:
        for account, currency, _ in entry.postings:
            if account not in opened or entry.date < opened[account]:
                opened[account] = entry.date
            currencies.setdefault(account, set()).add(currency)
            if currency not in commodities or entry.date < commodities[currency]:
                commodities[currency] = entry.date
    return opened, currencies, commodities


def _transaction(entry: StoredEntry, links: str) -> list[str]:
    lines = [f"{entry.date.isoformat()} * {_string(entry.description)}{links}"]
    meta = {
        "seq": str(entry.seq),
        "hash": entry.hash,
        "prev_hash": entry.prev_hash,
        "source": entry.source,
        "service": entry.service,
    }
    if entry.actor is not None:
        meta["actor"] = entry.actor
    if entry.reverses is not None:
        meta["reverses"] = str(entry.reverses)
    if entry.commits is not None:
        meta["commits"] = entry.commits
    lines += [f"  {key}: {_string(value)}" for key, value in meta.items()]
    lines += [
        f"  {beancount_account(account)}  {amount_text(minor, currency)} {currency}"
        for account, currency, minor in entry.postings
    ]
    return lines


def beancount_text(
    entries: Iterable[StoredEntry],
    *,
    title: str | None = None,
    operating_currency: str | None = None,
) -> str:
    """The journal as a Beancount file that ``bean-check`` accepts."""
    journal = list(entries)
    opened, currencies, commodities = _first_use(journal)
    reversed_seqs = {entry.reverses for entry in journal if entry.reverses is not None}
    out: list[str] = []
    if title is not None:
        out.append(f"option {_string('title')} {_string(title)}")
    if operating_currency is not None:
        out.append(f"option {_string('operating_currency')} {_string(operating_currency)}")
    out.append("")
    for currency, date in sorted(commodities.items(), key=lambda item: (item[1], item[0])):
        out.append(f"{date.isoformat()} commodity {currency}")
    for account, date in sorted(opened.items(), key=lambda item: (item[1], item[0])):
        constraint = ",".join(sorted(currencies[account]))
        out.append(f"{date.isoformat()} open {beancount_account(account)} {constraint}")
    for entry in journal:
        link_seq = entry.reverses if entry.reverses is not None else entry.seq
        links = f" ^reversal-{link_seq}" if link_seq in reversed_seqs else ""
        out.append("")
        out += _transaction(entry, links)
    out.append("")
    return "\n".join(out)


def _safe_cell(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(
    entries: Iterable[StoredEntry], *, spreadsheet_safe: bool = True
) -> Iterator[tuple[str, ...]]:
    """The header, then one row per posting (see ``CSV_HEADER``).

    With ``spreadsheet_safe`` free-text cells that start with ``= + - @``
    get a leading apostrophe so a spreadsheet shows them as text; the JSON
    export carries the exact texts.
    """
    text = _safe_cell if spreadsheet_safe else str
    yield CSV_HEADER
    for entry in entries:
        for account, currency, minor in entry.postings:
            yield (
                str(entry.seq),
                entry.date.isoformat(),
                account,
                amount_text(minor, currency),
                currency,
                text(entry.description),
                text(entry.source),
                entry.hash,
                "" if entry.actor is None else text(entry.actor),
                text(entry.service),
                "" if entry.reverses is None else str(entry.reverses),
            )


def csv_text(entries: Iterable[StoredEntry], *, spreadsheet_safe: bool = True) -> str:
    """``csv_rows`` as CSV text (RFC 4180, CRLF line ends)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(entries, spreadsheet_safe=spreadsheet_safe))
    return buffer.getvalue()


def entry_json(entry: StoredEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "date": entry.date.isoformat(),
        "description": entry.description,
        "source": entry.source,
        "actor": entry.actor,
        "service": entry.service,
        "reverses": entry.reverses,
        "postings": [
            {
                "account": account,
                "currency": currency,
                "minor": str(minor),
                "amount": amount_text(minor, currency),
            }
            for account, currency, minor in entry.postings
        ],
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        **({} if entry.commits is None else {"commits": entry.commits}),
    }


def json_document(entries: Iterable[StoredEntry]) -> dict[str, Any]:
    """A JSON-ready document of the whole journal; ``entries_from_json`` reads it back."""
    rows = [entry_json(entry) for entry in entries]
    head = {"seq": rows[-1]["seq"], "hash": rows[-1]["hash"]} if rows else None
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "hash": "sha256(prev_hash + canonical entry JSON); see commonshare.core.ledger.chain",
        "head": head,
        "entries": rows,
    }


def _entry_from_json(row: Mapping[str, Any]) -> StoredEntry:
    return StoredEntry(
        seq=int(row["seq"]),
        date=datetime.date.fromisoformat(row["date"]),
        description=str(row["description"]),
        postings=tuple(
            Posting(str(line["account"]), str(line["currency"]), int(line["minor"]))
            for line in row["postings"]
        ),
        source=str(row["source"]),
        actor=None if row["actor"] is None else str(row["actor"]),
        service=str(row["service"]),
        reverses=None if row["reverses"] is None else int(row["reverses"]),
        prev_hash=str(row["prev_hash"]),
        hash=str(row["hash"]),
        commits=None if row.get("commits") is None else str(row["commits"]),
    )


def entries_from_json(document: Mapping[str, Any]) -> Iterator[StoredEntry]:
    """Stored entries from a ``json_document``, so anyone can verify an export."""
    if document.get("format") != JSON_FORMAT or document.get("version") != JSON_VERSION:
        raise ValueError(f"not a {JSON_FORMAT} version {JSON_VERSION} document")
    for index, row in enumerate(document["entries"], start=1):
        try:
            yield _entry_from_json(row)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"entry {index} of the document is malformed: {error!r}") from None


# --- picking the format: the one place that does, for the CLI and the API -------------


@dataclass(frozen=True)
class ExportFormat:
    """One way to write the journal out: its text, media type and file name."""

    name: str
    content_type: str
    filename: str


FORMATS: dict[str, ExportFormat] = {
    "beancount": ExportFormat("beancount", "text/plain; charset=utf-8", "commonshare.beancount"),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "commonshare-journal.csv"),
    "json": ExportFormat("json", "application/json", "commonshare-journal.json"),
}
TITLE = "Commonshare open books"


def export_text(entries: Iterable[StoredEntry], format_name: str) -> str:
    """The journal in ``format_name`` (one of ``FORMATS``); ValueError for any other."""
    if format_name == "beancount":
        return beancount_text(entries, title=TITLE)
    if format_name == "csv":
        return csv_text(entries)
    if format_name == "json":
        return json.dumps(json_document(entries), indent=1) + "\n"
    raise ValueError(f"format: give one of {', '.join(FORMATS)}, not {format_name!r}.")
