"""A large demo community, built through bulk paths: ``commonshare demo --size large``.

``small`` is the story of ``commonshare.demo`` (every row through the services). ``medium``
and ``large`` are for load and browsing at scale: at ``large`` 10,000 members, 20,000 tasks
in a tree, 200,000 contributions, 1,000,000 reviews and 1,000,000 journal entries over 24
monthly periods, each period distributed. The rows go in by bulk inserts, never through
the services one by one (that would take days):

- members, tasks, contributions, review draws and reviews are inserted in batches
  (``executemany``), with the reviewers drawn by ``core.draw`` from a published seed and
  a stored pool, so the draw re-checks;
- income is confirmed income, inserted in batches and posted through
  ``books.journal.post_many``, which checks and seals each entry with the service's own
  chain functions, each entry committing to its income row (``books.records``) as
  ``confirm_income`` does;
- each month is distributed by the engine's own pieces (``books.distribution``): the
  period's seed, the valuation (``allocate``), the payouts, the entry committing to them
  (``_post_distribution``) and the reputations handed on. The frozen request is built from
  the generated rows, as ``valuation_request`` would build it (see ``SETTLED_IN``), not by
  calling ``propose_distribution``: today its trust levels read every review several
  times per call, hours at this size;
- last, the conversation (``demo_talk``): threads on a sixth of the tasks and forum
  topics, with replies, and the notifications the replies and the last month's review
  draws made. The search index is rebuilt after the generation's event.

Audit: the bulk rows have no audit event each (they did not happen one by one, and the
distributions were not proposed by anyone). One event, ``sample.community.generated``
(``sample.note_generated``), names what was generated and the journal head after it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import secrets
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import click
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from commonshare import planner
from commonshare.audit.selectors import coded, events
from commonshare.books import distribution as engine
from commonshare.books import journal, records
from commonshare.books.models import Distribution, Income, JournalEntry, Payout
from commonshare.books.policy import effort_of
from commonshare.books.services import _reserve_part
from commonshare.books.vocab import IncomeSource
from commonshare.community.models import Member
from commonshare.core.draw import draw_reviewers
from commonshare.core.ledger import BANK, RESERVE, EntryDraft, Posting, income_account, one_line
from commonshare.core.money import from_minor, to_minor
from commonshare.core.names import fold_key
from commonshare.core.names import keys as name_keys
from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    allocate,
)
from commonshare.demo import DEMO_PASSWORD, DemoPasswordHasher
from commonshare.demo_talk import Talk
from commonshare.governance.selectors import current_policy, current_version, policy_of
from commonshare.sample import note_generated
from commonshare.work import earned
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task
from commonshare.work.steward_services import end_steward_phase
from commonshare.work.vocab import ContributionKind

BATCH = 5000


@dataclass(frozen=True)
class Size:
    members: int
    tasks: int
    contributions: int
    reviews_per_contribution: int
    entries: int
    months: int

    @property
    def reviews(self) -> int:
        return self.contributions * self.reviews_per_contribution

    def scaled(self, fraction: float) -> Size:
        """Every count times ``fraction`` (at least a handful), the months kept."""

        def part(count: int, least: int) -> int:
            return max(least, round(count * fraction))

        return replace(
            self,
            members=part(self.members, 40),
            tasks=part(self.tasks, 20),
            contributions=part(self.contributions, 100),
            entries=part(self.entries, 2 * self.months + 50),
        )


SIZES = {
    "medium": Size(1_000, 2_000, 20_000, 5, 100_000, 24),
    "large": Size(10_000, 20_000, 200_000, 5, 1_000_000, 24),
}

FIRST_NAMES = [
    "Ada",
    "Amara",
    "Ana",
    "Anders",
    "Aisha",
    "Ben",
    "Bilal",
    "Camille",
    "Chen",
    "Chidi",
    "Dana",
    "Daniel",
    "Diego",
    "Elena",
    "Emeka",
    "Eva",
    "Farah",
    "Fatima",
    "Femi",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jonas",
    "Julia",
    "Kai",
    "Kofi",
    "Lena",
    "Leila",
    "Lucas",
    "Lucía",
    "Maya",
    "Mei",
    "Mateo",
    "Nadia",
    "Noor",
    "Olga",
    "Omar",
    "Paula",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Tomasz",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zanele",
    "Zoe",
    "Arjun",
    "Beatriz",
    "Carmen",
    "Dmitri",
    "Esther",
]
LAST_NAMES = [
    "Okafor",
    "Berg",
    "Raman",
    "Fernández",
    "Chen",
    "Nowak",
    "Zahra",
    "Rivera",
    "Haddad",
    "Mensah",
    "Silva",
    "Kim",
    "Müller",
    "Rossi",
    "Dubois",
    "Novak",
    "Kowalski",
    "Jensen",
    "Larsen",
    "Costa",
    "Pereira",
    "Santos",
    "Tanaka",
    "Sato",
    "Ivanova",
    "Popescu",
    "Horvat",
    "Nagy",
    "Öztürk",
    "Yilmaz",
    "Kaya",
    "Ahmed",
    "Khan",
    "Singh",
    "Patel",
    "Gupta",
    "Nguyen",
    "Tran",
    "Park",
    "Lee",
    "Wang",
    "Li",
    "Zhang",
    "Garcia",
    "Martínez",
    "López",
    "Hernández",
    "González",
    "Moreau",
    "Laurent",
    "Bianchi",
    "Romano",
    "Ferrari",
    "Eriksson",
    "Lindqvist",
    "Virtanen",
    "Korhonen",
    "Murphy",
    "Kelly",
    "Walsh",
]
BIOS = (
    "Works on the hosting cluster.",
    "Answers support tickets in the evenings.",
    "Documentation and translations.",
    "Front-end, accessibility and design.",
    "Databases, backups and monitoring.",
    "Weekend contributor: small fixes.",
    "Customer onboarding and custom work.",
    "Security reviews and incident response.",
    "",
    "",
)
AREAS = (
    "hosting cluster",
    "support desk",
    "user guide",
    "billing module",
    "sign-up flow",
    "backup system",
    "mobile layout",
    "search index",
    "mail delivery",
    "import tool",
    "API client",
    "monitoring",
    "release process",
    "translation platform",
    "payment gateway",
    "status page",
)
GOALS = (
    "Rebuild the {area}",
    "Make the {area} faster",
    "Document the {area}",
    "Harden the {area}",
    "Move the {area} to the new servers",
    "Simplify the {area}",
    "Make the {area} accessible",
    "Translate the {area}",
)
STEPS = (
    "Write the plan for the {area}",
    "Measure the {area} before the change",
    "Fix the worst problems in the {area}",
    "Test the {area} with real customers",
    "Review the {area} changes",
    "Update the {area} documentation",
    "Clean up after the {area} change",
    "Announce the {area} change",
    "Train support on the {area}",
    "Check the {area} a week later",
)
WORK_SUMMARIES = (
    "Worked on: {task}",
    "Paired on: {task}",
    "Reviewed and merged changes for: {task}",
    "Fixed bugs found in: {task}",
    "Answered tickets about the {area}",
    "Wrote tests for the {area}",
    "Investigated an outage of the {area}",
)
DELIVERABLES = (
    ("Translated pages of the {area} guide", "pages"),
    ("Screencasts about the {area}", "videos"),
    ("Illustrations for the {area}", "drawings"),
)
COMMENTS = {
    1: "Not what was asked; see my notes.",
    2: "Half done, see my notes.",
    3: "Does the job; could be tidier.",
    4: "Good work; small nits left in the thread.",
    5: "Excellent, and well documented.",
}
CUSTOMERS = (
    "Hanseatic Books",
    "Cooperativa La Trama",
    "Open Data Lab",
    "Nordic Maps",
    "Atelier Lumière",
    "Kraków Makerspace",
    "Lagos Health Network",
    "Porto Ceramics",
    "Bremen Public Library",
    "Green Valley School",
    "Tallinn Taxi Co-op",
    "Riverside Clinic",
    "Solar Commons",
    "The Little Bakery",
    "Andes Trekking",
    "Delta Logistics",
)
INCOME_KINDS = (
    # (source, description, amounts in minor units, weight)
    (IncomeSource.HOSTING, "Hosting, small plan", (900, 1900), 50),
    (IncomeSource.HOSTING, "Hosting, business plan", (4900, 9900), 20),
    (IncomeSource.SUPPORT, "Support contract", (12000, 25000), 10),
    (IncomeSource.DONATIONS, "Donation", (500, 1000, 2500, 5000), 15),
    (IncomeSource.CUSTOM, "Custom work", (40000, 80000, 150000), 3),
    (IncomeSource.SALES, "Workshop tickets", (3500,), 2),
)
HOURS = ("0.25", "0.5", "1", "1.5", "2", "2.5", "3", "4", "5", "6", "8")
POOL = 12  # members in each stored review pool
# Members act only from eight days after joining: their work and reviews then come from
# members at level 1 or more (a week as a member, a verified address, reviewed work),
# so the newcomer rule of the valuation (books.distribution._counted_reviews) keeps every
# review, and the frozen requests below are the ones the engine itself would build.
SETTLED_IN = dt.timedelta(days=8)


def generate(size: Size, *, seed: int = 2026, progress: bool = True) -> dict[str, int]:
    """Fill an empty database with a community of ``size``; returns the counts written."""

    if Member.objects.exists():
        raise click.ClickException(
            "The database already has members; use --reset to start from an empty one."
        )
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = timezone.now()
    plan = _Plan(size=size, rng=rng, now=now)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("members", plan.members),
        ("tasks", plan.tasks),
        ("contributions and reviews", plan.contributions),
        ("the steward phase", _end_steward_phase),
        *[
            (f"books of {month:%B %Y}", _month_step(plan, index, month))
            for index, month in enumerate(plan.months)
        ],
        ("threads, comments and notifications", plan.conversations),
    ]
    with click.progressbar(
        steps,
        label="Generating the community",
        file=sys.stderr if progress else _Null(),  # type: ignore[arg-type]
        item_show_func=lambda item: item[0] if item else None,
    ) as bar:
        for _, step in bar:
            step()
    counts = plan.counts()
    # the rows went in over minutes: the planner must know how many before anyone browses
    planner.analyze()
    note_generated(counts)
    return counts


def _end_steward_phase() -> None:
    """Record the steward phase's end now (members at level 2 ended it), as its subscriber
    would after the next action: recorded once, before the money moves."""

    end_steward_phase()


def _month_step(plan: _Plan, index: int, month: dt.date) -> Callable[[], None]:
    return lambda: plan.books_of_month(index, month)


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


@contextmanager
def _our_timestamps(*tables: type[models.Model]) -> Iterator[None]:
    """Let the generator set ``auto_now`` / ``auto_now_add`` columns itself (the history)."""
    fields = [
        field
        for table in tables
        for field in table._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]  # type: ignore[attr-defined]
    for field in fields:
        field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for field, now, add in saved:
            field.auto_now, field.auto_now_add = now, add  # type: ignore[attr-defined]


def _insert(
    table: type[models.Model], columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
) -> int:
    """Insert ``rows`` (already database values) with ``executemany`` in batches."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    places = ", ".join(["%s"] * len(columns))
    # the table and column names are the models' own, never input
    sql = f"INSERT INTO {quote(table._meta.db_table)} ({names}) VALUES ({places})"  # noqa: S608
    written = 0
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _when(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _unshared(name: str, taken: set[str]) -> str:
    """``name``, or it with a middle initial or a number, so no two members share one (two
    current members may not: ``community.services`` checks a chosen name the same way)."""
    first, _, last = name.partition(" ")
    tries = (name, *(f"{first} {i}. {last}" for i in "ABCDEFGHJKLMNPRSTVW"))
    for tried in itertools.chain(tries, (f"{name} {n}" for n in itertools.count(2))):
        if fold_key(tried) not in taken:
            taken.add(fold_key(tried))
            return tried
    raise AssertionError("unreachable: the numbered names never run out")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _month_starts(now: dt.datetime, months: int) -> list[dt.date]:
    """The first days of the ``months`` whole months before this one, oldest first."""
    first = now.date().replace(day=1)
    starts = []
    for _ in range(months):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass
class _Plan:
    size: Size
    rng: random.Random
    now: dt.datetime

    def __post_init__(self) -> None:
        self.months = _month_starts(self.now, self.size.months)
        self.began = dt.datetime.combine(
            self.months[0] - dt.timedelta(days=20), dt.time(9), tzinfo=dt.UTC
        )
        self.written: dict[str, int] = {}
        self.month_income: dict[dt.date, int] = {}
        self.member_ids: list[int] = []
        self.joined: list[dt.datetime] = []
        self.cumulative: list[float] = []
        self.leaf_tasks: list[tuple[int, str]] = []
        # per month: (contributions (pk, author, kind, quantity), reviews (reviewer,
        # contribution, rating, effort estimate)), for the month's distribution
        self.quality: dict[int, float] = {}
        self.work_of: dict[dt.date, tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}

    # --- members -------------------------------------------------------------------

    def members(self) -> None:

        password = make_password(DEMO_PASSWORD, hasher=DemoPasswordHasher())
        count, rng = self.size.members, self.rng
        span = (self.now - self.began).total_seconds()
        rows = []
        taken: set[str] = set()
        for index in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = _unshared(f"{first} {last}", taken)
            # the founders first, then a steady stream; the newest joined this week
            if index < 10:
                joined = self.began + dt.timedelta(hours=index)
            else:
                joined = self.began + dt.timedelta(seconds=span * (rng.random() ** 0.8))
            verified = (
                None if index >= 10 and rng.random() < 0.12 else joined + dt.timedelta(hours=2)
            )
            rows.append(
                Member(
                    email=f"{_ascii(first)}.{_ascii(last)}.{index + 1}@{MAIL_DOMAIN}",
                    display_name=name,
                    bio=rng.choice(BIOS),
                    joined_at=joined,
                    email_verified_at=verified,
                    password=password,
                )
            )
        for member in rows:  # bulk_create skips save(), which keeps the name's keys
            member.name_fold, member.name_look, member.name_shape = name_keys(member.display_name)
        with _our_timestamps(Member):
            Member.objects.bulk_create(rows, batch_size=BATCH)
        found = Member.objects.order_by("joined_at", "pk").values_list("pk", "joined_at")
        self.member_ids = [pk for pk, _ in found]
        self.joined = [when for _, when in found]
        # How much each member does: a long tail, as in every community (founders most).
        weights = [1 / (rank + 1) ** 0.75 for rank in range(count)]
        rng.shuffle(weights)
        for rank in range(min(10, count)):
            weights[rank] = max(weights) * 1.2
        # Members who never verified their address do nothing (they stay at level 0).
        verified_at = dict(Member.objects.values_list("pk", "email_verified_at"))
        weights = [
            weight if verified_at[pk] is not None else 0.0
            for weight, pk in zip(weights, self.member_ids, strict=True)
        ]
        self.cumulative = list(itertools.accumulate(weights))
        self.written["members"] = count

    def _member_before(self, when: dt.datetime, *, but: int | None = None) -> int:
        """A member who had joined a week or more before ``when`` (so at level 1 or more once
        their work is reviewed), chosen by how much they do."""
        known = max(1, bisect.bisect_right(self.joined, when - SETTLED_IN))
        while True:
            pick = bisect.bisect_left(
                self.cumulative, self.rng.random() * self.cumulative[known - 1]
            )
            pk = self.member_ids[min(pick, known - 1)]
            if pk != but or known == 1:
                return pk

    # --- tasks ---------------------------------------------------------------------

    def tasks(self) -> None:

        rng, total = self.rng, self.size.tasks
        parents = max(1, total // 10)
        span = (self.now - self.began).total_seconds()
        parent_rows = []
        for index in range(parents):
            area = rng.choice(AREAS)
            when = self.began + dt.timedelta(seconds=span * index / parents)
            parent_rows.append(
                Task(
                    title=rng.choice(GOALS).format(area=area),
                    description=f"A goal for the **{area}**. Claim a step below, or add one.",
                    estimate_hours=Decimal(rng.choice((20, 40, 60, 80))),
                    created_by_id=self._member_before(when),
                    created_at=when,
                    updated_at=when,
                )
            )
        with _our_timestamps(Task):
            Task.objects.bulk_create(parent_rows, batch_size=BATCH)
            made = list(Task.objects.order_by("pk").values_list("pk", "title", "created_at"))
            children = []
            for index in range(total - parents):
                parent_pk, title, when = made[index % len(made)]
                area = next((a for a in AREAS if a in title), rng.choice(AREAS))
                children.append(
                    Task(
                        parent_id=parent_pk,
                        title=rng.choice(STEPS).format(area=area),
                        estimate_hours=Decimal(rng.choice(HOURS[3:])),
                        created_by_id=self._member_before(when),
                        created_at=when,
                        updated_at=when,
                    )
                )
            Task.objects.bulk_create(children, batch_size=BATCH)
        self.leaf_tasks = list(
            Task.objects.filter(parent__isnull=False).order_by("pk").values_list("pk", "title")
        )
        self.written["tasks"] = total

    # --- contributions, review draws and reviews -----------------------------------

    def contributions(self) -> None:
        """Contributions over the months, each with five reviewers drawn and their reviews."""
        rng = self.rng
        start = dt.datetime.combine(self.months[0], dt.time(0), tzinfo=dt.UTC)
        span = (self.now - dt.timedelta(hours=6) - start).total_seconds()
        self.quality = {pk: rng.uniform(2.6, 4.8) for pk in self.member_ids}
        first_id = (
            Contribution.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]] = (
            [],
            [],
            [],
        )
        claimed: dict[int, tuple[int, dt.datetime]] = {}
        for offset in range(self.size.contributions):
            # more work every month, as the community grows
            when = start + dt.timedelta(seconds=span * (rng.random() ** 0.7))
            self._contribution(first_id + offset, when, rows, claimed)
            if len(rows[0]) >= BATCH:
                _flush_work(*rows, self.written)
        _flush_work(*rows, self.written)
        _reset_sequences(Contribution)
        self._claim_tasks(claimed)

    def _contribution(
        self,
        pk: int,
        when: dt.datetime,
        rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]],
        claimed: dict[int, tuple[int, dt.datetime]],
    ) -> None:
        rng = self.rng
        author = self._member_before(when)
        task_pk, task_title = (None, "")
        if self.leaf_tasks and rng.random() < 0.5:
            task_pk, task_title = rng.choice(self.leaf_tasks)
            claimed.setdefault(task_pk, (author, when))
        area = next((a for a in AREAS if a in task_title), rng.choice(AREAS))
        seed = secrets.token_hex(16)
        pool = {self._member_before(when, but=author) for _ in range(POOL)} - {author}
        drawn = draw_reviewers(seed, str(pk), str(author), map(str, pool), 5)
        if rng.random() < 0.9:
            kind, hours, units, unit_name = (
                ContributionKind.WORK,
                Decimal(rng.choice(HOURS)),
                None,
                "",
            )
            summary = rng.choice(WORK_SUMMARIES).format(task=task_title or area, area=area)
        else:
            text, unit_name = rng.choice(DELIVERABLES)
            kind, hours, units = ContributionKind.DELIVERABLE, None, Decimal(rng.randint(1, 6))
            summary = text.format(area=area)
        evidence = f"https://git.example.org/commons/pull/{pk}"
        at = _when(when)
        rows[0].append(
            (pk, author, task_pk, kind, summary[:200], "", hours, units, unit_name, evidence, "",
             seed, json.dumps(sorted(pool)), 1, at, at, "", "", "", "")
        )  # fmt: skip
        month = when.date().replace(day=1)
        # reviewed within the month it was logged in (before its distribution is made)
        month_end = dt.datetime.combine(_next_month(month), dt.time(0), tzinfo=dt.UTC)
        room = (min(month_end, self.now) - when).total_seconds()
        bucket = self.work_of.setdefault(month, ([], []))
        bucket[0].append((pk, author, kind, hours if hours is not None else units))
        # the last days' work is still being reviewed: some of its reviewers have not yet
        recent = when >= self.now - dt.timedelta(days=3)
        reviewing = rng.randint(0, max(len(drawn) - 1, 0)) if recent else len(drawn)
        for rank, reviewer in enumerate(drawn, start=1):
            if rank > reviewing:
                rows[1].append((pk, int(reviewer), rank, at, 1, None))
                continue
            rating = max(1, min(5, round(self.quality[author] + rng.gauss(0, 0.7))))
            challenge = None
            if hours is not None and rng.random() < 0.05:
                challenge = (hours * 3 / 4).quantize(Decimal("0.01"))
            reviewed = when + dt.timedelta(seconds=room * rng.uniform(0.05, 0.9))
            rows[1].append((pk, int(reviewer), rank, at, 1, _when(reviewed)))
            rows[2].append(
                (pk, int(reviewer), rating, COMMENTS[rating], challenge, 1, _when(reviewed))
            )
            bucket[1].append((int(reviewer), pk, rating, challenge))

    def _claim_tasks(self, claimed: dict[int, tuple[int, dt.datetime]]) -> None:
        """Tasks with work on them: claimed by their first contributor, done after a month."""
        done_before = self.now - dt.timedelta(days=30)
        with transaction.atomic():
            for status, chosen in (
                (Task.Status.DONE, [k for k, (_, w) in claimed.items() if w < done_before]),
                (Task.Status.CLAIMED, [k for k, (_, w) in claimed.items() if w >= done_before]),
            ):
                by_claimer: dict[int, list[int]] = {}
                for task_pk in chosen:
                    by_claimer.setdefault(claimed[task_pk][0], []).append(task_pk)
                for member, tasks in by_claimer.items():
                    Task.objects.filter(pk__in=tasks).update(status=status, claimed_by_id=member)

    # --- the books ------------------------------------------------------------------

    def books_of_month(self, index: int, month: dt.date) -> None:
        """The month's confirmed income posted to the journal, then the month distributed."""
        distributions = len(self.months)
        incomes = self.size.entries - distributions  # one entry per distribution
        # growing income: later months get more payments
        weights = [1 + i / 4 for i in range(distributions)]
        share = weights[index] / sum(weights)
        earlier = sum(round(incomes * w / sum(weights)) for w in weights[:index])
        mine = incomes - earlier if index == distributions - 1 else round(incomes * share)
        self._post_income(month, mine)
        self._distribute(month)

    def _money_handlers(self) -> tuple[Any, Any]:
        """Two founders: one records the income, the other confirms it and posts."""

        if not hasattr(self, "_handlers"):
            first, second = Member.objects.order_by("joined_at", "pk")[:2]
            self._handlers = (first, second)
        return self._handlers

    def _post_income(self, month: dt.date, count: int) -> None:

        recorder, confirmer = self._money_handlers()
        rng = self.rng
        days = (_next_month(month) - month).days
        kinds = [kind for kind in INCOME_KINDS for _ in range(kind[3])]
        first_id = (Income.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        policy = current_policy(at=month)
        rows, drafts, total = [], [], 0
        for offset in range(count):
            pk = first_id + offset
            source, description, amounts, _ = rng.choice(kinds)
            minor = rng.choice(amounts)
            payer = rng.choice(CUSTOMERS) if source != IncomeSource.DONATIONS else "Anonymous donor"
            received = month + dt.timedelta(days=rng.randrange(days))
            at = dt.datetime.combine(received, dt.time(rng.randrange(8, 18)), tzinfo=dt.UTC)
            reference = f"INV-{received:%Y%m}-{pk}"
            rows.append(
                (
                    pk,
                    minor,
                    source,
                    reference,
                    "EUR",
                    payer,
                    description,
                    _day(received),
                    recorder.pk,
                    _when(at),
                    "confirmed",
                    confirmer.pk,
                    _when(at + dt.timedelta(hours=3)),
                )
            )
            content = {
                "id": pk,
                "amount_minor": minor,
                "currency": "EUR",
                "source": source,
                "reference": reference,
                "payer": payer,
                "description": description,
                "received_on": received,
                "recorded_by_id": recorder.pk,
                "confirmed_by_id": confirmer.pk,
            }
            reserve_minor = _reserve_part(minor, policy)
            postings = [
                Posting(BANK, "EUR", minor - reserve_minor),
                Posting(income_account(source), "EUR", -minor),
            ]
            if reserve_minor:
                postings.insert(1, Posting(RESERVE, "EUR", reserve_minor))
            drafts.append(
                EntryDraft(
                    date=received,
                    description=one_line(f"{description} ({payer})"),
                    postings=tuple(postings),
                    source=f"income:{pk}",
                    actor=str(confirmer.pk),
                    service="books.confirm_income",
                    commits=records.digest(content),
                )
            )
            total += minor
        drafts.sort(key=lambda d: (d.date, d.source))
        with transaction.atomic():
            journal.lock()
            journal.open_accounts(
                {p.account for d in drafts for p in d.postings}, on=self.months[0]
            )
            _insert(Income, INCOME_COLUMNS, iter(rows))
            _reset_sequences(Income)
            for start in range(0, len(drafts), 50_000):
                journal.post_many(drafts[start : start + 50_000])
        self.month_income[month] = total
        self.written["income"] = self.written.get("income", 0) + count

    def _distribute(self, month: dt.date) -> None:
        """The month's distribution (60 % of its income), frozen and posted by the engine's
        own pieces: its seed, the valuation (``allocate``), the payouts, the entry that
        commits to them and the reputations handed on. Built from the rows generated for
        the month rather than by ``propose_distribution``, whose trust levels read every
        review several times (hours at this size, today); the request is the one
        ``valuation_request`` builds (see SETTLED_IN), which the tests check."""

        proposer, poster = self._money_handlers()
        start, end = month, _next_month(month) - dt.timedelta(days=1)
        version = current_version(at=start)
        policy = policy_of(version)
        minor = self.month_income[month] * 6 // 10
        proposed_at = min(
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC),
            timezone.now() - dt.timedelta(hours=1),
        )
        window = dt.timedelta(hours=policy.period.challenge_hours)
        with transaction.atomic():
            journal.lock()
            seed = engine._period_seed("EUR", start, end)
            request = self._request(month, minor=minor, seed=seed, policy=policy)
            result = allocate(request)
            result_json = result.to_json()
            result_json["resource_payments"] = []
            with _our_timestamps(Distribution):
                distribution = Distribution.objects.create(
                    period_start=start,
                    period_end=end,
                    currency="EUR",
                    amount_minor=minor,
                    remainder_minor=to_minor(result.remainder, "EUR"),
                    method=result.method,
                    seed=seed,
                    policy=engine._frozen_policy(version),
                    policy_version=version.number,
                    policy_sha256=version.sha256,
                    request=engine._request_json(request),
                    result=result_json,
                    created_by=proposer,
                    created_at=proposed_at,
                    status=Distribution.Status.POSTED,
                    challenge_ends_at=min(proposed_at + window, timezone.now()),
                    posted_at=min(proposed_at + window, timezone.now()),
                )
            payouts = Payout.objects.bulk_create(
                Payout(
                    distribution=distribution,
                    member_id=int(line.member),
                    amount_minor=to_minor(line.amount, "EUR"),
                    share=line.share,
                    explanation=result.explanations.get(line.member, {}),
                )
                for line in result.payouts
                if line.amount > 0
            )
            engine._post_distribution(distribution, payouts, [], poster)
            earned._record_reputation(distribution.pk, end, result_json.get("reputation", {}))
        self.written["distributions"] = self.written.get("distributions", 0) + 1

    def _request(self, month: dt.date, *, minor: int, seed: str, policy: Any) -> Any:
        """What ``books.distribution.valuation_request`` freezes, from the month's rows."""

        contributions, reviews = self.work_of.get(month, ([], []))
        contributions = sorted(contributions)
        kind_of = {pk: kind for pk, _, kind, _ in contributions}
        members = sorted({c[1] for c in contributions} | {r[0] for r in reviews})
        reputation = engine.earlier_reputation()
        return AllocationRequest(
            currency="EUR",
            amount=from_minor(minor, "EUR"),
            method=policy.valuation.method,
            seed=seed,
            members=tuple(
                MemberInput(id=str(pk), reputation=reputation.get(str(pk))) for pk in members
            ),
            contributions=tuple(
                ContributionInput(
                    id=str(pk),
                    member=str(author),
                    kind=str(kind),
                    effort=effort_of(kind, Decimal(quantity), policy),
                )
                for pk, author, kind, quantity in contributions
            ),
            reviews=tuple(
                ReviewInput(
                    reviewer=str(reviewer),
                    contribution=str(contribution),
                    rating=rating,
                    effort=None
                    if effort is None
                    else effort_of(kind_of[contribution], effort, policy),
                )
                for reviewer, contribution, rating, effort in reviews
            ),
            policy=dict(policy.valuation.parameters),
        )

    # --- the conversation --------------------------------------------------------

    def conversations(self) -> None:
        talk = Talk(
            rng=self.rng,
            now=self.now,
            member_before=self._member_before,
            areas=AREAS,
            when=_when,
            insert=_insert,
            reset_sequences=_reset_sequences,
        )
        self.written.update(talk.run(self.size.members))

    def counts(self) -> dict[str, int]:

        return {**self.written, "journal entries": JournalEntry.objects.count()}


def _flush_work(
    contributions: list[tuple[Any, ...]],
    assignments: list[tuple[Any, ...]],
    reviews: list[tuple[Any, ...]],
    written: dict[str, int],
) -> None:
    """Insert the rows gathered so far and empty the lists (memory stays flat)."""

    for table, columns, rows, name in (
        (Contribution, CONTRIBUTION_COLUMNS, contributions, "contributions"),
        (ReviewAssignment, ASSIGNMENT_COLUMNS, assignments, "review assignments"),
        (Review, REVIEW_COLUMNS, reviews, "reviews"),
    ):
        written[name] = written.get(name, 0) + _insert(table, columns, iter(rows))
        rows.clear()


CONTRIBUTION_COLUMNS = (
    "id", "author_id", "task_id", "kind", "summary", "description", "hours", "units",
    "unit_name", "evidence_url", "evidence_text", "review_seed", "review_pool", "version",
    "created_at", "updated_at", "currency", "receipt", "evidence_file", "approver_seed",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "contribution_id", "reviewer_id", "rank", "drawn_at", "drawn_version", "reviewed_at",
)  # fmt: skip
REVIEW_COLUMNS = (
    "contribution_id", "reviewer_id", "rating", "comment", "effort_estimate", "version",
    "created_at",
)  # fmt: skip
INCOME_COLUMNS = (
    "id", "amount_minor", "source", "reference", "currency", "payer", "description",
    "received_on", "recorded_by_id", "created_at", "status", "confirmed_by_id", "confirmed_at",
)  # fmt: skip


def _reset_sequences(*tables: type[models.Model]) -> None:
    """After rows with explicit ids, PostgreSQL's sequences must move past them."""

    statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


MAIL_DOMAIN = "large.commonshare.org"
"""Every generated member's address is at this domain."""


def unfinished() -> bool:
    """True when a generation began here (its members are in) but was stopped before its
    event was recorded: the rows go in over many transactions, so a stopped run leaves a
    part of a community, which must not be served as if it were whole."""
    began = Member.objects.filter(email__endswith=f"@{MAIL_DOMAIN}").exists()
    return began and not events(about=coded("sample.community.generated")).exists()


def first_login() -> str:
    """The address of the first member who joined (a founder), to sign in with."""

    first = Member.objects.order_by("joined_at", "pk").values_list("email", flat=True).first()
    return first or "(no members yet)"
