"""The pure parts of norms: the line diff, the checksum, the text checks, the first paragraph."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.norms import (
    ADDED,
    REMOVED,
    SAME,
    DiffLine,
    first_paragraph,
    line_diff,
    norm_sha256,
    normalised,
    text_problems,
)


def test_a_changed_line_is_removed_then_added_between_kept_lines() -> None:
    before = "Be kind.\nBe direct.\nShare.\n"
    after = "Be kind.\nBe direct and fair.\nShare.\nAsk.\n"
    assert line_diff(before, after) == [
        DiffLine(SAME, "Be kind.", 1, 1),
        DiffLine(REMOVED, "Be direct.", 2, None),
        DiffLine(ADDED, "Be direct and fair.", None, 2),
        DiffLine(SAME, "Share.", 3, 3),
        DiffLine(ADDED, "Ask.", None, 4),
    ]


def test_identical_texts_have_only_kept_lines_and_an_empty_one_all_added() -> None:
    assert {line.change for line in line_diff("a\nb\n", "a\nb\n")} == {SAME}
    assert [line.change for line in line_diff("", "a\nb\n")] == [ADDED, ADDED]
    assert [line.change for line in line_diff("a\n", "")] == [REMOVED]


lines = st.lists(st.sampled_from(["alpha", "beta", "gamma", "", "- item", "# Head"]), max_size=12)


@given(lines, lines)
def test_the_diff_gives_back_both_texts_with_their_line_numbers(
    old: list[str], new: list[str]
) -> None:
    diff = line_diff("".join(f"{line}\n" for line in old), "".join(f"{line}\n" for line in new))
    assert [d.text for d in diff if d.change != ADDED] == old
    assert [d.text for d in diff if d.change != REMOVED] == new
    assert [d.before for d in diff if d.change != ADDED] == list(range(1, len(old) + 1))
    assert [d.after for d in diff if d.change != REMOVED] == list(range(1, len(new) + 1))
    assert all((d.before is None) == (d.change == ADDED) for d in diff)
    assert all((d.after is None) == (d.change == REMOVED) for d in diff)


def test_the_checksum_is_the_sha256_of_the_canonical_json_and_covers_every_field() -> None:
    digest = norm_sha256(kind="purpose", number=2, title="Our purpose", text="We share.\n")
    canonical = '{"kind":"purpose","number":2,"text":"We share.\\n","title":"Our purpose"}'
    assert digest == hashlib.sha256(canonical.encode("ascii")).hexdigest()
    others = {
        norm_sha256(kind="purposes", number=2, title="Our purpose", text="We share.\n"),
        norm_sha256(kind="purpose", number=3, title="Our purpose", text="We share.\n"),
        norm_sha256(kind="purpose", number=2, title="Purpose", text="We share.\n"),
        norm_sha256(kind="purpose", number=2, title="Our purpose", text="We share!\n"),
    }
    assert digest not in others and len(others) == 4


def test_text_problems_name_emptiness_length_and_null_characters() -> None:
    assert text_problems("Be kind.", limit=100) == []
    assert text_problems("  \n\t", limit=100) == [
        "The text of the norm is empty: write what the norm says."
    ]
    assert text_problems(None, limit=100) == text_problems("", limit=100)
    assert text_problems("x" * 101, limit=100) == [
        "The text of the norm is 101 characters long; at most 100 fit."
    ]
    assert text_problems("a\x00b", limit=100) == [
        "The text of the norm holds a null character, which no text may hold."
    ]


def test_normalised_text_has_plain_line_ends_and_one_final_newline() -> None:
    assert normalised("\n\nA  \r\nB\rC\n\n\n") == "A\nB\nC\n"
    assert normalised(normalised("x \n")) == "x\n"


def test_the_first_paragraph_skips_headings_and_joins_its_lines() -> None:
    text = "# Our purpose\n\n## Why\nWe make *things*\ntogether.\n\nSecond paragraph.\n"
    assert first_paragraph(text) == "We make *things* together."
    assert first_paragraph("# Only a heading\n") == ""
    assert first_paragraph("") == ""
