"""Thanks: public, once per item and thanking member, never one's own, and never pay."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from commonshare.audit.models import AuditEvent
from commonshare.books.distribution import valuation_request
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.governance.selectors import current_policy
from commonshare.web.activity import describe
from commonshare.work import recognition
from commonshare.work import services as work
from commonshare.work.models import Thanks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reviewed(make_member: Any) -> Any:
    """Ada's contribution, reviewed by Bo (the only other member who may review); Cy is new."""
    ada, bo = make_member("Ada"), make_member("Bo")
    done = work.log_contribution(
        ada, work.ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="wiki")
    )
    review = work.submit_review(bo, done.pk, rating=5, comment="Clear")
    cy = make_member("Cy", level=0)
    return type("World", (), {"ada": ada, "bo": bo, "cy": cy, "done": done, "review": review})


def test_a_member_thanks_the_author_and_the_reviewer_once_each(reviewed: Any) -> None:
    w = reviewed
    given = recognition.thank(w.cy, contribution_id=w.done.pk, note="Helped me")
    assert (given.member_id, given.thanked_by_id) == (w.ada.pk, w.cy.pk)
    for_review = recognition.thank(w.ada, review_id=w.review.pk)
    assert for_review.member_id == w.bo.pk
    with pytest.raises(Conflict, match="already thanked Ada"):
        recognition.thank(w.cy, contribution_id=w.done.pk)
    with pytest.raises(Conflict, match="already thanked Bo"):
        recognition.thank(w.ada, review_id=w.review.pk)
    recognition.thank(w.bo, contribution_id=w.done.pk)  # another member may, once too
    assert Thanks.objects.count() == 3
    event = AuditEvent.objects.filter(code="work.thanks.given").first()
    assert event is not None
    sentence = str(describe(event)["sentence"])
    assert sentence.startswith("thanked ") and "work.thanks" not in sentence
    assert f'<a href="/members/{w.ada.pk}/">Ada</a>' in sentence


def test_nobody_thanks_themself(reviewed: Any) -> None:
    w = reviewed
    with pytest.raises(Forbidden, match="own contribution"):
        recognition.thank(w.ada, contribution_id=w.done.pk)
    with pytest.raises(Forbidden, match="own review"):
        recognition.thank(w.bo, review_id=w.review.pk)
    assert not Thanks.objects.exists()


def test_bad_thanks_say_what_is_wrong(reviewed: Any) -> None:
    w = reviewed
    with pytest.raises(InvalidInput, match="one contribution or one review"):
        recognition.thank(w.cy)
    with pytest.raises(InvalidInput):
        recognition.thank(w.cy, contribution_id=w.done.pk, review_id=w.review.pk)
    with pytest.raises(NotFound) as missing:
        recognition.thank(w.cy, contribution_id=999_999)
    assert missing.value.field == "contribution"
    with pytest.raises(InvalidInput) as long:
        recognition.thank(w.cy, contribution_id=w.done.pk, note="x" * 501)
    assert long.value.field == "note"
    community.leave(w.cy)
    with pytest.raises(Forbidden, match="rejoin to thank"):
        recognition.thank(w.cy, contribution_id=w.done.pk)
    assert not Thanks.objects.exists()


def test_thanks_never_change_what_a_distribution_would_pay(reviewed: Any) -> None:
    w = reviewed

    def request() -> Any:
        return valuation_request(
            period_end=timezone.localdate(),
            currency="EUR",
            minor=100_000,
            seed="recognition",
            policy=current_policy(),
        )

    before = request()
    assert before.contributions, "the reviewed contribution is valued"
    recognition.thank(w.cy, contribution_id=w.done.pk, note="Great")
    recognition.thank(w.ada, review_id=w.review.pk, note="Fair review")
    assert request() == before


def test_thanks_show_on_the_item_and_on_the_profile(reviewed: Any) -> None:
    w = reviewed
    client = Client()
    client.force_login(w.cy)
    page = client.get(f"/contributions/{w.done.pk}/").content.decode()
    assert "Thank Ada" in page and "Thank Bo for their review" in page
    assert "never change pay" in page
    sent = client.post(f"/contributions/{w.done.pk}/thank/", {"note": "Saved my day"})
    assert sent.status_code == 302 and sent["Location"].endswith("#thanks")
    again = client.post(f"/contributions/{w.done.pk}/thank/", {"note": ""}, follow=True)
    assert "You have already thanked Ada for this contribution." in again.content.decode()
    client.post(f"/reviews/{w.review.pk}/thank/")
    page = client.get(f"/contributions/{w.done.pk}/").content.decode()
    assert "Saved my day" in page and "For the review by Bo" in page
    profile = client.get(f"/members/{w.ada.pk}/").content.decode()
    assert "Cy</a> thanked Ada for the contribution" in profile
    assert "pay comes only from the reviews drawn at random" in profile
    assert Thanks.objects.count() == 2


def test_the_author_sees_no_thank_button_for_their_own_work(reviewed: Any) -> None:
    client = Client()
    client.force_login(reviewed.ada)
    page = client.get(f"/contributions/{reviewed.done.pk}/").content.decode()
    assert "Thank Ada" not in page
    assert "Thank Bo for their review" in page


def test_the_api_and_the_cli_thank_through_the_same_action(reviewed: Any) -> None:
    w = reviewed
    _, token = community.create_token(w.cy, name="t")
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}
    body = {"contribution_id": w.done.pk, "note": "Thanks"}
    made = client.post("/api/thanks", body, content_type="application/json", headers=auth)
    assert made.status_code == 201, made.content
    assert made.json()["member"] == w.ada.pk and made.json()["moves_pay"] is False
    twice = client.post("/api/thanks", body, content_type="application/json", headers=auth)
    assert twice.status_code == 409
    none = client.post("/api/thanks", {}, content_type="application/json", headers=auth)
    assert none.status_code == 422
    listed = client.get(f"/api/members/{w.ada.pk}/thanks").json()
    assert [t["thanked_by"] for t in listed["items"]] == [w.cy.pk]

    result = CliRunner().invoke(
        main, ["thank", "--review", str(w.review.pk), "--note", "Fair", "--as", w.ada.email]
    )
    assert result.exit_code == 0, result.output
    assert "You thanked Bo." in result.output and "never change" in result.output
    own = CliRunner().invoke(main, ["thank", "--review", str(w.review.pk), "--as", w.bo.email])
    assert own.exit_code == 2
    assert "own review" in own.output
