"""Heads of the journal published elsewhere, read back for ``books verify``.

A list of anchors is text with one ``SEQ:HASH`` per line (blank lines and
lines starting with ``#`` are skipped), kept in a file or served at an
http(s) URL: the setting ``COMMONSHARE_ANCHORS`` names it. Only the standard
library fetches it, with a timeout; anything wrong is a clear refusal that
names the setting.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from commonshare.core.ledger.anchors import AnchorError, parse_anchors
from commonshare.errors import InvalidInput

FIELD = "COMMONSHARE_ANCHORS"
TIMEOUT_SECONDS = 10
MAX_BYTES = 1_000_000


def parse(text: str, *, where: str = "anchor", field: str = "anchor") -> dict[int, str]:
    """``{seq: hash}`` from ``SEQ:HASH`` lines; a malformed or contradictory line is refused."""
    try:
        return parse_anchors(text.splitlines(), where=where, numbered=True)
    except AnchorError as error:
        raise InvalidInput(str(error), field=field) from None


def given(values: Iterable[str], *, field: str = "anchor") -> dict[int, str]:
    """``{seq: hash}`` from anchors given one per value (``--anchor``, the API's ``anchor``)."""
    try:
        return parse_anchors(values, where=field)
    except AnchorError as error:
        raise InvalidInput(str(error), field=field) from None


def configured() -> dict[int, str]:
    """The anchors at ``COMMONSHARE_ANCHORS`` (none when it is not set)."""
    location = str(getattr(settings, "COMMONSHARE_ANCHORS", "") or "").strip()
    if not location:
        return {}
    return parse(fetch(location), where=f"{FIELD} ({location})", field=FIELD)


def fetch(location: str) -> str:
    if location.startswith(("http://", "https://")):
        return _from_url(location)
    path = Path(location).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidInput(f"{FIELD}: cannot read {location}: {reason}.", field=FIELD) from None


def _from_url(url: str) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": "commonshare-verify"})  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        raise InvalidInput(
            f"{FIELD}: {url} answered {error.code} {error.reason}.", field=FIELD
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise InvalidInput(f"{FIELD}: cannot fetch {url}: {reason}.", field=FIELD) from None
    if len(body) > MAX_BYTES:
        raise InvalidInput(f"{FIELD}: {url} sent more than {MAX_BYTES} bytes.", field=FIELD)
    try:
        return str(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{FIELD}: {url} did not send UTF-8 text.", field=FIELD) from None
