"""Every write to tasks, contributions and reviews: one transaction each, audited.

Nobody assigns work: a task is claimed by the member who wants it, and the
only other person who can release a claim is the claimer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from commonshare.audit.actions import action, refuse_float, unchanged
from commonshare.audit.services import record
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.core.draw import draw_reviewers
from commonshare.core.money import MoneyError, check_new_currency, parse_decimal, to_minor
from commonshare.core.words import one_of
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound, Problems
from commonshare.governance.selectors import current_policy
from commonshare.work import trust, versions
from commonshare.work.models import (
    Contribution,
    ContributionVersion,
    Review,
    ReviewAssignment,
    Task,
)
from commonshare.work.selectors import open_subtasks
from commonshare.work.vocab import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    EVIDENCE_TEXT_MAX,
    EVIDENCE_URL_MAX,
    HOURS_PLACES,
    KIND_FIELDS,
    KIND_NAMES,
    KIND_REQUIRES,
    MAX_ESTIMATE_HOURS,
    MAX_EXPENSE,
    MAX_HOURS_PER_CONTRIBUTION,
    MAX_UNITS,
    MAX_UPLOAD_BYTES,
    RATING_MAX,
    RATING_MIN,
    SUMMARY_MAX,
    TITLE_MAX,
    UNIT_NAME_MAX,
    UNITS_PLACES,
    UPLOAD_EXTENSIONS,
)

# How each field is named in messages: plain words, never the field's code.
LABELS = {
    "estimate_hours": "The estimate",
    "effort_estimate": "Your effort estimate",
    "evidence_url": "The evidence link",
    "evidence_text": "The evidence in words",
    "evidence_file": "The evidence file",
    "unit_name": "The unit name",
}


def label(field: str) -> str:
    """The words a message uses for ``field``: "Hours", "The evidence link"."""
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _decimal(value: Any, field: str, *, places: int, low: Decimal, high: Decimal) -> Decimal:
    name = label(field)
    if value is None or value == "":
        raise InvalidInput(f"{name} is required.", field=field)
    refuse_float(value, field)
    try:
        number = parse_decimal(value, field=field)
    except MoneyError:
        raise InvalidInput(f"{name} must be a number such as 1.5.", field=field) from None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(f"{name} can have at most {places} decimal places.", field=field)
    if not low < number <= high:
        raise InvalidInput(f"{name} must be more than {low} and at most {high:,}.", field=field)
    return number


def _text(value: Any, field: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise InvalidInput(f"{label(field)} is required.", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{label(field)} can be at most {limit:,} characters.", field=field)
    return text


def _task(task_id: int, *, lock: bool = False) -> Task:
    queryset = Task.objects.select_for_update() if lock else Task.objects
    task = queryset.filter(pk=task_id).first()
    if task is None:
        raise NotFound(f"No task with id {task_id}.", field="task")
    return task


@action
def create_task(
    actor: Member,
    *,
    title: str,
    description: str = "",
    estimate_hours: Any,
    parent_id: int | None = None,
) -> Task:
    ensure_may_act(actor, doing="create tasks")
    problems = Problems()
    checked_title = problems.check(_text, title, "title", required=True, limit=TITLE_MAX)
    checked_description = problems.check(
        _text, description, "description", required=False, limit=DESCRIPTION_MAX
    )
    estimate = problems.check(
        _decimal,
        estimate_hours,
        "estimate_hours",
        places=HOURS_PLACES,
        low=Decimal(0),
        high=MAX_ESTIMATE_HOURS,
    )
    problems.raise_any()
    with transaction.atomic():
        parent = _task(parent_id) if parent_id is not None else None
        if parent is not None and parent.status == Task.Status.DONE:
            raise Conflict("That task is done; subtasks go under open tasks.", field="parent")
        task = Task.objects.create(
            parent=parent,
            title=checked_title,
            description=checked_description,
            estimate_hours=estimate,
            created_by=actor,
        )
        record("work.task.created", task, actor=actor, parent=parent_id)
    return task


@action
def claim_task(actor: Member, task_id: int) -> Task:
    ensure_may_act(actor, doing="claim work")
    with transaction.atomic():
        task = _task(task_id, lock=True)
        if task.status == Task.Status.DONE:
            raise Conflict("This task is already done.")
        if task.status == Task.Status.CLAIMED:
            who = "you" if task.claimed_by_id == actor.pk else "another member"
            raise Conflict(f"This task is already claimed by {who}.")
        task.status = Task.Status.CLAIMED
        task.claimed_by = actor
        task.save(update_fields=["status", "claimed_by", "updated_at"])
        record("work.task.claimed", task, actor=actor)
    return task


def _own_claim(actor: Member, task_id: int, doing: str) -> Task:
    """The task, locked, if ``actor`` holds its claim: only the claimer acts on a claim."""
    task = _task(task_id, lock=True)
    if task.status != Task.Status.CLAIMED or task.claimed_by_id != actor.pk:
        raise Forbidden(f"Only the member who claimed a task can {doing}.")
    return task


@action
def release_task(actor: Member, task_id: int) -> Task:
    ensure_may_act(actor, doing="release tasks")
    with transaction.atomic():
        task = _own_claim(actor, task_id, "release it")
        task.status = Task.Status.OPEN
        task.claimed_by = None
        task.save(update_fields=["status", "claimed_by", "updated_at"])
        record("work.task.released", task, actor=actor)
    return task


@action
def complete_task(actor: Member, task_id: int, *, confirm_open_subtasks: bool = False) -> Task:
    """Mark a claimed task done; a parent with open subtasks only when confirmed."""
    ensure_may_act(actor, doing="mark tasks done")
    with transaction.atomic():
        task = _own_claim(actor, task_id, "mark it done")
        still_open = open_subtasks(task)
        if still_open and not confirm_open_subtasks:
            titles = ", ".join(f"“{sub.title}”" for sub in still_open)
            count = "subtask is" if len(still_open) == 1 else "subtasks are"
            raise Conflict(
                f"{len(still_open)} {count} still open: {titles}. "
                "Confirm to mark this task done anyway.",
                field="confirm_open_subtasks",
            )
        task.status = Task.Status.DONE
        task.save(update_fields=["status", "updated_at"])
        extra = {"open_subtasks": [sub.pk for sub in still_open]} if still_open else {}
        record("work.task.completed", task, actor=actor, **extra)
    return task


@dataclass(frozen=True)
class ContributionInput:
    """What a member states about a contribution; checked by ``_checked_fields``."""

    kind: str
    summary: str
    description: str = ""
    task_id: int | None = None
    hours: Any = None
    units: Any = None
    unit_name: str = ""
    amount: Any = None
    currency: str = ""
    evidence_url: str = ""
    evidence_text: str = ""
    evidence_file: UploadedFile | None = None
    receipt: UploadedFile | None = None


def _check_upload(upload: UploadedFile | None, field: str) -> None:
    if upload is None:
        return
    name = (upload.name or "").lower()
    if not any(name.endswith(ext) for ext in UPLOAD_EXTENSIONS):
        allowed = ", ".join(sorted(UPLOAD_EXTENSIONS))
        raise InvalidInput(f"{label(field)} must be one of these types: {allowed}.", field=field)
    if not upload.size:
        raise InvalidInput(
            f"{label(field)} is empty (0 bytes); choose the file again.", field=field
        )
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{label(field)} is larger than the limit of 5 MB.", field=field)


def _not_for_kind(given: ContributionInput) -> list[tuple[str | None, str]]:
    """Fields sent that the kind does not have (``amount`` on work, ``hours`` on an expense)."""
    own = set(KIND_FIELDS[Contribution.Kind(given.kind)])
    sent = {
        name
        for name in ("hours", "units", "unit_name", "amount", "currency", "receipt")
        if getattr(given, name) not in (None, "")
    }
    kind = KIND_NAMES[given.kind]
    return [
        (name, f"{label(name)} does not apply to {kind}; leave it empty.")
        for name in sorted(sent - own)
    ]


def _checked_fields(given: ContributionInput, *, has_receipt: bool = False) -> dict[str, Any]:
    """Every field checked, and every problem found reported at once."""
    kinds = Contribution.Kind.values
    if given.kind not in kinds:
        raise InvalidInput(f"Choose the kind: {one_of(Contribution.Kind.labels)}.", field="kind")
    problems = Problems()
    fields: dict[str, Any] = {
        "kind": given.kind,
        "summary": problems.check(
            _text, given.summary, "summary", required=True, limit=SUMMARY_MAX
        ),
        "description": problems.check(
            _text, given.description, "description", required=False, limit=DESCRIPTION_MAX
        ),
        "evidence_url": problems.check(
            _text, given.evidence_url, "evidence_url", required=False, limit=EVIDENCE_URL_MAX
        ),
        "evidence_text": problems.check(
            _text,
            given.evidence_text,
            "evidence_text",
            required=False,
            limit=EVIDENCE_TEXT_MAX,
        ),
        "hours": None,
        "units": None,
        "unit_name": "",
        "amount_minor": None,
        "currency": "",
    }
    if fields["evidence_url"]:
        try:
            URLValidator(schemes=["http", "https"])(fields["evidence_url"])
        except ValidationError:
            problems.add("evidence_url", "The evidence link must be a full http(s) link.")
    problems.check(_check_upload, given.evidence_file, "evidence_file")
    problems.check(_check_upload, given.receipt, "receipt")
    if given.kind == Contribution.Kind.WORK:
        fields["hours"] = problems.check(
            _decimal,
            given.hours,
            "hours",
            places=HOURS_PLACES,
            low=Decimal(0),
            high=MAX_HOURS_PER_CONTRIBUTION,
        )
    elif given.kind in (Contribution.Kind.DELIVERABLE, Contribution.Kind.RESOURCE):
        fields["units"] = problems.check(
            _decimal, given.units, "units", places=UNITS_PLACES, low=Decimal(0), high=MAX_UNITS
        )
        fields["unit_name"] = problems.check(
            _text,
            given.unit_name,
            "unit_name",
            required="unit_name" in KIND_REQUIRES[given.kind],
            limit=UNIT_NAME_MAX,
        )
    else:
        _expense_fields(given, fields, problems, has_receipt=has_receipt)
    has_evidence = (
        fields["evidence_url"]
        or fields["evidence_text"]
        or given.evidence_file is not None
        or given.receipt is not None
        or has_receipt
    )
    if not has_evidence and not problems.fields() & {"evidence_url", "evidence_text", "receipt"}:
        problems.add("evidence_text", "Add evidence: a link, a few words, or a file.")
    for field, message in _not_for_kind(given):
        problems.add(field, message)
    problems.raise_any()
    return fields


def _expense_fields(
    given: ContributionInput, fields: dict[str, Any], problems: Problems, *, has_receipt: bool
) -> None:
    try:
        currency = check_new_currency(given.currency)
    except MoneyError as error:
        problems.add("currency", str(error))
        currency = None
    amount = problems.check(
        _decimal, given.amount, "amount", places=3, low=Decimal(0), high=MAX_EXPENSE
    )
    if amount is not None and currency is not None:
        try:
            fields["amount_minor"] = to_minor(amount, currency)
        except MoneyError as error:
            problems.add("amount", str(error))
    fields["currency"] = currency or ""
    if given.receipt is None and not has_receipt:
        problems.add("receipt", "An expense needs its receipt file.")


def _draw_for(contribution: Contribution, author: Member) -> list[ReviewAssignment]:
    """Draw the reviewers among current members who may review (never the author).

    With nobody eligible, nobody is drawn: the contribution waits for a reviewer.
    """
    current = list(
        Member.objects.filter(left_at__isnull=True, is_active=True)
        .exclude(pk=author.pk)
        .values_list("pk", flat=True)
    )
    needed = trust.level_for(trust.Power.REVIEW)
    # as the worker last brought them up to date: this runs inside the write (DRAW_LAG)
    levels = trust.levels_of(current, may_lag=True)
    pool = sorted(str(pk) for pk in current if levels[pk] >= needed)
    drawn = draw_reviewers(
        contribution.review_seed,
        str(contribution.pk),
        str(author.pk),
        pool,
        current_policy().review.reviewers_per_contribution,
    )
    contribution.review_pool = pool
    contribution.save(update_fields=["review_pool"])
    return ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            contribution=contribution,
            reviewer_id=int(pk),
            rank=rank,
            drawn_version=contribution.version,
        )
        for rank, pk in enumerate(drawn)
    )


def _draw_approvers(claim: Contribution, author: Member) -> list[int]:
    """Draw an expense claim's approvers, the way reviewers are drawn, from a fresh seed.

    The pool is every current member who may approve expenses on the day, never the
    claimant; the draw is ``core.draw.draw_reviewers(approver_seed, "expense:<id>", ...)``
    over it, so anyone can re-draw from the published seed and pool and check.
    """
    candidates = list(
        Member.objects.filter(left_at__isnull=True, is_active=True)
        .exclude(pk=author.pk)
        .values_list("pk", flat=True)
    )
    needed = trust.level_for(trust.Power.APPROVE_EXPENSES)
    levels = trust.levels_of(candidates)
    pool = sorted(str(pk) for pk in candidates if levels.get(pk, 0) >= needed)
    claim.approver_seed = secrets.token_hex(16)
    drawn = draw_reviewers(
        claim.approver_seed,
        f"expense:{claim.pk}",
        str(author.pk),
        pool,
        current_policy().expenses.approvals,
    )
    claim.approver_pool = pool
    claim.approvers = [int(pk) for pk in drawn]
    claim.save(update_fields=["approver_seed", "approver_pool", "approvers"])
    return claim.approvers


@action
def log_contribution(actor: Member, given: ContributionInput) -> Contribution:
    """Record a contribution and draw its reviewers from a fresh, published seed."""
    ensure_may_act(actor, doing="log contributions")
    fields = _checked_fields(given)
    with transaction.atomic():
        task = _task(given.task_id) if given.task_id is not None else None
        contribution = Contribution(
            author=actor, task=task, review_seed=secrets.token_hex(16), **fields
        )
        if given.evidence_file is not None:
            contribution.evidence_file = given.evidence_file
        if given.receipt is not None:
            contribution.receipt = given.receipt
        contribution.save()
        assignments = _draw_for(contribution, actor)
        approvers = (
            {"approvers": _draw_approvers(contribution, actor)}
            if contribution.kind == Contribution.Kind.EXPENSE
            else {}
        )
        record(
            "work.contribution.logged",
            contribution,
            actor=actor,
            kind=contribution.kind,
            reviewers=[a.reviewer_id for a in assignments],
            **approvers,
        )
    return contribution


@action
def edit_contribution(
    actor: Member, contribution_id: int, given: ContributionInput
) -> Contribution:
    """Authors may correct a contribution until its first review; after that it is fixed."""
    ensure_may_act(actor, doing="edit contributions")
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
        if contribution is None:
            raise NotFound(f"No contribution with id {contribution_id}.")
        refusal = versions.edit_refusal(actor, contribution)
        if refusal is not None:
            raise refusal
        if given.kind != contribution.kind:
            # Its reviewers were drawn for what was claimed; another kind is a new claim.
            raise InvalidInput(
                "A contribution keeps its kind; log a new one instead.", field="kind"
            )
        fields = _checked_fields(given, has_receipt=bool(contribution.receipt))
        task = _task(given.task_id) if given.task_id is not None else None
        before = versions.snapshot(contribution)
        for name, value in fields.items():
            setattr(contribution, name, value)
        contribution.task = task
        if given.evidence_file is not None:
            contribution.evidence_file = given.evidence_file
        if given.receipt is not None:
            contribution.receipt = given.receipt
        changed = versions.changes(before, versions.snapshot(contribution))
        if not changed:
            unchanged()  # the same statement again: nothing to write, no event due
            return contribution
        contribution.version += 1
        contribution.save()
        _new_version(actor, contribution, before, changed)
    return contribution


def _new_version(
    actor: Member,
    contribution: Contribution,
    before: dict[str, str],
    changed: list[versions.Change],
) -> None:
    """Keep what the replaced version said and tell (or redraw) the drawn reviewers.

    Until a notification system exists, "telling" the drawn reviewers is the
    audit event naming them; their to-do list and the contribution page show
    what changed since they were drawn.
    """
    kept = ContributionVersion(
        contribution=contribution, version=contribution.version - 1, stated=before
    )
    drawn = list(contribution.assignments.order_by("rank").values_list("reviewer_id", flat=True))
    redraw = bool(drawn) and current_policy().review.redraw_reviewers_on_edit
    redrawn: list[int] = []
    if redraw:
        # Only open assignments exist: an edit is refused once a review is in.
        kept.replaced_draw = {
            "seed": contribution.review_seed,
            "pool": list(contribution.review_pool),
            "reviewers": drawn,
        }
        contribution.assignments.all().delete()
        contribution.review_seed = secrets.token_hex(16)
        contribution.save(update_fields=["review_seed"])
        redrawn = [a.reviewer_id for a in _draw_for(contribution, contribution.author)]
    kept.save()
    record(
        "work.contribution.edited",
        contribution,
        actor=actor,
        version=contribution.version,
        changes=[{"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in changed],
        notified_reviewers=drawn,
        redrawn=redraw,
        reviewers=redrawn if redraw else drawn,
        **({"earlier_draw": kept.replaced_draw} if redraw else {}),
    )


@action
def submit_review(
    actor: Member,
    contribution_id: int,
    *,
    rating: Any,
    comment: str,
    effort_estimate: Any = None,
    version: int | None = None,
) -> Review:
    """A drawn reviewer rates the work 0-5 and may challenge its claimed effort.

    ``version`` is the version of the contribution the reviewer read; a review
    of an older one is refused (``versions.StaleVersion``, a Conflict listing
    what changed). The API, the web form and the CLI always send it; ``None``
    (the version current now) is for callers that just showed it, such as the demo.
    """
    ensure_may_act(actor, doing="review")
    contribution = Contribution.objects.filter(pk=contribution_id).first()
    if contribution is None:
        raise NotFound(f"No contribution with id {contribution_id}.")
    if contribution.author_id == actor.pk:
        raise Forbidden("Nobody reviews their own work.")
    if not contribution.assignments.filter(reviewer=actor).exists():
        raise Forbidden("Only the members drawn for this contribution review it.")
    bad_rating = InvalidInput(
        f"The rating must be a whole number from {RATING_MIN} to {RATING_MAX}.", field="rating"
    )
    if isinstance(rating, bool) or not isinstance(rating, int | str):
        raise bad_rating
    try:
        rating_value = int(rating)
    except ValueError:
        raise bad_rating from None
    if not RATING_MIN <= rating_value <= RATING_MAX:
        raise bad_rating
    comment = _text(comment, "comment", required=True, limit=COMMENT_MAX)
    estimate = None
    if effort_estimate not in (None, ""):
        estimate = _decimal(
            effort_estimate, "effort_estimate", places=UNITS_PLACES, low=Decimal(-1), high=MAX_UNITS
        )
        if estimate < 0:
            raise InvalidInput(
                "Your effort estimate must not be negative.", field="effort_estimate"
            )
    try:
        with transaction.atomic():
            # Locked, so an edit cannot slip in between the version check and the review.
            current = Contribution.objects.select_for_update().get(pk=contribution.pk)
            versions.check_read(current, current.version if version is None else version)
            review = Review.objects.create(
                contribution=current,
                reviewer=actor,
                rating=rating_value,
                comment=comment,
                effort_estimate=estimate,
                version=current.version,
            )
            ReviewAssignment.objects.filter(contribution=current, reviewer=actor).update(
                reviewed_at=review.created_at
            )
            record(
                "work.review.submitted",
                review,
                actor=actor,
                contribution=contribution.pk,
                version=review.version,
            )
    except IntegrityError:
        raise Conflict("You have already reviewed this contribution.") from None
    return review
