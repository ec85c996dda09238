"""Benchmark the stored journal: post N entries, verify the chain, render the first public page.

    python bench/bench_journal.py                 # 1,000,000 entries on SQLite in a temp folder
    python bench/bench_journal.py --entries 100000
    DATABASE_URL=postgresql://… python bench/bench_journal.py   # the same on PostgreSQL

Targets (issue 4, 2 cores): verify ≤ 5 s and the first transparency page ≤ 300 ms at 1M entries.
Prints a table; run on demand, never as a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click

BATCH = 20_000


def _setup(data_dir: str) -> None:
    os.environ["COMMONSHARE_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonshare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


PAYERS = ["Café Ñandú", "Müller & Söhne", "Łódź Makerspace", "Acme Hosting", "北京 Coop"]


def _drafts(start: int, count: int) -> Iterator[object]:
    """Realistic entries: income with reserve (3 postings), payouts and transfers (2).

    Payers' names are as people write them: a third of the descriptions go beyond ASCII.
    """
    from commonshare.core.ledger import BANK, PAYOUTS, RESERVE, EntryDraft, Posting

    day0 = dt.date(2020, 1, 1)
    for number in range(start, start + count):
        date = day0 + dt.timedelta(days=number // 500)
        member = f"liabilities:payable:{number % 997}"
        if number % 3 == 0:
            minor = 1000 + number % 90_000
            postings = (
                Posting(BANK, "EUR", minor - minor // 10),
                Posting(RESERVE, "EUR", minor // 10),
                Posting("income:support", "EUR", -minor),
            )
            description = f"Support contract {number} — {PAYERS[number % len(PAYERS)]}"
        elif number % 3 == 1:
            minor = 100 + number % 5000
            postings = (Posting(PAYOUTS, "EUR", minor), Posting(member, "EUR", -minor))
            description = f"Payout {number}"
        else:
            minor = 50 + number % 3000
            postings = (Posting(member, "EUR", minor), Posting(BANK, "EUR", -minor))
            description = f"Paid out {number}"
        yield EntryDraft(
            date=date,
            description=description,
            postings=postings,
            source=f"bench:{number}",
            actor=str(number % 997),
            service="bench.post",
        )


def _holds_these_drafts(entries: int) -> bool:
    """The stored journal is this benchmark's (an older version wrote other descriptions)."""
    from commonshare.books import journal

    for seq in (1, entries // 2, entries):
        stored = journal.stored_entry(seq)
        draft = next(_drafts(seq - 1, 1))
        if stored is None or stored.description != draft.description:  # type: ignore[attr-defined]
            return False
    return True


def _post(entries: int) -> float:
    from django.db import transaction

    from commonshare.books import journal
    from commonshare.core.ledger import BANK, PAYOUTS, RESERVE

    accounts = [BANK, RESERVE, PAYOUTS, "income:support"]
    accounts += [f"liabilities:payable:{m}" for m in range(997)]
    journal.open_accounts(accounts, on=dt.date(2020, 1, 1))
    started = time.perf_counter()
    with click.progressbar(length=entries, label="Posting", file=sys.stderr) as bar:
        for start in range(0, entries, BATCH):
            count = min(BATCH, entries - start)
            with transaction.atomic():
                journal.post_many(_drafts(start, count))  # type: ignore[arg-type]
            bar.update(count)
    return time.perf_counter() - started


def _verify(runs: int = 3) -> tuple[list[float], str]:
    """Times of ``runs`` verifications (this shared machine varies by a fifth run to run)."""
    from commonshare.books import journal_verify

    timings, message = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        message = journal_verify.verify(workers=os.cpu_count() or 1).message
        timings.append(time.perf_counter() - started)
    return timings, message


def _first_page(path: str, repeats: int = 7) -> tuple[float, float]:
    """(the first request ever, totals built from scratch; the median of the ones after it).

    The totals live in the file cache of the data folder, so "after it" also
    covers the first request after a restart.
    """
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    client = Client()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return timings[0], statistics.median(timings[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--page", default="/books/", help="the public transparency page")
    parser.add_argument(
        "--data-dir", help="keep the database here; a later run with the same entries reuses it"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cs-bench-") as scratch:
        folder = args.data_dir or scratch
        _setup(folder)
        from django.db import connection

        from commonshare.books import journal

        reused = journal.head()[0] == args.entries and _holds_these_drafts(args.entries)
        posted = 0.0 if reused else _post(args.entries)
        verified, message = _verify()
        cold, page = _first_page(args.page)
        size = Path(folder, "commonshare.sqlite3")
        rows = [
            (
                "post (bulk, sealed)",
                "reused" if reused else f"{posted:.1f} s",
                "" if reused else f"{args.entries / posted:,.0f} entries/s",
                "-",
            ),
            (
                "verify the chain",
                f"{min(verified):.2f} s",
                f"best of {len(verified)} ({', '.join(f'{t:.2f}' for t in verified)} s); "
                + message[:24],
                "≤ 5 s",
            ),
            (
                f"render {args.page}",
                f"{page * 1000:.0f} ms",
                "median of 6, also after restarts",
                "≤ 300 ms",
            ),
            (f"render {args.page} first", f"{cold:.1f} s", "totals built from every posting", "-"),
        ]
        print(
            f"\njournal benchmark: {args.entries:,} entries on {connection.vendor}"
            + (f" ({size.stat().st_size / 2**20:.0f} MiB)" if size.exists() else "")
        )
        print(f"{'operation':<24} {'time':>10}  {'detail':<42} {'target':>9}")
        for name, took, detail, target in rows:
            print(f"{name:<24} {took:>10}  {detail:<42} {target:>9}")


if __name__ == "__main__":
    main()
