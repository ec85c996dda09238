"""No path around the community: no Django admin, no superusers or staff accounts."""

from __future__ import annotations

import os

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


@pytest.mark.parametrize(
    ("command", "args", "says"),
    [
        ("changepassword", ["ada@example.org"], "nobody set a member's password"),
        ("loaddata", ["members.json"], "refuses loaddata"),
    ],
)
def test_stock_commands_that_write_around_the_services_are_refused(
    make_member, command: str, args: list[str], says: str
) -> None:
    ada = make_member("Ada", email="ada@example.org")
    hashed = Member.objects.get(pk=ada.pk).password
    with pytest.raises(CommandError, match=says):
        call_command(command, *args, verbosity=0)
    assert Member.objects.get(pk=ada.pk).password == hashed


def test_changepassword_says_how_a_member_gets_a_new_password() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("changepassword", "ada@example.org")
    assert "through the link mailed to their address" in str(caught.value)


@pytest.mark.parametrize("command", ["changepassword", "loaddata"])
def test_refused_commands_refuse_from_the_shell_too(command: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "django", command, "--database", "default", "x"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "commonshare.settings"},
        check=False,
    )
    assert done.returncode == 1
    assert "Commonshare" in done.stderr
