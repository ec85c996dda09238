"""What each journal entry commits to, and the check that the records still say it.

An entry's hash covers ``commits``: the digest of the content of the record
that decided its amount, read back from the database in the transaction that
posts it. So a raw edit of such a record leaves the chain intact but makes
the record disagree with its entry, and ``problems`` names it:

- income: the income row (``books.record_income``);
- an approved expense claim: the claim's amount, currency and author, and every
  peer decision on it (``books.decide_expense``);
- a withdrawal: its row (``books.record_withdrawal``);
- a distribution: its frozen policy, request and result and its payout rows
  (both of its entries, ``books.post_distribution``; a proposal open for challenge has
  no entry yet, and only posted ones may have any).

The reviews' ratings and the contributions' quantities that a distribution
valued are in its frozen request; they are checked by comparing the live rows
with it, once the request itself matches its entry.

The rules are checked too: each policy version and each norm version against its checksum
(``governance.integrity``) and each distribution's frozen policy against the checksum
and the version it names (``books.policy_verify``).

Entries posted before this existed have no ``commits`` (the older format):
their records are not checked this way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from commonshare.audit import chain as audit
from commonshare.books import anchors as published
from commonshare.books import journal_verify
from commonshare.books.models import (
    Distribution,
    ExpenseByDecision,
    ExpenseDecision,
    Income,
    JournalEntry,
    Payout,
    Withdrawal,
)
from commonshare.books.policy import effort_of
from commonshare.books.policy_verify import distribution_policy_problems
from commonshare.books.vocab import DistributionStatus, IncomeStatus
from commonshare.core.ledger import VerifyReport
from commonshare.governance.integrity import norm_version_problems, version_problems
from commonshare.work.models import Contribution, Review
from commonshare.work.vocab import ContributionKind

INCOME_FIELDS = (
    "id",
    "amount_minor",
    "currency",
    "source",
    "reference",
    "payer",
    "description",
    "received_on",
    "recorded_by_id",
)
DISTRIBUTION_FIELDS = (
    "id",
    "period_start",
    "period_end",
    "currency",
    "amount_minor",
    "remainder_minor",
    "method",
    "seed",
    "policy",
    "request",
    "result",
    "created_by_id",
)


def digest(content: Any) -> str:
    """``sha256:`` and the hex digest of ``content`` as canonical JSON (keys sorted, ASCII)."""
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    )
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


def income_content(income_id: int) -> dict[str, Any] | None:
    """The income as confirmed: its fields and who confirmed it (income recorded before
    confirmations has nobody there, and commits what it always did)."""
    row = Income.objects.filter(pk=income_id).values(*INCOME_FIELDS, "confirmed_by_id").first()
    if row is None:
        return None
    content = dict(row)
    if content["confirmed_by_id"] is None:
        del content["confirmed_by_id"]
    return content


def expense_content(contribution_id: int) -> dict[str, Any] | None:
    claim = (
        Contribution.objects.filter(pk=contribution_id)
        .values("id", "author_id", "kind", "amount_minor", "currency")
        .first()
    )
    if claim is None:
        return None
    decisions = ExpenseDecision.objects.filter(contribution_id=contribution_id).order_by("id")
    rows: list[dict[str, Any]] = []
    for row in decisions.values("id", "member_id", "verdict", "version"):
        # Decisions from before they recorded a version commit what they always did.
        rows.append({key: value for key, value in row.items() if value is not None})
    content = {**claim, "decisions": rows}
    by_decision = (
        ExpenseByDecision.objects.filter(contribution_id=contribution_id)
        .values_list("decision_number", flat=True)
        .first()
    )
    if by_decision is not None:
        content["decision_number"] = by_decision
    return content


def withdrawal_content(
    *, member_id: int, amount_minor: int, currency: str, reference: str
) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "amount_minor": amount_minor,
        "currency": currency,
        "reference": reference,
    }


def _withdrawal_by_entry(seq: int) -> dict[str, Any] | None:
    row = (
        Withdrawal.objects.filter(entry_id=seq)
        .values("id", "member_id", "amount_minor", "currency", "reference")
        .first()
    )
    if row is None:
        return None
    content = withdrawal_content(
        member_id=row["member_id"],
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        reference=row["reference"],
    )
    return {"id": row["id"], "content": content}


def distribution_content(distribution_id: int) -> dict[str, Any] | None:
    found = Distribution.objects.filter(pk=distribution_id).values(*DISTRIBUTION_FIELDS).first()
    if found is None:
        return None
    row: dict[str, Any] = dict(found)
    payouts = Payout.objects.filter(distribution_id=distribution_id).order_by("member_id")
    row["payouts"] = [
        {**payout, "share": f"{Decimal(payout['share']):.10f}"}
        for payout in payouts.values("member_id", "amount_minor", "share", "explanation")
    ]
    return row


def _number(source: str) -> int | None:
    _, _, number = source.partition(":")
    return int(number) if number.isdigit() else None


Check = Callable[[int, str, str], str | None]


def _check_income(seq: int, source: str, commits: str) -> str | None:
    number = _number(source)
    content = None if number is None else income_content(number)
    if content is None:
        return f"{source.replace(':', ' ')} is missing, but entry {seq} commits to it"
    if digest(content) != commits:
        return f"income {number} no longer matches entry {seq}"
    return None


def _check_expense(seq: int, source: str, commits: str) -> str | None:
    number = _number(source)
    content = None if number is None else expense_content(number)
    if content is None:
        return f"expense claim {source.partition(':')[2]} is missing, but entry {seq} commits to it"
    if digest(content) != commits:
        return f"expense claim {number} (its amount or its approvals) no longer matches entry {seq}"
    return None


def _check_withdrawal(seq: int, source: str, commits: str) -> str | None:
    found = _withdrawal_by_entry(seq)
    if found is None:
        return f"the withdrawal of entry {seq} is missing"
    if digest(found["content"]) != commits:
        return f"withdrawal {found['id']} no longer matches entry {seq}"
    return None


def _check_distribution(seq: int, source: str, commits: str) -> str | None:
    number = _number(source)
    content = None if number is None else distribution_content(number)
    if content is None:
        return f"distribution {source.partition(':')[2]} is missing, but entry {seq} commits to it"
    if digest(content) != commits:
        return (
            f"distribution {number} (its frozen request, result or policy, or its payouts) "
            f"no longer matches entry {seq}"
        )
    return None


CHECKS: dict[str, Check] = {
    "books.record_income": _check_income,
    "books.confirm_income": _check_income,
    "books.decide_expense": _check_expense,
    "books.approve_expense_by_decision": _check_expense,
    "books.record_withdrawal": _check_withdrawal,
    "books.run_distribution": _check_distribution,  # entries posted before proposals
    "books.post_distribution": _check_distribution,
    "books.confirm_withdrawal": _check_withdrawal,
    "books.resolve_withdrawal": _check_withdrawal,
}
DISTRIBUTION_SERVICES = ("books.run_distribution", "books.post_distribution")


def problems() -> list[str]:
    """Every record that no longer matches what the journal committed to, named."""
    found: list[str] = []
    intact_distributions: list[int] = []
    committed = (
        JournalEntry.objects.filter(commits__isnull=False)
        .order_by("seq")
        .values_list("seq", "service", "source", "commits")
    )
    for seq, service, source, commits in committed.iterator(chunk_size=2000):
        check = CHECKS.get(service)
        if check is None or commits is None:
            continue
        problem = check(seq, source, commits)
        if problem is not None:
            if problem not in found:
                found.append(problem)
        elif service in DISTRIBUTION_SERVICES and (number := _number(source)) is not None:
            intact_distributions.append(number)
    found += _uncommitted_incomes()
    found += _uncommitted_distributions()
    found += version_problems()
    found += norm_version_problems()
    found += distribution_policy_problems()
    for number in dict.fromkeys(intact_distributions):
        found += list(valued_rows_problems(number))
    return found


def _uncommitted_incomes() -> list[str]:
    """Confirmed income that no entry was posted for (it is posted when confirmed).

    Pending income has no entry yet, by design: it is not in the books until confirmed.
    """
    sources = set(
        JournalEntry.objects.filter(source__startswith="income:").values_list("source", flat=True)
    )
    ids = (
        Income.objects.filter(status=IncomeStatus.CONFIRMED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [f"income {pk} has no journal entry" for pk in ids if f"income:{pk}" not in sources]


def valued_in(request: dict[str, Any]) -> set[int]:
    """Contributions a frozen request valued: those with at least one review in it.

    Under ``impartial`` the request also lists the period's unreviewed work (worth 0, so
    that whether someone reviews it does not decide whether it is in the split); that work
    is not settled and is valued again by the next distribution.
    """
    reviewed = {str(r["contribution"]) for r in request.get("reviews", [])}
    return {int(c["id"]) for c in request.get("contributions", []) if str(c["id"]) in reviewed}


def posted_distributions() -> QuerySet[Distribution]:
    """Distributions that a journal entry was posted for: only these count as having valued
    contributions, paid resources or handed on reputations (a row inserted behind the
    application's back has no entry, and ``problems`` names it)."""
    entry = JournalEntry.objects.filter(
        source=Concat(Value("distribution:"), Cast(OuterRef("pk"), CharField()))
    )
    return Distribution.objects.filter(Exists(entry))


def has_entries(distribution_id: int) -> bool:
    """Whether a journal entry was posted for the distribution."""
    return JournalEntry.objects.filter(source=f"distribution:{distribution_id}").exists()


def _uncommitted_distributions() -> list[str]:
    """Posted distributions that no entry commits to (a distribution is posted with one),
    and distributions with entries that are not marked posted (a proposal, superseded or
    withdrawn one has none)."""
    sources = set(
        JournalEntry.objects.filter(source__startswith="distribution:").values_list(
            "source", flat=True
        )
    )
    found: list[str] = []
    rows = Distribution.objects.order_by("id").values_list("id", "status")
    for pk, status in rows:
        posted = f"distribution:{pk}" in sources
        if status == DistributionStatus.POSTED and not posted:
            found.append(f"distribution {pk} has no journal entry")
        elif status != DistributionStatus.POSTED and posted:
            found.append(f"distribution {pk} has journal entries but is marked {status}")
    return found


def valued_rows_problems(distribution_id: int) -> Iterator[str]:
    """Contributions and reviews whose live rows differ from what the distribution froze."""
    row = (
        Distribution.objects.filter(pk=distribution_id)
        .values("request", "result", "policy")
        .first()
    )
    if row is None:
        return
    request, policy = row["request"], row["policy"]
    yield from _resources_problems(distribution_id, row["result"].get("resource_payments", []))
    # only the contributions it valued: unreviewed work in an impartial request is carried
    # to the next distribution and may be edited until then
    settled = valued_in(request)
    frozen = {int(c["id"]): c for c in request.get("contributions", []) if int(c["id"]) in settled}
    live: dict[int, dict[str, Any]] = {
        c["id"]: dict(c)
        for c in Contribution.objects.filter(pk__in=frozen).values(
            "id", "author_id", "kind", "hours", "units"
        )
    }
    name = f"distribution {distribution_id}'s frozen request"
    for pk, given in frozen.items():
        now = live.get(pk)
        if now is None:
            yield f"contribution {pk} is missing, but {name} values it"
        elif str(now["author_id"]) != given["member"] or now["kind"] != given["kind"]:
            yield f"contribution {pk}'s author or kind differs from {name}"
        elif _effort(now["kind"], _quantity(now), policy) != Decimal(given["effort"]):
            yield f"contribution {pk}'s hours or units differ from {name}"
    reviews: dict[tuple[int, int], dict[str, Any]] = {
        (r["reviewer_id"], r["contribution_id"]): dict(r)
        for r in Review.objects.filter(contribution_id__in=frozen).values(
            "id", "reviewer_id", "contribution_id", "rating", "effort_estimate"
        )
    }
    for given in request.get("reviews", []):
        key = (int(given["reviewer"]), int(given["contribution"]))
        review = reviews.get(key)
        label = f"the review by member {key[0]} of contribution {key[1]}"
        if review is None:
            yield f"{label} is missing, but {name} counts it"
            continue
        if review["rating"] != given["rating"]:
            yield f"review {review['id']}'s rating differs from {name}"
        kind = live.get(key[1], {}).get("kind", ContributionKind.WORK)
        estimate = review["effort_estimate"]
        effort = None if estimate is None else _effort(kind, Decimal(estimate), policy)
        frozen_effort = None if "effort" not in given else Decimal(given["effort"])
        if effort != frozen_effort:
            yield f"review {review['id']}'s effort estimate differs from {name}"


def _resources_problems(distribution_id: int, payments: list[dict[str, Any]]) -> Iterator[str]:
    """Resources lent whose live units or lender differ from what the distribution paid."""
    paid = {int(p["contribution"]): p for p in payments}
    live = {
        c["id"]: c
        for c in Contribution.objects.filter(pk__in=paid).values("id", "author_id", "units")
    }
    name = f"distribution {distribution_id}'s frozen result"
    for pk, payment in paid.items():
        now = live.get(pk)
        if now is None:
            yield f"contribution {pk} is missing, but {name} paid for it"
        elif now["author_id"] != int(payment["member"]) or Decimal(now["units"] or 0) != Decimal(
            payment["units"]
        ):
            yield f"contribution {pk}'s units or lender differ from {name}"


def _quantity(contribution: dict[str, Any]) -> Decimal:
    is_work = contribution["kind"] == ContributionKind.WORK
    value = contribution["hours"] if is_work else contribution["units"]
    return Decimal(value or 0)


def _effort(kind: str, quantity: Decimal, policy: dict[str, Any]) -> Decimal | None:
    try:
        return Decimal(effort_of(kind, quantity, policy))
    except (KeyError, ValueError, ArithmeticError):
        return None


@dataclass(frozen=True)
class FullReport:
    """The hash chain's report, and every record or audit event that no longer matches."""

    chain: VerifyReport
    records: list[str]
    anchors: int

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.records

    @property
    def lines(self) -> list[str]:
        checked = [f"checked against {self.anchors} published heads"] if self.anchors else []
        return [
            self.chain.message,
            *checked,
            *(f"record: {problem}" for problem in self.records),
        ]


def verify_all(
    anchors: dict[int, str] | None = None, *, workers: int = 1, configured: bool = True
) -> FullReport:
    """The chain (against ``anchors``, or, when none are given and ``configured`` holds,
    those of ``COMMONSHARE_ANCHORS``), the records its entries commit to, the valued rows
    and the audit chain."""
    checkpoints = anchors if anchors else (published.configured() if configured else {})
    chain = journal_verify.verify(checkpoints or None, workers=workers)
    return FullReport(chain, [*problems(), *audit.verify()], len(checkpoints))
