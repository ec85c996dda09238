"""A page part read once is served from the process's own copy, not fetched again."""

from __future__ import annotations

from typing import Any

import pytest

from commonshare.web import fragments

pytestmark = pytest.mark.django_db


def test_a_part_read_again_is_not_fetched_from_the_shared_cache(
    make_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = make_member("Ada")
    drawn: list[int] = []

    def draw() -> fragments.Drawn:
        drawn.append(1)
        return f"<p>{ada.display_name}</p>", {str(ada.pk): ada.display_name}

    first = fragments.rendered("test-part", draw, parts=(1,), head="7:abc")
    fetched: list[str] = []
    real_get = fragments.cache.get
    monkeypatch.setattr(fragments.cache, "get", lambda key: fetched.append(key) or real_get(key))
    again = fragments.rendered("test-part", draw, parts=(1,), head="7:abc")
    assert again == first == "<p>Ada</p>"
    assert drawn == [1]
    assert fetched == []

    fragments.forget_kept_parts()  # another process: it fetches the shared copy once
    assert fragments.rendered("test-part", draw, parts=(1,), head="7:abc") == first
    assert len(fetched) == 1
    assert drawn == [1]
