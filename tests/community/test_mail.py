"""Real e-mail: sign-up mails a verification link, and a forgotten password is reset by mail.

Mail goes over SMTP to a real local server (aiosmtpd, the ``smtp_server`` fixture); the
links are followed with the test client, as a member would in their browser.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from tests.conftest import PASSWORD, SmtpInbox

from commonshare.audit.models import AuditEvent
from commonshare.community import mail, services
from commonshare.community.models import Member
from commonshare.community.tokens import uid_of, verification_tokens
from commonshare.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new pass phrase 77"


def _path(link: str) -> str:
    return urlsplit(link).path


def _signs_in(email: str, password: str) -> bool:
    """Sign in through the log-in page, as a person would (and as the lockout counts)."""
    response = Client().post("/login/", {"username": email, "password": password})
    return response.status_code == 302


def _sign_up(client: Client, capture: Any, email: str = "ada@example.org") -> Member:
    with capture(execute=True):
        response = client.post(
            "/signup/", {"email": email, "display_name": "Ada", "password": PASSWORD}
        )
    assert response.status_code == 302
    return Member.objects.get(email=email)


def test_sign_up_mails_a_link_that_verifies_the_address_once(
    smtp_server: SmtpInbox, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    member = _sign_up(client, django_capture_on_commit_callbacks)
    assert member.email_verified_at is None
    [message] = smtp_server.to("ada@example.org")
    assert "Verify your email address" in message["Subject"]
    link = smtp_server.link("ada@example.org")
    assert link.startswith("http://testserver/verify-email/")

    page = client.get(_path(link))  # a mail scanner's fetch spends nothing
    assert page.status_code == 200 and "Verify my address" in page.text
    member.refresh_from_db()
    assert member.email_verified_at is None

    followed = client.post(_path(link), follow=True)
    assert "your email address is verified" in followed.text
    member.refresh_from_db()
    assert member.email_verified_at is not None
    event = AuditEvent.objects.get(code="community.member.email_verified")
    assert event.target_id == str(member.pk) and event.data["email"] == "ada@example.org"

    again = client.post(_path(link))
    assert again.status_code == 400
    assert "expired, was already used" in again.text
    assert AuditEvent.objects.filter(code="community.member.email_verified").count() == 1


def test_the_api_and_the_cli_sign_ups_mail_the_link_too(
    smtp_server: SmtpInbox, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    body = {"email": "bo@example.org", "display_name": "Bo", "password": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/members", body, content_type="application/json")
    assert response.status_code == 201
    uid, token = _path(smtp_server.link("bo@example.org")).strip("/").split("/")[1:]
    verified = client.post(
        "/api/members/verify-email", {"uid": uid, "token": token}, content_type="application/json"
    )
    assert verified.status_code == 200
    assert Member.objects.get(email="bo@example.org").email_verified_at is not None
    spent = client.post(
        "/api/members/verify-email", {"uid": uid, "token": token}, content_type="application/json"
    )
    assert spent.status_code == 422 and spent.json()["field"] == "token"


def test_a_forged_or_expired_verification_link_is_refused_with_a_clear_message(
    smtp_server: SmtpInbox, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    member = _sign_up(client, django_capture_on_commit_callbacks)
    link = _path(smtp_server.link("ada@example.org"))
    forged = link.rsplit("/", 2)[0] + "/" + "x" * 20 + "/"
    response = client.post(forged)
    assert response.status_code == 400 and "Ask for a new one" in response.text
    with pytest.raises(InvalidInput) as caught:
        services.verify_email(uid="not-base64!", token="abc")
    assert caught.value.field == "token"
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=4)):
        expired = client.post(link)
    assert expired.status_code == 400
    member.refresh_from_db()
    assert member.email_verified_at is None
    assert not AuditEvent.objects.filter(code="community.member.email_verified").exists()


def test_a_member_asks_for_a_fresh_link_on_the_web_the_api_and_the_cli(
    smtp_server: SmtpInbox, client: Client, make_member: Any
) -> None:
    from click.testing import CliRunner

    from commonshare.cli import main as cli
    from commonshare.community.services import create_token

    ada = make_member("Ada", email="ada@example.org")
    client.force_login(ada)
    assert "is not verified yet" in client.get("/me/verify-email/").text
    client.post("/me/verify-email/")
    _token, raw = create_token(ada, name="laptop")
    sent = client.post("/api/members/me/verify-email", headers={"Authorization": f"Bearer {raw}"})
    assert sent.status_code == 202
    result = CliRunner().invoke(cli, ["member", "verify-email", "--as", "ada@example.org"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.to("ada@example.org")) == 3
    services.verify_email(uid=uid_of(ada), token=verification_tokens.make_token(ada))
    ada.refresh_from_db()
    with pytest.raises(Conflict):
        mail.send_verification(ada)
    refused = client.post(
        "/api/members/me/verify-email", headers={"Authorization": f"Bearer {raw}"}
    )
    assert refused.status_code == 409
    assert "verified on" in client.get("/me/verify-email/").text


def _request_reset(client: Client, email: str) -> Any:
    return client.post("/password-reset/", {"email": email}, follow=True)


def test_password_reset_by_mail_sets_a_new_password_once(
    smtp_server: SmtpInbox, client: Client, make_member: Any
) -> None:
    make_member("Ada", email="ada@example.org")
    sent = _request_reset(client, "Ada@Example.org")
    assert "Check your mail" in sent.text
    link = _path(smtp_server.link("ada@example.org"))
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.text
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your new password is saved" in done.text
    event = AuditEvent.objects.get(code="community.member.password_reset")
    assert event.actor.email == "ada@example.org"

    assert _signs_in("ada@example.org", NEW_PASSWORD)
    assert not _signs_in("ada@example.org", PASSWORD)
    spent = Client().get(link, follow=True)
    assert "This link does not work" in spent.text
    assert "expired, was already used" in spent.text


def test_the_reset_page_says_the_same_whether_or_not_the_address_is_known(
    smtp_server: SmtpInbox, client: Client, make_member: Any
) -> None:
    make_member("Ada", email="ada@example.org")
    known = _request_reset(client, "ada@example.org")
    unknown = _request_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda page: page.text.replace("ada@example.org", "").replace("nobody@example.org", "")  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(smtp_server.messages) == 1
    api_known = client.post(
        "/api/members/password-reset", {"email": "ada@example.org"}, content_type="application/json"
    )
    api_unknown = client.post(
        "/api/members/password-reset", {"email": "x@example.org"}, content_type="application/json"
    )
    assert (api_known.status_code, api_known.json()) == (
        api_unknown.status_code,
        api_unknown.json(),
    )


def test_password_reset_over_the_api_works_once_and_refuses_a_forged_token(
    smtp_server: SmtpInbox, client: Client, make_member: Any
) -> None:
    make_member("Ada", email="ada@example.org")
    client.post(
        "/api/members/password-reset", {"email": "ada@example.org"}, content_type="application/json"
    )
    uid, token = _path(smtp_server.link("ada@example.org")).strip("/").split("/")[1:]

    def confirm(token: str, password: str = NEW_PASSWORD) -> Any:
        body = {"uid": uid, "token": token, "password": password}
        return client.post(
            "/api/members/password-reset/confirm",
            json.dumps(body),
            content_type="application/json",
        )

    forged = confirm(token[:-2] + "zz")
    assert forged.status_code == 422 and forged.json()["field"] == "token"
    weak = confirm(token, "short")
    assert weak.status_code == 422 and weak.json()["field"] == "password"
    assert confirm(token).status_code == 200
    assert confirm(token, "another pass phrase 99").status_code == 422
    assert _signs_in("ada@example.org", NEW_PASSWORD)
    assert AuditEvent.objects.filter(code="community.member.password_reset").count() == 1


def test_an_expired_reset_link_gets_a_clear_message_and_changes_nothing(
    smtp_server: SmtpInbox, client: Client, make_member: Any
) -> None:
    make_member("Ada", email="ada@example.org")
    _request_reset(client, "ada@example.org")
    link = _path(smtp_server.link("ada@example.org"))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=4)):
        page = client.get(link, follow=True)
    assert "This link does not work" in page.text and "Ask for a new link" in page.text
    assert _signs_in("ada@example.org", PASSWORD)
    assert not AuditEvent.objects.filter(code="community.member.password_reset").exists()
