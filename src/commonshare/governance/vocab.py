"""The governance app's limits: field lengths of a policy version (characters).

The model, the service and any later form or schema read them from here.
"""

from __future__ import annotations

SHA256_MAX = 64
"""A lower-case hex sha256 digest."""
MAX_ADOPTED_BY = 200
"""What adopted a version: "initial" for version 1, the adopted decision later."""

# Norms: versioned Markdown documents, each of a kind, adopted only by decisions.
NORM_KIND_MAX = 40
"""A norm's kind: a slug such as ``code-of-conduct`` (lower-case letters, digits, hyphens)."""
NORM_TITLE_MAX = 120
"""A norm's title, as pages show it."""
NORM_TEXT_MAX = 20_000
"""A norm version's Markdown text (characters)."""

PURPOSE = "purpose"
CODE_OF_CONDUCT = "code-of-conduct"
REVIEW_GUIDELINES = "review-guidelines"
CONTRIBUTION_GUIDELINES = "contribution-guidelines"
NORM_KINDS = {
    PURPOSE: "Our purpose",
    CODE_OF_CONDUCT: "Code of conduct",
    REVIEW_GUIDELINES: "Review guidelines",
    CONTRIBUTION_GUIDELINES: "Contribution guidelines",
}
"""The kinds every community starts with, by slug, with their first titles, in the order
pages list them. A decision may adopt a norm of a new kind, naming its slug and title."""
