"""Anchors: journal heads (``SEQ:HASH``) published somewhere the operator cannot reach.

One reading of the text for every door: the ``--anchor`` option, the API's
``anchor`` parameter and the lines of ``COMMONSHARE_ANCHORS``. A sequence
number is 1 to 18 digits without a leading zero (entry 0 is the empty
journal, which has nothing to anchor); the hash is 64 hexadecimal digits,
read in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ANCHOR = re.compile(r"([1-9][0-9]{0,17}):([0-9a-fA-F]{64})")


class AnchorError(ValueError):
    """Text that is not a list of anchors, with a message naming where it came from."""


def parse_anchor(text: str, *, where: str = "anchor") -> tuple[int, str]:
    """``(seq, hash)`` of one ``SEQ:HASH``; ``where`` names the field in the message."""
    match = _ANCHOR.fullmatch(text.strip())
    if match is None:
        shown = text.strip()[:80]
        raise AnchorError(
            f"{where}: give SEQ:HASH (the entry's number, a colon and its 64-character hash), "
            f"not {shown!r}."
        )
    return int(match[1]), match[2].lower()


def parse_anchors(
    items: Iterable[str], *, where: str = "anchor", numbered: bool = False
) -> dict[int, str]:
    """``{seq: hash}`` from anchors, one per item (given values, or the lines of a file).

    Blank items and ones starting with ``#`` are skipped. A malformed item, or two
    hashes for one entry, is refused (``AnchorError``); ``numbered`` names the line.
    """
    anchors: dict[int, str] = {}
    for number, raw in enumerate(items, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        seq, digest = parse_anchor(line, where=f"{where}, line {number}" if numbered else where)
        if anchors.get(seq, digest) != digest:
            raise AnchorError(f"{where}: two hashes given for entry {seq}.")
        anchors[seq] = digest
    return anchors
