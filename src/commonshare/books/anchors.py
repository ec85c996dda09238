"""Heads of the journal published elsewhere, read back for ``books verify``.

A list of anchors is text with one ``SEQ:HASH`` per line (blank lines and
lines starting with ``#`` are skipped), kept in a file or served at an
http(s) URL: the setting ``COMMONSHARE_ANCHORS`` names it. Only the standard
library fetches it, with a timeout; anything wrong is a clear refusal that
names the setting.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from commonshare.errors import InvalidInput

FIELD = "COMMONSHARE_ANCHORS"
TIMEOUT_SECONDS = 10
MAX_BYTES = 1_000_000
_ANCHOR = re.compile(r"(\d+):([0-9a-fA-F]{64})")


def parse(text: str, *, where: str = "anchor", field: str = "anchor") -> dict[int, str]:
    """``{seq: hash}`` from ``SEQ:HASH`` lines; a malformed or contradictory line is refused."""
    anchors: dict[int, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ANCHOR.fullmatch(line)
        if match is None:
            raise InvalidInput(
                f"{where}, line {number}: give SEQ:HASH (the entry's number, a colon and its "
                f"64-character hash), not {line[:80]!r}.",
                field=field,
            )
        seq, digest = int(match[1]), match[2].lower()
        if anchors.get(seq, digest) != digest:
            raise InvalidInput(f"{where}: two hashes given for entry {seq}.", field=field)
        anchors[seq] = digest
    return anchors


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
