"""Replaces Django's ``createsuperuser``: Commonshare has no account above the community."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commonshare.community.models import NO_SUPERUSER


class Command(BaseCommand):
    help = "Refused: Commonshare has no superusers. Join as a member instead."

    def add_arguments(self, parser: Any) -> None:
        # Accept (and ignore) whatever Django's own command took, so every call gets the message.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--email", "--username", dest="email")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(NO_SUPERUSER)
