"""Search text, database-free: the words of a query, safe FTS5 syntax, marked snippets.

A query is never handed to a full-text engine as written. It is cut into words
(letters and digits); everything else (quotes, ``*``, ``-``, ``NEAR``, parentheses,
column filters) is a separator. Each word then goes to FTS5 as a quoted string, so
``NEAR`` or ``OR`` is just a word to look for; PostgreSQL gets the words joined by
spaces through ``plainto_tsquery``, which reads no operators at all. All the words
must match.

Snippets come back from the engine with the matched words between ``START`` and
``STOP``, two private-use characters that indexed text never holds (``clean``
removes them), so ``marked`` can split a snippet into plain and matched parts
for a page to escape and mark up.
"""

from __future__ import annotations

import re

MAX_WORDS = 12
"""Words of a query looked for; the rest are ignored."""
MAX_WORD = 60
"""Characters of one word looked for."""
MAX_QUERY = 500
"""Characters of a query read at all."""

START = "\ue000"
STOP = "\ue001"

_WORD = re.compile(r"[^\W_]+")
# Markdown's marks, roughly, for ``as_text``: images and links keep their words, block marks
# at the start of a line go, emphasis and code marks around words go.
_IMAGE_OR_LINK = re.compile(r"(?<![^\W_])!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)(?![^\W_])")
_BLOCK_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.M)
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~).*$", re.M)
# Emphasis and code marks count only outside a word, so removing them never joins two words.
_EMPHASIS = re.compile(r"(?<![^\W_])(\*{1,3}|_{1,3}|~~|`+)(?=\S)(.+?)(?<=\S)\1(?![^\W_])")
_MARKS = re.compile(f"[{START}{STOP}\x00]")


def words(query: str) -> list[str]:
    """The words of ``query`` to look for, in order, each once, lower-cased."""
    seen: list[str] = []
    for found in _WORD.findall(query[:MAX_QUERY]):
        word = found[:MAX_WORD].casefold()
        if word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def fts5_match(found: list[str]) -> str:
    """An FTS5 ``MATCH`` expression asking for every word: each one a quoted string."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in found)


def plain_query(found: list[str]) -> str:
    """The text PostgreSQL's ``plainto_tsquery`` reads: the words, spaces between."""
    return " ".join(found)


def as_text(markdown: str) -> str:
    """Roughly what a reader sees of ``markdown``, as plain text: link and image syntax,
    heading, quote and list marks, fences and emphasis marks removed, the words kept.
    Fast (a few regular expressions) rather than exact: it only shapes what snippets show
    and what is indexed. Any HTML written in it stays as text."""
    text = _IMAGE_OR_LINK.sub(r"\1", markdown)
    text = _FENCE.sub("", text)
    text = _BLOCK_MARK.sub("", text)
    for _ in range(2):  # emphasis inside emphasis: **a _b_ c**
        text = _EMPHASIS.sub(r"\2", text)
    return text.strip()


def clean(text: str) -> str:
    """Text fit to index: without the snippet marks (or NUL, which PostgreSQL refuses)."""
    return _MARKS.sub("", text)


def marked(snippet: str) -> list[tuple[str, bool]]:
    """``snippet`` as parts ``(text, matched)``, in order; unbalanced marks are dropped."""
    parts: list[tuple[str, bool]] = []
    inside = False
    current = ""
    for char in snippet:
        if char in (START, STOP):
            if current:
                parts.append((current, inside))
            current = ""
            inside = char == START
        else:
            current += char
    if current:
        parts.append((current, inside))
    return parts


def plain(snippet: str) -> str:
    """``snippet`` without its marks."""
    return "".join(text for text, _ in marked(snippet))
