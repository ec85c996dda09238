"""How views turn the services' errors into pages and form messages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonshare.community.models import Member
from commonshare.errors import CommonshareError, Forbidden, NotFound
from commonshare.paging import BadCursor

T = TypeVar("T")


class MemberRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a member."""

    user: Member


View = Callable[..., HttpResponse]


def error_page(request: HttpRequest, error: CommonshareError, status: int) -> HttpResponse:
    """The site's own 400, 403 and 404 pages, with the service's reason."""
    return render(request, f"{status}.html", {"message": error.message}, status=status)


def domain_errors(view: View) -> View:
    """Forbidden becomes a 403 page, NotFound a 404 page and a list's bad cursor a 400
    page, never a 500."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Forbidden as error:
            return error_page(request, error, 403)
        except NotFound as error:
            return error_page(request, error, 404)
        except BadCursor as error:
            return error_page(request, error, 400)

    return wrapped


def submit(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run a service for a bound, valid form; its refusal becomes form errors.

    Returns the service's result, or None when it refused: the form then
    carries every problem of the refusal (``error.problems``), each on its
    field when the form shows that field, else as an error of the whole form,
    so the page lists them all at once. Forbidden, and NotFound about the page
    itself, propagate to ``domain_errors``.
    """
    try:
        return call()
    except Forbidden:
        raise
    except NotFound as error:
        if _shown_field(form, error.field) is None:
            raise
        add_problems(form, error)
        return None
    except CommonshareError as error:
        add_problems(form, error)
        return None


def _shown_field(form: forms.Form, field: str | None) -> str | None:
    """``field`` if the form shows an input for it (hidden inputs do not count)."""
    if field is None or field not in form.fields or form.fields[field].widget.is_hidden:
        return None
    return field


def add_problems(form: forms.Form, error: CommonshareError) -> None:
    for field, message in error.problems:
        form.add_error(_shown_field(form, field), message)


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
