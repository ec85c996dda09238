"""Avatars: uploads checked and re-encoded with Pillow; initials otherwise; served by number."""

from __future__ import annotations

import io
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.community import avatars, services
from commonshare.community.models import Avatar
from commonshare.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


GPS = 0x8825
MAKE = 0x010F


def photo(width: int = 1600, height: int = 1200, fmt: str = "JPEG") -> bytes:
    """A photo as a camera would save it, with EXIF naming the camera and a place."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = image.getexif()
    exif[MAKE] = "Canon"
    exif[0x0132] = "2026:12:01 10:00:00"
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def test_an_upload_is_re_encoded_as_png_scaled_and_stripped_of_exif(make_member: Any) -> None:
    ada = make_member("Ada")
    raw = photo()
    assert Image.open(io.BytesIO(raw)).getexif()[MAKE] == "Canon"  # the input has EXIF
    saved = services.set_avatar(ada, io.BytesIO(raw))
    stored = Image.open(io.BytesIO(bytes(saved.image)))
    assert stored.format == "PNG"
    assert max(stored.size) == 512 and stored.size == (512, 384)  # aspect kept
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert b"Canon" not in bytes(saved.image)
    assert AuditEvent.objects.filter(code="community.avatar.uploaded").count() == 1


def test_a_small_picture_is_not_enlarged(make_member: Any) -> None:
    saved = services.set_avatar(make_member("Ada"), io.BytesIO(photo(40, 30, "PNG")))
    assert (saved.width, saved.height) == (40, 30)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (SVG, "SVG"),
        (b"<svg onload=alert(1)>", "SVG"),
        (b"%PDF-1.4 not a picture", "not a picture"),
        (b"GIF89a broken", "not a picture"),
        (b"", "empty"),
    ],
)
def test_svg_and_files_that_are_not_pictures_are_refused(
    make_member: Any, content: bytes, words: str
) -> None:
    ada = make_member("Ada")
    with pytest.raises(InvalidInput, match=words) as caught:
        services.set_avatar(ada, io.BytesIO(content))
    assert caught.value.field == "avatar"
    assert not Avatar.objects.exists()
    assert not AuditEvent.objects.filter(code__startswith="community.avatar").exists()


def test_a_file_over_the_limit_is_refused(make_member: Any, settings: Any) -> None:
    settings.AVATAR_MAX_BYTES = 1000
    with pytest.raises(InvalidInput, match="too large") as caught:
        services.set_avatar(make_member("Ada"), io.BytesIO(photo(300, 300, "PNG") + b"\0" * 1000))
    assert caught.value.field == "avatar"
    assert not Avatar.objects.exists()


def test_a_decompression_bomb_is_refused_before_decoding(make_member: Any) -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 100 megapixels, tiny file
    with pytest.raises(InvalidInput, match="too many pixels"):
        services.set_avatar(make_member("Ada"), io.BytesIO(out.getvalue()))


@given(st.integers(min_value=1, max_value=10**12), st.text(max_size=30))
def test_initials_are_escaped_and_colours_deterministic(member_id: int, name: str) -> None:
    svg = avatars.initials_svg(member_id, name)
    assert svg == avatars.initials_svg(member_id, name)
    assert "<script" not in svg
    inner = svg.split(">", 1)[1]
    assert inner.count("<") == 4  # rect, text, /text, /svg and nothing the name smuggled
    assert avatars.colours(member_id) == avatars.colours(member_id)


def test_initials_take_the_first_and_last_words() -> None:
    assert avatars.initials("ada king lovelace") == "AL"
    assert avatars.initials("Bo") == "B"
    assert avatars.initials("   ") == "?"


def test_the_page_serves_initials_then_the_upload_without_a_file_path(make_member: Any) -> None:
    ada = make_member("Ada Lovelace")
    client = Client()
    first = client.get(f"/members/{ada.pk}/avatar/")
    assert first["Content-Type"] == "image/svg+xml"
    assert b">AL</text>" in first.content
    assert "default-src 'none'" in first["Content-Security-Policy"]
    client.force_login(ada)
    upload = SimpleUploadedFile("me.jpg", photo(), content_type="image/jpeg")
    sent = client.post("/me/avatar/", {"avatar": upload})
    assert sent.status_code == 302
    served = client.get(f"/members/{ada.pk}/avatar/")
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (512, 384)
    page = client.get(f"/members/{ada.pk}/").content.decode()
    assert f'src="/members/{ada.pk}/avatar/"' in page
    assert "me.jpg" not in page and "media/" not in page
    assert client.get("/members/999999/avatar/").status_code == 404
    removed = client.post("/me/avatar/", {"remove": "1"})
    assert removed.status_code == 302
    assert client.get(f"/members/{ada.pk}/avatar/")["Content-Type"] == "image/svg+xml"


def test_the_page_names_the_field_when_an_svg_is_sent(make_member: Any) -> None:
    ada = make_member("Ada")
    client = Client()
    client.force_login(ada)
    upload = SimpleUploadedFile("x.svg", SVG, content_type="image/svg+xml")
    answer = client.post("/me/avatar/", {"avatar": upload})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "There is a problem" in text or "error-summary" in text
    assert "SVG pictures are not accepted" in text
    assert 'href="#id_avatar"' in text
    assert not Avatar.objects.exists()


def test_the_api_and_the_cli_upload_through_the_same_check(make_member: Any, tmp_path: Any) -> None:
    ada = make_member("Ada")
    _, token = services.create_token(ada, name="t")
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}
    svg = SimpleUploadedFile("x.svg", SVG, content_type="image/svg+xml")
    refused = client.post("/api/members/me/avatar", {"avatar": svg}, headers=auth)
    assert refused.status_code == 422
    assert refused.json()["field"] == "avatar"
    good = SimpleUploadedFile("a.png", photo(64, 64, "PNG"), content_type="image/png")
    sent = client.post("/api/members/me/avatar", {"avatar": good}, headers=auth)
    assert sent.status_code == 200, sent.content
    assert sent.json()["content_type"] == "image/png"
    assert client.delete("/api/members/me/avatar", headers=auth).status_code == 200
    assert client.delete("/api/members/me/avatar", headers=auth).status_code == 409

    picture = tmp_path / "me.webp"
    picture.write_bytes(photo(100, 50, "WEBP"))
    done = CliRunner().invoke(main, ["member", "avatar", str(picture), "--as", ada.email])
    assert done.exit_code == 0, done.output
    assert "100 × 50" in done.output
    bad = tmp_path / "x.svg"
    bad.write_bytes(SVG)
    failed = CliRunner().invoke(main, ["member", "avatar", str(bad), "--as", ada.email])
    assert failed.exit_code == 2
    assert "SVG pictures are not accepted" in failed.output
