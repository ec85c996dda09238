"""A transaction a test may hold open or roll back around actions.

Actions (``commonshare.audit.actions``) open durable transactions, which Django refuses
inside another atomic block, except the block its own test cases wrap each test in.
``held_open()`` is such a block: for tests that must keep a write uncommitted for a while
(to race another connection against it) or roll several actions back at once (one
hypothesis example). Code outside tests has no such block: there an action always commits.
"""

from __future__ import annotations

from django.db import transaction


def held_open() -> transaction.Atomic:
    block = transaction.atomic()
    block._from_testcase = True  # what django.test.TestCase marks its own blocks with
    return block
