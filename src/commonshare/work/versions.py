"""Versions of a contribution: what each one stated and what changed between two.

A contribution starts at version 1 and every edit adds one. The row always
holds the current version; an edit keeps what the version it replaced stated
in a ``ContributionVersion``. A review names the version its reviewer read, so
a review of an older version is refused with the list of what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal

from commonshare.community.rules import may_act
from commonshare.core.money import from_minor
from commonshare.errors import CommonshareError, Conflict, Forbidden, InvalidInput
from commonshare.work.models import Contribution, ContributionVersion

# The stated fields, in the order a change list names them, with their plain names.
LABELS: dict[str, str] = {
    "summary": "summary",
    "hours": "hours",
    "units": "units",
    "unit_name": "unit",
    "amount": "amount",
    "task": "task",
    "description": "description",
    "evidence_url": "evidence link",
    "evidence_text": "evidence in words",
    "evidence_file": "evidence file",
    "receipt": "receipt",
}
NUMBERS = {"hours", "units"}
LONGEST_SHOWN = 60


def edit_refusal(member: Any, contribution: Contribution) -> CommonshareError | None:
    """Why ``member`` may not edit ``contribution`` now, or None when they may.

    The one rule: ``edit_contribution`` raises what it returns, and the web asks it
    before it offers the edit link and form. Only the author, while in the
    community, until the first review or the first peer decision on a claim.
    """
    if not getattr(member, "is_authenticated", False) or contribution.author_id != member.pk:
        return Forbidden("Only the author can edit a contribution.")
    if not may_act(member):
        return Forbidden("You left the community; rejoin to edit contributions.")
    if contribution.reviews.exists():
        return Conflict("This contribution has been reviewed and can no longer change.")
    if contribution.expense_decisions.exists():
        return Conflict("Peers have decided on this claim; it can no longer change.")
    return None


@dataclass(frozen=True)
class Change:
    """One stated field that differs between two versions, as shown to people."""

    field: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


class StaleVersion(Conflict):
    """A review (or expense decision) of a version that is no longer the current one."""

    def __init__(
        self, read: int, current: int, changes: list[Change], *, sending: str = "review"
    ) -> None:
        said = describe(changes) or "nothing you can see (files or links were replaced)"
        super().__init__(
            f"You read version {read}, but the contribution is now at version {current}. "
            f"What changed: {said}. Read it again, then send your {sending} for version "
            f"{current}.",
            field="version",
        )
        self.read = read
        self.current = current
        self.changes = changes


def snapshot(contribution: Contribution) -> dict[str, str]:
    """What ``contribution`` states now, every value a plain string ("" for nothing)."""
    amount = ""
    if contribution.amount_minor is not None:
        amount = f"{from_minor(contribution.amount_minor, contribution.currency)} "
        amount += contribution.currency
    task = contribution.task
    return {
        "summary": contribution.summary,
        "hours": _places(contribution.hours, 2),
        "units": _places(contribution.units, 3),
        "unit_name": contribution.unit_name,
        "amount": amount,
        "task": f"#{task.pk} {task.title}" if task is not None else "",
        "description": contribution.description,
        "evidence_url": contribution.evidence_url,
        "evidence_text": contribution.evidence_text,
        "evidence_file": contribution.evidence_file.name or "",
        "receipt": contribution.receipt.name or "",
    }


def _places(value: Decimal | None, places: int) -> str:
    """A decimal as its column stores it, so an unsaved "2" equals a stored "2.00"."""
    return "" if value is None else str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def _shown(field: str, value: str) -> str:
    if not value:
        return "none"
    if field in NUMBERS:
        try:
            return format_decimal(Decimal(value), locale="en")
        except InvalidOperation:
            return value
    if field in ("evidence_file", "receipt"):
        return value.rsplit("/", 1)[-1]
    one_line = " ".join(value.split())
    if len(one_line) > LONGEST_SHOWN:
        one_line = one_line[: LONGEST_SHOWN - 1].rstrip() + "…"
    return f"“{one_line}”"


def changes(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    """The fields that differ from ``old`` to ``new``, in the order of ``LABELS``."""
    return [
        Change(field, label, _shown(field, old.get(field, "")), _shown(field, new.get(field, "")))
        for field, label in LABELS.items()
        if old.get(field, "") != new.get(field, "")
    ]


def describe(found: list[Change]) -> str:
    """A change list in words: ``hours: 1 → 1,000; summary: “a” → “b”``."""
    return "; ".join(str(change) for change in found)


def stated_at(contribution: Contribution, version: int) -> dict[str, str]:
    """What ``contribution`` stated at ``version`` (its current state for the current one)."""
    if version >= contribution.version:
        return snapshot(contribution)
    kept = ContributionVersion.objects.filter(contribution=contribution, version=version).first()
    return dict(kept.stated) if kept is not None else {}


def changes_since(contribution: Contribution, version: int) -> list[Change]:
    """What changed in ``contribution`` from ``version`` to its current version."""
    if version >= contribution.version:
        return []
    return changes(stated_at(contribution, version), snapshot(contribution))


def check_read(contribution: Contribution, version: int, *, sending: str = "review") -> None:
    """Refuse a review (or other ``sending``) of ``version`` unless it is the current one."""
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput(
            "Give the version you read as a whole number, such as 1.", field="version"
        )
    if not 1 <= version <= contribution.version:
        raise InvalidInput(
            f"This contribution has versions 1 to {contribution.version}; give the one you read.",
            field="version",
        )
    if version != contribution.version:
        raise StaleVersion(
            version,
            contribution.version,
            changes_since(contribution, version),
            sending=sending,
        )


def history(contribution: Contribution) -> list[tuple[int, list[Change]]]:
    """Each edit as (the version it made, what changed from the one before), oldest first."""
    kept = list(ContributionVersion.objects.filter(contribution=contribution).order_by("version"))
    states = [dict(v.stated) for v in kept] + [snapshot(contribution)]
    return [(kept[i].version + 1, changes(states[i], states[i + 1])) for i in range(len(kept))]
