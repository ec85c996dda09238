import pytest
from tests.conftest import PASSWORD

from commonshare.audit.models import AuditEvent
from commonshare.community import services
from commonshare.community.models import Member
from commonshare.errors import Conflict, InvalidInput
from commonshare.work import services as work

pytestmark = pytest.mark.django_db


def test_anyone_joins_at_once_with_an_argon2_password() -> None:
    member = services.join(email=" Ada@Example.org ", display_name="Ada", password=PASSWORD)
    assert member.email == "ada@example.org"
    assert member.is_current
    assert member.password.startswith("argon2")
    assert AuditEvent.objects.filter(code="community.member.joined", actor=member).exists()


@pytest.mark.parametrize(
    ("email", "name", "password", "field"),
    [
        ("not-an-email", "Ada", PASSWORD, "email"),
        ("ada@example.org", "  ", PASSWORD, "display_name"),
        ("ada@example.org", "x" * 81, PASSWORD, "display_name"),
        ("ada@example.org", "Ada", "short", "password"),
        ("ada@example.org", "Ada", "password123", "password"),
    ],
)
def test_bad_sign_ups_name_the_field_and_write_nothing(
    email: str, name: str, password: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.join(email=email, display_name=name, password=password)
    assert caught.value.field == field
    assert not Member.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_same_email_cannot_join_twice(make_member) -> None:
    make_member("Ada", email="ada@example.org")
    with pytest.raises(Conflict):
        services.join(email="ADA@example.org", display_name="Other", password=PASSWORD)


def test_leaving_releases_claims_and_keeps_history(make_member) -> None:
    ada = make_member("Ada")
    task = work.create_task(ada, title="T", estimate_hours="1")
    work.claim_task(ada, task.pk)
    services.leave(ada)
    task.refresh_from_db()
    assert task.status == "open" and task.claimed_by is None
    ada.refresh_from_db()
    assert ada.left_at is not None and ada.is_active  # can still sign in and see earnings
    with pytest.raises(Conflict):
        services.leave(ada)
    services.rejoin(ada)
    assert Member.objects.get(pk=ada.pk).left_at is None


def test_api_tokens_are_stored_as_digests(make_member) -> None:
    ada = make_member("Ada")
    token, raw = services.create_token(ada, name="laptop")
    assert raw not in token.digest and raw.startswith("cs_")
    assert services.member_for_token(raw) == ada
    assert services.member_for_token(raw + "x") is None
    services.revoke_token(ada, token.pk)
    assert services.member_for_token(raw) is None


def test_joining_reports_every_problem_at_once(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        services.join(email="not an email", display_name="", password="123")
    assert [field for field, _ in caught.value.problems] == ["email", "display_name", "password"]
    assert caught.value.message == "Enter a valid email address."
    assert not Member.objects.exists()
