"""The work API's schemas: what tasks, contributions and reviews look like on the wire.

Input schemas are strict (``StrictIn``: unknown fields and wrong types are refused);
output schemas resolve from the models. The handlers are in ``work.api``.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models.fields.files import FieldFile
from ninja import Field, Schema
from pydantic import ConfigDict

from commonshare.apikit import (
    DecimalStr,
    Id,
    MemberRef,
    StrictIn,
    Text,
)
from commonshare.core.money import from_minor
from commonshare.core.trust import LEVEL_NAMES
from commonshare.work import versions
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task
from commonshare.work.vocab import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    EVIDENCE_TEXT_MAX,
    EVIDENCE_URL_MAX,
    RATING_MAX,
    RATING_MIN,
    SUMMARY_MAX,
    TITLE_MAX,
    UNIT_NAME_MAX,
)
from commonshare.work.vocab import ContributionKindValue as Kind
from commonshare.work.vocab import TaskStatusValue as TaskStatus

OptionalCurrency = Field("", pattern=r"^([A-Za-z]{3})?$")


class TaskIn(StrictIn):
    title: Text = Field(min_length=1, max_length=TITLE_MAX)
    description: Text = Field("", max_length=DESCRIPTION_MAX)
    estimate_hours: DecimalStr
    parent_id: Id | None = None


class TaskOut(Schema):
    id: int
    parent_id: int | None
    title: str
    description: str
    estimate_hours: str
    status: TaskStatus
    claimed_by: MemberRef | None
    created_by: MemberRef
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_estimate_hours(task: Task) -> str:
        return str(decimal_text(task.estimate_hours, 2))


class TaskDetailOut(TaskOut):
    subtasks: list[TaskOut] = Field(
        description="The first page of its subtasks, oldest first; "
        "`GET /api/tasks/{task_id}/subtasks` pages through them all"
    )
    subtasks_next: str | None = Field(
        description="The cursor of the next page of subtasks there, or null"
    )

    # ``get_task`` pages the subtasks (``subtasks_page``) before the task is shown.
    @staticmethod
    def resolve_subtasks(task: Task) -> list[Task]:
        return list(task.subtasks_page.items)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_subtasks_next(task: Task) -> str | None:
        return task.subtasks_page.next_cursor  # type: ignore[attr-defined,no-any-return]


class TaskFilter(Schema):
    status: TaskStatus | None = None


class _ContributionFields(Schema):
    kind: Kind
    summary: Text = Field(min_length=1, max_length=SUMMARY_MAX)
    description: Text = Field("", max_length=DESCRIPTION_MAX)
    task_id: Id | None = None
    hours: DecimalStr | None = None
    units: DecimalStr | None = None
    unit_name: Text = Field("", max_length=UNIT_NAME_MAX)
    amount: DecimalStr | None = None
    currency: str = OptionalCurrency
    evidence_url: Text = Field("", max_length=EVIDENCE_URL_MAX)
    evidence_text: Text = Field("", max_length=EVIDENCE_TEXT_MAX)


class ContributionIn(_ContributionFields, StrictIn):
    """A contribution sent as JSON (every kind but an expense, which needs a file)."""


class ContributionFormIn(_ContributionFields):
    """The same fields sent as multipart form data, beside the files."""

    model_config = ConfigDict(extra="forbid")


class ContributionPatchIn(StrictIn):
    """Only the fields to change; the others keep their values."""

    kind: Kind | None = None
    summary: Text | None = Field(None, min_length=1, max_length=SUMMARY_MAX)
    description: Text | None = Field(None, max_length=DESCRIPTION_MAX)
    task_id: Id | None = None
    hours: DecimalStr | None = None
    units: DecimalStr | None = None
    unit_name: Text | None = Field(None, max_length=UNIT_NAME_MAX)
    amount: DecimalStr | None = None
    currency: str | None = Field(None, pattern=r"^([A-Za-z]{3})?$")
    evidence_url: Text | None = Field(None, max_length=EVIDENCE_URL_MAX)
    evidence_text: Text | None = Field(None, max_length=EVIDENCE_TEXT_MAX)


def _url(file: FieldFile) -> str | None:
    return file.url if file else None


def decimal_text(value: Any, places: int) -> str | None:
    """A stored decimal as a string with the column's places ("2" is shown "2.00")."""
    return None if value is None else str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


class ContributionLineOut(Schema):
    """A contribution as a list shows it: everything but the draw's pool, which names
    every member eligible when it was drawn (10,000 ids in a large community) and is on
    the contribution's own answer (``ContributionOut``)."""

    id: int
    author: MemberRef
    task_id: int | None
    kind: Kind
    summary: str
    description: str
    hours: str | None
    units: str | None
    unit_name: str
    amount: str | None
    currency: str
    evidence_url: str
    evidence_text: str
    evidence_file: str | None = Field(description="URL of the evidence file")
    receipt: str | None = Field(description="URL of the receipt (open books)")
    review_seed: str = Field(description="Published seed of the reviewer draw")
    version: int = Field(description="1 when logged, one more after each edit")
    review_count: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_hours(obj: Contribution) -> str | None:
        return decimal_text(obj.hours, 2)

    @staticmethod
    def resolve_units(obj: Contribution) -> str | None:
        return decimal_text(obj.units, 3)

    @staticmethod
    def resolve_amount(obj: Contribution) -> str | None:
        if obj.amount_minor is None:
            return None
        return str(from_minor(obj.amount_minor, obj.currency))

    @staticmethod
    def resolve_evidence_file(obj: Contribution) -> str | None:
        return _url(obj.evidence_file)

    @staticmethod
    def resolve_receipt(obj: Contribution) -> str | None:
        return _url(obj.receipt)

    @staticmethod
    def resolve_review_count(obj: Contribution) -> int:
        count = getattr(obj, "review_count", None)
        return count if count is not None else len(obj.reviews.all())


class ContributionOut(ContributionLineOut):
    review_pool: list[str] = Field(description="Ids of the members eligible for the draw")

    @staticmethod
    def resolve_review_pool(obj: Contribution) -> list[str]:
        return [str(pk) for pk in obj.review_pool]


class ChangeOut(Schema):
    field: str
    label: str = Field(description="The field in plain words")
    old: str = Field(description="What it said before, as shown on the page")
    new: str


def _changes(found: list[versions.Change]) -> list[ChangeOut]:
    return [ChangeOut(field=c.field, label=c.label, old=c.old, new=c.new) for c in found]


class DrawnReviewerOut(Schema):
    rank: int
    reviewer: MemberRef
    drawn_at: dt.datetime
    drawn_version: int = Field(description="The contribution's version when they were drawn")


class VersionOut(Schema):
    version: int
    changes: list[ChangeOut] = Field(description="What this version changed from the one before")


class ReviewOut(Schema):
    id: int
    contribution_id: int
    reviewer: MemberRef
    rating: int
    comment: str
    effort_estimate: str | None
    version: int = Field(description="The version of the contribution the reviewer judged")
    created_at: dt.datetime

    @staticmethod
    def resolve_effort_estimate(obj: Review) -> str | None:
        return decimal_text(obj.effort_estimate, 3)


class ContributionDetailOut(ContributionOut):
    drawn_reviewers: list[DrawnReviewerOut]
    reviews: list[ReviewOut]
    edits: list[VersionOut] = Field(description="Every edit, oldest first, with what it changed")

    @staticmethod
    def resolve_edits(obj: Contribution) -> list[VersionOut]:
        return [
            VersionOut(version=number, changes=_changes(found))
            for number, found in versions.history(obj)
        ]

    @staticmethod
    def resolve_drawn_reviewers(obj: Contribution) -> list[ReviewAssignment]:
        return list(obj.assignments.all())

    @staticmethod
    def resolve_reviews(obj: Contribution) -> list[Review]:
        return list(obj.reviews.all())


class ContributionFilter(Schema):
    author: Id | None = Field(None, description="Only this member's contributions")


class ReviewIn(StrictIn):
    version: int | None = Field(
        None,
        ge=1,
        le=10**9,
        description="The version you read (or send its ETag in If-Match); one is required",
    )
    rating: int = Field(ge=RATING_MIN, le=RATING_MAX, description="0 (no value) to 5 (excellent)")
    comment: Text = Field(min_length=1, max_length=COMMENT_MAX)
    effort_estimate: DecimalStr | None = Field(
        None, description="Your own estimate of the effort, when you challenge the claim"
    )


class ContributionRef(Schema):
    id: int
    kind: Kind
    summary: str
    author: MemberRef


class ReviewAssignmentOut(Schema):
    contribution: ContributionRef
    rank: int
    drawn_at: dt.datetime
    drawn_version: int = Field(description="The version when you were drawn")
    version: int = Field(description="The contribution's version now: review this one")
    changed_since_drawn: list[ChangeOut]

    @staticmethod
    def resolve_version(obj: ReviewAssignment) -> int:
        return obj.contribution.version

    @staticmethod
    def resolve_changed_since_drawn(obj: ReviewAssignment) -> list[ChangeOut]:
        return _changes(versions.changes_since(obj.contribution, obj.drawn_version))


class TrustPowerOut(Schema):
    """One power a trust level unlocks."""

    power: str
    sentence: str
    needs_level: int
    held: bool


class TrustRequirementOut(Schema):
    """One thing the next level asks, and where the member stands."""

    key: str
    sentence: str
    have: str
    need: str
    met: bool
    progress: str


class TrustOut(Schema):
    """A member's trust level, what it unlocks, and the next level's requirements."""

    member: int
    level: int
    level_name: str
    powers: list[TrustPowerOut]
    next_level: int | None
    next_level_name: str | None
    requirements: list[TrustRequirementOut]
    losses: list[str]
    on: dt.date


class LevelChangeOut(Schema):
    """One change of a member's trust level, as the level history recorded it."""

    member: int = Field(validation_alias="member_id")
    level_from: int
    level_to: int
    level_from_name: str
    level_to_name: str
    on: dt.date = Field(description="The day whose level was computed")
    at: dt.datetime = Field(description="When the change was recorded")

    @staticmethod
    def resolve_level_from_name(change: Any) -> str:
        return LEVEL_NAMES[change.level_from]

    @staticmethod
    def resolve_level_to_name(change: Any) -> str:
        return LEVEL_NAMES[change.level_to]


def _plain(value: Decimal) -> str:
    """A figure as text, without trailing zeros ("12", "0.6", "4.25")."""
    text = format(value.quantize(Decimal("0.0001")).normalize(), "f")
    return "0" if text == "-0" else text


def trust_out(summary: Any) -> dict[str, Any]:
    """The API's (and the CLI's ``--json``) form of ``work.selectors.trust_summary``."""
    return {
        "member": summary.member_id,
        "level": summary.level,
        "level_name": summary.level_name,
        "powers": [
            {
                "power": p.power,
                "sentence": p.sentence,
                "needs_level": p.needs_level,
                "held": p.held,
            }
            for p in summary.powers
        ],
        "next_level": summary.next_level,
        "next_level_name": summary.next_level_name,
        "requirements": [
            {
                "key": r.key,
                "sentence": r.sentence,
                "have": _plain(r.have),
                "need": _plain(r.need),
                "met": r.met,
                "progress": _plain(r.progress),
            }
            for r in summary.requirements
        ],
        "losses": list(summary.losses),
        "on": summary.on,
    }
