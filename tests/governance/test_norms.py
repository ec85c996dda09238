"""Norms: the first versions after migrate, adoption only through a decision's helper,
append-only storage checked by ``books verify``, and the same reads on every door."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.norms import adopt_as_decision

from commonshare.audit.actions import ActionError
from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.core.norms import first_paragraph, norm_sha256
from commonshare.errors import Conflict, InvalidInput
from commonshare.governance import selectors
from commonshare.governance.initial_norms import INITIAL_NORMS, PURPOSE_TEXT
from commonshare.governance.models import NormVersion
from commonshare.governance.norms import _adopt_norm, check_norm_change
from commonshare.governance.vocab import NORM_KINDS, NORM_TEXT_MAX, PURPOSE

pytestmark = pytest.mark.django_db

WRITES_A_NORM = r"_adopt_norm|NormVersion\.objects\.create|governance\.norms"
AMENDED = PURPOSE_TEXT.replace("review each other", "review each other's work")


def _page_text(html: str) -> str:
    main_part = html.split('id="main"')[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main_part))


# --- storage -------------------------------------------------------------------------


def test_the_migrations_write_version_one_of_each_norm() -> None:
    versions = list(NormVersion.objects.order_by("pk"))
    assert [(v.kind, v.number, v.decision_number) for v in versions] == [
        (kind, 1, None) for kind in NORM_KINDS
    ]
    assert [(v.kind, v.title) for v in versions] == list(NORM_KINDS.items())
    assert [kind for kind, _, _ in INITIAL_NORMS] == list(NORM_KINDS)
    for version in versions:
        assert version.text.strip()
        assert version.sha256 == norm_sha256(
            kind=version.kind, number=1, title=version.title, text=version.text
        )
    purpose = selectors.current_norm(PURPOSE)
    assert first_paragraph(purpose.text).startswith("We are a headless venture: anyone may join")


def test_norm_versions_are_append_only_in_the_database() -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("UPDATE governance_normversion SET text = 'We obey.'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("DELETE FROM governance_normversion")
    assert NormVersion.objects.count() == len(NORM_KINDS)


def test_books_verify_finds_an_edited_norm_version() -> None:
    from commonshare.books import records
    from commonshare.books.append_only import set_guard

    adopt_as_decision(PURPOSE, AMENDED, decision_number=3)
    assert records.verify_all().ok
    set_guard(connection, install=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE governance_normversion SET title = 'Our aims' "
                "WHERE kind = 'purpose' AND number = 2"
            )
    finally:
        set_guard(connection, install=True)
    report = records.verify_all()
    assert not report.ok
    assert "record: version 2 of the norm purpose no longer matches its checksum" in report.lines


# --- adopting ------------------------------------------------------------------------


def test_a_decision_adopts_the_next_version_with_one_event() -> None:
    events = AuditEvent.objects.count()
    version = adopt_as_decision(PURPOSE, AMENDED.replace("\n", "  \r\n"), decision_number=4)
    assert (version.kind, version.number, version.decision_number) == (PURPOSE, 2, 4)
    assert version.title == "Our purpose"  # kept from the version before
    assert version.text == AMENDED  # stored normalised
    assert version.sha256 == norm_sha256(kind=PURPOSE, number=2, title="Our purpose", text=AMENDED)
    assert AuditEvent.objects.count() == events + 1
    assert selectors.current_norm(PURPOSE) == version
    assert [v.number for v in selectors.norm_versions(PURPOSE)] == [1, 2]
    renamed = adopt_as_decision(PURPOSE, AMENDED + "\nMore.\n", title="Why we exist")
    assert (renamed.number, renamed.title) == (3, "Why we exist")


def test_a_decision_may_adopt_a_norm_of_a_new_kind_with_a_title() -> None:
    text = "We meet on the first Monday of each month.\n"
    assert check_norm_change("meetings", text) == [
        ("title", "A norm of a new kind needs a title: say what the norm is called.")
    ]
    assert check_norm_change("meetings", text, title="Meetings") == []
    version = adopt_as_decision("meetings", text, title="Meetings", decision_number=9)
    assert (version.kind, version.number) == ("meetings", 1)
    assert [n.kind for n in selectors.current_norms()] == [*NORM_KINDS, "meetings"]


def test_bad_proposals_are_refused_with_every_problem_and_nothing_changes() -> None:
    events, versions = AuditEvent.objects.count(), NormVersion.objects.count()
    assert check_norm_change("Code of Conduct", "", title="") == [
        (
            "kind",
            "Name the kind of norm by a short name of lower-case letters, digits and "
            "hyphens, starting with a letter (at most 40 characters), such as "
            "code-of-conduct.",
        ),
        ("text", "The text of the norm is empty: write what the norm says."),
    ]
    too_long = check_norm_change(PURPOSE, "x" * (NORM_TEXT_MAX + 1), title=" ")
    assert [field for field, _ in too_long] == ["text", "title"]
    assert "at most 20,000 fit" in too_long[0][1]
    unchanged = check_norm_change(PURPOSE, PURPOSE_TEXT + "\n\n")
    assert unchanged == [
        (
            "text",
            "The text is the same as version 1 of “Our purpose”, in force now: "
            "a change must change something.",
        )
    ]
    assert check_norm_change(PURPOSE, "# Purpose\n\n## Why\n") == [
        (
            "text",
            "The purpose must open with a paragraph, not only headings: the home page "
            "states that paragraph.",
        )
    ]
    with pytest.raises(InvalidInput) as refused:
        adopt_as_decision(PURPOSE, "   ", decision_number=0)
    assert [field for field, _ in refused.value.problems] == ["text", "decision_number"]
    assert (AuditEvent.objects.count(), NormVersion.objects.count()) == (events, versions)


def test_adopting_writes_no_event_of_its_own() -> None:
    """The calling action records the one event; outside any transaction it is refused
    (``test_adopting_outside_any_transaction_is_refused``)."""
    events = AuditEvent.objects.count()
    with transaction.atomic():
        version = _adopt_norm(PURPOSE, AMENDED, decision_number=2)
    assert version.number == 2 and AuditEvent.objects.count() == events


def test_two_adoptions_at_once_cannot_take_the_same_number(monkeypatch: Any) -> None:
    from commonshare.governance import norms

    adopt_as_decision(PURPOSE, AMENDED, decision_number=2)
    monkeypatch.setattr(norms, "_latest", lambda kind: None)  # as if it read before the other
    with pytest.raises(Conflict, match="at the same moment"), transaction.atomic():
        norms._adopt_norm(PURPOSE, AMENDED + "x\n", title="Our purpose", decision_number=3)
    assert selectors.current_norm(PURPOSE).number == 2


@pytest.mark.django_db(transaction=True)
def test_adopting_outside_any_transaction_is_refused() -> None:
    with pytest.raises(ActionError, match="inside the action"):
        _adopt_norm(PURPOSE, AMENDED, decision_number=2)
    assert NormVersion.objects.filter(kind=PURPOSE).count() == 1


# --- reading -------------------------------------------------------------------------


def test_the_diff_between_versions_is_data() -> None:
    adopt_as_decision(PURPOSE, AMENDED, decision_number=2)
    lines = selectors.norm_diff(PURPOSE, 1, 2)
    changed = [(d.change, d.before, d.after) for d in lines if d.change != "same"]
    assert changed == [("removed", 1, None), ("added", None, 1)]
    assert [d.change for d in selectors.norm_diff(PURPOSE, 2, 2)] == ["same"] * len(lines[1:])
    assert selectors.norm_changes(selectors.norm_version(PURPOSE, 1)) == []
    assert selectors.norm_changes(selectors.norm_version(PURPOSE, 2)) == lines


def test_unknown_norms_and_versions_are_named() -> None:
    from commonshare.errors import NotFound

    with pytest.raises(NotFound, match=r"There is no norm called rules\."):
        selectors.current_norm("rules")
    with pytest.raises(NotFound, match=r"The norm purpose has no version 5\."):
        selectors.norm_version(PURPOSE, 5)


# --- the doors -----------------------------------------------------------------------


def test_the_home_page_states_the_adopted_purpose() -> None:
    page = Client().get("/").content.decode()
    assert "We are a headless venture: anyone may join" in page
    adopt_as_decision(
        PURPOSE, "We build *open* maps together.\n\nThe rest of it.\n", decision_number=2
    )
    page = Client().get("/").content.decode()
    assert "We are a headless venture" not in page
    assert re.search(r'id="purpose"><p>We build <em>open</em> maps together.</p>', page)
    assert "The rest of it." not in page  # the first paragraph only
    assert 'class="purpose"><p>We build <em>open</em> maps together.</p>' in page  # header
    assert 'href="/norms/"' in page  # in the navigation


def test_the_norm_pages_show_text_history_and_an_accessible_diff() -> None:
    adopt_as_decision(PURPOSE, AMENDED + "\n<script>alert(1)</script>\n", decision_number=7)
    listing = _page_text(Client().get("/norms/").content.decode())
    assert "Our purpose Version 2. Adopted on" in listing
    assert "by decision 7" in listing
    assert "Code of conduct Version 1. The first version" in listing
    html = Client().get("/norms/").content.decode()
    assert 'href="/decisions/7/"' in html and 'href="/norms/code-of-conduct/"' in html
    detail = Client().get("/norms/purpose/").content.decode()
    assert "<script>" not in detail and "&lt;script&gt;" in detail
    assert 'href="/norms/purpose/1/"' in detail and 'href="/norms/purpose/2/"' in detail
    version = Client().get("/norms/purpose/2/").content.decode()
    text = _page_text(version)
    assert "Removed: We are a headless venture: anyone may join, pick small pieces" in text
    assert "Added: We are a headless venture" in text
    assert "review each other's work" in text
    assert "Unchanged:" in text  # said to screen readers, hidden from the eye
    assert not re.search(r"\b\w+_\w+\b|None\b|sha256", text)
    first = _page_text(Client().get("/norms/purpose/1/").content.decode())
    assert "Version 2 has replaced it" in first and "the first version" in first
    assert Client().get("/norms/purpose/3/").status_code == 404
    assert Client().get("/norms/nothing-here/").status_code == 404


def test_the_api_gives_norms_versions_and_the_diff() -> None:
    adopt_as_decision(PURPOSE, AMENDED, decision_number=5)
    client = Client()
    listed = client.get("/api/norms").json()
    assert [n["kind"] for n in listed] == list(NORM_KINDS)
    assert (listed[0]["number"], listed[0]["decision_number"]) == (2, 5)
    one = client.get("/api/norms/purpose").json()
    assert one["text"] == AMENDED and [v["number"] for v in one["versions"]] == [1, 2]
    detail = client.get("/api/norms/purpose/versions/2").json()
    assert detail["previous"] == 1
    assert [d["change"] for d in detail["diff"] if d["change"] != "same"] == [
        "removed",
        "added",
    ]
    assert detail["sha256"] == selectors.norm_version(PURPOSE, 2).sha256
    first = client.get("/api/norms/purpose/versions/1").json()
    assert (first["previous"], first["diff"], first["decision_number"]) == (None, [], None)
    missing = client.get("/api/norms/purpose/versions/9")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "The norm purpose has no version 9.", "field": None}
    assert client.get("/api/norms/Not_A_Kind").status_code == 422


def test_the_cli_shows_norms_and_diffs() -> None:
    adopt_as_decision(PURPOSE, AMENDED, decision_number=5)
    runner = CliRunner()
    listed = runner.invoke(main, ["norm", "show"], catch_exceptions=False)
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0] == "purpose\tversion 2\tOur purpose"
    shown = runner.invoke(main, ["norm", "show", "purpose", "--version", "1"]).output
    assert shown.startswith("Our purpose, version 1: the first version")
    assert PURPOSE_TEXT.strip() in shown
    data = json.loads(runner.invoke(main, ["norm", "show", "purpose", "--json"]).output)
    assert (data["number"], data["decision_number"], data["previous"]) == (2, 5, 1)
    assert data["versions"] == [1, 2] and data["text"] == AMENDED
    diff = runner.invoke(main, ["norm", "diff", "purpose", "1", "2"]).output.splitlines()
    assert diff[0].startswith("- We are a headless venture") and "review each other," in diff[0]
    assert diff[1].startswith("+ We are a headless venture") and "each other's work" in diff[1]
    assert all(line == "" or line.startswith("  ") for line in diff[2:])
    as_json = json.loads(
        runner.invoke(main, ["norm", "diff", "purpose", "2", "1", "--json"]).output
    )
    assert [line["change"] for line in as_json["lines"]][:2] == ["removed", "added"]
    missing = runner.invoke(main, ["norm", "show", "rules"])
    assert missing.exit_code == 2 and "There is no norm called rules." in missing.output
    no_kind = runner.invoke(main, ["norm", "show", "--version", "2"])
    assert no_kind.exit_code == 2 and "Name the norm" in no_kind.output


# --- no door writes a norm -----------------------------------------------------------


def _all_url_patterns(resolvers: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for item in resolvers:
        if isinstance(item, URLResolver):
            found += _all_url_patterns(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            found.append((prefix + str(item.pattern), item))
    return found


def test_no_page_route_or_command_writes_a_norm() -> None:
    from commonshare.api.main import api

    pages = [route for route, _ in _all_url_patterns(get_resolver().url_patterns)]
    assert "norms/" in pages  # the walk sees the norm pages...
    norm_pages = [route for route in pages if "norm" in route and not route.startswith("api/")]
    assert norm_pages == ["norms/", "norms/<normkind:kind>/", "norms/<normkind:kind>/<id:number>/"]
    client = Client()
    for url in ("/norms/", "/norms/purpose/", "/norms/purpose/1/"):  # ...which only read
        assert client.post(url, {"text": "We obey."}).status_code == 405
    schema = api.get_openapi_schema()
    norm_operations = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if "norm" in path
    }
    assert norm_operations == {
        ("get", "/api/norms"),
        ("get", "/api/norms/{kind}"),
        ("get", "/api/norms/{kind}/versions/{number}"),
    }
    commands = set(main.commands["norm"].commands)  # type: ignore[attr-defined]
    assert commands == {"show", "diff"}
    assert NormVersion.objects.count() == len(NORM_KINDS)


def test_no_door_calls_the_adopting_helper() -> None:
    """Pages, API handlers and commands never reach the write: only an action may call it
    (the decisions app's close action, in a ``services`` module)."""
    from pathlib import Path

    import commonshare

    source = Path(commonshare.__file__).parent
    doors = [
        path
        for path in source.rglob("*.py")
        if path.relative_to(source).parts[0] in {"web", "api", "cli"}
        or path.name in {"api.py", "cli.py", "schemas.py"}
    ]
    assert len(doors) > 20
    reaching = [
        str(path.relative_to(source))
        for path in doors
        if re.search(
            r"_adopt_norm|NormVersion\.objects\.create|governance\.norms", path.read_text()
        )
    ]
    assert reaching == []
