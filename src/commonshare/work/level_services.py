"""Writes of the trust-level history: a starting point, then each change as it is seen.

Levels are computed on the fly (``work.trust``) and move with reviewed work, with
distributions and with time alone, so no write of anyone's records says "this level
changed". ``update_trust_levels`` looks: it computes the current members' levels in bulk
(``trust.levels_of``, a fixed number of queries), compares them with the last known ones
(``level_selectors.last_known_levels``), and records each difference by its own
``record_level_change`` action, whose event (``work.trust_level.changed``) tells the
member through the notifications. It runs

- from the worker once a day (``commonshare.worker``), for the changes time brings;
- after each committed event that can change a level (``levels_after``, an audit
  subscriber, queues it for the worker), for the members that event concerns only: a
  review's author and reviewer, a member who verified their e-mail address, the members
  a posted distribution ranked, the stewards when the steward phase ends. Everyone else
  waits for the daily run.

**The first look** records everyone's level as it stands, in one ``start_level_history``
action, and tells nobody: those levels were not changes anyone saw happen, and a
community that installs this must not wake every member with "your level rose from 0
to 2". After that a member with no row is at level 0, where everyone joins: a newcomer
still at 0 needs no row and no notification.

**The steward role** is included: the level recorded is ``trust.level_of``'s, which lends
level 2 to the stewards while the steward phase is open. The level a member is shown on
their profile, and the powers they may use, are that one; when the phase ends a steward
loses the powers of level 2, and that is worth telling them as much as an earned change.

Each change is its own durable transaction, so a run killed mid-way leaves the changes
it recorded and the next run records the rest; a second run records nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from commonshare.audit.actions import action, unchanged
from commonshare.audit.models import AuditEvent
from commonshare.audit.services import record
from commonshare.community.models import Member
from commonshare.work import earned, level_selectors, trust
from commonshare.work.models import ReputationRecord, Review, TrustLevelChange

log = logging.getLogger(__name__)
CHANGED_CODE = "work.trust_level.changed"
STARTED_CODE = "work.trust_level.started"


@action
def start_level_history(levels: Mapping[int, int], *, on: dt.date) -> int:
    """Record ``levels`` (by member id, computed for ``on``) as everyone's starting point.

    Only while nobody's level was ever recorded; otherwise it changes nothing. Returns how
    many were recorded. Tells nobody: see the module's note.
    """
    with transaction.atomic():
        # The first row is the history's start: the lock keeps two workers from both
        # starting it (PostgreSQL; SQLite serialises writers already).
        list(Member.objects.select_for_update().filter(pk=min(levels, default=0)))
        if not levels or level_selectors.history_started():
            unchanged()
            return 0
        now = timezone.now()
        made = TrustLevelChange.objects.bulk_create(
            TrustLevelChange(member_id=pk, level_from=None, level_to=level, on=on, at=now)
            for pk, level in sorted(levels.items())
        )
        first = TrustLevelChange.objects.filter(at=now).order_by("id").first() or made[0]
        record(
            "work.trust_level.started",  # STARTED_CODE, written out for the feed's check
            first,
            members=len(made),
            on=on.isoformat(),
        )
    return len(made)


@action
def record_level_change(member_id: int, level: int, *, on: dt.date) -> TrustLevelChange | None:
    """Record that the member is at ``level`` on ``on``, if that differs from their last
    known level (0 when none is known). Changes nothing otherwise."""
    with transaction.atomic():
        # One writer per member at a time: two workers seeing the same change record it once.
        member = Member.objects.select_for_update().filter(pk=member_id).first()
        if member is None:
            unchanged()
            return None
        known = level_selectors.last_known_levels([member_id]).get(member_id, 0)
        if known == level:
            unchanged()
            return None
        change = TrustLevelChange.objects.create(
            member_id=member_id, level_from=known, level_to=level, on=on
        )
        record(
            "work.trust_level.changed",  # CHANGED_CODE, written out for the feed's check
            change,
            member=member_id,
            member_name=member.display_name,
            level_from=known,
            level_to=level,
            on=on.isoformat(),
        )
    return change


def update_trust_levels(
    member_ids: Iterable[int] | None = None, *, on: dt.date | None = None
) -> int:
    """Compute the levels of the current members (or of ``member_ids`` among them) and
    record each that changed since last known; how many changes it recorded.

    The first run over everyone records the starting point instead (and returns 0). A run
    for some members before that first run does nothing: the daily run starts it.
    """
    day = on or timezone.localdate()
    current = Member.objects.filter(left_at__isnull=True)
    if member_ids is not None:
        current = current.filter(pk__in=set(member_ids))
    elif not level_selectors.history_started():
        ids = list(current.values_list("pk", flat=True))
        start_level_history(trust.levels_of(ids, on=day), on=day)
        return 0
    if not level_selectors.history_started():
        return 0
    ids = list(current.values_list("pk", flat=True))
    if not ids:
        return 0
    levels = trust.levels_of(ids, on=day)
    known = level_selectors.last_known_levels(None if member_ids is None else ids)
    changed = 0
    for pk in sorted(levels):
        if levels[pk] != known.get(pk, 0) and record_level_change(pk, levels[pk], on=day):
            changed += 1
    return changed


def _concerned_by(event: AuditEvent) -> list[int]:
    """The members whose level ``event`` may have changed (none for other events)."""
    if event.code == "work.review.submitted":
        review = Review.objects.filter(pk=event.target_id).values_list(
            "reviewer_id", "contribution__author_id"
        )
        return [pk for pair in review for pk in pair]
    if event.code == "community.member.email_verified":
        return [int(event.target_id)] if event.target_id.isdigit() else []
    if event.code == "work.steward_phase.ended":
        # The stewards' lent level 2 ends with the phase.
        return [pk for pk in event.data.get("stewards", []) if isinstance(pk, int)]
    if event.code == "books.distribution.posted" and event.target_id.isdigit():
        ranked = ReputationRecord.objects.filter(distribution_id=int(event.target_id))
        return list(ranked.values_list("member_id", flat=True))
    if event.code == "decisions.proposal.closed" and event.data.get("effect_kind") == (
        "post_distribution"
    ):
        # Work may not read the books: the posted distribution is the newest ranked one.
        newest = ReputationRecord.objects.aggregate(last=Max("distribution_id"))["last"]
        ranked = ReputationRecord.objects.filter(distribution_id=newest)
        return list(ranked.values_list("member_id", flat=True)) if newest else []
    return []


def levels_after(event: AuditEvent) -> None:
    """Audit subscriber: after an event that can change levels, queue the recording of the
    changes of the members it concerns (``record_levels_of``, which the worker
    runs a moment later: each change by its own action). Powers never wait for it: they
    are checked against the level computed at the time, never against this history."""
    concerned = sorted(set(_concerned_by(event)))
    if concerned:
        record_levels_of.enqueue(concerned)


@task()
def record_levels_of(member_ids: list[int]) -> int:
    """The background task ``levels_after`` queues: ``update_trust_levels`` for these
    members, run by the worker, since working out a busy member's level sums their whole
    history (most of a second for a reviewer of 80,000 reviews), which no request should
    wait for. The community's known levels are brought up to date first, so that the next
    review draw finds them so (``earned.DRAW_LAG``) and the members' levels below are read
    from them, not summed a second time."""
    earned.refresh_known_levels()
    return update_trust_levels(member_ids)
