"""The discussion app's words and limits: what a thread may be on, and field lengths.

Models, services, schemas, forms and the CLI read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

BODY_MAX = 10_000
"""The longest comment, in characters."""
TITLE_MAX = 200
"""The longest forum topic title."""
SUBJECT_TYPE_MAX = 40
SUBJECT_ID_MAX = 40
"""As the audit log's ``target_type`` and ``target_id``."""
SUBJECT_TEXT_MAX = 40
"""The longest written subject (``proposal-12``)."""
PAGE_SIZE = 50
"""Comments on one page of a thread."""
TOPICS_PAGE_SIZE = 30
"""Topics on one page of the forum."""
MENTION_CHOICES = 200
"""The most members offered to mention in the web form's list."""

TOPIC = "topic"


@dataclass(frozen=True)
class SubjectKind:
    """A kind of record that has a thread, and how it is written and found."""

    name: str  # as written: task-12
    model: str  # the model's label, as the audit log names a target: "work.task"
    key: str  # the field the written number is: "pk", or "number" for proposals
    words: str  # in a sentence: "this task"


SUBJECT_KINDS = {
    kind.name: kind
    for kind in (
        SubjectKind("task", "work.task", "pk", "task"),
        SubjectKind("contribution", "work.contribution", "pk", "contribution"),
        SubjectKind("proposal", "decisions.proposal", "number", "proposal"),
        SubjectKind("norm", "governance.normversion", "pk", "norm version"),
        SubjectKind("distribution", "books.distribution", "pk", "distribution"),
    )
}
"""Every kind of record with a thread; a forum topic (``topic-3``) is a thread itself."""
SUBJECT_NAMES = (*SUBJECT_KINDS, TOPIC)
