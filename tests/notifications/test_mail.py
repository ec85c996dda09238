"""Notification mail: queued after commit, sent by the worker through a real SMTP server
(aiosmtpd), once; preferences, the daily digest, and one-click unsubscribe."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from commonshare.audit.models import AuditEvent
from commonshare.discussion import services as discussion
from commonshare.notifications import delivery, selectors, services, sweep, tokens
from commonshare.notifications.models import Mail, Notification
from tests.conftest import SmtpInbox

pytestmark = pytest.mark.django_db


def _mention(ada: Any, task: Any, committed: Any, text: str = "Hello @Bo") -> None:
    with committed():
        discussion.post_comment(ada, f"task-{task.pk}", text)


def test_nothing_is_sent_in_the_request_and_the_worker_sends_each_mail_once(
    ada: Any, bo: Any, task: Any, *, committed: Any, smtp_server: SmtpInbox, work_queue: Any
) -> None:
    _mention(ada, task, committed)
    assert smtp_server.to("bo@example.org") == []  # queued, not sent
    [mail] = Mail.objects.all()
    assert mail.state == Mail.State.QUEUED
    assert work_queue() >= 1
    [message] = smtp_server.to("bo@example.org")
    assert "Ada Lovelace mentioned you" in message["Subject"]
    body = smtp_server.body(message)
    assert f"http://testserver/tasks/{task.pk}/#comment-" in body
    assert message["List-Unsubscribe"].strip().startswith("<http://testserver/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == f"<commonshare.mail.{mail.pk}@testserver>"
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (Mail.State.SENT, 1)
    # Another task for the same mail, and another sweep, send nothing more.
    assert delivery.deliver(mail.pk) == delivery.NOTHING
    work_queue()
    assert len(smtp_server.to("bo@example.org")) == 1


def test_a_kind_turned_off_is_not_mailed_but_still_shows(
    ada: Any, bo: Any, task: Any, *, committed: Any, smtp_server: SmtpInbox, work_queue: Any
) -> None:
    services.set_preferences(bo, {"mention": "off"})
    _mention(ada, task, committed)
    work_queue()
    assert smtp_server.to("bo@example.org") == []
    assert selectors.unread_count(bo) == 1
    assert Mail.objects.count() == 0


def test_unsubscribing_after_a_mail_was_queued_stops_it(
    ada: Any, bo: Any, task: Any, *, committed: Any, smtp_server: SmtpInbox, work_queue: Any
) -> None:
    _mention(ada, task, committed)
    services.unsubscribe(tokens.make(bo.pk, "mention"))
    work_queue()
    assert smtp_server.to("bo@example.org") == []
    assert Mail.objects.get().state == Mail.State.SKIPPED


def test_the_daily_digest_gathers_what_waits_and_goes_out_once_a_day(
    ada: Any, bo: Any, task: Any, *, committed: Any, smtp_server: SmtpInbox, work_queue: Any
) -> None:
    services.set_preferences(bo, {"mention": "daily", "reply": "daily"})
    _mention(ada, task, committed, "Hello @Bo")
    _mention(ada, task, committed, "Again @Bo")
    work_queue()
    [digest] = smtp_server.to("bo@example.org")
    assert digest["Subject"] == "Your daily digest: 2 notifications"
    assert smtp_server.body(digest).count("mentioned you") == 2
    _mention(ada, task, committed, "Third @Bo")
    work_queue()  # the last digest went out less than a day ago
    assert len(smtp_server.to("bo@example.org")) == 1
    assert sweep.send_digests() == 0
    waiting = Notification.objects.filter(recipient=bo, mail__isnull=True)
    assert waiting.count() == 1


def test_a_mail_server_that_is_down_leaves_the_mail_queued_for_the_sweep(
    ada: Any, bo: Any, task: Any, *, committed: Any, settings: Any, work_queue: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_USE_TLS = False
    _mention(ada, task, committed)
    work_queue()
    mail = Mail.objects.get()
    assert (mail.state, mail.attempts) == (Mail.State.QUEUED, 1)


def test_one_click_unsubscribe_with_a_signed_link(
    ada: Any, bo: Any, task: Any, *, committed: Any, smtp_server: SmtpInbox, work_queue: Any
) -> None:
    _mention(ada, task, committed)
    work_queue()
    [message] = smtp_server.to("bo@example.org")
    link = message["List-Unsubscribe"].strip().strip("<>")
    path = urlsplit(link).path
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe?" in page.text
    assert selectors.preferences_of(bo)["mention"] == "immediately"  # a GET changes nothing
    # A mail program's one-click POST (RFC 8058) carries no CSRF token.
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert selectors.preferences_of(bo)["mention"] == "off"
    assert selectors.preferences_of(bo)["reply"] == "immediately"
    assert AuditEvent.objects.filter(code="notifications.preferences.unsubscribed").count() == 1


def test_a_forged_unsubscribe_token_is_refused_with_a_clear_page(bo: Any) -> None:
    forged = signing.dumps({"m": bo.pk, "k": "*"}, salt="some other salt")
    changed = tokens.make(bo.pk, "*")[:-3] + "abc"
    client = Client()
    for token in (forged, changed, "not-a-token"):
        page = client.post(f"/unsubscribe/{token}/")
        assert page.status_code == 400
        assert "not one this site sent" in page.text
    assert set(selectors.preferences_of(bo).values()) == {"immediately"}
    assert not AuditEvent.objects.filter(code__startswith="notifications.").exists()
