"""The search box in the header, the /search/ page, GET /api/search and
``commonshare search``: the same results through each door, and clear refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare.cli import main
from commonshare.search.models import Entry
from commonshare.work import services as work

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(make_member: Any, committed: Callable[[], Any]) -> list[Any]:
    ada = make_member("Ada")
    with committed():
        return [
            work.create_task(
                ada,
                title=f"Prune the <b>apricot</b> tree {n}",
                description="Cut the dead apricot wood." * (n % 3 + 1),
                estimate_hours="1",
            )
            for n in range(5)
        ]


def test_every_page_has_a_search_box_that_needs_no_script(client: Client) -> None:
    page = client.get("/tasks/").content.decode()
    assert '<form class="site-search" role="search" method="get" action="/search/">' in page
    assert 'name="q"' in page and '<label for="site-search-q"' in page


def test_the_page_lists_results_with_marked_escaped_titles(
    client: Client, tasks: list[Any]
) -> None:
    answer = client.get("/search/", {"q": "apricot"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Results for “apricot”" in page
    assert page.count('<li class="result">') == 5
    assert "&lt;b&gt;<mark>apricot</mark>&lt;/b&gt;" in page
    assert f'href="/tasks/{tasks[0].pk}/"' in page


def test_the_page_pages_by_links(client: Client, tasks: list[Any]) -> None:
    from commonshare.search import selectors

    first = client.get("/search/", {"q": "apricot", "kind": "task"}).content.decode()
    assert 'rel="next"' not in first
    page = selectors.search("apricot", size=2)
    assert page.next_cursor is not None
    second = client.get("/search/", {"q": "apricot", "cursor": page.next_cursor})
    assert second.status_code == 200
    bad = client.get("/search/", {"q": "apricot", "cursor": "nonsense"})
    assert bad.status_code == 400


def test_the_page_says_so_when_nothing_is_found(client: Client, tasks: list[Any]) -> None:
    page = client.get("/search/", {"q": "pineapple"}).content.decode()
    assert "Nothing found for “pineapple”" in page


def test_an_empty_query_gets_the_error_summary_naming_the_box(client: Client) -> None:
    answer = client.get("/search/", {"q": '  "*" '})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_q">Type a word or two to search for' in page


def test_the_page_without_a_query_is_just_the_form(client: Client) -> None:
    answer = client.get("/search/")
    assert answer.status_code == 200
    assert "There is a problem" not in answer.content.decode()


def test_an_unknown_kind_on_the_page_is_refused_plainly(client: Client) -> None:
    answer = client.get("/search/", {"q": "apricot", "kind": "ledger"})
    assert answer.status_code == 422
    assert "Choose one of the kinds listed" in answer.content.decode()


def test_the_api_answers_ranked_pages(client: Client, tasks: list[Any]) -> None:
    answer = client.get("/api/search", {"q": "apricot", "limit": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["items"]) == 2 and body["next"] and body["previous"] is None
    first = body["items"][0]
    assert first["kind"] == "task" and first["url"].startswith("/tasks/")
    assert "<mark>apricot</mark>" in first["snippet_html"]
    assert "<mark>" not in first["snippet"]
    rest = client.get("/api/search", {"q": "apricot", "limit": 10, "cursor": body["next"]})
    ids = [i["id"] for i in body["items"]] + [i["id"] for i in rest.json()["items"]]
    assert sorted(ids) == sorted(t.pk for t in tasks)
    only = client.get("/api/search", {"q": "apricot", "kind": ["member"]}).json()
    assert only["items"] == []


def test_the_api_refuses_an_empty_query_and_a_bad_cursor(client: Client) -> None:
    empty = client.get("/api/search", {"q": "*"})
    assert empty.status_code == 422 and empty.json()["field"] == "q"
    bad = client.get("/api/search", {"q": "apricot", "cursor": "WyJhIiwiMSIsMV0"})
    assert bad.status_code == 400 and bad.json()["field"] == "cursor"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=60))
def test_no_query_string_makes_a_server_error(client: Client, query: str) -> None:
    clean = query.replace("\x00", "")  # a NUL cannot travel in a URL's query at all
    assert client.get("/search/", {"q": clean}).status_code in (200, 422)
    assert client.get("/api/search", {"q": clean}).status_code in (200, 422)


def test_the_command_finds_and_reindexes(tasks: list[Any]) -> None:
    runner = CliRunner()
    found = runner.invoke(main, ["search", "apricot", "--json"])
    assert found.exit_code == 0, found.output
    results = json.loads(found.output)["results"]
    assert {r["id"] for r in results} == {t.pk for t in tasks}
    text = runner.invoke(main, ["search", "find", "apricot", "--kind", "task", "--limit", "2"])
    assert text.exit_code == 0 and text.output.count("Task: ") == 2
    assert "More: --cursor " in text.output
    Entry.objects.all().delete()
    assert "Nothing found." in runner.invoke(main, ["search", "apricot"]).output
    rebuilt = runner.invoke(main, ["search", "reindex"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"Indexed {Entry.objects.count()} records." in rebuilt.output
    assert (
        len(json.loads(runner.invoke(main, ["search", "apricot", "--json"]).output)["results"]) == 5
    )


def test_the_command_refuses_a_query_without_words() -> None:
    refused = CliRunner().invoke(main, ["search", "*", "--"])
    assert refused.exit_code != 0
    assert "Type a word or two" in refused.output
