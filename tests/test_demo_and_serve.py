"""The README's first command, as a new user runs it: demo data, a server, books that check out."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.serving import call, start_server


def _run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded database
    env["COMMONSHARE_DATA_DIR"] = str(data_dir)
    result = subprocess.run(
        [sys.executable, "-m", "commonshare", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    first = _run(folder, "demo", "--no-serve")
    assert "Demo community created." in first.stdout
    assert "demo-commons-2026" in first.stdout
    return folder


def test_demo_fills_a_believable_community_in_wal_mode(demo_dir: Path) -> None:
    database = demo_dir / "commonshare.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        count = dict.fromkeys(
            ["community_member", "work_task", "work_review", "books_income", "books_distribution"]
        )
        for table in count:
            count[table] = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
        statuses = [
            row[0]
            for row in connection.execute(
                "SELECT status FROM books_distribution ORDER BY period_start"
            )
        ]
        kinds = {
            row[0] for row in connection.execute("SELECT DISTINCT kind FROM work_contribution")
        }
        subtasks = connection.execute(
            "SELECT COUNT(*) FROM work_task WHERE parent_id IS NOT NULL"
        ).fetchone()[0]
    assert count["community_member"] >= 8
    assert count["work_review"] > 0 and count["books_income"] > 0
    # An earlier closed month posted, and last month's proposal in its challenge window.
    assert statuses == ["posted", "proposed"]
    assert kinds == {"work", "deliverable", "expense", "resource"}
    assert subtasks > 0


def test_demo_accounts_use_cheap_hashes_that_the_site_checks_and_upgrades(
    demo_dir: Path,
) -> None:
    from django.contrib.auth.hashers import check_password, identify_hasher

    from commonshare.demo import DEMO_PASSWORD

    with sqlite3.connect(demo_dir / "commonshare.sqlite3") as connection:
        hashes = [row[0] for row in connection.execute("SELECT password FROM community_member")]
    assert len(hashes) == 10  # the nine of the story and the newcomer
    # Few PBKDF2 rounds (the password is public), in the site's own format.
    assert all(h.startswith("pbkdf2_sha256$1000$") for h in hashes)
    upgraded: list[str] = []
    assert check_password(DEMO_PASSWORD, hashes[0], setter=upgraded.append)
    assert upgraded == [DEMO_PASSWORD]  # stored again with the preferred hasher at first login
    assert identify_hasher(hashes[0]).algorithm == "pbkdf2_sha256"
    assert not check_password("wrong password", hashes[0])


def test_demo_payouts_are_those_of_the_compiled_valuation(demo_dir: Path, tmp_path: Path) -> None:
    # The demo values its few reviews with the loops as plain Python; `allocate` compiles them.
    # The posted distribution and the open proposal alike (its preview is what will post).
    with sqlite3.connect(demo_dir / "commonshare.sqlite3") as connection:
        frozen = connection.execute("SELECT id, request FROM books_distribution").fetchall()
        rows = connection.execute(
            "SELECT distribution_id, member_id, amount_minor FROM books_payout"
        ).fetchall()
    paid_by_anyone: set[int] = set()
    for distribution_id, request in frozen:
        stored = {member: minor for pk, member, minor in rows if pk == distribution_id}
        (tmp_path / "request.json").write_text(request)
        result = json.loads(_run(demo_dir, "allocate", str(tmp_path / "request.json")).stdout)
        recomputed = {
            int(line["member"]): int(Decimal(line["amount"]) * 100)
            for line in result["payouts"]
            if Decimal(line["amount"])
        }
        assert recomputed == {member: minor for member, minor in stored.items() if minor}
        paid_by_anyone |= set(recomputed)
    assert len(paid_by_anyone) >= 8


def test_demo_leaves_a_parent_with_an_open_subtask_claimed(demo_dir: Path) -> None:
    with sqlite3.connect(demo_dir / "commonshare.sqlite3") as connection:
        statuses = dict(connection.execute("SELECT title, status FROM work_task").fetchall())
    assert statuses["Migrate the first three customers"] == "claimed"
    assert statuses["Migrate hosting customers to the new cluster"] == "claimed"
    assert statuses["Write the migration runbook"] == "done"
    assert statuses["Decommission the old node"] == "done"


def test_running_demo_again_reuses_the_data_and_reset_starts_over(demo_dir: Path) -> None:
    copy = demo_dir.parent / "demo-copy"
    shutil.copytree(demo_dir, copy)
    again = _run(copy, "demo", "--no-serve")
    assert "already there; reusing it" in again.stdout
    fresh = _run(copy, "demo", "--no-serve", "--reset")
    assert "Demo community created." in fresh.stdout


def test_demo_books_verify_and_pass_bean_check(demo_dir: Path, tmp_path: Path) -> None:
    verified = _run(demo_dir, "books", "verify")
    assert verified.stdout.startswith("ok:")
    export = tmp_path / "demo.beancount"
    _run(demo_dir, "books", "export", "--format", "beancount", "--output", str(export))
    bean_check = Path(sys.executable).with_name("bean-check")
    checked = subprocess.run(
        [str(bean_check), str(export)], capture_output=True, text=True, timeout=120, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _start_server(
    data_dir: Path, *options: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """``commonshare serve`` on the demo's folder (its embedded database), once it answers."""
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ["COMMONSHARE_DATA_DIR"] = str(data_dir)
    environ.update(env or {})
    return start_server(environ, *options)


def _web_workers(master: int) -> set[int]:
    """The gunicorn workers ``serve`` forked: children running its own command line (the
    background worker it also starts is a ``commonshare worker`` process of its own)."""
    ours = Path(f"/proc/{master}/cmdline").read_bytes()
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children if Path(f"/proc/{pid}/cmdline").read_bytes() == ours}


def test_serve_answers_pages_and_the_api(demo_dir: Path) -> None:
    server, port = _start_server(demo_dir)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            home = page.read().decode()
        assert "Commonshare" in home
        assert "X-Commonshare-Worker" not in page.headers  # the test-only header is off
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=10) as api:
            assert b'"openapi"' in api.read()
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0  # a clean stop on SIGTERM
    assert b"with " in out and b"worker process" in out


def test_serve_answers_from_several_worker_processes(demo_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    server, port = _start_server(
        demo_dir,
        "--workers",
        "2",
        "--threads",
        "2",
        env={"COMMONSHARE_SERVE_WORKER_HEADER": "1"},
    )

    def worker_of(_: int) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/tasks/", timeout=30) as page:
            page.read()
            return str(page.headers["X-Commonshare-Worker"])

    try:
        children = _web_workers(server.pid)
        seen: set[str] = set()
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):  # the kernel hands connections out; both take some soon
                seen |= set(pool.map(worker_of, range(16)))
                if len(seen) == 2:
                    break
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert len(children) == 2  # two processes forked from the one that migrated
    assert {int(pid) for pid in seen} == children
    assert server.pid not in {int(pid) for pid in seen}  # the master only supervises


def test_commands_on_a_folder_never_set_up_say_what_to_do(tmp_path: Path) -> None:
    refused = _run(tmp_path / "fresh", "task", "list", check=False)
    assert refused.returncode == 2
    assert "run `commonshare init`" in refused.stderr
    assert "Traceback" not in refused.stderr
    _run(tmp_path / "fresh", "init")
    assert _run(tmp_path / "fresh", "task", "list").returncode == 0


def _rows(demo_dir: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(demo_dir / "commonshare.sqlite3") as connection:
        return connection.execute(query).fetchall()


def test_the_demo_steward_phase_ended_with_its_first_adopted_decision(demo_dir: Path) -> None:
    ends = _rows(demo_dir, "SELECT reason, decision_number FROM work_stewardphaseend")
    assert ends == [("first_decision", 1)]
    shown = _run(demo_dir, "steward", "show").stdout
    assert "The steward phase ended on" in shown
    assert "(decision 1)" in shown


def test_the_demo_reserve_share_changed_by_a_closed_decision_from_the_next_period(
    demo_dir: Path,
) -> None:
    (stage, outcome, effect_kind, note, closed_at), *_ = _rows(
        demo_dir,
        "SELECT stage, outcome, effect_kind, effect_note, closed_at FROM decisions_proposal "
        "WHERE number = 1",
    )
    assert (stage, outcome, effect_kind) == ("closed", "passed", "policy_change")
    versions = _rows(
        demo_dir,
        "SELECT number, content, valid_from, adopted_by FROM governance_policyversion "
        "ORDER BY number",
    )
    assert len(versions) == 2
    (_, first, _, _), (number, second, valid_from, adopted_by) = versions
    assert adopted_by == "decision 1" and f"Adopted policy version {number}" in note
    assert json.loads(first)["reserve"]["share"] == "0.1"
    assert json.loads(second)["reserve"]["share"] == "0.15"
    # From the next period: a later day than the close, the first of a month.
    assert valid_from > closed_at[:10] and valid_from.endswith("-01")
    ballots = _rows(
        demo_dir,
        "SELECT COUNT(*) FROM decisions_ballot b JOIN decisions_proposal p "
        "ON p.id = b.proposal_id WHERE p.number = 1",
    )
    assert ballots[0][0] >= 3


def test_the_demo_has_a_norm_with_two_versions_the_second_by_its_decision(
    demo_dir: Path,
) -> None:
    versions = _rows(
        demo_dir,
        "SELECT number, decision_number, text FROM governance_normversion "
        "WHERE kind = 'code-of-conduct' ORDER BY number",
    )
    assert [(n, d) for n, d, _ in versions] == [(1, None), (2, 2)]
    assert "A review judges the work" in versions[1][2]
    assert "A review judges the work" not in versions[0][2]
    decision = _rows(
        demo_dir,
        "SELECT stage, outcome, effect_kind FROM decisions_proposal WHERE number = 2",
    )
    assert decision == [("closed", "passed", "norm_change")]
    shown = _run(demo_dir, "norm", "show", "code-of-conduct").stdout
    assert "version 2" in shown and "decision 2" in shown


def test_the_demo_leaves_an_open_proposal_with_ballots(demo_dir: Path) -> None:
    open_ones = _rows(
        demo_dir,
        "SELECT p.number, p.method, COUNT(b.id) FROM decisions_proposal p "
        "JOIN decisions_ballot b ON b.proposal_id = p.id WHERE p.stage = 'open' "
        "GROUP BY p.number, p.method",
    )
    assert open_ones and all(count >= 1 for _, _, count in open_ones)
    number = open_ones[0][0]
    shown = _run(demo_dir, "decision", "show", str(number)).stdout
    assert "(open)" in shown and "criterion: Cost (weight 2)" in shown


def test_the_demo_keeps_money_waiting_a_challenge_and_a_confirmation(demo_dir: Path) -> None:
    statuses = _rows(demo_dir, "SELECT status FROM books_distribution ORDER BY period_start")
    assert [s for (s,) in statuses] == ["posted", "proposed"]
    window = _rows(
        demo_dir, "SELECT challenge_ends_at FROM books_distribution WHERE status = 'proposed'"
    )
    assert window[0][0] > time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    # Each is carried by a lazy consensus: the posted one's closed with no objection, the
    # one in its challenge window is an open decision closing when the window does.
    carried = _rows(
        demo_dir,
        "SELECT d.status, p.stage, p.outcome, p.method, p.effect_kind, "
        "p.closes_at = d.challenge_ends_at FROM books_distribution d "
        "JOIN decisions_proposal p ON p.number = d.decision_number ORDER BY d.period_start",
    )
    assert carried == [
        ("posted", "closed", "passed", "lazy_consensus", "post_distribution", 1),
        ("proposed", "open", "", "lazy_consensus", "post_distribution", 1),
    ]
    pending = _rows(demo_dir, "SELECT COUNT(*) FROM books_income WHERE status = 'pending'")
    assert pending[0][0] == 1


@pytest.mark.parametrize(
    ("email", "level"),
    [
        ("amara@demo.commonshare.org", 2),  # a steward who earned it: keeps it after the phase
        ("priya@demo.commonshare.org", 2),
        ("jonas@demo.commonshare.org", 1),  # a steward who had not: level 1 once it ended
        ("lucia@demo.commonshare.org", 1),
        ("kofi@demo.commonshare.org", 0),  # joined just now, address not verified
    ],
)
def test_the_demo_members_stand_at_different_trust_levels(
    demo_dir: Path, email: str, level: int
) -> None:
    shown = _run(demo_dir, "member", "trust", email).stdout
    assert f": trust level {level} (" in shown.splitlines()[0]


def _api_sign_in(port: int, email: str, password: str) -> int:
    return call(port, "POST", "/api/auth/token", {"email": email, "password": password})[0]


def test_two_servers_on_one_folder_share_the_lockout_and_the_cache(demo_dir: Path) -> None:
    first, first_port = _start_server(demo_dir, "--workers", "1", "--threads", "2")
    second, second_port = _start_server(demo_dir, "--workers", "1", "--threads", "2")
    try:
        # Ten wrong passwords, spread over both processes, lock the pair out on both.
        email = "guessed@example.org"
        answers = [_api_sign_in((first_port, second_port)[n % 2], email, "wrong") for n in range(9)]
        assert answers == [401] * 9
        assert _api_sign_in(second_port, email, "wrong") == 429
        assert _api_sign_in(first_port, email, "wrong") == 429
        # The books' totals one process computed are in the shared table for the other.
        with urllib.request.urlopen(f"http://127.0.0.1:{first_port}/books/", timeout=30) as page:
            assert page.status == 200
    finally:
        for server in (first, second):
            server.terminate()
            server.communicate(timeout=30)
    cached = _rows(demo_dir, "SELECT cache_key FROM commonshare_cache")
    assert any("totals" in key for (key,) in cached), cached
    seen_elsewhere = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            "from commonshare.books.selectors.totals import TOTALS_KEY; "
            "print(cache.get(TOTALS_KEY) is not None)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "COMMONSHARE_DATA_DIR": str(demo_dir),
            "DJANGO_SETTINGS_MODULE": "commonshare.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert seen_elsewhere.stdout.strip() == "True"


def test_a_worker_killed_mid_burst_loses_no_acknowledged_write(
    demo_dir: Path, tmp_path: Path
) -> None:
    """The kill drill: SIGKILL the worker during a burst of writes; gunicorn starts a new
    one, and after a full restart every write that got its 2xx is there and the books
    verify."""
    import signal
    import threading

    from commonshare.demo import DEMO_PASSWORD

    folder = tmp_path / "drill"
    shutil.copytree(demo_dir, folder)
    server, port = _start_server(folder, "--workers", "1", "--threads", "4")
    tokens = {
        name: call(
            port,
            "POST",
            "/api/auth/token",
            {"email": f"{name}@demo.commonshare.org", "password": DEMO_PASSWORD},
        )[1]["token"]
        for name in ("amara", "priya")
    }
    acknowledged: list[int] = []  # incomes confirmed with a 200
    stop_writing = threading.Event()

    def write(number: int) -> None:
        n = 0
        while not stop_writing.is_set():
            n += 1
            income = {
                "amount": "2.50",
                "currency": "EUR",
                "payer": f"Drill {number}-{n}",
                "description": "A burst of writes",
                "received_on": "2026-11-30",
            }
            try:
                status, body = call(port, "POST", "/api/income", income, token=tokens["amara"])
                if status != 201:
                    continue
                path = f"/api/income/{body['id']}/confirm"
                if call(port, "POST", path, token=tokens["priya"])[0] == 200:
                    acknowledged.append(int(body["id"]))
            except OSError:  # the connection the killed worker held
                time.sleep(0.05)

    writers = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    try:
        for writer in writers:
            writer.start()
        while len(acknowledged) < 5:
            time.sleep(0.05)
        (worker,) = _web_workers(server.pid)
        os.kill(worker, signal.SIGKILL)
        seen_before_kill = len(acknowledged)
        deadline = time.monotonic() + 60
        while len(acknowledged) < seen_before_kill + 5:  # a new worker took over
            assert time.monotonic() < deadline, "no write was acknowledged after the kill"
            time.sleep(0.05)
    finally:
        stop_writing.set()
        for writer in writers:
            writer.join(timeout=60)
        server.kill()  # and the whole server, as a power cut would
        server.communicate(timeout=30)
    restarted, _ = _start_server(folder, "--workers", "1", "--threads", "1")
    restarted.terminate()
    restarted.communicate(timeout=30)
    confirmed = {
        row[0] for row in _rows(folder, "SELECT id FROM books_income WHERE status = 'confirmed'")
    }
    assert set(acknowledged) <= confirmed
    posted = {row[0] for row in _rows(folder, "SELECT source FROM books_journalentry")}
    assert {f"income:{pk}" for pk in acknowledged} <= posted
    assert _run(folder, "books", "verify").stdout.startswith("ok:")
