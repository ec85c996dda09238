"""Trust levels as earned by reviewed work, before any steward role.

A placeholder in this branch: every member has earned level 0, as ``trust.levels_of``
said before the steward phase. The trust work (issue 10) replaces this module with the
real computation (``core.trust`` over each member's record); the steward phase counts
"members who earned level 2" through ``earned_levels_of`` and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commonshare.community.models import Member


def earned_level_of(member: Member, *, on: dt.date | None = None) -> int:
    """The level ``member`` earned by ``on`` (today by default), 0 to 4."""
    return 0


def earned_levels_of(member_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, int]:
    """Earned levels of many members at once."""
    return dict.fromkeys(member_ids, 0)
