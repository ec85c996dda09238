"""The home page's activity feed: a sentence for every audit code, never the code itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import commonshare
from commonshare.audit.models import AuditEvent
from commonshare.books.models import ExpenseDecision
from commonshare.web.activity import SENTENCES, describe_all
from tests.money import posted_income

SRC = Path(commonshare.__file__).parent
# What an f-string code's placeholder can be, so every code it writes is checked.
PLACEHOLDERS = {"verdict": list(ExpenseDecision.Verdict.values)}
CODE = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")


def _codes_in(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    assert isinstance(node, ast.JoinedStr), f"write the audit code out: {ast.unparse(node)}"
    codes = [""]
    for part in node.values:
        if isinstance(part, ast.Constant):
            codes = [code + str(part.value) for code in codes]
            continue
        assert isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name)
        name = part.value.id
        assert name in PLACEHOLDERS, f"teach this test what {{{name}}} can be"
        codes = [code + value for code in codes for value in PLACEHOLDERS[name]]
    return codes


def _code_arguments(call: ast.Call) -> list[ast.expr]:
    """The code argument, both sides of an ``a if c else b``."""
    todo, found = [call.args[0]], []
    while todo:
        node = todo.pop()
        if isinstance(node, ast.IfExp):
            todo += [node.body, node.orelse]
        else:
            found.append(node)
    return found


def audit_codes_written() -> set[str]:
    """Every code passed to ``record(...)`` anywhere in the source."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "record":
                for argument in _code_arguments(node):
                    codes.update(_codes_in(argument))
    return codes


def test_every_audit_code_the_services_write_has_a_sentence() -> None:
    codes = audit_codes_written()
    assert {"books.withdrawal.recorded", "books.expense.rejected", "work.task.created"} <= codes
    assert all(CODE.match(code) for code in codes), codes
    missing = sorted(codes - set(SENTENCES))
    assert not missing, f"no sentence for {missing}: add one to commonshare/web/activity.py"


@pytest.mark.django_db
def test_the_feed_speaks_in_sentences_with_links(paid: Any) -> None:

    posted_income(
        paid.ben,
        amount="1200.00",
        currency="EUR",
        payer="Café Ñandú",
        description="Catering",
        received_on=paid.today,
    )
    page = Client().get(reverse("web:home")).content.decode()
    feed = page[page.index('id="activity-h"') :]
    assert "Ben</a>\n      recorded" in feed
    assert "1,200.00 EUR</a> of income from Café Ñandú." in feed
    assert "logged 2.5 hours of work on" in feed
    assert f'href="{reverse("web:contribution", args=[paid.contribution.pk])}"' in feed
    assert f'the task <a href="{reverse("web:task", args=[paid.task.pk])}">Write the guide' in feed
    # The posting is the close of the distribution's lazy consensus: it says what it paid.
    assert "with no objection standing, and so distributed income: Posted the" in feed
    assert "in 1 payout." in feed
    assert not re.search(r"\b(books|work|community)\.[a-z]+\.[a-z]+\b", feed)


@pytest.mark.django_db
def test_a_code_without_a_sentence_never_shows_raw(make_member: Any) -> None:
    ada = make_member("Ada")
    event = AuditEvent.objects.create(
        code="books.ledger.frobnicated", actor=ada, target_type="books.thing", target_id="7"
    )
    sentence = describe_all([event])[0]["sentence"]
    assert sentence == "made a change to the books"
    page = Client().get(reverse("web:home")).content.decode()
    assert "frobnicated" not in page
    assert "made a change to the books" in page


@pytest.mark.django_db
def test_every_sentence_reads_even_when_its_record_is_gone(make_member: Any) -> None:
    ada = make_member("Ada")
    events = [
        AuditEvent(code=code, actor=ada, target_type="x.y", target_id="999999", data={})
        for code in SENTENCES
    ]
    for event, line in zip(events, describe_all(events), strict=True):
        text = str(line["sentence"])
        assert text and "None" not in text and event.code not in text, event.code
