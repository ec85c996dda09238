"""Policy versions: version 1 in every data folder, adoption from the next period, frozen by
distributions, read the same way by the API, the web page and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from tests.distributing import distribute
from tests.money import posted_income

from commonshare.audit.models import AuditEvent
from commonshare.books.distribution import propose_distribution
from commonshare.books.policy import frozen_policy
from commonshare.cli import main
from commonshare.core.policy import DEFAULT_POLICY, canonical_json, policy_from_dict, policy_to_dict
from commonshare.errors import InvalidInput
from commonshare.governance import selectors, services
from commonshare.governance.initial import INITIAL_CONTENT
from commonshare.governance.models import PolicyVersion

pytestmark = pytest.mark.django_db


def _on(day: dt.date) -> Any:
    """Adopt as if on ``day`` (noon UTC): the service takes the day itself."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC))


def _content(**sections: dict[str, Any]) -> dict[str, Any]:
    content = policy_to_dict(DEFAULT_POLICY)
    for name, rules in sections.items():
        content[name].update(rules)
    return content


def test_the_migrations_write_version_one_from_the_defaults() -> None:
    version = PolicyVersion.objects.get()
    assert (version.number, version.adopted_by, version.valid_from) == (1, "initial", dt.date.min)
    # Version 1's text is frozen (rules added since are absent and read as their defaults).
    assert version.content == INITIAL_CONTENT
    assert policy_from_dict(json.loads(version.content)) == DEFAULT_POLICY
    assert version.sha256 == hashlib.sha256(version.content.encode("ascii")).hexdigest()
    assert selectors.current_policy() == DEFAULT_POLICY
    assert selectors.current_policy(at=dt.date(1970, 1, 1)) == DEFAULT_POLICY


def test_a_policy_with_problems_is_refused_whole_and_writes_nothing() -> None:
    events = AuditEvent.objects.count()
    bad = _content(reserve={"share": "1.5"}, review={"reviewers_per_contribution": 0})
    with pytest.raises(InvalidInput) as refused:
        services.adopt_policy(bad, adopted_by="")
    assert [field for field, _ in refused.value.problems] == [
        "policy.review.reviewers_per_contribution",
        "policy.reserve.share",
        "adopted_by",
    ]
    assert "The reserve share must be between 0 and 1." in dict(refused.value.problems).values()
    assert PolicyVersion.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_adoption_takes_no_day_so_it_cannot_be_backdated() -> None:
    with pytest.raises(TypeError):
        services.adopt_policy(  # type: ignore[call-arg]
            _content(), adopted_by="decision 1", on=dt.date(2000, 1, 1)
        )
    version = services.adopt_policy(_content(), adopted_by="decision 1")
    assert version.valid_from > timezone.localdate()
    assert selectors.current_version().number == 1


def test_a_new_version_takes_effect_when_the_next_period_starts() -> None:
    with _on(dt.date(2026, 3, 5)):
        version = services.adopt_policy(
            _content(expenses={"approvals": 3}), adopted_by="decision 7"
        )
    assert (version.number, version.valid_from) == (2, dt.date(2026, 4, 1))
    assert selectors.current_policy(at=dt.date(2026, 3, 31)).expenses.approvals == 2
    assert selectors.current_policy(at=dt.date(2026, 4, 1)).expenses.approvals == 3
    event = AuditEvent.objects.get(code="governance.policy.adopted")
    assert event.data["number"] == 2 and event.data["sha256"] == version.sha256
    # Monthly to quarterly, adopted on 1 May (that month has begun): not 1 June, in the
    # middle of a quarter, but 1 July, which starts both a month and a quarter.
    with _on(dt.date(2026, 5, 1)):
        quarterly = services.adopt_policy(_content(period={"months": 3}), adopted_by="decision 8")
    assert quarterly.valid_from == dt.date(2026, 7, 1)
    # From then on periods are quarters: a version adopted in July waits for October.
    with _on(dt.date(2026, 7, 2)):
        later = services.adopt_policy(_content(), adopted_by="decision 9")
    assert later.valid_from == dt.date(2026, 10, 1)


def test_a_version_adopted_while_another_waits_starts_where_both_lengths_start() -> None:
    # Adopted in April under monthly periods, four-month periods start on 1 May...
    with _on(dt.date(2026, 4, 10)):
        four = services.adopt_policy(_content(period={"months": 4}), adopted_by="decision 1")
    assert four.valid_from == dt.date(2026, 5, 1)
    # ...so quarters adopted later in April cannot start on 1 July, inside May-August:
    # they start on the first day that begins both a four-month period and a quarter.
    with _on(dt.date(2026, 4, 20)):
        quarters = services.adopt_policy(_content(period={"months": 3}), adopted_by="decision 2")
    assert quarters.valid_from == dt.date(2027, 1, 1)
    # A version waiting with the same length as the new one: from that version's start.
    with _on(dt.date(2026, 4, 25)):
        same = services.adopt_policy(_content(period={"months": 3}), adopted_by="decision 3")
    assert same.valid_from == dt.date(2027, 1, 1)


def test_policy_versions_are_append_only_in_the_database() -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("UPDATE governance_policyversion SET adopted_by = 'me'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("DELETE FROM governance_policyversion")


def test_the_review_count_comes_from_the_policy(make_member: Any, adopt_rules: Any) -> None:
    from commonshare.work import services as work

    ada = make_member("Ada")
    for _ in range(5):
        make_member()
    one_hour = work.ContributionInput(kind="work", summary="s", hours="1", evidence_text="e")
    assert work.log_contribution(ada, one_hour).assignments.count() == 2
    adopt_rules(review={"reviewers_per_contribution": 4})
    contribution = work.log_contribution(ada, one_hour)
    assert contribution.assignments.count() == 4
    page = Client().get(f"/contributions/{contribution.pk}/").content.decode()
    assert "Each contribution gets 4 reviewers" in page


def test_the_contribution_page_tells_the_count_in_force_when_it_was_logged(
    make_member: Any,
) -> None:
    from tests.policies import insert_version

    from commonshare.work import services as work

    ada = make_member("Ada")
    for _ in range(5):
        make_member()
    one_hour = work.ContributionInput(kind="work", summary="s", hours="1", evidence_text="e")
    with _on(dt.date(2026, 1, 10)):
        logged = work.log_contribution(ada, one_hour)
    insert_version(valid_from=dt.date(2026, 2, 1), review={"reviewers_per_contribution": 4})
    assert selectors.current_policy().review.reviewers_per_contribution == 4
    page = Client().get(f"/contributions/{logged.pk}/").content.decode()
    assert logged.assignments.count() == 2
    assert "Each contribution gets 2 reviewers" in page


def _work_reviewed(make_member: Any) -> Any:
    """Ada logs two hours that Ben reviews, and 100 EUR comes in today; Ada is returned."""
    from commonshare.work import services as work

    ada, ben = make_member("Ada"), make_member("Ben")
    logged = work.log_contribution(
        ada, work.ContributionInput(kind="work", summary="s", hours="2", evidence_text="e")
    )
    work.submit_review(ben, logged.pk, rating=4, comment="Good.")
    posted_income(
        ada,
        amount="100.00",
        currency="EUR",
        payer="P",
        description="d",
        received_on=timezone.localdate(),
    )
    return ada


def _distribute(make_member: Any, *, start: dt.date) -> Any:

    ada = _work_reviewed(make_member)
    return distribute(ada, currency="EUR")


def test_a_version_adopted_mid_period_does_not_change_the_running_period(
    make_member: Any,
) -> None:

    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    with _on(last_month + dt.timedelta(days=9)):
        adopted = services.adopt_policy(
            _content(valuation={"method": "mean"}), adopted_by="decision 1"
        )
    assert adopted.valid_from == this_month
    assert selectors.current_policy().valuation.method == "mean"  # in force today...
    with _on(last_month + dt.timedelta(days=2)):
        ada = _work_reviewed(make_member)
    # ...but the period that began under version 1 follows version 1 whole.
    distribution = propose_distribution(ada, period=last_month, currency="EUR")
    assert distribution.method == "robust"
    assert (distribution.policy_version, distribution.policy_sha256) == (
        1,
        selectors.policy_version(1).sha256,
    )


def test_a_distribution_freezes_the_version_in_force_when_its_period_began(
    make_member: Any, adopt_rules: Any
) -> None:
    version = adopt_rules(valuation={"method": "mean"}, reserve={"share": "0.2"})
    distribution = _distribute(make_member, start=timezone.localdate().replace(day=1))
    distribution.refresh_from_db()
    assert distribution.method == "mean"
    assert (distribution.policy_version, distribution.policy_sha256) == (2, version.sha256)
    # What it froze is exactly that version's content, hash for hash.
    assert canonical_json(distribution.policy) == version.content
    api = Client().get(f"/api/distributions/{distribution.pk}").json()
    assert (api["policy_version"], api["policy_sha256"]) == (2, version.sha256)
    page = Client().get(f"/books/distributions/{distribution.pk}/").content.decode()
    assert re.search(r'id="policy-version">.*version 2</a>', page)
    assert version.sha256 in page
    assert "20 %" in page  # the reserve share the frozen policy set


def test_distributions_frozen_before_versions_still_read() -> None:
    flat = {
        "method": "robust",
        "valuation": {},
        "effort_per_unit": {"work": "1", "deliverable": "1"},
        "reserve_share": "0.10",
        "expense_approvals": 2,
        "resource_prices": {
            "server hours": "0.05",
            "compute hours": "0.10",
            "GB transferred": "0.01",
        },
        "default_resource_price": "0.02",
        "resource_currency": "EUR",
        "redraw_reviewers_on_edit": False,
        "reviewers_per_contribution": 2,
    }
    assert frozen_policy(flat) == DEFAULT_POLICY
    assert frozen_policy(policy_to_dict(DEFAULT_POLICY)) == DEFAULT_POLICY


def test_the_api_answers_version_one_and_each_versions_changes() -> None:
    client = Client()
    current = client.get("/api/policy").json()
    assert (current["number"], current["adopted_by"]) == (1, "initial")
    assert current["valid_from"] is None  # in force since the beginning, not 0001-01-01
    assert current["content"]["review"]["reviewers_per_contribution"] == 2
    assert (
        hashlib.sha256(canonical_json(current["content"]).encode()).hexdigest()
        == (current["sha256"])
    )
    with _on(dt.date(2026, 1, 9)):
        services.adopt_policy(_content(reserve={"share": "0.25"}), adopted_by="decision 3")
    listed = client.get("/api/policy/versions").json()
    assert [v["number"] for v in listed] == [1, 2]
    second = client.get("/api/policy/versions/2").json()
    assert (second["previous"], second["valid_from"]) == (1, "2026-02-01")
    assert second["changes"] == [{"path": "reserve.share", "before": "0.1", "after": "0.25"}]
    assert client.get("/api/policy/versions/1").json()["changes"] == []
    assert client.get("/api/policy/versions/9").status_code == 404


def test_the_rules_page_speaks_in_sentences_with_its_history(adopt_rules: Any) -> None:
    adopt_rules(reserve={"share": "0.25"}, review={"reviewers_per_contribution": 3})
    page = Client().get("/policy/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="main"')[1]))
    assert "Each contribution gets 3 reviewers" in text
    assert "25 % of every income goes to the reserve" in text
    assert "Version 2" in text and "Version 1" in text
    assert "Reviewers per contribution 2 3" in text
    assert "Share of every income that goes to the reserve 10 % 25 %" in text
    assert "in force since the beginning" in text
    assert "A checksum" in text or "Checksum" in text
    # No field names, internal codes, hash names or machine dates on the page.
    assert not re.search(r"\b\w+_\w+\b|reserve\.share|None\b|sha256|\bAPI\b|0001", text)
    assert 'href="/policy/"' in page  # linked from the site navigation


def test_the_cli_shows_the_policy_and_its_versions() -> None:
    with _on(dt.date(2026, 1, 9)):
        services.adopt_policy(_content(expenses={"approvals": 3}), adopted_by="decision 5")
    runner = CliRunner()
    shown = runner.invoke(main, ["policy", "show"], catch_exceptions=False)
    assert shown.exit_code == 0 and "policy version 2" in shown.output
    one = runner.invoke(main, ["policy", "show", "--version", "1", "--json"])
    data = json.loads(one.output)
    assert (data["number"], data["changes"], data["valid_from"]) == (1, [], None)
    two = runner.invoke(main, ["policy", "show", "--version", "2"]).output
    assert "expenses.approvals: 2 -> 3" in two
    listed = runner.invoke(main, ["policy", "versions"]).output.splitlines()
    assert [line.split("\t")[:3] for line in listed] == [
        ["1", "from the start", "initial"],
        ["2", "from 2026-02-01", "decision 5"],
    ]
    missing = runner.invoke(main, ["policy", "show", "--version", "7"])
    assert missing.exit_code == 2 and "There is no policy version 7." in missing.output


def test_the_demo_answers_version_one() -> None:
    from commonshare.books.models import Distribution
    from commonshare.demo import ensure_demo_community

    # The demo runs on earned levels and its steward phase, nothing lent (demo.py).
    assert ensure_demo_community()
    assert Client().get("/api/policy").json()["number"] == 1
    posted, proposed = Distribution.objects.order_by("period_start")
    assert (posted.status, proposed.status) == ("posted", "proposed")
    for distribution in (posted, proposed):
        assert (distribution.policy_version, distribution.policy_sha256) == (
            1,
            selectors.policy_version(1).sha256,
        )


def test_the_activity_feed_tells_of_an_adopted_version() -> None:
    from commonshare.web.activity import describe

    with _on(dt.date(2026, 1, 9)):
        services.adopt_policy(_content(), adopted_by="decision 2")
    line = describe(AuditEvent.objects.get(code="governance.policy.adopted"))
    assert line["sentence"] == (
        'adopted <a href="/policy/#version-2">version 2 of the rules</a>, '
        "in force from 1 February 2026"
    )


def test_the_lengths_and_valued_kinds_have_one_source() -> None:
    from commonshare.books import vocab as books_vocab
    from commonshare.core import policy as core_policy
    from commonshare.governance import vocab

    assert PolicyVersion._meta.get_field("adopted_by").max_length == vocab.MAX_ADOPTED_BY
    assert PolicyVersion._meta.get_field("sha256").max_length == vocab.SHA256_MAX
    assert books_vocab.VALUED_KINDS is core_policy.VALUED_KINDS
    too_long = "d" * (vocab.MAX_ADOPTED_BY + 1)
    with pytest.raises(InvalidInput) as refused:
        services.adopt_policy(_content(), adopted_by=too_long)
    assert refused.value.field == "adopted_by"


def test_every_method_has_words_in_the_change_table(adopt_rules: Any) -> None:
    from commonshare.core.valuation.types import METHODS
    from commonshare.web import policy_text

    assert set(policy_text.METHOD_WORDS) == set(METHODS) == set(policy_text.METHOD_NAMES)
    adopt_rules(valuation={"method": "impartial"})
    adopt_rules(valuation={"method": "mean"})
    page = Client().get("/policy/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="history"')[1]))
    assert "How pay is split no say over one's own group's pay the mean of its ratings" in (
        text.replace("&#x27;", "'")
    )
    assert not re.search(r"\b(mean|robust|impartial) method\b", text)
