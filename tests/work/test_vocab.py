"""Work's vocabulary is stated once: the API's literal types, the choices and the limits agree."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from commonshare.core.valuation.types import MAX_RATING
from commonshare.work import vocab
from commonshare.work.models import Contribution, Review, Task

SRC = Path(__file__).resolve().parents[2] / "src" / "commonshare"


def test_the_api_literals_are_the_choices() -> None:
    assert get_args(vocab.TaskStatusValue) == tuple(vocab.TaskStatus.values)
    assert get_args(vocab.ContributionKindValue) == tuple(vocab.ContributionKind.values)


def test_the_models_use_the_vocabulary() -> None:
    assert Task.Status is vocab.TaskStatus
    assert Contribution.Kind is vocab.ContributionKind
    assert Task._meta.get_field("title").max_length == vocab.TITLE_MAX
    assert Contribution._meta.get_field("summary").max_length == vocab.SUMMARY_MAX
    assert Contribution._meta.get_field("unit_name").max_length == vocab.UNIT_NAME_MAX
    assert Review._meta.get_field("comment").max_length == vocab.COMMENT_MAX
    assert max(map(len, vocab.TaskStatus.values)) <= vocab.STATUS_MAX
    assert max(map(len, vocab.ContributionKind.values)) <= vocab.KIND_MAX


def test_every_kind_has_its_fields_and_words() -> None:
    kinds = set(vocab.ContributionKind.values)
    assert set(vocab.KIND_FIELDS) == set(vocab.KIND_REQUIRES) == set(vocab.KIND_NAMES) == kinds
    for kind, required in vocab.KIND_REQUIRES.items():
        assert required <= set(vocab.KIND_FIELDS[kind])


def test_ratings_run_on_the_valuations_scale() -> None:
    assert (vocab.RATING_MIN, vocab.RATING_MAX) == (0, MAX_RATING)


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    }


def test_no_status_or_kind_is_spelled_outside_the_vocabulary() -> None:
    """Statuses, kinds, sources and verdicts are written only in the apps' vocab modules
    (and migrations, which freeze them)."""
    words = {
        *vocab.TaskStatus.values,
        "deliverable",
        "expense",
        "resource",
        "pending",
        "approved",
        "rejected",
        "approve",
        "reject",
        "custom-work",
        "hosting",
        "donations",
    }

    def allowed(relative: str) -> set[str]:
        if relative.endswith("cli.py") or relative.startswith("cli/"):
            return {"done", "approve", "reject"}  # the commands' names
        if "policy" in relative:
            return {"deliverable"}  # the value policy's own table, versioned with it
        return {
            "web/views/contributions.py": {"expense"},  # a template's context key
            "web/ledger.py": {"expense"},  # a journal source's prefix
            "web/activity.py": {"claimed"},  # an audit event's verb
            # A tally's outcome, in pure core (which cannot import an app's vocabulary).
            "core/decisions/result.py": {"rejected"},
        }.get(relative, set())

    found = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if "migrations" in relative or relative.endswith("vocab.py"):
            continue
        spelled = (_string_constants(path) & words) - allowed(relative)
        if spelled:
            found[relative] = sorted(spelled)
    assert found == {}
