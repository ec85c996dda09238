"""Replaces Django's ``changepassword``: nobody sets a member's password but the member."""

from __future__ import annotations

from commonshare.community.management.commands._refused import RefusedCommand
from commonshare.community.models import NOBODY_SIGNS_IN_FOR_A_MEMBER


class Command(RefusedCommand):
    help = "Refused: only a member sets their own password."
    refusal = NOBODY_SIGNS_IN_FOR_A_MEMBER
