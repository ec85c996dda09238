"""The two engines behind search: SQLite's FTS5 and PostgreSQL's ``tsvector``.

Both read the ``search_entry`` table and answer one question the same way: the entries
matching every word, best first, as ``Hit`` rows with an integer score (the engine's
rank times a billion, rounded, so a page can be found after a given score and id
exactly), a title with the matched words marked and a marked snippet of the text.

SQLite ranks by ``bm25`` (the title counting ``vocab.TITLE_WEIGHT`` times the text),
PostgreSQL by ``ts_rank`` over the title weighted A and the text weighted B. The words
reach either engine only as bound parameters, already made safe by
``core.search``: FTS5 gets each word quoted, PostgreSQL ``plainto_tsquery``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

from commonshare.core import search as text
from commonshare.search import vocab

SCALE = 1_000_000_000


@dataclass(frozen=True)
class Hit:
    id: int
    kind: str
    object_id: int
    title: str
    path: str
    place: str
    title_marked: str
    snippet: str
    score: int


# --- SQLite: FTS5 over the entry table, kept by triggers ----------------------------------

SQLITE_SETUP = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {vocab.FTS_TABLE} USING fts5(
        title, body, content='search_entry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_added AFTER INSERT ON search_entry BEGIN
        INSERT INTO {vocab.FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_removed AFTER DELETE ON search_entry BEGIN
        INSERT INTO {vocab.FTS_TABLE}({vocab.FTS_TABLE}, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_changed AFTER UPDATE ON search_entry BEGIN
        INSERT INTO {vocab.FTS_TABLE}({vocab.FTS_TABLE}, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO {vocab.FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]

POSTGRESQL_SETUP = [
    """ALTER TABLE search_entry ADD COLUMN IF NOT EXISTS document tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(body, '')), 'B')
        ) STORED""",
    "CREATE INDEX IF NOT EXISTS search_entry_document ON search_entry USING GIN (document)",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    """Make the engine's table, column, index and triggers where any is missing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [vocab.FTS_TABLE])
            fresh = cursor.fetchone() is None
            for statement in SQLITE_SETUP:
                cursor.execute(statement)
            if fresh:  # index what the table already holds
                cursor.execute(
                    f"INSERT INTO {vocab.FTS_TABLE}({vocab.FTS_TABLE}) VALUES ('rebuild')"
                )
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in POSTGRESQL_SETUP:
                cursor.execute(statement)


def find(
    words: list[str],
    *,
    kinds: Sequence[str],
    after: tuple[int, int] | None,
    before: tuple[int, int] | None,
    limit: int,
) -> list[Hit]:
    """Up to ``limit`` hits of ``kinds`` matching every word, best first, past ``after``
    (a score and id) or, walking back, just before ``before``."""
    if default_connection.vendor == "postgresql":
        sql, params = _postgresql(words, kinds, after, before, limit)
    else:
        sql, params = _sqlite(words, kinds, after, before, limit)
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [Hit(*row) for row in cursor.fetchall()]
    return rows[::-1] if before is not None else rows


def _window(
    after: tuple[int, int] | None, before: tuple[int, int] | None
) -> tuple[str, list[Any], str]:
    """The condition past the cursor, its parameters, and the order to walk in."""
    if after is not None:
        score, pk = after
        return "WHERE (score < %s OR (score = %s AND id < %s))", [score, score, pk], "DESC"
    if before is not None:
        score, pk = before
        return "WHERE (score > %s OR (score = %s AND id > %s))", [score, score, pk], "ASC"
    return "", [], "DESC"


def _sqlite(
    words: list[str],
    kinds: Sequence[str],
    after: tuple[int, int] | None,
    before: tuple[int, int] | None,
    limit: int,
) -> tuple[str, list[Any]]:
    window, window_params, order = _window(after, before)
    marks = [text.START, text.STOP]
    kind_list = ", ".join(["%s"] * len(kinds))
    fts = vocab.FTS_TABLE
    # The page is cut first (scores only); highlights and snippets are made for its rows.
    sql = f"""
        WITH page AS (
            SELECT id, score FROM (
                SELECT {fts}.rowid AS id,
                    CAST(round(-bm25({fts}, {vocab.TITLE_WEIGHT}, 1.0) * {SCALE}) AS INTEGER)
                        AS score
                FROM {fts} JOIN search_entry e ON e.id = {fts}.rowid
                WHERE {fts} MATCH %s AND e.kind IN ({kind_list})
            ) {window}
            ORDER BY score {order}, id {order} LIMIT %s
        )
        SELECT e.id, e.kind, e.object_id, e.title, e.path, e.place,
            highlight({fts}, 0, %s, %s),
            snippet({fts}, 1, %s, %s, '…', {vocab.SNIPPET_WORDS}),
            page.score
        FROM page
            JOIN {fts} ON {fts}.rowid = page.id
            JOIN search_entry e ON e.id = page.id
        WHERE {fts} MATCH %s
        ORDER BY page.score {order}, page.id {order}
    """  # table names and fixed fragments only; every value is a parameter
    match = text.fts5_match(words)
    params = [match, *kinds, *window_params, limit, *marks, *marks, match]
    return sql, params


def _headline_options(*, whole: bool) -> str:
    marks = f"StartSel={text.START}, StopSel={text.STOP}"
    if whole:
        return f"HighlightAll=true, {marks}"
    words = vocab.SNIPPET_WORDS
    return (
        f'{marks}, MaxWords={words}, MinWords={words // 2}, MaxFragments=2, FragmentDelimiter=" … "'
    )


def _postgresql(
    words: list[str],
    kinds: Sequence[str],
    after: tuple[int, int] | None,
    before: tuple[int, int] | None,
    limit: int,
) -> tuple[str, list[Any]]:
    window, window_params, order = _window(after, before)
    # The headlines are made for the page's rows only, after the page is cut.
    sql = f"""
        WITH q AS (SELECT plainto_tsquery('english', %s) AS query)
        SELECT found.id, found.kind, found.object_id, found.title, found.path, found.place,
            ts_headline('english', found.title, q.query, %s),
            ts_headline('english', found.body, q.query, %s),
            found.score
        FROM (
            SELECT * FROM (
                SELECT e.id, e.kind, e.object_id, e.title, e.body, e.path, e.place,
                    CAST(round(ts_rank(e.document, q.query) * {SCALE}) AS BIGINT) AS score
                FROM search_entry e, q
                WHERE e.document @@ q.query AND e.kind = ANY(%s)
            ) ranked {window}
            ORDER BY score {order}, id {order} LIMIT %s
        ) found, q
        ORDER BY found.score {order}, found.id {order}
    """  # fixed fragments only; every value is a parameter
    params = [
        text.plain_query(words),
        _headline_options(whole=True),
        _headline_options(whole=False),
        list(kinds),
        *window_params,
        limit,
    ]
    return sql, params
