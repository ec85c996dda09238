"""``commonshare init``, ``serve``, ``demo``, ``backup`` and ``restore``: the site itself."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import click

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
    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
    # The shared cache (settings.CACHES) is a table too; it exists once, made here.
    call_command("createcachetable", verbosity=0)


def serve_forever(
    host: str, port: int, *, workers: int | None = None, threads: int = DEFAULT_THREADS
) -> None:
    """Serve the site under gunicorn until stopped: ``workers`` processes forked from this one
    (after Django is set up and the database migrated, so nothing is done twice), each with
    ``threads`` threads (gunicorn's gthread worker; its sync worker for one thread)."""
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
            return _with_worker_header_per_worker(application)

    # No connection may cross the fork: each worker opens its own.
    connections.close_all()
    click.echo(
        f"Serving Commonshare at http://{host}:{port}/ with {workers} worker "
        f"process{'es' if workers != 1 else ''} of {threads} thread{'s' if threads != 1 else ''}"
        "  (Ctrl+C to stop)"
    )
    Server().run()


def _with_worker_header_per_worker(application: Callable[..., Any]) -> Callable[..., Any]:
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
@with_django
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the web pages and the API under gunicorn (migrating first, once).

    Example: commonshare serve --port 8080 --workers 4 --threads 4
    """
    migrate(quiet=True)
    serve_forever(host, port, workers=workers, threads=threads)


@click.command()
@click.option("--reset", is_flag=True, help="Throw the demo data away and start over.")
@click.option("--no-serve", is_flag=True, help="Fill the database, then exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@_workers_option
@_threads_option
def demo(
    *, reset: bool, no_serve: bool, host: str, port: int, workers: int | None, threads: int
) -> None:
    """Fill a demo community (once) and serve it at http://127.0.0.1:8000.

    Running it again reuses the data; --reset starts over.
    """
    from commonshare import demo as demo_data

    if reset:
        demo_data.remove_sqlite_files()
    setup_django()
    migrate(quiet=True)
    if reset:
        demo_data.wipe_database()
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
