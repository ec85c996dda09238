"""Profiles and the one display-name rule, through the service every door calls."""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.conftest import PASSWORD

from commonshare.audit.models import AuditEvent
from commonshare.community import services
from commonshare.community.models import Member
from commonshare.community.services import ProfileInput
from commonshare.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _join(name: str, email: str | None = None) -> Member:
    address = email or f"{abs(hash(name))}@example.org"
    return services.join(email=address, display_name=name, password=PASSWORD)


def test_every_profile_field_is_saved_through_the_one_action(make_member: Any) -> None:
    ada = make_member("Ada")
    saved = services.update_profile(
        ada,
        ProfileInput(
            pronouns=" she/her ",
            skills=["Python", "design", " python ", ""],
            links=["https://ada.example.org", "http://blog.example.org/a"],
            time_zone="Europe/Lisbon",
            availability="around 5 h/week",
        ),
    )
    ada.refresh_from_db()
    assert (ada.pronouns, ada.time_zone, ada.availability) == (
        "she/her",
        "Europe/Lisbon",
        "around 5 h/week",
    )
    assert ada.skills == ["Python", "design"]  # the same skill twice is kept once
    assert ada.links == ["https://ada.example.org", "http://blog.example.org/a"]
    assert saved.display_name == "Ada"  # left out: kept
    event = AuditEvent.objects.get(code="community.member.updated")
    assert event.data["fields"] == ["availability", "links", "pronouns", "skills", "time_zone"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (ProfileInput(links=["javascript:alert(1)"]), "links"),
        (ProfileInput(links=["ftp://example.org/file"]), "links"),
        (ProfileInput(links=["example.org"]), "links"),
        (ProfileInput(links=[f"https://example.org/{i}" for i in range(6)]), "links"),
        (ProfileInput(time_zone="Mars/Olympus"), "time_zone"),
        (ProfileInput(time_zone="europe/lisbon"), "time_zone"),
        (ProfileInput(skills=["x" * 41]), "skills"),
        (ProfileInput(skills=[f"skill {i}" for i in range(21)]), "skills"),
        (ProfileInput(pronouns="x" * 41), "pronouns"),
        (ProfileInput(pronouns="she\u202eher"), "pronouns"),
        (ProfileInput(availability="y" * 61), "availability"),
        (ProfileInput(bio="b" * 4001), "bio"),
    ],
)
def test_bad_profile_input_names_the_field_and_changes_nothing(
    make_member: Any, given: ProfileInput, field: str
) -> None:
    ada = make_member("Ada")
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.update_profile(ada, given)
    assert caught.value.field == field
    assert caught.value.message[0].isupper() and caught.value.message.endswith(".")
    fresh = Member.objects.get(pk=ada.pk)
    assert (fresh.links, fresh.time_zone, fresh.skills, fresh.pronouns) == ([], "", [], "")
    assert AuditEvent.objects.count() == before


def test_every_problem_is_reported_at_once(make_member: Any) -> None:
    ada = make_member("Ada")
    with pytest.raises(InvalidInput) as caught:
        services.update_profile(ada, ProfileInput(links=["nope"], time_zone="Nowhere"))
    assert {field for field, _ in caught.value.problems} == {"links", "time_zone"}


@pytest.mark.parametrize(
    "copy",
    [
        "Ada Lovelace",
        "ada lovelace",
        "ADA  LOVELACE",
        "\uff21\uff44\uff41 Lovelace",  # fullwidth letters: the same after NFKC
        "Ada Lovelace ",
        "Ada Love1ace",  # a digit one for a small L
    ],
)
def test_a_current_members_name_cannot_be_taken_at_sign_up(copy: str) -> None:
    _join("Ada Lovelace", "ada@example.org")
    with pytest.raises(Conflict) as caught:
        _join(copy, "other@example.org")
    assert caught.value.field == "display_name"
    assert Member.objects.count() == 1


def test_a_look_alike_in_another_alphabet_is_refused() -> None:
    _join("Apa", "apa@example.org")
    with pytest.raises(Conflict, match="looks the same"):
        _join("\u0410\u0440\u0430", "cyrillic@example.org")  # Cyrillic capital a, small er, small a


@pytest.mark.parametrize(
    "name",
    ["Ada\u200b", "\u200dBo", "Cy\u202e", "Di\u2066x", "\u3164", "E\u00adve", "P\u0430ul"],
)
def test_invisible_bidi_and_mixed_look_alike_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _join(name)
    assert caught.value.field == "display_name"
    assert not Member.objects.exists()


def test_profile_edit_uses_the_same_rule(make_member: Any) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    with pytest.raises(Conflict):
        services.update_profile(bo, display_name="ADA", bio="")
    with pytest.raises(InvalidInput):
        services.update_profile(bo, display_name="B\u200bo", bio="")
    # one's own name in another case is no one else's
    services.update_profile(ada, display_name="ADA", bio="")
    assert Member.objects.get(pk=ada.pk).display_name == "ADA"
    assert Member.objects.get(pk=bo.pk).display_name == "Bo"


def test_a_member_who_left_does_not_hold_their_name(make_member: Any) -> None:
    ada = make_member("Ada")
    services.leave(ada)
    newcomer = _join("Ada", "new.ada@example.org")
    assert newcomer.display_name == "Ada"


def test_names_shared_before_the_rule_keep_working(make_member: Any) -> None:
    """Two members who already shared a name (from before the rule) can still edit the rest
    of their profile, and the migration's fill gives both the same keys without failing."""
    ada, other = make_member("Ada"), make_member("Someone")
    Member.objects.filter(pk=other.pk).update(display_name="Ada", name_fold="", name_look="")
    migration = importlib.import_module(
        "commonshare.community.migrations.0004_profile_fields_and_name_keys"
    )
    migration.fill_name_keys(django_apps, None)
    other.refresh_from_db()
    assert (other.name_fold, other.name_look) == (ada.name_fold, ada.name_look)
    services.update_profile(other, ProfileInput(bio="Still here", display_name="Ada"))
    assert Member.objects.get(pk=other.pk).bio == "Still here"


names = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Nd"], max_codepoint=0x2FF),
    min_size=1,
    max_size=12,
)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=names, second=names)
def test_two_current_members_never_share_a_folded_name(db: Any, first: str, second: str) -> None:
    from django.utils import timezone

    Member.objects.update(left_at=timezone.now())  # earlier examples' members left
    run = Member.objects.count()
    joined = []
    for i, name in enumerate((first, second, first.upper(), second.swapcase())):
        with contextlib.suppress(Conflict, InvalidInput):
            joined.append(_join(name, f"m{run}.{i}@example.org"))
    folds = [m.name_fold for m in Member.objects.filter(left_at__isnull=True)]
    looks = [m.name_look for m in Member.objects.filter(left_at__isnull=True)]
    assert len(folds) == len(set(folds))
    assert len(looks) == len(set(looks))
    assert joined, "the first name of letters is always accepted"
