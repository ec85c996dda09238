"""The day a test runs on, for modules that keep it in a ``TODAY`` constant.

A constant set at import goes stale when a run crosses midnight: work logged after
00:00 is stamped with the new day, outside a period that ends on the old one. A
module writes ``TODAY = live_today(__name__)`` instead, and the autouse fixture in
``tests/conftest.py`` sets ``TODAY`` (and ``YESTERDAY``, where the module has one)
to the real day again before each of its tests.
"""

from __future__ import annotations

import datetime as dt

LIVE_MODULES: set[str] = set()


def live_today(module: str) -> dt.date:
    LIVE_MODULES.add(module)
    return dt.date.today()  # noqa: DTZ011 - the services date entries with the local date
