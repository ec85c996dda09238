"""Template filters: money in a currency's digits, Markdown, readable activity."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString

from commonshare.core.money import MoneyError, from_minor
from commonshare.text import render_markdown
from commonshare.web.activity import describe

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    """``1250|money:"EUR"`` → ``12.50 EUR``, with the currency's own number of digits."""
    if minor is None:
        return ""
    try:
        return f"{from_minor(int(minor), currency)} {currency}"
    except MoneyError:
        return f"{minor} (minor units) {currency}"


@register.filter
def decimal_money(amount: str | Decimal | None, currency: str) -> str:
    """A decimal string already in major units, shown with its code."""
    if amount in (None, ""):
        return ""
    return f"{amount} {currency}"


@register.filter
def markdown(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter
def activity(event: Any) -> dict[str, Any]:
    return describe(event)


@register.filter
def percent(share: Any) -> str:
    try:
        return f"{Decimal(str(share)) * 100:.2f} %"
    except ArithmeticError:
        return str(share)


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
