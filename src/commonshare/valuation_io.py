"""Reading valuation input: a JSON request into records, a CSV folder into columns.

The CSV reader is Arrow's (``pyarrow.csv.read_csv`` with a type per column) and
never builds a Python object per row: ids stay Arrow string arrays, sorted by
``sort_indices`` and coded by ``index_in`` (a hash lookup); numbers go straight
to NumPy.

Folder layout (header row required, columns in this order)::

    request.json       {"currency": "EUR", "amount": "1000.00", "method": "robust", "seed": "..."}
    members.csv        id,reputation            (reputation may be empty)
    contributions.csv  id,member,kind,effort
    reviews.csv        reviewer,contribution,rating,effort   (effort may be empty)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from commonshare.core.money import MoneyError, parse_decimal
from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
)
from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, NO_REPUTATION, Columns
from commonshare.core.valuation.types import MAX_RATING


# C901 allowed: a flat list of field checks (and three small field readers), each adding its problem
def request_from_json(  # noqa: C901
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


class ArrowIds(Sequence[str]):
    """Ids held as one Arrow string array; a ``str`` is made only when asked for."""

    def __init__(self, raw: pa.Array) -> None:
        self.raw = raw

    def __len__(self) -> int:
        return len(self.raw)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return ArrowIds(self.raw[index])
        if index < 0:
            index += len(self.raw)
        return str(self.raw[index].as_py())

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw.to_pylist())


def _read_csv(path: Path, types: dict[str, pa.DataType]) -> dict[str, pa.Array]:
    """One Arrow array per column, read by Arrow's C++ reader (no Python object per row)."""
    header = list(types)
    with path.open("rb") as handle:
        first = handle.readline().decode().strip()
    if first.split(",") != header:
        raise ValuationError([f"{path.name}: header must be {','.join(header)}, got {first!r}"])
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise ValuationError([f"{path.name}: {_arrow_message(error)}"]) from None
    return {name: table.column(name).combine_chunks() for name in header}


def _arrow_message(error: Exception) -> str:
    text = str(error).splitlines()[0]
    return re.sub(r"^CSV parse error: ", "", text)


def _codes(sorted_ids: pa.Array, values: pa.Array, where: str) -> npt.NDArray[np.int64]:
    """Position of each value among ``sorted_ids``; an unknown id names its row."""
    codes = pc.index_in(values, value_set=sorted_ids)
    if codes.null_count:
        row = int(np.flatnonzero(codes.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValuationError([f"{where}[{row}]: unknown id {values[row].as_py()!r}"])
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)


def _effort(values: pa.Array, where: str, *, empty: int) -> npt.NDArray[np.int64]:
    blank = values.is_null().to_numpy(zero_copy_only=False)
    numbers = values.fill_null(0.0).to_numpy(zero_copy_only=False)
    micro = np.round(numbers * EFFORT_SCALE).astype(np.int64)
    if (micro < 0).any():
        raise ValuationError(
            [f"{where}[{int(np.flatnonzero(micro < 0)[0])}]: effort: must not be negative"]
        )
    return np.where(blank, empty, micro)


def _unique_sorted(ids: pa.Array, where: str) -> tuple[pa.Array, npt.NDArray[np.int64]]:
    """Ids sorted (byte order = code point order, as Python sorts ``str``) and the order used."""
    if ids.null_count or (len(ids) and pc.min(pc.binary_length(ids)).as_py() == 0):
        raise ValuationError([f"{where}: every row needs an id"])
    order = pc.sort_indices(ids)
    sorted_ids = ids.take(order)
    if len(sorted_ids) > 1:
        dup = pc.equal(sorted_ids[1:], sorted_ids[:-1]).to_numpy(zero_copy_only=False)
        if dup.any():
            first = int(np.flatnonzero(dup)[0])
            raise ValuationError([f"{where}: duplicate id {sorted_ids[first].as_py()!r}"])
    return sorted_ids, order.to_numpy(zero_copy_only=False).astype(np.int64)


def load_csv_folder(folder: Path) -> tuple[dict[str, Any], Columns]:
    """The request header (``request.json``) and the columns from a CSV folder."""
    header = json.loads((folder / "request.json").read_text())
    text = pa.string()
    members_csv = _read_csv(folder / "members.csv", {"id": text, "reputation": pa.float64()})
    contributions_csv = _read_csv(
        folder / "contributions.csv",
        {"id": text, "member": text, "kind": text, "effort": pa.float64()},
    )
    reviews_csv = _read_csv(
        folder / "reviews.csv",
        {"reviewer": text, "contribution": text, "rating": pa.int64(), "effort": pa.float64()},
    )
    members, m_order = _unique_sorted(members_csv["id"], "members.csv")
    reputation = (
        members_csv["reputation"]
        .take(m_order)
        .fill_null(NO_REPUTATION)
        .to_numpy(zero_copy_only=False)
    )
    contributions, c_order = _unique_sorted(contributions_csv["id"], "contributions.csv")
    contribution_member = _codes(
        members, contributions_csv["member"].take(c_order), "contributions.csv member"
    )
    review_contribution = _codes(
        contributions, reviews_csv["contribution"], "reviews.csv contribution"
    )
    review_reviewer = _codes(members, reviews_csv["reviewer"], "reviews.csv reviewer")
    ratings = reviews_csv["rating"]
    if ratings.null_count:
        row = int(np.flatnonzero(ratings.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValuationError([f"reviews.csv[{row}]: rating: must be a whole number from 0 to 5"])
    rating = ratings.to_numpy(zero_copy_only=False).astype(np.int64)
    valid = (rating >= 0) & (rating <= MAX_RATING)
    if not valid.all():
        row = int(np.flatnonzero(~valid)[0])
        raise ValuationError([f"reviews.csv[{row}]: rating: must be a whole number from 0 to 5"])
    key = review_contribution * max(len(members), 1) + review_reviewer
    if key.size and bool((key[1:] < key[:-1]).any()):
        order = np.argsort(key, kind="stable")
        review_contribution = review_contribution[order]
        review_reviewer = review_reviewer[order]
        rating = rating[order]
        review_effort = reviews_csv["effort"].take(order)
    else:  # already in canonical order (contribution, then reviewer): nothing to move
        review_effort = reviews_csv["effort"]
    columns = Columns(
        member_ids=ArrowIds(members),
        reputation=np.asarray(reputation, dtype=np.float64),
        contribution_ids=ArrowIds(contributions),
        contribution_kind=ArrowIds(contributions_csv["kind"].take(c_order)),
        contribution_member=contribution_member,
        contribution_effort=_effort(
            contributions_csv["effort"].take(c_order), "contributions.csv", empty=0
        ),
        review_contribution=review_contribution,
        review_reviewer=review_reviewer,
        review_rating=rating,
        review_effort=_effort(review_effort, "reviews.csv", empty=NO_EFFORT),
    )
    return header, columns
