"""Test set-up for norms: adopt a version as a decision's close action would.

``_adopt_norm`` records no event (the decision's close action does); this small action
records the one event itself, so the one-event rule holds in tests as it will there.
"""

from __future__ import annotations

from typing import Any

from commonshare.audit.actions import action
from commonshare.audit.services import record


@action
def adopt_as_decision(
    kind: str, text: str, *, decision_number: int = 1, title: str | None = None
) -> Any:
    """Adopt ``text`` as the next version of ``kind``, as decision ``decision_number``."""
    from commonshare.governance.norms import _adopt_norm

    version = _adopt_norm(kind, text, title=title, decision_number=decision_number)
    record("tests.norm.adopted", version, kind=kind, number=version.number)
    return version
