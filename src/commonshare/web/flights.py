"""One request at a time draws a kept page that is missing: the others wait for it.

When a kept page runs out while many readers ask for it, each of them would draw it at
once: on a process with a few threads and one interpreter lock, sixteen copies of a heavy
page are drawn at a sixteenth of the speed each, and every reader waits for all of them.
Here the first request for a key leads: it draws the page while the others wait for it to
land, then they take the copy it kept. A waiter that finds nothing kept after the lead
lands (the page was one that is never kept, such as a form that sets a cookie) draws its
own, without leading, so such pages are never drawn one at a time.

The flights are this process's: with several processes each draws its own copy, at most
one at a time.
"""

from __future__ import annotations

import threading

WAIT_SECONDS = 10.0
"""How long a request waits for another's draw before it draws its own."""


class Flights:
    """The keys that some thread of this process is drawing now."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._under_way: dict[str, threading.Event] = {}

    def join(self, key: str) -> threading.Event | None:
        """None when the caller now leads ``key`` (it must :meth:`land` it), else the
        flight under way, to wait on."""
        with self._guard:
            flight = self._under_way.get(key)
            if flight is None:
                self._under_way[key] = threading.Event()
            return flight

    def land(self, key: str) -> None:
        """The leader of ``key`` is done, whether it kept a page or failed: wake the
        waiters."""
        with self._guard:
            flight = self._under_way.pop(key, None)
        if flight is not None:
            flight.set()

    def under_way(self) -> int:
        """How many keys are being drawn now (for tests)."""
        with self._guard:
            return len(self._under_way)


FLIGHTS = Flights()
