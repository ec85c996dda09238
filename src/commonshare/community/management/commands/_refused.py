"""A stock Django command that Commonshare refuses, because it writes around the services."""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError


class RefusedCommand(BaseCommand):
    """Takes whatever the stock command took, writes nothing, and says why and what instead."""

    refusal: ClassVar[str] = ""

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs="*")
        parser.add_argument("--database")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def run_from_argv(self, argv: list[str]) -> None:
        # From the shell, refuse before parsing: any option the stock command took gets this too.
        self.stderr.write(f"CommandError: {self.refusal}")
        sys.exit(1)

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(self.refusal)
