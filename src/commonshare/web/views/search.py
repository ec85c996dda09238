"""The search page: one box over every kind of record, results best first, paged."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from commonshare.core.search import MAX_QUERY
from commonshare.errors import CommonshareError
from commonshare.search import selectors, vocab
from commonshare.web.pager import IN_ORDER, cursor_of, pager
from commonshare.web.views.common import add_problems, domain_errors

_ALL = ""


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=MAX_QUERY,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Every word must be found. Quotes and other signs are ignored.",
        error_messages={"max_length": f"Search for at most {MAX_QUERY} characters."},
    )
    kind = forms.ChoiceField(
        label="Look among",
        required=False,
        choices=[(_ALL, "Everything"), *((k.value, f"{k.label}s") for k in vocab.Kind)],
        error_messages={"invalid_choice": "Choose one of the kinds listed to look among."},
    )


@require_safe
@domain_errors
def search(request: HttpRequest) -> HttpResponse:
    asked = "q" in request.GET
    form = SearchForm(request.GET if asked else None)
    found = None
    if asked and form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            found = selectors.search(
                form.cleaned_data["q"], [kind] if kind else None, cursor_of(request)
            )
        except CommonshareError as error:
            if error.field == "cursor":
                raise
            add_problems(form, error)
    return render(
        request,
        "web/search.html",
        {
            "form": form,
            "found": found,
            "pager": pager(request, found, label="Pages of results", words=IN_ORDER)
            if found is not None
            else None,
        },
        status=422 if form.errors else 200,
    )
