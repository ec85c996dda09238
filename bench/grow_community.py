# ruff: noqa: PLC0415 - Django is set up first, inside main(); the models come after
"""Grow the demo community into one big enough to profile its pages on.

    COMMONSHARE_DATA_DIR=/tmp/prof python -m commonshare demo --no-serve
    COMMONSHARE_DATA_DIR=/tmp/prof python bench/grow_community.py [--members 300]

Small on purpose (the 10,000-member community is ``bench/make_community.py``'s): a few
hundred members, thousands of reviewed contributions, and hundreds of confirmed incomes,
each one journal entry posted through the services. The contributions fall in the last
closed month, so the demo's open proposal for that month is proposed again over all of
them: its page then lists hundreds of payouts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonshare.settings")
    import django

    django.setup()


def grow(members: int, per_member: int, incomes: int) -> dict[str, float]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from commonshare.books import services as books
    from commonshare.books.distribution import propose_distribution
    from commonshare.books.models import Distribution
    from commonshare.community.models import Member
    from commonshare.work.models import Contribution, Review
    from commonshare.work.vocab import ContributionKind

    rng = random.Random(11)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    began = timezone.now() - dt.timedelta(days=80)
    password = make_password("grown-member")
    first = Member.objects.count()
    with transaction.atomic():
        Member.objects.bulk_create(
            Member(
                email=f"member{first + i}@grown.example.org",
                display_name=f"Grown Member {first + i}",
                password=password,
                email_verified_at=began,
            )
            for i in range(members)
        )
        grown = list(Member.objects.filter(email__endswith="@grown.example.org"))
        Member.objects.filter(pk__in=[m.pk for m in grown]).update(joined_at=began)
    seconds["members"] = time.perf_counter() - start

    start = time.perf_counter()
    open_proposal = Distribution.objects.filter(status=Distribution.Status.PROPOSED).first()
    assert open_proposal is not None, "run `commonshare demo` first"
    period_start, period_end = open_proposal.period_start, open_proposal.period_end
    days = (period_end - period_start).days
    everyone = [*grown, *Member.objects.exclude(email__endswith="@grown.example.org")]
    with transaction.atomic():
        made = Contribution.objects.bulk_create(
            Contribution(
                author=author,
                kind=ContributionKind.WORK,
                summary=f"Support ticket batch {n} for {author.display_name}",
                hours=rng.choice(["0.5", "1", "1.5", "2", "3"]),
                evidence_text="Tickets closed, linked in the tracker.",
            )
            for author in grown
            for n in range(per_member)
        )
        reviews = []
        for contribution in made:
            reviewers = rng.sample([m for m in everyone if m.pk != contribution.author_id], 2)
            reviews.extend(
                Review(
                    contribution=contribution,
                    reviewer=reviewer,
                    rating=rng.choice([3, 4, 4, 5]),
                    comment="Checked the tickets.",
                )
                for reviewer in reviewers
            )
        Review.objects.bulk_create(reviews)
        for index, contribution in enumerate(made):
            when = dt.datetime.combine(
                period_start + dt.timedelta(days=index % (days + 1)),
                dt.time(12),
                tzinfo=dt.UTC,
            )
            Contribution.objects.filter(pk=contribution.pk).update(created_at=when)
            Review.objects.filter(contribution=contribution).update(
                created_at=when + dt.timedelta(hours=5)
            )
    seconds["contributions and reviews"] = time.perf_counter() - start

    start = time.perf_counter()
    recorder = Member.objects.get(email="priya@demo.commonshare.org")
    confirmer = Member.objects.get(email="amara@demo.commonshare.org")
    today = timezone.localdate()
    for n in range(incomes):
        income = books.record_income(
            recorder,
            amount=f"{rng.randint(20, 400)}.00",
            currency="EUR",
            payer=f"Customer {n % 40}",
            description=f"Hosting invoice {n}",
            received_on=today - dt.timedelta(days=n % 60),
        )
        books.confirm_income(confirmer, income.pk)
    seconds["incomes (services)"] = time.perf_counter() - start

    start = time.perf_counter()
    propose_distribution(
        confirmer, period=f"{period_start:%Y-%m}", currency="EUR", amount="5000.00"
    )
    seconds["distribution proposed"] = time.perf_counter() - start
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--per-member", type=int, default=10, help="contributions each")
    parser.add_argument("--incomes", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    _setup()
    for step, took in grow(args.members, args.per_member, args.incomes).items():
        print(f"{step:28} {took:8.2f} s")


if __name__ == "__main__":
    main()
