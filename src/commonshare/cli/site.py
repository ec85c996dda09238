"""``commonshare init``, ``serve`` and ``demo``: the site itself."""

from __future__ import annotations

import click

from commonshare.clikit import setup_django, with_django
from commonshare.paths import data_dir


def migrate(*, quiet: bool = False) -> None:
    from django.core.management import call_command

    data_dir().mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def serve_forever(host: str, port: int) -> None:
    import waitress

    from commonshare.wsgi import application

    click.echo(f"Serving Commonshare at http://{host}:{port}/  (Ctrl+C to stop)")
    waitress.serve(application, host=host, port=port, threads=8, _quiet=True)


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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@with_django
def serve(host: str, port: int) -> None:
    """Serve the web pages and the API (migrating first).

    Example: commonshare serve --port 8080
    """
    migrate(quiet=True)
    serve_forever(host, port)


@click.command()
@click.option("--reset", is_flag=True, help="Throw the demo data away and start over.")
@click.option("--no-serve", is_flag=True, help="Fill the database, then exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
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
def demo(  # noqa: PLR0917 - click passes each option
    reset: bool, no_serve: bool, host: str, port: int, size: str, scale: float
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
        _generated_demo(size, scale, no_serve=no_serve, host=host, port=port)
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
        serve_forever(host, port)


def _generated_demo(size: str, scale: float, *, no_serve: bool, host: str, port: int) -> None:
    import time

    from commonshare import demo as demo_data
    from commonshare import demo_large
    from commonshare.community.models import Member

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
        serve_forever(host, port)
