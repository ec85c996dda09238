"""Threads on the records' pages and the commons forum, through the web forms (no script)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from commonshare.discussion import selectors, services
from commonshare.discussion.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_member: Any) -> Any:
    from types import SimpleNamespace

    from commonshare.work import services as work

    ada = make_member("Ada Lovelace")
    ben = make_member("Ben")
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    return SimpleNamespace(ada=ada, ben=ben, task=task)


def _client(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_task_page_shows_its_thread_and_a_form_with_members_to_mention(people: Any) -> None:
    page = _client(people.ben).get(f"/tasks/{people.task.pk}/").content.decode()
    assert 'id="discussion"' in page
    assert "No comments yet." in page
    assert 'action="/discussion/task-' in page
    assert '<datalist id="mention-choices">' in page
    assert '<option value="AdaLovelace">Ada Lovelace</option>' in page
    assert 'list="mention-choices"' in page


def test_anonymous_readers_see_the_thread_and_are_asked_to_log_in(people: Any) -> None:
    services.post_comment(people.ada, f"task-{people.task.pk}", "Hello **all**")
    page = Client().get(f"/tasks/{people.task.pk}/").content.decode()
    assert "<strong>all</strong>" in page
    assert "to comment." in page
    assert 'id="comment-form"' not in page


def test_posting_with_a_chosen_mention_and_a_reference_links_both(people: Any) -> None:
    client = _client(people.ben)
    subject = f"task-{people.task.pk}"
    response = client.post(
        f"/discussion/{subject}/post/",
        {"body": f"Can you look at #task-{people.task.pk}?", "mention": "AdaLovelace"},
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{people.task.pk}/#comment-{comment.pk}"
    assert comment.body.startswith("@AdaLovelace Can you look")
    page = client.get(f"/tasks/{people.task.pk}/").content.decode()
    assert f'<a href="/members/{people.ada.pk}/" rel="nofollow noopener">@AdaLovelace</a>' in page
    assert f'<a href="/tasks/{people.task.pk}/" rel="nofollow noopener">#task-' in page
    assert "Your comment is posted." in page


def test_an_unknown_mention_is_left_as_text_and_reported(people: Any) -> None:
    client = _client(people.ben)
    client.post(f"/discussion/task-{people.task.pk}/post/", {"body": "Hi @Nobody"})
    page = client.get(f"/tasks/{people.task.pk}/").content.decode()
    assert "No one member is called @Nobody, so it was left as plain text." in page
    assert ">@Nobody<" not in page


def test_an_empty_comment_is_refused_on_its_own_page_with_the_error_summary(
    people: Any,
) -> None:
    response = _client(people.ben).post(f"/discussion/task-{people.task.pk}/post/", {"body": " "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Write a comment before posting: it is empty." in page
    assert '<a href="#comment_body">' in page
    assert not Comment.objects.exists()


def test_a_new_accounts_links_carry_nofollow_ugc(people: Any, make_member: Any) -> None:
    new = make_member("Newcomer", level=0)
    client = _client(new)
    client.post(f"/discussion/task-{people.task.pk}/post/", {"body": "See <https://example.org/x>"})
    page = client.get(f"/tasks/{people.task.pk}/").content.decode()
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in page


def test_reply_quote_edit_history_and_delete_through_the_pages(people: Any) -> None:
    subject = f"task-{people.task.pk}"
    first = services.post_comment(people.ada, subject, "Draft is *ready*").comment
    ben = _client(people.ben)
    ben.post(f"/discussion/{subject}/post/", {"body": "Reading it", "reply_to": first.pk})
    reply = Comment.objects.get(parent=first)
    quote_page = ben.get(f"/discussion/{subject}/post/?quote={first.pk}&reply={first.pk}")
    assert "Ada Lovelace wrote:\n\n&gt; Draft is *ready*" in quote_page.content.decode()

    ada = _client(people.ada)
    assert ben.get(f"/comments/{first.pk}/edit/").status_code == 403
    ada.post(f"/comments/{first.pk}/edit/", {"body": "Draft is *done*"})
    history = _text(Client().get(f"/comments/{first.pk}/history/").content.decode())
    assert "Now Draft is done" in history
    assert "Draft is ready" in history
    page = Client().get(f"/tasks/{people.task.pk}/").content.decode()
    assert f'href="/comments/{first.pk}/history/">edited</a>' in page

    assert "Delete your comment?" in ada.get(f"/comments/{first.pk}/delete/").content.decode()
    ada.post(f"/comments/{first.pk}/delete/")
    page = _text(Client().get(f"/tasks/{people.task.pk}/").content.decode())
    assert "This comment was deleted by its author" in page
    assert "Draft is" not in page
    assert "Reading it" in page  # the reply stays
    assert reply.pk in [r.pk for r in selectors.comments_page(first.thread).items[0].shown_replies]


def test_each_kind_of_record_page_shows_its_thread(world: Any) -> None:
    from commonshare.decisions import services as decisions
    from commonshare.governance.selectors import current_norms

    proposal = decisions.propose(world.ada, title="Meet weekly", kind="other", method="majority")
    norm = current_norms()[0]
    pages = {
        f"contribution-{world.contribution.pk}": f"/contributions/{world.contribution.pk}/",
        f"proposal-{proposal.number}": f"/decisions/{proposal.number}/",
        f"norm-{norm.pk}": f"/norms/{norm.kind}/{norm.number}/",
    }
    client = _client(world.ben)
    for subject, url in pages.items():
        services.post_comment(world.ada, subject, f"About {subject}")
        page = client.get(url).content.decode()
        assert f"About {subject}" in page, url
        assert f'action="/discussion/{subject}/post/"' in page, url
        assert client.get(f"/discussion/{subject}/")["Location"] == f"{url}#discussion"


def test_the_commons_forum_lists_topics_and_starts_new_ones(people: Any) -> None:
    client = _client(people.ada)
    refused = client.post("/commons/new/", {"title": "", "body": ""}).content.decode()
    assert "Give the topic a title." in refused
    assert "Write a comment before posting" in refused
    response = client.post("/commons/new/", {"title": "Welcome", "body": "Say hello"})
    topic = selectors.topics_page().items[0]
    assert response["Location"] == f"/commons/{topic.pk}/"
    _client(people.ben).post(f"/discussion/topic-{topic.pk}/post/", {"body": "Hello!"})
    forum = _text(Client().get("/commons/").content.decode())
    assert "Welcome started by Ada Lovelace · 2 comments" in forum
    page = _text(Client().get(f"/commons/{topic.pk}/").content.decode())
    assert "Say hello" in page
    assert "Hello!" in page
    assert Client().get("/commons/999/").status_code == 404


def test_a_subject_that_names_nothing_is_a_404(people: Any) -> None:
    client = _client(people.ben)
    assert client.get("/discussion/task-999/").status_code == 404
    assert client.post("/discussion/poem-1/post/", {"body": "x"}).status_code == 404


def test_the_rules_page_says_how_much_members_may_post(adopt_rules: Any) -> None:
    adopt_rules(discussion={"level0_per_day": 4, "per_hour": 12, "ugc_below_level": 2})
    page = _text(Client().get("/policy/").content.decode())
    assert (
        "Members at trust level 0 may post 4 comments in 24 hours, and nobody may post more "
        "than 12 comments in an hour."
    ) in page
    assert "Links in comments by members below trust level 2 are marked" in page
