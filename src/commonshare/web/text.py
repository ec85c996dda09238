"""Markdown that members write, rendered to HTML that is safe to show anyone.

Two independent guards: markdown-it in CommonMark mode with raw HTML disabled
(so ``<script>`` stays text and ``javascript:`` links are refused), then nh3
cleans the result against an allow-list, so a bug in either one alone is not
enough to inject markup. Every link gets ``rel="nofollow noopener"``. Images
are shown as links to them, never loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from commonshare.core.discussion import MARK

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
    return _rendered(text or "")


@functools.lru_cache(maxsize=512)
def _rendered(text: str) -> SafeString:
    # A pure function of the text: the same purpose, task or norm is drawn on page after
    # page, and rendering and cleaning it is most of a small page's time.
    return _clean(_MARKDOWN.render(text), "nofollow noopener")


def _clean(html: str, link_rel: str) -> SafeString:
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
    )
    # Safe by construction: the string has just been through nh3's allow-list.
    return mark_safe(cleaned)  # noqa: S308


# --- comments: mentions and references become links -----------------------------------

LinkFor = Callable[[str], str | None]
"""The address a mark (``@AdaLovelace``, ``#task-12``) links to, or None to leave it text."""

_COMMENTS = MarkdownIt("commonmark", {"html": False})
_COMMENTS.add_render_rule("image", _image_as_link)


def _linked_marks(state: StateCore) -> None:
    """Turn the marks in plain text (never in code, nor inside a link) into links."""
    link_for: LinkFor | None = state.env.get("link_for")
    if link_for is None:
        return
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _with_links(block.children, link_for)


def _with_links(tokens: list[Token], link_for: LinkFor) -> list[Token]:
    found: list[Token] = []
    depth = 0
    for token in tokens:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
        if token.type != "text" or depth:
            found.append(token)
            continue
        position = 0
        for match in MARK.finditer(token.content):
            href = link_for(match.group(0))
            if href is None:
                continue
            if match.start() > position:
                found.append(_text_token(token.content[position : match.start()]))
            found += [
                Token("link_open", "a", 1, attrs={"href": href}),
                _text_token(match.group(0)),
                Token("link_close", "a", -1),
            ]
            position = match.end()
        if position < len(token.content):
            found.append(_text_token(token.content[position:]))
    return found


def _text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


_COMMENTS.core.ruler.push("linked_marks", _linked_marks)


def render_comment(text: str, *, link_for: LinkFor, marked: bool = False) -> SafeString:
    """HTML for a comment: Markdown as ``render_markdown``, with each mention and reference
    that ``link_for`` knows made a link. A ``marked`` comment (by a new account) gives its
    links ``rel="nofollow ugc"``, telling search engines nobody vouched for them."""
    rel = "nofollow ugc noopener" if marked else "nofollow noopener"
    return _clean(_COMMENTS.render(text or "", {"link_for": link_for}), rel)
