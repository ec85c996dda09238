"""Comments' words: mentions, references to other records, quoting, and the posting limits.

Pure: the discussion app finds members and counts comments, this module says what a
comment's text names and whether one more may be posted. No Django, no I/O, no clock.

- A *mention* is ``@`` and a member's handle: their display name without its spaces
  (``@AdaLovelace`` for "Ada Lovelace"), compared after Unicode NFKC and case folding.
- A *reference* is ``#`` and a kind and a number: ``#task-12``, ``#proposal-3``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

REFERENCE_KINDS = ("task", "contribution", "proposal", "distribution", "topic")
"""What ``#kind-number`` may name (a proposal by its number, the rest by their id)."""

# ``@`` not preceded by a word character (so "ada@example.org" is no mention), then the
# handle; a full stop or hyphen ending a sentence is not part of it.
MENTION = re.compile(r"(?<![\w@])@([^\W_](?:[\w.-]*[^\W_])?)")
REFERENCE = re.compile(rf"(?<![\w#&/])#({'|'.join(REFERENCE_KINDS)})-([1-9][0-9]{{0,9}})\b")
# Either, for whoever turns the text into links.
MARK = re.compile(f"{MENTION.pattern}|{REFERENCE.pattern}")


def handle_of(display_name: str) -> str:
    """The handle a member is mentioned by: their name without spaces or punctuation that
    a handle cannot hold ("Ada Lovelace" is ``AdaLovelace``; "Jean-Luc" stays)."""
    kept = "".join(ch for ch in display_name if ch.isalnum() or ch in "._-")
    return kept.strip("._-")


def handle_key(handle: str) -> str:
    """The form two handles are compared in: "ADA" and "ada" are one, and so are
    a name and its full-width form."""
    return unicodedata.normalize("NFKC", handle).casefold()


def mentions(text: str) -> list[str]:
    """The handles ``text`` mentions, each once, in the order first written (outside code)."""
    found: dict[str, str] = {}
    for match in MENTION.finditer(_without_code(text)):
        found.setdefault(handle_key(match.group(1)), match.group(1))
    return list(found.values())


@dataclass(frozen=True, order=True)
class Reference:
    kind: str
    number: int

    @property
    def text(self) -> str:
        return f"#{self.kind}-{self.number}"


def references(text: str) -> list[Reference]:
    """The records ``text`` refers to, each once, in the order first written."""
    found: dict[Reference, None] = {}
    for match in REFERENCE.finditer(_without_code(text)):
        found.setdefault(Reference(match.group(1), int(match.group(2))), None)
    return list(found)


_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`", re.DOTALL)


def _without_code(text: str) -> str:
    """``text`` with its code blocks and spans blanked: a handle in code is no mention."""
    return _CODE.sub(lambda match: " " * len(match.group(0)), text)


def quote(author: str, body: str) -> str:
    """Markdown quoting ``body`` by ``author``: each line as a block quote, then a blank line."""
    lines = body.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}".rstrip() for line in lines)
    return f"{author} wrote:\n\n{quoted}\n\n"


@dataclass(frozen=True)
class Recent:
    """What a member has posted lately: in the last 24 hours and in the last hour."""

    last_day: int
    last_hour: int


def posting_refusal(
    level: int, posted: Recent, *, level0_per_day: int, per_hour: int
) -> str | None:
    """Why a member at ``level`` who ``posted`` this much may not post now, or None."""
    if posted.last_hour >= per_hour:
        return (
            f"You have posted {_comments(posted.last_hour)} in the last hour, the most anyone "
            "may post in an hour. Please wait a while before posting again."
        )
    if level == 0 and posted.last_day >= level0_per_day:
        return (
            f"New members may post {_comments(level0_per_day)} a day, and you have posted "
            f"{_comments(posted.last_day)} in the last 24 hours. The limit lifts at trust "
            "level 1."
        )
    return None


def _comments(number: int) -> str:
    return f"{number} comment" if number == 1 else f"{number} comments"
