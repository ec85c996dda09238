"""Fixtures shared by the service, API and browser tests."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

# Tests read pages right after writing, so a visitor's page kept for a few seconds would
# hide the write (web/pagecache.py). Off here and in every server the tests start;
# tests/web/test_page_cache.py turns it on where it is the subject.
os.environ["COMMONSHARE_PAGE_CACHE_SECONDS"] = "0"
django_settings.COMMONSHARE_PAGE_CACHE_SECONDS = 0
os.environ["COMMONSHARE_MEMBER_PAGE_SECONDS"] = "0"
django_settings.COMMONSHARE_MEMBER_PAGE_SECONDS = 0

PASSWORD = "correct horse battery staple"
JOINED_LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media_in_tmp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Uploaded files go to a per-test folder, never the user's data folder."""
    if "settings" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture(autouse=True)
def _no_parts_kept_from_another_test() -> None:
    """Each process keeps the last page parts it read (web/fragments.py), by the journal's
    head: two tests can post the same entries, so a test starts with none kept."""
    from commonshare.web import fragments

    fragments.forget_kept_parts()


@pytest.fixture(autouse=True)
def _back_to_the_present() -> Iterator[None]:
    """Stop any clock travel ``tests.distributing`` started (see there)."""
    from tests.distributing import back_to_the_present

    yield
    back_to_the_present()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest) -> None:
    """Argon2 as in production, minus its deliberate cost (members are made by the dozen)."""
    uses_django = {"settings", "db", "transactional_db", "live_server"} & set(request.fixturenames)
    if uses_django or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("settings").PASSWORD_HASHERS = [
            "tests.hashers.FastArgon2PasswordHasher"
        ]


@pytest.fixture(autouse=True)
def _today_is_the_day_the_test_runs(request: pytest.FixtureRequest) -> None:
    """Modules that keep the day in ``TODAY`` get the real day before each test (tests/dates.py)."""
    from tests.dates import LIVE_MODULES

    module = request.module
    if module is None or module.__name__ not in LIVE_MODULES:
        return
    today = dt.date.today()  # noqa: DTZ011 - the services date entries with the local date
    module.TODAY = today
    if hasattr(module, "YESTERDAY"):
        module.YESTERDAY = today - dt.timedelta(days=1)


@pytest.fixture
def make_member(db: Any, trust_levels: Callable[..., None]) -> Callable[..., Any]:
    """A member who joined long ago, at trust level ``level`` (2 unless told otherwise).

    Most tests are about work and money, not about earning trust, so their members are
    established; tests of what a level unlocks pass ``level=0`` (a fresh account) or
    another level, and ``level=None`` leaves the member to the real computation.
    """
    from commonshare.community import services

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, level: int | None = 2, **extra: Any) -> Any:
        number = next(counter)
        display = name or f"Member {number}"
        email = extra.pop("email", f"{display.lower().replace(' ', '.')}.{number}@example.org")
        member = services.join(email=email, display_name=display, password=PASSWORD)
        # Members made here joined long ago, so income dated any day since then is
        # after the community began (books.selectors.owed.community_began).
        type(member).objects.filter(pk=member.pk).update(joined_at=JOINED_LONG_AGO)
        member.joined_at = JOINED_LONG_AGO
        if level is not None:
            trust_levels({member: level})
        return member

    return make


@pytest.fixture
def adopt_rules(db: Any) -> Callable[..., Any]:
    """A policy version changing some rules, in force since 2000-01-01: ``adopt_rules(review=
    {"reviewers_per_contribution": 3})``.

    Adoption itself cannot be backdated (``governance.services.adopt_policy`` adopts today),
    so this writes the row as set-up data, the way ``make_member`` backdates ``joined_at``:
    the content is core's canonical JSON and the hash its sha256, as the service writes them.
    """
    from tests.policies import insert_version

    return insert_version


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _journal_guard_around_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let transactional tests empty the append-only journal tables between tests.

    Django flushes the database after a transactional (live server) test, which
    the journal's triggers refuse. This fixture is set up before the database
    fixture and torn down after it: it lifts the guard just for the flush
    (through ``_journal_guard_lifted``) and puts it back afterwards.
    """
    transactional = any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    ) or bool(
        (marker := request.node.get_closest_marker("django_db"))
        and marker.kwargs.get("transaction")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_journal_guard_lifted")
    from commonshare.governance.initial import write_version_one
    from commonshare.governance.initial_norms import write_initial_norms
    from commonshare.governance.models import NormVersion, PolicyVersion

    # An earlier transactional test's flush emptied every table, the policy versions too:
    # the data migration wrote version 1 once, so put it back as every data folder has it.
    write_version_one(PolicyVersion)
    write_initial_norms(NormVersion)  # and the norms' first versions
    yield
    blocker = request.getfixturevalue("django_db_blocker")
    from django.db import connection

    from commonshare.books.append_only import set_guard

    with blocker.unblock():
        set_guard(connection, install=True)
        write_version_one(PolicyVersion)  # for the tests after this one
        write_initial_norms(NormVersion)


@pytest.fixture
def _journal_guard_lifted(transactional_db: None) -> Iterator[None]:
    yield
    from django.db import connection

    from commonshare.books.append_only import set_guard

    set_guard(connection, install=False)


@pytest.fixture
def trust_levels(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Give members trust levels for a test: ``trust_levels({alice: 2, bob: 1})``.

    For tests of what a level unlocks, not of how a level is earned (``tests/work/
    test_trust*.py`` test that): the members named get the level given, everyone else what
    the real computation says.
    """
    from commonshare.work import trust

    real_level_of, real_levels_of = trust.level_of, trust.levels_of
    given: dict[int, int] = {}
    everyone: list[int] = []  # a level for every member not named, once set

    def level_of(member: Any, *, on: Any = None) -> int:
        if member.pk in given:
            return given[member.pk]
        return everyone[0] if everyone else real_level_of(member, on=on)

    def levels_of(member_ids: Any, *, on: Any = None, may_lag: bool = False) -> dict[int, int]:
        ids = list(member_ids)
        if everyone:
            return {i: given.get(i, everyone[0]) for i in ids}
        found = real_levels_of([i for i in ids if i not in given], on=on, may_lag=may_lag)
        return {i: given.get(i, found.get(i, 0)) for i in ids}

    real_with_earned = trust.level_with_earned

    def level_with_earned(member: Any, earned_level: int, *, on: Any = None) -> int:
        if member.pk in given:
            return given[member.pk]
        return everyone[0] if everyone else real_with_earned(member, earned_level, on=on)

    monkeypatch.setattr(trust, "level_of", level_of)
    monkeypatch.setattr(trust, "levels_of", levels_of)
    monkeypatch.setattr(trust, "level_with_earned", level_with_earned)

    def set_levels(levels: dict[Any, int], *, others: int | None = None) -> None:
        """``others``: the level of every member not named (the demo's, made inside it)."""
        given.update({member.pk: level for member, level in levels.items()})
        if others is not None:
            everyone[:] = [others]

    # tests/money.py finds it here to make the second member a confirmation needs.
    level_of.set_levels = set_levels  # type: ignore[attr-defined]
    return set_levels


class SmtpInbox:
    """What a real local SMTP server (aiosmtpd) received: ``messages``, newest last."""

    def __init__(self) -> None:
        import email
        import email.message
        import email.policy

        self._parse = lambda raw: email.message_from_bytes(raw, policy=email.policy.default)
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(self._parse(envelope.original_content or envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in m["To"]]

    def body(self, message: Any) -> str:
        return str(message.get_content())

    def link(self, address: str) -> str:
        """The last link mailed to ``address``."""
        import re

        mailed = self.to(address)
        assert mailed, f"no mail reached {address}"
        found = re.findall(r"https?://\S+", self.body(mailed[-1]))
        assert found, "the message carries no link"
        return str(found[-1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on a free local port; the site's mail goes to it over SMTP."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.COMMONSHARE_PUBLIC_URL = "http://testserver"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _site_subscribers_only_when_asked(request: pytest.FixtureRequest) -> Iterator[None]:
    """The site's own after-commit subscribers (a new member's verification mail, the steward
    phase's recorded end) run only in tests that ask for them (``site_subscribers``, or
    ``smtp_server``), so that tests of the action wrapper see their own hooks and events."""
    from commonshare.audit import actions

    if {"site_subscribers", "smtp_server"} & set(request.fixturenames):
        yield
        return
    ours = [s for s in actions._subscribers if s.__module__.startswith("commonshare.")]
    for subscriber in ours:
        actions.unsubscribe(subscriber)
    try:
        yield
    finally:
        for subscriber in ours:
            actions.subscribe(subscriber)


@pytest.fixture
def site_subscribers() -> None:
    """Ask for the site's own after-commit subscribers (see the fixture above)."""
