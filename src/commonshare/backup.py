"""``commonshare backup`` and ``restore``: a consistent copy of a running site, and a new
site made from one.

A backup is one tar file holding ``manifest.json`` (the database kind, the journal's head
and every table's row count as of the snapshot), the database (SQLite: a copy made by
SQLite's online backup API, which readers and writers may use meanwhile; PostgreSQL:
``pg_dump`` in its custom format, from the very snapshot the manifest was counted in),
the secret key and the uploaded files.

A restore goes into a new data folder only (an existing, non-empty one is refused) and,
for PostgreSQL, into an empty database; then it verifies the books and checks that the
journal's head and every count are those of the manifest.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commonshare.errors import InvalidInput

MANIFEST = "manifest.json"
SQLITE_MEMBER = "commonshare.sqlite3"
PG_MEMBER = "database.pgdump"
SECRET_MEMBER = "secret_key"  # noqa: S105 (the file's name in the backup)
MEDIA_MEMBER = "media"
FORMAT = 1
SQLITE_PAGES_PER_STEP = 2048  # the online backup copies this many pages, then lets writers in

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Snapshot:
    vendor: str
    head_seq: int
    head_hash: str
    counts: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "vendor": self.vendor,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "counts": self.counts,
        }


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="path")


# --- backup ------------------------------------------------------------------------------


def check_backup_path(path: Path) -> None:
    """Refuse, naming it, a path a backup cannot be written to."""
    if path.exists():
        raise _refuse(f"{path} exists already: name a new file for the backup.")
    if not path.parent.is_dir():
        raise _refuse(f"The folder {path.parent} does not exist: create it first.")
    if not os.access(path.parent, os.W_OK):
        raise _refuse(f"The folder {path.parent} cannot be written to.")


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    from django.conf import settings

    counts = {}
    # The cache is derived and rewritten at any time: it is saved, but not counted.
    for table in sorted(set(tables) - {settings.CACHE_TABLE}):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _journal_head(cursor: Any) -> tuple[int, str]:
    from commonshare.books.models import JournalEntry
    from commonshare.core.ledger import GENESIS_HASH

    table = JournalEntry._meta.db_table
    cursor.execute(f'SELECT seq, hash FROM "{table}" ORDER BY seq DESC LIMIT 1')  # noqa: S608
    row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def _sqlite_snapshot(source: str, target: Path, progress: Progress | None) -> Snapshot:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    with (
        contextlib.closing(sqlite3.connect(source, timeout=20)) as live,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy, pages=SQLITE_PAGES_PER_STEP, progress=step)
    # Counted in the copy itself, so the manifest describes exactly what was saved.
    with contextlib.closing(sqlite3.connect(target)) as copy:
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        seq, head_hash = _journal_head(cursor)
        return Snapshot("sqlite", seq, head_hash, _counts(cursor, tables))


def _pg_environment(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """pg_dump / pg_restore arguments naming the database, and the password in the
    environment (never on a command line others can read)."""
    args = ["--dbname", str(settings_dict["NAME"])]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InvalidInput(
            f"{name} was not found: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client).",
            field=None,
        )
    return found


def _pg_snapshot(target: Path) -> Snapshot:
    from django.db import connection

    pg_dump = _pg_tool("pg_dump")
    args, env = _pg_environment(connection.settings_dict)
    connection.ensure_connection()
    raw = connection.connection
    # One snapshot, exported to pg_dump: what it saves is what was counted here.
    with raw.transaction(), raw.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        seq, head_hash = _journal_head(cursor)
        tables = connection.introspection.table_names(cursor)
        counts = _counts(cursor, tables)
        dumped = subprocess.run(  # noqa: S603 (no shell; the arguments are ours)
            [pg_dump, *args, "--format=custom", f"--snapshot={snapshot_id}", "--file", str(target)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if dumped.returncode != 0:
        raise InvalidInput(f"pg_dump failed: {dumped.stderr.strip()}", field=None)
    return Snapshot("postgresql", seq, head_hash, counts)


def backup(path: Path, *, progress: Progress | None = None) -> Snapshot:
    """Write a backup of the running site to the new file ``path``."""
    from django.conf import settings
    from django.db import connection

    path = path.expanduser().absolute()
    check_backup_path(path)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".commonshare-backup-") as work:
        folder = Path(work)
        if connection.vendor == "sqlite":
            member = SQLITE_MEMBER
            snapshot = _sqlite_snapshot(
                str(connection.settings_dict["NAME"]), folder / member, progress
            )
        elif connection.vendor == "postgresql":
            member = PG_MEMBER
            snapshot = _pg_snapshot(folder / member)
        else:  # pragma: no cover - settings allow only these two
            raise InvalidInput(f"Cannot back up a {connection.vendor} database.", field=None)
        partial = folder / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(snapshot.as_json(), indent=2).encode())
            archive.add(folder / member, arcname=member)
            key_file = Path(settings.DATA_DIR) / SECRET_MEMBER
            if key_file.exists():
                archive.add(key_file, arcname=SECRET_MEMBER)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname=MEDIA_MEMBER)
        partial.replace(path)  # all or nothing: no half-written backup under the name
    return snapshot


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# --- restore -----------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the backup at ``path``; a clear refusal for anything else."""
    if not path.exists():
        raise _refuse(f"There is no file {path}.")
    if not path.is_file():
        raise _refuse(f"{path} is not a file: name a backup file made by `commonshare backup`.")
    try:
        with tarfile.open(path, "r") as archive:
            extracted = archive.extractfile(MANIFEST)
            manifest = json.loads(extracted.read()) if extracted else None
    except (tarfile.TarError, KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(f"{path} is not a backup made by `commonshare backup`.")
    return manifest


def check_new_folder(folder: Path) -> None:
    """A restore makes a new data folder: an existing one with anything in it is refused."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(
            f"The data folder {folder} is not empty: restore into a new folder "
            "(set COMMONSHARE_DATA_DIR to a path that does not exist yet).",
            field="COMMONSHARE_DATA_DIR",
        )


def empty_folder(folder: Path) -> None:
    """Take back what a refused restore unpacked into the (new, so empty) ``folder``."""
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def database_vendor_configured() -> str:
    """The kind of database this environment points at, without setting Django up."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite"
    engine = str(dj_database_url.parse(url)["ENGINE"])
    return "postgresql" if "postgresql" in engine else engine.rsplit(".", 1)[-1]


def unpack_files(path: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """The secret key, the uploads and (for SQLite) the database into the new ``folder``;
    run before Django is set up, which would make a new secret key otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r") as archive:
        wanted = [
            member
            for member in archive.getmembers()
            if member.name in {SECRET_MEMBER, SQLITE_MEMBER}
            or member.name == MEDIA_MEMBER
            or member.name.startswith(MEDIA_MEMBER + "/")
        ]
        if manifest["vendor"] != "sqlite":
            wanted = [member for member in wanted if member.name != SQLITE_MEMBER]
        archive.extractall(folder, members=wanted, filter="data")


@contextlib.contextmanager
def _extracted(path: Path, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="commonshare-restore-") as work:
        with tarfile.open(path, "r") as archive:
            archive.extractall(work, members=[archive.getmember(name)], filter="data")
        yield Path(work) / name


def restore_database(path: Path, manifest: dict[str, Any]) -> None:
    """For PostgreSQL: the dump into the configured database, which must hold no table."""
    from django.db import connection

    if manifest["vendor"] != "postgresql":
        return
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise InvalidInput(
            f"The database {connection.settings_dict['NAME']} already has tables: "
            "restore into a new, empty database.",
            field="DATABASE_URL",
        )
    connection.close()
    pg_restore = _pg_tool("pg_restore")
    args, env = _pg_environment(connection.settings_dict)
    with _extracted(path, PG_MEMBER) as dump:
        restored = subprocess.run(  # noqa: S603 (no shell; the arguments are ours)
            [pg_restore, *args, "--no-owner", "--no-privileges", "--exit-on-error", str(dump)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if restored.returncode != 0:
        raise InvalidInput(f"pg_restore failed: {restored.stderr.strip()}", field=None)


def check_restored(manifest: dict[str, Any]) -> list[str]:
    """What differs between the restored database and the manifest (nothing, normally),
    after the books verify; each problem a sentence."""
    from django.db import connection

    from commonshare.books import records

    report = records.verify_all(configured=False, workers=os.cpu_count() or 1)
    problems = [] if report.ok else list(report.lines)
    with connection.cursor() as cursor:
        seq, head_hash = _journal_head(cursor)
        counts = _counts(cursor, connection.introspection.table_names(cursor))
    if (seq, head_hash) != (manifest["head_seq"], manifest["head_hash"]):
        problems.append(
            f"The journal's head is {seq} {head_hash}; the backup had "
            f"{manifest['head_seq']} {manifest['head_hash']}."
        )
    for table, count in sorted(manifest["counts"].items()):
        if counts.get(table) != count:
            problems.append(
                f"The table {table} has {counts.get(table)} rows; the backup had {count}."
            )
    return problems
