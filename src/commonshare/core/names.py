"""Display names: the one rule every door (sign-up, profile edit, API, CLI) uses.

A display name is how members know who did what, so one member must not be able to pass
for another. Three checks, in this order:

1. ``name_problem`` refuses characters nobody can see or that reorder the text around
   them (zero-width spaces and joiners, bidi controls, fillers), control characters, and
   names that mix scripts with look-alike letters (a Latin "Paul" with a Cyrillic "a", U+0430).
2. ``fold_key`` is the name after Unicode NFKC and case folding, with its spaces
   collapsed: "ADA", "ada" and "ada" in fullwidth letters share one key.
3. ``look_key`` and ``shape_key`` map every character to one representative of its class
   of look-alikes (Unicode's confusables, from the maintained ``confusable-homoglyphs``
   data, closed under "looks like"): the first in small letters, the second as typed. So
   "Apa" in Cyrillic letters and in Latin ones share a look, "IRIS" and "lRIS" a shape.

Two current members may not share any of the keys. Pure: no Django, no I/O.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from confusable_homoglyphs import confusables  # type: ignore[import-untyped]

# Characters that show as nothing but are letters or symbols to Unicode (not format
# characters), so the category check alone would let them through.
INVISIBLE_LETTERS = frozenset(
    "\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0"  # Hangul fillers, Khmer, braille blank
)
# Categories refused anywhere in a name: controls, format characters (zero-width, bidi
# controls, soft hyphen), private use, surrogates, unassigned, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_MARKS = "\u200e\u200f"  # the data wraps right-to-left glyphs in direction marks


def tidy(name: str | None) -> str:
    """The name as it is kept: trimmed, with each run of spaces made one space."""
    return " ".join((name or "").split())


def hidden_character(text: str) -> str | None:
    """The first character of ``text`` that is invisible, a control or a bidi control."""
    return next(
        (
            c
            for c in text
            if unicodedata.category(c) in REFUSED_CATEGORIES or c in INVISIBLE_LETTERS
        ),
        None,
    )


def name_problem(name: str) -> str | None:
    """Why ``name`` (already tidied) cannot be a display name, in a sentence; else None."""
    hidden = hidden_character(name)
    if hidden is not None:
        return (
            "A display name cannot contain invisible characters or characters that "
            f"change the direction of text (it has {_describe(hidden)})."
        )
    if not fold_key(name).strip():
        return "Choose a display name with at least one visible letter."
    if confusables.is_dangerous(unicodedata.normalize("NFKC", name)):
        return (
            "A display name cannot mix letters of different alphabets that look alike "
            "(such as a Latin and a Cyrillic “a”): it could pass for another member's name."
        )
    return None


def _describe(char: str) -> str:
    named = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} {named.lower()}" if named else code


def fold_key(name: str) -> str:
    """The name after NFKC and case folding, spaces collapsed: what "the same name" means."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def look_key(name: str) -> str:
    """What the name looks like in small letters: case folded, then each character
    replaced by its look-alike class's representative ("ara" in Cyrillic is "ara")."""
    return _skeleton(unicodedata.normalize("NFKC", name).casefold())


def shape_key(name: str) -> str:
    """What the name looks like as typed, capitals and all, then case folded: "IRIS" and
    "lRIS", or "BO" and "B0", share one shape though their small letters differ."""
    return _skeleton(unicodedata.normalize("NFKC", name)).casefold()


def keys(name: str) -> tuple[str, str, str]:
    """The three keys two current members' names may not share."""
    return fold_key(name), look_key(name), shape_key(name)


def _skeleton(text: str) -> str:
    classes = _classes()
    return " ".join("".join(classes.get(c, c) for c in text).split())


@cache
def _classes() -> dict[str, str]:
    """Each confusable character's class representative (its lowest code point)."""
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.get(char, char) != char:
            char = parent[char]
        return char

    data: dict[str, list[dict[str, str]]] = confusables.confusables_data
    for char, glyphs in data.items():
        for glyph in glyphs:
            other = glyph["c"].strip(_MARKS)
            if len(char) == 1 and len(other) == 1:
                a, b = root(char), root(other)
                if a != b:
                    low, high = sorted((a, b))
                    parent[high] = low
    return {char: root(char) for char in parent} | {
        char: root(char) for char in list(parent.values())
    }
