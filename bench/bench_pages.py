# ruff: noqa: PLC0415 - the models and pyinstrument are imported only where used
"""Time the home page, ``/books/`` and a distribution's page against a bare Django yardstick.

    COMMONSHARE_DATA_DIR=/tmp/prof python bench/bench_pages.py [--rounds 30] [--profile DIR]

In one process, with Django's test client (no server, no network), on the community in
the data folder (``bench/grow_community.py`` makes one bigger than the demo). Each round
requests every page once, alternating with the yardstick (a bare view rendering a
50-item template), so that what else the machine runs weighs on both alike. Prints, per
page, the median and best milliseconds, the queries one request makes, and the median as
a ratio to the yardstick's. The first request of each page (which fills the caches) is
timed apart. ``--profile DIR`` also writes a pyinstrument profile of each page there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if not os.environ.get("PYTHONPATH"):  # else the code under test is the one named there
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonshare.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

YARDSTICK = engines["django"].from_string(
    "<!doctype html><html lang='en'><head><title>Items</title></head><body><ul>"
    "{% for item in items %}<li>{{ item.name }}: {{ item.value }}</li>{% endfor %}"
    "</ul></body></html>"
)
ITEMS = [{"name": f"item {n}", "value": n * 7} for n in range(50)]


def yardstick(request: HttpRequest) -> HttpResponse:
    return HttpResponse(YARDSTICK.render({"items": ITEMS}, request))


urlpatterns = [path("yardstick/", yardstick), path("", include("commonshare.urls"))]


def _pages() -> dict[str, str]:
    from commonshare.books.models import Distribution

    largest = (
        Distribution.objects.order_by("-pk").values_list("pk", flat=True).first()
        if Distribution.objects.exists()
        else None
    )
    pages = {"home /": "/", "books /books/": "/books/"}
    if largest is not None:
        pages[f"distribution /books/distributions/{largest}/"] = f"/books/distributions/{largest}/"
    return pages


def _once(client: Client, url: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return took * 1000, len(queries)


def _profile(client: Client, pages: dict[str, str], folder: Path) -> None:
    from pyinstrument import Profiler

    folder.mkdir(parents=True, exist_ok=True)
    for label, url in pages.items():
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(5):
            client.get(url)
        profiler.stop()
        name = label.split()[0]
        (folder / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        (folder / f"{name}.html").write_text(profiler.output_html())


def measure(rounds: int, profile: Path | None) -> list[dict[str, Any]]:
    client = Client()
    pages = {"yardstick": "/yardstick/", **_pages()}
    first = {label: _once(client, url) for label, url in pages.items()}
    times: dict[str, list[float]] = {label: [] for label in pages}
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for label, url in pages.items():
            if label != "yardstick":
                took, _count = _once(client, "/yardstick/")
                times["yardstick"].append(took)
            took, count = _once(client, url)
            times[label].append(took)
            queries[label] = count
    if profile is not None:
        _profile(client, {k: v for k, v in pages.items() if k != "yardstick"}, profile)
    base = statistics.median(times["yardstick"])
    return [
        {
            "page": label,
            "first": first[label][0],
            "median": statistics.median(times[label]),
            "best": min(times[label]),
            "queries": queries[label],
            "first_queries": first[label][1],
            "ratio": statistics.median(times[label]) / base,
        }
        for label in pages
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    with override_settings(ROOT_URLCONF=sys.modules[__name__], ALLOWED_HOSTS=["*"]):
        rows = measure(args.rounds, args.profile)
    print(f"load average {os.getloadavg()[0]:.1f}, {args.rounds} rounds")
    print(
        "| page | first request (ms, queries) | median ms | best ms | queries | "
        "median / yardstick |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['page']} | {row['first']:.1f}, {row['first_queries']} | "
            f"{row['median']:.1f} | {row['best']:.1f} | {row['queries']} | {row['ratio']:.1f}x |"
        )


if __name__ == "__main__":
    main()
