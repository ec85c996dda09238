"""The rules over the API: the policy in force, every version, and what each changed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from commonshare.apikit import E404, E422, PathId
from commonshare.governance import selectors
from commonshare.governance.models import PolicyVersion

router = Router(tags=["policy"])


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
