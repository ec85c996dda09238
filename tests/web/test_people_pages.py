"""The profile pages, /about/, and the profile over the API and the command line."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from commonshare.cli import main
from commonshare.community import services
from commonshare.community.models import Member
from commonshare.community.services import ProfileInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PROFILE = {
    "display_name": "Ada Lovelace",
    "pronouns": "she/her",
    "bio": "I write **notes**.",
    "skills": "Python, design,  python",
    "links": "https://ada.example.org\nhttps://notes.example.org/ada",
    "time_zone": "Europe/London",
    "availability": "around 5 h/week",
}


def test_the_profile_form_saves_every_field_and_the_page_shows_them(make_member: Any) -> None:
    ada = make_member("Ada")
    client = Client()
    client.force_login(ada)
    assert client.post("/me/edit/", PROFILE).status_code == 302
    page = client.get(f"/members/{ada.pk}/").content.decode()
    for shown in ("Ada Lovelace", "(she/her)", "<strong>notes</strong>", "Europe/London"):
        assert shown in page
    assert "<li>Python</li>" in page and "<li>design</li>" in page and "<li>python</li>" not in page
    assert "around 5 h/week" in page
    assert 'href="https://ada.example.org" rel="nofollow noopener"' in page  # level 2
    assert "Reviews given" in page and "Decisions voted on" in page
    assert f'href="/contributions/?author={ada.pk}">0</a>' in page
    edit = client.get("/me/edit/").content.decode()
    assert "Python, design" in edit and "https://notes.example.org/ada" in edit


def test_a_new_accounts_links_are_marked_ugc(make_member: Any) -> None:
    fresh = make_member("Fresh", level=0)
    services.update_profile(fresh, ProfileInput(links=["https://spam.example.org"]))
    page = Client().get(f"/members/{fresh.pk}/").content.decode()
    assert 'href="https://spam.example.org" rel="nofollow ugc noopener"' in page


def test_bad_profile_input_is_listed_at_the_top_and_changes_nothing(make_member: Any) -> None:
    make_member("Bo")
    ada = make_member("Ada")
    client = Client()
    client.force_login(ada)
    bad = {**PROFILE, "display_name": "BO", "links": "javascript:alert(1)", "time_zone": "Moon"}
    answer = client.post("/me/edit/", bad)
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "Error: Edit profile" in text
    assert 'href="#id_links"' in text and 'href="#id_time_zone"' in text
    assert "is not one we know" in text
    assert Member.objects.get(pk=ada.pk).display_name == "Ada"
    taken = client.post("/me/edit/", {**PROFILE, "display_name": "bo"}).content.decode()
    assert "Another member already has this display name" in taken
    assert 'href="#id_display_name"' in taken


def test_sign_up_refuses_a_taken_or_hidden_name_on_the_page(make_member: Any) -> None:
    make_member("Ada")
    body = {"email": "x@example.org", "password": "a long pass phrase 42"}
    taken = Client().post("/signup/", {**body, "display_name": "ＡＤＡ"}).content.decode()
    assert "Another member already has this display name" in taken
    hidden = Client().post("/signup/", {**body, "display_name": "Zo\u200be"}).content.decode()
    assert "invisible characters" in hidden
    assert not Member.objects.filter(email="x@example.org").exists()


def test_the_about_page_tells_how_the_community_works(make_member: Any) -> None:
    make_member("Ada")
    page = Client().get("/about/").content.decode()
    assert page.count("<li><strong>") == 5
    for step in ("Join.", "Claim work.", "Get reviewed.", "Get paid.", "Decide together."):
        assert step in page
    assert "<dt>Members</dt><dd>1</dd>" in page
    assert "<dt>Contributions</dt><dd>0</dd>" in page
    assert "never change pay" in page
    assert "partner" not in page.lower()


def test_the_about_page_shows_the_adopted_purpose(make_member: Any) -> None:
    from commonshare.governance.models import NormVersion
    from commonshare.governance.vocab import PURPOSE

    make_member("Ada")
    if not NormVersion.objects.filter(kind=PURPOSE).exists():
        pytest.fail("the site starts with a purpose norm")
    newest = NormVersion.objects.filter(kind=PURPOSE).order_by("-number").first()
    assert newest is not None
    page = Client().get("/about/").content.decode()
    assert f"version {newest.number} of the purpose" in page
    first_words = newest.text.split("\n")[0].lstrip("# ").strip()[:20]
    assert first_words in page


def test_the_api_patches_the_new_fields_and_refuses_bad_ones(make_member: Any) -> None:
    make_member("Bo")
    ada = make_member("Ada")
    _, token = services.create_token(ada, name="t")
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}

    def patch(body: dict[str, Any]) -> Any:
        return client.patch("/api/members/me", body, content_type="application/json", headers=auth)

    done = patch({"skills": ["Python"], "time_zone": "Asia/Tokyo", "pronouns": "they/them"})
    assert done.status_code == 200, done.content
    assert done.json()["skills"] == ["Python"] and done.json()["display_name"] == "Ada"
    assert patch({"links": ["ftp://x"]}).json()["field"] == "links"
    assert patch({"time_zone": "Tokyo"}).json()["field"] == "time_zone"
    taken = patch({"display_name": "b\u043e"})  # Latin b, Cyrillic o: mixed look-alike
    assert taken.status_code == 422 and taken.json()["field"] == "display_name"
    clash = patch({"display_name": "BO"})
    assert clash.status_code == 409 and clash.json()["field"] == "display_name"
    assert patch({"skills": "Python"}).status_code == 422  # a list, not a string
    fresh = Member.objects.get(pk=ada.pk)
    assert (fresh.time_zone, fresh.links, fresh.display_name) == ("Asia/Tokyo", [], "Ada")
    public = client.get(f"/api/members/{ada.pk}").json()
    assert public["pronouns"] == "they/them" and "email" not in public


def test_the_cli_edits_and_shows_a_profile(make_member: Any) -> None:
    ada = make_member("Ada")
    runner = CliRunner()
    done = runner.invoke(
        main,
        [
            *("member", "profile", "--skill", "Python", "--skill", "design"),
            *("--time-zone", "Europe/Lisbon", "--availability", "around 5 h/week"),
            *("--as", ada.email),
        ],
    )
    assert done.exit_code == 0, done.output
    shown = runner.invoke(main, ["member", "show", str(ada.pk)])
    assert "Skills: Python, design" in shown.output
    assert "Time zone: Europe/Lisbon" in shown.output
    bad = runner.invoke(main, ["member", "profile", "--time-zone", "Mars", "--as", ada.email])
    assert bad.exit_code == 2
    assert "is not one we know" in bad.output
    assert Member.objects.get(pk=ada.pk).time_zone == "Europe/Lisbon"


def test_thanks_received_are_paged_on_the_profile(make_member: Any) -> None:
    from commonshare.work import services as work
    from commonshare.work.models import Thanks

    ada = make_member("Ada")
    thankers = [make_member(f"Fan {i}") for i in range(3)]
    done = work.log_contribution(
        ada, work.ContributionInput(kind="work", summary="Docs", hours="1", evidence_text="e")
    )
    Thanks.objects.bulk_create(
        Thanks(thanked_by=fan, member=ada, contribution=done, note=f"note {i}")
        for i, fan in enumerate(thankers)
    )
    extra = [
        Thanks(thanked_by=fan, member=ada, contribution=other, note="more")
        for fan in thankers
        for other in [
            work.log_contribution(
                ada, work.ContributionInput(kind="work", summary="W", hours="1", evidence_text="e")
            )
            for _ in range(7)
        ]
    ]
    Thanks.objects.bulk_create(extra)  # 3 + 21 thanks: two pages of 20
    client = Client()
    first = client.get(f"/members/{ada.pk}/").content.decode()
    assert first.count("thanked Ada for") == 20
    assert "thanks=" in first
    cursor = first.split("thanks=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    second = client.get(f"/members/{ada.pk}/?thanks={cursor}").content.decode()
    assert second.count("thanked Ada for") == 4
