"""Version 1 of the policy: the rules the code had before the community decided any.

The text is frozen here, not computed from today's defaults, so that the data
migration writes the same version 1 whatever the defaults become later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

INITIAL_CONTENT = (
    '{"expenses":{"approvals":2},"period":{"months":1},"reserve":{"share":"0.1"},'
    '"resources":{"currency":"EUR","default_price":"0.02","prices":{"GB transferred":"0.01",'
    '"compute hours":"0.1","server hours":"0.05"}},"review":{"redraw_reviewers_on_edit":false,'
    '"reviewers_per_contribution":2},"trust":{"level1_days":7,"level1_reviewed_contributions":1,'
    '"level2_days":30,"level2_reviewed_contributions":5,"level2_reviews_given":5,'
    '"level3_days":90,"level3_reviewed_contributions":20,"level3_reviews_given":20},'
    '"valuation":{"effort_per_unit":{"deliverable":"1","work":"1"},"method":"robust",'
    '"parameters":{}}}'
)
INITIAL_SHA256 = hashlib.sha256(INITIAL_CONTENT.encode("ascii")).hexdigest()
# In force from the earliest date there is, so every period ever has a policy.
INITIAL_VALID_FROM = dt.date.min


def write_version_one(policy_version: Any) -> None:
    """Write version 1 unless it is there (``policy_version``: the model, or a migration's)."""
    if not policy_version.objects.filter(number=1).exists():
        policy_version.objects.create(
            number=1,
            content=INITIAL_CONTENT,
            sha256=INITIAL_SHA256,
            valid_from=INITIAL_VALID_FROM,
            adopted_by="initial",
        )
