"""Web, API and CLI read the same thing the same way (issue 9's five disagreements)."""

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from commonshare.cli import main
from tests.money import posted_income, reversed_entry

pytestmark = pytest.mark.django_db
HASH = "ab" * 32


@pytest.mark.parametrize("anchor", [f"0:{HASH}", f"007:{HASH}", "1", f"1:{HASH[:-1]}"])
def test_the_cli_and_the_api_refuse_a_bad_anchor_with_one_message(anchor: str) -> None:
    cli = CliRunner().invoke(main, ["books", "verify", "--anchor", anchor])
    api = Client().get("/api/books/verify", {"anchor": anchor})
    assert cli.exit_code == 2, cli.output
    assert api.status_code == 422
    body: dict[str, Any] = api.json()
    assert body["field"] == "anchor"
    assert body["detail"].startswith("anchor: give SEQ:HASH")
    assert f"error: {body['detail']}" in cli.output


@pytest.fixture
def owed_member(make_member: Any) -> Any:
    """A member the commons owes 12.50 EUR, and a USD posting to their payable account
    slipped in behind the application's back (no entry: it moves no money)."""
    import datetime as dt

    from django.db import connection, transaction

    from commonshare.books import journal
    from commonshare.books.append_only import set_guard
    from commonshare.core.ledger import BANK, EntryDraft, Posting, payable_account

    ada = make_member("Ada")
    account = payable_account(ada.pk)
    day = dt.date(2026, 1, 5)
    journal.open_accounts([BANK, account], on=day)
    journal.post(
        EntryDraft(
            date=day,
            description="owed",
            postings=(Posting(BANK, "EUR", 1250), Posting(account, "EUR", -1250)),
            source="test:owed",
            actor=None,
            service="test.owed",
        )
    )
    set_guard(connection, install=False)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO books_journalposting (entry_seq, line, account, currency, minor) "
                "VALUES (999, 0, %s, 'USD', -700)",
                [account],
            )
        yield ada
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM books_journalposting WHERE entry_seq = 999")
    finally:
        set_guard(connection, install=True)


def test_what_a_member_is_owed_reads_the_same_on_the_web_the_api_and_the_service(
    owed_member: Any,
) -> None:
    from commonshare.books import selectors, services

    expected = [("EUR", 1250)]
    page = Client().get(f"/members/{owed_member.pk}/")
    assert page.status_code == 200
    assert list(page.context["owed"]) == expected
    api = Client().get(f"/api/members/{owed_member.pk}/balance").json()
    assert [(line["currency"], line["minor"]) for line in api["owed"]] == expected
    assert selectors.owed_by_currency(owed_member.pk) == expected
    assert services.owed_minor is selectors.owed_minor  # the withdrawal limit reads it too


def test_one_function_picks_the_export_format_for_the_cli_and_the_api(
    make_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typing

    from commonshare.api import journal as api_journal
    from commonshare.books import selectors
    from commonshare.books.cli import books_export
    from commonshare.core import exports

    make_member("Ada")
    assert set(typing.get_args(api_journal.ExportFormat)) == set(exports.FORMATS)
    choices = next(p for p in books_export.params if p.name == "fmt").type.choices  # type: ignore[attr-defined]
    assert set(choices) == set(exports.FORMATS)
    for name, chosen in exports.FORMATS.items():
        api = Client().get("/api/books/export", {"format": name})
        cli = CliRunner().invoke(main, ["books", "export", "--format", name])
        assert api.status_code == 200 and cli.exit_code == 0, cli.output
        assert api["Content-Type"] == chosen.content_type
        assert chosen.filename in api["Content-Disposition"]
        assert api.content == cli.stdout_bytes == selectors.journal_export(name)[1].encode()
    asked: list[str] = []

    def picked(name: str) -> tuple[exports.ExportFormat, str]:
        asked.append(name)
        return exports.FORMATS["csv"], "picked once\n"

    monkeypatch.setattr(selectors, "journal_export", picked)
    assert Client().get("/api/books/export", {"format": "json"}).content == b"picked once\n"
    assert (
        CliRunner().invoke(main, ["books", "export", "--format", "json"]).output == "picked once\n"
    )
    assert asked == ["json", "json"]


def test_the_web_offers_an_edit_only_when_the_edit_service_would_take_it(
    make_member: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from commonshare.books import services as books
    from commonshare.errors import Conflict
    from commonshare.work import services as work
    from commonshare.work import versions

    ada, ben = make_member("Ada"), make_member("Ben")
    make_member("Cy")  # the second approver drawn, with Ben
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    given = work.ContributionInput(
        kind="expense", summary="Domain name", amount="12.50", currency="EUR", receipt=receipt
    )
    claim = work.log_contribution(ada, given)
    author = Client()
    author.force_login(ada)
    detail, edit = (
        reverse("web:contribution", args=[claim.pk]),
        reverse("web:contribution_edit", args=[claim.pk]),
    )
    assert edit in author.get(detail).content.decode()  # nobody has decided yet: editable

    books.decide_expense(ben, claim.pk, verdict="approve")  # one approval of two: pending
    page = author.get(detail).content.decode()
    assert edit not in page  # no link to a form the service would refuse
    claim.refresh_from_db()
    refusal = versions.edit_refusal(ada, claim)
    assert isinstance(refusal, Conflict)
    shown = author.get(edit, follow=True)
    assert shown.redirect_chain == [(detail, 302)]
    assert refusal.message in shown.content.decode()
    with pytest.raises(Conflict, match=refusal.message):
        work.edit_contribution(ada, claim.pk, given)


def test_the_home_page_chart_and_totals_both_read_income_net_of_reversals(
    make_member: Any,
) -> None:
    from django.utils import timezone

    from commonshare.books import journal
    from commonshare.web.templatetags.commonshare_web import money

    ada = make_member("Ada")
    seqs = []
    for amount in ("10.00", "20.00"):
        posted_income(
            ada,
            amount=amount,
            currency="EUR",
            payer="Acme",
            description="Support",
            received_on=timezone.localdate(),
        )
        seqs.append(journal.head()[0])
    reversed_entry(ada, seqs[1], reason="Entered twice")
    page = Client().get("/")
    assert page.context["numbers"]["income"] == [("EUR", 1000)]
    (chart,) = page.context["income_charts"]
    assert chart.bars[-1].value_text == money(1000, "EUR")  # this month: 10.00, not 30.00
    assert sum(1 for bar in chart.bars if bar.height) == 1

    reversed_entry(ada, seqs[0], reason="Not ours")
    page = Client().get("/")
    assert page.context["numbers"]["income"] == []
    assert page.context["income_charts"] == []  # a reversed income leaves both
