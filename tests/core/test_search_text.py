"""The pure side of search: a query's words, safe FTS5 syntax, marked snippets, and
Markdown read as text."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from commonshare.core import search as text


def test_a_query_is_only_its_words() -> None:
    assert text.words('"Budget" -review* NEAR(x) title:Plan plan') == [
        "budget",
        "review",
        "near",
        "x",
        "title",
        "plan",
    ]
    assert text.words('"*-()  _ ') == []
    assert len(text.words(" ".join(f"w{n}" for n in range(50)))) == text.MAX_WORDS


@given(st.text())
def test_every_fts5_expression_is_quoted_words_only(query: str) -> None:
    found = text.words(query)
    expression = text.fts5_match(found)
    assert re.fullmatch(r'(?:"[^"]+"(?: "[^"]+")*)?', expression)
    assert all(word.casefold() == word and word for word in found)


@given(st.text())
def test_marks_split_and_join_back(snippet: str) -> None:
    parts = text.marked(snippet)
    assert text.plain(snippet) == "".join(p for p, _ in parts)
    assert text.START not in text.plain(snippet) and text.STOP not in text.plain(snippet)
    assert text.clean(snippet) == text.plain(snippet).replace("\x00", "")


def test_marked_parts_say_which_words_were_found() -> None:
    snippet = f"the {text.START}pump{text.STOP} leaks"
    assert text.marked(snippet) == [("the ", False), ("pump", True), (" leaks", False)]


def test_markdown_reads_as_text() -> None:
    markdown = (
        "## Steps\n\n**Twice** a [week](https://example.org), <i>no</i> more.\n"
        "- item _one_ and snake_case_word\n1. first\n> quote\n```py\ncode\n```\n![alt](a.png)"
    )
    assert text.as_text(markdown) == (
        "Steps\n\nTwice a week, <i>no</i> more.\nitem one and snake_case_word\n"
        "first\nquote\n\ncode\n\nalt"
    )


@example("2*3*4")
@example("a**b**c")
@example("a[b](c)d")
@given(st.text())
def test_markdown_as_text_keeps_every_word_it_does_not_drop_as_syntax(markdown: str) -> None:
    shown = text.as_text(markdown)
    assert set(text.words(shown)) <= set(text.words(markdown))
