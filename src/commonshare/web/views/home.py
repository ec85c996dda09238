"""The front page: purpose, numbers, recent activity and income per month."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonshare.web import charts, queries
from commonshare.web.formatting import month_label
from commonshare.web.templatetags.commonshare_web import money


def home(request: HttpRequest) -> HttpResponse:
    per_month = queries.income_per_month(timezone.localdate())
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
            "numbers": queries.home_numbers(),
            "activity": queries.recent_activity(20),
            "income_charts": income_charts,
        },
    )
