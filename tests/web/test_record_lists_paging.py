"""The lists on a task's page and a member's page, paged by keyset on the web and in the API:
forward and back, every row once, each list by its own link, the others' places kept."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from commonshare.books import journal
from commonshare.books.models import Withdrawal
from commonshare.core.ledger import RESERVE, EntryDraft, Posting, payable_account
from commonshare.web.views.accounts import MEMBER_PAGE_SIZE
from commonshare.web.views.tasks import TASK_PAGE_SIZE
from commonshare.work.models import Contribution, Task

pytestmark = pytest.mark.django_db

ROWS = TASK_PAGE_SIZE * 2 + 3  # three pages on the web


LABELS = {
    "subtasks": "Pages of subtasks",
    "contributions": "Pages of contributions to this task",
    "history": "Pages of the account's history",
    "withdrawals": "Pages of withdrawals",
}


def _links(page: str, param: str) -> dict[str, str]:
    """The links of one list's pager (found by its label): rel (prev, next) to the address."""
    label = html.escape(LABELS[param])
    navs = re.findall(rf'<nav class="pager" aria-label="{label}">(.*?)</nav>', page, re.S)
    assert len(navs) <= 1
    found = re.findall(r'<a href="(\?[^"]*)" rel="(prev|next)"', navs[0]) if navs else []
    return {rel: html.unescape(href) for href, rel in found}


def _walk(client: Client, url: str, param: str, ids: Callable[[str], list[int]]) -> list[int]:
    """Every page forward by ``next``, then back by ``prev``; both walks must agree."""
    page = client.get(url).content.decode()
    assert "prev" not in _links(page, param)
    pages = [ids(page)]
    while "next" in _links(page, param):
        response = client.get(url + _links(page, param)["next"])
        assert response.status_code == 200
        page = response.content.decode()
        pages.append(ids(page))
    back = [ids(page)]
    while "prev" in _links(page, param):
        page = client.get(url + _links(page, param)["prev"]).content.decode()
        back.insert(0, ids(page))
    assert back == pages
    return [row for rows in pages for row in rows]


@pytest.fixture
def task(make_member: Callable[..., Any]) -> Task:
    ada, bo = make_member("Ada"), make_member("Bo")
    parent = Task.objects.create(title="Parent", estimate_hours=Decimal(5), created_by=ada)
    now = timezone.now()
    Task.objects.bulk_create(
        Task(
            title=f"Sub {i}",
            estimate_hours=Decimal(1),
            created_by=ada,
            parent=parent,
            created_at=now + dt.timedelta(seconds=i // 4),  # ties broken by the id
        )
        for i in range(ROWS)
    )
    Contribution.objects.bulk_create(
        Contribution(
            author=bo if i % 2 else ada,
            task=parent,
            kind="work",
            summary=f"Work {i}",
            hours=Decimal(1),
            created_at=now - dt.timedelta(seconds=i // 4),
        )
        for i in range(ROWS)
    )
    return parent


def _subtasks(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<div class="task-row"><a href="/tasks/(\d+)/">', page)]


def _contributions(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/contributions/(\d+)/">\d+</a></td>', page)]


def test_a_tasks_subtasks_and_contributions_page_on_its_page(task: Task) -> None:
    client = Client()
    url = f"/tasks/{task.pk}/"
    subtasks = list(task.subtasks.order_by("created_at", "id").values_list("pk", flat=True))
    assert _walk(client, url, "subtasks", _subtasks) == subtasks
    logged = Contribution.objects.filter(task=task).order_by("-created_at", "-id")
    assert _walk(client, url, "contributions", _contributions) == list(
        logged.values_list("pk", flat=True)
    )


def test_paging_one_list_keeps_the_others_page(task: Task) -> None:
    client = Client()
    url = f"/tasks/{task.pk}/"
    first = client.get(url).content.decode()
    on_second = url + _links(first, "contributions")["next"]
    page = client.get(on_second).content.decode()
    second_contributions = _contributions(page)
    assert second_contributions != _contributions(first)
    both = client.get(url + _links(page, "subtasks")["next"]).content.decode()
    assert _contributions(both) == second_contributions
    assert _subtasks(both) != _subtasks(first)


def test_a_changed_cursor_on_a_tasks_page_is_a_400(task: Task) -> None:
    response = Client().get(f"/tasks/{task.pk}/?subtasks=WyJhIiwxXQ")
    assert response.status_code == 400
    assert "That page link is not valid for this list" in response.content.decode()


def _api_walk(client: Client, url: str) -> list[int]:
    body = client.get(url, {"limit": 10}).json()
    seen = [row["id"] for row in body["items"]]
    while body["next"]:
        body = client.get(url, {"limit": 10, "cursor": body["next"]}).json()
        seen += [row["id"] for row in body["items"]]
    return seen


def test_the_api_pages_a_tasks_subtasks_and_contributions(task: Task) -> None:
    client = Client()
    subtasks = list(task.subtasks.order_by("created_at", "id").values_list("pk", flat=True))
    assert _api_walk(client, f"/api/tasks/{task.pk}/subtasks") == subtasks
    logged = Contribution.objects.filter(task=task).order_by("-created_at", "-id")
    assert _api_walk(client, f"/api/tasks/{task.pk}/contributions") == list(
        logged.values_list("pk", flat=True)
    )
    detail = client.get(f"/api/tasks/{task.pk}").json()
    assert [t["id"] for t in detail["subtasks"]] == subtasks
    assert detail["subtasks_next"] is None
    more = Task.objects.bulk_create(
        Task(title=f"More {i}", estimate_hours=1, created_by=task.created_by, parent=task)
        for i in range(10)
    )
    subtasks += [t.pk for t in more]  # created later than the others
    detail = client.get(f"/api/tasks/{task.pk}").json()
    assert [t["id"] for t in detail["subtasks"]] == subtasks[:50]
    rest = client.get(f"/api/tasks/{task.pk}/subtasks", {"cursor": detail["subtasks_next"]})
    assert [t["id"] for t in rest.json()["items"]] == subtasks[50:]
    assert client.get("/api/tasks/999999/subtasks").status_code == 404


# --- a member's page: their account's history and their withdrawals -------------------------


@pytest.fixture
def payee(make_member: Callable[..., Any]) -> Any:
    payee, sender = make_member("Paula Payee"), make_member("Sam Sender")
    today = timezone.localdate()
    account = payable_account(payee.pk)
    journal.open_accounts([account, RESERVE], on=today)
    journal.post_many(
        EntryDraft(
            date=today,
            description=f"Owed {n}",
            # Two lines to the member's account in some entries: the line orders them.
            postings=(Posting(account, "EUR", -100 - n), Posting(RESERVE, "EUR", 100 + n))
            if n % 5
            else (
                Posting(account, "EUR", -100),
                Posting(account, "EUR", -n - 1),
                Posting(RESERVE, "EUR", 101 + n),
            ),
            source=f"test:{n}",
            actor=None,
            service="test.owed",
        )
        for n in range(MEMBER_PAGE_SIZE * 2 + 3)
    )
    Withdrawal.objects.bulk_create(
        Withdrawal(
            member=payee,
            amount_minor=10 + i,
            currency="EUR",
            reference=f"TR-{i}",
            recorded_by=sender,
        )
        for i in range(55)  # past the balance's 50
    )
    return payee


def _history(page: str) -> list[tuple[int, str]]:
    table = page.split('id="account-history"')[1].split("</table>", maxsplit=1)[0]
    return [
        (int(seq), amount)
        for seq, amount in re.findall(
            r'<td><a href="/books/entries/(\d+)/">#\d+</a></td>.*?<td class="num">([^<]*)</td>',
            table,
        )
    ]


def _withdrawals(page: str) -> list[str]:
    table = page.split('id="withdrawals"')[1].split("</table>", maxsplit=1)[0]
    return re.findall(r"<td>(TR-\d+)</td>", table)


def test_a_members_history_and_withdrawals_page_on_their_page(payee: Any) -> None:
    client = Client()
    url = f"/members/{payee.pk}/"
    lines = journal.entered_postings().filter(account=payable_account(payee.pk))
    history = _walk(client, url, "history", lambda page: [s for s, _ in _history(page)])
    assert history == list(lines.order_by("-entry_id", "line").values_list("entry_id", flat=True))
    assert len(history) == lines.count()
    references = _walk(client, url, "withdrawals", _withdrawals)  # type: ignore[arg-type]
    newest_first = Withdrawal.objects.filter(member=payee).order_by("-created_at", "-id")
    assert references == list(newest_first.values_list("reference", flat=True))


def test_the_api_pages_a_members_history_and_withdrawals(payee: Any) -> None:
    client = Client()
    newest_first = Withdrawal.objects.filter(member=payee).order_by("-created_at", "-id")
    assert _api_walk(client, f"/api/members/{payee.pk}/withdrawals") == list(
        newest_first.values_list("pk", flat=True)
    )
    body = client.get(f"/api/members/{payee.pk}/history", {"limit": 7}).json()
    seen = [(row["seq"], row["minor"]) for row in body["items"]]
    while body["next"]:
        body = client.get(
            f"/api/members/{payee.pk}/history", {"limit": 7, "cursor": body["next"]}
        ).json()
        seen += [(row["seq"], row["minor"]) for row in body["items"]]
    lines = journal.entered_postings().filter(account=payable_account(payee.pk))
    assert seen == list(lines.order_by("-entry_id", "line").values_list("entry_id", "minor"))
    balance = client.get(f"/api/members/{payee.pk}/balance").json()
    assert len(balance["withdrawals"]) == 50


def test_the_commands_list_a_tasks_subtasks_and_contributions_a_page_at_a_time(
    task: Task,
) -> None:
    from click.testing import CliRunner

    from commonshare.cli import main

    runner = CliRunner()
    subtasks = list(task.subtasks.order_by("created_at", "id").values_list("pk", flat=True))
    first = runner.invoke(main, ["task", "list", "--parent", str(task.pk), "--limit", "10"])
    assert first.exit_code == 0, first.output
    shown = [int(line.split()[0]) for line in first.stdout.splitlines()]
    assert shown == subtasks[:10]
    cursor = first.stderr.removeprefix("next: ").strip()
    second = runner.invoke(
        main, ["task", "list", "--parent", str(task.pk), "--limit", "10", "--cursor", cursor]
    )
    assert [int(line.split()[0]) for line in second.stdout.splitlines()] == subtasks[10:20]
    every = runner.invoke(main, ["contribution", "list", "--task", str(task.pk), "--json"])
    logged = Contribution.objects.filter(task=task).order_by("-created_at", "-id")
    assert [row["id"] for row in json.loads(every.stdout)] == list(
        logged.values_list("pk", flat=True)
    )
    missing = runner.invoke(main, ["task", "list", "--parent", "999999"])
    assert missing.exit_code == 2
    assert "No task with id 999999." in missing.stderr
