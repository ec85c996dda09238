"""What a thread is on: a subject written as ``kind-number`` (``task-12``, ``proposal-3``,
``topic-5``), the record it names, and the members a mention's handle names.

Records are found by their model's label (``vocab.SUBJECT_KINDS``), as the audit log names
its targets, so this app imports no other app's models and no kind has code of its own.
"""

from __future__ import annotations

import re
import unicodedata

from django.apps import apps
from django.db import models
from django.db.models import Q

from commonshare.community.models import Member
from commonshare.core.discussion import handle_key, handle_of
from commonshare.discussion import vocab
from commonshare.discussion.models import Thread
from commonshare.errors import NotFound

_WRITTEN = re.compile(r"#?([a-z]+)-([1-9][0-9]{0,9})")


def parse(subject: str) -> tuple[str, int]:
    """``("task", 12)`` for ``task-12``; refused with a sentence naming the kinds."""
    match = _WRITTEN.fullmatch((subject or "").strip().lower())
    if match is None or match.group(1) not in vocab.SUBJECT_NAMES:
        kinds = ", ".join(f"{name}-N" for name in vocab.SUBJECT_NAMES)
        raise NotFound(
            f"A thread is on a record written as a kind and a number ({kinds}); "
            f"“{subject}” is not one.",
            field="subject",
        )
    return match.group(1), int(match.group(2))


def record_of(kind: str, number: int) -> models.Model:
    """The record ``kind-number`` names, or NotFound."""
    found = vocab.SUBJECT_KINDS[kind]
    model = apps.get_model(found.model)
    record: models.Model | None = model._default_manager.filter(**{found.key: number}).first()
    if record is None:
        raise NotFound(f"There is no {found.words} {number}.", field="subject")
    return record


def key_of(kind: str, number: int) -> tuple[str, int]:
    """The model label and primary key of the record ``kind-number`` names, or NotFound.

    Only the key is read: a distribution's row, say, carries megabytes of frozen JSON
    that a thread never shows."""
    found = vocab.SUBJECT_KINDS[kind]
    model = apps.get_model(found.model)
    pk = model._default_manager.filter(**{found.key: number}).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound(f"There is no {found.words} {number}.", field="subject")
    return model._meta.label_lower, pk


def written_of(record: models.Model) -> str:
    """How a thread's record is written (``task-12``); the kind is found by its label."""
    if isinstance(record, Thread) and record.is_topic:
        return record.reference
    label = record._meta.label_lower
    for kind in vocab.SUBJECT_KINDS.values():
        if kind.model == label:
            return f"{kind.name}-{getattr(record, kind.key)}"
    raise NotFound("Records of this kind have no discussion.", field="subject")


def members_by_handle(handles: list[str]) -> dict[str, list[int]]:
    """Current members whose handle is one of ``handles``, by the handle's compared form.

    Only names starting with a handle's first letter are read, so a mention costs a narrow
    query rather than a walk of every member.
    """
    wanted = {handle_key(handle) for handle in handles}
    starts = {unicodedata.normalize("NFKC", handle)[:1] for handle in handles}
    narrow = Q()
    for start in starts:
        narrow |= Q(display_name__istartswith=start)
    found: dict[str, list[int]] = {}
    for pk, name in Member.objects.filter(narrow, left_at=None).values_list("pk", "display_name"):
        key = handle_key(handle_of(name))
        if key in wanted:
            found.setdefault(key, []).append(pk)
    return found
