"""``commonshare init``, ``serve``, ``demo``, ``backup`` and ``restore``: the site itself."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from commonshare import planner
from commonshare.clikit import setup_django, with_django
from commonshare.paths import data_dir

# Four threads per worker process: a request to Commonshare spends much of its time waiting
# on the database (PostgreSQL over the network, or SQLite's write lock), and a waiting thread
# lets the GIL go, so a few threads keep a core busy; beyond four they only queue on the GIL
# (docs/deploy.md). Processes, one per core, are what add computing.
DEFAULT_THREADS = 4
# Set only by tests: each answer then says which worker process gave it.
WORKER_HEADER_ENV = "COMMONSHARE_SERVE_WORKER_HEADER"


def default_workers() -> int:
    """One worker process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def migrate(*, quiet: bool = False) -> None:
    from django.core.management import call_command

    data_dir().mkdir(parents=True, exist_ok=True)
    # (the shared cache's table too: web/migrations/0001_shared_cache.py)
    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def start_background_worker() -> subprocess.Popen[bytes]:
    """``commonshare worker`` as a child process, with this process's settings; it stops
    by itself if this process dies without stopping it."""
    from commonshare.worker import PARENT_ENV

    env = dict(os.environ, **{PARENT_ENV: str(os.getpid())})
    return subprocess.Popen([sys.executable, "-m", "commonshare", "worker"], env=env)


def serve_forever(
    host: str,
    port: int,
    *,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
    background: bool = True,
) -> None:
    """Serve the site under gunicorn until stopped: ``workers`` processes forked from this one
    (after Django is set up and the database migrated, so nothing is done twice), each with
    ``threads`` threads (gunicorn's gthread worker; its sync worker for one thread).

    With ``background`` (the default), one ``commonshare worker`` runs beside it as a child
    process, sending mail, and stops with it; a site that runs its own workers turns it
    off (``--no-worker``)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    workers = workers or default_workers()
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        # Loaded here, before the fork: the workers share the loaded code and start at once.
        "preload_app": True,
        # A worker that says nothing for two minutes is replaced (a first valuation may
        # compile its loops for a while); on stop, requests get ten seconds to finish.
        "timeout": 120,
        "graceful_timeout": 10,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "commonshare",
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Any]:
            from commonshare.wsgi import application

            if os.environ.get(WORKER_HEADER_ENV) != "1":
                return application
            return _with_worker_header(application)

    # No connection may cross the fork: each worker opens its own.
    connections.close_all()
    click.echo(
        f"Serving Commonshare at http://{host}:{port}/ with {workers} worker "
        f"process{'es' if workers != 1 else ''} of {threads} thread{'s' if threads != 1 else ''}"
        "  (Ctrl+C to stop)"
    )
    child = start_background_worker() if background else None
    try:
        Server().run()
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _with_worker_header(application: Callable[..., Any]) -> Callable[..., Any]:
    """The header names the process answering (the app is loaded before the fork, so the
    process id is read per request, not once)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            return start_response(
                status, [*headers, ("X-Commonshare-Worker", str(os.getpid()))], *rest
            )

        return application(environ, start)  # type: ignore[no-any-return]

    return wrapped


@click.command()
@click.option(
    "--steward",
    "stewards",
    multiple=True,
    metavar="EMAIL",
    help="A steward of the new community (repeatable); the address may join later.",
)
@with_django
def init(stewards: tuple[str, ...]) -> None:
    """Create the data folder and database, or bring its tables up to date.

    Example: COMMONSHARE_DATA_DIR=/srv/commons commonshare init --steward ada@example.org
    """
    migrate()
    from django.db import connection

    click.echo(f"Data folder: {data_dir()}")
    click.echo(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    if stewards:
        from commonshare.work.steward_services import name_stewards

        named = name_stewards(stewards)
        click.echo(
            "Stewards named: " + ", ".join(s.email for s in named)
            if named
            else "Those stewards were named already."
        )


_workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core).",
)
_no_worker_option = click.option(
    "--no-worker",
    is_flag=True,
    help="Start no background worker (run `commonshare worker` yourself, once or more).",
)
_threads_option = click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=DEFAULT_THREADS,
    show_default=True,
    help="Threads in each worker process.",
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@_workers_option
@_threads_option
@_no_worker_option
@with_django
def serve(host: str, port: int, workers: int | None, threads: int, no_worker: bool) -> None:
    """Serve the web pages and the API under gunicorn (migrating first, once), with one
    background worker beside it that sends the mail.

    Example: commonshare serve --port 8080 --workers 4 --threads 4
    """
    migrate(quiet=True)
    planner.refresh()
    serve_forever(host, port, workers=workers, threads=threads, background=not no_worker)


@click.command()
@click.option("--once", is_flag=True, help="Run the sweep, send what is queued, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds to wait when nothing is queued.",
)
@with_django
def worker(once: bool, interval: float) -> None:
    """Run the background queue: notification mail, trust-level changes, daily digests,
    and the sweep each minute (PERIODIC_JOBS in commonshare/worker.py). Run one or more
    beside `serve --no-worker`; `serve` and `demo` start one themselves.

    Example: commonshare worker
    """
    from commonshare import worker as background

    if once:
        ran = background.run_once()
        click.echo(f"Ran {ran} task{'' if ran == 1 else 's'}.")
        return
    click.echo("Worker running (Ctrl+C to stop).")
    try:
        background.run(interval=interval)
    except KeyboardInterrupt:
        click.echo("Worker stopped.")


@click.command()
@click.option("--reset", is_flag=True, help="Throw the demo data away and start over.")
@click.option("--no-serve", is_flag=True, help="Fill the database, then exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@_workers_option
@_threads_option
@click.option(
    "--size",
    type=click.Choice(["small", "medium", "large"]),
    default="small",
    show_default=True,
    help="small: the nine-member story; medium and large: generated communities "
    "(large: 10,000 members, 200,000 contributions, 1,000,000 reviews and journal entries).",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.0001, max=1.0),
    default=1.0,
    show_default=True,
    help="With --size medium or large: a fraction of every count (the 24 months kept).",
)
def demo(
    *,
    reset: bool,
    no_serve: bool,
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    size: str,
    scale: float,
) -> None:
    """Fill a demo community (once) and serve it at http://127.0.0.1:8000.

    Running it again reuses the data; --reset starts over.

    Example: commonshare demo --reset --no-serve --size large
    """
    from commonshare import demo as demo_data

    if reset:
        demo_data.remove_sqlite_files()
    setup_django()
    migrate(quiet=True)
    if reset:
        demo_data.wipe_database()
    if size != "small":
        _generated_demo(
            size, scale, no_serve=no_serve, host=host, port=port, workers=workers, threads=threads
        )
        return
    # Only the demo command's own process: a test or a server that fills the demo
    # keeps the compiled loops for everything it values afterwards.
    demo_data.run_valuation_as_plain_python()
    created = demo_data.ensure_demo_community()
    click.echo(f"Data folder: {data_dir()}")
    click.echo("Demo community " + ("created." if created else "already there; reusing it."))
    click.echo(f"Sign in as any of these (password: {demo_data.DEMO_PASSWORD}):")
    for email, name in demo_data.demo_logins():
        click.echo(f"  {email:<28} {name}")
    if not no_serve:
        serve_forever(host, port, workers=workers, threads=threads)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@with_django
def backup(path: Path) -> None:
    """Save a consistent copy of the site (database, secret key, uploads) to the new file
    PATH, while it goes on serving.

    Example: commonshare backup /var/backups/commons-2026-12-01.tar
    """
    from commonshare import backup as backups

    backups.check_backup_path(path.expanduser().absolute())
    with click.progressbar(length=1, label="Copying the database", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        snapshot = backups.backup(path, progress=progress)
        bar.update(max((bar.length or 1) - bar.pos, 0))
    click.echo(
        f"Backed up to {path}: {snapshot.vendor}, journal head {snapshot.head_seq} "
        f"{snapshot.head_hash}, {sum(snapshot.counts.values())} rows in "
        f"{len(snapshot.counts)} tables."
    )


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
def restore(path: Path) -> None:
    """Make a new site from the backup PATH in the data folder $COMMONSHARE_DATA_DIR, which
    must not exist yet or be empty (and, with $DATABASE_URL, an empty PostgreSQL database);
    then verify the books and check the journal's head and counts against the backup.

    Example: COMMONSHARE_DATA_DIR=/srv/commons-restored commonshare restore commons.tar
    """
    from commonshare import backup as backups
    from commonshare.errors import CommonshareError, InvalidInput

    folder = data_dir()
    unpacked = False
    try:
        manifest = backups.read_manifest(path)
        backups.check_new_folder(folder)
        configured = backups.database_vendor_configured()
        if configured != manifest["vendor"]:
            raise InvalidInput(
                f"The backup holds a {manifest['vendor']} database but DATABASE_URL points at "
                f"{configured}: restore a backup into a database of its own kind.",
                field="DATABASE_URL",
            )
        backups.unpack_files(path, folder, manifest)
        unpacked = True
        setup_django()
        click.echo(f"Restoring into {folder} …", err=True)
        backups.restore_database(path, manifest)
        with click.progressbar(length=1, label="Verifying the books", file=sys.stderr) as bar:
            problems = backups.check_restored(manifest)
            bar.update(1)
    except CommonshareError as error:
        if unpacked:  # leave the folder as it was found: empty, or not there
            backups.empty_folder(folder)
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    for problem in problems:
        click.echo(f"problem: {problem}")
    if problems:
        sys.exit(1)
    click.echo(
        f"Restored into {folder}: the books verify, journal head {manifest['head_seq']} "
        f"{manifest['head_hash']}, every table's count as backed up."
    )


def _generated_demo(
    size: str,
    scale: float,
    *,
    no_serve: bool,
    host: str,
    port: int,
    workers: int | None,
    threads: int,
) -> None:
    import time

    from commonshare import demo as demo_data
    from commonshare import demo_large
    from commonshare.community.models import Member

    if demo_large.unfinished():
        raise click.ClickException(
            "The database holds a generated community whose generation was stopped before "
            "it finished; run the same command with --reset to build it again."
        )
    if Member.objects.exists():
        click.echo("The database already has a community; reusing it (--reset starts over).")
    else:
        started = time.monotonic()
        counts = demo_large.generate(demo_large.SIZES[size].scaled(scale))
        click.echo(f"Generated in {time.monotonic() - started:.0f} s:")
        for name, number in counts.items():
            click.echo(f"  {number:>10,} {name}")
    click.echo(f"Data folder: {data_dir()}")
    click.echo(
        f"Every member signs in with the password {demo_data.DEMO_PASSWORD}, "
        "for instance " + demo_large.first_login()
    )
    if not no_serve:
        serve_forever(host, port, workers=workers, threads=threads)
