"""Forms that label and carry input; the services hold every rule.

Fields are mostly plain text so the service sees what the person typed and
answers with the message and field to show. Field names match the services'
``field`` names, which is how an error lands next to its input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from commonshare.books.models import ExpenseDecision, Income
from commonshare.books.vocab import PERIOD_TEXT_MAX, REASON_MAX, DisputeOutcome
from commonshare.community import mail, services
from commonshare.core.money import CURRENCY_CODE_LENGTH
from commonshare.work.models import Contribution
from commonshare.work.vocab import KIND_FIELDS, KIND_REQUIRES

DECIMAL: dict[str, Any] = {"inputmode": "decimal", "autocomplete": "off"}


def _name_required_fields(form: forms.Form) -> None:
    for field in form.fields.values():
        field.error_messages["required"] = f"{field.label} is required."


class Form(forms.Form):
    """A form whose "required" message names its field in plain words.

    Django's default ("This field is required.") cannot stand alone in the
    error summary at the top of the page, so every required field says which
    one it is: "Summary is required."
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_required_fields(self)


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


class LoginForm(AuthenticationForm):
    """Django's sign-in form, its "required" messages naming the field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_required_fields(self)


class ResetRequestForm(PasswordResetForm):
    """Ask for a reset link; the message is the same whether or not the address is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email"
        _name_required_fields(self)

    def save(self, *args: Any, **kwargs: Any) -> None:
        mail.send_password_reset(self.cleaned_data["email"])


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Django's new-password form, saving through the community's service (its audit event)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 8 characters, not a common password."
        self.fields["new_password2"].label = "New password again"
        _name_required_fields(self)

    def save(self, commit: bool = True) -> Any:
        return services.reset_password(self.user, password=self.cleaned_data["new_password1"])


class SignupForm(Form):
    email = forms.CharField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = _text("Display name", autocomplete="nickname")
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ProfileForm(Form):
    display_name = _text(
        "Display name",
        help_text="How other members see you. It must not be, or look like, another member's.",
    )
    pronouns = _text("Pronouns (optional)", required=False, help_text="e.g. she/her, they/them")
    bio = _area("About you", help_text="Markdown.")
    skills = _text(
        "Skills", required=False, help_text="Separated by commas, e.g. Python, design, accounts"
    )
    links = _area("Links", help_text="One web address per line, starting with https://", rows=3)
    time_zone = _text(
        "Time zone", required=False, help_text="e.g. Europe/Lisbon or America/New_York"
    )
    availability = _text("Availability", required=False, help_text="e.g. around 5 h/week")

    @staticmethod
    def initial_for(member: Any) -> dict[str, Any]:
        """The form's fields as the member's profile has them now."""
        return {
            "display_name": member.display_name,
            "pronouns": member.pronouns,
            "bio": member.bio,
            "skills": ", ".join(member.skills),
            "links": "\n".join(member.links),
            "time_zone": member.time_zone,
            "availability": member.availability,
        }


AVATAR_TYPES = "image/png,image/jpeg,image/gif,image/webp"


class AvatarForm(Form):
    avatar = forms.FileField(
        label="Picture",
        help_text="A PNG, JPEG, GIF or WebP image. It is re-encoded and shown at most "
        "512 pixels wide; what the camera recorded about the photo is dropped.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )


class TaskForm(Form):
    title = _text("Title")
    description = _area("Description", help_text="Markdown: **bold**, lists, links.", rows=8)
    estimate_hours = _text("Estimate (hours)", help_text="e.g. 2 or 1.5", **DECIMAL)


KIND_HEADINGS: dict[str, str] = {
    Contribution.Kind.WORK: "Log work",
    Contribution.Kind.DELIVERABLE: "Log a deliverable",
    Contribution.Kind.EXPENSE: "Claim an expense",
    Contribution.Kind.RESOURCE: "Log a resource you lent",
}

UNIT_HELP: dict[str, str] = {
    Contribution.Kind.DELIVERABLE: "How many you delivered, e.g. 3 (pages).",
    Contribution.Kind.RESOURCE: "How much was used, e.g. 720 (server hours).",
}
UNIT_NAME_HELP: dict[str, str] = {
    Contribution.Kind.DELIVERABLE: "What one unit is, e.g. pages or screens.",
    Contribution.Kind.RESOURCE: "What was metered, e.g. server hours or GB transferred.",
}


class KindForm(Form):
    """The first step of logging a contribution: which kind it is (sent by GET)."""

    kind = forms.ChoiceField(
        label="What kind of contribution?",
        choices=Contribution.Kind.choices,
        widget=forms.RadioSelect,
    )


def is_kind(value: Any) -> bool:
    return isinstance(value, str) and value in Contribution.Kind.values


class ContributionForm(Form):
    """A contribution of one kind: only that kind's fields, the kind itself hidden.

    The kind comes from ``kind``, else the posted data, else ``initial``.
    Without a valid kind (an old link or a hand-made post) the form keeps every
    field and asks for the kind, so nothing sent is lost.
    """

    kind = forms.ChoiceField(
        label="Kind", choices=Contribution.Kind.choices, widget=forms.RadioSelect
    )
    summary = _text("Summary", help_text="One line: what you did.")
    task = forms.TypedChoiceField(
        label="Task", required=False, coerce=int, empty_value=None, choices=[]
    )
    hours = _text(
        "Hours worked", required=False, help_text="e.g. 1.5 for an hour and a half.", **DECIMAL
    )
    units = _text("Units", required=False, help_text="For a deliverable or a resource.", **DECIMAL)
    unit_name = _text(
        "Unit name", required=False, help_text="For a resource, e.g. GB-months or compute hours."
    )
    amount = _text("Amount spent", required=False, help_text="e.g. 14.99", **DECIMAL)
    currency = _text(
        "Currency", required=False, help_text="ISO code, e.g. EUR.", maxlength=CURRENCY_CODE_LENGTH
    )
    receipt = forms.FileField(
        label="Receipt", required=False, help_text="A PDF or an image of the receipt or invoice."
    )
    description = _area("Description", help_text="Markdown.")
    evidence_url = forms.CharField(
        label="Evidence link", required=False, widget=forms.URLInput, help_text="http(s) link."
    )
    evidence_text = _area("Evidence in words", rows=3)
    evidence_file = forms.FileField(label="Evidence file", required=False)

    def __init__(self, *args: Any, tasks: Any = (), kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task_field: Any = self.fields["task"]
        task_field.choices = [("", "— no task —")] + [
            (task.pk, f"#{task.pk} {task.title}") for task in tasks
        ]
        if kind is None and self.is_bound:
            kind = self.data.get("kind")
        if kind is None:
            kind = self.initial.get("kind")
        self.chosen_kind: str | None = kind if is_kind(kind) else None
        if self.chosen_kind is not None:
            self._keep_fields_of(self.chosen_kind)

    def _keep_fields_of(self, kind: str) -> None:
        self.fields["kind"].widget = forms.HiddenInput()
        self.initial["kind"] = kind
        wanted = KIND_FIELDS[kind]
        for name in {name for names in KIND_FIELDS.values() for name in names} - set(wanted):
            del self.fields[name]
        for name in KIND_REQUIRES[kind]:
            field = self.fields[name]
            if name == "receipt":
                # Not checked here: on an edit the receipt already attached counts.
                field.shown_required = True  # type: ignore[attr-defined]
            else:
                field.required = True
        if "units" in self.fields:
            self.fields["units"].help_text = UNIT_HELP[kind]
            self.fields["unit_name"].help_text = UNIT_NAME_HELP[kind]

    @property
    def heading(self) -> str:
        return KIND_HEADINGS.get(self.chosen_kind or "", "Log a contribution")


RATING_CHOICES = [
    ("0", "0 — no value"),
    ("1", "1 — poor"),
    ("2", "2 — fair"),
    ("3", "3 — good"),
    ("4", "4 — very good"),
    ("5", "5 — excellent"),
]


class ReviewForm(Form):
    rating = forms.ChoiceField(label="Rating", choices=RATING_CHOICES, widget=forms.RadioSelect)
    comment = _area("Comment", required=True, help_text="What you checked and what you found.")
    effort_estimate = _text(
        "Your own effort estimate",
        required=False,
        help_text="Only if you challenge the claimed hours or units; same unit as claimed.",
        **DECIMAL,
    )


class IncomeForm(Form):
    amount = _text("Amount", **DECIMAL)
    currency = _text("Currency", help_text="ISO code, e.g. EUR.", maxlength=CURRENCY_CODE_LENGTH)
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


class DistributionForm(Form):
    period = _text(
        "Period",
        help_text="The month the period starts in, as YYYY-MM (for example 2026-11). "
        "Only a period that has ended can be distributed.",
        maxlength=PERIOD_TEXT_MAX,
    )
    currency = _text("Currency", help_text="ISO code, e.g. EUR.", maxlength=CURRENCY_CODE_LENGTH)
    amount = _text(
        "Amount",
        required=False,
        help_text="Leave empty to distribute all undistributed income in this currency.",
        **DECIMAL,
    )


class WithdrawDistributionForm(Form):
    reason = _text("Why it is withdrawn", maxlength=REASON_MAX)


class ExpenseDecisionForm(Form):
    verdict = forms.ChoiceField(
        label="Decision", choices=ExpenseDecision.Verdict.choices, widget=forms.RadioSelect
    )
    reason = _area("Reason", rows=3, help_text="Required to reject; optional to approve.")


class WithdrawalForm(Form):
    amount = _text("Amount paid out", **DECIMAL)
    currency = _text("Currency", help_text="ISO code, e.g. EUR.", maxlength=CURRENCY_CODE_LENGTH)
    reference = _text("Bank transfer reference", help_text="As it appears on the bank statement.")


class ReversalForm(Form):
    reason = _area("Reason", required=True, rows=3, help_text="Why this entry was a mistake.")


class ResolutionForm(Form):
    outcome = forms.ChoiceField(
        label="What you found", choices=DisputeOutcome.choices, widget=forms.RadioSelect
    )
    reason = _area(
        "How you know",
        required=True,
        rows=3,
        help_text="For example: the bank statement of 3 March shows the transfer.",
    )


class DisputeForm(Form):
    reason = _area(
        "What is wrong",
        required=True,
        rows=3,
        help_text="For example: nothing arrived, or a different amount arrived.",
    )
