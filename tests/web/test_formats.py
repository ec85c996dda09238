"""What every page shows, read as text: one date format, right plurals, no codes, no None.

The pages are every GET page of the URL conf (as in ``test_mobile_and_axe``), filled
from the demo community, read anonymously and signed in. Code and preformatted
blocks (hashes, commands to copy, the stored JSON) and the journal's stored
descriptions are left out: they are meant to be exact.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.test import Client

from tests.money import posted_income
from tests.web.test_mobile_and_axe import page_urls

pytestmark = pytest.mark.django_db

MISTAKES = {
    "an ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "a second date format": re.compile(
        r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"
    ),
    "a plural after 1": re.compile(
        r"(?<![\d.,])1 (hours|reviews|reviewers|members|contributions|months|days|entries)\b"
    ),
    "a raw None": re.compile(r"\bNone\b"),
    "an audit code": re.compile(r"\b(books|work|community)\.[a-z]+\.[a-z_]+\b"),
    "money without thousands separators": re.compile(r"\b\d{4,}\.\d{2} [A-Z]{3}\b"),
    "an engine parameter name": re.compile(r"\b(prior_weight|trust_weighting|EigenTrust)\b"),
}


def visible_text(page: str) -> str:
    """The words a reader sees: no tags, attributes, scripts, code or preformatted blocks."""
    page = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", page, flags=re.S)
    # Journal descriptions are stored, hashed text, shown as recorded (marked so by the pages).
    page = re.sub(r'<span class="recorded">.*?</span>', " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def mistakes_in(text: str) -> list[str]:
    found = []
    for what, pattern in MISTAKES.items():
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(f"{what}: …{text[start : match.end() + 20]!r}")
    return found


def structure_problems(page: str) -> list[str]:
    """What axe reports too, checked without a browser: controls in a summary, twin landmarks."""
    found = [
        f"a link or button inside <summary>: {summary[:80]!r}"
        for summary in re.findall(r"<summary\b.*?</summary>", page, flags=re.S)
        if re.search(r"<(a|button|input|select|textarea)\b", summary[8:])
    ]
    labels = re.findall(r'<nav\b[^>]*aria-label="([^"]*)"', page)
    found += [
        f"two navigation landmarks named {label!r}"
        for label in set(labels)
        if labels.count(label) > 1
    ]
    ids = re.findall(r'\sid="([^"]+)"', page)
    found += [f"the id {i!r} twice" for i in set(ids) if ids.count(i) > 1]
    return found


def test_the_checks_catch_what_they_look_for() -> None:
    assert structure_problems('<summary><a href="/">x</a></summary>')
    assert structure_problems('<nav aria-label="P"></nav><nav aria-label="P"></nav>')
    assert not structure_problems('<summary>x</summary><nav aria-label="P"></nav>')
    assert len(mistakes_in("On 2026-12-01, 1 hours for books.income.recorded: None")) == 4
    assert mistakes_in("paid 1 Nov 2026") and not mistakes_in("paid 1 November 2026")
    assert mistakes_in("1200.00 EUR") and not mistakes_in("1,200.00 EUR, 1 hour, 21 hours")
    assert not mistakes_in(visible_text('<code>2026-12-01</code><a href="/a-2026-12-01">x</a>'))


def test_no_page_shows_iso_dates_wrong_plurals_codes_or_none() -> None:
    from commonshare.community.models import Member
    from commonshare.demo import ensure_demo_community

    # The demo runs on earned levels and its steward phase, nothing lent (demo.py).
    assert ensure_demo_community()
    import numba

    # Only the demo command's own process values with plain-Python loops; filling the
    # demo in-process must leave the compiled ones for everything valued afterwards.
    assert not numba.config.DISABLE_JIT
    steward = Member.objects.order_by("pk").first()
    urls = page_urls(steward)
    signed_in = Client()
    signed_in.force_login(steward)
    problems = []
    for client in (Client(), signed_in):
        for url in urls:
            response = client.get(url, follow=True)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            page = response.content.decode()
            problems += [f"{url}: {problem}" for problem in mistakes_in(visible_text(page))]
            problems += [f"{url}: {problem}" for problem in structure_problems(page)]
    assert not problems, "\n".join(problems)


def test_dates_money_and_plurals_follow_the_readers_english(paid: Any) -> None:
    from django.urls import reverse

    posted_income(
        paid.ada,
        amount="1234.50",
        currency="EUR",
        payer="Big customer",
        description="Support",
        received_on=dt.date(2026, 3, 1),
    )
    url = reverse("web:income_list")
    british = visible_text(Client().get(url).content.decode())
    american = visible_text(Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(url).content.decode())
    assert "1 March 2026" in british and "March 1, 2026" in american
    assert "1,234.50 EUR" in british and "1,234.50 EUR" in american
    task = paid.task
    assert "3 hours" in visible_text(
        Client().get(reverse("web:task", args=[task.pk])).content.decode()
    )
