"""The community's rules as stored: numbered policy versions and norm versions, never edited.

A version's ``content`` is the policy's canonical JSON text and ``sha256`` its
digest, so what a distribution froze can be checked against the text itself.
The table is append-only (database triggers, as for the journal): a change of
rules is a new version, taking effect from the start of the next period.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from commonshare.governance.vocab import (
    MAX_ADOPTED_BY,
    NORM_KIND_MAX,
    NORM_TITLE_MAX,
    SHA256_MAX,
)


class PolicyVersion(models.Model):
    number = models.PositiveIntegerField(unique=True)
    content = models.TextField()
    sha256 = models.CharField(max_length=SHA256_MAX)
    valid_from = models.DateField()
    # The decision that adopted it; "initial" for version 1 (decisions come next).
    adopted_by = models.CharField(max_length=MAX_ADOPTED_BY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"policy version {self.number}"


class NormVersion(models.Model):
    """One adopted version of a norm (the purpose, the code of conduct...): its Markdown
    text, numbered per kind from 1. Append-only like policy versions: a change is the next
    version, adopted by a decision (``governance.norms._adopt_norm``).

    ``decision_number`` is the number of the decision that adopted it, an integer rather
    than a key (the decisions app imports this one, not the other way round); it is null
    only for the versions every community starts with. ``sha256`` is
    ``core.norms.norm_sha256`` of its kind, number, title and text.
    """

    kind = models.CharField(max_length=NORM_KIND_MAX)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=NORM_TITLE_MAX)
    text = models.TextField()
    sha256 = models.CharField(max_length=SHA256_MAX)
    adopted_at = models.DateTimeField(default=timezone.now)
    decision_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="one_number_per_norm_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} version {self.number}"
