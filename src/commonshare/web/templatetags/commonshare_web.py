"""Template filters: dates, numbers and money through Babel, Markdown, readable activity."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from commonshare.web import formatting
from commonshare.web.activity import describe, describe_all
from commonshare.web.explain import EXTRA_LABELS, METHODS, Explanation, Story, split_of, story
from commonshare.web.text import render_markdown
from commonshare.work.models import Contribution

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    """``120000|money:"EUR"`` → ``1,200.00 EUR``, with the currency's own number of digits."""
    return formatting.money(minor, currency)


@register.filter
def decimal_money(amount: str | Decimal | None, currency: str) -> str:
    """A decimal already in major units, shown with its code: ``1,200.00 EUR``."""
    value = formatting.as_decimal(amount)
    return "" if value is None else formatting.money_amount(value, currency)


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """The one date format of every page: ``1 December 2026`` (in the reader's locale)."""
    return formatting.day(value)


@register.filter
def moment(value: dt.datetime | None) -> str:
    """A date and time: ``1 December 2026, 14:05``."""
    return formatting.moment(value)


@register.filter
def hours(value: Any) -> str:
    """``1|hours`` → ``1 hour``; ``2.5|hours`` → ``2.5 hours``."""
    return formatting.hours(value)


@register.filter
def months(value: Any) -> str:
    """``1|months`` → ``1 month``; ``2.46|months`` → ``2.5 months``."""
    return formatting.months(value)


@register.filter
def month(value: dt.date | None) -> str:
    """``December 2026``."""
    return formatting.month(value)


@register.filter
def number(value: Any, places: int = 2) -> str:
    """``1234.5678|number`` → ``1,234.57``; ``|number:0`` for whole numbers."""
    return formatting.number(value, int(places))


@register.filter
def markdown(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter
def activity(event: Any) -> dict[str, Any]:
    return describe(event)


@register.filter
def activity_lines(events: Any) -> list[dict[str, Any]]:
    """Recent audit events as sentences, their records fetched in one query per kind."""
    return describe_all(list(events))


@register.filter
def percent(share: Any) -> str:
    """``0.30281|percent`` → ``30.28 %``."""
    return formatting.percent(share)


@register.filter
def is_structured(value: Any) -> bool:
    return isinstance(value, dict | list | tuple)


@register.filter
def as_json(value: Any) -> str:
    """Pretty JSON for showing stored explanations and policies as they are."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def negate(minor: int | None) -> int | None:
    """``-1250|negate`` → ``1250``: a credit shown as a positive amount."""
    return None if minor is None else -int(minor)


@register.simple_tag
def payout_story(payout: Any, explained: Explanation, viewer: Any) -> Story:
    """``{% payout_story payout explained user as story %}``: the plain sentences of a payout."""
    distribution = payout.distribution
    raw = payout.explanation if isinstance(payout.explanation, dict) else {}
    split = split_of(raw)
    return story(
        explained,
        payee=payout.member,
        viewer=viewer,
        method=distribution.method,
        paid=formatting.money(payout.amount_minor, distribution.currency),
        share=payout.share,
        value=split.value,
        total_value=split.total,
        period_total=split.period_total,
    )


@register.filter
def labelled(key: str) -> str:
    """An engine key as words: ``prior_weight`` → its label, ``new_key`` → ``New key``."""
    return EXTRA_LABELS.get(key) or str(key).replace("_", " ").capitalize()


@register.filter
def method_name(method: str) -> str:
    return METHODS.get(method, str(method))


@register.filter
def kind_name(kind: str) -> str:
    """``deliverable`` → ``Deliverable``: a contribution's kind as the forms name it."""
    labels = dict(Contribution.Kind.choices)
    return str(labels.get(kind, kind)).split(" (")[0]


@register.filter
def plain(value: Any) -> SafeString | str:
    """An explanation's value for people: rounded numbers, "none" for nothing, JSON for the rest."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list | tuple):
        return format_html('<pre class="inline">{}</pre>', as_json(value))
    amount = formatting.as_decimal(value)
    if amount is None:
        return str(value)
    if amount == amount.to_integral_value() or abs(amount) >= 1:
        return formatting.number(amount, 2)
    # Small fractions keep three significant digits, so 0.000412 is not shown as 0.
    places = max(2, -amount.adjusted() + 2)
    return formatting.number(amount, places)
