"""A member who left may read, rejoin and answer payouts to them, and nothing else.

The walks below enumerate every web URL (from the URL conf) and every API
operation that writes (from the OpenAPI schema); only the exceptions are kept
by hand, so a route added later without the rule fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import click
import pytest
from click.testing import CliRunner
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from commonshare.books import journal
from commonshare.books import services as books
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.errors import Forbidden
from commonshare.work import services as work
from tests.distributing import propose
from tests.money import paid_out, posted_income, reversed_entry

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")

# The only writes a member who left may still make (everything else must be refused).
WEB_ALLOWED = {
    "web:login",
    "web:logout",
    "web:rejoin",
    "web:leave",
    "web:withdrawal_confirm",  # the payee's answer to a payout recorded to them
    "web:withdrawal_dispute",
}
API_ALLOWED = {
    ("post", "/api/members"),  # joining makes a new account; it acts as nobody
    ("post", "/api/auth/token"),  # signing in with email and password
    ("post", "/api/tokens"),  # their own tokens, to read and rejoin over the API
    ("delete", "/api/tokens/{token_id}"),
    ("post", "/api/members/me/rejoin"),
    ("post", "/api/members/me/leave"),  # answers 409: they already left
    ("post", "/api/withdrawals"),  # the service lets the payee record their own
    # mailed links act as nobody signed in: the link's token says whose address it is
    ("post", "/api/members/verify-email"),
    ("post", "/api/members/password-reset"),  # a member who left resets it to rejoin
    ("post", "/api/members/password-reset/confirm"),
    # The payee's answer to a payout recorded to them (the service lets only them).
    ("post", "/api/withdrawals/{withdrawal_id}/confirm"),
    ("post", "/api/withdrawals/{withdrawal_id}/dispute"),
}


@pytest.fixture
def world(make_member: Callable[..., Any], settings: Any) -> SimpleNamespace:
    """Ada is owed an approved expense, has a task claimed and work logged, then leaves."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    today = timezone.localdate()
    posted_income(
        bo, amount="500", currency="EUR", payer="A friend", description="Gift", received_on=today
    )
    claim = work.log_contribution(
        ada,
        work.ContributionInput(
            kind="expense",
            summary="Domain name",
            amount="20.00",
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4 receipt"),
        ),
    )
    books.decide_expense(bo, claim.pk, verdict="approve")
    books.decide_expense(cy, claim.pk, verdict="approve")
    task = work.create_task(bo, title="Write the FAQ", estimate_hours="2")
    logged = work.log_contribution(
        ada, work.ContributionInput(kind="work", summary="Docs", hours="1", evidence_text="wiki")
    )
    by_bo = work.log_contribution(
        bo, work.ContributionInput(kind="work", summary="Code", hours="2", evidence_text="repo")
    )
    _, token = community.create_token(ada, name="laptop")
    community.leave(ada)
    ada.refresh_from_db()
    return SimpleNamespace(
        ada=ada, bo=bo, cy=cy, task=task, logged=logged, by_bo=by_bo, token=token, today=today
    )


def snapshot() -> dict[str, Any]:
    """Row counts of every Commonshare table, and the journal's head."""
    counts: dict[str, Any] = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("commonshare.")
    }
    counts["journal head"] = journal.head()
    return counts


# --- the web: every URL pattern -------------------------------------------------------


def _sample(group: str) -> str:
    """A value a URL group accepts: the first choice of an alternation, a number, or a word."""
    if re.fullmatch(r"[\w|]+", group) and "|" in group:
        return group.split("|", maxsplit=1)[0]
    # A number where the group takes one, else a word it takes (a norm's kind is a slug).
    return next((v for v in ("1", "x", "purpose") if re.fullmatch(group, v)), "x")


def _path_of(regex: str) -> str:
    regex = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", lambda m: _sample(m.group(1)), regex)
    regex = regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    return re.sub(r"\\(.)", r"\1", regex)


def web_routes() -> Iterator[tuple[str, str]]:
    """(view name, a URL that resolves to it) for every pattern outside the API."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            piece = _path_of(pattern.pattern.regex.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if (inner or "").split(":")[0] == "api":
                    continue  # the API is walked through its OpenAPI schema below
                yield from walk(pattern.url_patterns, prefix + piece, inner or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield name, "/" + prefix + piece

    yield from walk(get_resolver().url_patterns, "", "")


def test_the_walk_sees_every_page() -> None:
    routes = dict(web_routes())
    assert {"web:task_create", "web:income_create", "web:entry_reverse"} <= set(routes)
    for name, url in routes.items():
        try:
            resolve(url)
        except Resolver404:  # pragma: no cover - a route the walk cannot reach is a failure
            pytest.fail(f"the walk built {url} for {name}, which does not resolve")


def test_every_web_write_refuses_a_member_who_left(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.ada)
    before = snapshot()
    checked = 0
    for name, url in web_routes():
        if name in WEB_ALLOWED:
            continue
        for method in WRITES:
            response = getattr(client, method)(url)
            assert response.status_code == 403, (method, url, response.status_code)
            assert "rejoin" in response.content.decode(), (method, url)
            checked += 1
    assert checked > 100
    assert snapshot() == before


def test_logging_work_from_a_task_page_after_leaving_is_a_403_page(world: SimpleNamespace) -> None:
    """It was a bare 500: the contribution form's view let the service's Forbidden escape."""
    client = Client()
    client.force_login(world.ada)
    page = client.get(f"/tasks/{world.task.pk}/")
    assert page.status_code == 200
    before = snapshot()
    form = client.get(f"/contributions/new/?task={world.task.pk}")
    assert form.status_code == 200
    posted = client.post(
        f"/contributions/new/?task={world.task.pk}",
        {
            "kind": "work",
            "summary": "FAQ",
            "task": world.task.pk,
            "hours": "1",
            "evidence_text": "draft",
        },
    )
    assert posted.status_code == 403
    assert "You left the community; rejoin to" in posted.content.decode()
    assert snapshot() == before


def test_a_view_still_refuses_when_the_page_rule_is_bypassed(
    world: SimpleNamespace, settings: Any
) -> None:
    """Without the middleware the service's own check answers, as a 403 page."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("LeftMemberMiddleware")]
    client = Client()
    client.force_login(world.ada)
    before = snapshot()
    posted = client.post(
        "/contributions/new/",
        {"kind": "work", "summary": "FAQ", "hours": "1", "evidence_text": "draft"},
    )
    assert posted.status_code == 403
    assert snapshot() == before


def test_on_the_web_a_member_who_left_may_still_confirm_a_payout_rejoin_and_sign_out(
    world: SimpleNamespace,
) -> None:
    client = Client()
    client.force_login(world.ada)
    refused = client.post(
        f"/members/{world.bo.pk}/pay-out/",
        {"amount": "1.00", "currency": "EUR", "reference": "TR-1"},
    )
    assert refused.status_code == 403
    sent = books.record_withdrawal(
        world.bo, member_id=world.ada.pk, amount="20.00", currency="EUR", reference="TR-2"
    )
    paid = client.post(f"/books/withdrawals/{sent.pk}/confirm/")
    assert paid.status_code == 302
    assert world.ada.withdrawals.get().entry_id is not None
    assert client.post("/me/rejoin/").status_code == 302
    world.ada.refresh_from_db()
    assert world.ada.left_at is None
    assert client.post("/logout/").status_code == 302


# --- the API: every operation of the OpenAPI schema that writes --------------------


def api_writes() -> Iterator[tuple[str, str, dict[str, Any]]]:
    schema = Client().get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in WRITES:
                yield method, path, operation


def test_every_api_write_refuses_a_member_who_left(world: SimpleNamespace) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    client = Client()
    before = snapshot()
    checked = 0
    for method, path, operation in api_writes():
        if (method, path) in API_ALLOWED:
            continue
        assert "403" in operation["responses"], f"{method} {path} does not declare 403"
        url = re.sub(r"\{\w+\}", "1", path)
        response = getattr(client, method)(
            url, "{}", content_type="application/json", headers=headers
        )
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {
            "detail": "You left the community; rejoin to do this.",
            "field": None,
        }
        checked += 1
    assert checked >= 15
    assert snapshot() == before


def test_the_api_refuses_a_session_of_a_member_who_left(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.ada)
    before = snapshot()
    response = client.post(
        "/api/tasks",
        json.dumps({"title": "T", "estimate_hours": "1"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_over_the_api_a_member_who_left_may_read_answer_payouts_and_rejoin(
    world: SimpleNamespace,
) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    client = Client()
    assert client.get("/api/members/me", headers=headers).status_code == 200
    assert client.get("/api/tokens", headers=headers).status_code == 200
    for_bo = {"member_id": world.bo.pk, "amount": "1.00", "currency": "EUR", "reference": "T"}
    refused = client.post(
        "/api/withdrawals", for_bo, content_type="application/json", headers=headers
    )
    assert refused.status_code == 403
    own = {"member_id": world.ada.pk, "amount": "20.00", "currency": "EUR", "reference": "T"}
    mine = client.post("/api/withdrawals", own, content_type="application/json", headers=headers)
    assert mine.status_code == 403  # nobody records a payout to themself
    sent = books.record_withdrawal(world.bo, **own)
    paid = client.post(f"/api/withdrawals/{sent.pk}/confirm", headers=headers)
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "confirmed"
    rejoined = client.post("/api/members/me/rejoin", headers=headers)
    assert rejoined.status_code == 200
    assert rejoined.json()["left_at"] is None


def test_a_current_member_records_a_withdrawal_paid_to_a_member_who_left(
    world: SimpleNamespace,
) -> None:
    paid_out(world.bo, member_id=world.ada.pk, amount="20.00", currency="EUR", reference="TR")
    assert world.ada.withdrawals.count() == 1


# --- the services: what the CLI (and every other layer) calls ---------------------------


def _service_calls(w: SimpleNamespace) -> dict[str, Callable[[], Any]]:
    ada = w.ada
    return {
        "update_profile": lambda: community.update_profile(ada, display_name="A", bio=""),
        "create_task": lambda: work.create_task(ada, title="T", estimate_hours="1"),
        "claim_task": lambda: work.claim_task(ada, w.task.pk),
        "release_task": lambda: work.release_task(ada, w.task.pk),
        "complete_task": lambda: work.complete_task(ada, w.task.pk),
        "log_contribution": lambda: work.log_contribution(
            ada, work.ContributionInput(kind="work", summary="S", hours="1", evidence_text="e")
        ),
        "edit_contribution": lambda: work.edit_contribution(
            ada,
            w.logged.pk,
            work.ContributionInput(kind="work", summary="S", hours="2", evidence_text="e"),
        ),
        "submit_review": lambda: work.submit_review(ada, w.by_bo.pk, rating=5, comment="Good"),
        "record_income": lambda: posted_income(
            ada, amount="10", currency="EUR", payer="P", description="D", received_on=w.today
        ),
        "decide_expense": lambda: books.decide_expense(ada, 1, verdict="approve"),
        "record_withdrawal for another": lambda: paid_out(
            ada, member_id=w.bo.pk, amount="1", currency="EUR", reference="T"
        ),
        "reverse_entry": lambda: reversed_entry(ada, 1, reason="Mistake"),
        "propose_distribution": lambda: propose(ada, currency="EUR"),
    }


SERVICES = [
    "update_profile",
    "create_task",
    "claim_task",
    "release_task",
    "complete_task",
    "log_contribution",
    "edit_contribution",
    "submit_review",
    "record_income",
    "decide_expense",
    "record_withdrawal for another",
    "reverse_entry",
    "propose_distribution",
]


@pytest.mark.parametrize("service", SERVICES)
def test_every_write_service_refuses_a_member_who_left(
    world: SimpleNamespace, service: str
) -> None:
    before = snapshot()
    with pytest.raises(Forbidden, match="You left the community; rejoin to "):
        _service_calls(world)[service]()
    assert snapshot() == before


def test_the_command_line_refuses_a_member_who_left(world: SimpleNamespace) -> None:
    before = snapshot()
    result = CliRunner().invoke(
        main,
        ["books", "reverse", "1", "--reason", "oops"],
        env={"COMMONSHARE_MEMBER": world.ada.email},
    )
    assert result.exit_code == 2
    assert (
        "error: You left the community; rejoin to ask for journal entries to be reversed."
        in result.output
    )
    assert snapshot() == before


# --- the command line: every command of the click group ------------------------------

# The only commands a member who left may still run: reads, and acting as nobody or as
# themself to rejoin. Every other command must refuse them; one added later is walked too.
CLI_ALLOWED = {
    "activity",  # reads the activity feed
    "allocate",  # computes a split from a file; writes nothing
    "backup",  # the operator's copy of the site; acts as nobody, writes no row
    "restore",  # makes a new site from a backup (a new folder only); acts as nobody
    "books balances",
    "books dispute",  # the payee's answer to a payout recorded to them
    "books export",
    "books received",
    "books waiting",  # a read: what waits for them
    "books sustainability",
    "books verify",
    "contribution list",
    "decision close",  # anyone may close a decision after its closing time; acts as nobody
    "decision close-due",
    "decision receipt",  # reads
    "decision recount",
    "decision show",
    "demo",  # sets up a demo community; acts as nobody
    "search find",  # reads
    "search reindex",  # rebuilds derived data from the records; acts as nobody, no event
    "distribute list",
    "distribute show",
    "expense list",
    "income list",
    "init",  # creates the database; acts as nobody
    "member join",  # a new account; acts as nobody
    "member list",
    "member show",  # reads a profile
    "member rejoin",
    "member token",  # their own token, to read and rejoin over the API
    "member trust",  # reads a trust level
    "member levels",  # reads the trust level history
    "policy show",  # reads the rules
    "norm show",  # reads the norms
    "discussion show",  # reads a thread
    "discussion topics",  # reads the forum
    "norm diff",
    "policy versions",
    "review todo",
    "serve",
    "steward show",  # reads the steward phase
    "task list",
    "notifications list",  # reads their own notifications
    "notifications settings",  # reads; with --set it changes them, and refuses (a service)
    "worker",  # runs the background queue; acts as nobody
}
# Values for options whose plain sample would be refused for another reason first.
CLI_VALUES = {
    "--amount": "10",
    "--currency": "EUR",
    "--rating": "4",
    "--version": "1",
    "--period": "2026-01",
}


def cli_commands() -> Iterator[tuple[str, click.Command]]:
    """(full name, command) for every command under ``commonshare``."""

    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        for name, command in sorted(group.commands.items()):
            full = f"{prefix} {name}".strip()
            if isinstance(command, click.Group):
                yield from walk(command, full)
            else:
                yield full, command

    yield from walk(main, "")


def _cli_sample(param: click.Parameter, today: str) -> str:
    if isinstance(param, click.Option) and param.opts[0] in CLI_VALUES:
        return CLI_VALUES[param.opts[0]]
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
        return "1"
    if isinstance(param.type, click.DateTime) or param.name in ("date", "from_", "to", "since"):
        return today
    return "x"


def cli_args(command: click.Command, world: SimpleNamespace) -> list[str]:
    """The command with a sample for every required argument and option, acting as Ada."""
    args: list[str] = []
    today = world.today.isoformat()
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            args.append(_cli_sample(param, today))
        elif isinstance(param, click.Option) and param.required:
            value = str(world.bo.pk) if param.opts[0] == "--member" else _cli_sample(param, today)
            args += [param.opts[0], value]
    return args


CLI_WRITES = [name for name, _ in cli_commands() if name not in CLI_ALLOWED]


def test_the_cli_walk_sees_every_command() -> None:
    names = {name for name, _ in cli_commands()}
    assert names >= CLI_ALLOWED  # no stale exception
    assert {
        "books reverse",
        "expense approve",
        "income record",
        "distribute propose",
        "distribute withdraw",
    } <= set(CLI_WRITES)


@pytest.mark.parametrize("name", CLI_WRITES)
def test_every_cli_write_refuses_a_member_who_left(world: SimpleNamespace, name: str) -> None:
    command = dict(cli_commands())[name]
    before = snapshot()
    result = CliRunner().invoke(
        main,
        [*name.split(), *cli_args(command, world)],
        env={"COMMONSHARE_MEMBER": world.ada.email},
    )
    assert result.exit_code == 2, result.output
    assert re.match(r"error: You (have already )?left the community", result.output)
    assert snapshot() == before
