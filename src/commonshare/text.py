"""Markdown that members write, rendered to HTML that is safe to show anyone.

Two independent guards: markdown-it in CommonMark mode with raw HTML disabled
(so ``<script>`` stays text and ``javascript:`` links are refused), then nh3
cleans the result against an allow-list, so a bug in either one alone is not
enough to inject markup. Every link gets ``rel="nofollow noopener"``.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False})

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> SafeString:
    """HTML for ``text``; raw HTML is shown as text and unsafe links are dropped."""
    html = _MARKDOWN.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )
    # Safe by construction: the string has just been through nh3's allow-list.
    return mark_safe(cleaned)  # noqa: S308
