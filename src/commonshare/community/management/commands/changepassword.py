"""Replaces Django's ``changepassword``: nobody sets a member's password but the member."""

from __future__ import annotations

from commonshare.community.management.commands._refused import RefusedCommand
from commonshare.community.models import NO_PASSWORD_CHANGE


class Command(RefusedCommand):
    help = "Refused: only a member sets their own password."
    refusal = NO_PASSWORD_CHANGE
