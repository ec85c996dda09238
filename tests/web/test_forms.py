"""Forms a new member can fill in: the error summary, required marks, one kind at a time."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.test import Client
from django.urls import reverse

from commonshare.errors import InvalidInput
from commonshare.web.views.common import submit
from commonshare.work import services as work
from commonshare.work.models import Contribution


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=args)


def as_member(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def summary_of(page: str) -> str:
    found = re.search(r'<div class="error-summary"(.*?)</div>', page, re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<div class="field-error" id="id_{field}_error">(.*?)</div>', page, re.S)
    assert found, f"no error under {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# --- submit(): every problem of a refusal lands on the form --------------------------


class _TwoFields(forms.Form):
    hours = forms.CharField(label="Hours worked")
    summary = forms.CharField(label="Summary")
    kind = forms.CharField(widget=forms.HiddenInput)


def test_submit_adds_every_problem_each_on_its_field() -> None:
    form = _TwoFields({"hours": "x", "summary": "y", "kind": "work"})
    assert form.is_valid()

    def refuse() -> None:
        raise InvalidInput.of(
            [
                ("hours", "Enter the hours as a number, like 1.5."),
                ("summary", "Write a summary of at most 200 characters."),
                ("kind", "A contribution keeps its kind."),
                ("currency", "Choose a currency."),
                (None, "Add evidence."),
            ]
        )

    assert submit(form, refuse) is None
    assert form.errors["hours"] == ["Enter the hours as a number, like 1.5."]
    assert form.errors["summary"] == ["Write a summary of at most 200 characters."]
    # A hidden field, a field the form lacks and the whole input: errors of the form.
    assert form.non_field_errors() == [
        "A contribution keeps its kind.",
        "Choose a currency.",
        "Add evidence.",
    ]


# --- The error summary ----------------------------------------------------------------


def test_error_summary_lists_every_error_linked_to_its_field(db: Any) -> None:
    response = Client().post(url("signup"), {"email": "", "display_name": "", "password": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>Error: ", page)
    summary = summary_of(page)
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert "There is a problem" in summary
    for field, label in [
        ("email", "Email"),
        ("display_name", "Display name"),
        ("password", "Password"),
    ]:
        assert f'<a href="#id_{field}">{label} is required.</a>' in summary
        assert field_error(page, field) == f"Error: {label} is required."
        assert f'id="id_{field}"' in page


def test_service_refusal_shows_in_summary_and_once_at_the_field(world: Any) -> None:
    data = {"kind": "work", "summary": "Fixed it", "hours": "-1", "evidence_text": "PR 4"}
    response = as_member(world.ada).post(url("contribution_create"), data)
    page = response.content.decode()
    message = response.context["form"].errors["hours"][0]
    assert f'<a href="#id_hours">{message}</a>' in summary_of(page)
    shown = field_error(page, "hours")
    assert shown == f"Error: {message}"
    assert "Hours worked:" not in page  # the label is said once, in the label
    assert re.search(r"<title>Error: ", page)


def test_a_page_without_errors_has_no_summary(world: Any) -> None:
    page = as_member(world.ada).get(url("contribution_create") + "?kind=work").content.decode()
    assert "error-summary" not in page
    assert "<title>Error" not in page


# --- Required fields --------------------------------------------------------------------


def test_required_fields_are_marked_in_words(world: Any) -> None:
    page = as_member(world.ada).get(url("contribution_create") + "?kind=work").content.decode()
    assert re.search(r'<label for="id_summary">Summary <span class="required">\(required\)', page)
    assert re.search(
        r'<label for="id_hours">Hours worked <span class="required">\(required\)', page
    )
    assert re.search(r'<label for="id_description">Description</label>', page)
    assert re.search(r'<input[^>]*name="hours"[^>]*required', page)


# --- The contribution form, one kind at a time ---------------------------------------


def test_contribution_form_first_asks_for_the_kind(world: Any) -> None:
    client = as_member(world.ada)
    page = client.get(url("contribution_create") + f"?task={world.task.pk}").content.decode()
    assert "What kind of contribution?" in page
    assert re.search(r'<form method="get"', page)
    assert f'name="task" value="{world.task.pk}"' in page
    assert page.count('type="radio" name="kind"') == 4
    assert 'name="hours"' not in page
    # Continuing without a choice asks again, with the error.
    again = client.get(url("contribution_create") + "?step=kind").content.decode()
    assert '<a href="#id_kind">' in summary_of(again)


def test_contribution_form_shows_only_the_chosen_kind(world: Any) -> None:
    client = as_member(world.ada)
    expected = {
        "work": {"hours"},
        "deliverable": {"units", "unit_name"},
        "expense": {"amount", "currency", "receipt"},
        "resource": {"units", "unit_name"},
    }
    kind_fields = {"hours", "units", "unit_name", "amount", "currency", "receipt"}
    for kind, fields in expected.items():
        page = client.get(url("contribution_create") + f"?kind={kind}").content.decode()
        shown = set(re.findall(r'name="(\w+)"', page)) & kind_fields
        assert shown == fields, kind
        assert f'<input type="hidden" name="kind" value="{kind}"' in page
        assert "Change the kind" in page


def test_log_work_on_a_chosen_kind_without_javascript(world: Any) -> None:
    client = as_member(world.ada)
    response = client.post(
        url("contribution_create") + "?kind=resource",
        {
            "kind": "resource",
            "summary": "Lent a server",
            "units": "",
            "unit_name": "",
            "evidence_text": "Meter",
        },
    )
    form = response.context["form"]
    assert set(form.errors) == {"units", "unit_name"}  # both at once
    assert Contribution.objects.filter(summary="Lent a server").count() == 0
    done = client.post(
        url("contribution_create"),
        {
            "kind": "resource",
            "summary": "Lent a server",
            "units": "24",
            "unit_name": "server hours",
            "evidence_text": "Meter",
        },
    )
    assert done.status_code == 302
    lent = Contribution.objects.get(summary="Lent a server")
    assert (lent.kind, lent.units, lent.unit_name) == ("resource", 24, "server hours")


def test_log_work_from_a_done_task_keeps_the_task_selected(world: Any) -> None:
    work.complete_task(world.ada, world.task.pk)
    client = as_member(world.ada)
    page = client.get(url("contribution_create") + f"?kind=work&task={world.task.pk}")
    html = page.content.decode()
    assert re.search(rf'<option value="{world.task.pk}" selected>', html)
    response = client.post(
        url("contribution_create") + f"?kind=work&task={world.task.pk}",
        {
            "kind": "work",
            "summary": "Late fixes",
            "hours": "1",
            "evidence_text": "PR 9",
            "task": str(world.task.pk),
        },
    )
    assert response.status_code == 302
    assert Contribution.objects.get(summary="Late fixes").task_id == world.task.pk


def test_login_errors_name_their_field(db: Any) -> None:
    page = Client().post(url("login"), {"username": "", "password": ""}).content.decode()
    summary = summary_of(page)
    assert "This field is required." not in page
    assert '<a href="#id_username">Email is required.</a>' in summary
    assert '<a href="#id_password">Password is required.</a>' in summary


def test_editing_work_on_a_done_task_keeps_the_task(world: Any) -> None:
    client = as_member(world.ada)
    client.post(
        url("contribution_create"),
        {
            "kind": "work",
            "summary": "Draft",
            "hours": "1",
            "evidence_text": "PR 9",
            "task": str(world.task.pk),
        },
    )
    draft = Contribution.objects.get(summary="Draft")
    work.complete_task(world.ada, world.task.pk)
    page = client.get(url("contribution_edit", draft.pk)).content.decode()
    assert re.search(rf'<option value="{world.task.pk}" selected>', page)
    saved = client.post(
        url("contribution_edit", draft.pk),
        {
            "kind": "work",
            "summary": "Final",
            "hours": "2",
            "evidence_text": "PR 9",
            "task": str(world.task.pk),
        },
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert (draft.summary, draft.task_id) == ("Final", world.task.pk)


def test_fields_of_another_kind_posted_are_refused_not_dropped(world: Any) -> None:
    """A crafted post of ``amount`` on work is refused naming it, as the API does."""
    client = as_member(world.ada)
    sent = {
        "kind": "work",
        "summary": "Crafted",
        "hours": "1",
        "evidence_text": "PR 5",
        "amount": "1000",
        "currency": "EUR",
    }
    page = client.post(url("contribution_create") + "?kind=work", sent)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Amount does not apply to work; leave it empty." in text
    assert "Currency does not apply to work; leave it empty." in text
    assert not Contribution.objects.filter(summary="Crafted").exists()

    client.post(url("contribution_create"), {**sent, "amount": "", "currency": ""})
    logged = Contribution.objects.get(summary="Crafted")
    edited = client.post(url("contribution_edit", logged.pk), {**sent, "hours": "2", "units": "9"})
    assert edited.status_code == 200
    assert "does not apply to work" in edited.content.decode()
    logged.refresh_from_db()
    assert (logged.hours, logged.units, logged.amount_minor) == (1, None, None)
