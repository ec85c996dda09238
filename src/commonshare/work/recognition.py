"""Recognition: a member thanks another for one contribution or one review.

A thank-you is public and shown on both members' pages and on the item. It never moves
pay: valuation reads only contributions and the drawn reviews of them, never this table,
so a circle of friends thanking each other earns nothing by it (docs/recognition.md).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.work.models import Contribution, Review, Thanks
from commonshare.work.vocab import THANKS_NOTE_MAX

NOT_PAY = (
    "Thanks are recognition only: they never change anyone's pay, which comes only from "
    "the reviews drawn at random."
)


def _item(contribution_id: int | None, review_id: int | None) -> Contribution | Review:
    if (contribution_id is None) == (review_id is None):
        raise InvalidInput("Say what you thank them for: one contribution or one review.")
    if contribution_id is not None:
        found = Contribution.objects.select_related("author").filter(pk=contribution_id).first()
        if found is None:
            raise NotFound(f"No contribution with id {contribution_id}.", field="contribution")
        return found
    review = Review.objects.select_related("reviewer").filter(pk=review_id or 0).first()
    if review is None:
        raise NotFound(f"No review with id {review_id}.", field="review")
    return review


@action
def thank(
    member: Member,
    *,
    contribution_id: int | None = None,
    review_id: int | None = None,
    note: str = "",
) -> Thanks:
    """Thank the author of a contribution, or the reviewer of a review: once per item."""
    ensure_may_act(member, doing="thank other members")
    item = _item(contribution_id, review_id)
    note = (note or "").strip()
    if len(note) > THANKS_NOTE_MAX:
        raise InvalidInput(
            f"A thank-you note has at most {THANKS_NOTE_MAX} characters.", field="note"
        )
    is_review = isinstance(item, Review)
    thanked = item.reviewer if is_review else item.author  # type: ignore[union-attr]
    if thanked.pk == member.pk:
        raise Forbidden(
            "You cannot thank yourself for your own review."
            if is_review
            else "You cannot thank yourself for your own contribution."
        )
    fields = {"review": item} if is_review else {"contribution": item}
    what = "review" if is_review else "contribution"
    taken = Conflict(f"You have already thanked {thanked.display_name} for this {what}.")
    if Thanks.objects.filter(thanked_by=member, **fields).exists():
        raise taken
    try:
        with transaction.atomic():
            thanks = Thanks.objects.create(thanked_by=member, member=thanked, note=note, **fields)
            record(
                "work.thanks.given",
                thanks,
                actor=member,
                member=thanked.pk,
                member_name=thanked.display_name,
                **{what: item.pk},
            )
    except IntegrityError:
        raise taken from None
    return thanks
