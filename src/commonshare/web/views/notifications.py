"""A member's notifications: the list, mark read (one or all), the e-mail settings, and
the unsubscribe page a mailed link opens. Each view calls one notifications service or
selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commonshare.errors import InvalidInput
from commonshare.notifications import selectors, services, tokens, vocab
from commonshare.web import pager
from commonshare.web.notification_forms import PreferencesForm
from commonshare.web.views.common import MemberRequest, domain_errors, submit


def _back(request: HttpRequest) -> str:
    """Back to the list the form was sent from (its page and filter), never elsewhere."""
    given = request.POST.get("next", "")
    list_path = "/notifications/"
    return given if given.startswith(f"{list_path}?") or given == list_path else list_path


@login_required
@domain_errors
def notification_list(request: MemberRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    found = selectors.page_of(
        request.user,
        pager.cursor_of(request),
        pager.size_of(request, vocab.PAGE_SIZE),
        unread_only=unread_only,
    )
    return render(
        request,
        "web/notifications/list.html",
        {
            "notifications": found,
            "pager": pager.pager(request, found, label="Pages of your notifications"),
            "unread_only": unread_only,
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
@domain_errors
def notification_read(request: MemberRequest, notification_id: int) -> HttpResponse:
    services.mark_read(request.user, notification_id)
    messages.success(request, "Marked as read.")
    return redirect(_back(request))


@login_required
@require_POST
@domain_errors
def notifications_read_all(request: MemberRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, "All your notifications are marked as read.")
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect(_back(request))


@login_required
@domain_errors
def notification_settings(request: MemberRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST or None, initial=selectors.preferences_of(request.user), auto_id="pref_%s"
    )
    if request.method == "POST" and form.is_valid():
        done = submit(form, lambda: services.set_preferences(request.user, form.cleaned_data))
        if done is not None:
            messages.success(request, "Your e-mail settings are saved.")
            return redirect("web:notification_settings")
    return render(request, "web/notifications/settings.html", {"form": form})


@csrf_exempt  # a mail program's one-click POST (RFC 8058) carries no CSRF token
@domain_errors
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off and a button; POST turns it off (the button,
    or a mail program's one-click request). A forged token gets a page saying so."""
    try:
        asked = tokens.read(token)
    except InvalidInput as error:
        return render(
            request, "web/notifications/unsubscribe.html", {"refused": error.message}, status=400
        )
    what = (
        "every notification e-mail"
        if asked.kind == tokens.EVERY_KIND
        else f"e-mails when “{vocab.KINDS[asked.kind].lower()}”"
    )
    done = None
    if request.method == "POST":
        _member, done = services.unsubscribe(token)
    return render(
        request,
        "web/notifications/unsubscribe.html",
        {"what": what, "turned_off": done, "posted": request.method == "POST"},
    )
