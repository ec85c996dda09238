"""The `commonshare` commands over the services: the journey, and refusals that exit 2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from commonshare.books.models import Distribution, Income, JournalEntry
from commonshare.cli import main
from commonshare.community.models import Member
from commonshare.work.models import Contribution, Review, Task
from tests.distributing import close_this_period, past_the_window

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def established(trust_levels, *emails: str) -> None:  # type: ignore[no-untyped-def]
    """Members who joined by the command line start at level 0; money needs level 2."""
    trust_levels({Member.objects.get(email=email): 2 for email in emails})


def run(*args: str, member: str | None = None, ok: bool = True):  # type: ignore[no-untyped-def]
    env = {"COMMONSHARE_MEMBER": member} if member else {}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def test_the_journey_from_the_command_line(tmp_path, trust_levels) -> None:  # type: ignore[no-untyped-def]
    run("member", "join", "ada@example.org", "--name", "Ada", "--password", PASSWORD)
    run("member", "join", "bo@example.org", "--name", "Bo", "--password", PASSWORD)
    established(trust_levels, "ada@example.org", "bo@example.org")
    assert "Ada" in run("member", "list").output
    run("task", "create", "Write the FAQ", "--estimate", "2", member="ada@example.org")
    task = Task.objects.get()
    run(
        "task",
        "create",
        "Section 1",
        "--estimate",
        "0.5",
        "--parent",
        str(task.pk),
        member="ada@example.org",
    )
    run("task", "claim", str(task.pk), member="ada@example.org")
    tasks = json.loads(run("task", "list", "--json").output)
    assert {t["title"]: t["status"] for t in tasks} == {
        "Write the FAQ": "claimed",
        "Section 1": "open",
    }
    logged = run(
        "contribution",
        "log",
        "--kind",
        "work",
        "--hours",
        "1.5",
        "--summary",
        "FAQ",
        "--task",
        str(task.pk),
        "--evidence-text",
        "wiki page",
        member="ada@example.org",
    )
    assert "reviewers drawn: Bo" in logged.output
    contribution = Contribution.objects.get()
    assert str(contribution.pk) in run("review", "todo", member="bo@example.org").output
    run(
        "review",
        "submit",
        str(contribution.pk),
        "--version",
        "1",
        "--rating",
        "4",
        "--comment",
        "Clear",
        member="bo@example.org",
    )
    today = dt.date.today().isoformat()  # noqa: DTZ011 - the DB stamps today's date
    run(
        "income",
        "record",
        "--amount",
        "100.00",
        "--currency",
        "EUR",
        "--payer",
        "Acme",
        "--description",
        "Support",
        "--date",
        today,
        member="bo@example.org",
    )
    income = Income.objects.get()
    assert "Waiting for confirmation" in run("income", "list").output
    waiting = run("books", "waiting", member="ada@example.org").output
    assert f"commonshare income confirm {income.pk}" in waiting
    own = run("income", "confirm", str(income.pk), member="bo@example.org", ok=False)
    assert own.exit_code == 2 and "another member must confirm it" in own.stderr
    run("income", "confirm", str(income.pk), member="ada@example.org")
    assert "100.00 EUR" in run("income", "list").output
    period = f"{close_this_period():%Y-%m}"
    proposed = run(
        "distribute", "propose", "--period", period, "--currency", "EUR", member="bo@example.org"
    )
    assert "Ada" in proposed.output and "90.00" in proposed.output
    assert "open for challenge until" in proposed.output
    distribution = Distribution.objects.get()
    preview = json.loads(run("distribute", "show", str(distribution.pk)).output)
    assert preview["status"] == "proposed"
    assert preview["payouts"][0]["amount"] == "90.00" and preview["payouts"][0]["explanation"]
    number = str(distribution.decision_number)
    assert f"carried by decision {number}" in proposed.output
    early = run("decision", "close", number, ok=False)
    assert early.exit_code == 2 and "it can be closed after" in early.stderr
    past_the_window(distribution)
    run("decision", "close", number)
    assert "posted on" in run("distribute", "list").output
    explanation = json.loads(
        run(
            "distribute",
            "show",
            str(distribution.pk),
            "--member",
            str(Member.objects.get(email="ada@example.org").pk),
        ).output
    )
    assert explanation["contributions"][0]["contribution"] == str(contribution.pk)
    run(
        "books",
        "withdraw",
        "--member",
        str(Member.objects.get(email="ada@example.org").pk),
        "--amount",
        "90.00",
        "--currency",
        "EUR",
        "--reference",
        "SEPA 1",
        member="bo@example.org",
    )
    withdrawal = Member.objects.get(email="ada@example.org").withdrawals.get()
    assert withdrawal.entry_id is None
    assert json.loads(run("books", "waiting", "--json", member="ada@example.org").output) == {
        "incomes": [],
        "withdrawals": [withdrawal.pk],
        "disputes": [],
        "reversals": [],
        "claims": [],
        "challenges": [],  # the distribution posted already
    }
    received = run("books", "received", str(withdrawal.pk), member="ada@example.org")
    assert "confirmed" in received.output
    assert run("books", "verify").stdout.startswith("ok:")
    balances = json.loads(run("books", "balances", "--json").output)
    assert {"account": "assets:reserve", "currency": "EUR", "balance": "10.00"} in balances
    assert "runway" in run("books", "sustainability").output
    out = tmp_path / "books.csv"
    run("books", "export", "--format", "csv", "--output", str(out))
    assert out.read_text().startswith("seq,date,account")
    run("member", "leave", member="ada@example.org")
    assert Member.objects.get(email="ada@example.org").left_at is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("task", "create", "T", "--estimate", "-1"), "error: The estimate must be more than 0"),
        (("task", "claim", "999"), "No task with id 999"),
        (
            ("contribution", "log", "--kind", "work", "--summary", "x", "--evidence-text", "e"),
            "error: Hours is required.",
        ),
        (
            (
                "income",
                "record",
                "--amount",
                "1.001",
                "--currency",
                "EUR",
                "--payer",
                "P",
                "--description",
                "d",
                "--date",
                "2026-01-01",
            ),
            "error: Amount can have at most 2 decimal places in EUR.\nerror: The date received",
        ),
        (
            (
                "income",
                "record",
                "--amount",
                "1",
                "--currency",
                "EUR",
                "--payer",
                "P",
                "--description",
                "d",
                "--date",
                "01/02/2026",
            ),
            "YYYY-MM-DD",
        ),
        (
            ("distribute", "propose", "--period", "2026-01", "--currency", "EUR"),
            "There is no EUR left to distribute.",
        ),
        (("books", "reverse", "42", "--reason", "typo"), "does not exist"),
    ],
)
def test_refusals_exit_2_with_a_message_and_write_nothing(
    args: tuple[str, ...], message: str, trust_levels
) -> None:
    run("member", "join", "ada@example.org", "--name", "Ada", "--password", PASSWORD)
    established(trust_levels, "ada@example.org")
    before = (
        Task.objects.count(),
        Contribution.objects.count(),
        Income.objects.count(),
        Distribution.objects.count(),
        JournalEntry.objects.count(),
        Review.objects.count(),
    )
    result = run(*args, member="ada@example.org", ok=False)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    after = (
        Task.objects.count(),
        Contribution.objects.count(),
        Income.objects.count(),
        Distribution.objects.count(),
        JournalEntry.objects.count(),
        Review.objects.count(),
    )
    assert after == before


def test_acting_member_is_required_and_must_exist() -> None:
    result = run("task", "create", "T", "--estimate", "1", ok=False)
    assert result.exit_code == 2 and "--as EMAIL" in result.stderr
    result = run("task", "create", "T", "--estimate", "1", member="nobody@example.org", ok=False)
    assert result.exit_code == 2 and "No member" in result.stderr


def test_expense_claims_from_the_command_line(tmp_path, trust_levels) -> None:  # type: ignore[no-untyped-def]
    for email, name in (
        ("ada@example.org", "Ada"),
        ("bo@example.org", "Bo"),
        ("cy@example.org", "Cy"),
    ):
        run("member", "join", email, "--name", name, "--password", PASSWORD)
    established(trust_levels, "ada@example.org", "bo@example.org", "cy@example.org")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    run(
        "contribution",
        "log",
        "--kind",
        "expense",
        "--summary",
        "Domain",
        "--amount",
        "12.00",
        "--currency",
        "EUR",
        "--receipt",
        str(receipt),
        member="ada@example.org",
    )
    claim = Contribution.objects.get()
    own = run(
        "expense", "approve", str(claim.pk), "--version", "1", member="ada@example.org", ok=False
    )
    assert own.exit_code == 2 and "own expense" in own.stderr
    run("expense", "approve", str(claim.pk), "--version", "1", member="bo@example.org")
    done = run("expense", "approve", str(claim.pk), "--version", "1", member="cy@example.org")
    assert "now approved" in done.output
    assert "approved" in run("expense", "list").output
