"""Version 1 of each norm: what every community starts with, before it has decided any.

The texts are frozen here (like the policy's version 1 in ``initial.py``), so the data
migration writes the same first versions whatever the code says later. The purpose is
the sentence the home page used to carry in code; the others are short first drafts that
say what the software already does and leave the rest for the community to decide.
"""

from __future__ import annotations

from typing import Any

from commonshare.core.norms import norm_sha256

PURPOSE_TEXT = """\
We are a headless venture: anyone may join, pick small pieces of work, review each other, \
and share the income by the peer-reviewed value of what each gave.

Nobody here is a boss. Authority comes from reviewed work and from decisions whose method \
was fixed before anyone voted, and every amount of money is in the open, with its reasons.
"""

CODE_OF_CONDUCT_TEXT = """\
This is a first version. The community will improve it by decision.

- Be kind and direct. Criticise work, never the person who did it.
- Say what you did and what you could not do. Do not claim work that is not yours.
- Do not harass, threaten or demean anyone, here or elsewhere, for any reason.
- Keep what others tell you in private private.
- When something goes wrong, say so in the open, where the community can see it and \
decide.
"""

REVIEW_GUIDELINES_TEXT = """\
This is a first version. The community will improve it by decision.

You were drawn at random to review a contribution. Your rating decides part of how the \
income is shared, so:

- Judge the version you were shown, against the evidence it gives. If you cannot check \
it, say so in your comment.
- Rate the value to the community, not the effort alone, and not the person.
- Write a comment that helps the contributor do better next time.
- Do not review work you took part in, or the work of someone close to you: decline \
instead.
"""

CONTRIBUTION_GUIDELINES_TEXT = """\
This is a first version. The community will improve it by decision.

- Claim a task before you start, or log work that had no task and say why it was worth \
doing.
- State honestly what you gave: the hours, the units, or the expense with its receipt.
- Give evidence a reviewer can check: a link, a file, a description of the result.
- Small pieces are easier to review well than large ones.
"""

INITIAL_NORMS = (
    ("purpose", "Our purpose", PURPOSE_TEXT),
    ("code-of-conduct", "Code of conduct", CODE_OF_CONDUCT_TEXT),
    ("review-guidelines", "Review guidelines", REVIEW_GUIDELINES_TEXT),
    ("contribution-guidelines", "Contribution guidelines", CONTRIBUTION_GUIDELINES_TEXT),
)
"""Each first norm: its kind, title and text (the kinds are ``vocab.NORM_KINDS``'s)."""


def write_initial_norms(norm_version: Any) -> None:
    """Write version 1 of each norm that has none (``norm_version``: the model, or a
    migration's)."""
    for kind, title, text in INITIAL_NORMS:
        if not norm_version.objects.filter(kind=kind, number=1).exists():
            norm_version.objects.create(
                kind=kind,
                number=1,
                title=title,
                text=text,
                sha256=norm_sha256(kind=kind, number=1, title=title, text=text),
                decision_number=None,
            )
