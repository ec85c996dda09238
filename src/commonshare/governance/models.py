"""The community's rules as stored: numbered policy versions, never edited.

A version's ``content`` is the policy's canonical JSON text and ``sha256`` its
digest, so what a distribution froze can be checked against the text itself.
The table is append-only (database triggers, as for the journal): a change of
rules is a new version, taking effect from the start of the next period.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from commonshare.governance.vocab import MAX_ADOPTED_BY, SHA256_MAX


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
