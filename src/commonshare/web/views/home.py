"""The front page: purpose, numbers, recent activity and income per month."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from commonshare.books import derived
from commonshare.books import selectors as books
from commonshare.community import selectors as community
from commonshare.web import charts, feed
from commonshare.web.formatting import month_label
from commonshare.web.templatetags.commonshare_web import money
from commonshare.work import selectors as work
from commonshare.work.models import Task


def income_charts(today: dt.date) -> list[charts.Chart]:
    """Income per month, one chart per currency: the journal's, net of reversals."""
    return [
        charts.vertical_bars(
            f"Income per month, {code}",
            [(month_label(month), total, money(total, code)) for month, total in months],
        )
        for code, months in books.income_per_month(today).items()
    ]


def home(request: HttpRequest) -> HttpResponse:
    # The charts and the totals beside them derive from the journal: drawn once per head.
    today = timezone.localdate()
    drawn = derived.cached(
        "home-income-charts",
        lambda: income_charts(today),
        parts=(today, translation.get_language()),
    )
    return render(
        request,
        "web/home.html",
        {
            "numbers": {
                "members": community.current_members().count(),
                "open_tasks": work.tasks(Task.Status.OPEN).count(),
                "income": books.income_totals(),
                "distributed": books.distributed_totals(),
            },
            "activity": feed.latest_in_community(feed.HOME_SIZE),
            "income_charts": drawn,
        },
    )
