"""People: avatars, thanks for a contribution or a review, and the /about/ page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from commonshare.books import selectors as books
from commonshare.community import avatars, selectors, services
from commonshare.errors import CommonshareError
from commonshare.governance import selectors as governance
from commonshare.governance.vocab import PURPOSE
from commonshare.web.forms import AvatarForm, ProfileForm
from commonshare.web.views.common import MemberRequest, domain_errors
from commonshare.work import recognition, recognition_selectors


@require_safe
@domain_errors
def avatar(request: HttpRequest, member_id: int) -> HttpResponse:
    """The member's picture: the re-encoded upload, or their initials. No file path shows."""
    member = selectors.member(member_id)
    found = selectors.avatar_of(member)
    if found is None:
        response = HttpResponse(
            avatars.initials_svg(member.pk, member.display_name), content_type="image/svg+xml"
        )
    else:
        response = HttpResponse(bytes(found.image), content_type=found.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@domain_errors
def avatar_edit(request: MemberRequest) -> HttpResponse:
    """POST with a picture replaces it; POST with ``remove`` goes back to the initials."""
    member = request.user
    form = AvatarForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "remove" in request.POST:
        try:
            services.remove_avatar(member)
        except CommonshareError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Your picture is removed; your initials show instead.")
        return redirect("web:member", member.pk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["avatar"]
        try:
            services.set_avatar(member, upload, size=upload.size)
        except CommonshareError as error:
            form.add_error("avatar", error.message)
        else:
            messages.success(request, "Your new picture is saved.")
            return redirect("web:member", member.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "web/members/edit.html",
        {"form": ProfileForm(initial=ProfileForm.initial_for(member)), "avatar_form": form},
        status=status,
    )


def _thank(request: MemberRequest, back: str, **item: int) -> HttpResponse:
    try:
        thanks = recognition.thank(request.user, note=request.POST.get("note", ""), **item)
    except CommonshareError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"You thanked {thanks.member.display_name}. {recognition.NOT_PAY}"
        )
    return redirect(back + "#thanks")


@login_required
@require_POST
@domain_errors
def thank_contribution(request: MemberRequest, contribution_id: int) -> HttpResponse:
    back = reverse("web:contribution", args=[contribution_id])
    return _thank(request, back, contribution_id=contribution_id)


@login_required
@require_POST
@domain_errors
def thank_review(request: MemberRequest, review_id: int) -> HttpResponse:
    judged = recognition_selectors.contribution_of_review(review_id)
    back = reverse("web:contribution", args=[judged]) if judged else reverse("web:contributions")
    return _thank(request, back, review_id=review_id)


def about(request: HttpRequest) -> HttpResponse:
    """The purpose, how the community works, and its numbers."""
    try:
        purpose = governance.current_norm(PURPOSE)
    except CommonshareError:
        purpose = None
    return render(
        request,
        "web/about.html",
        {
            "purpose": purpose,
            "numbers": {
                "members": selectors.current_members().count(),
                "contributions": recognition_selectors.contribution_count(),
                "distributed": books.distributed_totals(),
            },
        },
    )
