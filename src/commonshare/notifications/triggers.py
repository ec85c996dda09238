"""Who an audit event concerns, and what each of them is told.

``concerned(event)`` reads the records the event names and returns one ``Told`` per
member and kind. It never tells the member who did the thing (nobody needs a bell for
their own comment). Each kind's rule is one function below, found by the event's code in
``RULES``; an event with no rule concerns nobody.

Trust levels are computed from the record, with no write of their own; the level
history (``work.level_services``) looks at them after the events that can move them and
once a day, and records each change with its own event (``work.trust_level.changed``).
That event tells the member whose level it is, in words that say what the level unlocks
or no longer unlocks. Its actor is nobody, so the member is never skipped as its actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from commonshare.audit.models import AuditEvent
from commonshare.books.models import Distribution
from commonshare.books.selectors.expenses import expense_status
from commonshare.books.vocab import ExpenseStatus
from commonshare.community.models import Member
from commonshare.core.words import long_date
from commonshare.decisions import selectors as decision_reads
from commonshare.decisions.models import Proposal
from commonshare.discussion.models import Comment
from commonshare.notifications import vocab
from commonshare.notifications.models import Notification
from commonshare.work import level_selectors
from commonshare.work.models import Contribution, Task


@dataclass(frozen=True)
class Told:
    """One notification to make: to whom, of which kind, the sentence and its link."""

    recipient: int
    kind: str
    sentence: str
    link: str


Rule = Callable[[AuditEvent], list["Told"]]


def concerned(event: AuditEvent) -> list[Told]:
    """Everyone ``event`` concerns, once per member and kind, never its actor."""
    rule = RULES.get(event.code)
    if rule is None:
        return []
    seen: set[tuple[int, str]] = set()
    told = []
    for one in rule(event):
        key = (one.recipient, one.kind)
        if one.recipient == event.actor_id or key in seen:
            continue
        seen.add(key)
        told.append(one)
    return told


def _cut(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _ids(values: Iterable[Any]) -> list[int]:
    return [int(value) for value in values if isinstance(value, int | str) and str(value).isdigit()]


def _actor_name(event: AuditEvent) -> str:
    if event.actor_id is None:
        return "Someone"
    name = Member.objects.filter(pk=event.actor_id).values_list("display_name", flat=True).first()
    return name or "Someone"


# --- work -----------------------------------------------------------------------------


def _drawn(event: AuditEvent) -> list[Told]:
    contribution = Contribution.objects.filter(pk=event.target_id).first()
    if contribution is None:
        return []
    link = reverse("web:contribution", args=[contribution.pk])
    what = _cut(contribution.summary)
    told = [
        Told(pk, vocab.REVIEW_DRAWN, f"You were drawn to review “{what}”.", link)
        for pk in _ids(event.data.get("reviewers", []))
    ]
    told += [
        Told(
            pk, vocab.APPROVAL_DRAWN, f"You were drawn to approve the expense claim “{what}”.", link
        )
        for pk in _ids(event.data.get("approvers") or [])
    ]
    return told


# --- discussion -----------------------------------------------------------------------


def _link_to(comment: Comment) -> str:
    subject = comment.thread.reference
    kind, _, number = subject.partition("-")
    pages = {
        "task": "web:task",
        "contribution": "web:contribution",
        "proposal": "web:decision",
        "distribution": "web:distribution",
        "topic": "web:topic",
    }
    if kind in pages:
        return f"{reverse(pages[kind], args=[int(number)])}#comment-{comment.pk}"
    return reverse("web:discussion", args=[subject])


def _where(comment: Comment) -> str:
    thread = comment.thread
    if thread.is_topic:
        return f"the topic “{_cut(thread.title)}”"
    kind, _, number = thread.reference.partition("-")
    if kind == "task":
        title = Task.objects.filter(pk=number).values_list("title", flat=True).first()
        if title:
            return f"the task “{_cut(title)}”"
    return f"{kind} {number}"


def _commented(event: AuditEvent) -> list[Told]:
    comment = Comment.objects.select_related("thread", "parent").filter(pk=event.target_id).first()
    if comment is None or comment.is_deleted:
        return []
    who, where, link = _actor_name(event), _where(comment), _link_to(comment)
    told = [
        Told(pk, vocab.MENTION, f"{who} mentioned you in a comment on {where}.", link)
        for pk in _ids(event.data.get("mentions", []))
    ]
    if comment.parent is not None:
        told.append(
            Told(
                comment.parent.author_id,
                vocab.REPLY,
                f"{who} replied to your comment on {where}.",
                link,
            )
        )
    kind, _, number = comment.thread.reference.partition("-")
    if kind == "task" and number.isdigit():
        claimer = Task.objects.filter(pk=number).values_list("claimed_by_id", flat=True).first()
        if claimer is not None:
            told.append(
                Told(
                    claimer,
                    vocab.TASK_COMMENT,
                    f"{who} commented on {where}, which you claimed.",
                    link,
                )
            )
    return told


def _edited(event: AuditEvent) -> list[Told]:
    """An edit tells only the members it newly mentions."""
    already = set(_notified_of_comment(event.target_id, vocab.MENTION))
    return [
        one
        for one in _commented(event)
        if one.kind == vocab.MENTION and one.recipient not in already
    ]


def _notified_of_comment(comment_id: str, kind: str) -> list[int]:
    return list(
        Notification.objects.filter(
            kind=kind, event__target_type="discussion.comment", event__target_id=comment_id
        ).values_list("recipient_id", flat=True)
    )


# --- decisions ------------------------------------------------------------------------


def vote_opened(proposal: Proposal, kind: str, sentence: str) -> list[Told]:
    """Every member who may vote on ``proposal`` now."""
    link = reverse("web:decision", args=[proposal.number])
    return [Told(m.pk, kind, sentence, link) for m in decision_reads.eligible_members(proposal)]


def _proposed(event: AuditEvent) -> list[Told]:
    proposal = Proposal.objects.filter(pk=event.target_id).first()
    if proposal is None:
        return []
    return vote_opened(
        proposal,
        vocab.VOTE_OPENED,
        f"Proposal {proposal.number}, “{_cut(proposal.title)}”, is open for your vote.",
    )


def _objected(event: AuditEvent) -> list[Told]:
    proposal = Proposal.objects.filter(pk=event.target_id).first()
    if proposal is None:
        return []
    return vote_opened(
        proposal,
        vocab.VOTE_OPENED,
        f"An objection opened a majority vote on proposal {proposal.number}, "
        f"“{_cut(proposal.title)}”: you may vote.",
    )


# --- books ----------------------------------------------------------------------------


def _payees(distribution: Distribution, kind: str, sentence: str) -> list[Told]:
    link = reverse("web:distribution", args=[distribution.pk])
    members = distribution.payouts.filter(amount_minor__gt=0).values_list("member_id", flat=True)
    return [Told(pk, kind, sentence, link) for pk in members]


def _payees_of_event(event: AuditEvent, kind: str, sentence: str) -> list[Told]:
    """Everyone the event's distribution pays; ``sentence`` takes the period's first day."""
    distribution = Distribution.objects.filter(pk=event.target_id).first()
    if distribution is None:
        return []
    return _payees(distribution, kind, sentence.format(long_date(distribution.period_start)))


def _distribution_proposed(event: AuditEvent) -> list[Told]:
    return _payees_of_event(
        event,
        vocab.DISTRIBUTION_PROPOSED,
        "A distribution for the period from {} pays you: anyone may challenge it before it "
        "is posted.",
    )


def _distribution_posted(event: AuditEvent) -> list[Told]:
    return _payees_of_event(
        event,
        vocab.DISTRIBUTION_POSTED,
        "The distribution for the period from {} is posted: your share is in the books.",
    )


def _decision_closed(event: AuditEvent) -> list[Told]:
    """A closed lazy-consensus decision may have posted a distribution."""
    number = event.data.get("number")
    if not isinstance(number, int):
        return []
    posted = Distribution.objects.filter(
        decision_number=number, status=Distribution.Status.POSTED
    ).first()
    if posted is None:
        return []
    return _distribution_posted(
        AuditEvent(code=event.code, target_id=str(posted.pk), actor_id=event.actor_id)
    )


def _expense_decided(event: AuditEvent) -> list[Told]:
    claim = Contribution.objects.filter(pk=event.target_id).first()
    if claim is None:
        return []
    status = expense_status(claim)
    if status not in (ExpenseStatus.APPROVED, ExpenseStatus.REJECTED):
        return []
    verdict = "was approved" if status == ExpenseStatus.APPROVED else "was turned down"
    return [
        Told(
            claim.author_id,
            vocab.EXPENSE_DECIDED,
            f"Your expense claim “{_cut(claim.summary)}” {verdict}.",
            reverse("web:contribution", args=[claim.pk]),
        )
    ]


# --- trust levels -----------------------------------------------------------------------


def _level_changed(event: AuditEvent) -> list[Told]:
    member, was, now = (event.data.get(key) for key in ("member", "level_from", "level_to"))
    if not (isinstance(member, int) and isinstance(was, int) and isinstance(now, int)):
        return []  # a starting point is no change
    try:
        on = dt.date.fromisoformat(str(event.data.get("on")))
    except ValueError:
        on = None
    sentence = level_selectors.change_sentence(was, now, on=on)
    link = reverse("web:member", args=[member]) + "#levels"
    return [Told(member, vocab.TRUST_LEVEL_CHANGED, sentence, link)]


RULES: dict[str, Rule] = {
    "work.contribution.logged": _drawn,
    "discussion.comment.posted": _commented,
    "discussion.topic.started": _commented,
    "discussion.comment.edited": _edited,
    "decisions.proposal.made": _proposed,
    "decisions.proposal.objected": _objected,
    "decisions.proposal.closed": _decision_closed,
    "books.distribution.proposed": _distribution_proposed,
    "books.distribution.posted": _distribution_posted,
    "books.expense.approved": _expense_decided,
    "books.expense.rejected": _expense_decided,
    "work.trust_level.changed": _level_changed,
}
"""The rule for each audit code that may concern members beside its actor."""
