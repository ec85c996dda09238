"""Whether each distribution followed the rules it names.

A distribution stores the policy it froze, the version number and that version's
checksum. ``books verify`` checks, for each: the sha256 of the frozen policy's
canonical JSON is the checksum it stored, which is that version's, and that version
was the one in force when its period began. A distribution frozen before versions
(no number) must hold the old flat policy, not a versioned one.
"""

from __future__ import annotations

from commonshare.books.models import Distribution
from commonshare.governance.integrity import content_sha256
from commonshare.governance.models import PolicyVersion
from commonshare.governance.selectors import current_version


def distribution_policy_problems() -> list[str]:
    """Each distribution whose frozen policy, checksum and version disagree, named."""
    versions = dict(PolicyVersion.objects.values_list("number", "sha256"))
    found: list[str] = []
    rows = Distribution.objects.order_by("id").values_list(
        "id", "period_start", "policy", "policy_version", "policy_sha256"
    )
    for pk, start, policy, number, stored in rows.iterator(chunk_size=500):
        name = f"distribution {pk}"
        if number is None:
            if stored is not None or "reserve" in policy:
                found.append(f"{name} names no version of the rules, but froze versioned ones")
            continue
        if number not in versions:
            found.append(f"{name} names version {number} of the rules, which does not exist")
            continue
        if content_sha256(policy) != stored:
            found.append(f"{name}'s frozen rules no longer match the checksum it stored")
        elif stored != versions[number]:
            found.append(f"{name}'s rules are not those of version {number}, which it names")
        in_force = current_version(at=start).number
        if in_force != number:
            found.append(
                f"{name} names version {number} of the rules, but version {in_force} "
                "was in force when its period began"
            )
    return found
