"""Writes of the steward phase: naming the stewards at ``init``, and recording its end.

``end_steward_phase`` records the end once a condition holds; an after-commit subscriber
(``record_end_when_due``) runs it after the first action that made one true, so the audit
log shows when the phase ended. The decisions app calls ``_end_steward_phase`` inside its
own action (the first adopted decision, or a decision to close the phase early). Nothing
here, or anywhere, reopens the phase.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from commonshare.audit.actions import action, unchanged
from commonshare.audit.models import AuditEvent
from commonshare.audit.services import record
from commonshare.community.models import Member
from commonshare.community.vocab import normalise_email
from commonshare.errors import Conflict, InvalidInput
from commonshare.governance.selectors import current_policy
from commonshare.work import steward
from commonshare.work.models import Steward, StewardPhaseEnd
from commonshare.work.vocab import StewardEndReason

log = logging.getLogger(__name__)
ENDED = "The steward phase has ended, and the steward role never comes back."
ENDED_CODE = "work.steward_phase.ended"


@action
def name_stewards(emails: Iterable[str]) -> list[Steward]:
    """Name the stewards of a new community (``commonshare init --steward EMAIL``).

    Only while the phase is open and before anyone is a member (no current member):
    naming stewards later would hand one person's choice level-2 powers over a community
    already running.
    An address may belong to nobody yet; its member holds the role once they join.
    """
    wanted = list(dict.fromkeys(normalise_email(email) for email in emails))
    for email in wanted:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"{email!r} is not a valid email address.", field="steward"
            ) from None
    with transaction.atomic():
        if StewardPhaseEnd.objects.exists() or not steward.phase().is_open:
            raise Conflict(ENDED, field="steward")
        known = set(Steward.objects.values_list("email", flat=True))
        new = [email for email in wanted if email not in known]
        if not new:
            unchanged()
            return []
        if Member.objects.filter(left_at__isnull=True).exists():
            raise Conflict(
                "Stewards are named when the community begins, before anyone joins; "
                "this community already has members, so its first members are its stewards.",
                field="steward",
            )
        made = [Steward.objects.create(email=email) for email in new]
        record("work.steward.named", made[0], emails=new)
    return made


def _end_steward_phase(reason: str, decision_number: int | None = None) -> StewardPhaseEnd | None:
    """Record the phase's end inside the caller's action (writes no event: the caller's
    event names it). Returns None when it had already ended, or when the first decision
    does not end it under the policy. Ends it now; a phase that ran out of days ends at
    the moment the days ran out."""
    if reason not in StewardEndReason.values:
        raise InvalidInput(f"{reason!r} is not a way the steward phase ends.", field="reason")
    if StewardPhaseEnd.objects.select_for_update().exists():
        return None
    rules = current_policy().steward
    if reason == StewardEndReason.FIRST_DECISION and not rules.ends_at_first_decision:
        return None
    ended_at = timezone.now()
    if reason == StewardEndReason.DAYS:
        ends_by = steward.phase().ends_by
        ended_at = min(ended_at, ends_by) if ends_by is not None else ended_at
    return StewardPhaseEnd.objects.create(
        ended_at=ended_at, reason=reason, decision_number=decision_number
    )


@action
def end_steward_phase() -> StewardPhaseEnd | None:
    """Record the end of a phase that one of the policy's conditions has ended.

    Changes nothing (and records no event) while the phase is open or once its end is
    recorded."""
    with transaction.atomic():
        now = steward.phase()
        if now.is_open or now.recorded or now.reason is None:
            unchanged()
            return None
        end = _end_steward_phase(now.reason)
        if end is None:
            unchanged()
            return None
        record(
            "work.steward_phase.ended",  # ENDED_CODE, written out for the feed's check
            end,
            reason=end.reason,
            ended_at=end.ended_at.isoformat(),
            stewards=list(now.steward_ids),
            earned_level2=now.earned_level2,
        )
    return end


def record_end_when_due(event: AuditEvent) -> None:
    """Audit subscriber: after an action, record the phase's end if a condition now holds."""
    if event.code == ENDED_CODE or StewardPhaseEnd.objects.exists():
        return
    if steward.is_open():  # after every action: the cheap answer (phase() would show it)
        return
    end_steward_phase()
