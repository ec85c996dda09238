"""Tasks, contributions and reviews over the API.

Reads are public. A contribution's kind decides its quantity: ``hours`` for
work, ``units`` (and ``unit_name``) for deliverables and resources, ``amount``
and ``currency`` for an expense, which also needs its receipt file and so is
sent as multipart to ``POST /api/contributions/multipart``.

Each edit of a contribution makes a new ``version``; ``GET`` of one answers it
in the body and as the ``ETag`` ``"c<id>-v<version>"``. A review names the
version its reviewer read (``version`` in the body or that ETag in
``If-Match``): without one it is a 428, for an older one a 409 saying what changed.
"""

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.params import HeaderEx, P

from commonshare import paging
from commonshare.apikit import (
    E401,
    E404,
    E409,
    E422,
    WRITE,
    ErrorOut,
    PathId,
    paged,
)
from commonshare.community import selectors as community_selectors
from commonshare.community.auth import acting_member, any_member_auth, member_auth
from commonshare.core.money import from_minor
from commonshare.errors import CommonshareError, InvalidInput
from commonshare.work import level_selectors, selectors, services
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task, TrustLevelChange
from commonshare.work.schemas import (
    ContributionDetailOut,
    ContributionFilter,
    ContributionFormIn,
    ContributionIn,
    ContributionLineOut,
    ContributionOut,
    ContributionPatchIn,
    LevelChangeOut,
    ReviewAssignmentOut,
    ReviewIn,
    ReviewOut,
    TaskDetailOut,
    TaskFilter,
    TaskIn,
    TaskOut,
    TrustOut,
    decimal_text,
    trust_out,
)

router = Router(tags=["work"])


# --- tasks -------------------------------------------------------------------


@router.get("/tasks", response={200: list[TaskOut], **E422}, tags=["tasks"])
@paged
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> QuerySet[Task]:
    return selectors.tasks(filters.status)


@router.get("/tasks/{task_id}", response={200: TaskDetailOut, **E404, **E422}, tags=["tasks"])
def get_task(request: HttpRequest, task_id: PathId) -> Task:
    task = selectors.task(task_id)
    task.subtasks_page = paging.page(selectors.subtasks_of(task))  # type: ignore[attr-defined]
    return task


@router.get(
    "/tasks/{task_id}/subtasks", response={200: list[TaskOut], **E404, **E422}, tags=["tasks"]
)
@paged
def list_subtasks(request: HttpRequest, task_id: PathId) -> QuerySet[Task]:
    """A task's subtasks, oldest first."""
    return selectors.subtasks_of(selectors.task(task_id))


@router.get(
    "/tasks/{task_id}/contributions",
    response={200: list[ContributionLineOut], **E404, **E422},
    tags=["tasks"],
)
@paged
def list_task_contributions(request: HttpRequest, task_id: PathId) -> QuerySet[Contribution]:
    """The contributions logged against a task, newest first."""
    return selectors.contributions_to(selectors.task(task_id)).defer("review_pool")


@router.post(
    "/tasks", auth=member_auth, response={201: TaskOut, **WRITE, **E404, **E409}, tags=["tasks"]
)
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Any]:
    """Open a task anyone may claim; ``parent_id`` makes it a subtask."""
    task = services.create_task(
        acting_member(request),
        title=payload.title,
        description=payload.description,
        estimate_hours=payload.estimate_hours,
        parent_id=payload.parent_id,
    )
    return Status(201, task)


@router.post(
    "/tasks/{task_id}/claim",
    auth=member_auth,
    response={200: TaskOut, **WRITE, **E404, **E409},
    tags=["tasks"],
)
def claim_task(request: HttpRequest, task_id: PathId) -> Task:
    return services.claim_task(acting_member(request), task_id)


@router.post(
    "/tasks/{task_id}/release",
    auth=member_auth,
    response={200: TaskOut, **WRITE, **E404},
    tags=["tasks"],
)
def release_task(request: HttpRequest, task_id: PathId) -> Task:
    """Give a claimed task back; only its claimer may."""
    return services.release_task(acting_member(request), task_id)


@router.post(
    "/tasks/{task_id}/done",
    auth=member_auth,
    response={200: TaskOut, **WRITE, **E404, **E409},
    tags=["tasks"],
)
def complete_task(
    request: HttpRequest, task_id: PathId, confirm_open_subtasks: bool = False
) -> Task:
    """Mark your task done; with open subtasks, 409 unless ``confirm_open_subtasks=true``."""
    return services.complete_task(
        acting_member(request), task_id, confirm_open_subtasks=confirm_open_subtasks
    )


# --- contributions -------------------------------------------------------------


def _input(
    fields: dict[str, Any],
    *,
    receipt: UploadedFile | None = None,
    evidence_file: UploadedFile | None = None,
) -> services.ContributionInput:
    given: dict[str, Any] = {
        key: ("" if value is None and key in _BLANK_STRINGS else value)
        for key, value in fields.items()
    }
    return services.ContributionInput(**given, receipt=receipt, evidence_file=evidence_file)


_BLANK_STRINGS = {"description", "unit_name", "currency", "evidence_url", "evidence_text"}


def _as_stated(contribution: Contribution) -> dict[str, Any]:
    """What the author stated, in the shape of ``ContributionIn`` (for PATCH)."""
    amount = None
    if contribution.amount_minor is not None:
        amount = str(from_minor(contribution.amount_minor, contribution.currency))
    return {
        "kind": contribution.kind,
        "summary": contribution.summary,
        "description": contribution.description,
        "task_id": contribution.task_id,
        "hours": decimal_text(contribution.hours, 2),
        "units": decimal_text(contribution.units, 3),
        "unit_name": contribution.unit_name,
        "amount": amount,
        "currency": contribution.currency,
        "evidence_url": contribution.evidence_url,
        "evidence_text": contribution.evidence_text,
    }


CONTRIBUTION_WRITE: dict[int, Any] = {**WRITE, **E404}


@router.get("/contributions", response={200: list[ContributionLineOut], **E404, **E422})
@paged
def list_contributions(
    request: HttpRequest, filters: Query[ContributionFilter]
) -> QuerySet[Contribution]:
    author = None
    if filters.author is not None:
        author = community_selectors.member(filters.author)
    # the draw's pool is on each contribution's own answer: thousands of ids a row here
    return selectors.contributions(author).defer("review_pool")


@router.post(
    "/contributions/multipart",
    auth=member_auth,
    response={201: ContributionOut, **CONTRIBUTION_WRITE},
)
def log_contribution_with_files(
    request: HttpRequest,
    payload: Form[ContributionFormIn],
    receipt: File[UploadedFile | None] = None,
    evidence_file: File[UploadedFile | None] = None,
) -> Status[Any]:
    """Log any contribution as multipart form data, with a receipt (expenses) or evidence file."""
    given = _input(payload.model_dump(), receipt=receipt, evidence_file=evidence_file)
    return Status(201, services.log_contribution(acting_member(request), given))


ETAG_HEADER = {
    "description": 'The version read, for If-Match on a review: "c<id>-v<version>"',
    "schema": {"type": "string", "examples": ['"c12-v3"']},
}


@router.get(
    "/contributions/{contribution_id}",
    response={200: ContributionDetailOut, **E404, **E422},
    openapi_extra={"responses": {200: {"headers": {"ETag": ETAG_HEADER}}}},
)
def get_contribution(
    request: HttpRequest, response: HttpResponse, contribution_id: PathId
) -> Contribution:
    """One contribution; its ``ETag`` names the version, for ``If-Match`` on a review."""
    found = selectors.contribution(contribution_id)
    response["ETag"] = etag(found)
    return found


def etag(contribution: Contribution) -> str:
    return f'"c{contribution.pk}-v{contribution.version}"'


_ETAG = re.compile(r'^(?:W/)?"c([0-9]{1,19})-v([0-9]{1,9})"$')


@router.post(
    "/contributions", auth=member_auth, response={201: ContributionOut, **CONTRIBUTION_WRITE}
)
def log_contribution(request: HttpRequest, payload: ContributionIn) -> Status[Any]:
    """Log work, a deliverable or a resource as JSON; reviewers are drawn at once."""
    given = _input(payload.model_dump())
    return Status(201, services.log_contribution(acting_member(request), given))


@router.put(
    "/contributions/{contribution_id}",
    auth=member_auth,
    response={200: ContributionOut, **CONTRIBUTION_WRITE, **E409},
)
def replace_contribution(
    request: HttpRequest, contribution_id: PathId, payload: ContributionIn
) -> Contribution:
    """Correct a contribution until its first review (409 after it)."""
    given = _input(payload.model_dump())
    return services.edit_contribution(acting_member(request), contribution_id, given)


@router.patch(
    "/contributions/{contribution_id}",
    auth=member_auth,
    response={200: ContributionOut, **CONTRIBUTION_WRITE, **E409},
)
def patch_contribution(
    request: HttpRequest, contribution_id: PathId, payload: ContributionPatchIn
) -> Contribution:
    """Change some fields of a contribution until its first review."""
    current = selectors.contribution(contribution_id)
    fields = {**_as_stated(current), **payload.model_dump(exclude_unset=True)}
    return services.edit_contribution(acting_member(request), contribution_id, _input(fields))


@router.post(
    "/contributions/{contribution_id}/multipart",
    auth=member_auth,
    response={200: ContributionOut, **CONTRIBUTION_WRITE, **E409},
)
def replace_contribution_with_files(
    request: HttpRequest,
    contribution_id: PathId,
    payload: Form[ContributionFormIn],
    receipt: File[UploadedFile | None] = None,
    evidence_file: File[UploadedFile | None] = None,
) -> Contribution:
    """Correct a contribution as multipart form data; files given replace the stored ones."""
    given = _input(payload.model_dump(), receipt=receipt, evidence_file=evidence_file)
    return services.edit_contribution(acting_member(request), contribution_id, given)


# --- reviews -------------------------------------------------------------------


@router.get(
    "/contributions/{contribution_id}/reviews",
    response={200: list[ReviewOut], **E404, **E422},
    tags=["reviews"],
)
@paged
def list_reviews(request: HttpRequest, contribution_id: PathId) -> QuerySet[Review]:
    return selectors.contribution(contribution_id).reviews.select_related("reviewer")


class VersionRequired(CommonshareError):
    """A review that does not say which version its reviewer read."""

    status = 428


def version_read(
    contribution_id: int, body: int | None, if_match: str | None, *, sending: str = "review"
) -> int:
    """The version a review (or ``sending``) is for, from its body or If-Match (one needed)."""
    header = None
    if if_match is not None:
        found = _ETAG.match(if_match.strip())
        if found is None or int(found.group(1)) != contribution_id:
            raise InvalidInput(
                f'If-Match must be this contribution\'s ETag, such as "c{contribution_id}-v1".',
                field="version",
            )
        header = int(found.group(2))
    if body is not None and header is not None and body != header:
        raise InvalidInput(
            f"The body says version {body} but If-Match says version {header}; send one.",
            field="version",
        )
    read = body if body is not None else header
    if read is None:
        raise VersionRequired(
            f"Say which version you read before your {sending}: send version in the body, "
            "or the ETag of "
            "GET /api/contributions/{id} in If-Match.",
            field="version",
        )
    return read


@router.post(
    "/contributions/{contribution_id}/reviews",
    auth=member_auth,
    response={201: ReviewOut, **WRITE, **E404, **E409, 428: ErrorOut},
    tags=["reviews"],
)
def submit_review(
    request: HttpRequest,
    contribution_id: PathId,
    payload: ReviewIn,
    if_match: HeaderEx[str | None, P(alias="If-Match", max_length=100)] = None,
) -> Status[Any]:
    """Review the version you read of a contribution you were drawn for; never your own, once.

    409 when the contribution changed since (the detail lists what changed);
    428 when neither ``version`` nor ``If-Match`` says which version you read.
    """
    review = services.submit_review(
        acting_member(request),
        contribution_id,
        rating=payload.rating,
        comment=payload.comment,
        effort_estimate=payload.effort_estimate,
        version=version_read(contribution_id, payload.version, if_match),
    )
    return Status(201, review)


@router.get(
    "/reviews/todo",
    auth=member_auth,
    response={200: list[ReviewAssignmentOut], **E401, **E422},
    tags=["reviews"],
)
@paged
def reviews_to_do(request: HttpRequest) -> QuerySet[ReviewAssignment]:
    """Contributions you were drawn to review and have not reviewed yet."""
    return selectors.reviews_waiting_for(acting_member(request))


# --- trust levels ------------------------------------------------------------


@router.get(
    "/members/me/trust", auth=any_member_auth, response={200: TrustOut, **E401}, tags=["members"]
)
def my_trust(request: HttpRequest) -> dict[str, Any]:
    """Your trust level, what it unlocks, and each requirement of the next level."""
    return trust_out(selectors.trust_summary(acting_member(request)))


@router.get(
    "/members/{member_id}/trust", response={200: TrustOut, **E404, **E422}, tags=["members"]
)
def member_trust(request: HttpRequest, member_id: PathId) -> dict[str, Any]:
    """A member's trust level, what it unlocks, and each requirement of the next level."""
    return trust_out(selectors.trust_summary(community_selectors.member(member_id)))


@router.get(
    "/members/{member_id}/levels",
    response={200: list[LevelChangeOut], **E404, **E422},
    tags=["members"],
)
@paged
def member_levels(request: HttpRequest, member_id: PathId) -> QuerySet[TrustLevelChange]:
    """A member's trust level history: each rise or fall, newest first."""
    return level_selectors.level_history(community_selectors.member(member_id))
