"""A review is about what its reviewer saw: contribution versions, stale reviews, redraws."""

from decimal import Decimal
from typing import Any

import pytest

from commonshare.audit.models import AuditEvent
from commonshare.errors import Conflict, InvalidInput
from commonshare.work import services, versions
from commonshare.work.models import Contribution, ContributionVersion, Review, ReviewAssignment
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db

ONE_HOUR = ContributionInput(kind="work", summary="Fixed the backup", hours="1", evidence_text="e")
THOUSAND = ContributionInput(
    kind="work", summary="Fixed the backup", hours="1000", evidence_text="e"
)


@pytest.fixture
def logged(make_member: Any) -> tuple[Any, Any, Contribution]:
    """Ada logs one hour; Bo, the only other member, is drawn."""
    ada, bo = make_member("Ada"), make_member("Bo")
    return ada, bo, services.log_contribution(ada, ONE_HOUR)


def test_a_contribution_starts_at_version_1_and_each_edit_adds_one(logged: Any) -> None:
    ada, _, contribution = logged
    assert contribution.version == 1
    assert ReviewAssignment.objects.get(contribution=contribution).drawn_version == 1
    edited = services.edit_contribution(ada, contribution.pk, THOUSAND)
    assert edited.version == 2
    kept = ContributionVersion.objects.get(contribution=contribution)
    assert (kept.version, kept.stated["hours"]) == (1, "1.00")
    assert [str(c) for c in versions.changes_since(edited, 1)] == ["hours: 1 → 1,000"]
    # Saving the same statement again changes nothing, so it is not a new version.
    assert services.edit_contribution(ada, contribution.pk, THOUSAND).version == 2
    assert AuditEvent.objects.filter(code="work.contribution.edited").count() == 1
    assert ContributionVersion.objects.filter(contribution=contribution).count() == 1


def test_a_review_of_an_older_version_is_refused_with_what_changed(logged: Any) -> None:
    ada, bo, contribution = logged
    services.edit_contribution(ada, contribution.pk, THOUSAND)
    with pytest.raises(versions.StaleVersion) as refused:
        services.submit_review(bo, contribution.pk, rating=5, comment="Great", version=1)
    assert isinstance(refused.value, Conflict)
    assert refused.value.field == "version"
    assert "hours: 1 → 1,000" in refused.value.message
    assert not Review.objects.exists()

    review = services.submit_review(bo, contribution.pk, rating=2, comment="Too much", version=2)
    assert review.version == 2
    assert Review.objects.get().version == 2


@pytest.mark.parametrize("version", [0, 3, True, "2"])
def test_a_version_that_does_not_exist_names_the_field(logged: Any, version: Any) -> None:
    _, bo, contribution = logged
    with pytest.raises(InvalidInput) as refused:
        services.submit_review(bo, contribution.pk, rating=5, comment="c", version=version)
    assert refused.value.field == "version"
    assert not Review.objects.exists()


def test_an_edit_after_the_draw_names_the_drawn_reviewers(logged: Any) -> None:
    ada, bo, contribution = logged
    services.edit_contribution(ada, contribution.pk, THOUSAND)
    event = AuditEvent.objects.get(code="work.contribution.edited")
    assert event.data["notified_reviewers"] == [bo.pk]
    assert event.data["version"] == 2
    assert event.data["redrawn"] is False
    assert event.data["changes"] == [
        {"field": "hours", "label": "hours", "old": "1", "new": "1,000"}
    ]
    # Without a redraw, Bo stays drawn and still sees the version he was drawn for.
    assignment = ReviewAssignment.objects.get(contribution=contribution)
    assert (assignment.reviewer_id, assignment.drawn_version) == (bo.pk, 1)


def test_the_policy_can_redraw_the_reviewers_on_an_edit(make_member: Any, adopt_rules: Any) -> None:
    adopt_rules(review={"redraw_reviewers_on_edit": True})
    ada = make_member("Ada")
    for _ in range(6):
        make_member()
    contribution = services.log_contribution(ada, ONE_HOUR)
    first_seed = contribution.review_seed
    first = list(contribution.assignments.values_list("reviewer_id", flat=True))

    edited = services.edit_contribution(ada, contribution.pk, THOUSAND)
    assert edited.review_seed != first_seed
    now = list(edited.assignments.order_by("rank"))
    assert len(now) == 2
    assert {a.drawn_version for a in now} == {2}
    kept = ContributionVersion.objects.get(contribution=contribution)
    assert kept.replaced_draw == {
        "seed": first_seed,
        "pool": contribution.review_pool,
        "reviewers": first,
    }
    event = AuditEvent.objects.get(code="work.contribution.edited")
    assert event.data["redrawn"] is True
    assert event.data["notified_reviewers"] == first
    assert event.data["reviewers"] == [a.reviewer_id for a in now]
    assert event.data["earlier_draw"]["seed"] == first_seed
    # The new draw is the published one: anyone can repeat it from the new seed.
    from commonshare.core.draw import draw_reviewers

    repeated = draw_reviewers(
        edited.review_seed, str(edited.pk), str(ada.pk), edited.review_pool, 2
    )
    assert [str(a.reviewer_id) for a in now] == repeated


def test_without_the_policy_an_edit_keeps_the_draw(logged: Any) -> None:
    ada, _, contribution = logged
    seed = contribution.review_seed
    edited = services.edit_contribution(ada, contribution.pk, THOUSAND)
    assert edited.review_seed == seed
    assert ContributionVersion.objects.get().replaced_draw is None


def test_a_redraw_drops_the_old_reviewer(
    make_member: Any, adopt_rules: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer no longer drawn cannot review, even the current version."""
    from commonshare.core.draw import draw_reviewers
    from commonshare.errors import Forbidden

    adopt_rules(review={"redraw_reviewers_on_edit": True})
    members = [make_member() for _ in range(8)]
    author = members[0]
    contribution = services.log_contribution(author, ONE_HOUR)
    first = set(contribution.assignments.values_list("reviewer_id", flat=True))
    # Pick the next seed so that the redraw surely drops someone.
    pool, pk = contribution.review_pool, str(contribution.pk)
    seed = next(
        s
        for s in (f"seed-{n}" for n in range(100))
        if {int(x) for x in draw_reviewers(s, pk, str(author.pk), pool, 2)} != first
    )
    monkeypatch.setattr(services.secrets, "token_hex", lambda _: seed)
    edited = services.edit_contribution(author, contribution.pk, THOUSAND)
    assert edited.review_seed == seed
    dropped = first - set(edited.assignments.values_list("reviewer_id", flat=True))
    gone = next(m for m in members if m.pk in dropped)
    with pytest.raises(Forbidden):
        services.submit_review(gone, contribution.pk, rating=5, comment="c", version=2)


def test_the_history_lists_every_edit_in_words(logged: Any) -> None:
    ada, _, contribution = logged
    services.edit_contribution(ada, contribution.pk, THOUSAND)
    renamed = ContributionInput(
        kind="work", summary="Rewrote the backup", hours="1000", evidence_text="e"
    )
    services.edit_contribution(ada, contribution.pk, renamed)
    current = Contribution.objects.get(pk=contribution.pk)
    assert current.version == 3
    assert [(n, [str(c) for c in found]) for n, found in versions.history(current)] == [
        (2, ["hours: 1 → 1,000"]),
        (3, ["summary: “Fixed the backup” → “Rewrote the backup”"]),
    ]
    assert [str(c) for c in versions.changes_since(current, 1)] == [
        "summary: “Fixed the backup” → “Rewrote the backup”",
        "hours: 1 → 1,000",
    ]
    assert current.hours == Decimal(1000)


def test_the_cli_reviews_the_version_todo_shows(logged: Any) -> None:
    from click.testing import CliRunner

    from commonshare.cli import main

    ada, bo, contribution = logged

    def run(*args: str) -> Any:
        env = {"COMMONSHARE_MEMBER": bo.email}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    assert f"{contribution.pk:>5}  v1 " in run("review", "todo").output
    services.edit_contribution(ada, contribution.pk, THOUSAND)
    todo = run("review", "todo").output
    assert f"{contribution.pk:>5}  v2 " in todo
    assert "changed since you were drawn: hours: 1 → 1,000" in todo

    submit = ("review", "submit", str(contribution.pk), "--rating", "5", "--comment", "Fine")
    missing = run(*submit)
    assert missing.exit_code == 2
    assert "--version" in missing.output
    stale = run(*submit, "--version", "1")
    assert stale.exit_code == 2
    assert "hours: 1 → 1,000" in stale.output
    assert not Review.objects.exists()
    assert run(*submit, "--version", "2").exit_code == 0
    assert Review.objects.get().version == 2


@pytest.mark.django_db(transaction=True)
def test_a_review_sent_while_an_edit_commits_sees_the_edit(make_member: Any) -> None:
    """The version check and the review happen under the contribution's lock."""
    import threading
    import time

    from django.db import connection
    from tests.transactions import held_open

    ada, bo = make_member("Ada"), make_member("Bo")
    contribution = services.log_contribution(ada, ONE_HOUR)
    editing, failures = threading.Event(), []

    def edit_slowly() -> None:
        try:
            with held_open():  # keeps the edit's transaction open past the action
                services.edit_contribution(ada, contribution.pk, THOUSAND)
                editing.set()
                time.sleep(0.5)  # the edit is not committed yet
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
            editing.set()
        finally:
            connection.close()

    author = threading.Thread(target=edit_slowly)
    author.start()
    assert editing.wait(10)
    with pytest.raises(versions.StaleVersion, match="hours: 1 → 1,000"):
        services.submit_review(bo, contribution.pk, rating=5, comment="Great", version=1)
    author.join(10)
    assert not failures
    assert not Review.objects.exists()
    assert Contribution.objects.get(pk=contribution.pk).version == 2


def test_a_new_file_is_a_new_version(logged: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    ada, _, contribution = logged
    with_file = ContributionInput(
        kind="work",
        summary="Fixed the backup",
        hours="1",
        evidence_text="e",
        evidence_file=SimpleUploadedFile("restore-log.txt", b"ok"),
    )
    edited = services.edit_contribution(ada, contribution.pk, with_file)
    assert edited.version == 2
    [change] = versions.changes_since(edited, 1)
    assert (change.label, change.old) == ("evidence file", "none")
    assert change.new.startswith("restore-log") and change.new.endswith(".txt")
