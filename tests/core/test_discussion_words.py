"""core.discussion: what a comment's text mentions and refers to, quoting, posting limits;
and the policy's discussion section."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from commonshare.core.discussion import (
    Recent,
    Reference,
    handle_key,
    handle_of,
    mentions,
    posting_refusal,
    quote,
    references,
)
from commonshare.core.policy import (
    DEFAULT_POLICY,
    check_policy,
    policy_from_dict,
    policy_sha256,
    policy_to_dict,
)


def test_mentions_outside_code_and_addresses_each_once() -> None:
    text = "Hi @Ada, @ada and @Bo-Li. Mail ada@example.org; `@Cy` and\n```\n@Di\n```\n@Ed."
    assert mentions(text) == ["Ada", "Bo-Li", "Ed"]


def test_handles_drop_spaces_and_compare_without_case_or_width() -> None:
    assert handle_of("Ada Lovelace") == "AdaLovelace"
    assert handle_of("  Jean-Luc (JL) ") == "Jean-LucJL"
    assert handle_key("ADA") == handle_key("ada") == handle_key("\uff41\uff44\uff41")


def test_references_name_known_kinds_by_number() -> None:
    text = "See #task-12, #proposal-3 and #task-12 again; not #poem-1, #task-0 or a#task-4."
    assert references(text) == [Reference("task", 12), Reference("proposal", 3)]
    assert Reference("task", 12).text == "#task-12"


def test_quote_marks_every_line() -> None:
    assert quote("Ada", "one\n\ntwo\n") == "Ada wrote:\n\n> one\n>\n> two\n\n"


@given(st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=40))
def test_a_members_handle_is_mentioned_as_written(name: str) -> None:
    handle = handle_of(name)
    if handle:
        assert mentions(f"Thanks @{handle}!") == [handle]


@given(st.text(max_size=200))
def test_every_quoted_line_is_a_block_quote(body: str) -> None:
    quoted = quote("Ada", body)
    assert quoted.startswith("Ada wrote:\n\n>")
    assert quoted.endswith("\n\n")  # what follows is the reply's own paragraph
    assert all(line.startswith(">") for line in quoted[:-2].splitlines()[2:])


def test_posting_limits() -> None:
    limits = {"level0_per_day": 3, "per_hour": 5}
    assert posting_refusal(0, Recent(last_day=2, last_hour=2), **limits) is None
    assert "New members may post 3 comments a day" in (
        posting_refusal(0, Recent(last_day=3, last_hour=0), **limits) or ""
    )
    assert posting_refusal(1, Recent(last_day=3, last_hour=4), **limits) is None
    assert "in the last hour" in (posting_refusal(4, Recent(5, 5), **limits) or "")


def test_the_discussion_section_is_checked_and_absent_while_default() -> None:
    content = policy_to_dict(DEFAULT_POLICY)
    assert "discussion" not in content  # versions written before it keep their checksum
    assert policy_sha256(policy_from_dict(content)) == policy_sha256(DEFAULT_POLICY)
    changed = policy_from_dict({**content, "discussion": {"level0_per_day": 0}})
    assert changed.discussion.level0_per_day == 0
    assert policy_to_dict(changed)["discussion"]["level0_per_day"] == 0
    problems = check_policy(
        {"discussion": {"per_hour": 0, "ugc_below_level": 7, "level0_per_day": "ten", "x": 1}}
    )
    assert {p.field for p in problems} == {
        "discussion.per_hour",
        "discussion.ugc_below_level",
        "discussion.level0_per_day",
        "discussion.x",
    }
    assert all(p.message and "discussion" not in p.message.split()[0] for p in problems)
