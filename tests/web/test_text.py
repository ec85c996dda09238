"""Markdown from members never carries script or javascript: links to a reader."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonshare.web.text import render_markdown

HOSTILE = """# Plan

<script>alert('x')</script>

[click](javascript:alert(1)) [again](JAVASCRIPT:alert(1)) [ok](https://example.org)

<a href="javascript:alert(2)">raw</a> <img src=x onerror=alert(3)>

![pic](javascript:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=)
"""


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def assert_harmless(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "object", "embed", "style"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src"}:
                assert value.strip().lower().startswith(("http:", "https:", "mailto:", "/", "#")), (
                    value
                )


def test_markdown_is_rendered_safely() -> None:
    html = render_markdown(HOSTILE)
    assert_harmless(html)
    assert "<h1>Plan</h1>" in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert links == [{"href": "https://example.org", "rel": "nofollow noopener"}]


def test_images_are_links_and_never_load() -> None:
    html = render_markdown("Chart: ![monthly *income*](https://tracker.example/p.png) ![](/a.png)")
    tags = elements(html)
    assert all(tag != "img" for tag, _ in tags)  # no request to another site on reading
    assert [attrs["href"] for tag, attrs in tags if tag == "a"] == [
        "https://tracker.example/p.png",
        "/a.png",
    ]
    assert "[image: monthly income]" in html and "[image]" in html


def test_empty_markdown() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


@pytest.mark.django_db
def test_task_description_is_rendered_safely(make_member: Any) -> None:
    from commonshare.work import services

    ada = make_member("Ada")
    task = services.create_task(ada, title="Hostile", description=HOSTILE, estimate_hours="1")
    page = Client().get(reverse("web:task", args=[task.pk])).content.decode()
    assert_harmless(page)
    assert "&lt;script&gt;" in page
    assert 'rel="nofollow noopener"' in page
