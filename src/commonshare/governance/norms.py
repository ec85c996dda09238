"""Adopting a norm: the checks a proposed text must pass, and the write of its next version.

A norm changes only when a decision adopts it. No page, route or command writes one:
the decisions app calls ``check_norm_change`` when a proposal to adopt or amend a norm is
made (so a bad text is refused before anyone votes), and ``_adopt_norm`` inside its own
close action, whose one audit event names the version it wrote. ``_adopt_norm`` records
no event itself: it is the private helper of that action, and actions never nest.

The text is Markdown, shown through the web's safe renderer (``web/text.py``: raw HTML is
shown as text, unsafe links dropped), so any text renders; what is checked here is what
can be checked below the web: that there is a text, that it fits, and that it names its
kind well.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from commonshare.audit.actions import ActionError
from commonshare.core.norms import SLUG, first_paragraph, norm_sha256, normalised, text_problems
from commonshare.errors import Conflict, InvalidInput, Problem
from commonshare.governance.models import NormVersion
from commonshare.governance.vocab import NORM_KIND_MAX, NORM_TEXT_MAX, NORM_TITLE_MAX, PURPOSE


def _kind_problems(kind: object) -> list[Problem]:
    if not isinstance(kind, str) or not SLUG.match(kind) or len(kind) > NORM_KIND_MAX:
        return [
            (
                "kind",
                "Name the kind of norm by a short name of lower-case letters, digits and "
                f"hyphens, starting with a letter (at most {NORM_KIND_MAX} characters), "
                "such as code-of-conduct.",
            )
        ]
    return []


def _title_problems(title: object, latest: NormVersion | None) -> list[Problem]:
    if title is None:
        if latest is None:
            return [("title", "A norm of a new kind needs a title: say what the norm is called.")]
        return []
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > NORM_TITLE_MAX:
        return [("title", f"Give the norm a title of 1 to {NORM_TITLE_MAX} characters.")]
    return []


def _latest(kind: object) -> NormVersion | None:
    if not isinstance(kind, str):
        return None
    return NormVersion.objects.filter(kind=kind).order_by("-number").first()


def _problems(
    kind: object, text: object, title: object
) -> tuple[list[Problem], NormVersion | None]:
    found = _kind_problems(kind)
    latest = None if found else _latest(kind)
    found += [("text", message) for message in text_problems(text, limit=NORM_TEXT_MAX)]
    if not found and kind == PURPOSE and isinstance(text, str) and not first_paragraph(text):
        found.append(
            (
                "text",
                "The purpose must open with a paragraph, not only headings: the home page "
                "states that paragraph.",
            )
        )
    if not found or found[0][0] != "kind":
        found += _title_problems(title, latest)
    return found, latest


def check_norm_change(kind: str, text: str, *, title: str | None = None) -> list[Problem]:
    """Every problem of adopting ``text`` as the next version of the norm ``kind``, each as
    ``(field, sentence)`` (``kind``, ``text`` or ``title``); none when it may be proposed.

    A new kind (a slug no norm has yet) needs a ``title``; an existing kind keeps its
    title unless one is given. A text that changes nothing (the same text and title as the
    version in force) is a problem too: a proposal must change the norm.
    """
    found, latest = _problems(kind, text, title)
    if not found and latest is not None and isinstance(text, str):
        same_title = title is None or title.strip() == latest.title
        if same_title and normalised(text) == latest.text:
            found.append(
                (
                    "text",
                    f"The text is the same as version {latest.number} of "
                    f"“{latest.title}”, in force now: a change must change something.",
                )
            )
    return found


def _adopt_norm(
    kind: str, text: str, *, title: str | None = None, decision_number: int
) -> NormVersion:
    """Write the next version of the norm ``kind``: ``text`` (Markdown, stored normalised:
    ``\\n`` line ends, no trailing spaces, one final newline), adopted now by decision
    ``decision_number``. Returns the version written.

    Records no audit event: call it only inside the action that closes the decision, in
    its transaction; that action's one event names the version. The checks are
    ``check_norm_change``'s, except that a text equal to the one in force is adopted all
    the same (a passed decision's action runs whatever was adopted meanwhile).
    """
    found, latest = _problems(kind, text, title)
    if (
        isinstance(decision_number, bool)
        or not isinstance(decision_number, int)
        or (decision_number < 1)
    ):
        found.append(
            ("decision_number", "Name the decision that adopts the norm by its number (1 or more).")
        )
    if found:
        raise InvalidInput.of(found)
    if not connection.in_atomic_block:
        raise ActionError(
            "_adopt_norm writes without an audit event: call it inside the action whose "
            "one event names the norm it adopts."
        )
    body = normalised(text)
    with transaction.atomic():
        latest = _latest(kind)
        number = latest.number + 1 if latest else 1
        chosen = title.strip() if title is not None else latest.title if latest else ""
        try:
            with transaction.atomic():
                return NormVersion.objects.create(
                    kind=kind,
                    number=number,
                    title=chosen,
                    text=body,
                    sha256=norm_sha256(kind=kind, number=number, title=chosen, text=body),
                    decision_number=decision_number,
                )
        except IntegrityError:
            raise Conflict(
                f"Another version of the norm {kind} was adopted at the same moment."
            ) from None
