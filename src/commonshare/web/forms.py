"""Forms that label and carry input; the services hold every rule.

Fields are mostly plain text so the service sees what the person typed and
answers with the message and field to show. Field names match the services'
``field`` names, which is how an error lands next to its input.
"""

from __future__ import annotations

from typing import Any

from django import forms

from commonshare.books.models import ExpenseDecision, Income
from commonshare.work.models import Contribution

DECIMAL: dict[str, Any] = {"inputmode": "decimal", "autocomplete": "off"}


def _text(
    label: str, *, required: bool = True, help_text: str = "", **attrs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.TextInput(attrs=attrs),
    )


def _area(
    label: str, *, required: bool = False, help_text: str = "", rows: int = 6
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, help_text="YYYY-MM-DD", widget=forms.DateInput(attrs={"type": "date"})
    )


class SignupForm(forms.Form):
    email = forms.CharField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = _text("Display name", autocomplete="nickname")
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ProfileForm(forms.Form):
    display_name = _text("Display name")
    bio = _area("About you", help_text="Markdown.")


class TaskForm(forms.Form):
    title = _text("Title")
    description = _area("Description", help_text="Markdown: **bold**, lists, links.", rows=8)
    estimate_hours = _text("Estimate (hours)", help_text="e.g. 2 or 1.5", **DECIMAL)


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=Contribution.Kind.choices, widget=forms.RadioSelect
    )
    summary = _text("Summary", help_text="One line: what you did.")
    task = forms.TypedChoiceField(
        label="Task", required=False, coerce=int, empty_value=None, choices=[]
    )
    description = _area("Description", help_text="Markdown.")
    hours = _text("Hours worked", required=False, help_text="For work.", **DECIMAL)
    units = _text("Units", required=False, help_text="For a deliverable or a resource.", **DECIMAL)
    unit_name = _text(
        "Unit name", required=False, help_text="For a resource, e.g. GB-months or compute hours."
    )
    amount = _text("Amount spent", required=False, help_text="For an expense.", **DECIMAL)
    currency = _text("Currency", required=False, help_text="ISO code, e.g. EUR.", maxlength=3)
    receipt = forms.FileField(
        label="Receipt", required=False, help_text="Required for an expense (PDF or image)."
    )
    evidence_url = forms.CharField(
        label="Evidence link", required=False, widget=forms.URLInput, help_text="http(s) link."
    )
    evidence_text = _area("Evidence in words", rows=3)
    evidence_file = forms.FileField(label="Evidence file", required=False)

    def __init__(self, *args: Any, tasks: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task_field: Any = self.fields["task"]
        task_field.choices = [("", "— no task —")] + [
            (task.pk, f"#{task.pk} {task.title}") for task in tasks
        ]


RATING_CHOICES = [
    ("0", "0 — no value"),
    ("1", "1 — poor"),
    ("2", "2 — fair"),
    ("3", "3 — good"),
    ("4", "4 — very good"),
    ("5", "5 — excellent"),
]


class ReviewForm(forms.Form):
    rating = forms.ChoiceField(label="Rating", choices=RATING_CHOICES, widget=forms.RadioSelect)
    comment = _area("Comment", required=True, help_text="What you checked and what you found.")
    effort_estimate = _text(
        "Your own effort estimate",
        required=False,
        help_text="Only if you challenge the claimed hours or units; same unit as claimed.",
        **DECIMAL,
    )


class IncomeForm(forms.Form):
    amount = _text("Amount", **DECIMAL)
    currency = _text("Currency", help_text="ISO code, e.g. EUR.", maxlength=3)
    payer = _text("Payer")
    description = _text("What it was for")
    received_on = _date("Received on")
    source = forms.TypedChoiceField(
        label="Source",
        choices=Income.Source.choices,
        required=False,
        empty_value=Income.Source.SUPPORT,
        help_text="Which kind of income: it is booked to income:<source>.",
    )
    reference = _text(
        "Reference", required=False, help_text="Invoice number or bank reference, if any."
    )


class DistributionForm(forms.Form):
    period_start = _date("Period start")
    period_end = _date("Period end")
    currency = _text("Currency", help_text="ISO code, e.g. EUR.", maxlength=3)
    amount = _text(
        "Amount",
        required=False,
        help_text="Leave empty to distribute all undistributed income in this currency.",
        **DECIMAL,
    )


class ExpenseDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Decision", choices=ExpenseDecision.Verdict.choices, widget=forms.RadioSelect
    )
    reason = _area("Reason", rows=3, help_text="Required to reject; optional to approve.")


class WithdrawalForm(forms.Form):
    amount = _text("Amount paid out", **DECIMAL)
    currency = _text("Currency", help_text="ISO code, e.g. EUR.", maxlength=3)
    reference = _text("Bank transfer reference", help_text="As it appears on the bank statement.")


class ReversalForm(forms.Form):
    reason = _area("Reason", required=True, rows=3, help_text="Why this entry was a mistake.")
