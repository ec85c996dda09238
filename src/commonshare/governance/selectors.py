"""Reading the rules: ``current_policy(at)`` is the only way code reads one. And the norms:
each kind's current version, its history, and the line diff between two versions.

The version in force on a day is the highest-numbered one valid from that day
or before. Versions take effect at the start of a period (``services.adopt_policy``),
so every day of a period reads the same rules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import lru_cache

from django.db.models import QuerySet
from django.utils import timezone

from commonshare.core.norms import DiffLine, first_paragraph, line_diff
from commonshare.core.policy import Change, Policy, policy_diff, policy_from_dict
from commonshare.errors import NotFound
from commonshare.governance.models import NormVersion, PolicyVersion
from commonshare.governance.vocab import NORM_KINDS, PURPOSE


def current_policy(at: dt.date | None = None) -> Policy:
    """The rules in force on ``at`` (today when not given)."""
    return policy_of(current_version(at))


def current_version(at: dt.date | None = None) -> PolicyVersion:
    """The policy version in force on ``at`` (today when not given)."""
    day = timezone.localdate() if at is None else at
    version = PolicyVersion.objects.filter(valid_from__lte=day).order_by("-number").first()
    if version is None:
        raise NotFound(
            f"No policy is in force on {day}: run `commonshare init` to write version 1."
        )
    return version


def policies_by_day() -> Callable[[dt.date], Policy]:
    """``current_policy(at=day)`` for many days, reading the versions once: the same rule,
    the highest-numbered version valid from that day or before."""
    newest_first = list(PolicyVersion.objects.order_by("-number"))

    def on(day: dt.date) -> Policy:
        version = next((v for v in newest_first if v.valid_from <= day), None)
        return current_policy(at=day) if version is None else policy_of(version)

    return on


def next_version_after(day: dt.date) -> PolicyVersion | None:
    """The first version taking effect after ``day``, if one is adopted (or in force since)."""
    return PolicyVersion.objects.filter(valid_from__gt=day).order_by("valid_from", "number").first()


def valid_from(version: PolicyVersion) -> dt.date | None:
    """The day ``version`` takes effect, or ``None`` for one in force since the beginning
    (version 1 is stored from the earliest date there is, which is no day to show)."""
    return None if version.valid_from == dt.date.min else version.valid_from


def policy_version(number: int) -> PolicyVersion:
    version = PolicyVersion.objects.filter(number=number).first()
    if version is None:
        raise NotFound(f"There is no policy version {number}.")
    return version


def policy_versions() -> QuerySet[PolicyVersion]:
    """Every version, oldest first."""
    return PolicyVersion.objects.order_by("number")


def policy_of(version: PolicyVersion) -> Policy:
    """The policy a stored version holds."""
    return _parsed(version.content)


@lru_cache(maxsize=64)
def _parsed(content: str) -> Policy:
    return policy_from_dict(json.loads(content))


def changes_in(version: PolicyVersion) -> list[Change]:
    """What ``version`` changed against the version before it (nothing for version 1)."""
    before = PolicyVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    if before is None:
        return []
    return policy_diff(policy_of(before), policy_of(version))


# --- norms ---------------------------------------------------------------------------


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(NORM_KINDS)
    return (order.index(kind), "") if kind in NORM_KINDS else (len(order), kind)


def current_norms() -> list[NormVersion]:
    """The version in force of every norm: the first kinds in their order, then any kind a
    decision added, by name."""
    newest: dict[str, NormVersion] = {}
    for version in NormVersion.objects.order_by("kind", "number"):
        newest[version.kind] = version
    return [newest[kind] for kind in sorted(newest, key=_kind_order)]


def current_norm(kind: str) -> NormVersion:
    """The version in force of the norm ``kind`` (its highest number)."""
    version = NormVersion.objects.filter(kind=kind).order_by("-number").first()
    if version is None:
        raise NotFound(f"There is no norm called {kind}.")
    return version


def norm_versions(kind: str) -> list[NormVersion]:
    """Every version of the norm ``kind``, oldest first."""
    versions = list(NormVersion.objects.filter(kind=kind).order_by("number"))
    if not versions:
        raise NotFound(f"There is no norm called {kind}.")
    return versions


def norm_version(kind: str, number: int) -> NormVersion:
    """Version ``number`` of the norm ``kind``."""
    version = NormVersion.objects.filter(kind=kind, number=number).first()
    if version is None:
        if not NormVersion.objects.filter(kind=kind).exists():
            raise NotFound(f"There is no norm called {kind}.")
        raise NotFound(f"The norm {kind} has no version {number}.")
    return version


def previous_norm_version(version: NormVersion) -> NormVersion | None:
    """The version before ``version`` of its norm (none for version 1)."""
    return (
        NormVersion.objects.filter(kind=version.kind, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def norm_diff(kind: str, before: int, after: int) -> list[DiffLine]:
    """The line diff from version ``before`` of the norm ``kind`` to version ``after``."""
    return line_diff(norm_version(kind, before).text, norm_version(kind, after).text)


def norm_changes(version: NormVersion) -> list[DiffLine]:
    """What ``version`` changed against the version before it (nothing for version 1)."""
    before = previous_norm_version(version)
    return [] if before is None else line_diff(before.text, version.text)


def stated_purpose() -> str:
    """The community's stated purpose: the first paragraph (Markdown) of the purpose norm
    in force, or ``""`` when there is none."""
    version = NormVersion.objects.filter(kind=PURPOSE).order_by("-number").first()
    return "" if version is None else first_paragraph(version.text)
