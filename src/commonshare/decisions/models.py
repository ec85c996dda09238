"""Proposals, their ballots and the roll of who voted.

A proposal's terms (everything up to ``created_at``) are fixed when it is made: a database
trigger (``fixed.py``) refuses any change to them, and refuses every change at all once
the proposal is closed. Changing the terms means a new proposal.

Ballots come in two tables. An open proposal's ``Ballot`` names its voter. A secret
proposal's ``SecretBallot`` has no voter, no time and no sequential id: its key is the
sha256 of the voter's receipt, so only the receipt's holder can find it. ``VoterRoll`` is
the public list of who voted, for both kinds, with no time either. What the server could
still correlate is written down in ``docs/decisions.md`` ("What secrecy does not hide").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonshare.decisions import vocab


class Proposal(models.Model):
    # --- the fixed terms ---
    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=vocab.TITLE_MAX)
    body = models.TextField(max_length=vocab.BODY_MAX, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.CharField(max_length=vocab.KIND_MAX, choices=vocab.ProposalKind.choices)
    method = models.CharField(max_length=vocab.METHOD_MAX)
    # core.decisions.terms_to_dict, as canonical JSON: options, threshold, quorum,
    # criteria, score range and the published seed.
    terms = models.TextField()
    secret = models.BooleanField(default=False)
    eligibility = models.PositiveSmallIntegerField(help_text="The trust level a voter needs")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # Lazy consensus: the days of the majority vote an objection opens (0 for other methods).
    runoff_days = models.PositiveSmallIntegerField(default=0)
    effect_kind = models.CharField(max_length=vocab.EFFECT_KIND_MAX, blank=True)
    effect = models.TextField(blank=True)  # the carried action's content, canonical JSON
    created_at = models.DateTimeField(default=timezone.now)
    # --- what happens to it (never changed once closed) ---
    stage = models.CharField(
        max_length=vocab.STAGE_MAX, choices=vocab.Stage.choices, default=vocab.Stage.OPEN
    )
    runoff_closes_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=vocab.OUTCOME_MAX, blank=True)
    # {"phases": [{"method", "terms", "eligible", "tally", "ballots"}]}: the published record.
    tally = models.TextField(blank=True)
    statement = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    effect_note = models.TextField(blank=True)  # what the carried action did, once

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"decision {self.number}"


FIXED_FIELDS = (
    "number",
    "title",
    "body",
    "proposer_id",
    "kind",
    "method",
    "terms",
    "secret",
    "eligibility",
    "opens_at",
    "closes_at",
    "runoff_days",
    "effect_kind",
    "effect",
    "created_at",
)
"""The columns the trigger never lets change."""


class Ballot(models.Model):
    """An open ballot: who, in which phase (2 is a lazy consensus's majority vote), what."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    phase = models.PositiveSmallIntegerField(default=1)
    content = models.TextField()  # the ballot as canonical JSON
    receipt_digest = models.CharField(max_length=vocab.DIGEST_MAX, unique=True)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "voter", "phase"], name="decisions_one_ballot_each"
            )
        ]

    def __str__(self) -> str:
        return f"a ballot on decision {self.proposal_id}"


class SecretBallot(models.Model):
    """A secret ballot: its key is the receipt's sha256; no voter, no time, no counter."""

    receipt_digest = models.CharField(max_length=vocab.DIGEST_MAX, primary_key=True)
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="secret_ballots")
    phase = models.PositiveSmallIntegerField(default=1)
    content = models.TextField()

    def __str__(self) -> str:
        return "a secret ballot"


class VoterRoll(models.Model):
    """Who voted, public for every proposal; one row per voter and phase, no time."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="roll")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    phase = models.PositiveSmallIntegerField(default=1)
    # On a secret vote, sha256 of the voter's id with their latest receipt: a change of
    # ballot must show that receipt, so nobody replaces another voter's ballot with theirs.
    # It ties nothing to a ballot without the receipt itself.
    receipt_check = models.CharField(max_length=vocab.DIGEST_MAX, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member", "phase"], name="decisions_on_the_roll_once"
            )
        ]

    def __str__(self) -> str:
        return f"a voter on decision {self.proposal_id}"
