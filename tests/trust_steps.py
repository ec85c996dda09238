"""Steps the trust-level property tests take at random: work logged, a review given."""

from __future__ import annotations

import random
from decimal import Decimal

from commonshare.work.models import Contribution, Review
from commonshare.work.vocab import ContributionKind


def contribution(author: int, hours: int) -> Contribution:
    return Contribution.objects.create(
        author_id=author, kind=ContributionKind.WORK, summary="Work", hours=Decimal(hours)
    )


def review_at_random(rng: random.Random, work: list[Contribution], members: list[int]) -> None:
    """A review of one piece of ``work`` by a member who is not its author and has not
    reviewed it yet (nothing when nobody is left)."""
    piece = rng.choice(work)
    done = set(piece.reviews.values_list("reviewer_id", flat=True))
    free = [m for m in members if m != piece.author_id and m not in done]
    if free:
        Review.objects.create(
            contribution=piece, reviewer_id=rng.choice(free), rating=rng.randint(0, 5)
        )
