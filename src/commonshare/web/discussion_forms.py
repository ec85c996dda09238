"""The forms of threads and the forum; the discussion services hold every rule."""

from __future__ import annotations

from typing import Any

from django import forms

from commonshare.core.discussion import handle_of
from commonshare.discussion.vocab import TITLE_MAX
from commonshare.web.forms import Form

BODY_HELP = (
    "Markdown works: *emphasis*, lists, > quotes and links. Mention a member with @ and their "
    "name without spaces (@AdaLovelace); #task-12 or #proposal-3 link to that record."
)


def _body(label: str = "Your comment") -> forms.CharField:
    # No max_length here: the service refuses an overlong comment with the real limit.
    return forms.CharField(
        label=label,
        help_text=BODY_HELP,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-mentions": "mention-choices"}),
    )


class CommentForm(Form):
    body = _body()
    mention = forms.CharField(
        label="Mention a member (optional)",
        help_text="Start typing a name to choose from the list.",
        required=False,
        widget=forms.TextInput(attrs={"list": "mention-choices", "autocomplete": "off"}),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def text(self) -> str:
        """The comment as posted: the chosen member's mention, then what was written."""
        body: str = self.cleaned_data.get("body") or ""
        chosen = handle_of((self.cleaned_data.get("mention") or "").strip().lstrip("@"))
        if chosen and f"@{chosen}".casefold() not in body.casefold():
            return f"@{chosen} {body}" if body.strip() else ""
        return body

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].shown_required = True  # type: ignore[attr-defined]


class EditForm(Form):
    body = _body("The comment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].shown_required = True  # type: ignore[attr-defined]


class TopicForm(Form):
    title = forms.CharField(
        label="Title", required=False, widget=forms.TextInput(attrs={"maxlength": TITLE_MAX})
    )
    body = _body("The first comment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "body"):
            self.fields[name].shown_required = True  # type: ignore[attr-defined]
