"""Benchmark: verify the hash chain of 1,000,000 journal entries (target <= 5 s).

Pure and in memory: entries are sealed with ``commonshare.core.ledger.seal``
(two or three postings each, realistic descriptions), then ``verify_chain``
walks them as it would walk rows streamed from the database.

    /work/venv/bin/python bench/bench_ledger_verify.py [--entries 1000000]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import time
from collections.abc import Callable

from commonshare.core.ledger import (
    BANK,
    GENESIS_HASH,
    PAYOUTS,
    RESERVE,
    EntryDraft,
    Posting,
    StoredEntry,
    seal,
    verify_chain,
)

ACCOUNTS = (BANK, RESERVE, "income:donations", "income:sales", "expenses:hosting", PAYOUTS)


def build(count: int) -> list[StoredEntry]:
    start = datetime.date(2020, 1, 1)
    entries: list[StoredEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        minor = 100 + seq % 99_991
        debit, credit = ACCOUNTS[seq % 6], ACCOUNTS[(seq + 1) % 6]
        if seq % 5 == 0:  # every fifth entry splits its credit over three postings
            postings: tuple[Posting, ...] = (
                Posting(debit, "EUR", minor * 2),
                Posting(credit, "EUR", -minor),
                Posting(f"liabilities:payable:m-{seq % 500}", "EUR", -minor),
            )
        else:
            postings = (Posting(debit, "EUR", minor), Posting(credit, "EUR", -minor))
        draft = EntryDraft(
            date=start + datetime.timedelta(days=seq // 300),
            description=f"Contribution payout #{seq} for work on task {seq % 1000}",
            postings=postings,
            source=f"contribution:{seq}",
            actor=f"m-{seq % 500}" if seq % 3 else None,
            service="books.record_income",
        )
        entry = seal(draft, seq=seq, prev_hash=prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def timed(action: Callable[[], object]) -> tuple[tuple[float, float], object]:
    """Wall-clock and CPU seconds: on a shared machine the CPU time is the fair figure."""
    gc.collect()
    began, cpu_began = time.perf_counter(), time.process_time()
    result = action()
    return (time.perf_counter() - began, time.process_time() - cpu_began), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    count = parser.parse_args().entries

    build_seconds, built = timed(lambda: build(count))
    entries: list[StoredEntry] = built  # type: ignore[assignment]
    verify_seconds, report = timed(lambda: verify_chain(entries))
    assert report.ok, report

    near_end = count - 1
    changed = list(entries)
    row = changed[near_end - 1]
    changed[near_end - 1] = row._replace(description=row.description + ".")
    detect_seconds, broken = timed(lambda: verify_chain(changed))
    assert broken.problem is not None and broken.problem.seq == near_end, broken

    rows = [
        ("seal entries (build the chain)", count, build_seconds, "-"),
        ("verify_chain, intact", count, verify_seconds, "<= 5 s"),
        (f"verify_chain, entry {near_end} changed", count, detect_seconds, "<= 5 s"),
    ]
    print(f"{'operation':<40} {'entries':>10} {'seconds':>9} {'cpu s':>7}  target")
    for operation, entries_count, (seconds, cpu), target in rows:
        print(f"{operation:<40} {entries_count:>10,} {seconds:>9.2f} {cpu:>7.2f}  {target}")
    print(f"\n{broken.message}")


if __name__ == "__main__":
    main()
