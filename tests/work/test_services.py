from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonshare.core.draw import draw_reviewers
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.work import services
from commonshare.work.models import Contribution, Review, Task
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db


def test_tasks_and_subtasks_are_claimed_not_assigned(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    parent = services.create_task(ada, title="Migrate hosting", estimate_hours="10")
    child = services.create_task(ada, title="Runbook", estimate_hours="1.5", parent_id=parent.pk)
    assert child.parent == parent and child.status == "open" and child.claimed_by is None
    services.claim_task(bo, child.pk)
    with pytest.raises(Conflict, match="another member"):
        services.claim_task(ada, child.pk)
    with pytest.raises(Forbidden):
        services.release_task(ada, child.pk)
    services.release_task(bo, child.pk)
    services.claim_task(ada, child.pk)
    services.complete_task(ada, child.pk)
    assert Task.objects.get(pk=child.pk).status == "done"
    with pytest.raises(Conflict, match="done"):
        services.claim_task(bo, child.pk)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "estimate_hours": "1"}, "title"),
        ({"title": "T", "estimate_hours": "0"}, "estimate_hours"),
        ({"title": "T", "estimate_hours": "-2"}, "estimate_hours"),
        ({"title": "T", "estimate_hours": "abc"}, "estimate_hours"),
        ({"title": "T", "estimate_hours": "1.234"}, "estimate_hours"),
    ],
)
def test_bad_tasks_are_refused(make_member, fields: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_task(make_member(), **fields)
    assert caught.value.field == field
    assert not Task.objects.exists()


def test_unknown_parent_is_not_found(make_member) -> None:
    with pytest.raises(NotFound):
        services.create_task(make_member(), title="T", estimate_hours="1", parent_id=999)


def test_contributions_of_every_kind(make_member) -> None:
    ada, _ = make_member("Ada"), make_member("Bo")
    work = services.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="0.08", evidence_text="wiki")
    )
    deliverable = services.log_contribution(
        ada,
        ContributionInput(
            kind="deliverable", summary="Logo", units="2", evidence_url="https://example.org/x"
        ),
    )
    resource = services.log_contribution(
        ada,
        ContributionInput(
            kind="resource",
            summary="Server",
            units="720",
            unit_name="server hours",
            evidence_text="metered",
        ),
    )
    expense = services.log_contribution(
        ada,
        ContributionInput(
            kind="expense",
            summary="Domain",
            amount="1500",
            currency="JPY",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4 receipt"),
        ),
    )
    assert work.hours == Decimal("0.08")
    assert deliverable.units == 2 and resource.unit_name == "server hours"
    assert expense.amount_minor == 1500 and expense.currency == "JPY" and expense.receipt


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"kind": "gift", "summary": "x", "evidence_text": "e"}, "kind"),
        ({"kind": "work", "summary": "x", "evidence_text": "e"}, "hours"),
        ({"kind": "work", "summary": "x", "hours": "1"}, "evidence_text"),
        ({"kind": "work", "summary": "", "hours": "1", "evidence_text": "e"}, "summary"),
        (
            {"kind": "work", "summary": "x", "hours": "1", "evidence_url": "javascript:x"},
            "evidence_url",
        ),
        ({"kind": "resource", "summary": "x", "units": "3", "evidence_text": "e"}, "unit_name"),
        (
            {
                "kind": "expense",
                "summary": "x",
                "amount": "1",
                "currency": "EUR",
                "evidence_text": "e",
            },
            "receipt",
        ),
        (
            {
                "kind": "expense",
                "summary": "x",
                "amount": "1.001",
                "currency": "EUR",
                "evidence_text": "e",
            },
            "amount",
        ),
        (
            {
                "kind": "expense",
                "summary": "x",
                "amount": "1",
                "currency": "ZZZ",
                "evidence_text": "e",
            },
            "currency",
        ),
    ],
)
def test_bad_contributions_name_the_field_and_write_nothing(
    make_member, given: dict, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.log_contribution(make_member(), ContributionInput(**given))
    assert caught.value.field == field
    assert not Contribution.objects.exists()


def test_receipt_file_type_is_checked(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.log_contribution(
            make_member(),
            ContributionInput(
                kind="expense",
                summary="x",
                amount="1",
                currency="EUR",
                receipt=SimpleUploadedFile("r.exe", b"MZ"),
            ),
        )
    assert caught.value.field == "receipt"


def test_reviewers_are_drawn_from_a_published_seed_never_the_author(make_member) -> None:
    members = [make_member() for _ in range(6)]
    author = members[0]
    contribution = services.log_contribution(
        author, ContributionInput(kind="work", summary="x", hours="1", evidence_text="e")
    )
    drawn = [a.reviewer_id for a in contribution.assignments.order_by("rank")]
    assert len(drawn) == 2 and author.pk not in drawn
    assert contribution.review_pool == sorted(str(m.pk) for m in members[1:])
    repeated = draw_reviewers(
        contribution.review_seed, str(contribution.pk), str(author.pk), contribution.review_pool, 2
    )
    assert [int(pk) for pk in repeated] == drawn


def test_review_rules(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    contribution = services.log_contribution(
        ada, ContributionInput(kind="work", summary="x", hours="2", evidence_text="e")
    )
    drawn = {a.reviewer for a in contribution.assignments.all()}
    assert drawn == {bo, cy}
    with pytest.raises(Forbidden, match="own work"):
        services.submit_review(ada, contribution.pk, rating=5, comment="me")
    for bad in (6, -1, "x", True, 2.5):
        with pytest.raises(InvalidInput) as caught:
            services.submit_review(bo, contribution.pk, rating=bad, comment="c")
        assert caught.value.field == "rating"
    with pytest.raises(InvalidInput) as caught:
        services.submit_review(bo, contribution.pk, rating=3, comment=" ")
    assert caught.value.field == "comment"
    assert not Review.objects.exists()
    review = services.submit_review(
        bo, contribution.pk, rating=4, comment="ok", effort_estimate="1.5"
    )
    assert review.effort_estimate == Decimal("1.5")
    with pytest.raises(Conflict, match="already reviewed"):
        services.submit_review(bo, contribution.pk, rating=4, comment="again")
    with pytest.raises(NotFound):
        services.submit_review(bo, 999, rating=4, comment="c")


def test_only_drawn_members_review(make_member) -> None:
    members = [make_member() for _ in range(5)]
    contribution = services.log_contribution(
        members[0], ContributionInput(kind="work", summary="x", hours="1", evidence_text="e")
    )
    drawn = {a.reviewer_id for a in contribution.assignments.all()}
    outsider = next(m for m in members[1:] if m.pk not in drawn)
    with pytest.raises(Forbidden, match="drawn"):
        services.submit_review(outsider, contribution.pk, rating=5, comment="c")


def test_contribution_is_editable_by_its_author_until_first_review(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    contribution = services.log_contribution(
        ada, ContributionInput(kind="work", summary="x", hours="1", evidence_text="e")
    )
    edited = ContributionInput(kind="work", summary="better", hours="1.5", evidence_text="e")
    with pytest.raises(Forbidden):
        services.edit_contribution(bo, contribution.pk, edited)
    services.edit_contribution(ada, contribution.pk, edited)
    assert Contribution.objects.get(pk=contribution.pk).hours == Decimal("1.5")
    services.submit_review(bo, contribution.pk, rating=4, comment="ok")
    with pytest.raises(Conflict, match="reviewed"):
        services.edit_contribution(ada, contribution.pk, edited)


def test_members_who_left_cannot_claim_or_log(make_member) -> None:
    from commonshare.community.services import leave

    ada, bo = make_member("Ada"), make_member("Bo")
    task = services.create_task(bo, title="T", estimate_hours="1")
    leave(ada)
    with pytest.raises(Forbidden):
        services.claim_task(ada, task.pk)
    contribution = services.log_contribution(
        bo, ContributionInput(kind="work", summary="x", hours="1", evidence_text="e")
    )
    assert not contribution.assignments.exists()  # those who left are not drawn


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"kind": "work", "hours": "1", "amount": "5"}, "amount"),
        ({"kind": "work", "hours": "1", "currency": "EUR"}, "currency"),
        ({"kind": "work", "hours": "1", "units": "2"}, "units"),
        ({"kind": "deliverable", "units": "1", "hours": "2"}, "hours"),
        (
            {
                "kind": "expense",
                "amount": "5",
                "currency": "EUR",
                "hours": "1",
                "receipt": SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
            },
            "hours",
        ),
    ],
)
def test_fields_that_do_not_apply_to_the_kind_are_refused(
    make_member, given: dict, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.log_contribution(
            make_member(), ContributionInput(summary="S", evidence_text="e", **given)
        )
    assert (field, caught.value.message) in [
        (f, m) for f, m in caught.value.problems if "does not apply" in m
    ]
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("field", ["receipt", "evidence_file"])
def test_empty_files_are_refused(make_member, field: str) -> None:
    given = {
        "kind": "expense",
        "amount": "5",
        "currency": "EUR",
        "receipt": SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
        field: SimpleUploadedFile("empty.pdf", b""),
    }
    with pytest.raises(InvalidInput) as caught:
        services.log_contribution(make_member(), ContributionInput(summary="S", **given))
    assert caught.value.field == field
    assert "is empty (0 bytes)" in caught.value.message
    assert not Contribution.objects.exists()


def test_an_expense_in_a_code_that_is_not_money_is_refused(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.log_contribution(
            make_member(),
            ContributionInput(
                kind="expense",
                summary="Gold",
                amount="5",
                currency="XAU",
                receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
            ),
        )
    assert caught.value.field == "currency"
    assert not Contribution.objects.exists()


def test_a_contribution_reports_every_problem_at_once_in_plain_words(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.log_contribution(
            make_member(),
            ContributionInput(
                kind="work", summary="", hours="0", amount="5", evidence_url="ftp://x"
            ),
        )
    assert dict(caught.value.problems) == {
        "amount": "Amount does not apply to work; leave it empty.",
        "summary": "Summary is required.",
        "evidence_url": "The evidence link must be a full http(s) link.",
        "hours": "Hours must be more than 0 and at most 1,000.",
    }
    assert (caught.value.field, caught.value.message) == caught.value.problems[0]


def test_task_creation_reports_every_problem_at_once(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_task(make_member(), title="", estimate_hours="20000")
    assert dict(caught.value.problems) == {
        "title": "Title is required.",
        "estimate_hours": "The estimate must be more than 0 and at most 10,000.",
    }
