"""The forms of the decisions pages: a proposal, and a ballot shaped by the method."""

from __future__ import annotations

from typing import Any

from django import forms

from commonshare.core.decisions import METHOD_LABELS, Method, Terms
from commonshare.decisions import effects, vocab
from commonshare.errors import InvalidInput
from commonshare.web.forms import DECIMAL, Form

KIND_CHOICES = [
    (vocab.ProposalKind.RULES, "The rules (a policy change, a norm)"),
    (vocab.ProposalKind.MONEY, "Money"),
    (vocab.ProposalKind.OTHER, "Something else"),
]
LEVEL_CHOICES = [
    ("", "As the rules say by default"),
    *[(str(level), f"Trust level {level} or above") for level in range(5)],
]
CHOICE_WORDS = {"for": "For", "against": "Against", "abstain": "Abstain"}
POSITION_WORDS = {"consent": "I consent", "object": "I object"}
COUNT_WORDS = {
    "for": "For",
    "against": "Against",
    "abstain": "Abstained",
    "consent": "Consented",
    "object": "Objected",
}


class ProposalForm(Form):
    title = forms.CharField(label="Title", max_length=vocab.TITLE_MAX, strip=True)
    body = forms.CharField(
        label="What you propose, and why",
        required=False,
        help_text="Markdown: **bold**, lists, links.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    kind = forms.ChoiceField(
        label="What it is about", choices=KIND_CHOICES, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label="How votes are counted",
        choices=[(m.value, label) for m, label in METHOD_LABELS.items()],
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label="Options",
        required=False,
        help_text="For score voting and ranked choice: one option on each line.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    criteria = forms.CharField(
        label="Criteria",
        required=False,
        help_text="What the proposal is to be judged by, agreed before anyone votes: one "
        "criterion on each line. Score voting needs at least one, with its weight after a "
        "colon, such as “Cost: 2”; other methods show them to every voter.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    threshold = forms.CharField(
        label="Share of for votes needed",
        required=False,
        help_text="For a supermajority: a share above 0.5, such as 0.667 for two thirds.",
        widget=forms.TextInput(attrs=DECIMAL),
    )
    quorum = forms.CharField(
        label="Quorum",
        required=False,
        help_text="The share of the members who may vote that must cast a ballot, from 0 "
        "to 1. Leave it empty for the rules' default.",
        widget=forms.TextInput(attrs=DECIMAL),
    )
    eligibility = forms.ChoiceField(label="Who may vote", choices=LEVEL_CHOICES, required=False)
    secret = forms.BooleanField(
        label="Secret ballots: who voted is shown, but no ballot can be tied to its voter",
        required=False,
    )
    closes_at = forms.CharField(
        label="Voting closes at",
        required=False,
        help_text="A date and time in UTC, written YYYY-MM-DD HH:MM. Leave it empty for the "
        "fewest days the rules allow.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    changes = forms.CharField(
        label="Rules it changes, if it passes",
        required=False,
        help_text="For a proposal about the rules: one rule on each line, such as "
        "“reserve.share = 0.2”. The change takes effect from the next period.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        criteria = []
        for line in data["criteria"].splitlines():
            if line.strip():
                name, _, weight = line.partition(":")
                criteria.append({"name": name.strip(), "weight": weight.strip() or "1"})
        given: dict[str, Any] = {
            "title": data["title"],
            "body": data["body"],
            "kind": data["kind"],
            "method": data["method"],
            "options": [line.strip() for line in data["options"].splitlines() if line.strip()],
            "criteria": criteria,
            "threshold": data["threshold"] or None,
            "quorum": data["quorum"] or None,
            "eligibility": int(data["eligibility"]) if data["eligibility"] else None,
            "secret": data["secret"],
            "closes_at": data["closes_at"] or None,
        }
        if data["changes"].strip():
            given["effect_kind"] = vocab.POLICY_CHANGE
            given["effect"] = {"changes": effects.parse_change_lines(data["changes"])}
        return given


FIELD_OF_PROBLEM = (
    ("criteria", "criteria"),
    ("options", "options"),
    ("effect", "changes"),
    ("opens_at", "closes_at"),
    ("max_score", "criteria"),
)


def form_field(problem_field: str | None) -> str | None:
    """The form field a service problem belongs on (``effect.policy.x`` → ``changes``)."""
    if problem_field is None:
        return None
    for prefix, name in FIELD_OF_PROBLEM:
        if problem_field.startswith(prefix):
            return name
    return problem_field


def ballot_form(terms: Terms, data: Any = None, *, needs_receipt: bool = False) -> Form:
    """A form with the fields the method's ballot has."""
    fields: dict[str, forms.Field] = {}
    method = terms.method
    if method in (Method.CONSENT, Method.LAZY_CONSENSUS):
        fields["position"] = forms.ChoiceField(
            label="Your position", choices=list(POSITION_WORDS.items()), widget=forms.RadioSelect
        )
        fields["reason"] = forms.CharField(
            label="Your reason",
            required=False,
            help_text="An objection needs a reason.",
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    elif method in (Method.MAJORITY, Method.SUPERMAJORITY):
        fields["choice"] = forms.ChoiceField(
            label="Your vote", choices=list(CHOICE_WORDS.items()), widget=forms.RadioSelect
        )
    elif method is Method.SCORE:
        scores = [(str(n), str(n)) for n in range(terms.max_score + 1)]
        for i, option in enumerate(terms.options):
            for j, criterion in enumerate(terms.criteria):
                fields[f"score_{i}_{j}"] = forms.ChoiceField(
                    label=f"{option}: {criterion.name} (0 to {terms.max_score})", choices=scores
                )
    else:
        places = [("", "Not ranked")] + [(str(n), str(n)) for n in range(1, len(terms.options) + 1)]
        for i, option in enumerate(terms.options):
            fields[f"rank_{i}"] = forms.ChoiceField(
                label=f"Your rank for {option}", choices=places, required=False
            )
    if needs_receipt:
        fields["receipt"] = forms.CharField(
            label="Your receipt",
            help_text="You voted already. A secret ballot is changed only with the receipt "
            "you were shown.",
        )
    form_class = type("BallotForm", (Form,), fields)
    form: Form = form_class(data)
    return form


def ballot_of(terms: Terms, data: dict[str, Any]) -> dict[str, Any]:
    """The ballot a valid ballot form states, in the shape core's ``check_ballot`` reads."""
    method = terms.method
    if method in (Method.CONSENT, Method.LAZY_CONSENSUS):
        return {"position": data["position"], "reason": data["reason"]}
    if method in (Method.MAJORITY, Method.SUPERMAJORITY):
        return {"choice": data["choice"]}
    if method is Method.SCORE:
        return {
            "scores": {
                option: {
                    criterion.name: int(data[f"score_{i}_{j}"])
                    for j, criterion in enumerate(terms.criteria)
                }
                for i, option in enumerate(terms.options)
            }
        }
    ranked = sorted(
        (int(data[f"rank_{i}"]), option)
        for i, option in enumerate(terms.options)
        if data.get(f"rank_{i}")
    )
    places = [place for place, _ in ranked]
    if len(set(places)) != len(places):
        raise InvalidInput("Give each option you rank a different rank.", field="ranking")
    return {"ranking": [option for _, option in ranked]}


class ReceiptForm(Form):
    receipt = forms.CharField(
        label="Your receipt", help_text="The 32 letters and digits you were shown when you voted."
    )


def ballot_words(ballot: dict[str, Any] | None) -> str:
    """A ballot in words, with no field names: "For", "I object: too soon", "1. Red, 2. Blue"."""
    if not ballot:
        return ""
    if "choice" in ballot:
        return CHOICE_WORDS.get(ballot["choice"], str(ballot["choice"]))
    if "position" in ballot:
        words = POSITION_WORDS.get(ballot["position"], str(ballot["position"]))
        reason = str(ballot.get("reason") or "").strip()
        return f"{words}: {reason}" if reason else words
    if "ranking" in ballot:
        return ", ".join(f"{n}. {option}" for n, option in enumerate(ballot["ranking"], 1))
    if "scores" in ballot:
        return "; ".join(
            f"{option}: " + ", ".join(f"{name} {score}" for name, score in marks.items())
            for option, marks in ballot["scores"].items()
        )
    return ""
