"""Markdown from members never carries script or javascript: links to a reader."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commonshare.text import render_markdown

HOSTILE = """# Plan

<script>alert('x')</script>

[click](javascript:alert(1)) [again](JAVASCRIPT:alert(1)) [ok](https://example.org)

<a href="javascript:alert(2)">raw</a> <img src=x onerror=alert(3)>

![pic](javascript:alert(4))
"""


def test_markdown_is_rendered_safely() -> None:
    html = render_markdown(HOSTILE)
    assert "<h1>Plan</h1>" in html
    assert "<script" not in html
    assert "javascript:" not in html.lower().replace("[click](javascript:", "").replace(
        "[again](javascript:", ""
    ).replace("](javascript:", "")
    assert 'href="javascript' not in html.lower()
    assert 'src="javascript' not in html.lower()
    assert "onerror=" not in html.replace("onerror=alert(3)&gt;", "")
    assert '<a href="https://example.org" rel="nofollow noopener">ok</a>' in html


def test_empty_markdown() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


@pytest.mark.django_db
def test_task_description_is_rendered_safely(make_member: object) -> None:
    from commonshare.work import services

    ada = make_member("Ada")  # type: ignore[operator]
    task = services.create_task(ada, title="Hostile", description=HOSTILE, estimate_hours="1")
    page = Client().get(reverse("web:task", args=[task.pk])).content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript' not in page.lower()
    assert "&lt;script&gt;" in page
    assert 'rel="nofollow noopener"' in page
