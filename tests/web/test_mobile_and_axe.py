"""Every page at 390 px wide, signed in and not: nothing scrolls sideways, axe finds nothing.

The pages come from the URL conf, not from a list kept by hand: each pattern's
ids are filled from the demo community (``commonshare demo``'s data), so a page
added tomorrow is checked tomorrow. Only pages that cannot be fetched with a GET
(actions that only take a POST) are left out. axe-core (bundled by axe-playwright-python, so
it runs offline) checks WCAG 2.1 A and AA and its best practices.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# A path that only takes a POST (an action such as logging out) is no page: the test asks
# the server and leaves out whatever answers a GET with 405.
QUERIES = {"web:entry_go": "?seq=1", "web:search": "?q=review"}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def web_patterns() -> list[tuple[str, list[str]]]:
    """Every named page of the web app, with the names of the ids in its path."""
    found = []
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace == "web":
            for pattern in resolver.url_patterns:
                assert isinstance(pattern, URLPattern)
                found.append((f"web:{pattern.name}", list(pattern.pattern.converters)))
    return found


def ids_from_the_demo() -> dict[str, Any]:
    from commonshare.books.models import Distribution, Income, JournalEntry
    from commonshare.community.models import Member
    from commonshare.community.tokens import reset_tokens, uid_of
    from commonshare.work.models import Contribution, Task

    distribution = Distribution.objects.latest("pk")
    payout = distribution.payouts.order_by("-amount_minor").first()
    parent = Task.objects.filter(parent__isnull=True).first()
    assert payout is not None and parent is not None
    return {
        "task_id": Task.objects.filter(parent__isnull=False).latest("pk").pk,
        "parent_id": parent.pk,
        "contribution_id": Contribution.objects.filter(kind="work").latest("pk").pk,
        "member_id": payout.member_id,
        "seq": JournalEntry.objects.latest("seq").seq,
        "income_id": Income.objects.latest("pk").pk,
        "distribution_id": distribution.pk,
        # A norm with two versions (``_a_second_purpose``): the version page shows a diff.
        "kind": "purpose",
        # ... and a decision numbered 2 (``_decision_two``): both pages take a ``number``.
        "number": _decision_two(),
        # the mailed links' pages (the reset link is genuine, so its form is checked)
        "uid": uid_of(first := Member.objects.order_by("pk").first()),
        "uidb64": uid_of(first),
        "token": reset_tokens.make_token(first),
        # Confirm buttons post; the dispute page asks for a reason whatever the id.
        "withdrawal_id": 1,
        "request_id": 1,
        # Thanking a reviewer only takes a POST; a member's picture is an image, not a page.
        "review_id": 1,
        # Mark-read only takes a POST; the unsubscribe page is checked with a token it
        # refuses (the reset token above), which is a page too.
        "notification_id": 1,
        **_a_discussion(),
    }


def _a_discussion() -> dict[str, Any]:
    """A thread on a task (a mention, a reference, a reply, an edit, a long word) and a
    forum topic, for the discussion's pages: the comment is the first member's own, so its
    edit and delete pages show their forms."""
    from commonshare.community.models import Member
    from commonshare.discussion import services
    from commonshare.work.models import Task

    first, *others = Member.objects.filter(left_at=None).order_by("pk")[:2]
    task = Task.objects.latest("pk")
    subject = f"task-{task.pk}"
    handle = "".join(first.display_name.split())
    comment = services.post_comment(
        first, subject, f"Is #task-{task.pk} done, @{handle}? " + "unbroken-" * 20
    ).comment
    services.post_comment(others[0] if others else first, subject, "Nearly.", reply_to=comment.pk)
    services.edit_comment(first, comment.pk, comment.body + " Asking for the guide.")
    topic = services.start_topic(first, "Welcome to the commons", "Say hello here.")
    return {"subject": subject, "comment_id": comment.pk, "topic_id": topic.comment.thread_id}


def _decision_two() -> int:
    """Decision number 2: the demo's, or written as set-up data with number 1 before it
    (until the demo has decisions of its own), so the norm version 2 and decision 2 pages
    share the ``number`` id."""
    import datetime as dt

    from django.utils import timezone

    from commonshare.community.models import Member
    from commonshare.core.decisions import Method, Terms, terms_to_dict
    from commonshare.core.policy import canonical_json
    from commonshare.decisions.models import Proposal

    now = timezone.now()
    for number in (1, 2):
        if not Proposal.objects.filter(number=number).exists():
            Proposal.objects.create(
                number=number,
                title="Keep a bigger reserve",
                proposer=Member.objects.order_by("pk").first(),
                kind="other",
                method=Method.MAJORITY.value,
                terms=canonical_json(terms_to_dict(Terms(method=Method.MAJORITY))),
                eligibility=0,
                opens_at=now,
                closes_at=now + dt.timedelta(days=3),
            )
    return 2


def page_urls(member: Any) -> list[str]:
    from commonshare.work.models import Contribution

    ids = ids_from_the_demo()
    claim = Contribution.objects.filter(kind="expense").latest("pk").pk
    client = Client()
    client.force_login(member)
    urls = []
    for name, params in web_patterns():
        args = [claim if name == "web:expense_decide" else ids[param] for param in params]
        url = reverse(name, args=args) + QUERIES.get(name, "")
        response = client.get(url)
        # An Atom feed or a picture is no page to read (tests/web/test_atom_feeds.py checks each).
        if response.status_code != 405 and response["Content-Type"].startswith("text/html"):
            urls.append(url)
    return urls


def signed_in_context(browser: Browser, base: str, member: Any) -> Any:
    client = Client()
    client.force_login(member)
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])
    return context


def problems_on(page: Page, axe: Axe, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None
    problems = []
    if response.status >= 500:
        problems.append(f"{url}: answers {response.status}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        wide = page.evaluate(
            """w => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1
                        && !e.closest('.scroll'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""",
            WIDTH,
        )
        problems.append(f"{url}: {width} px wide (too wide: {wide})")
    results = axe.run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{url}: axe {violation['id']} ({violation['impact']}) at {targets}")
    return problems


def _a_second_policy_version() -> None:
    """So the rules page shows a history with a table of changes, as a community's will."""
    from commonshare.core.policy import DEFAULT_POLICY, policy_to_dict
    from tests.policies import insert_version

    prices = {**policy_to_dict(DEFAULT_POLICY)["resources"]["prices"], "GPU hours": "1.20"}
    insert_version(reserve={"share": "0.15"}, resources={"prices": prices})


def _a_second_purpose() -> None:
    """So a norm's version page shows its diff against the version before."""
    from commonshare.governance.initial_norms import PURPOSE_TEXT
    from tests.norms import adopt_as_decision

    amended = PURPOSE_TEXT.replace("review each other", "review each other's work")
    unbroken = "a-line-with-no-space-" * 12  # must wrap at 390 px, not widen the page
    adopt_as_decision("purpose", f"{amended}\n{unbroken}\n", decision_number=1)


def test_every_page_fits_a_phone_and_passes_axe(live_server: Any, browser: Browser) -> None:
    from commonshare.community.models import Member
    from commonshare.demo import ensure_demo_community

    # The demo runs on earned levels and its steward phase, nothing lent (demo.py).
    assert ensure_demo_community()
    _a_second_policy_version()
    _a_second_purpose()
    from commonshare.search.indexing import rebuild

    rebuild()  # the demo was written with the site's subscribers off: make it searchable
    steward = Member.objects.order_by("pk").first()
    urls = page_urls(steward)
    assert "/policy/" in urls
    assert "/norms/purpose/2/" in urls
    assert len(urls) > 30, urls  # every pattern of web/urls.py but the POST-only actions
    axe = Axe()
    base = live_server.url
    problems = []
    anonymous = browser.new_context(viewport={"width": WIDTH, "height": 844})
    member = signed_in_context(browser, base, steward)
    for context in (anonymous, member):
        page = context.new_page()
        for url in urls:
            problems += problems_on(page, axe, base + url)
        context.close()
    assert not problems, "\n".join(problems)
