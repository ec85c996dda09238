"""Search finds every kind of record, ranked, paged and highlighted, on SQLite and
PostgreSQL alike, and never shows a deleted comment or a member who left."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare import search
from commonshare.community import services as community
from commonshare.decisions import services as decisions
from commonshare.discussion import services as discussion
from commonshare.errors import InvalidInput
from commonshare.paging import BadCursor
from commonshare.search import indexing
from commonshare.search.models import Entry
from commonshare.work import services as work
from tests.norms import adopt_as_decision

pytestmark = pytest.mark.django_db

Committed = Callable[[], Any]


def _task(member: Any, title: str, description: str = "") -> Any:
    return work.create_task(member, title=title, description=description, estimate_hours="2")


def _found(query: str, **options: Any) -> list[tuple[str, int]]:
    return [(r.kind, r.object_id) for r in search.search(query, **options)]


def test_every_kind_is_found_by_one_word(make_member: Any, committed: Committed) -> None:
    with committed():
        ada = make_member("Ada Lovelace")
    with committed():
        community.update_profile(ada, display_name="Ada Lovelace", bio="I like marzipan.")
    with committed():
        task = _task(ada, "Bake the marzipan cake")
    with committed():
        contribution = work.log_contribution(
            ada,
            work.ContributionInput(
                kind="work", summary="Marzipan bought", hours="1", evidence_text="receipt"
            ),
        )
    with committed():
        comment = discussion.post_comment(ada, f"task-{task.pk}", "Is marzipan vegan?").comment
    with committed():
        proposal = decisions.propose(
            ada,
            title="Buy a marzipan mould",
            body="",
            kind="other",
            method="majority",
            voting_days=3,
        )
    with committed():
        norm = adopt_as_decision("purpose", "We make marzipan together.", decision_number=1)
    assert set(_found("marzipan")) == {
        ("member", ada.pk),
        ("task", task.pk),
        ("contribution", contribution.pk),
        ("comment", comment.pk),
        ("proposal", proposal.pk),
        ("norm", norm.pk),
    }
    assert _found("marzipan", kinds=["task"]) == [("task", task.pk)]
    paths = {r.kind: r.path for r in search.search("marzipan")}
    assert paths["task"] == f"/tasks/{task.pk}/"
    assert paths["comment"] == f"/tasks/{task.pk}/#comment-{comment.pk}"
    assert paths["proposal"] == f"/decisions/{proposal.number}/"
    assert paths["norm"] == f"/norms/purpose/{norm.number}/"


def test_only_the_norm_version_in_force_is_found(committed: Committed) -> None:
    with committed():
        first = adopt_as_decision("purpose", "We grow quinces.", decision_number=1)
    assert _found("quinces") == [("norm", first.pk)]
    with committed():
        second = adopt_as_decision("purpose", "We grow quinces and pears.", decision_number=2)
    assert _found("quinces") == [("norm", second.pk)]


def test_nothing_is_indexed_before_the_commit(
    make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ada = make_member("Ada")
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        task = _task(ada, "Tune the harpsichord")
    assert _found("harpsichord") == []  # the write is not committed yet
    for callback in waiting:
        callback()
    assert _found("harpsichord") == [("task", task.pk)]


def test_a_title_match_ranks_above_a_passing_mention(
    make_member: Any, committed: Committed
) -> None:
    ada = make_member("Ada")
    with committed():
        passing = _task(ada, "Sort the shed", "Tidy up; " + "boxes and tools. " * 30 + "lantern")
        for n in range(6):
            _task(ada, f"Other work {n}", "Nothing to see here at all.")
        titled = _task(ada, "Mend the lantern", "It flickers.")
    assert _found("lantern") == [("task", titled.pk), ("task", passing.pk)]
    scores = [r.score for r in search.search("lantern")]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]


def test_every_word_must_be_found(make_member: Any, committed: Committed) -> None:
    ada = make_member("Ada")
    with committed():
        both = _task(ada, "Paint the red door")
        _task(ada, "Paint the fence")
    assert _found("paint red") == [("task", both.pk)]


def test_snippets_mark_the_words_found_and_escape_everything_else(
    make_member: Any, committed: Committed
) -> None:
    ada = make_member("Ada")
    with committed():
        _task(ada, "Fix <script>alert(1)</script> pump", "The pump < the valve & the hose.")
    (result,) = search.search("pump")
    assert "<mark>pump</mark>" in result.title_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.title_html
    assert "<mark>pump</mark>" in result.snippet_html
    assert "&lt; the valve &amp; the hose" in result.snippet_html
    assert "<script>" not in result.title_html + result.snippet_html
    assert "pump" in result.snippet and "<mark>" not in result.snippet


def test_pages_walk_forward_and_back_without_repeats(
    make_member: Any, committed: Committed
) -> None:
    ada = make_member("Ada")
    with committed():
        made = {_task(ada, f"Walnut {n}", "walnut " * (n % 5)).pk for n in range(23)}
    pages, cursor = [], None
    while True:
        page = search.search("walnut", cursor=cursor, size=10)
        pages.append([r.object_id for r in page])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [len(p) for p in pages] == [10, 10, 3]
    seen = list(itertools.chain(*pages))
    assert len(seen) == len(set(seen)) and set(seen) == made
    assert seen == [r.object_id for r in search.search("walnut", size=50)]  # one order
    third = search.search("walnut", cursor=page.previous_cursor, size=10)
    assert [r.object_id for r in third] == pages[1]
    assert third.has_next and third.has_previous


def test_a_cursor_that_was_not_handed_out_is_refused(make_member: Any) -> None:
    for bad in ("nonsense", "WyJhIiwxLjUsMV0", "WyJhIiwiMSIsMV0"):
        with pytest.raises(BadCursor):
            search.search("walnut", cursor=bad)


@pytest.mark.parametrize("query", ["", "   ", '"*-()', "- * :^", "_"])
def test_a_query_without_words_gets_a_plain_refusal(query: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        search.search(query)
    assert refused.value.field == "q"
    assert "word" in refused.value.message


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        search.search("walnut", kinds=["ledger"])
    assert refused.value.field == "kind" and "“ledger”" in refused.value.message


def test_search_syntax_in_a_query_is_just_words(make_member: Any, committed: Committed) -> None:
    ada = make_member("Ada")
    with committed():
        task = _task(ada, "Near the river", "The NEAR OR AND NOT words are words here.")
    for query in ('"near', "near*", "-near", "NEAR(river)", "near:river", "near OR nothing"):
        found = _found(query)
        assert ("task", task.pk) in found or query == "near OR nothing"
    assert _found("near OR nothing") == []  # every word must be found, OR is one of them


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(max_size=80))
def test_no_query_string_raises_anything_but_a_plain_refusal(query: str) -> None:
    try:
        page = search.search(query)
    except InvalidInput as refused:
        assert refused.field == "q"
    else:
        assert list(page) == list(page)


def test_a_member_who_left_is_not_found_and_one_who_rejoined_is(
    make_member: Any, committed: Committed
) -> None:
    with committed():
        cy = make_member("Cyrano Quixote")
    assert _found("quixote") == [("member", cy.pk)]
    with committed():
        community.leave(cy)
    assert _found("quixote") == []
    with committed():
        community.rejoin(cy)
    assert _found("quixote") == [("member", cy.pk)]


def test_a_stale_index_still_never_shows_what_was_taken_down(
    make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A lost after-commit hook leaves the entry behind; the page read checks the records."""
    ada = make_member("Ada")
    with django_capture_on_commit_callbacks(execute=True):
        task = _task(ada, "Oil the gate")
        comment = discussion.post_comment(ada, f"task-{task.pk}", "Squeaky hinge.").comment
    with django_capture_on_commit_callbacks(execute=False):  # the hooks are lost
        discussion.delete_comment(ada, comment.pk)
        community.leave(ada)
    assert Entry.objects.filter(kind="comment", object_id=comment.pk).exists()
    assert _found("squeaky") == []
    assert _found("ada") == []
    indexing.rebuild()
    assert not Entry.objects.filter(kind="comment", object_id=comment.pk).exists()


def test_reindexing_rebuilds_what_was_lost(make_member: Any, committed: Committed) -> None:
    ada = make_member("Ada")
    with committed():
        task = _task(ada, "Sharpen the scythe")
    Entry.objects.all().delete()
    assert _found("scythe") == []
    told: list[int] = []
    made = indexing.rebuild(progress=told.append)
    assert made == Entry.objects.count() and sum(told) == indexing.record_count()
    assert _found("scythe") == [("task", task.pk)]


def test_an_edited_comment_is_found_by_its_new_text_only(
    make_member: Any, committed: Committed
) -> None:
    ada = make_member("Ada")
    with committed():
        task = _task(ada, "Plant bulbs")
        comment = discussion.post_comment(ada, f"task-{task.pk}", "Tulips first.").comment
    with committed():
        discussion.edit_comment(ada, comment.pk, "Daffodils first.")
    assert _found("tulips") == []
    assert _found("daffodils") == [("comment", comment.pk)]


_words = itertools.count()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    bodies=st.lists(
        st.tuples(st.text(alphabet="abc <>&*\"'-", max_size=20), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    stale=st.booleans(),
)
def test_a_deleted_comment_never_shows_in_search(
    make_member: Any,
    django_capture_on_commit_callbacks: Any,
    many_posts: None,
    bodies: list[tuple[str, bool]],
    stale: bool,
) -> None:
    word = f"kumquat{next(_words)}"  # one word per example: examples share the database
    with django_capture_on_commit_callbacks(execute=True):
        ada = make_member()
        task = _task(ada, "A thread")
    posted = []
    for body, deleted in bodies:
        with django_capture_on_commit_callbacks(execute=True):
            comment = discussion.post_comment(ada, f"task-{task.pk}", f"{word} {body}").comment
        posted.append((comment, deleted))
    for comment, deleted in posted:
        if deleted:
            with django_capture_on_commit_callbacks(execute=not stale):
                discussion.delete_comment(ada, comment.pk)
    shown = {r.object_id for r in search.search(word, kinds=["comment"], size=100)}
    assert shown == {c.pk for c, deleted in posted if not deleted}


def test_a_closed_decision_indexes_the_norms_in_force(
    make_member: Any, committed: Committed
) -> None:
    from commonshare.audit.models import AuditEvent
    from commonshare.governance.norms import _adopt_norm

    ada = make_member("Ada")
    with committed():
        proposal = decisions.propose(
            ada, title="Keep bees", body="", kind="other", method="majority", voting_days=3
        )
    # What the close action's carried effect does, without the close's own event:
    version = _adopt_norm("purpose", "We keep honeybees.", title=None, decision_number=1)
    assert _found("honeybees") == []
    about = {"target_type": "decisions.proposal", "target_id": str(proposal.pk)}
    indexing.on_event(AuditEvent(code="decisions.ballot.cast", **about))
    assert _found("honeybees") == []  # a ballot adopts nothing
    indexing.on_event(AuditEvent(code="decisions.proposal.closed", **about))
    assert _found("honeybees") == [("norm", version.pk)]


def test_markdown_is_indexed_as_the_reader_sees_it(make_member: Any, committed: Committed) -> None:
    ada = make_member("Ada")
    with committed():
        _task(
            ada,
            "Water the ferns",
            "## Steps\n\n**Twice** a [week](https://example.org), <i>no</i> more.",
        )
    (result,) = search.search("twice")
    assert result.snippet.startswith("Steps")
    assert "**" not in result.snippet and "](" not in result.snippet and "##" not in result.snippet
    assert "<mark>Twice</mark> a week," in result.snippet_html
    assert "<i>" not in result.snippet_html  # kept as text (escaped), or left out (PostgreSQL)


def test_a_topic_comment_is_found_with_its_topic_page(
    make_member: Any, committed: Committed
) -> None:
    ada = make_member("Ada")
    with committed():
        posted = discussion.start_topic(ada, "Welcome, gardeners", "Say hello to the rhubarb.")
    (result,) = search.search("rhubarb")
    thread = posted.comment.thread
    assert result.path == f"/commons/{thread.pk}/#comment-{posted.comment.pk}"
    assert result.title == "Ada on Welcome, gardeners"


def test_a_failing_index_never_undoes_the_write(
    make_member: Any, committed: Committed, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from commonshare.work.models import Task

    ada = make_member("Ada")

    def broken(**_: Any) -> None:
        raise RuntimeError("the index is broken")

    monkeypatch.setattr(Entry.objects, "update_or_create", broken)
    with committed():
        task = _task(ada, "Weed the beds")
    assert Task.objects.filter(pk=task.pk).exists()  # the write stands
    assert "the index is broken" in caplog.text  # and the failure is logged
    monkeypatch.undo()
    assert _found("weed") == []
    indexing.rebuild()  # what reindex repairs
    assert _found("weed") == [("task", task.pk)]


def test_a_write_that_rolls_back_never_reaches_the_index(
    make_member: Any, committed: Committed
) -> None:
    ada = make_member("Ada")
    with committed(), pytest.raises(InvalidInput):
        work.create_task(ada, title="Rake the leaves", description="", estimate_hours="-1")
    assert _found("rake") == []


def test_a_comment_links_to_the_page_of_its_thread_that_shows_it(
    make_member: Any, committed: Committed, many_posts: None
) -> None:
    from commonshare.discussion.vocab import PAGE_SIZE

    ada = make_member("Ada")
    with committed():
        task = _task(ada, "A long talk")
    subject = f"task-{task.pk}"
    with committed():
        first = discussion.post_comment(ada, subject, "The first gooseberry.").comment
    for n in range(PAGE_SIZE - 1):
        with committed():
            discussion.post_comment(ada, subject, f"Comment {n}.")
    with committed():
        later = discussion.post_comment(ada, subject, "A later gooseberry.").comment
    with committed():
        reply = discussion.post_comment(
            ada, subject, "A gooseberry reply.", reply_to=later.pk
        ).comment
    expected = {
        first.pk: f"/tasks/{task.pk}/#comment-{first.pk}",
        later.pk: f"/tasks/{task.pk}/?comments=2#comment-{later.pk}",
        reply.pk: f"/tasks/{task.pk}/?comments=2#comment-{reply.pk}",
    }
    assert {r.object_id: r.path for r in search.search("gooseberry")} == expected
    indexing.rebuild()  # the rebuild counts positions its own way: the same pages
    assert {r.object_id: r.path for r in search.search("gooseberry")} == expected
