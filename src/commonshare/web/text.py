"""Markdown that members write, rendered to HTML that is safe to show anyone.

Two independent guards: markdown-it in CommonMark mode with raw HTML disabled
(so ``<script>`` stays text and ``javascript:`` links are refused), then nh3
cleans the result against an allow-list, so a bug in either one alone is not
enough to inject markup. Every link gets ``rel="nofollow noopener"``. Images
are shown as links to them, never loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def _image_as_link(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    """An image becomes a link to it: a picture from another site would tell that site who
    reads the page, and when (a tracking pixel)."""
    image = tokens[idx]
    label = renderer.renderInlineAsText(image.children or [], options, env)
    text = f"[image: {label}]" if label else "[image]"
    source = escapeHtml(str(image.attrGet("src") or ""))
    return f'<a href="{source}">{escapeHtml(text)}</a>'


_MARKDOWN.add_render_rule("image", _image_as_link)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
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
