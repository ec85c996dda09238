"""The governance app's limits: field lengths of a policy version (characters).

The model, the service and any later form or schema read them from here.
"""

from __future__ import annotations

SHA256_MAX = 64
"""A lower-case hex sha256 digest."""
MAX_ADOPTED_BY = 200
"""What adopted a version: "initial" for version 1, the adopted decision later."""
