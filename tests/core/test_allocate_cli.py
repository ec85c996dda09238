"""The allocate command: JSON in, JSON out; bad input exits 2 with nothing on stdout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from commonshare.allocate_cli import allocate
from commonshare.core.valuation import ValuationError

DOCS = Path(__file__).resolve().parents[2] / "docs"

REQUEST = {
    "currency": "EUR",
    "amount": "1000.00",
    "method": "robust",
    "seed": "2024-05",
    "members": [{"id": "alice", "reputation": "0.5"}, {"id": "bob"}, {"id": "carol"}],
    "contributions": [
        {"id": "c1", "member": "alice", "kind": "work", "effort": "3.5"},
        {"id": "c2", "member": "bob", "kind": "work", "effort": "2"},
    ],
    "reviews": [
        {"reviewer": "bob", "contribution": "c1", "rating": 4, "effort": "3"},
        {"reviewer": "carol", "contribution": "c1", "rating": 5},
        {"reviewer": "alice", "contribution": "c2", "rating": 3},
        {"reviewer": "carol", "contribution": "c2", "rating": 4},
    ],
}


def run(args: list[str], stdin: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(allocate, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("method", ["mean", "robust", "impartial"])
def test_allocate_prints_exact_payouts(method: str) -> None:
    code, out, _ = run(["-", "--method", method], json.dumps(REQUEST))
    assert code == 0
    result = json.loads(out)
    total = sum(int(p["amount"].replace(".", "")) for p in result["payouts"])
    assert total + int(result["remainder"].replace(".", "")) == 100000
    assert result["method"] == method
    assert set(result["explanations"]) == {"alice", "bob", "carol"}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            lambda r: r["reviews"].append({"reviewer": "zed", "contribution": "c1", "rating": 3}),
            "zed",
        ),
        (
            lambda r: r["reviews"].append({"reviewer": "alice", "contribution": "c1", "rating": 3}),
            "own work",
        ),
        (lambda r: r["reviews"][0].update(rating=6), "reviews[0]"),
        (lambda r: r.update(amount="12.345"), "amount"),
        (lambda r: r.update(amount=12.5), "12.5"),
        (lambda r: r["contributions"].append(dict(r["contributions"][0])), "duplicate id"),
        (lambda r: r["members"].append({"id": "bob"}), "duplicate id"),
    ],
)
def test_bad_input_exits_2_with_nothing_on_stdout(change, fragment: str) -> None:  # type: ignore[no-untyped-def]
    request = json.loads(json.dumps(REQUEST))
    change(request)
    code, out, err = run(["-"], json.dumps(request))
    assert code == 2
    assert out == ""
    assert fragment in err


def test_float_amount_in_raw_json_is_refused() -> None:
    text = json.dumps(REQUEST).replace('"1000.00"', "1000.5")
    code, out, err = run(["-"], text)
    assert (code, out) == (2, "")
    assert "string" in err


def test_module_entry_point_runs_as_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST))
    done = subprocess.run(
        [sys.executable, "-m", "commonshare.allocate_cli", str(path), "--method", "impartial"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["method"] == "impartial"
    bad = subprocess.run(
        [sys.executable, "-m", "commonshare.allocate_cli", "-"],
        input="{not json",
        capture_output=True,
        text=True,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (2, "")


def test_csv_folder_gives_the_same_payouts_as_json(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_text(
        json.dumps({k: REQUEST[k] for k in ("currency", "amount", "method", "seed")})
    )
    (tmp_path / "members.csv").write_text("id,reputation\nalice,0.5\nbob,\ncarol,\n")
    (tmp_path / "contributions.csv").write_text(
        "id,member,kind,effort\n"
        + "".join(
            f"{c['id']},{c['member']},{c['kind']},{c['effort']}\n" for c in REQUEST["contributions"]
        )
    )
    (tmp_path / "reviews.csv").write_text(
        "reviewer,contribution,rating,effort\n"
        + "".join(
            f"{r['reviewer']},{r['contribution']},{r['rating']},{r.get('effort', '')}\n"
            for r in REQUEST["reviews"]
        )
    )
    for method in ("mean", "robust", "impartial"):
        code, out, err = run([str(tmp_path), "--method", method, "--explain", "alice"], "")
        assert code == 0, err
        from_csv = json.loads(out)
        _, out_json, _ = run(["-", "--method", method], json.dumps(REQUEST))
        from_json = json.loads(out_json)
        paid = [p for p in from_json["payouts"] if p["amount"] != "0.00"]
        assert [(p["member"], p["amount"]) for p in from_csv["payouts"]] == [
            (p["member"], p["amount"]) for p in paid
        ]
        assert from_csv["explanations"]["alice"] == from_json["explanations"]["alice"]
    (tmp_path / "reviews.csv").write_text("reviewer,contribution,rating,effort\nbob,c9,3,\n")
    code, out, err = run([str(tmp_path)], "")
    assert (code, out) == (2, "")
    assert "c9" in err


def _doc_examples() -> list[tuple[dict[str, object], dict[str, object]]]:
    text = (DOCS / "valuation.md").read_text()
    requests = re.findall(r"```json request\n(.*?)```", text, re.S)
    results = re.findall(r"```json result\n(.*?)```", text, re.S)
    assert requests and len(requests) == len(results)
    return [(json.loads(a), json.loads(b)) for a, b in zip(requests, results, strict=True)]


def _check(instance: object, schema: dict[str, object]) -> None:
    """The subset of JSON Schema the document uses: type, required, properties, items."""
    kinds = {"object": dict, "array": list, "string": str, "integer": int, "null": type(None)}
    allowed = schema.get("type")
    if allowed is not None:
        names = allowed if isinstance(allowed, list) else [allowed]
        assert any(isinstance(instance, kinds[n]) for n in names if n in kinds), (instance, names)
    if isinstance(instance, dict):
        for key in schema.get("required", []):  # type: ignore[attr-defined]
            assert key in instance, key
        for key, sub in schema.get("properties", {}).items():  # type: ignore[attr-defined]
            if key in instance:
                _check(instance[key], sub)
    if isinstance(instance, list) and "items" in schema:
        for item in instance:
            _check(item, schema["items"])  # type: ignore[arg-type]


def test_documented_examples_run_and_match_the_schema() -> None:
    schema = json.loads((DOCS / "valuation.schema.json").read_text())
    for request, expected in _doc_examples():
        _check(request, schema["$defs"]["request"])
        code, out, err = run(["-"], json.dumps(request))
        assert code == 0, err
        result = json.loads(out)
        _check(result, schema["$defs"]["result"])
        for key, value in expected.items():
            assert result[key] == value, key


def test_csv_folder_in_any_row_order_reads_the_canonical_columns(tmp_path: Path) -> None:
    """Rows in any order, empty reputations and efforts: the same arrays as the JSON path."""
    import numpy as np

    from commonshare.core.valuation.columns import columns_from_request
    from commonshare.valuation_io import load_csv_folder, request_from_json

    (tmp_path / "request.json").write_text(json.dumps({"currency": "EUR", "amount": "1.00"}))
    (tmp_path / "members.csv").write_text("id,reputation\ncarol,\nbob,\nalice,0.5\n")
    (tmp_path / "contributions.csv").write_text(
        "id,member,kind,effort\nc2,bob,work,2\nc1,alice,work,3.5\n"
    )
    (tmp_path / "reviews.csv").write_text(
        "reviewer,contribution,rating,effort\ncarol,c2,4,\nbob,c1,4,3\nalice,c2,3,\ncarol,c1,5,\n"
    )
    _, loaded = load_csv_folder(tmp_path)
    expected = columns_from_request(request_from_json(REQUEST))
    assert list(loaded.member_ids) == list(expected.member_ids)
    assert list(loaded.contribution_ids) == list(expected.contribution_ids)
    for name in (
        "reputation",
        "contribution_member",
        "contribution_effort",
        "review_contribution",
        "review_reviewer",
        "review_rating",
        "review_effort",
    ):
        assert np.array_equal(getattr(loaded, name), getattr(expected, name)), name
    (tmp_path / "reviews.csv").write_text("reviewer,contribution,rating,effort\nbob,c1,x,\n")
    with pytest.raises(ValuationError):
        load_csv_folder(tmp_path)
