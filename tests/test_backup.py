"""``commonshare backup`` while a writer writes, ``restore`` into a new folder, and the copy
verifies with the journal head and the counts of the moment it was taken.

Run as real commands on the database the suite runs on: SQLite by default; with a
PostgreSQL ``DATABASE_URL``, on scratch databases of that server made for the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

WRITER = """
import sys, django
django.setup()
from commonshare.audit import via
from commonshare.books import services
from commonshare.community.models import Member

recorder = Member.objects.get(email="amara@demo.commonshare.org")
confirmer = Member.objects.get(email="priya@demo.commonshare.org")
n = 0
with via.entered_by(via.CLI):
    while True:
        income = services.record_income(
            recorder, amount="1.00", currency="EUR", payer=f"Payer {n}",
            description="A burst of writes", received_on="2026-11-30",
        )
        services.confirm_income(confirmer, income.pk)
        n += 1
        print(n, flush=True)
"""


def _pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@dataclass
class Site:
    folder: Path
    database_url: str | None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["COMMONSHARE_DATA_DIR"] = str(self.folder)
        env["DJANGO_SETTINGS_MODULE"] = "commonshare.settings"
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "commonshare", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        if self.database_url is None:
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.folder / "commonshare.sqlite3")) as db:
                return db.execute(query).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return db.execute(query).fetchall()  # type: ignore[arg-type]


@contextlib.contextmanager
def _scratch_database() -> Iterator[str | None]:
    """None on SQLite; on PostgreSQL the URL of a new, empty database, dropped afterwards."""
    url = _pg_url()
    if url is None:
        yield None
        return
    import psycopg

    name = f"backup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        # FORCE ends the sessions still connected, but not an autovacuum worker the
        # server's writes started (a superuser's): the drop is tried again once it ends.
        for attempt in range(30):
            try:
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
                break
            except psycopg.errors.InsufficientPrivilege:
                if attempt == 29:
                    raise
                time.sleep(1)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with _scratch_database() as url:
        site = Site(tmp_path_factory.mktemp("live"), url)
        made = site.run("demo", "--no-serve")
        assert made.returncode == 0, made.stderr
        yield site


def test_a_backup_taken_during_writes_restores_to_books_that_verify(
    live: Site, tmp_path: Path
) -> None:
    before = live.sql("SELECT COUNT(*) FROM books_journalentry")[0][0]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        env=live.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        for _ in range(3):  # the writer is writing
            assert writer.stdout.readline().strip(), writer.stderr.read() if writer.stderr else ""
        backed_up = live.run("backup", str(tmp_path / "during.tar"))
        time.sleep(0.5)  # and goes on after the snapshot
    finally:
        writer.kill()
        writer.communicate(timeout=30)
    assert backed_up.returncode == 0, backed_up.stderr
    assert "Copying the database" in backed_up.stderr  # the progress bar
    with tarfile.open(tmp_path / "during.tar") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = set(archive.getnames())
    assert {"secret_key", "media"} <= names
    # The snapshot caught the writer mid-burst, and the live journal went on past it:
    # its entry at the snapshot's head is the one the manifest names.
    assert manifest["head_seq"] > before
    live_head = live.sql("SELECT MAX(seq) FROM books_journalentry")[0][0]
    assert live_head > manifest["head_seq"]
    seq = int(manifest["head_seq"])
    at_snapshot = live.sql(f"SELECT hash FROM books_journalentry WHERE seq = {seq}")  # noqa: S608
    assert at_snapshot == [(manifest["head_hash"],)]
    # The copy holds every entry up to its head and none after it.
    assert manifest["counts"]["books_journalentry"] == manifest["head_seq"]

    with _scratch_database() as url:
        restored = Site(tmp_path / "restored", url)
        answer = restored.run("restore", str(tmp_path / "during.tar"))
        assert answer.returncode == 0, answer.stdout + answer.stderr
        assert "the books verify" in answer.stdout
        assert f"journal head {manifest['head_seq']} {manifest['head_hash']}" in answer.stdout
        assert restored.sql(
            "SELECT seq, hash FROM books_journalentry ORDER BY seq DESC LIMIT 1"
        ) == [(manifest["head_seq"], manifest["head_hash"])]
        for table in ("books_income", "community_member", "audit_auditevent"):
            count = restored.sql(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608
            assert count == manifest["counts"][table], table
        assert (restored.folder / "secret_key").read_text() == (
            live.folder / "secret_key"
        ).read_text()
        assert restored.run("books", "verify").stdout.startswith("ok:")
        # A second restore into the same folder is refused, naming it, and changes nothing.
        again = restored.run("restore", str(tmp_path / "during.tar"))
        assert again.returncode == 2
        assert f"The data folder {restored.folder} is not empty" in again.stderr
        assert restored.run("books", "verify").stdout.startswith("ok:")


def test_bad_paths_get_a_clear_sentence(live: Site, tmp_path: Path) -> None:
    missing_folder = live.run("backup", str(tmp_path / "no-such-folder" / "b.tar"))
    assert missing_folder.returncode == 2
    assert f"The folder {tmp_path / 'no-such-folder'} does not exist" in missing_folder.stderr
    (tmp_path / "taken.tar").write_text("something else")
    taken = live.run("backup", str(tmp_path / "taken.tar"))
    assert taken.returncode == 2
    assert "exists already" in taken.stderr
    assert (tmp_path / "taken.tar").read_text() == "something else"

    fresh = Site(tmp_path / "fresh", None)
    not_there = fresh.run("restore", str(tmp_path / "nothing.tar"))
    assert not_there.returncode == 2
    assert f"There is no file {tmp_path / 'nothing.tar'}." in not_there.stderr
    not_a_backup = fresh.run("restore", str(tmp_path / "taken.tar"))
    assert not_a_backup.returncode == 2
    assert "is not a backup made by `commonshare backup`" in not_a_backup.stderr
    assert "Traceback" not in not_a_backup.stderr
    assert not fresh.folder.exists()  # nothing was made


def test_restoring_into_a_used_folder_is_refused_naming_it(live: Site, tmp_path: Path) -> None:
    made = live.run("backup", str(tmp_path / "b.tar"))
    assert made.returncode == 0, made.stderr
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    refused = Site(used, live.database_url).run("restore", str(tmp_path / "b.tar"))
    assert refused.returncode == 2
    assert f"The data folder {used} is not empty" in refused.stderr
    assert sorted(p.name for p in used.iterdir()) == ["notes.txt"]
    if live.database_url:  # and on PostgreSQL, a database that has tables
        refused_db = Site(tmp_path / "new", live.database_url).run(
            "restore", str(tmp_path / "b.tar")
        )
        assert refused_db.returncode == 2
        assert "already has tables: restore into a new, empty database" in refused_db.stderr
        assert list((tmp_path / "new").iterdir()) == []  # what was unpacked is taken back
