"""Threads and their comments, and each comment's earlier texts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonshare.discussion import vocab

MEMBER = settings.AUTH_USER_MODEL


class Thread(models.Model):
    """The discussion of one record, or a topic of the commons forum.

    A record's thread names it as the audit log names an event's target: the model's
    label and the primary key, so one table serves every kind of record. A forum topic
    names no record (both empty) and has a title.
    """

    subject_type = models.CharField(max_length=vocab.SUBJECT_TYPE_MAX, blank=True)
    subject_id = models.CharField(max_length=vocab.SUBJECT_ID_MAX, blank=True)
    # How the record is written, "task-12" or "proposal-3" (a proposal by its number).
    written = models.CharField(max_length=vocab.SUBJECT_TEXT_MAX, blank=True)
    title = models.CharField(max_length=vocab.TITLE_MAX, blank=True)
    started_by = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_posted_at = models.DateTimeField(default=timezone.now)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=~Q(subject_type=""),
                name="discussion_one_thread_per_record",
            ),
            models.CheckConstraint(
                condition=~Q(subject_type="") | ~Q(title=""),
                name="discussion_topic_has_title",
            ),
        ]
        indexes = [models.Index(fields=["-last_posted_at", "-id"], name="discussion_latest")]

    def __str__(self) -> str:
        return self.title or f"{self.subject_type}:{self.subject_id}"

    @property
    def is_topic(self) -> bool:
        return not self.subject_type

    @property
    def reference(self) -> str:
        """The thread's subject as written: ``task-12``, ``proposal-3``, ``topic-5``."""
        return f"{vocab.TOPIC}-{self.pk}" if self.is_topic else self.written


class Comment(models.Model):
    """One comment: Markdown, perhaps a reply (one level deep), perhaps deleted."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(MEMBER, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=vocab.BODY_MAX, blank=True, help_text="Markdown")
    # The members it mentions: [{"handle": "AdaLovelace", "member": 3}], as written.
    mentioned = models.JSONField(default=list, blank=True)
    # Written while its author was below the policy's trusted-links level: its links carry
    # rel="nofollow ugc".
    marked_links = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "parent", "id"], name="discussion_thread_order"),
            # A thread's page of top-level comments, oldest first, read in order from the
            # index. Partial: PostgreSQL does not take ``parent IS NULL`` as an equality
            # that an index on (thread, parent, created_at) could keep the order under.
            models.Index(
                fields=["thread", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="discussion_thread_oldest",
            ),
            models.Index(fields=["author", "created_at"], name="discussion_author_recent"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentRevision(models.Model):
    """A text a comment showed before an edit, kept so anyone can read what changed."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=vocab.BODY_MAX)
    shown_from = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shown_from", "id"]

    def __str__(self) -> str:
        return f"revision of comment {self.comment_id}"
