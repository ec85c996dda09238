"""The front page: purpose, numbers, recent activity and income per month."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonshare.audit import selectors as audit
from commonshare.books import selectors as books
from commonshare.community import selectors as community
from commonshare.web import charts
from commonshare.web.formatting import month_label
from commonshare.web.templatetags.commonshare_web import money
from commonshare.work import selectors as work
from commonshare.work.models import Task


def home(request: HttpRequest) -> HttpResponse:
    # The chart and the totals beside it are both the journal's: net of reversals.
    per_month = books.income_per_month(timezone.localdate())
    income_charts = [
        charts.vertical_bars(
            f"Income per month, {code}",
            [(month_label(month), total, money(total, code)) for month, total in months],
        )
        for code, months in per_month.items()
    ]
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
            "activity": audit.recent_activity(20),
            "income_charts": income_charts,
        },
    )
