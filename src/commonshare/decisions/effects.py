"""What a proposal can carry: a registry of effects, each run once when its decision passes.

An effect kind has three parts:

- ``prepare(content)``: check the content when the proposal is made (every problem listed
  at once, ``InvalidInput`` naming each field under ``effect.``) and return its stored form;
- ``describe(content)``: what it would do, for the proposal's page, the API and the CLI
  (a policy change is shown as a diff against the policy as it stands);
- ``run(proposal, content)``: do it, inside the close action, through the owning app's
  private, event-less helper (actions do not nest; the close's one event names it all),
  and return one sentence of what it did.

To add an effect (a norm's new version, a money action, the steward phase's early end),
write its three functions beside the app that owns the write and ``register`` an
``Effect`` for it here; nothing else in the decisions app needs to change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commonshare.core.policy import Change, policy_diff, policy_from_dict, policy_to_dict
from commonshare.core.words import long_date
from commonshare.decisions import vocab
from commonshare.errors import InvalidInput
from commonshare.governance.models import PolicyVersion
from commonshare.governance.selectors import policy_of
from commonshare.governance.services import _adopt_policy, policy_problems

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
