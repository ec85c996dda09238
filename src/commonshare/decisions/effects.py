"""What a proposal can carry: a registry of effects, each run once when its decision passes.

An effect kind has three parts:

- ``prepare(content)``: check the content when the proposal is made (every problem listed
  at once, ``InvalidInput`` naming each field under ``effect.``) and return its stored form;
- ``describe(content)``: what it would do, for the proposal's page, the API and the CLI
  (a policy change is shown as a diff against the policy as it stands);
- ``run(proposal, content)``: do it, inside the close action, through the owning app's
  private, event-less helper (actions do not nest; the close's one event names it all),
  and return one sentence of what it did.

The effects registered here: a policy change, a norm's new version, the steward phase's
early end, approving an expense claim that needs a decision, and reversing a journal
entry. To add one, write its three functions over the owning app's private helper and
``register`` an ``Effect``; nothing else in the decisions app needs to change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commonshare.books.distribution import (
    _post_proposed_distribution,
    _release_proposed_distribution,
)
from commonshare.books.selectors import distribution as distribution_of
from commonshare.books.selectors.entries import entry_exists
from commonshare.books.selectors.expenses import expense_claim, expense_status
from commonshare.books.services import _approve_expense_by_decision, _reverse_by_decision
from commonshare.books.vocab import ExpenseStatus
from commonshare.core.policy import Change, policy_diff, policy_from_dict, policy_to_dict
from commonshare.core.words import long_date, period_words
from commonshare.decisions import vocab
from commonshare.errors import Conflict, InvalidInput, NotFound
from commonshare.governance.models import NormVersion, PolicyVersion
from commonshare.governance.norms import _adopt_norm, check_norm_change
from commonshare.governance.selectors import policy_of
from commonshare.governance.services import _adopt_policy, policy_problems
from commonshare.work import steward
from commonshare.work.steward_services import _end_steward_phase
from commonshare.work.vocab import StewardEndReason

if TYPE_CHECKING:
    from commonshare.decisions.models import Proposal


@dataclass(frozen=True)
class Description:
    """What an effect would do: one sentence, and for a policy change its diff."""

    summary: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Effect:
    kind: str
    label: str
    # The proposal kinds that may carry it (a policy change is a proposal about rules).
    proposal_kinds: frozenset[str]
    prepare: Callable[[Any], dict[str, Any]]
    describe: Callable[[Mapping[str, Any]], Description]
    run: Callable[[Proposal, Mapping[str, Any]], str]
    # Run at the close when it did not pass (or its run was refused), with the reason: lets
    # go of what the action held (a proposed distribution's money), and says so.
    release: Callable[[Proposal, Mapping[str, Any], str], str] | None = None
    # Whether its passing counts as "the first adopted decision" that ends the steward
    # phase: a routine posting by lazy consensus is not a decision about how to govern.
    ends_steward_phase: bool = True


EFFECTS: dict[str, Effect] = {}


def register(effect: Effect) -> Effect:
    EFFECTS[effect.kind] = effect
    return effect


def effect(kind: str) -> Effect:
    """The registered effect ``kind``; ``InvalidInput`` on ``effect_kind`` if there is none."""
    found = EFFECTS.get(kind)
    if found is None:
        names = ", ".join(sorted(EFFECTS)) or "none"
        raise InvalidInput(
            f"There is no carried action called {kind!r} (there are: {names}).",
            field="effect_kind",
        )
    return found


def content_of(proposal: Proposal) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(proposal.effect) if proposal.effect else {}
    return content


# --- the policy change ------------------------------------------------------------------


def _latest_policy_dict() -> dict[str, Any]:
    """The newest version's rules (one adopted but not in force yet included): a change is
    applied on top of what will be in force, so it never undoes another adopted change."""

    latest = PolicyVersion.objects.order_by("-number").first()
    if latest is None:
        return policy_to_dict(policy_from_dict({}))
    return policy_to_dict(policy_of(latest))


def _leaf_paths(data: Mapping[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in data.items():
        if isinstance(value, Mapping) and value and key not in ("parameters",):
            paths |= _leaf_paths(value, f"{prefix}{key}.")
        else:
            paths.add(f"{prefix}{key}")
    return paths


def _applied(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with each ``section.rule`` path of ``changes`` set; a path through a value
    that is not a section is refused, naming it."""
    result: dict[str, Any] = json.loads(json.dumps(base))
    for path, value in changes.items():
        keys = str(path).split(".")
        target: Any = result
        for key in keys[:-1]:
            target = target.setdefault(key, {}) if isinstance(target, dict) else None
        if not isinstance(target, dict) or len(keys) < 2 or not all(keys):
            raise InvalidInput(f"There is no rule called {path}.", field=f"effect.changes.{path}")
        target[keys[-1]] = value
    return result


def _prepare_policy_change(content: Any) -> dict[str, Any]:
    changes = content.get("changes") if isinstance(content, Mapping) else None
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidInput(
            "Say which rules change and to what, one rule on each line, like reserve.share = 0.2.",
            field="effect.changes",
        )
    base = _latest_policy_dict()
    known = _leaf_paths(base)
    found: list[tuple[str | None, str]] = []
    for path in changes:
        if not isinstance(path, str) or (
            path not in known and not path.startswith(("resources.prices.", "valuation."))
        ):
            found.append((f"effect.changes.{path}", f"There is no rule called {path}."))
    if not found:
        try:
            merged = _applied(base, changes)
        except InvalidInput as error:
            raise InvalidInput.of(error.problems) from None
        found += [(f"effect.{where}", message) for where, message in policy_problems(merged)]
        if not found and not policy_diff(policy_from_dict(base), policy_from_dict(merged)):
            found.append(("effect.changes", "These values are the rules already: nothing changes."))
    if found:
        raise InvalidInput.of(found)
    return {"changes": {path: changes[path] for path in sorted(changes)}}


def policy_change_diff(content: Mapping[str, Any]) -> list[Change]:
    """What the change would do to the newest policy version, rule by rule."""
    base = _latest_policy_dict()
    try:
        merged = _applied(base, content.get("changes", {}))
        return policy_diff(policy_from_dict(base), policy_from_dict(merged))
    except (ValueError, InvalidInput):
        return []


def _describe_policy_change(content: Mapping[str, Any]) -> Description:
    changes = policy_change_diff(content)
    count = len(changes)
    summary = (
        f"Adopts a new policy version changing {count} rule{'' if count == 1 else 's'}, "
        "in force from the start of the next period."
        if changes
        else "Adopts a new policy version; as the rules stand now it would change nothing."
    )
    return Description(summary, changes)


def _run_policy_change(proposal: Proposal, content: Mapping[str, Any]) -> str:
    merged = _applied(_latest_policy_dict(), content.get("changes", {}))
    version = _adopt_policy(merged, adopted_by=f"decision {proposal.number}")
    return (
        f"Adopted policy version {version.number}, in force from {long_date(version.valid_from)}."
    )


register(
    Effect(
        kind=vocab.POLICY_CHANGE,
        label="Change the rules (a new policy version, from the next period)",
        proposal_kinds=frozenset({vocab.ProposalKind.RULES}),
        prepare=_prepare_policy_change,
        describe=_describe_policy_change,
        run=_run_policy_change,
    )
)


def parse_change_lines(text: str) -> dict[str, Any]:
    """``reserve.share = 0.2`` lines (from a form or the CLI) as a change mapping: whole
    numbers become integers, true/false booleans, anything else stays text (decimals are
    written as text in a policy, never as floats)."""
    changes: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        path, sep, raw = line.partition("=")
        value: Any = raw.strip()
        if not sep:
            changes[line.strip()] = None
            continue
        if value.lower() in ("true", "false"):
            value = value.lower() == "true"
        elif value.lstrip("-").isdigit():
            value = int(value)
        changes[path.strip()] = value
    return changes


# --- a norm's new version ------------------------------------------------------------


def _prepare_norm_change(content: Any) -> dict[str, Any]:
    given = content if isinstance(content, Mapping) else {}
    kind, text = str(given.get("kind") or "").strip(), str(given.get("text") or "")
    title = given.get("title") or None
    found = [
        (f"effect.{where or 'text'}", message)
        for where, message in check_norm_change(kind, text, title=title)
    ]
    if found:
        raise InvalidInput.of(found)
    return {"kind": kind, "text": text, **({"title": title} if title else {})}


def _describe_norm_change(content: Mapping[str, Any]) -> Description:
    kind = content.get("kind", "")
    latest = NormVersion.objects.filter(kind=kind).order_by("-number").first()
    if latest is None:
        return Description(f"Adopts a new norm, {content.get('title') or kind}.")
    return Description(
        f"Adopts version {latest.number + 1} of the norm {latest.title}, replacing version "
        f"{latest.number}; the norm's page shows the lines it changes once adopted."
    )


def _run_norm_change(proposal: Proposal, content: Mapping[str, Any]) -> str:
    version = _adopt_norm(
        content["kind"],
        content["text"],
        title=content.get("title"),
        decision_number=proposal.number,
    )
    return f"Adopted version {version.number} of the norm {version.title}."


register(
    Effect(
        kind=vocab.NORM_CHANGE,
        label="Adopt or amend a norm (the purpose, the code of conduct, guidelines)",
        proposal_kinds=frozenset({vocab.ProposalKind.RULES}),
        prepare=_prepare_norm_change,
        describe=_describe_norm_change,
        run=_run_norm_change,
    )
)


# --- the steward phase's early end -----------------------------------------------------


def _prepare_end_steward_phase(content: Any) -> dict[str, Any]:
    if not steward.phase().is_open:
        raise InvalidInput("The steward phase has ended already.", field="effect_kind")
    return {}


def _describe_end_steward_phase(content: Mapping[str, Any]) -> Description:
    return Description(
        "Ends the steward phase now: from then on no account has any power beyond its own "
        "trust level, and the steward role never comes back."
    )


def _run_end_steward_phase(proposal: Proposal, content: Mapping[str, Any]) -> str:
    ended = _end_steward_phase(StewardEndReason.CLOSED_EARLY, proposal.number)
    if ended is None:
        return "The steward phase had already ended, so nothing changed."
    return "Ended the steward phase."


register(
    Effect(
        kind=vocab.END_STEWARD_PHASE,
        label="End the steward phase now",
        proposal_kinds=frozenset({vocab.ProposalKind.RULES}),
        prepare=_prepare_end_steward_phase,
        describe=_describe_end_steward_phase,
        run=_run_end_steward_phase,
    )
)


# --- money: an expense claim that needs a decision, a reversal ------------------------


def _whole(content: Any, key: str, words: str) -> int:
    value = content.get(key) if isinstance(content, Mapping) else None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"Give {words} as a whole number.", field=f"effect.{key}")
    return value


def _prepare_approve_expense(content: Any) -> dict[str, Any]:
    claim_id = _whole(content, "claim_id", "the expense claim's number")
    try:
        claim = expense_claim(claim_id)
    except NotFound:
        raise InvalidInput(
            f"There is no expense claim {claim_id}.", field="effect.claim_id"
        ) from None
    status = expense_status(claim)
    if status != ExpenseStatus.NEEDS_DECISION:
        raise InvalidInput(
            f"Expense claim {claim_id} is already {status}.", field="effect.claim_id"
        )
    return {"claim_id": claim_id}


def _describe_approve_expense(content: Mapping[str, Any]) -> Description:
    return Description(
        f"Approves expense claim {content.get('claim_id')}, so the commons owes its claimant "
        "the amount claimed."
    )


def _run_approve_expense(proposal: Proposal, content: Mapping[str, Any]) -> str:
    entry = _approve_expense_by_decision(content["claim_id"], decision_number=proposal.number)
    return f"Approved expense claim {content['claim_id']} (journal entry {entry.seq})."


def _prepare_reverse_entry(content: Any) -> dict[str, Any]:
    seq = _whole(content, "seq", "the journal entry's number")
    reason = str(content.get("reason") or "").strip() if isinstance(content, Mapping) else ""
    found: list[tuple[str | None, str]] = []
    if not entry_exists(seq):
        found.append(("effect.seq", f"There is no journal entry {seq}."))
    if not reason or len(reason) > 200:
        found.append(("effect.reason", "Say why the entry is reversed (1 to 200 characters)."))
    if found:
        raise InvalidInput.of(found)
    return {"seq": seq, "reason": reason}


def _describe_reverse_entry(content: Mapping[str, Any]) -> Description:
    return Description(
        f"Reverses journal entry {content.get('seq')} by posting its opposite: "
        f"{content.get('reason')}"
    )


def _run_reverse_entry(proposal: Proposal, content: Mapping[str, Any]) -> str:
    entry = _reverse_by_decision(
        content["seq"], reason=content["reason"], decision_number=proposal.number
    )
    return f"Reversed journal entry {content['seq']} by entry {entry.seq}."


for _money in (
    Effect(
        kind=vocab.APPROVE_EXPENSE,
        label="Approve an expense claim that needs a decision",
        proposal_kinds=frozenset({vocab.ProposalKind.MONEY}),
        prepare=_prepare_approve_expense,
        describe=_describe_approve_expense,
        run=_run_approve_expense,
    ),
    Effect(
        kind=vocab.REVERSE_ENTRY,
        label="Reverse a journal entry",
        proposal_kinds=frozenset({vocab.ProposalKind.MONEY}),
        prepare=_prepare_reverse_entry,
        describe=_describe_reverse_entry,
        run=_run_reverse_entry,
    ),
):
    register(_money)

# --- money: posting a proposed distribution -------------------------------------------


def _prepare_post_distribution(content: Any) -> dict[str, Any]:
    raise InvalidInput(
        "A distribution is put to a decision by proposing the distribution itself (on the "
        "distributions page, over the API or with the command line): that opens its "
        "lazy-consensus decision with the preview.",
        field="effect_kind",
    )


def _distribution_name(content: Mapping[str, Any]) -> str:
    try:
        found = distribution_of(int(content["distribution_id"]))
    except (KeyError, TypeError, ValueError, NotFound):
        return f"distribution {content.get('distribution_id')}"
    return f"the distribution of {period_words(found.period_start, found.period_end)}"


def _describe_post_distribution(content: Mapping[str, Any]) -> Description:
    try:
        found = distribution_of(int(content["distribution_id"]))
    except (KeyError, TypeError, ValueError, NotFound):
        return Description(f"Posts distribution {content.get('distribution_id')}.")
    count = found.payouts.count()
    return Description(
        f"Posts the distribution of {period_words(found.period_start, found.period_end)} "
        f"to the journal: {found.amount:,} {found.currency} in {count} "
        f"payout{'' if count == 1 else 's'}, each exactly as its preview explains."
    )


def _run_post_distribution(proposal: Proposal, content: Mapping[str, Any]) -> str:
    posted = _post_proposed_distribution(int(content["distribution_id"]))
    count = posted.payouts.count()
    return (
        f"Posted {_distribution_name(content)} to the journal: {posted.amount:,} "
        f"{posted.currency} in {count} payout{'' if count == 1 else 's'}."
    )


def _release_distribution(proposal: Proposal, content: Mapping[str, Any], why: str) -> str:
    name = _distribution_name(content)
    released = _release_proposed_distribution(int(content["distribution_id"]), why)
    if released is None:
        return f"Nothing was posted: {name} was no longer a proposal."
    return (
        f"{name[0].upper()}{name[1:]} was withdrawn and nothing of it was paid: "
        "its money can be distributed again."
    )


register(
    Effect(
        kind=vocab.POST_DISTRIBUTION,
        label="Post a proposed distribution",
        proposal_kinds=frozenset({vocab.ProposalKind.MONEY}),
        prepare=_prepare_post_distribution,
        describe=_describe_post_distribution,
        run=_run_post_distribution,
        release=_release_distribution,
        ends_steward_phase=False,
    )
)

# What a carried action may refuse at the close, when the books or rules moved since the
# proposal: the decision still closes, and says why nothing was done.
REFUSALS = (InvalidInput, Conflict, NotFound)


def proposers_own(kind: str, content: Mapping[str, Any], proposer_id: int) -> str | None:
    """Why ``proposer_id`` may not propose this action (their own money), or None."""
    if kind == vocab.APPROVE_EXPENSE:
        claim = expense_claim(int(content["claim_id"]))
        if claim.author_id == proposer_id:
            return "Nobody proposes the approval of their own expense claim."
    return None
