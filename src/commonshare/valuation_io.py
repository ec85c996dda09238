"""Reading valuation input: a JSON request into records, a CSV folder into columns.

The CSV reader splits the file's bytes with NumPy and never builds a Python
object per row: ids become fixed-width byte arrays, codes come from sorted
``searchsorted`` lookups, numbers are parsed by NumPy casts.

Folder layout (header row required, columns in this order)::

    request.json       {"currency": "EUR", "amount": "1000.00", "method": "robust", "seed": "..."}
    members.csv        id,reputation            (reputation may be empty)
    contributions.csv  id,member,kind,effort
    reviews.csv        reviewer,contribution,rating,effort   (effort may be empty)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from commonshare.core.money import MoneyError, parse_decimal
from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
)
from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, NO_REPUTATION, Columns

CHUNK_ROWS = 1_000_000


def request_from_json(
    data: Any, *, method: str | None = None, seed: str | None = None
) -> AllocationRequest:
    """A request from parsed JSON; every bad record and field is listed at once."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ValuationError(["request: must be a JSON object"])

    def decimal(value: Any, where: str, *, optional: bool = False) -> Decimal | None:
        if value is None and optional:
            return None
        try:
            return parse_decimal(value, field=where)
        except MoneyError as error:
            problems.append(str(error))
            return None

    def records(key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            problems.append(f"{key}: must be a list of objects")
            return []
        return value

    def text(record: dict[str, Any], key: str, where: str) -> str:
        value = record.get(key)
        if not isinstance(value, str) or not value:
            problems.append(f"{where}: {key}: must be a non-empty string")
            return ""
        return value

    amount = decimal(data.get("amount"), "amount")
    currency = data.get("currency")
    if not isinstance(currency, str):
        problems.append("currency: must be a three-letter code")
    members = []
    for i, m in enumerate(records("members")):
        where = f"members[{i}]"
        rep = decimal(m.get("reputation"), f"{where}: reputation", optional=True)
        members.append(MemberInput(text(m, "id", where), rep))
    contributions = []
    for i, c in enumerate(records("contributions")):
        where = f"contributions[{i}] {c.get('id')!r}"
        effort = decimal(c.get("effort"), f"{where}: effort")
        contributions.append(
            ContributionInput(
                text(c, "id", where),
                text(c, "member", where),
                str(c.get("kind", "work")),
                effort if effort is not None else Decimal(0),
            )
        )
    reviews = []
    for i, r in enumerate(records("reviews")):
        where = f"reviews[{i}]"
        rating = r.get("rating")
        if isinstance(rating, bool) or not isinstance(rating, int):
            problems.append(f"{where}: rating: must be a whole number from 0 to 5")
            rating = 0
        effort = decimal(r.get("effort"), f"{where}: effort", optional=True)
        reviews.append(
            ReviewInput(text(r, "reviewer", where), text(r, "contribution", where), rating, effort)
        )
    policy = data.get("policy", {})
    if not isinstance(policy, dict):
        problems.append("policy: must be an object")
        policy = {}
    seed_value = seed if seed is not None else data.get("seed", "")
    if not isinstance(seed_value, str):
        problems.append("seed: must be a string")
        seed_value = ""
    if problems:
        raise ValuationError(problems)
    return AllocationRequest(
        currency=str(currency),
        amount=amount if amount is not None else Decimal(0),
        method=method or str(data.get("method", "robust")),
        seed=seed_value,
        members=tuple(members),
        contributions=tuple(contributions),
        reviews=tuple(reviews),
        policy=policy,
    )


class ByteIds(Sequence[str]):
    """Ids held as one fixed-width byte array; a ``str`` is made only when asked for."""

    def __init__(self, raw: npt.NDArray[np.bytes_]) -> None:
        self.raw = raw

    def __len__(self) -> int:
        return int(self.raw.shape[0])

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return ByteIds(self.raw[index])
        return bytes(self.raw[index]).decode()

    def __iter__(self) -> Iterator[str]:
        return (bytes(v).decode() for v in self.raw)


def _columns_of(path: Path, header: list[str]) -> list[npt.NDArray[np.bytes_]]:
    """Split a CSV file into one byte array per column (no quoting supported)."""
    raw = path.read_bytes().replace(b"\r\n", b"\n")
    if not raw.endswith(b"\n"):
        raw += b"\n"
    first, _, body = raw.partition(b"\n")
    found = first.decode().strip().split(",")
    if found != header:
        raise ValuationError(
            [f"{path.name}: header must be {','.join(header)}, got {first.decode()!r}"]
        )
    buf = np.frombuffer(body, dtype=np.uint8)
    n_cols = len(header)
    seps = np.flatnonzero((buf == ord(",")) | (buf == ord("\n")))
    newline = buf[seps] == ord("\n")
    if seps.size % n_cols or (seps.size and not newline[n_cols - 1 :: n_cols].all()):
        row = int(np.flatnonzero(newline)[0]) if newline.any() else 0
        raise ValuationError([f"{path.name}: every row needs {n_cols} fields (near field {row})"])
    starts = np.empty_like(seps)
    starts[0:1] = 0
    starts[1:] = seps[:-1] + 1
    out = []
    for j in range(n_cols):
        s, e = starts[j::n_cols], seps[j::n_cols]
        width = int((e - s).max()) if s.size else 1
        width = max(width, 1)
        parts = []
        for lo in range(0, s.size, CHUNK_ROWS):
            ss, ee = s[lo : lo + CHUNK_ROWS], e[lo : lo + CHUNK_ROWS]
            offsets = np.arange(width, dtype=np.int64)
            idx = np.minimum(ss[:, None] + offsets, buf.size - 1)
            chars = np.where(offsets < (ee - ss)[:, None], buf[idx], 0).astype(np.uint8)
            parts.append(chars.view(f"S{width}").ravel())
        out.append(np.concatenate(parts) if parts else np.array([], dtype=f"S{width}"))
    return out


def _codes(
    sorted_ids: npt.NDArray[np.bytes_], values: npt.NDArray[np.bytes_], where: str
) -> npt.NDArray[np.int64]:
    pos = np.searchsorted(sorted_ids, values)
    pos = np.minimum(pos, max(sorted_ids.size - 1, 0))
    bad = sorted_ids[pos] != values if sorted_ids.size else np.ones(values.size, dtype=bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValuationError([f"{where}[{row}]: unknown id {values[row].decode()!r}"])
    return pos.astype(np.int64)


def _effort(values: npt.NDArray[np.bytes_], where: str, *, empty: int) -> npt.NDArray[np.int64]:
    blank = values == b""
    try:
        numbers = np.where(blank, b"0", values).astype(np.float64)
    except ValueError:
        raise ValuationError([f"{where}: effort: not a decimal number"]) from None
    micro = np.round(numbers * EFFORT_SCALE).astype(np.int64)
    if (micro < 0).any():
        raise ValuationError(
            [f"{where}[{int(np.flatnonzero(micro < 0)[0])}]: effort: must not be negative"]
        )
    return np.where(blank, empty, micro)


def _unique_sorted(
    ids: npt.NDArray[np.bytes_], where: str
) -> tuple[npt.NDArray[np.bytes_], npt.NDArray[np.int64]]:
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    dup = sorted_ids[1:] == sorted_ids[:-1]
    if dup.any():
        raise ValuationError([f"{where}: duplicate id {sorted_ids[1:][dup][0].decode()!r}"])
    return sorted_ids, order


def load_csv_folder(folder: Path) -> tuple[dict[str, Any], Columns]:
    """The request header (``request.json``) and the columns from a CSV folder."""
    header = json.loads((folder / "request.json").read_text())
    m_id, m_rep = _columns_of(folder / "members.csv", ["id", "reputation"])
    c_id, c_member, c_kind, c_effort = _columns_of(
        folder / "contributions.csv", ["id", "member", "kind", "effort"]
    )
    r_reviewer, r_contribution, r_rating, r_effort = _columns_of(
        folder / "reviews.csv", ["reviewer", "contribution", "rating", "effort"]
    )
    members, m_order = _unique_sorted(m_id, "members.csv")
    rep_raw = m_rep[m_order]
    reputation = np.where(rep_raw == b"", str(NO_REPUTATION).encode(), rep_raw).astype(np.float64)
    contributions, c_order = _unique_sorted(c_id, "contributions.csv")
    contribution_member = _codes(members, c_member[c_order], "contributions.csv member")
    review_contribution = _codes(contributions, r_contribution, "reviews.csv contribution")
    review_reviewer = _codes(members, r_reviewer, "reviews.csv reviewer")
    rating_text = r_rating
    valid = (np.char.str_len(rating_text) == 1) & (rating_text >= b"0") & (rating_text <= b"5")
    if not valid.all():
        row = int(np.flatnonzero(~valid)[0])
        raise ValuationError([f"reviews.csv[{row}]: rating: must be a whole number from 0 to 5"])
    rating = (np.frombuffer(rating_text.astype("S1").tobytes(), dtype=np.uint8) - ord("0")).astype(
        np.int64
    )
    order = np.lexsort((review_reviewer, review_contribution))
    columns = Columns(
        member_ids=ByteIds(members),
        reputation=reputation,
        contribution_ids=ByteIds(contributions),
        contribution_kind=ByteIds(c_kind[c_order]),
        contribution_member=contribution_member,
        contribution_effort=_effort(c_effort[c_order], "contributions.csv", empty=0),
        review_contribution=review_contribution[order],
        review_reviewer=review_reviewer[order],
        review_rating=rating[order],
        review_effort=_effort(r_effort[order], "reviews.csv", empty=NO_EFFORT),
    )
    return header, columns
