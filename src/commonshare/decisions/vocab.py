"""The decisions app's words and limits: kinds, stages, carried actions, field lengths.

Models, services, schemas, forms and the CLI read them from here.
"""

from __future__ import annotations

from typing import Literal

from django.db import models


class ProposalKind(models.TextChoices):
    RULES = "rules", "Rules (the policy and the norms)"
    MONEY = "money", "Money"
    OTHER = "other", "Something else"


class Stage(models.TextChoices):
    OPEN = "open", "Open for votes"
    RUNOFF = "runoff", "Objected: open for a majority vote"
    CLOSED = "closed", "Closed"


class Secrecy(models.TextChoices):
    OPEN = "open", "Open: each ballot is shown with its voter"
    SECRET = "secret", "Secret: who voted is shown, but no ballot can be tied to its voter"


ProposalKindValue = Literal["rules", "money", "other"]
StageValue = Literal["open", "runoff", "closed"]

POLICY_CHANGE = "policy_change"
"""The carried action that adopts a new policy version (``effects.py``)."""
NORM_CHANGE = "norm_change"
"""Adopts a new version of a norm (or a new norm)."""
END_STEWARD_PHASE = "end_steward_phase"
"""Ends the steward phase before its conditions would."""
APPROVE_EXPENSE = "approve_expense"
"""Approves an expense claim that needs a decision."""
REVERSE_ENTRY = "reverse_entry"
"""Reverses a journal entry."""
POST_DISTRIBUTION = "post_distribution"
"""Posts a proposed distribution (carried by the lazy consensus its proposal opens)."""
WITHDRAWN = "withdrawn"
"""The outcome of a decision withdrawn before its close (no tally outcome: nothing counted)."""

TITLE_MAX = 200
BODY_MAX = 20_000
KIND_MAX = 16
METHOD_MAX = 32
STAGE_MAX = 16
OUTCOME_MAX = 16
EFFECT_KIND_MAX = 48
OPTION_MAX = 120
DIGEST_MAX = 64
"""A lower-case hex sha256 digest (a receipt's)."""
RECEIPT_BYTES = 16
"""Random bytes in a receipt (shown as 32 hex digits)."""
PAGE_SIZE = 20
