"""No path around the community: no Django admin, no superusers or staff accounts."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from commonshare.community.models import Member
from commonshare.errors import Forbidden

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/community/member/"])
def test_there_is_no_django_admin(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_admin_app_is_not_installed() -> None:
    from django.apps import apps

    assert not apps.is_installed("django.contrib.admin")


def test_createsuperuser_is_refused_and_says_how_to_join() -> None:
    with pytest.raises(CommandError, match="no superusers") as caught:
        call_command("createsuperuser", "--noinput", "--email", "root@example.org", verbosity=0)
    assert "commonshare member join" in str(caught.value)
    assert not Member.objects.exists()


def test_the_member_manager_makes_no_superuser() -> None:
    with pytest.raises(Forbidden, match="Join as a member"):
        Member.objects.create_superuser("root@example.org", "a long passphrase here")
    assert not Member.objects.exists()
