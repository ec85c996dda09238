"""The conversation of a generated community: threads on tasks, forum topics, replies,
and the notifications they and the review draws made (``demo_large``'s last step).

Like the rest of the generated history the rows go in by bulk inserts, with no audit
event each. The notifications are shown in the app only (delivery "off"): they stand
for mail long since sent, so no worker picks them up to send now. Those older than a
week are read.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from commonshare.community.models import Member
from commonshare.discussion.models import Comment, Thread
from commonshare.notifications import vocab as told
from commonshare.notifications.models import Notification
from commonshare.work.models import ReviewAssignment, Task

TASK_THREADS = 1 / 6
"""The share of tasks whose thread has comments."""
MEMBERS_PER_TOPIC = 25
"""One forum topic for this many members."""
DRAWN_DAYS = 30
"""Review draws of the last this many days left a notification."""
READ_AFTER = dt.timedelta(days=7)

TOPICS = (
    "How do we price the {area} work for partners?",
    "Who has time to mentor newcomers on the {area}?",
    "Proposal draft: a quarterly retreat",
    "The {area}: what broke last month and why",
    "Ideas for the next income stream",
    "Reading group: governing the commons",
    "Should reviews of the {area} need two approvers?",
    "Welcome thread: introduce yourself",
)
OPENINGS = (
    "I picked this up yesterday. Does anyone know where the old notes on the **{area}** are?",
    "Before I start: is the estimate still right, given the new servers?",
    "I'd like to split this into two smaller tasks. Objections?",
    "Here is a first draft of the plan for the {area}. Comments welcome.",
    "This came up at the last meetup. Writing it down so we don't lose it.",
)
REPLIES = (
    "Thanks, that helps. I'll take the first part.",
    "The notes are in the wiki, under *{area}*.",
    "Agreed. Let's keep the estimate and see.",
    "I can pair on this on Thursday if that suits you.",
    "Good point. I added a checklist below.",
    "> Before I start\n\nGo ahead: nothing has changed since.",
    "Done on my side; over to review.",
)


@dataclass
class Talk:
    """What one run writes; ``member_before(when)`` picks a member who had settled in."""

    rng: random.Random
    now: dt.datetime
    member_before: Callable[[dt.datetime], int]
    areas: Sequence[str]
    when: Callable[[dt.datetime], Any]
    insert: Callable[[type[Any], Sequence[str], Any], int]
    reset_sequences: Callable[..., None]
    threads: list[tuple[Any, ...]] = field(default_factory=list)
    comments: list[tuple[Any, ...]] = field(default_factory=list)
    notifications: list[tuple[Any, ...]] = field(default_factory=list)
    _told: set[tuple[str, int, str]] = field(default_factory=set)
    _names: dict[int, str] = field(default_factory=dict)

    def run(self, members: int) -> dict[str, int]:
        self._names = dict(Member.objects.values_list("pk", "display_name"))
        thread_id = _next_id(Thread)
        comment_id = _next_id(Comment)
        tasks = list(Task.objects.order_by("pk").values_list("pk", "title", "created_at"))
        for pk, title, created in tasks:
            if self.rng.random() < TASK_THREADS:
                area = next((a for a in self.areas if a in title), self.rng.choice(self.areas))
                link = reverse("web:task", args=[pk])
                comment_id = self._thread(
                    thread_id,
                    comment_id,
                    created,
                    area,
                    link,
                    subject=("work.task", pk),
                    subject_title=title,
                )
                thread_id += 1
        for _ in range(max(1, members // MEMBERS_PER_TOPIC)):
            area = self.rng.choice(self.areas)
            start = self.now - dt.timedelta(days=self.rng.uniform(1, 600))
            link = reverse("web:topic", args=[thread_id])
            title = self.rng.choice(TOPICS).format(area=area)
            comment_id = self._thread(thread_id, comment_id, start, area, link, title=title)
            thread_id += 1
        self._drawn()
        written = {
            "threads": self.insert(Thread, THREAD_COLUMNS, iter(self.threads)),
            "comments": self.insert(Comment, COMMENT_COLUMNS, iter(self.comments)),
            "notifications": self.insert(
                Notification, NOTIFICATION_COLUMNS, iter(self.notifications)
            ),
        }
        self.reset_sequences(Thread, Comment, Notification)
        return written

    def _thread(
        self,
        thread_id: int,
        comment_id: int,
        start: dt.datetime,
        area: str,
        link: str,
        *,
        subject: tuple[str, int] | None = None,
        subject_title: str = "",
        title: str = "",
    ) -> int:
        """One thread and its comments; returns the next free comment id."""
        rng = self.rng
        where = f"the topic “{title}”" if title else f"the task “{subject_title}”"
        at = max(start, self.now - dt.timedelta(days=700)) + dt.timedelta(hours=rng.uniform(1, 48))
        at = min(at, self.now - dt.timedelta(minutes=30))
        opener = self.member_before(at)
        roots: list[tuple[int, int]] = []  # (comment id, author)
        count = rng.randint(2, 8) if subject else rng.randint(3, 16)
        last = posted = at
        for index in range(count):
            author = opener if index == 0 else self.member_before(last)
            parent = None
            if roots and index > 0 and rng.random() < 0.5:
                parent = rng.choice(roots)
            text = (rng.choice(OPENINGS) if index == 0 else rng.choice(REPLIES)).format(area=area)
            self.comments.append(
                (comment_id, thread_id, author, parent[0] if parent else None, None, text,
                 "[]", False, self.when(last), None, None)
            )  # fmt: skip
            if parent is None:
                roots.append((comment_id, author))
            elif parent[1] != author:
                sentence = f"{self._names[author]} replied to your comment on {where}."
                self._tell(parent[1], told.REPLY, f"{link}#comment-{comment_id}", last, sentence)
            comment_id += 1
            posted = last
            last = min(last + dt.timedelta(hours=rng.uniform(0.2, 30)), self.now)
        kind, pk = subject or ("", "")
        written = f"task-{pk}" if subject else ""
        self.threads.append(
            (thread_id, kind, str(pk), written, title, opener, self.when(at),
             self.when(posted), count)
        )  # fmt: skip
        return comment_id

    def _drawn(self) -> None:
        since = self.now - dt.timedelta(days=DRAWN_DAYS)
        drawn = ReviewAssignment.objects.filter(drawn_at__gte=since).values_list(
            "contribution_id", "contribution__summary", "reviewer_id", "drawn_at"
        )
        for contribution, summary, reviewer, at in drawn.iterator(chunk_size=5000):
            link = reverse("web:contribution", args=[contribution])
            sentence = f"You were drawn to review “{summary[:80]}”."
            self._tell(reviewer, told.REVIEW_DRAWN, link, at, sentence)

    def _tell(self, member: int, kind: str, link: str, at: dt.datetime, sentence: str) -> None:
        if (link, member, kind) in self._told:
            return
        self._told.add((link, member, kind))
        read = self.when(at + dt.timedelta(hours=6)) if at < self.now - READ_AFTER else None
        self.notifications.append(
            (member, kind, None, link, sentence, link, self.when(at), read, told.Delivery.OFF,
             None)
        )  # fmt: skip


def _next_id(model: type[Any]) -> int:
    newest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (newest or 0) + 1


THREAD_COLUMNS = (
    "id", "subject_type", "subject_id", "written", "title", "started_by_id", "created_at",
    "last_posted_at", "comment_count",
)  # fmt: skip
COMMENT_COLUMNS = (
    "id", "thread_id", "author_id", "parent_id", "quote_of_id", "body", "mentioned",
    "marked_links", "created_at", "edited_at", "deleted_at",
)  # fmt: skip
NOTIFICATION_COLUMNS = (
    "recipient_id", "kind", "event_id", "about", "sentence", "link", "created_at", "read_at",
    "delivery", "mail_id",
)  # fmt: skip
