"""A member's reviews still to do: each assignment says when it was reviewed, so that the
list (the bell, /reviews/) reads only the open ones; the review stays the truth."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection

from commonshare.work import services as work
from commonshare.work.models import Review, ReviewAssignment
from commonshare.work.selectors import reviews_waiting_for

pytestmark = pytest.mark.django_db

migration = importlib.import_module("commonshare.work.migrations.0013_assignment_reviewed_at")


def _logged(author: Any, summary: str) -> Any:
    return work.log_contribution(
        author, work.ContributionInput(kind="work", summary=summary, hours="1", evidence_text="x")
    )


def test_a_review_marks_its_assignment_and_leaves_the_list(make_member: Any) -> None:
    ada, ben = make_member("Ada"), make_member("Ben")
    first, second = _logged(ada, "Fixed the door"), _logged(ada, "Oiled the hinges")
    assert [a.contribution_id for a in reviews_waiting_for(ben)] == [first.pk, second.pk]

    review = work.submit_review(ben, first.pk, rating=4, comment="Works now.")
    assignment = ReviewAssignment.objects.get(contribution=first, reviewer=ben)
    assert assignment.reviewed_at == review.created_at
    assert [a.contribution_id for a in reviews_waiting_for(ben)] == [second.pk]
    assert ReviewAssignment.objects.get(contribution=second, reviewer=ben).reviewed_at is None


def test_a_review_recorded_without_the_mark_still_takes_it_off_the_list(
    make_member: Any,
) -> None:
    ada, ben = make_member("Ada"), make_member("Ben")
    piece = _logged(ada, "Fixed the door")
    Review.objects.create(contribution=piece, reviewer=ben, rating=3, comment="Fine.")
    assert not reviews_waiting_for(ben).exists()


def test_the_migration_marks_the_assignments_already_reviewed(make_member: Any) -> None:
    ada, ben = make_member("Ada"), make_member("Ben")
    done, open_one = _logged(ada, "Fixed the door"), _logged(ada, "Oiled the hinges")
    review = work.submit_review(ben, done.pk, rating=4, comment="Works now.")
    ReviewAssignment.objects.update(reviewed_at=None)  # as before the column existed
    with connection.cursor() as cursor:
        cursor.execute(migration.MARK_REVIEWED)
    marked = dict(ReviewAssignment.objects.values_list("contribution_id", "reviewed_at"))
    assert marked == {done.pk: review.created_at, open_one.pk: None}
