"""One decision as plain data, for the API and the CLI (the web page has its own words)."""

from __future__ import annotations

import json
from typing import Any

from commonshare.decisions import effects, selectors
from commonshare.decisions.models import Proposal


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def effect_of(proposal: Proposal) -> dict[str, Any] | None:
    """The carried action: its kind, content, a sentence and (a policy change) its diff."""
    if not proposal.effect_kind:
        return None
    carried = effects.effect(proposal.effect_kind)
    content = effects.content_of(proposal)
    frozen = selectors.published(proposal).get("carried")
    if frozen is None:  # still open: what it would do to the rules as they stand now
        described = carried.describe(content)
        frozen = {
            "summary": described.summary,
            "changes": [
                {"path": c.path, "before": c.before, "after": c.after} for c in described.changes
            ],
        }
    return {
        "kind": proposal.effect_kind,
        "label": carried.label,
        "content": content,
        "summary": frozen["summary"],
        "changes": frozen["changes"],
        "result": proposal.effect_note,
    }


def as_dict(number_or_proposal: int | Proposal) -> dict[str, Any]:
    proposal = (
        number_or_proposal
        if isinstance(number_or_proposal, Proposal)
        else selectors.proposal(number_or_proposal)
    )
    phases = selectors.published(proposal).get("phases", [])
    return {
        "number": proposal.number,
        "title": proposal.title,
        "body": proposal.body,
        "proposer": {"id": proposal.proposer_id, "display_name": proposal.proposer.display_name},
        "kind": proposal.kind,
        "method": proposal.method,
        "terms": json.loads(proposal.terms),
        "secret": proposal.secret,
        "eligibility": proposal.eligibility,
        "opens_at": _iso(proposal.opens_at),
        "closes_at": _iso(proposal.closes_at),
        "runoff_days": proposal.runoff_days,
        "runoff_closes_at": _iso(proposal.runoff_closes_at),
        "stage": proposal.stage,
        "outcome": proposal.outcome or None,
        "statement": proposal.statement or None,
        "review_on": _iso(proposal.review_on),
        "closed_at": _iso(proposal.closed_at),
        "effect": effect_of(proposal),
        "voters": [
            {"id": m.pk, "display_name": m.display_name} for m in selectors.voters(proposal)
        ],
        "phases": phases,
    }


def lines(shown: dict[str, Any]) -> list[str]:
    """``as_dict`` as lines for the terminal."""
    terms = shown["terms"]
    found = [
        f"decision {shown['number']}: {shown['title']} ({shown['stage']})",
        f"proposed by {shown['proposer']['display_name']}; about {shown['kind']}; "
        f"method {shown['method']}; quorum {terms.get('quorum')}; voters at trust level "
        f"{shown['eligibility']} or above; "
        + ("secret ballots" if shown["secret"] else "ballots shown with their voters"),
        f"voting {shown['opens_at']} to {shown['closes_at']}"
        + (
            f"; majority vote until {shown['runoff_closes_at']}"
            if shown["runoff_closes_at"]
            else ""
        ),
    ]
    if terms.get("options"):
        found.append(f"options: {', '.join(terms['options'])}")
    for criterion in terms.get("criteria", []):
        found.append(f"criterion: {criterion['name']} (weight {criterion['weight']})")
    if shown["effect"]:
        found.append(f"carries: {shown['effect']['summary']}")
        for change in shown["effect"]["changes"]:
            before, after = json.dumps(change["before"]), json.dumps(change["after"])
            found.append(f"  {change['path']}: {before} -> {after}")
        if shown["effect"]["result"]:
            found.append(shown["effect"]["result"])
    voters = ", ".join(v["display_name"] for v in shown["voters"]) or "nobody yet"
    found.append(f"voted: {voters}")
    if shown["statement"]:
        found.append(shown["statement"])
    if shown["review_on"]:
        found.append(f"due for review on {shown['review_on']}")
    return found
