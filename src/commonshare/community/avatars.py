"""Avatars: an uploaded picture checked and re-encoded with Pillow, or generated initials.

An upload is never stored or served as sent. Pillow must recognise it as a PNG, JPEG, GIF
or WebP image (SVG and everything else are refused: an SVG is a document that can carry
scripts); it is decoded only when its header claims a sane number of pixels, scaled to fit
``AVATAR_MAX_SIDE``, and saved anew as PNG, which keeps none of the original's metadata
(EXIF, GPS position, camera, comments). Without an upload a member gets an SVG of their
initials, built from escaped text, in colours that follow from their member number.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.html import escape
from PIL import Image, ImageOps, UnidentifiedImageError

from commonshare.community.vocab import AVATAR_MAX_BYTES, AVATAR_MAX_PIXELS, AVATAR_MAX_SIDE
from commonshare.errors import InvalidInput

ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
FIELD = "avatar"


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str
    width: int
    height: int


def max_bytes() -> int:
    return int(getattr(settings, "AVATAR_MAX_BYTES", AVATAR_MAX_BYTES))


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field=FIELD)


def reencode(upload: IO[bytes], *, size: int | None = None) -> Picture:
    """The upload as a clean PNG, or a refusal naming the picture field."""
    limit = max_bytes()
    raw = upload.read(limit + 1)
    if not raw:
        raise _refuse("Choose a picture to upload: the file is empty.")
    if len(raw) > limit or (size is not None and size > limit):
        raise _refuse(f"The picture is too large: at most {limit // 1024:,} KB, please.")
    if raw.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in raw[:1024].lower():
        raise _refuse("SVG pictures are not accepted. Upload a PNG, JPEG, GIF or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
            if image.width * image.height > AVATAR_MAX_PIXELS:
                raise _refuse("The picture has too many pixels. Upload a smaller image.")
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep it upright, then drop the EXIF
            upright.thumbnail((AVATAR_MAX_SIDE, AVATAR_MAX_SIDE))
            clean = upright.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(
            "This file is not a picture we can read. Upload a PNG, JPEG, GIF or WebP image."
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("The picture has too many pixels. Upload a smaller image.") from None
    out = io.BytesIO()
    # A fresh image: only the pixels are copied, never the original's info or metadata.
    fresh = Image.new("RGBA", clean.size)
    fresh.paste(clean)
    fresh.save(out, format="PNG", optimize=True)
    return Picture(out.getvalue(), "image/png", fresh.width, fresh.height)


def initials(name: str) -> str:
    """Up to two letters: the first of the first and of the last word."""
    words = [w for w in name.split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def colours(member_id: int) -> tuple[str, str]:
    """A background and a text colour that depend only on the member's number; the text is
    white on a hue darkened enough for a contrast ratio above 4.5."""
    digest = hashlib.sha256(f"avatar:{member_id}".encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    return f"hsl({hue} 55% 30%)", "#ffffff"


def initials_svg(member_id: int, name: str) -> str:
    """An SVG of the member's initials; the text is escaped, nothing else is variable."""
    background, text = colours(member_id)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" '
        f'role="img" aria-label="{escape(name)}">'
        f'<rect width="64" height="64" fill="{background}"/>'
        f'<text x="32" y="41" font-family="sans-serif" font-size="26" text-anchor="middle" '
        f'fill="{text}">{escape(initials(name))}</text></svg>'
    )
