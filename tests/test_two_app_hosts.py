"""Two app hosts on one PostgreSQL: simultaneous writes at both, exactly one wins, nothing
doubles; and nginx in front of both, as docs/deploy.md configures it.

Each "host" is a real ``commonshare serve`` process on its own port, both on a scratch
database of the suite's PostgreSQL server filled by ``commonshare demo``. Every race sends
two requests released at once by a barrier, one to each host.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from commonshare.demo import DEMO_PASSWORD
from tests.serving import call, free_port, start_server, stop, wait_until_answering

PG_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not PG_URL.startswith(("postgres://", "postgresql://")),
    reason="two app hosts share one PostgreSQL server; SQLite is a file of one machine "
    "(this runs in the suite's PostgreSQL pass)",
)
DEPLOY_DOC = Path(__file__).resolve().parents[1] / "docs" / "deploy.md"


@dataclass
class Hosts:
    database_url: str
    ports: tuple[int, int]
    tokens: dict[str, str]

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return db.execute(query).fetchall()  # type: ignore[arg-type]

    def race(self, *requests: tuple[str, str, str, Any]) -> list[int]:
        """(email, method, path, body) sent at once, the first to host A, the next to B."""
        barrier = threading.Barrier(len(requests))
        answers: list[int] = [0] * len(requests)

        def send(index: int) -> None:
            email, method, path, body = requests[index]
            barrier.wait()
            answers[index] = call(
                self.ports[index % 2], method, path, body, token=self.tokens[email]
            )[0]

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return answers


def _environment(folder: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        COMMONSHARE_DATA_DIR=str(folder),
        DATABASE_URL=database_url,
        COMMONSHARE_TRUSTED_PROXIES="127.0.0.1",  # nginx, below, on this machine
        COMMONSHARE_SERVE_WORKER_HEADER="1",
        COMMONSHARE_SECRET_KEY="one key for both hosts, as in production",
    )
    return env


@contextlib.contextmanager
def _scratch_database() -> Iterator[str]:
    import psycopg

    name = f"hosts_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    with _scratch_database() as url:
        # Each host its own data folder (nothing is shared through files), one database.
        first, second = (tmp_path_factory.mktemp(name) for name in ("host-a", "host-b"))
        filled = subprocess.run(
            [sys.executable, "-m", "commonshare", "demo", "--no-serve"],
            env=_environment(first, url),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert filled.returncode == 0, filled.stderr
        servers = [
            start_server(_environment(folder, url), "--workers", "1", "--threads", "4")
            for folder in (first, second)
        ]
        try:
            ports = (servers[0][1], servers[1][1])
            tokens = {}
            for name in ("amara", "priya", "jonas", "lucia"):
                email = f"{name}@demo.commonshare.org"
                status, body = call(
                    ports[0], "POST", "/api/auth/token", {"email": email, "password": DEMO_PASSWORD}
                )
                assert status == 201, body
                tokens[email] = body["token"]
            yield Hosts(url, ports, tokens)
        finally:
            for server, _ in servers:
                stop(server)


def _one_winner(answers: list[int], win: int) -> None:
    assert sorted(answers) == sorted([win, 409]), answers


def test_two_members_claim_one_task_at_both_hosts(hosts: Hosts) -> None:
    open_tasks = hosts.sql("SELECT id FROM work_task WHERE status = 'open' ORDER BY id LIMIT 3")
    assert open_tasks
    for (task,) in open_tasks:  # a race per task: exactly one wins each time
        answers = hosts.race(
            ("jonas@demo.commonshare.org", "POST", f"/api/tasks/{task}/claim", None),
            ("lucia@demo.commonshare.org", "POST", f"/api/tasks/{task}/claim", None),
        )
        _one_winner(answers, 200)
        claimed = hosts.sql(
            "SELECT m.email FROM work_task t JOIN community_member m "  # noqa: S608
            f"ON m.id = t.claimed_by_id WHERE t.id = {task}"
        )
        winner = ("jonas", "lucia")[answers.index(200)]
        assert claimed == [(f"{winner}@demo.commonshare.org",)]
        events = hosts.sql(
            "SELECT COUNT(*) FROM audit_auditevent WHERE code = 'work.task.claimed' "  # noqa: S608
            f"AND target_id = '{task}'"
        )
        assert events == [(1,)]


def test_one_review_sent_to_both_hosts_is_stored_once(hosts: Hosts) -> None:
    contribution, version = hosts.sql(
        "SELECT a.contribution_id, c.version FROM work_reviewassignment a "
        "JOIN community_member m ON m.id = a.reviewer_id "
        "JOIN work_contribution c ON c.id = a.contribution_id "
        "WHERE m.email = 'amara@demo.commonshare.org' AND NOT EXISTS (SELECT 1 FROM work_review r "
        "WHERE r.contribution_id = a.contribution_id AND r.reviewer_id = a.reviewer_id) "
        "ORDER BY a.contribution_id LIMIT 1"
    )[0]
    review = {"version": version, "rating": 4, "comment": "Solid work."}
    path = f"/api/contributions/{contribution}/reviews"
    email = "amara@demo.commonshare.org"
    answers = hosts.race((email, "POST", path, review), (email, "POST", path, review))
    _one_winner(answers, 201)
    stored = hosts.sql(
        "SELECT COUNT(*) FROM work_review r JOIN community_member m ON m.id = r.reviewer_id "  # noqa: S608
        f"WHERE r.contribution_id = {contribution} AND m.email = '{email}'"
    )
    assert stored == [(1,)]


def test_one_income_confirmed_at_both_hosts_is_posted_once(hosts: Hosts) -> None:
    (income,) = hosts.sql("SELECT id FROM books_income WHERE status = 'pending' LIMIT 1")[0]
    entries_before = hosts.sql("SELECT COUNT(*) FROM books_journalentry")[0][0]
    email = "amara@demo.commonshare.org"  # priya recorded it
    path = f"/api/income/{income}/confirm"
    answers = hosts.race((email, "POST", path, None), (email, "POST", path, None))
    _one_winner(answers, 200)
    assert hosts.sql(f"SELECT status FROM books_income WHERE id = {income}") == [("confirmed",)]  # noqa: S608
    posted = hosts.sql(
        f"SELECT COUNT(*) FROM books_journalentry WHERE source = 'income:{income}'"  # noqa: S608
    )
    assert posted == [(1,)]
    assert hosts.sql("SELECT COUNT(*) FROM books_journalentry")[0][0] == entries_before + 1


def test_two_proposals_for_one_period_at_both_hosts_leave_one(hosts: Hosts) -> None:
    (period,) = hosts.sql(
        "SELECT period_start FROM books_distribution WHERE status = 'proposed' LIMIT 1"
    )[0]
    body = {"period": period.strftime("%Y-%m"), "currency": "EUR"}
    posted_entries = "SELECT COUNT(*) FROM books_journalentry WHERE source LIKE 'distribution:%'"
    entries_before = hosts.sql(posted_entries)
    answers = hosts.race(
        ("amara@demo.commonshare.org", "POST", "/api/distributions", body),
        ("priya@demo.commonshare.org", "POST", "/api/distributions", body),
    )
    # A new proposal replaces the open one of its period: both may be accepted one after
    # the other, or the second refused; never two open proposals, never a torn one.
    assert 201 in answers and all(a in {201, 409} for a in answers), answers
    open_ones = hosts.sql(
        f"SELECT id FROM books_distribution WHERE period_start = '{period}' "  # noqa: S608
        "AND status = 'proposed'"
    )
    assert len(open_ones) == 1
    (distribution,) = open_ones[0]
    members = hosts.sql(
        f"SELECT member_id, COUNT(*) FROM books_payout WHERE distribution_id = {distribution} "  # noqa: S608
        "GROUP BY member_id HAVING COUNT(*) > 1"
    )
    assert members == []  # nobody paid twice in it
    assert hosts.sql(posted_entries) == entries_before  # proposing posts nothing


# --- nginx in front of both ---------------------------------------------------------------


def _doc_config(upstreams: tuple[int, int], listen: int) -> str:
    """The nginx site configuration of docs/deploy.md, with this test's ports."""
    found = re.search(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(), re.DOTALL)
    assert found, "docs/deploy.md shows an nginx configuration"
    site = found.group(1)
    assert "10.0.0.11:8000" in site and "10.0.0.12:8000" in site and "listen 80;" in site
    site = site.replace("10.0.0.11:8000", f"127.0.0.1:{upstreams[0]}")
    site = site.replace("10.0.0.12:8000", f"127.0.0.1:{upstreams[1]}")
    return site.replace("listen 80;", f"listen 127.0.0.1:{listen};")


@pytest.fixture
def nginx(hosts: Hosts, tmp_path: Path) -> Iterator[int]:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs it in CI)")
    port = free_port()
    (tmp_path / "nginx.conf").write_text(
        f"""
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
{_doc_config(hosts.ports, port)}
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_answering(port)
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _through(port: int, source: str, path: str, **headers: str) -> http.client.HTTPResponse:
    """A request to nginx from the local address ``source`` (another client than nginx)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_nginx_spreads_requests_over_both_hosts(hosts: Hosts, nginx: int) -> None:
    workers = {
        _through(nginx, "127.0.0.3", "/tasks/").getheader("X-Commonshare-Worker") for _ in range(12)
    }
    assert len(workers) == 2  # round robin between the two app hosts


def test_behind_nginx_the_lockout_counts_the_real_client(hosts: Hosts, nginx: int) -> None:
    def sign_in(source: str, spoof: str) -> int:
        connection = http.client.HTTPConnection(
            "127.0.0.1", nginx, timeout=30, source_address=(source, 0)
        )
        connection.request(
            "POST",
            "/api/auth/token",
            body='{"email": "jonas@demo.commonshare.org", "password": "wrong"}',
            headers={"Content-Type": "application/json", "X-Forwarded-For": spoof},
        )
        status = connection.getresponse().status
        connection.close()
        return status

    guesses = [sign_in("127.0.0.4", f"192.0.2.{n}") for n in range(10)]
    assert guesses == [401] * 9 + [429]  # ten made-up addresses counted as one client
    assert sign_in("127.0.0.5", "192.0.2.4") == 401  # another client is not locked out
    # nor is Jonas himself, signing in at a host directly from this machine
    right = {"email": "jonas@demo.commonshare.org", "password": DEMO_PASSWORD}
    assert call(hosts.ports[1], "POST", "/api/auth/token", right)[0] == 201
