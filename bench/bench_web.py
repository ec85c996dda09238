"""Load benchmark of the web pages and the API, against a bare Django yardstick.

    python bench/bench_web.py [--size large] [--scale 1.0] [--database sqlite|postgres]
        [--workers 2] [--threads 4] [--clients 16] [--seconds 5] [--rounds 3]
        [--data-dir DIR] [--port 18431] [--kind KIND ...]

Builds (or reuses) a generated community (``commonshare demo --size``), starts the app
with ``commonshare serve`` and, with the same gunicorn settings, a bare Django project
rendering a 50-item template (``bench/yardstick``). Then, with ``hey`` as the load
generator, ``--rounds`` times:

1. each page kind alone at ``--clients`` clients, each run followed by a yardstick run
   (page, yardstick, page, ...), so both see the same machine;
2. a mixed run: anonymous and signed-in browsing of every page kind and writes through
   the API with tokens (log a contribution, review, vote, claim a task), all at once, and
   the yardstick right after at the same number of clients;

and then every write that got a 2xx is looked up in the database.

Prints throughput, p50/p95/p99 and errors per page kind and overall, each as a ratio to
the yardstick (median and best over the rounds), and PASS or FAIL per target of issue 11;
exits 1 when one fails. Run on demand, never in the tests. ``--database postgres`` reads
``DATABASE_URL``, or starts its own PostgreSQL cluster (as root) when it is not set.
Results: docs/performance.md.
"""

# Django is set up inside prepare(), so its imports come after; the commands run are ours.
# ruff: noqa: PLC0415, S603

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
PYTHON = sys.executable
APP_PORT, YARDSTICK_PORT = 18431, 18432
P99_LIMIT_MS = 100.0


# --- servers --------------------------------------------------------------------------


def start_server(
    command: list[str], *, port: int, env: dict[str, str], cwd: Path
) -> subprocess.Popen[bytes]:
    """Start a server with ``command`` and wait until it answers ``GET /`` on ``port``."""
    process = subprocess.Popen(command, env=env, cwd=cwd)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/")
            connection.getresponse().read()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(
                    f"{command[:4]} exited at start (code {process.returncode})"
                ) from None
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"{command[:4]} did not answer on port {port} within 180 s")


def app_command(*, port: int, workers: int, threads: int) -> list[str]:
    """``commonshare serve``: gunicorn, its gthread worker, the app loaded before the fork."""
    return [
        PYTHON, "-m", "commonshare", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--threads", str(threads),
    ]  # fmt: skip


def yardstick_command(*, port: int, workers: int, threads: int) -> list[str]:
    """The yardstick under gunicorn with the settings ``commonshare serve`` gives itself."""
    return [
        PYTHON, "-m", "gunicorn", "yardstick.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--preload",
        "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# --- measuring ------------------------------------------------------------------------


@dataclass
class Sample:
    """One page kind's requests: latencies (ms), statuses, wall seconds."""

    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for status in self.statuses if not 200 <= status < 400)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def merged(self, other: Sample, name: str) -> Sample:
        return Sample(
            name,
            self.latencies + other.latencies,
            self.statuses + other.statuses,
            max(self.seconds, other.seconds),
        )


def hey(
    name: str, url: str, *, clients: int, seconds: float, headers: Sequence[str] = ()
) -> Sample:
    """Run ``hey`` against ``url`` for ``seconds``; every request's time and status."""
    command = ["hey", "-z", f"{seconds}s", "-c", str(clients), "-t", "60", "-o", "csv"]
    for header in headers:
        command += ["-H", header]
    started = time.monotonic()
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    sample = Sample(name, seconds=max(time.monotonic() - started, seconds))
    sample.seconds = seconds
    for row in csv.DictReader(io.StringIO(done.stdout)):
        sample.latencies.append(float(row["response-time"]) * 1000)
        sample.statuses.append(int(row["status-code"]))
    return sample


# --- writes (distinct requests each, so a Python client rather than hey) ----------------


@dataclass
class Writes:
    """Write requests to send, each once; who got a 2xx, to look up afterwards."""

    contributions: list[tuple[str, str]]  # (token, summary)
    reviews: list[tuple[str, tuple[int, int]]]  # (token, (contribution id, reviewer id))
    votes: list[tuple[str, tuple[int, int]]]  # (token, (member id, proposal number))
    claims: list[tuple[str, int]]  # (token, task id)
    done: dict[str, list[object]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_request(self, turn: int) -> tuple[str, str, str, dict[str, object], object] | None:
        """(kind, token, path, body, key) for the turn-th write, rotating the kinds."""
        with self.lock:
            order = [
                ("log a contribution", self.contributions),
                ("review", self.reviews),
                ("vote", self.votes),
                ("claim a task", self.claims),
            ]
            for step in range(len(order)):
                kind, queue = order[(turn + step) % len(order)]
                if queue:
                    return self._request(kind, queue.pop())
            return None

    @staticmethod
    def _request(
        kind: str, item: tuple[str, object]
    ) -> tuple[str, str, str, dict[str, object], object]:
        token, key = item
        if kind == "log a contribution":
            body: dict[str, object] = {
                "kind": "work",
                "summary": str(key),
                "hours": "1.5",
                "evidence_url": "https://git.example.org/commons/pull/1",
            }
            return kind, token, "/api/contributions", body, key
        if kind == "review":
            body = {"version": 1, "rating": 4, "comment": "Good work; checked it."}
            contribution, _ = key  # type: ignore[misc]
            return kind, token, f"/api/contributions/{contribution}/reviews", body, key
        if kind == "vote":
            _, number = key  # type: ignore[misc]
            return (
                kind,
                token,
                f"/api/decisions/{number}/ballot",
                {"ballot": {"choice": "for"}},
                key,
            )
        return kind, token, f"/api/tasks/{key}/claim", {}, key


def write_clients(writes: Writes, *, port: int, clients: int, seconds: float) -> list[Sample]:
    samples: dict[str, Sample] = {}
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < stop_at:
            request = writes.next_request(next(counter))
            if request is None:
                return
            kind, token, path, body, key = request
            started = time.monotonic()
            try:
                connection.request(
                    "POST",
                    path,
                    body=json.dumps(body),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status = 599
            elapsed = (time.monotonic() - started) * 1000
            with writes.lock:
                sample = samples.setdefault(kind, Sample(kind, seconds=seconds))
                sample.latencies.append(elapsed)
                sample.statuses.append(status)
                if 200 <= status < 300:
                    writes.done.setdefault(kind, []).append(key)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return list(samples.values())


# --- the community --------------------------------------------------------------------


@dataclass
class Setup:
    pages: list[tuple[str, str]]  # (kind, path), anonymous
    signed_in: list[tuple[str, str]]
    cookie: str
    writes: Writes


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, "COMMONSHARE_DATA_DIR": str(args.data_dir)}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(HERE), env.get("PYTHONPATH", "")])
    env["DJANGO_SETTINGS_MODULE"] = "commonshare.settings"
    if args.database == "sqlite":
        env.pop("DATABASE_URL", None)
    elif not env.get("DATABASE_URL"):
        raise SystemExit("--database postgresql needs DATABASE_URL")
    return env


def ensure_community(args: argparse.Namespace, env: dict[str, str]) -> None:
    command = [PYTHON, "-m", "commonshare", "demo", "--no-serve", "--size", args.size]
    if args.scale != 1.0:
        command += ["--scale", str(args.scale)]
    subprocess.run(command, env=env, check=True)


def prepare(args: argparse.Namespace, env: dict[str, str]) -> Setup:  # noqa: PLR0915 - one setup
    """Tokens, a signed-in session, an open proposal and the ids to browse and write."""
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    sys.path[:0] = [str(SRC)]
    import django

    django.setup()
    from commonshare.books.models import Distribution, JournalEntry
    from commonshare.community.models import ApiToken, Member
    from commonshare.community.services import create_token
    from commonshare.decisions import services as decisions
    from commonshare.decisions.models import Proposal
    from commonshare.work.models import Contribution, Review, ReviewAssignment, Task

    founder = Member.objects.order_by("joined_at", "pk").first()
    if founder is None:
        raise SystemExit("no community in the database")
    busiest = list(
        Contribution.objects.values_list("author_id", flat=True).order_by("-created_at")[:2000]
    )
    writers = list(dict.fromkeys(busiest))[: args.clients]
    pending = [
        (contribution, reviewer)
        for contribution, reviewer in ReviewAssignment.objects.order_by(
            "-contribution_id"
        ).values_list("contribution_id", "reviewer_id")[:3000]
        if not Review.objects.filter(contribution_id=contribution, reviewer_id=reviewer).exists()
    ][:600]
    tokens: dict[int, str] = {}

    def token(member_id: int) -> str:
        if member_id not in tokens:
            member = Member.objects.get(pk=member_id)
            tokens[member_id] = create_token(
                member, name=f"bench {dt.datetime.now(dt.UTC):%Y-%m-%d}"
            )[1]
        return tokens[member_id]

    stamp = time.strftime("%H%M%S")
    contributions = [
        (token(writers[i % len(writers)]), f"Bench write {stamp} {i}") for i in range(400)
    ]
    reviews = [(token(reviewer), (contribution, reviewer)) for contribution, reviewer in pending]
    proposal = Proposal.objects.filter(title__startswith="Bench:").order_by("-number").first()
    if proposal is None or proposal.closes_at < dt.datetime.now(dt.UTC):
        proposal = decisions.propose(
            founder,
            title=f"Bench: keep the office plants ({stamp})",
            body="A proposal for the load benchmark to vote on.",
            kind="other",
            method="majority",
            voting_days=7,
        )
    voters = list(
        Member.objects.filter(email_verified_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    from commonshare.decisions.selectors import has_voted, may_vote

    may = [
        m
        for m in Member.objects.filter(pk__in=voters).order_by("pk")
        if may_vote(m, proposal) is None and not has_voted(m, proposal)
    ]
    votes = [(token(m.pk), (m.pk, proposal.number)) for m in may[:60]]
    open_tasks = list(
        Task.objects.filter(status=Task.Status.OPEN, parent__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    if len(open_tasks) < 40:  # a community whose every task is taken: add some to claim
        from commonshare.work.services import create_task

        open_tasks += [
            create_task(founder, title=f"Bench task {stamp} {i}", estimate_hours="2").pk
            for i in range(40 * args.rounds)
        ]
    claims = [(token(writers[i % len(writers)]), pk) for i, pk in enumerate(open_tasks)]
    del ApiToken
    settle_queue()
    task = Task.objects.order_by("-pk").values_list("pk", flat=True).first()
    contribution = Contribution.objects.order_by("-pk").values_list("pk", flat=True).first()
    member = Member.objects.order_by("-pk").values_list("pk", flat=True).first()
    seq = JournalEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    distribution = Distribution.objects.order_by("-pk").values_list("pk", flat=True).first()
    from commonshare.discussion.models import Thread

    talked = Thread.objects.order_by("-comment_count", "pk")
    topic = talked.filter(subject_type="").values_list("pk", flat=True).first()
    discussed = talked.filter(subject_type="work.task").values_list("subject_id", flat=True)
    thread = discussed.first() or task
    pages = [
        ("home", "/"),
        ("task list", "/tasks/"),
        ("task", f"/tasks/{task}/"),
        ("contribution list", "/contributions/"),
        ("contribution", f"/contributions/{contribution}/"),
        ("member list", "/members/"),
        ("member", f"/members/{member}/"),
        ("books", "/books/"),
        ("journal", "/books/entries/"),
        ("journal entry", f"/books/entries/{seq}/"),
        ("distribution list", "/books/distributions/"),
        ("distribution", f"/books/distributions/{distribution}/"),
        ("income list", "/books/income/"),
        ("decision list", "/decisions/"),
        ("policy", "/policy/"),
        ("thread (a task's)", f"/tasks/{thread}/"),
        ("forum", "/commons/"),
        *([("forum topic", f"/commons/{topic}/")] if topic else []),
        ("search", "/search/?q=review+notes"),
        ("API: tasks", "/api/tasks"),
        ("API: contributions", "/api/contributions"),
        ("API: journal head", "/api/books/head"),
        ("API: search", "/api/search?q=review+notes"),
    ]
    signed_in = [
        ("signed in: home", "/"),
        ("signed in: my page", "/me/"),
        ("signed in: reviews", "/reviews/"),
        ("signed in: notifications", "/notifications/"),
    ]
    from commonshare.demo import DEMO_PASSWORD

    cookie = ""
    if writers:
        email = Member.objects.get(pk=writers[0]).email
        cookie = login(email, DEMO_PASSWORD, port=APP_PORT)
    return Setup(pages, signed_in, cookie, Writes(contributions, reviews, votes, claims))


def settle_queue(limit: float = 900) -> None:
    """Wait until the server's worker has sent the mail the set-up caused (a new proposal
    tells every member who may vote): thousands of mails at the large size, which would
    otherwise be sent during the first rounds and load the machine the rounds measure."""
    from django_tasks_db.models import DBTaskResult

    started = time.monotonic()
    while (waiting := DBTaskResult.objects.ready().count()) and time.monotonic() - started < limit:
        print(f"  waiting for the worker to send {waiting} queued mails", flush=True)
        time.sleep(10)


def login(email: str, password: str, *, port: int) -> str:
    """Sign in through the log-in form; the Cookie header of the session."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = response.getheader("Set-Cookie", "").split("csrftoken=")[1].split(";")[0]
    middleware = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = urllib.parse.urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": middleware}
    )
    connection.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    session = [c for c in cookies if c.startswith("sessionid=")]
    if not session:
        raise SystemExit(f"signing in as {email} failed (status {response.status})")
    return "; ".join([f"csrftoken={csrf}", *session])


def check_writes(writes: Writes) -> list[tuple[str, int, int]]:
    """(kind, 2xx answers, found in the database) for each write kind."""
    from commonshare.decisions.models import Ballot
    from commonshare.work.models import Contribution, Review, Task

    found: list[tuple[str, int, int]] = []
    done = writes.done
    summaries = done.get("log a contribution", [])
    found.append(
        ("log a contribution", len(summaries),
         Contribution.objects.filter(summary__in=summaries).count())
    )  # fmt: skip
    reviewed = done.get("review", [])
    found.append(
        (
            "review",
            len(reviewed),
            sum(
                Review.objects.filter(contribution_id=c, reviewer_id=r).exists()
                for c, r in reviewed  # type: ignore[misc]
            ),
        )
    )
    claimed = done.get("claim a task", [])
    found.append(
        (
            "claim a task",
            len(claimed),
            Task.objects.filter(pk__in=claimed).exclude(claimed_by=None).count(),
        )
    )
    voted = done.get("vote", [])
    ballots = sum(
        Ballot.objects.filter(proposal__number=number, voter_id=member).exists()
        for member, number in voted  # type: ignore[misc]
    )
    found.append(("vote", len(voted), ballots))
    return found


# --- the run --------------------------------------------------------------------------


def ratio(value: float, yardstick: float) -> str:
    return f"{value / yardstick:.2f}x" if yardstick else "-"


def table(rows: list[tuple[Sample, Sample]]) -> str:
    head = (
        "| page kind | req/s | × yardstick | p50 ms | p95 ms | p99 ms | p99 × yardstick "
        "| errors |\n|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for page, yard in rows:
        lines.append(
            f"| {page.name} | {page.rps:.1f} | {ratio(page.rps, yard.rps)} | {page.pct(0.5):.0f} "
            f"| {page.pct(0.95):.0f} | {page.pct(0.99):.0f} "
            f"| {ratio(page.pct(0.99), yard.pct(0.99))} "
            f"| {page.errors} of {page.count} |"
        )
    return "\n".join(lines)


def start_postgres() -> tuple[str, Callable[[], None]]:
    """A private PostgreSQL cluster on loopback (as root, Debian's packages); its URL and
    how to stop it."""
    import tempfile

    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        raise SystemExit("PostgreSQL is not installed: apt-get install -y postgresql")
    pgbin, port = bins[-1], "54391"
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    db = folder / "db"
    subprocess.run([*as_pg, str(pgbin / "initdb"), "-D", str(db), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, cwd="/", capture_output=True)  # fmt: skip
    subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(db), "-l", str(folder / "pg.log"),
                    "-w", "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
                    "-c fsync=off -c max_connections=200", "start"],
                   check=True, cwd="/", capture_output=True)  # fmt: skip
    subprocess.run([*as_pg, str(pgbin / "psql"), "-h", "127.0.0.1", "-p", port, "-U", "postgres",
                    "-c", "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB",
                    "-c", "CREATE DATABASE app OWNER app"],
                   check=True, cwd="/", capture_output=True)  # fmt: skip

    def halt() -> None:
        subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(db), "-m", "fast", "stop"],
                       check=False, cwd="/", capture_output=True)  # fmt: skip

    return f"postgresql://app:app@127.0.0.1:{port}/app", halt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=["small", "medium", "large"], default="large")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "postgresql"], default="sqlite"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (best, median)")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--port", type=int, default=18431, help="the app's port; the yardstick's is the next"
    )
    parser.add_argument(
        "--kind", dest="kinds", action="append", help="only this page kind alone (repeatable)"
    )
    args = parser.parse_args(argv)
    global APP_PORT, YARDSTICK_PORT
    APP_PORT, YARDSTICK_PORT = args.port, args.port + 1
    if args.database == "postgresql":
        args.database = "postgres"
    if shutil.which("hey") is None:
        raise SystemExit("hey is not installed: apt-get install -y hey")
    if args.data_dir is None:
        args.data_dir = Path(f"/tmp/commonshare-bench-{args.size}-{args.database}")  # noqa: S108
    halt: Callable[[], None] = lambda: None  # noqa: E731
    if args.database == "postgres" and not os.environ.get("DATABASE_URL"):
        url, halt = start_postgres()
        os.environ["DATABASE_URL"] = url
        print(f"Started a private PostgreSQL: {url}", flush=True)
    try:
        env = environment(args)
        ensure_community(args, env)
        servers = [
            start_server(app_command(port=APP_PORT, workers=args.workers, threads=args.threads),
                         port=APP_PORT, env=env, cwd=SRC),
            start_server(
                yardstick_command(port=YARDSTICK_PORT, workers=args.workers,
                                  threads=args.threads),
                port=YARDSTICK_PORT, env={**env, "DJANGO_SETTINGS_MODULE": "yardstick.settings"},
                cwd=HERE),
        ]  # fmt: skip
        try:
            return run(args, env)
        finally:
            for server in servers:
                stop(server)
    finally:
        halt()


@dataclass
class Round:
    solo: list[tuple[Sample, Sample]]
    parts: list[Sample]
    mixed: Sample
    mixed_yard: Sample


def run(args: argparse.Namespace, env: dict[str, str]) -> int:
    setup = prepare(args, env)
    base = f"http://127.0.0.1:{APP_PORT}"
    yardstick_url = f"http://127.0.0.1:{YARDSTICK_PORT}/"

    def measure(name: str, url: str, headers: Sequence[str] = ()) -> Sample:
        return hey(name, url, clients=args.clients, seconds=args.seconds, headers=headers)

    # warm both: every worker process loads its templates and opens its connection
    hey("warm-up", yardstick_url, clients=args.clients, seconds=2)
    chosen = [(kind, path, ()) for kind, path in setup.pages] + [
        (kind, path, (f"Cookie: {setup.cookie}",)) for kind, path in setup.signed_in
    ]
    if args.kinds:
        chosen = [row for row in chosen if row[0] in args.kinds]
    for _kind, path, headers in chosen:
        hey("warm-up", base + path, clients=args.workers * args.threads, seconds=1,
            headers=headers)  # fmt: skip
    rounds: list[Round] = []
    for number in range(1, args.rounds + 1):
        print(f"Round {number} of {args.rounds}", flush=True)
        solo: list[tuple[Sample, Sample]] = []
        for kind, path, headers in chosen:
            solo.append((measure(kind, base + path, headers), measure("yardstick", yardstick_url)))
            page, yard = solo[-1]
            print(
                f"  {kind}: {page.rps:.1f} req/s, p99 {page.pct(0.99):.0f} ms, {page.errors} "
                f"errors (yardstick {yard.rps:.1f} req/s, p99 {yard.pct(0.99):.0f} ms)",
                flush=True,
            )
        parts, mixed = mixed_run(args, setup, base)
        mixed_yard = hey("yardstick", yardstick_url, clients=args.clients, seconds=args.seconds * 2)
        for part in parts:
            if part.errors:
                wrong = sorted({s for s in part.statuses if not 200 <= s < 400})
                print(f"  mixed, {part.name}: {part.errors} errors, statuses {wrong}", flush=True)
        print(
            f"  mixed: {mixed.rps:.1f} req/s, p99 {mixed.pct(0.99):.0f} ms, {mixed.errors} errors"
            f" (yardstick {mixed_yard.rps:.1f} req/s, p99 {mixed_yard.pct(0.99):.0f} ms)",
            flush=True,
        )
        rounds.append(Round(solo, parts, mixed, mixed_yard))
    written = check_writes(setup.writes)
    return report(args, rounds, written)


def mixed_run(args: argparse.Namespace, setup: Setup, base: str) -> tuple[list[Sample], Sample]:
    """Browsing (anonymous and signed in, every page kind) and writes, all at once, at
    ``--clients`` clients in all: two writing, the others spread over the page kinds."""
    browsing = [(kind, path, ()) for kind, path in setup.pages] + [
        (kind, path, (f"Cookie: {setup.cookie}",)) for kind, path in setup.signed_in
    ]
    writers = 2
    readers = max(1, args.clients - writers)
    # hey needs a client per run: the kinds take turns in groups of ``readers``
    seconds = args.seconds * 2
    results: list[Sample] = []
    lock = threading.Lock()
    groups = [browsing[i : i + readers] for i in range(0, len(browsing), readers)]
    slot = seconds / len(groups)

    def browse(kind: str, path: str, headers: Sequence[str]) -> None:
        sample = hey(kind, base + path, clients=1, seconds=slot, headers=headers)
        with lock:
            results.append(sample)

    def browsing_all() -> None:
        for group in groups:
            threads = [threading.Thread(target=browse, args=row) for row in group]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    reader = threading.Thread(target=browsing_all)
    reader.start()
    write_samples = write_clients(setup.writes, port=APP_PORT, clients=writers, seconds=seconds)
    reader.join()
    parts = sorted(results, key=lambda s: s.name) + write_samples
    mixed = Sample("mixed, all kinds", seconds=seconds)
    for sample in parts:
        mixed = mixed.merged(sample, "mixed, all kinds")
    mixed.seconds = seconds
    return parts, mixed


def _spread(values: list[float]) -> str:
    """``median (best)`` of several rounds' values; best is the smallest."""
    return f"{statistics.median(values):.2f}x ({min(values):.2f}x)"


def report(
    args: argparse.Namespace, rounds: list[Round], written: list[tuple[str, int, int]]
) -> int:
    print(
        f"\n{args.size} community (scale {args.scale}), {args.database}, commonshare serve "
        f"{args.workers} workers × {args.threads} threads, {args.clients} clients, "
        f"{args.seconds:g} s a run, {len(rounds)} alternating rounds, "
        f"{time.strftime('%Y-%m-%d %H:%M')} UTC, load {os.getloadavg()[0]:.1f}\n"
    )
    last = rounds[-1]
    print("Last round, each page kind alone against the yardstick run right after it:\n")
    print(table(last.solo))
    print("\nLast round, mixed (browsing and writes at once) against the yardstick:\n")
    print(table([(part, last.mixed_yard) for part in last.parts] + [(last.mixed, last.mixed_yard)]))

    names = [page.name for page, _ in last.solo]
    print(
        "\nOver the rounds, median (best):\n\n"
        "| page kind | req/s × yardstick | p99 ms | p99 × yardstick | errors |\n"
        "|---|---|---|---|---|"
    )
    worst_ratio, worst_ms = 0.0, 0.0
    for index, name in enumerate(names):
        pairs = [r.solo[index] for r in rounds]
        throughput = [p.rps / y.rps for p, y in pairs]
        p99 = [p.pct(0.99) for p, _ in pairs]
        p99_ratio = [p.pct(0.99) / max(y.pct(0.99), 1e-9) for p, y in pairs]
        worst_ratio = max(worst_ratio, statistics.median(p99_ratio))
        worst_ms = max(worst_ms, statistics.median(p99))
        print(
            f"| {name} | {statistics.median(throughput):.2f}x ({max(throughput):.2f}x) "
            f"| {statistics.median(p99):.0f} ({min(p99):.0f}) | {_spread(p99_ratio)} "
            f"| {sum(p.errors for p, _ in pairs)} of {sum(p.count for p, _ in pairs)} |"
        )
    mixed_ratio = [r.mixed.rps / r.mixed_yard.rps for r in rounds]
    mixed_p99 = [r.mixed.pct(0.99) for r in rounds]
    print(
        f"| mixed, all kinds | {statistics.median(mixed_ratio):.2f}x ({max(mixed_ratio):.2f}x) "
        f"| {statistics.median(mixed_p99):.0f} ({min(mixed_p99):.0f}) "
        f"| {_spread([r.mixed.pct(0.99) / r.mixed_yard.pct(0.99) for r in rounds])} "
        f"| {sum(r.mixed.errors for r in rounds)} of {sum(r.mixed.count for r in rounds)} |"
    )
    yard_rps = [y.rps for r in rounds for _, y in r.solo]
    yard_p99 = [y.pct(0.99) for r in rounds for _, y in r.solo]
    print(
        f"\nyardstick alone: median {statistics.median(yard_rps):.1f} req/s "
        f"(best {max(yard_rps):.1f}), p99 median {statistics.median(yard_p99):.0f} ms "
        f"(best {min(yard_p99):.0f})"
    )
    print("\nWrites found afterwards:\n\n| write | 2xx | found |\n|---|---|---|")
    for kind, answered, found in written:
        print(f"| {kind} | {answered} | {found} |")
    errors = sum(p.errors for r in rounds for p, _ in r.solo) + sum(r.mixed.errors for r in rounds)
    targets = [
        ("mixed throughput ≥ 0.5× yardstick", statistics.median(mixed_ratio) >= 0.5,
         f"median {statistics.median(mixed_ratio):.2f}x, best {max(mixed_ratio):.2f}x"),
        ("every page kind's p99 ≤ 2× yardstick p99", worst_ratio <= 2,
         f"worst median {worst_ratio:.2f}x"),
        (f"every page kind's p99 ≤ {P99_LIMIT_MS:.0f} ms at {args.clients} clients",
         worst_ms <= P99_LIMIT_MS, f"worst median {worst_ms:.0f} ms"),
        ("0 errors", errors == 0, f"{errors} errors"),
        ("every 2xx write found", all(a == f for _, a, f in written),
         ", ".join(f"{k} {f}/{a}" for k, a, f in written)),
    ]  # fmt: skip
    print("\nTargets (on the medians):\n")
    for name, ok, detail in targets:
        print(f"- {'PASS' if ok else 'FAIL'}: {name} ({detail})")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
