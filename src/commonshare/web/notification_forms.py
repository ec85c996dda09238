"""The notification settings form: one choice per kind of notification."""

from __future__ import annotations

from typing import Any

from django import forms

from commonshare.notifications import vocab
from commonshare.web.forms import Form


class PreferencesForm(Form):
    """A radio group per kind: at once, in a daily digest, or not by e-mail."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, words in vocab.KINDS.items():
            self.fields[kind] = forms.ChoiceField(
                label=words,
                choices=vocab.Delivery.choices,
                widget=forms.RadioSelect,
                required=True,
            )
        for kind, field in self.fields.items():
            words = vocab.KINDS[kind].lower()
            field.error_messages["required"] = f"Choose how to hear that “{words}”."
            field.error_messages["invalid_choice"] = (
                f"Choose how to hear that “{words}”: one of the three choices."
            )
