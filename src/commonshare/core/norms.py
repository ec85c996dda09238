"""Norms as data: a version's checksum, the line diff between two versions, the checks a
text must pass, and the paragraph a norm opens with.

Pure: no Django, no clock. The governance app stores the versions and calls these.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Literal

ADDED: Literal["added"] = "added"
REMOVED: Literal["removed"] = "removed"
SAME: Literal["same"] = "same"
LineChange = Literal["added", "removed", "same"]

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: whether it was added, removed or kept, its text, and its line
    number in the older (``before``) and the newer (``after``) text, where it has one."""

    change: LineChange
    text: str
    before: int | None
    after: int | None


def line_diff(before: str, after: str) -> list[DiffLine]:
    """Every line of both texts, in order: kept lines once, removed lines before the lines
    added in their place. Joining the ``same`` and ``removed`` lines gives ``before`` back;
    the ``same`` and ``added`` lines give ``after``."""
    old, new = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [
                DiffLine(SAME, old[i], i + 1, j + 1)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        lines += [DiffLine(REMOVED, old[i], i + 1, None) for i in range(i1, i2)]
        lines += [DiffLine(ADDED, new[j], None, j + 1) for j in range(j1, j2)]
    return lines


def norm_sha256(*, kind: str, number: int, title: str, text: str) -> str:
    """The lower-case hex sha256 of a version's canonical JSON: ``{"kind", "number",
    "text", "title"}``, keys sorted, no spaces, ASCII (the journal's canonical form)."""
    content = {"kind": kind, "number": number, "text": text, "title": title}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def text_problems(text: object, *, limit: int) -> list[str]:
    """What is wrong with ``text`` as a norm's Markdown, in sentences (none when it is fine)."""
    if not isinstance(text, str) or not text.strip():
        return ["The text of the norm is empty: write what the norm says."]
    found = []
    if len(text) > limit:
        found.append(
            f"The text of the norm is {len(text):,} characters long; at most {limit:,} fit."
        )
    if "\x00" in text:
        found.append("The text of the norm holds a null character, which no text may hold.")
    return found


def normalised(text: str) -> str:
    """The text as stored: line endings made ``\\n``, trailing spaces of lines and blank
    lines at either end dropped, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def first_paragraph(text: str) -> str:
    """The first paragraph of Markdown ``text`` that is not a heading (its source lines
    joined by spaces), or ``""`` when there is none."""
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        prose = [line for line in lines if not line.startswith("#")]
        if prose:
            return " ".join(prose)
    return ""
