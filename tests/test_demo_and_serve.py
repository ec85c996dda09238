"""The README's first command, as a new user runs it: demo data, a server, books that check out."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest


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
    assert len(hashes) == 9
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


def test_serve_answers_pages_and_the_api(demo_dir: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["COMMONSHARE_DATA_DIR"] = str(demo_dir)
    server = subprocess.Popen(
        [sys.executable, "-m", "commonshare", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    home = page.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "Commonshare" in home
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=10) as api:
            assert b'"openapi"' in api.read()
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_commands_on_a_folder_never_set_up_say_what_to_do(tmp_path: Path) -> None:
    refused = _run(tmp_path / "fresh", "task", "list", check=False)
    assert refused.returncode == 2
    assert "run `commonshare init`" in refused.stderr
    assert "Traceback" not in refused.stderr
    _run(tmp_path / "fresh", "init")
    assert _run(tmp_path / "fresh", "task", "list").returncode == 0
