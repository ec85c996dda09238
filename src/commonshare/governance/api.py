"""The rules over the API: the policy in force, every version, and what each changed; and the
norms, each with its versions and the line diff of each against the one before. Read only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from commonshare.apikit import E404, E422, PathId
from commonshare.core.norms import SLUG, LineChange
from commonshare.governance import selectors
from commonshare.governance.models import NormVersion, PolicyVersion
from commonshare.governance.vocab import NORM_KIND_MAX

router = Router(tags=["policy"])
norms_router = Router(tags=["norms"])


class PolicyVersionOut(Schema):
    number: int
    valid_from: dt.date | None = Field(
        description="The first day it is in force (a period's start); null for version 1, "
        "in force since the beginning"
    )
    adopted_by: str = Field(description='The decision that adopted it ("initial" for 1)')
    created_at: dt.datetime
    sha256: str = Field(description="sha256 of the canonical JSON text of content")
    content: dict[str, Any] = Field(description="The rules, by section (docs/api.md)")

    @staticmethod
    def resolve_valid_from(obj: PolicyVersion) -> dt.date | None:
        return selectors.valid_from(obj)

    @staticmethod
    def resolve_content(obj: PolicyVersion) -> dict[str, Any]:
        content: dict[str, Any] = json.loads(obj.content)
        return content


class ChangeOut(Schema):
    path: str = Field(description="The rule's field path, such as reserve.share")
    before: Any
    after: Any


class PolicyVersionDetailOut(PolicyVersionOut):
    previous: int | None = Field(description="The version the changes are against")
    changes: list[ChangeOut]

    @staticmethod
    def resolve_previous(obj: PolicyVersion) -> int | None:
        return obj.number - 1 if obj.number > 1 else None

    @staticmethod
    def resolve_changes(obj: PolicyVersion) -> list[dict[str, Any]]:
        return [
            {"path": c.path, "before": c.before, "after": c.after}
            for c in selectors.changes_in(obj)
        ]


@router.get("", response={200: PolicyVersionOut, **E404})
def current_policy(request: HttpRequest) -> PolicyVersion:
    """The policy version in force today."""
    return selectors.current_version()


@router.get("/versions", response={200: list[PolicyVersionOut]})
def policy_versions(request: HttpRequest) -> list[PolicyVersion]:
    """Every version, oldest first (including one adopted but not in force yet)."""
    return list(selectors.policy_versions())


@router.get("/versions/{number}", response={200: PolicyVersionDetailOut, **E404, **E422})
def policy_version(request: HttpRequest, number: PathId) -> PolicyVersion:
    """One version, with what it changed against the version before it."""
    return selectors.policy_version(number)


# --- norms ---------------------------------------------------------------------------

NormKindPath = Annotated[
    str,
    Path(
        pattern=SLUG.pattern,
        max_length=NORM_KIND_MAX,
        description="The norm's kind, such as purpose or code-of-conduct",
    ),
]


class NormVersionOut(Schema):
    kind: str = Field(description="The norm's kind: purpose, code-of-conduct, ...")
    number: int = Field(description="The version's number, from 1 for each kind")
    title: str
    adopted_at: dt.datetime
    decision_number: int | None = Field(
        description="The decision that adopted it (/api/decisions/{number}); null for the "
        "first versions, which came before any decision"
    )
    sha256: str = Field(
        description="sha256 of the canonical JSON of {kind, number, text, title} "
        "(docs/governance.md)"
    )


class NormVersionTextOut(NormVersionOut):
    text: str = Field(description="The Markdown text")


class DiffLineOut(Schema):
    change: LineChange = Field(description="added, removed or same")
    text: str
    before: int | None = Field(description="Its line number in the version before, if there")
    after: int | None = Field(description="Its line number in this version, if there")


class NormVersionDetailOut(NormVersionTextOut):
    previous: int | None = Field(description="The version the diff is against (null for 1)")
    diff: list[DiffLineOut] = Field(
        description="Every line of both versions in order, each added, removed or the same"
    )

    @staticmethod
    def resolve_previous(obj: NormVersion) -> int | None:
        before = selectors.previous_norm_version(obj)
        return None if before is None else before.number

    @staticmethod
    def resolve_diff(obj: NormVersion) -> list[dict[str, Any]]:
        return [
            {"change": d.change, "text": d.text, "before": d.before, "after": d.after}
            for d in selectors.norm_changes(obj)
        ]


class NormOut(NormVersionTextOut):
    versions: list[NormVersionOut] = Field(description="Every version, oldest first")

    @staticmethod
    def resolve_versions(obj: NormVersion) -> list[NormVersion]:
        return selectors.norm_versions(obj.kind)


@norms_router.get("", response={200: list[NormVersionTextOut]})
def norms(request: HttpRequest) -> list[NormVersion]:
    """The version in force of every norm."""
    return selectors.current_norms()


@norms_router.get("/{kind}", response={200: NormOut, **E404, **E422})
def norm(request: HttpRequest, kind: NormKindPath) -> NormVersion:
    """A norm: its version in force, with the list of every version."""
    return selectors.current_norm(kind)


@norms_router.get("/{kind}/versions/{number}", response={200: NormVersionDetailOut, **E404, **E422})
def norm_version(request: HttpRequest, kind: NormKindPath, number: PathId) -> NormVersion:
    """One version of a norm, with its line diff against the version before it."""
    return selectors.norm_version(kind, number)
