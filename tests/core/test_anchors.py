"""One reading of ``SEQ:HASH`` anchors, for the CLI, the API and COMMONSHARE_ANCHORS."""

import pytest

from commonshare.core.ledger.anchors import AnchorError, parse_anchor, parse_anchors

HASH = "ab" * 32


def test_an_anchor_is_a_sequence_number_and_a_lower_case_hash() -> None:
    assert parse_anchor(f" 12:{HASH.upper()} ") == (12, HASH)
    assert parse_anchors([f"1:{HASH}", "", "# a comment", f"1:{HASH}"]) == {1: HASH}


@pytest.mark.parametrize(
    "text",
    [
        "1",
        f"0:{HASH}",
        f"01:{HASH}",
        f"{'9' * 19}:{HASH}",
        f"1:{HASH[:-1]}",
        f"x:{HASH}",
        "1:" + "g" * 64,
    ],
)
def test_a_malformed_anchor_is_refused_with_the_field_and_the_value(text: str) -> None:
    with pytest.raises(AnchorError) as refused:
        parse_anchor(text, where="anchor")
    assert str(refused.value).startswith("anchor: give SEQ:HASH")
    assert repr(text[:80]) in str(refused.value)  # the value, up to 80 characters


def test_two_hashes_for_one_entry_are_refused_and_lines_are_named() -> None:
    with pytest.raises(AnchorError, match=r"^anchor: two hashes given for entry 3\.$"):
        parse_anchors([f"3:{HASH}", f"3:{'cd' * 32}"])
    with pytest.raises(AnchorError, match=r"^heads, line 2: give SEQ:HASH"):
        parse_anchors([f"3:{HASH}", "nonsense"], where="heads", numbered=True)
