"""The authority walk of the work and discussion routes (``WORK`` and ``TALK`` in
``tests/test_authority_walk.py``, which checks that every such route is walked here).

Each route is tried through the web and through the API by:

- ``fresh``: an account that joined today (trust level 0). It may create and claim tasks,
  log its work and post comments up to the policy's daily number for new members; it may
  not review (only members drawn at level 1 or more do), post past that number, or act on
  another member's claim, contribution or comment;
- ``gone``: a member who left, trying their own comment and contribution: refused
  everything, because they left, not because of whose item it is;
- ``themself``: the one the rule is about: nobody reviews their own contribution, nobody
  edits or deletes another's comment or contribution, nobody claims a claimed task, and
  only the claimer releases a task or marks it done.

A refusal is a plain sentence (a 403 page, the message on the page, or the API's
``detail``) and changes nothing: no row, and no audit event (every write records one).
The right person's call of the same route, with the same body, works (a positive
control), so each refusal is about who tried.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from commonshare.community import services as community
from commonshare.discussion import services as discussion
from commonshare.discussion.models import Comment
from commonshare.work import services as work
from commonshare.work.models import Contribution, ReviewAssignment, Task
from tests.test_left_members import snapshot

pytestmark = pytest.mark.django_db

LEFT = "You left the community"
CLAIMED = "This task is already claimed by another member."
NOT_AUTHOR = "Only the author can edit a contribution."
NOT_DRAWN = "Only the members drawn for this contribution review it."
OWN_WORK = "Nobody reviews their own work."
DAILY = "New members may post 1 comment a day"


def _claimer_only(doing: str) -> str:
    return f"Only the member who claimed a task can {doing}."


def _comment_author_only(doing: str) -> str:
    return f"Only its author can {doing} a comment."


@dataclass(frozen=True)
class Act:
    """What one route does, and who may do it.

    ``fresh``: None when a fresh account may (its call must work), else its refusal.
    ``themself``: (who, refusal) for the one the rule is about, or None.
    ``right``: who the positive control acts as.
    """

    fresh: str | None
    themself: tuple[str, str] | None
    right: str


ACTS: dict[str, Act] = {
    "create a task": Act(fresh=None, themself=None, right="bo"),
    "add a subtask": Act(fresh=None, themself=None, right="bo"),
    "claim a task": Act(fresh=None, themself=("cy", CLAIMED), right="bo"),
    "release a task": Act(
        fresh=_claimer_only("release it"),
        themself=("cy", _claimer_only("release it")),
        right="ada",
    ),
    "mark a task done": Act(
        fresh=_claimer_only("mark it done"),
        themself=("cy", _claimer_only("mark it done")),
        right="ada",
    ),
    "log a contribution": Act(fresh=None, themself=None, right="bo"),
    "edit a contribution": Act(fresh=NOT_AUTHOR, themself=("cy", NOT_AUTHOR), right="ada"),
    "review a contribution": Act(fresh=NOT_DRAWN, themself=("ada", OWN_WORK), right="reviewer"),
    "start a topic": Act(fresh=DAILY, themself=None, right="bo"),
    "post a comment": Act(fresh=DAILY, themself=None, right="bo"),
    "edit a comment": Act(
        fresh=_comment_author_only("edit"),
        themself=("cy", _comment_author_only("edit")),
        right="ada",
    ),
    "delete a comment": Act(
        fresh=_comment_author_only("delete"),
        themself=("cy", _comment_author_only("delete")),
        right="ada",
    ),
}


# --- the world ----------------------------------------------------------------------


@pytest.fixture
def w(make_member: Callable[..., Any], adopt_rules: Callable[..., Any]) -> SimpleNamespace:
    """Ada's open task, her claimed task, her unreviewed contribution with its drawn
    reviewers, and her comment on the open task. Gone logged work and commented, then
    left. Fresh joined today and has posted the one comment a new member may post a day
    (the policy here); Bo and Cy are members at level 2 whom nothing here concerns."""
    adopt_rules(discussion={"level0_per_day": 1})
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    gone = make_member("Gone")
    gone_work = work.log_contribution(gone, _work_input("Gone's notes"))
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    gone_comment = discussion.post_comment(gone, f"task-{task.pk}", "I can help.").comment
    _, gone_token = community.create_token(gone, name="laptop")
    community.leave(gone)
    gone.refresh_from_db()
    claimed = work.create_task(ada, title="Fix the build", estimate_hours="1")
    work.claim_task(ada, claimed.pk)
    contribution = work.log_contribution(ada, _work_input("Drafted the guide"))
    comment = discussion.post_comment(ada, f"task-{task.pk}", "Is this still needed?").comment
    fresh = make_member("Fresh", level=0)
    discussion.post_comment(fresh, f"task-{task.pk}", "Hello, I am new here.")
    drawn = list(ReviewAssignment.objects.filter(contribution=contribution).order_by("rank"))
    return SimpleNamespace(
        ada=ada, bo=bo, cy=cy, gone=gone, fresh=fresh, gone_token=gone_token,
        task=task, claimed=claimed, contribution=contribution, comment=comment,
        gone_work=gone_work, gone_comment=gone_comment, reviewer=drawn[0].reviewer,
    )  # fmt: skip


def _work_input(summary: str) -> work.ContributionInput:
    return work.ContributionInput(kind="work", summary=summary, hours="2", evidence_text="e")


def _comment(w: SimpleNamespace, who: str) -> Comment:
    return w.gone_comment if who == "gone" else w.comment


def _contribution(w: SimpleNamespace, who: str) -> Contribution:
    return w.gone_work if who == "gone" else w.contribution


def state() -> tuple[Any, ...]:
    """Every table's row count (the audit log's too: every write records an event), and
    what the rows here say."""
    return (
        snapshot(),
        sorted(Task.objects.values_list("pk", "status", "claimed_by")),
        sorted(Comment.objects.values_list("pk", "body", "deleted_at")),
        sorted(Contribution.objects.values_list("pk", "version", "summary")),
    )


# --- the calls, by route -------------------------------------------------------------

Web = Callable[[SimpleNamespace, str], tuple[str, dict[str, Any]]]
WORK_FORM = {"kind": "work", "summary": "Proofread", "hours": "1", "evidence_text": "e"}
EDIT_FORM = {**WORK_FORM, "summary": "Drafted and proofread the guide"}
TASK_FORM = {"title": "Add a glossary", "description": "", "estimate_hours": "1"}

WEB_CALLS: dict[str, tuple[str, Web]] = {
    "web:task_create": ("create a task", lambda w, who: ("/tasks/new/", TASK_FORM)),
    "web:subtask_create": (
        "add a subtask",
        lambda w, who: (f"/tasks/{w.task.pk}/subtask/", TASK_FORM),
    ),
    "web:task_claim": (
        "claim a task",
        lambda w, who: (f"/tasks/{(w.claimed if who == 'themself' else w.task).pk}/claim/", {}),
    ),
    "web:task_release": ("release a task", lambda w, who: (f"/tasks/{w.claimed.pk}/release/", {})),
    "web:task_done": ("mark a task done", lambda w, who: (f"/tasks/{w.claimed.pk}/done/", {})),
    "web:contribution_create": (
        "log a contribution",
        lambda w, who: ("/contributions/new/?kind=work", WORK_FORM),
    ),
    "web:contribution_edit": (
        "edit a contribution",
        lambda w, who: (f"/contributions/{_contribution(w, who).pk}/edit/", EDIT_FORM),
    ),
    "web:review_create": (
        "review a contribution",
        lambda w, who: (
            f"/contributions/{w.contribution.pk}/review/",
            {"rating": "4", "comment": "Read it all; clear.", "version": "1"},
        ),
    ),
    "web:topic_create": (
        "start a topic",
        lambda w, who: ("/commons/new/", {"title": "Meet-up", "body": "Who is near Lyon?"}),
    ),
    "web:discussion_post": (
        "post a comment",
        lambda w, who: (f"/discussion/task-{w.task.pk}/post/", {"body": "Yes, still needed."}),
    ),
    "web:comment_edit": (
        "edit a comment",
        lambda w, who: (f"/comments/{_comment(w, who).pk}/edit/", {"body": "Changed my mind."}),
    ),
    "web:comment_delete": (
        "delete a comment",
        lambda w, who: (f"/comments/{_comment(w, who).pk}/delete/", {}),
    ),
}

# (method, URL, body, as multipart form data rather than JSON)
Api = Callable[[SimpleNamespace, str], tuple[str, dict[str, Any], bool]]
WORK_JSON = {"kind": "work", "summary": "Proofread", "hours": "1", "evidence_text": "e"}
REVIEW_JSON = {"rating": 4, "comment": "Read it all; clear.", "version": 1}

API_CALLS: dict[tuple[str, str], tuple[str, Api]] = {
    ("post", "/api/tasks"): (
        "create a task",
        lambda w, who: ("/api/tasks", {"title": "Add a glossary", "estimate_hours": "1"}, False),
    ),
    ("post", "/api/tasks/{task_id}/claim"): (
        "claim a task",
        lambda w, who: (
            f"/api/tasks/{(w.claimed if who == 'themself' else w.task).pk}/claim",
            {},
            False,
        ),
    ),
    ("post", "/api/tasks/{task_id}/release"): (
        "release a task",
        lambda w, who: (f"/api/tasks/{w.claimed.pk}/release", {}, False),
    ),
    ("post", "/api/tasks/{task_id}/done"): (
        "mark a task done",
        lambda w, who: (f"/api/tasks/{w.claimed.pk}/done", {}, False),
    ),
    ("post", "/api/contributions"): (
        "log a contribution",
        lambda w, who: ("/api/contributions", WORK_JSON, False),
    ),
    ("post", "/api/contributions/multipart"): (
        "log a contribution",
        lambda w, who: ("/api/contributions/multipart", WORK_JSON, True),
    ),
    ("put", "/api/contributions/{contribution_id}"): (
        "edit a contribution",
        lambda w, who: (
            f"/api/contributions/{_contribution(w, who).pk}",
            {**WORK_JSON, "summary": "Drafted and proofread the guide"},
            False,
        ),
    ),
    ("patch", "/api/contributions/{contribution_id}"): (
        "edit a contribution",
        lambda w, who: (
            f"/api/contributions/{_contribution(w, who).pk}",
            {"summary": "Drafted and proofread the guide"},
            False,
        ),
    ),
    ("post", "/api/contributions/{contribution_id}/multipart"): (
        "edit a contribution",
        lambda w, who: (
            f"/api/contributions/{_contribution(w, who).pk}/multipart",
            {**WORK_JSON, "summary": "Drafted and proofread the guide"},
            True,
        ),
    ),
    ("post", "/api/contributions/{contribution_id}/reviews"): (
        "review a contribution",
        lambda w, who: (f"/api/contributions/{w.contribution.pk}/reviews", REVIEW_JSON, False),
    ),
    ("post", "/api/discussion/topics"): (
        "start a topic",
        lambda w, who: (
            "/api/discussion/topics",
            {"title": "Meet-up", "body": "Who is near Lyon?"},
            False,
        ),
    ),
    ("post", "/api/discussion/threads/{subject}/comments"): (
        "post a comment",
        lambda w, who: (
            f"/api/discussion/threads/task-{w.task.pk}/comments",
            {"body": "Yes, still needed."},
            False,
        ),
    ),
    ("patch", "/api/discussion/comments/{comment_id}"): (
        "edit a comment",
        lambda w, who: (
            f"/api/discussion/comments/{_comment(w, who).pk}",
            {"body": "Changed my mind."},
            False,
        ),
    ),
    ("delete", "/api/discussion/comments/{comment_id}"): (
        "delete a comment",
        lambda w, who: (f"/api/discussion/comments/{_comment(w, who).pk}", {}, False),
    ),
}


# --- who tries, and what they must be told -----------------------------------------------


def _tries(table: dict[Any, tuple[str, Any]]) -> list[tuple[Any, str]]:
    """Every refused try: (route, who)."""
    found = []
    for route, (act, _) in table.items():
        spec = ACTS[act]
        found.append((route, "gone"))
        if spec.fresh is not None:
            found.append((route, "fresh"))
        if spec.themself is not None:
            found.append((route, "themself"))
    return found


def _allowed(table: dict[Any, tuple[str, Any]]) -> list[tuple[Any, str]]:
    """Every try that must work: the right person's, and a fresh account's where it may."""
    return [
        (route, who)
        for route, (act, _) in table.items()
        for who in ("right", "fresh")
        if who == "right" or ACTS[act].fresh is None
    ]


def _actor(w: SimpleNamespace, act: Act, who: str) -> Any:
    if who == "themself" and act.themself is not None:
        return getattr(w, act.themself[0])
    if who == "right":
        return getattr(w, act.right)
    return getattr(w, who)


def _why(act: Act, who: str) -> str:
    if who == "gone":
        return LEFT
    if who == "themself" and act.themself is not None:
        return act.themself[1]
    assert act.fresh is not None
    return act.fresh


def _plain(text: str) -> str:
    return text.replace("&#x27;", "'").replace("&quot;", '"').replace("&#39;", "'")


def _web(w: SimpleNamespace, name: str, who: str) -> tuple[Act, Any]:
    act_name, call = WEB_CALLS[name]
    act = ACTS[act_name]
    client = Client()
    client.force_login(_actor(w, act, who))
    url, body = call(w, who)
    return act, client.post(url, body, follow=True)


def _token(w: SimpleNamespace, key: tuple[str, str], who: str) -> str:
    """The caller's token, made before the try (making one is a write of its own)."""
    if who == "gone":
        return str(w.gone_token)
    _, token = community.create_token(_actor(w, ACTS[API_CALLS[key][0]], who), name="walk")
    return str(token)


def _api(w: SimpleNamespace, key: tuple[str, str], who: str, token: str) -> tuple[Act, Any]:
    act_name, call = API_CALLS[key]
    url, body, multipart = call(w, who)
    headers = {"Authorization": f"Bearer {token}"}
    send = getattr(Client(), key[0])
    if multipart:
        return ACTS[act_name], send(url, body, headers=headers)
    return ACTS[act_name], send(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


def _ids(value: Any) -> str:
    return " ".join(value) if isinstance(value, tuple) else str(value)


# --- the web -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "who"), _tries(WEB_CALLS))
def test_the_web_refuses_with_a_sentence_and_changes_nothing(
    w: SimpleNamespace, name: str, who: str
) -> None:
    before = state()
    act, response = _web(w, name, who)
    assert state() == before, (name, who)
    assert response.status_code in (200, 403), (name, who, response.status_code)
    page = _plain(response.content.decode())
    assert _why(act, who) in page, (name, who, page)
    if response.status_code == 200:  # said on the page it came back to
        assert 'class="message error' in page or 'class="error-summary' in page, page


@pytest.mark.parametrize(("name", "who"), _allowed(WEB_CALLS))
def test_the_right_person_and_a_fresh_account_where_it_may_succeed_on_the_web(
    w: SimpleNamespace, name: str, who: str
) -> None:
    before = state()
    _, response = _web(w, name, who)
    assert response.status_code == 200, (name, who, response.status_code)
    page = _plain(response.content.decode())
    assert 'class="message error' not in page and 'class="error-summary' not in page, page
    assert state() != before, (name, who)


# --- the API -------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "who"), _tries(API_CALLS), ids=_ids)
def test_the_api_refuses_with_a_sentence_and_changes_nothing(
    w: SimpleNamespace, key: tuple[str, str], who: str
) -> None:
    token = _token(w, key, who)
    before = state()
    act, response = _api(w, key, who, token)
    assert state() == before, (key, who)
    assert response.status_code in (403, 409), (key, who, response.status_code, response.content)
    detail = response.json()["detail"]
    assert _why(act, who) in detail, (key, who, detail)
    assert detail.endswith(".") and len(detail) > 20, detail


@pytest.mark.parametrize(("key", "who"), _allowed(API_CALLS), ids=_ids)
def test_the_right_person_and_a_fresh_account_where_it_may_succeed_through_the_api(
    w: SimpleNamespace, key: tuple[str, str], who: str
) -> None:
    token = _token(w, key, who)
    before = state()
    _, response = _api(w, key, who, token)
    assert response.status_code in (200, 201), (key, who, response.content)
    assert state() != before, (key, who)


# --- what level 0 means for work ----------------------------------------------------------


def test_a_fresh_accounts_work_is_drawn_only_to_members_at_level_one_or_more(
    w: SimpleNamespace, make_member: Callable[..., Any]
) -> None:
    """Level 0 logs work, but its reviews come from level 1 and up, never from another
    new account (so two fresh accounts cannot value each other's work)."""
    other_fresh = make_member("Newer", level=0)
    logged = work.log_contribution(w.fresh, _work_input("Translated the guide"))
    drawn = set(
        ReviewAssignment.objects.filter(contribution=logged).values_list("reviewer", flat=True)
    )
    assert drawn and drawn <= {w.ada.pk, w.bo.pk, w.cy.pk}
    assert other_fresh.pk not in set(logged.review_pool or []) | drawn
    assert str(other_fresh.pk) not in {str(pk) for pk in logged.review_pool or []}


def test_a_new_member_posts_until_the_days_number_then_is_told_plainly(
    w: SimpleNamespace, make_member: Callable[..., Any]
) -> None:
    newer = make_member("Newer", level=0)
    client = Client()
    client.force_login(newer)
    first = client.post(f"/discussion/task-{w.task.pk}/post/", {"body": "Hello."}, follow=True)
    assert first.status_code == 200 and Comment.objects.filter(author=newer).count() == 1
    before = state()
    second = client.post(f"/discussion/task-{w.task.pk}/post/", {"body": "Again."})
    assert second.status_code == 403 and DAILY in _plain(second.content.decode())
    assert state() == before
    # Editing one's own comment is not posting: it stays open to them.
    mine = Comment.objects.get(author=newer)
    discussion.edit_comment(newer, mine.pk, "Hello, everyone.")
    assert Comment.objects.get(pk=mine.pk).body == "Hello, everyone."
