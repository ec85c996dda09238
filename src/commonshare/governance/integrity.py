"""Whether each stored policy version still is what was adopted: its checksum is the
sha256 of its rules' canonical JSON, and its text is that canonical form. And whether each
norm version still is: its checksum is ``core.norms.norm_sha256`` of its kind, number,
title and text.

``books verify`` (``books.records.verify_all``) reports what this finds. The table is
append-only, but an operator with the database's shell can drop the triggers: a row
changed so is named here in plain words.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from commonshare.core.norms import norm_sha256
from commonshare.core.policy import PolicyError, canonical_json, policy_from_dict
from commonshare.governance.models import NormVersion, PolicyVersion


def content_sha256(content: Any) -> str:
    """The sha256 of ``content``'s canonical JSON (what a version's checksum must be)."""
    return hashlib.sha256(canonical_json(content).encode("ascii")).hexdigest()


def version_problems() -> list[str]:
    """Each policy version whose stored rules and checksum no longer agree, named."""
    found: list[str] = []
    rows = PolicyVersion.objects.order_by("number").values_list("number", "content", "sha256")
    for number, content, stored in rows:
        try:
            data = json.loads(content)
            policy_from_dict(data)
        except (ValueError, PolicyError):
            found.append(f"policy version {number} no longer holds readable rules")
            continue
        if content_sha256(data) != stored:
            found.append(f"policy version {number}'s rules no longer match its checksum")
        elif canonical_json(data) != content:
            found.append(f"policy version {number}'s rules are not stored in canonical form")
    return found


def norm_version_problems() -> list[str]:
    """Each norm version whose kind, number, title and text no longer match its checksum."""
    rows = NormVersion.objects.order_by("kind", "number").values_list(
        "kind", "number", "title", "text", "sha256"
    )
    return [
        f"version {number} of the norm {kind} no longer matches its checksum"
        for kind, number, title, text, stored in rows.iterator(chunk_size=200)
        if norm_sha256(kind=kind, number=number, title=title, text=text) != stored
    ]
