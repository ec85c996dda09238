"""``commonshare decision …`` runs the same services: propose, vote, show, close, recount."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from commonshare.cli import main
from commonshare.decisions.models import Proposal
from tests.decisions.helpers import after_close

pytestmark = pytest.mark.django_db


def test_propose_vote_show_close_and_recount(make_member: Any) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    runner = CliRunner()
    made = runner.invoke(
        main,
        [
            "decision", "propose", "--title", "Reserve 20%", "--kind", "rules",
            "--method", "majority", "--quorum", "0.25", "--days", "3",
            "--change", "reserve.share=0.2", "--as", alice.email,
        ],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Decision 1 proposed" in made.output
    voted = runner.invoke(main, ["decision", "vote", "1", "--choice", "for", "--as", bob.email])
    assert voted.exit_code == 0, voted.output
    receipt = voted.output.rsplit(" ", 1)[-1].strip()
    shown = runner.invoke(main, ["decision", "show", "1"])
    assert 'reserve.share: "0.1" -> "0.2"' in shown.output
    assert "voted: Bob" in shown.output
    assert runner.invoke(main, ["decision", "close", "1"]).exit_code == 2
    with after_close(Proposal.objects.get()):
        closed = runner.invoke(main, ["decision", "close-due"])
    assert closed.exit_code == 0, closed.output
    assert "Passed" in closed.output and "1 of 1 due closed." in closed.output
    recount = runner.invoke(main, ["decision", "recount", "1"])
    assert recount.exit_code == 0 and "matches the published tally" in recount.output
    counted = runner.invoke(main, ["decision", "receipt", "1", receipt])
    assert "was counted" in counted.output


def test_a_bad_ballot_is_refused_with_a_message(make_member: Any) -> None:
    alice = make_member("Alice")
    runner = CliRunner()
    args = ["decision", "propose", "--title", "T", "--kind", "other", "--method", "consent"]
    assert runner.invoke(main, [*args, "--as", alice.email]).exit_code == 0
    refused = runner.invoke(
        main, ["decision", "vote", "1", "--ranking", "A,B", "--as", alice.email]
    )
    assert refused.exit_code == 2
    assert "error:" in refused.output
