"""Published heads: the transparency page offers the head to copy, and verify reads saved
heads from the file or URL that COMMONSHARE_ANCHORS names."""

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection, transaction
from tests.dates import live_today
from tests.money import posted_income

from commonshare.books import anchors, journal, journal_verify, records
from commonshare.books.append_only import set_guard
from commonshare.cli import main
from commonshare.errors import InvalidInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _income(member, amount: str) -> None:
    posted_income(
        member,
        amount=amount,
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=TODAY,
    )


@pytest.fixture
def published(make_member) -> str:
    """Three entries, the head published as SEQ:HASH; then the newest entry deleted."""
    ada = make_member("Ada")
    for amount in ("10.00", "20.00", "30.00"):
        _income(ada, amount)
    seq, digest = journal.head()
    line = f"{seq}:{digest}"
    set_guard(connection, install=False)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM books_journalposting WHERE entry_seq = %s", (seq,))
            cursor.execute("DELETE FROM books_journalentry WHERE seq = %s", (seq,))
    finally:
        set_guard(connection, install=True)
    assert journal_verify.verify().ok  # without the published head, the deletion does not show
    return line


@pytest.fixture
def hits() -> list[str]:
    """The paths the ``served`` web server was asked for."""
    return []


@pytest.fixture
def served(published: str, hits: list[str]) -> Iterator[str]:
    """A web server on 127.0.0.1 serving the published heads at /heads.txt (404 elsewhere)."""
    body = f"# heads of the commons\n\n{published}\n".encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path != "/heads.txt":
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_verify_reads_anchors_from_a_file(published: str, tmp_path: Path, settings) -> None:
    heads = tmp_path / "heads.txt"
    heads.write_text(f"# saved from /books/\n{published}\n", encoding="utf-8")
    settings.COMMONSHARE_ANCHORS = str(heads)
    report = records.verify_all()
    assert not report.ok
    assert report.chain.problem is not None and report.chain.problem.kind == "truncated"
    assert report.anchors == 1


def test_verify_reads_anchors_from_a_url(served: str, settings) -> None:
    settings.COMMONSHARE_ANCHORS = f"{served}/heads.txt"
    result = CliRunner().invoke(main, ["books", "verify"])
    assert result.exit_code == 1, result.output
    assert "truncated:" in result.output
    assert "checked against 1 published heads" in result.output


def test_an_explicit_anchor_replaces_the_setting(make_member, settings, tmp_path) -> None:
    _income(make_member("Ada"), "10.00")
    settings.COMMONSHARE_ANCHORS = str(tmp_path / "none.txt")  # would fail if it were read
    seq, digest = journal.head()
    result = CliRunner().invoke(main, ["books", "verify", "--anchor", f"{seq}:{digest}"])
    assert result.exit_code == 0, result.output


def test_a_url_that_fails_is_a_clear_error(served: str, settings) -> None:
    settings.COMMONSHARE_ANCHORS = f"{served}/missing.txt"
    result = CliRunner().invoke(main, ["books", "verify"])
    assert result.exit_code == 2
    assert "error: COMMONSHARE_ANCHORS:" in result.output
    assert "404" in result.output


def test_an_unreachable_url_or_file_is_a_clear_error(settings, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot fetch") as caught:
        anchors.fetch("http://127.0.0.1:9/heads.txt")  # the discard port: nothing listens
    assert caught.value.field == "COMMONSHARE_ANCHORS"
    with pytest.raises(InvalidInput, match="cannot read"):
        anchors.fetch(str(tmp_path / "none.txt"))


def test_a_bad_line_is_refused_with_its_number(tmp_path: Path, settings) -> None:
    heads = tmp_path / "heads.txt"
    heads.write_text(f"1:{'a' * 64}\n12:not-a-hash\n", encoding="utf-8")
    settings.COMMONSHARE_ANCHORS = str(heads)
    with pytest.raises(InvalidInput, match="line 2: give SEQ:HASH") as caught:
        records.verify_all()
    assert caught.value.field == "COMMONSHARE_ANCHORS"


def test_the_page_offers_the_head_to_publish(make_member, client) -> None:
    ada = make_member("Ada")
    _income(ada, "10.00")
    seq, digest = journal.head()
    page = client.get("/books/").content.decode()
    assert "Publish this head" in page
    field = re.search(r'<input [^>]*id="head-anchor"[^>]*>', page)
    assert field is not None
    assert f'value="{seq}:{digest}"' in field[0] and "readonly" in field[0]
    # the copy button only appears with JavaScript, from a file: no inline script
    assert re.search(r'<button [^>]*data-copy="head-anchor"[^>]*hidden', page)
    assert re.search(r'<script src="[^"]*web/copy\.js" defer></script>', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "cannot show that the newest entries were deleted" in page


def test_the_api_fetches_configured_anchors_only_when_asked(
    served: str, hits: list[str], settings
) -> None:
    """A plain anonymous ``GET /api/books/verify`` makes no outbound request."""
    from django.test import Client

    settings.COMMONSHARE_ANCHORS = f"{served}/heads.txt"
    plain = Client().get("/api/books/verify")
    assert plain.status_code == 200
    assert plain.json()["anchors"] == 0
    assert plain.json()["problem"] is None  # the chain alone does not show the deletion
    assert hits == []
    asked = Client().get("/api/books/verify", {"anchors": "configured"})
    assert asked.status_code == 200
    assert hits == ["/heads.txt"]
    assert asked.json()["anchors"] == 1
    assert asked.json()["problem"]["kind"] == "truncated"
    assert Client().get("/api/books/verify", {"anchors": "all"}).status_code == 422
