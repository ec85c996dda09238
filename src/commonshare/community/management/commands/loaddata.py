"""Replaces Django's ``loaddata``: fixtures would write rows with no service, rule or event."""

from __future__ import annotations

from commonshare.community.management.commands._refused import RefusedCommand
from commonshare.community.models import NO_LOADDATA


class Command(RefusedCommand):
    help = "Refused: rows are written only by the services. Use `commonshare demo` for sample data."
    refusal = NO_LOADDATA
