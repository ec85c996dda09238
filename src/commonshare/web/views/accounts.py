"""Sign up, profiles, leaving and rejoining."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonshare import paging
from commonshare.books import selectors as books
from commonshare.community import mail, selectors, services
from commonshare.errors import Conflict, InvalidInput
from commonshare.governance.selectors import current_policy
from commonshare.web.forms import AvatarForm, ProfileForm, SignupForm, WithdrawalForm
from commonshare.web.pager import IN_ORDER, cursor_of, pager, size_of
from commonshare.web.views.common import MemberRequest, domain_errors, submit
from commonshare.work import selectors as work
from commonshare.work.level_selectors import level_history
from commonshare.work.recognition_selectors import thanks_received

# How many of a member's contributions their page shows before linking to the rest.
MEMBER_PAGE_SIZE = 20


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = submit(
            form,
            lambda: services.join(
                email=data["email"], display_name=data["display_name"], password=data["password"]
            ),
        )
        if member is not None:
            login(request, member, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {member.display_name}. You are a member now. We have mailed you a "
                "link: follow it to verify your address.",
            )
            return redirect("web:tasks")
    return render(request, "web/signup.html", {"form": form})


@domain_errors
def member_list(request: HttpRequest) -> HttpResponse:
    found = paging.page(selectors.members(), cursor=cursor_of(request), size=size_of(request))
    return render(
        request,
        "web/members/list.html",
        {
            "members": found,
            "pager": pager(request, found, label="Pages of members", words=IN_ORDER),
        },
    )


@domain_errors
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member(member_id)
    payouts = paging.page(
        # each row's explanation and its distribution's frozen valuation are for the
        # payout's own page: megabytes here, at scale, and none of it shown
        books.payouts_for(member).defer(
            "explanation", "distribution__policy", "distribution__request", "distribution__result"
        ),
        cursor=cursor_of(request, "payouts"),
        size=MEMBER_PAGE_SIZE,
    )
    history = paging.page(
        books.account_history(member), cursor=cursor_of(request, "history"), size=MEMBER_PAGE_SIZE
    )
    withdrawals = paging.page(
        books.withdrawals_of(member),
        cursor=cursor_of(request, "withdrawals"),
        size=MEMBER_PAGE_SIZE,
    )
    return render(
        request,
        "web/members/detail.html",
        {
            "member": member,
            # The newest page; the rest are on the contribution list, filtered to them.
            "contributions": paging.page(
                work.contributions(author=member).order_by("-created_at", "-id"),
                size=MEMBER_PAGE_SIZE,
            ),
            "payouts": payouts,
            "payouts_pager": pager(
                request, payouts, label="Pages of payouts received", param="payouts"
            ),
            "earned": sorted(books.earned_by_currency(member).items()),
            "owed": books.owed_by_currency(member.pk),
            "history": history,
            "history_pager": pager(
                request, history, label="Pages of the account's history", param="history"
            ),
            "withdrawals": withdrawals,
            "withdrawals_pager": pager(
                request, withdrawals, label="Pages of withdrawals", param="withdrawals"
            ),
            # Nobody records a payout to themself: the sender does, and the payee confirms.
            "withdrawal_form": WithdrawalForm()
            if request.user.is_authenticated and request.user.pk != member.pk
            else None,
            "is_me": request.user.is_authenticated and request.user.pk == member.pk,
            "trust": (trust := work.trust_summary(member)),
            "levels": (
                levels := paging.page(
                    level_history(member),
                    cursor=cursor_of(request, "levels"),
                    size=MEMBER_PAGE_SIZE,
                )
            ),
            "levels_pager": pager(
                request, levels, label="Pages of the trust level history", param="levels"
            ),
            "numbers": selectors.profile_numbers(member),
            "thanks": (
                thanks := paging.page(
                    thanks_received(member),
                    cursor=cursor_of(request, "thanks"),
                    size=MEMBER_PAGE_SIZE,
                )
            ),
            "thanks_pager": pager(
                request, thanks, label="Pages of thanks received", param="thanks"
            ),
            # A new account's links are marked for search engines, as in comments.
            "links_rel": "nofollow ugc noopener"
            if trust.level < current_policy().discussion.ugc_below_level
            else "nofollow noopener",
        },
    )


@login_required
def my_page(request: MemberRequest) -> HttpResponse:
    # The member's page itself, not a redirect to it: one request where a bookmark or the
    # header's link would otherwise cost two (the page names its own address as canonical).
    return member_detail(request, request.user.pk)


@login_required
@domain_errors
def profile_edit(request: MemberRequest) -> HttpResponse:
    member = request.user
    initial = ProfileForm.initial_for(member)
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given = services.ProfileInput(
            display_name=data["display_name"],
            pronouns=data["pronouns"],
            bio=data["bio"],
            skills=data["skills"].split(","),
            links=data["links"].splitlines(),
            time_zone=data["time_zone"],
            availability=data["availability"],
        )
        done = submit(form, lambda: services.update_profile(member, given))
        if done is not None:
            messages.success(request, "Profile saved.")
            return redirect("web:member", member.pk)
    return render(request, "web/members/edit.html", {"form": form, "avatar_form": AvatarForm()})


@login_required
def leave(request: MemberRequest) -> HttpResponse:
    """GET asks for confirmation; POST leaves."""
    member = request.user
    if request.method == "POST":
        try:
            services.leave(member)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "You have left. Your history and earnings stay; you can rejoin any time."
            )
        return redirect("web:member", member.pk)
    earned = sorted(books.earned_by_currency(member).items())
    return render(request, "web/members/leave.html", {"earned": earned})


@login_required
@require_POST
def rejoin(request: MemberRequest) -> HttpResponse:
    try:
        services.rejoin(request.user)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Welcome back.")
    return redirect("web:member", request.user.pk)


def verify_email(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """GET shows a button (so that a mail scanner fetching the link spends nothing); POST
    verifies."""
    if request.method == "POST":
        try:
            services.verify_email(uid=uid, token=token)
        except InvalidInput as error:
            return render(request, "web/verify_email.html", {"problem": error.message}, status=400)
        messages.success(request, "Thank you: your email address is verified.")
        return redirect("web:me" if request.user.is_authenticated else "web:login")
    return render(request, "web/verify_email.html", {})


@login_required
def verify_email_resend(request: MemberRequest) -> HttpResponse:
    """GET says where the address stands; POST mails a fresh link."""
    member = request.user
    if request.method == "POST":
        try:
            mail.send_verification(member)
        except Conflict as error:
            messages.info(request, error.message)
        else:
            messages.success(request, f"We have mailed a new link to {member.email}.")
        return redirect("web:verify_email_resend")
    return render(request, "web/verify_email_resend.html", {"member": member})
