"""The display-name rule's pure half: keys that make names "the same", and what is refused."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.names import (
    fold_key,
    hidden_character,
    keys,
    look_key,
    name_problem,
    shape_key,
    tidy,
)

# Plain names of Latin letters and spaces, the common case.
latin_names = st.text(alphabet="abcdefghijkmnopqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ ", min_size=1)
# Latin letters with a Cyrillic twin that looks the same.
CYRILLIC_TWINS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"}
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u3164", "\u115f", "\u00ad"]
BIDI = ["\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f"]


@given(latin_names)
def test_case_and_width_never_make_a_name_new(name: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in name)
    for variant in (name.upper(), name.lower(), name.swapcase(), fullwidth, f"  {name}  "):
        assert fold_key(variant) == fold_key(name)
        assert look_key(variant) == look_key(name)


@given(latin_names, st.data())
def test_a_look_alike_letter_gives_the_same_look(name: str, data: st.DataObject) -> None:
    twins = [i for i, c in enumerate(name) if c in CYRILLIC_TWINS]
    if not twins:
        name += "a"
        twins = [len(name) - 1]
    i = data.draw(st.sampled_from(twins))
    forged = name[:i] + CYRILLIC_TWINS[name[i]] + name[i + 1 :]
    assert fold_key(forged) != fold_key(name)  # not the same text...
    assert look_key(forged) == look_key(name)  # ...but the same to the eye
    assert shape_key(forged) == shape_key(name)


@given(latin_names, st.sampled_from(INVISIBLES + BIDI), st.integers(min_value=0))
def test_an_invisible_or_bidi_character_anywhere_is_refused(
    name: str, hidden: str, at: int
) -> None:
    i = at % (len(name) + 1)
    problem = name_problem(tidy(name[:i] + hidden + name[i:]))
    assert problem is not None
    assert "invisible" in problem


@given(st.text(min_size=1, max_size=40))
def test_the_keys_are_stable(name: str) -> None:
    """Keys of the kept (tidied) name do not change when computed again from themselves:
    the migration and the services can compute them in any order."""
    assert fold_key(fold_key(name)) == fold_key(name)
    assert fold_key(tidy(name)) == fold_key(name)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ada", "ADA"),
        ("Ada", "\uff21\uff44\uff41"),  # fullwidth
        ("Apa", "\u0410\u0440\u0430"),  # all Cyrillic
        ("Iris", "lris"),  # capital i and small L
        ("BO", "B0"),  # capital o and digit zero
        ("Strasse", "Straße"),  # case folding of sharp s
    ],
)
def test_names_people_would_confuse_share_a_key(first: str, second: str) -> None:
    assert any(a == b for a, b in zip(keys(first), keys(second), strict=True))


@pytest.mark.parametrize(
    ("first", "second"),
    [("Ada", "Ana"), ("Bo", "Cy"), ("José", "Jose"), ("Zoë", "Zoe"), ("李小龍", "李小龙")],
)
def test_different_names_stay_different(first: str, second: str) -> None:
    assert all(a != b for a, b in zip(keys(first), keys(second), strict=True))


@pytest.mark.parametrize("name", ["Ada Lovelace", "José", "Zoë", "李小龍", "Дмитрий", "O'Brien"])
def test_ordinary_names_in_any_script_are_accepted(name: str) -> None:
    assert name_problem(name) is None


def test_a_mixed_script_look_alike_is_refused() -> None:
    problem = name_problem("P\u0430ul")  # a Cyrillic a in a Latin name
    assert problem is not None
    assert "alphabets" in problem


def test_a_name_of_only_spaces_or_marks_is_refused() -> None:
    assert name_problem(tidy("   ")) is not None
    assert hidden_character("Ada") is None
    assert unicodedata.category(hidden_character("a\u202eb") or "") == "Cf"
