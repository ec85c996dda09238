"""A believable demo community: an open-source project that sells hosting and support.

Everything goes through the same services a person would use, so the demo is
also a smoke test of the write paths. Only the timestamps are moved into the
past afterwards, to spread the story over the last months.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from commonshare.paths import data_dir
from commonshare.work.vocab import ContributionKind

DEMO_PASSWORD = "demo-commons-2026"  # noqa: S105 - printed for everyone on purpose

MEMBERS = [
    (
        "amara@demo.commonshare.org",
        "Amara Okafor",
        "Founder. Wrote the first version, now mostly reviews.",
    ),
    (
        "jonas@demo.commonshare.org",
        "Jonas Berg",
        "Runs the hosting cluster from a coworking space in Malmö.",
    ),
    (
        "priya@demo.commonshare.org",
        "Priya Raman",
        "Support and documentation; answers the hard tickets.",
    ),
    ("lucia@demo.commonshare.org", "Lucía Fernández", "Front-end and accessibility."),
    ("mei@demo.commonshare.org", "Mei Chen", "Databases and backups. Lends two idle servers."),
    (
        "tomasz@demo.commonshare.org",
        "Tomasz Nowak",
        "Weekend contributor: translations and small fixes.",
    ),
    ("fatima@demo.commonshare.org", "Fatima Zahra", "Staff time lent by a partner cooperative."),
    (
        "sam@demo.commonshare.org",
        "Sam Rivera",
        "Came for five minutes, stayed for the release notes.",
    ),
    ("noor@demo.commonshare.org", "Noor Haddad", "Customer onboarding and custom work."),
]

TASKS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "Migrate hosting customers to the new cluster",
        "Move the **12 hosted instances** to the new cluster without downtime.\n\n"
        "- snapshot each database\n- switch DNS with a short TTL\n- keep the old node for a week",
        "24",
        [
            ("Write the migration runbook", "4"),
            ("Migrate the first three customers", "6"),
            ("Decommission the old node", "2"),
        ],
    ),
    (
        "Support rotation for November",
        "Answer tickets within one working day. Small slices: claim a day at a time.",
        "40",
        [("Cover 3–9 November", "10"), ("Cover 10–16 November", "10")],
    ),
    (
        "Accessible sign-up form",
        "Labels, error messages read by screen readers, keyboard-only flow.",
        "6",
        [("Audit with a screen reader", "2"), ("Fix focus order", "1.5")],
    ),
    ("Translate the user guide to Polish", "Start with the quickstart page.", "5", []),
    ("Release notes for 2.4", "Summarise the changes for customers in plain words.", "1", []),
]


class DemoPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with few rounds, for the ten demo accounts only (their password is public).

    Argon2 costs a third of a second per account, a third of the demo's first run.
    The hash is an ordinary ``pbkdf2_sha256`` one, so the site's own PBKDF2 hasher
    checks it, and Django stores it again with Argon2 at the account's first
    login (its rounds are below the site's). Real accounts never use this class:
    it is only in force while ``_members`` and ``_newcomer`` run.
    """

    iterations = 1000


def run_valuation_as_plain_python() -> None:
    """Run the valuation loops of this process as plain Python instead of compiling them.

    The ``robust`` method's loops are compiled by Numba on first use (about 12 s of
    CPU on a new install, cached on disk after that; loading the cache still costs
    about 2 s). For the demo's few dozen reviews the same loops run as Python in a
    fraction of that, with the same operations in the same order. Numba reads the
    switch when the loops are defined, so it holds for this process only, and only
    if nothing here has valued anything yet: a ``commonshare serve`` elsewhere
    compiles them as usual.
    """
    if "commonshare.core.valuation.kernels" in sys.modules:
        return
    import numba

    numba.config.DISABLE_JIT = True  # type: ignore[attr-defined]  # set from the environment


def demo_logins() -> list[tuple[str, str]]:
    return [(email, name) for email, name, _ in [*MEMBERS, NEWCOMER]]


def remove_sqlite_files() -> None:
    """Delete the embedded database and uploads (``--reset`` on SQLite)."""
    folder = data_dir()
    for suffix in ("", "-wal", "-shm"):
        (folder / f"commonshare.sqlite3{suffix}").unlink(missing_ok=True)


def wipe_database() -> None:
    """On a server database, empty every table (SQLite files were removed already)."""
    if connection.vendor == "sqlite":
        return
    from django.core.management import call_command

    from commonshare.books.append_only import set_guard
    from commonshare.governance.initial import write_version_one
    from commonshare.governance.initial_norms import write_initial_norms
    from commonshare.governance.models import NormVersion, PolicyVersion

    set_guard(connection, install=False)
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        set_guard(connection, install=True)
    write_version_one(PolicyVersion)  # flush empties every table, the rules' too
    write_initial_norms(NormVersion)  # and the norms'


def ensure_demo_community() -> bool:
    """Create the demo community unless the database already has members."""
    from commonshare.community.models import Member

    if Member.objects.exists():
        return False
    steps = list(_steps())
    with click.progressbar(steps, label="Filling the demo community", file=sys.stderr) as bar:
        context: dict[str, Any] = {"rng": random.Random(2026)}  # noqa: S311 - demo data, not security
        for step in bar:
            step(context)
    return True


def _steps() -> Iterator[Any]:
    yield _members
    yield _tasks
    yield _work
    yield _stewards_own_work
    yield _deliverables_resources_expenses
    yield _reviews
    yield _history
    yield _income
    yield _backdate
    yield _decisions
    yield _distribution
    yield _newcomer


def _members(context: dict[str, Any]) -> None:
    from commonshare.community import services
    from commonshare.community.models import Member

    members = []
    with override_settings(PASSWORD_HASHERS=[f"{__name__}.DemoPasswordHasher"]):
        joined = [
            services.join(email=email, display_name=name, password=DEMO_PASSWORD)
            for email, name, _ in MEMBERS
        ]
    for member, (_, name, bio) in zip(joined, MEMBERS, strict=True):
        services.update_profile(member, display_name=name, bio=bio)
        members.append(member)
    # Their addresses count as verified (demo addresses receive no mail): trust level 1
    # asks it, with a first reviewed contribution.
    Member.objects.filter(pk__in=[m.pk for m in members]).update(email_verified_at=timezone.now())
    context["members"] = members


def _history(context: dict[str, Any]) -> None:
    """The story began months ago: its income is dated since then, never before the
    community began (books.selectors.owed.community_began). Dated after the reviews, so
    that the first members reviewed as stewards while the community was new."""
    from commonshare.community.models import Member

    began = timezone.now() - dt.timedelta(days=85)
    Member.objects.filter(pk__in=[m.pk for m in context["members"]]).update(
        joined_at=began, email_verified_at=began
    )


def _tasks(context: dict[str, Any]) -> None:
    from commonshare.work import services

    members = context["members"]
    leaves = []
    for index, (title, description, hours, subtasks) in enumerate(TASKS):
        parent = services.create_task(
            members[index % len(members)],
            title=title,
            description=description,
            estimate_hours=hours,
        )
        leaves.append(parent)
        for sub_title, sub_hours in subtasks:
            leaves.append(
                services.create_task(
                    members[(index + 2) % len(members)],
                    title=sub_title,
                    estimate_hours=sub_hours,
                    parent_id=parent.pk,
                )
            )
    context["tasks"] = leaves


def _work(context: dict[str, Any]) -> None:
    from commonshare.work import selectors as work_selectors
    from commonshare.work import services

    members, tasks, rng = context["members"], context["tasks"], context["rng"]
    logged = []
    finished = []
    for index, task in enumerate(tasks[:9]):
        worker = members[(index + 1) % len(members)]
        services.claim_task(worker, task.pk)
        hours = rng.choice(["0.25", "0.5", "1", "1.5", "2", "3", "4.5", "6"])
        logged.append(
            services.log_contribution(
                worker,
                services.ContributionInput(
                    kind=ContributionKind.WORK,
                    summary=f"Worked on: {task.title}",
                    hours=hours,
                    task_id=task.pk,
                    evidence_url=f"https://git.example.org/tessera/pull/{100 + index}",
                ),
            )
        )
        if index % 3 != 2:
            finished.append((worker, task))
    # Subtasks first; a parent with a subtask still in progress stays claimed.
    for worker, task in reversed(finished):
        if not work_selectors.open_subtasks(task):
            services.complete_task(worker, task.pk)
    # Five minutes of work without a task: in-or-out.
    logged.append(
        services.log_contribution(
            members[7],
            services.ContributionInput(
                kind=ContributionKind.WORK,
                summary="Fixed a typo on the pricing page",
                hours="0.08",
                evidence_text="Changed 'recieve' to 'receive' in the footer.",
            ),
        )
    )
    context["contributions"] = logged


# The trust levels the demo reaches, earned with nothing faked (the policy's thresholds):
# - 2 (member): Amara and Priya. Each logs five reviewed contributions of 20 hours or more
#   (the four below and one on a task), gives five reviews or more and has been a member
#   30 days or more. Only two earn it: a third would end the steward phase by "enough
#   members at level 2" before the first decision could, and the demo shows the end by
#   the first decision. Two are also what money needs once the phase has ended (one
#   member records, another confirms: Amara may confirm Priya's pending income).
# - 1 (basic): every other member of the story (a verified address, a reviewed
#   contribution, seven days or more); Jonas too, a steward no more.
# - 0 (new): Kofi, who joins at the end and has not verified his address (``_newcomer``).
# - 3 and 4 are out of reach: level 3 asks 90 days as a member and the story began 85 days
#   ago (inside the steward phase's 90 days, so that the stewards could move its money),
#   and twenty reviewed contributions each; level 4 asks level 3 held over periods.
STEWARDS_WORK = {
    0: [
        ("Designed the two-person money flows", "6"),
        ("Wrote the 2.4 upgrade guide", "5"),
        ("Paired on the cluster migration", "4.5"),
        ("Triaged the review queue", "5"),
    ],
    2: [
        ("Rewrote the support FAQ", "5"),
        ("Answered the backlog of hard tickets", "4"),
        ("Recorded onboarding screencasts", "4.5"),
        ("Documented the backup restore", "4"),
    ],
}


def _stewards_own_work(context: dict[str, Any]) -> None:
    """Amara's and Priya's own work, reviewed like everyone's: it earns them level 2."""
    from commonshare.work import services

    members = context["members"]
    for who, items in STEWARDS_WORK.items():
        for index, (summary, hours) in enumerate(items):
            pull = 200 + 10 * who + index
            context["contributions"].append(
                services.log_contribution(
                    members[who],
                    services.ContributionInput(
                        kind=ContributionKind.WORK,
                        summary=summary,
                        hours=hours,
                        evidence_url=f"https://git.example.org/tessera/pull/{pull}",
                    ),
                )
            )


def _deliverables_resources_expenses(context: dict[str, Any]) -> None:
    from commonshare.work import services

    members = context["members"]
    more = [
        services.log_contribution(
            members[5],
            services.ContributionInput(
                kind=ContributionKind.DELIVERABLE,
                summary="Polish translation of the quickstart",
                units="3",
                unit_name="pages",
                description="Three pages, reviewed by a native speaker.",
                evidence_url="https://git.example.org/tessera/docs/pl/quickstart",
            ),
        ),
        services.log_contribution(
            members[4],
            services.ContributionInput(
                kind=ContributionKind.RESOURCE,
                summary="Backup server for October",
                units="720",
                unit_name="server hours",
                evidence_text="Metered by the cluster: 720 h uptime.",
            ),
        ),
        services.log_contribution(
            members[1],
            services.ContributionInput(
                kind=ContributionKind.RESOURCE,
                summary="Bandwidth for the mirror",
                units="140",
                unit_name="GB transferred",
                evidence_text="Mirror logs, October.",
            ),
        ),
        services.log_contribution(
            members[1],
            services.ContributionInput(
                kind=ContributionKind.EXPENSE,
                summary="Domain renewal",
                amount="14.99",
                currency="EUR",
                receipt=SimpleUploadedFile(
                    "domain-receipt.txt", b"Registrar invoice 2026-118: tessera.example 14.99 EUR"
                ),
            ),
        ),
    ]
    context["contributions"].extend(more)


def _reviews(context: dict[str, Any]) -> None:
    from commonshare.work import services

    rng = context["rng"]
    comments = {
        5: "Excellent, and well documented.",
        4: "Good work; small nits left in the thread.",
        3: "Does the job; could be tidier.",
        2: "Half done, see my notes.",
    }
    for contribution in context["contributions"]:
        if contribution.kind == ContributionKind.EXPENSE:
            continue
        for assignment in contribution.assignments.all():
            rating = rng.choice([3, 4, 4, 5, 5])
            challenge = None
            if contribution.kind == ContributionKind.WORK and rng.random() < 0.15:
                challenge = str(max(contribution.hours * 3 / 4, 0).quantize(contribution.hours))
            services.submit_review(
                assignment.reviewer,
                contribution.pk,
                rating=rating,
                comment=comments[rating],
                effort_estimate=challenge,
            )


def _income(context: dict[str, Any]) -> None:
    from commonshare.books import services

    today = timezone.localdate()
    payers = [
        ("Hanseatic Books GmbH", "Hosting, three instances", "420.00"),
        ("Cooperativa La Trama", "Support contract", "650.00"),
        ("Open Data Lab", "Custom import module", "1800.00"),
        ("Anonymous donor", "Donation", "75.00"),
    ]
    # Money needs two people: one member records income, another confirms it. The newest
    # is left waiting, so the demo shows income pending confirmation (not distributable).
    recorder, confirmer = context["members"][2], context["members"][0]
    recorded = []
    for months_ago in (3, 2, 1):
        for payer, description, amount in payers[: 2 + months_ago % 3]:
            day = today.replace(day=1) - dt.timedelta(days=30 * months_ago - 10)
            recorded.append(
                services.record_income(
                    recorder,
                    amount=amount,
                    currency="EUR",
                    payer=payer,
                    description=description,
                    received_on=day,
                )
            )
    for income in recorded[:-1]:
        services.confirm_income(confirmer, income.pk)


def _backdate(context: dict[str, Any]) -> None:
    """Spread the story over the two months before this one: one distribution of each."""
    from commonshare.work.models import Contribution, Review

    last_month_end = timezone.now().replace(day=1, hour=12) - dt.timedelta(days=1)
    month_before_end = last_month_end.replace(day=1) - dt.timedelta(days=1)
    with transaction.atomic():
        for offset, contribution in enumerate(context["contributions"]):
            end = month_before_end if offset % 2 else last_month_end
            when = end - dt.timedelta(days=(offset * 2) % 27)
            Contribution.objects.filter(pk=contribution.pk).update(created_at=when)
            Review.objects.filter(contribution=contribution).update(
                created_at=when + dt.timedelta(hours=20)
            )
    context["earlier_period"] = f"{month_before_end:%Y-%m}"
    context["last_period"] = f"{last_month_end:%Y-%m}"


def _distribution(context: dict[str, Any]) -> None:
    """Two distributions, each carried by a lazy-consensus decision: the earlier month's,
    its window backdated like the story, closed with no objection and so posted; last
    month's left open, a decision in its challenge window.

    It comes after the decisions, so that those keep their numbers 1 to 3; the founder has
    earned level 2 by then, and Priya may object, so it is not decided by its proposer alone.
    """
    from commonshare.books.distribution import propose_distribution
    from commonshare.books.models import Distribution
    from commonshare.decisions import services
    from commonshare.decisions.models import Proposal

    founder = context["members"][0]
    earlier = propose_distribution(
        founder, period=context["earlier_period"], currency="EUR", amount="1200.00"
    )
    number = earlier.decision_number
    assert number is not None  # noqa: S101 - proposing opens its decision
    proposed_at = timezone.now() - dt.timedelta(days=20)
    window_ends = proposed_at + dt.timedelta(hours=72)
    Distribution.objects.filter(pk=earlier.pk).update(
        created_at=proposed_at, challenge_ends_at=window_ends
    )
    with transaction.atomic(), _decisions_unguarded():
        Proposal.objects.filter(number=number).update(
            created_at=proposed_at, opens_at=proposed_at, closes_at=window_ends
        )
    # Anyone may close a decision past its close; with no objection it posts.
    services.close_decision(number)
    propose_distribution(founder, period=context["last_period"], currency="EUR", amount="800.00")


@contextmanager
def _decisions_unguarded() -> Iterator[None]:
    """Lift the triggers that fix a proposal's terms, for the demo's own set-up only.

    A vote must run its days before it can close, and the product has no moved clock
    (``time_machine`` is a test dependency). So the demo makes its proposals and casts
    their ballots as anyone would, then moves their times (made, opened, closing, cast)
    into the past under this, as ``demo --reset`` lifts the journal's guard, and puts the
    guard back before anything closes them: ``close_decision`` runs with the guard on,
    through the service, and every later change of a closed decision is refused.
    """
    from commonshare.decisions.fixed import set_guard

    set_guard(connection, install=False)
    try:
        yield
    finally:
        set_guard(connection, install=True)


def _move_into_the_past(number: int, *, opened_days_ago: int, days: int) -> None:
    from commonshare.decisions.models import Ballot, Proposal

    opened = timezone.now() - dt.timedelta(days=opened_days_ago)
    with transaction.atomic(), _decisions_unguarded():
        Proposal.objects.filter(number=number).update(
            created_at=opened, opens_at=opened, closes_at=opened + dt.timedelta(days=days)
        )
        for index, ballot in enumerate(Ballot.objects.filter(proposal__number=number)):
            Ballot.objects.filter(pk=ballot.pk).update(
                cast_at=opened + dt.timedelta(hours=5 + 3 * index)
            )


def _decisions(context: dict[str, Any]) -> None:
    """Self-governance, after the money (which needed the stewards' level-2 powers):

    1. a policy change (the reserve share from 10 % to 15 %), voted and closed: the first
       adopted decision, so it ends the steward phase; the new share holds from the next
       period;
    2. a new version of the code of conduct, adopted by consent;
    3. a score vote against weighted criteria, with ballots, still open.
    """
    from commonshare.decisions import services, vocab

    members = context["members"]
    amara, jonas, priya = members[0], members[1], members[2]
    days = 2  # the policy's fewest voting days (decisions.min_voting_days)
    reserve = services.propose(
        amara,
        title="Keep a bigger reserve: 15 % of each distribution",
        body=(
            "Two customers paid late this autumn, and the reserve barely covered the "
            "servers. Keep 15 % of each distribution in reserve instead of 10 %, from the "
            "next period on."
        ),
        kind=vocab.ProposalKind.RULES,
        method="majority",
        voting_days=days,
        effect_kind=vocab.POLICY_CHANGE,
        effect={"changes": {"reserve.share": "0.15"}},
    )
    choices = ["for", "for", "against", "for", "for", "abstain", "for", "for"]
    for member, choice in zip(members, choices, strict=False):
        services.vote(member, reserve.number, {"choice": choice})
    conduct = services.propose(
        priya,
        title="Code of conduct: reviews judge the work",
        body="Say plainly in the code of conduct what a review is for.",
        kind=vocab.ProposalKind.RULES,
        method="consent",
        voting_days=days,
        effect_kind=vocab.NORM_CHANGE,
        effect={"kind": "code-of-conduct", "text": _amended_code_of_conduct()},
    )
    for member in members[:6]:
        services.vote(member, conduct.number, {"position": "consent"})
    _move_into_the_past(reserve.number, opened_days_ago=6, days=days)
    _move_into_the_past(conduct.number, opened_days_ago=4, days=days)
    services.close_decision(reserve.number)  # ends the steward phase: the first adopted
    services.close_decision(conduct.number)
    region = services.propose(
        jonas,
        title="Where the second hosting cluster goes",
        body="We need a second cluster next year. Score each place against both criteria.",
        kind=vocab.ProposalKind.OTHER,
        method="score",
        options=["Malmö", "Porto", "Kraków"],
        criteria=[
            {"name": "Cost", "weight": "2", "description": "Rent, power and bandwidth."},
            {"name": "Latency", "weight": "1", "description": "For the customers we have."},
        ],
        voting_days=7,
    )
    scores = [
        {"Malmö": (3, 4), "Porto": (4, 3), "Kraków": (5, 3)},
        {"Malmö": (2, 4), "Porto": (5, 3), "Kraków": (4, 4)},
        {"Malmö": (4, 5), "Porto": (3, 2), "Kraków": (4, 3)},
    ]
    for member, given in zip((jonas, priya, members[4]), scores, strict=True):
        ballot = {
            "scores": {
                place: {"Cost": cost, "Latency": latency}
                for place, (cost, latency) in given.items()
            }
        }
        services.vote(member, region.number, ballot)


def _amended_code_of_conduct() -> str:
    from commonshare.governance.selectors import current_norm

    text = current_norm("code-of-conduct").text
    text = text.replace(
        "This is a first version. The community will improve it by decision.",
        "Version 2: reviews added by decision. The community keeps improving it by decision.",
    )
    return text.replace(
        "- Keep what others tell you in private private.\n",
        "- Keep what others tell you in private private.\n"
        "- A review judges the work, never the person: rate what was done against what "
        "was asked, and say why.\n",
    )


NEWCOMER = (
    "kofi@demo.commonshare.org",
    "Kofi Mensah",
    "Joined this week to help with the Ghanaian customers.",
)


def _newcomer(context: dict[str, Any]) -> None:
    """A member who joined just now and has not verified his address: trust level 0."""
    from commonshare.community import services

    email, name, bio = NEWCOMER
    with override_settings(PASSWORD_HASHERS=[f"{__name__}.DemoPasswordHasher"]):
        member = services.join(email=email, display_name=name, password=DEMO_PASSWORD)
    services.update_profile(member, display_name=name, bio=bio)
