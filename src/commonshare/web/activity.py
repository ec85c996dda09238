"""Audit events as sentences a member can read: "Ana logged 3 hours of work on *Fix the printer*".

Every code a service writes (``app.object.verb``) has a sentence in ``SENTENCES``;
``tests/web/test_activity.py`` scans the services for ``record(`` calls and fails
when one is missing. A code nobody taught this module yet still reads as a plain
sentence ("made a change to the books"), never as the code itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from commonshare.audit.models import AuditEvent
from commonshare.books import selectors as book_reads
from commonshare.community import selectors as community_reads
from commonshare.web import formatting
from commonshare.work import selectors as work_reads
from commonshare.work.models import Contribution

# The read behind each audit target type (its app's selector), one query per type.
TARGET_READS: dict[str, Callable[[set[str]], dict[str, Any]]] = {
    "work.task": work_reads.tasks_by_id,
    "work.contribution": work_reads.contributions_by_id,
    "books.income": book_reads.incomes_by_id,
    "books.distribution": book_reads.distributions_by_id,
    "books.withdrawal": book_reads.withdrawals_by_id,
    "community.member": community_reads.members_by_id,
}
AREAS = {
    "community": "the community",
    "work": "the work",
    "books": "the books",
    "governance": "the community's decisions",
    "decisions": "the community's decisions",
    "discussion": "a discussion",
    "notifications": "their notifications",
}

Sentence = Callable[[AuditEvent, Any], SafeString]


def _link(url_name: str, pk: Any, text: str) -> SafeString:
    try:
        url = reverse(f"web:{url_name}", args=[pk])
    except NoReverseMatch:
        return format_html("<em>{}</em>", text)
    return format_html('<a href="{}">{}</a>', url, text)


def _task(verb: str, after: str = "") -> Sentence:
    def sentence(event: AuditEvent, task: Any) -> SafeString:
        if task is None:
            return format_html("{} a task{}", verb, after)
        return format_html("{} the task {}{}", verb, _link("task", task.pk, task.title), after)

    return sentence


def _contribution_link(contribution: Any) -> SafeString:
    return _link("contribution", contribution.pk, contribution.summary)


def _logged(event: AuditEvent, contribution: Any) -> SafeString:
    if contribution is None:
        return format_html("{}", "logged a contribution")
    link = _contribution_link(contribution)
    kind = contribution.kind
    if kind == Contribution.Kind.WORK and contribution.hours is not None:
        return format_html("logged {} of work on {}", formatting.hours(contribution.hours), link)
    if kind == Contribution.Kind.EXPENSE and contribution.amount_minor is not None:
        amount = formatting.money(contribution.amount_minor, contribution.currency)
        return format_html("claimed an expense of {}: {}", amount, link)
    if kind == Contribution.Kind.RESOURCE and contribution.units is not None:
        used = f"{formatting.number(contribution.units, 3)} {contribution.unit_name}".strip()
        return format_html("lent {} of a resource: {}", used, link)
    if kind == Contribution.Kind.DELIVERABLE:
        return format_html("delivered {}", link)
    return format_html("logged the contribution {}", link)


def _about_contribution(verb: str) -> Sentence:
    def sentence(event: AuditEvent, contribution: Any) -> SafeString:
        if contribution is None:
            return format_html("{} a contribution", verb)
        return format_html("{} {}", verb, _contribution_link(contribution))

    return sentence


def _reviewed(event: AuditEvent, contribution: Any) -> SafeString:
    if contribution is None:
        return format_html("{}", "reviewed a contribution")
    return format_html("reviewed {}", _contribution_link(contribution))


def _income(event: AuditEvent, income: Any) -> SafeString:
    if income is None:
        minor, currency = event.data.get("amount_minor"), event.data.get("currency")
        if minor is None or not currency:
            return format_html("{}", "recorded income")
        return format_html("recorded {} of income", formatting.money(minor, currency))
    amount = formatting.money(income.amount_minor, income.currency)
    return format_html(
        "recorded {} of income from {}", _link("income", income.pk, amount), income.payer
    )


def _income_doing(verb: str) -> Callable[[AuditEvent, Any], SafeString]:
    def sentence(event: AuditEvent, income: Any) -> SafeString:
        if income is None:
            return format_html("{} income", verb)
        amount = formatting.money(income.amount_minor, income.currency)
        return format_html(
            "{} {} of income from {}", verb, _link("income", income.pk, amount), income.payer
        )

    return sentence


def _withdrawal(event: AuditEvent, withdrawal: Any) -> SafeString:
    if withdrawal is None:
        return format_html("{}", "recorded a payment to a member")
    amount = formatting.money(withdrawal.amount_minor, withdrawal.currency)
    member = withdrawal.member
    return format_html(
        "recorded a payment of {} to {}", amount, _link("member", member.pk, member.display_name)
    )


def _payee_answer(verb: str) -> Callable[[AuditEvent, Any], SafeString]:
    def sentence(event: AuditEvent, withdrawal: Any) -> SafeString:
        if withdrawal is None:
            return format_html("{} a payment to them", verb)
        amount = formatting.money(withdrawal.amount_minor, withdrawal.currency)
        return format_html("{} a payment of {} to them", verb, amount)

    return sentence


def _resolved(event: AuditEvent, withdrawal: Any) -> SafeString:
    done = (
        "settled a disputed payment: it did arrive"
        if event.data.get("outcome") == "paid"
        else "settled a disputed payment: it did not arrive, so it is cancelled"
    )
    if withdrawal is None:
        return format_html("{}", done)
    amount = formatting.money(withdrawal.amount_minor, withdrawal.currency)
    member = withdrawal.member
    return format_html(
        "{} ({} to {})", done, amount, _link("member", member.pk, member.display_name)
    )


def _reversal_asked(event: AuditEvent, _target: Any) -> SafeString:
    entry = event.data.get("entry")
    if entry is None:
        return format_html("{}", "asked for a journal entry to be reversed")
    return format_html(
        "asked for {} to be reversed", _link("entry", entry, f"journal entry {entry}")
    )


def _reversed(event: AuditEvent, _target: Any) -> SafeString:
    entry = event.data.get("entry")
    if entry is None:
        return format_html("{}", "reversed a journal entry")
    return format_html("reversed {}", _link("entry", entry, f"journal entry {entry}"))


def _distributed(event: AuditEvent, distribution: Any) -> SafeString:
    paid = event.data.get("payouts")
    among = f" among {formatting.count(paid, 'member', 'members')}" if paid else ""
    if distribution is None:
        return format_html("distributed income{}", among)
    amount = formatting.money(distribution.amount_minor, distribution.currency)
    return format_html(
        "distributed {}{} for {} to {}",
        _link("distribution", distribution.pk, amount),
        among,
        formatting.day(distribution.period_start),
        formatting.day(distribution.period_end),
    )


def _about_distribution(verb: str, fallback: str) -> Sentence:
    def sentence(event: AuditEvent, distribution: Any) -> SafeString:
        if distribution is None:
            return format_html("{}", fallback)
        amount = formatting.money(distribution.amount_minor, distribution.currency)
        return format_html(
            "{} {} for {} to {}",
            verb,
            _link("distribution", distribution.pk, amount),
            formatting.day(distribution.period_start),
            formatting.day(distribution.period_end),
        )

    return sentence


def _policy_adopted(event: AuditEvent, _target: Any) -> SafeString:
    number, since = event.data.get("number"), event.data.get("valid_from")
    try:
        when = formatting.day(dt.date.fromisoformat(str(since)))
    except ValueError:
        return format_html("{}", "adopted a new version of the rules")
    page = f"{reverse('web:policy')}#version-{number}"
    return format_html(
        'adopted <a href="{}">version {} of the rules</a>, in force from {}', page, number, when
    )


def _decision(verb: str) -> Sentence:
    """A sentence about decision N (its number is in the event, its page needs no read)."""

    def sentence(event: AuditEvent, _target: Any) -> SafeString:
        number = event.data.get("number")
        if not isinstance(number, int):
            return format_html("{} a decision", verb)
        return format_html("{} {}", verb, _link("decision", number, f"decision {number}"))

    return sentence


def _decision_closed(event: AuditEvent, target: Any) -> SafeString:
    """A close; one that posted a distribution says so, with what it paid."""
    number = event.data.get("number")
    if (
        event.data.get("effect_kind") == "post_distribution"
        and event.data.get("outcome") == "passed"
        and isinstance(number, int)
        and str(event.data.get("effect", "")).startswith("Posted")
    ):
        return format_html(
            "closed {} with no objection standing, and so distributed income: {}",
            _link("decision", number, f"decision {number}"),
            # The sentence is followed by a full stop of the feed's own.
            str(event.data["effect"]).rstrip("."),
        )
    return _decision("closed and counted")(event, target)


_SUBJECT_WORDS = {
    "task": "task",
    "contribution": "contribution",
    "proposal": "decision",
    "norm": "norm version",
    "distribution": "distribution",
}


def _discussed(verb: str) -> Sentence:
    """A sentence about a thread's subject (written in the event: ``task-12``)."""

    def sentence(event: AuditEvent, _target: Any) -> SafeString:
        subject = str(event.data.get("subject", ""))
        kind, _, number = subject.partition("-")
        if kind == "topic":
            title = event.data.get("title")
            text = f"the topic “{title}”" if title else "a topic of the commons"
        elif kind in _SUBJECT_WORDS and number.isdigit():
            text = f"{_SUBJECT_WORDS[kind]} {number}"
        else:
            return format_html("{} a discussion", verb)
        return format_html("{} {}", verb, _link("discussion", subject, text))

    return sentence


def _thanked(event: AuditEvent, _target: Any) -> SafeString:
    """Thanks name the member and the item from the event, never a pay change."""
    what = "a review" if "review" in event.data else "a contribution"
    member = _link("member", event.data.get("member"), event.data.get("member_name") or "a member")
    if "contribution" in event.data:
        item = _link("contribution", event.data["contribution"], what)
        return format_html("thanked {} for {}", member, item)
    return format_html("thanked {} for {}", member, what)


def _level_changed(event: AuditEvent, _target: Any) -> SafeString:
    """A change of a member's trust level, from the event alone (levels are public)."""
    was, now = event.data.get("level_from"), event.data.get("level_to")
    member = _link("member", event.data.get("member"), event.data.get("member_name") or "a member")
    if not (isinstance(was, int) and isinstance(now, int)) or was == now:
        return format_html("recorded a change of {}'s trust level", member)
    verb = "rose" if now > was else "fell"
    return format_html("recorded that {}'s trust level {} from {} to {}", member, verb, was, now)


def _levels_started(event: AuditEvent, _target: Any) -> SafeString:
    count = event.data.get("members")
    if not isinstance(count, int):
        return format_html("{}", "recorded every member's trust level as the start of its history")
    whose = "the trust level of 1 member" if count == 1 else f"the trust levels of {count} members"
    return format_html("recorded {} as the start of their history", whose)


def _plain(text: str) -> Sentence:
    def sentence(event: AuditEvent, _target: Any) -> SafeString:
        return format_html("{}", text)

    return sentence


SENTENCES: dict[str, Sentence] = {
    "community.member.joined": _plain("joined the community"),
    "community.member.updated": _plain("updated their profile"),
    "community.member.left": _plain("left the community"),
    "community.member.rejoined": _plain("came back to the community"),
    "community.member.email_verified": _plain("verified their email address"),
    "community.member.password_reset": _plain("chose a new password through a mailed link"),
    "community.avatar.uploaded": _plain("uploaded a new profile picture"),
    "community.avatar.removed": _plain("removed their profile picture"),
    "work.thanks.given": _thanked,
    "community.token.created": _plain("made a key for the API"),
    "community.token.revoked": _plain("withdrew a key for the API"),
    "work.task.created": _task("created"),
    "work.task.claimed": _task("claimed"),
    "work.task.released": _task("gave up", " for someone else to claim"),
    "work.task.completed": _task("finished"),
    "work.contribution.logged": _logged,
    "work.contribution.edited": _about_contribution("edited"),
    "work.review.submitted": _reviewed,
    "books.income.recorded": _income,
    "books.expense.approved": _about_contribution("approved the expense claim"),
    "books.expense.rejected": _about_contribution("turned down the expense claim"),
    # Written for rejections before the code was spelled right; such events are still stored.
    "books.expense.rejectd": _about_contribution("turned down the expense claim"),
    "books.withdrawal.recorded": _withdrawal,
    "books.income.confirmed": _income_doing("confirmed"),
    "books.withdrawal.confirmed": _payee_answer("confirmed receiving"),
    "books.withdrawal.disputed": _payee_answer("disputed"),
    "books.withdrawal.resolved": _resolved,
    "books.reversal.requested": _reversal_asked,
    "books.entry.reversed": _reversed,
    "books.distribution.proposed": _about_distribution(
        "proposed to distribute", "proposed a distribution"
    ),
    # Stored for distributions posted by hand, before a decision carried each posting.
    "books.distribution.posted": _distributed,
    "books.distribution.withdrawn": _about_distribution(
        "withdrew the proposal to distribute", "withdrew a proposed distribution"
    ),
    "governance.policy.adopted": _policy_adopted,
    "work.steward.named": _plain("named the stewards of the new community"),
    "work.steward_phase.ended": _plain(
        "recorded that the steward phase has ended: from now on no account has any power "
        "beyond its own trust level"
    ),
    "work.trust_level.changed": _level_changed,
    "work.trust_level.started": _levels_started,
    "decisions.proposal.made": _decision("proposed"),
    "decisions.ballot.cast": _decision("voted on"),
    "decisions.proposal.objected": _decision(
        "opened the majority vote that an objection asked for on"
    ),
    "decisions.proposal.closed": _decision_closed,
    "discussion.comment.posted": _discussed("commented on"),
    "discussion.comment.edited": _discussed("edited a comment on"),
    "discussion.comment.deleted": _discussed("deleted a comment on"),
    "discussion.topic.started": _discussed("started"),
    "sample.community.generated": _plain("generated this sample community's history in bulk"),
    "notifications.notification.read": _plain("read a notification"),
    "notifications.notification.all_read": _plain("marked their notifications read"),
    "notifications.preferences.changed": _plain("changed which notifications they get by e-mail"),
    "notifications.preferences.unsubscribed": _plain(
        "turned off notification e-mails through a mailed link"
    ),
}


def _unknown(event: AuditEvent, _target: Any) -> SafeString:
    area = AREAS.get(event.code.split(".", 1)[0], "the records")
    return format_html("made a change to {}", area)


def _target_key(event: AuditEvent) -> tuple[str, str]:
    """Reviews point at the contribution they judged; the rest at their own record."""
    if event.code == "work.review.submitted" and "contribution" in event.data:
        return "work.contribution", str(event.data["contribution"])
    return event.target_type, event.target_id


def _fetch(events: Iterable[AuditEvent]) -> dict[tuple[str, str], Any]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        kind, pk = _target_key(event)
        if kind in TARGET_READS and pk.isdigit():
            wanted[kind].add(pk)
    return {
        (kind, pk): record
        for kind, pks in wanted.items()
        for pk, record in TARGET_READS[kind](pks).items()
    }


def describe_all(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Each event as ``{actor, sentence, when}``; ``sentence`` follows the actor's name."""
    targets = _fetch(events)
    return [_line(event, targets.get(_target_key(event))) for event in events]


def describe(event: AuditEvent) -> dict[str, Any]:
    return describe_all([event])[0]


def _line(event: AuditEvent, target: Any) -> dict[str, Any]:
    sentence = SENTENCES.get(event.code, _unknown)
    return {"actor": event.actor, "sentence": sentence(event, target), "when": event.created_at}
