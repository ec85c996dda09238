"""Views and API handlers hold no ORM query: every read goes through an app's selectors."""

from __future__ import annotations

import re
from pathlib import Path

import commonshare

SRC = Path(commonshare.__file__).parent
# A model's manager, named or default: the start of a query written in place.
QUERY = re.compile(r"\.objects\.|\._default_manager\b|\._base_manager\b")


def test_web_and_api_code_keeps_no_orm_query() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for folder in ("web", "api")
        for path in sorted((SRC / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if QUERY.search(line)
    ]
    assert found == [], "move these reads into the app's selectors:\n" + "\n".join(found)


def test_the_scan_sees_a_query() -> None:
    assert QUERY.search("rows = Task.objects.filter(pk=1)")
    assert QUERY.search("model._default_manager.filter(pk__in=pks)")
    assert not QUERY.search("selectors.tokens_of(member)")
