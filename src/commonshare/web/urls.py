from django.contrib.auth import views as auth_views
from django.urls import path, register_converter, reverse_lazy

from commonshare.web import atom
from commonshare.web.forms import LoginForm, NewPasswordForm, ResetRequestForm
from commonshare.web.views import (
    accounts,
    activity,
    books,
    claims,
    confirmations,
    contributions,
    home,
    norms,
    openbooks,
    people,
    tasks,
)
from commonshare.web.views import decisions as decision_views
from commonshare.web.views import discussion as discussion_views
from commonshare.web.views import notifications as notification_views
from commonshare.web.views import policy as policy_views
from commonshare.web.views import search as search_views


class RecordId:
    """A record's id: at most 18 digits, so a longer one is a 404, not a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class NormKind:
    """A norm's kind: a slug of at most 40 characters (``governance.vocab.NORM_KIND_MAX``)."""

    regex = "[a-z][a-z0-9-]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordId, "id")
register_converter(NormKind, "normkind")

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    # Activity: sentences from the audit log, and their Atom feeds
    path("activity/", activity.community_activity, name="activity"),
    path("activity/feed/", atom.CommunityActivityFeed(), name="activity_atom"),
    path("members/<id:member_id>/activity/", activity.member_activity, name="member_activity"),
    path("members/<id:member_id>/activity/feed/", atom.MemberActivityFeed(), name="member_atom"),
    path("tasks/<id:task_id>/activity/", activity.task_activity, name="task_activity"),
    path("decisions/<id:number>/activity/", activity.decision_activity, name="decision_activity"),
    path("decisions/feed/", atom.DecisionsFeed(), name="decisions_atom"),
    path("books/entries/feed/", atom.JournalFeed(), name="entries_atom"),
    # Accounts
    path("signup/", accounts.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify-email/<str:uid>/<str:token>/", accounts.verify_email, name="verify_email"),
    path("me/verify-email/", accounts.verify_email_resend, name="verify_email_resend"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="web/password/reset.html",
            form_class=ResetRequestForm,
            success_url=reverse_lazy("web:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password/reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/password/reset_confirm.html",
            form_class=NewPasswordForm,
            success_url=reverse_lazy("web:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/password/reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("members/", accounts.member_list, name="members"),
    path("members/<id:member_id>/", accounts.member_detail, name="member"),
    path(
        "members/<id:member_id>/pay-out/",
        claims.withdrawal_create,
        name="withdrawal_create",
    ),
    path("members/<id:member_id>/avatar/", people.avatar, name="avatar"),
    path("me/avatar/", people.avatar_edit, name="avatar_edit"),
    path(
        "contributions/<id:contribution_id>/thank/",
        people.thank_contribution,
        name="thank_contribution",
    ),
    path("reviews/<id:review_id>/thank/", people.thank_review, name="thank_review"),
    path("about/", people.about, name="about"),
    path("me/", accounts.my_page, name="me"),
    path("me/edit/", accounts.profile_edit, name="profile_edit"),
    path("me/leave/", accounts.leave, name="leave"),
    path("me/rejoin/", accounts.rejoin, name="rejoin"),
    # Decisions
    path("decisions/", decision_views.decision_list, name="decisions"),
    path("decisions/new/", decision_views.decision_create, name="decision_create"),
    path("decisions/<id:number>/", decision_views.decision_detail, name="decision"),
    path("decisions/<id:number>/vote/", decision_views.decision_vote, name="decision_vote"),
    path("decisions/<id:number>/close/", decision_views.decision_close, name="decision_close"),
    path(
        "decisions/<id:number>/receipt/", decision_views.decision_receipt, name="decision_receipt"
    ),
    # Work
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/<id:task_id>/", tasks.task_detail, name="task"),
    path("tasks/<id:parent_id>/subtask/", tasks.task_create, name="subtask_create"),
    path("tasks/<id:task_id>/claim/", tasks.task_claim, name="task_claim"),
    path("tasks/<id:task_id>/release/", tasks.task_release, name="task_release"),
    path("tasks/<id:task_id>/done/", tasks.task_done, name="task_done"),
    path("contributions/", contributions.contribution_list, name="contributions"),
    path("contributions/new/", contributions.contribution_create, name="contribution_create"),
    path(
        "contributions/<id:contribution_id>/",
        contributions.contribution_detail,
        name="contribution",
    ),
    path(
        "contributions/<id:contribution_id>/edit/",
        contributions.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "contributions/<id:contribution_id>/review/",
        contributions.review_create,
        name="review_create",
    ),
    path(
        "contributions/<id:contribution_id>/decide/",
        claims.expense_decide,
        name="expense_decide",
    ),
    path("reviews/", contributions.reviews_todo, name="reviews_todo"),
    # Books: the open books, entry by entry
    path("books/", openbooks.open_books, name="books"),
    path("books/entries/", openbooks.entry_list, name="entries"),
    path("books/entries/go/", openbooks.entry_seq_redirect, name="entry_go"),
    path("books/entries/<id:seq>/", openbooks.entry_detail, name="entry"),
    path("books/entries/<id:seq>/reverse/", openbooks.entry_reverse, name="entry_reverse"),
    path("books/sustainability/", openbooks.sustainability, name="sustainability"),
    path("books/waiting/", confirmations.waiting_page, name="waiting"),
    path(
        "books/income/<id:income_id>/confirm/",
        confirmations.income_confirm,
        name="income_confirm",
    ),
    path(
        "books/withdrawals/<id:withdrawal_id>/confirm/",
        confirmations.withdrawal_confirm,
        name="withdrawal_confirm",
    ),
    path(
        "books/withdrawals/<id:withdrawal_id>/dispute/",
        confirmations.withdrawal_dispute,
        name="withdrawal_dispute",
    ),
    path(
        "books/withdrawals/<id:withdrawal_id>/resolve/",
        confirmations.withdrawal_resolve,
        name="withdrawal_resolve",
    ),
    path(
        "books/reversals/<id:request_id>/confirm/",
        confirmations.reversal_confirm,
        name="reversal_confirm",
    ),
    path("policy/", policy_views.policy_page, name="policy"),
    # Notifications: the bell's list, mark read, e-mail settings, a mailed unsubscribe link
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/read/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<id:notification_id>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/settings/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    path("unsubscribe/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
    # Discussion: a thread on every record, and the commons forum
    path("commons/", discussion_views.forum, name="forum"),
    path("commons/new/", discussion_views.topic_create, name="topic_create"),
    path("commons/<id:topic_id>/", discussion_views.topic, name="topic"),
    path("discussion/<str:subject>/", discussion_views.discussion, name="discussion"),
    path("discussion/<str:subject>/post/", discussion_views.post, name="discussion_post"),
    path("comments/<id:comment_id>/edit/", discussion_views.comment_edit, name="comment_edit"),
    path(
        "comments/<id:comment_id>/delete/", discussion_views.comment_delete, name="comment_delete"
    ),
    path(
        "comments/<id:comment_id>/history/",
        discussion_views.comment_history,
        name="comment_history",
    ),
    # Norms: read only; a decision adopts a new version
    path("search/", search_views.search, name="search"),
    path("norms/", norms.norm_list, name="norms"),
    path("norms/<normkind:kind>/", norms.norm_detail, name="norm"),
    path("norms/<normkind:kind>/<id:number>/", norms.norm_version, name="norm_version"),
    path("books/expenses/", claims.expense_list, name="expenses"),
    path("books/income/<id:income_id>/", openbooks.income_detail, name="income"),
    path("books/income/", books.income_list, name="income_list"),
    path("books/income/new/", books.income_create, name="income_create"),
    path("books/distributions/", books.distribution_list, name="distributions"),
    path("books/distributions/new/", books.distribution_create, name="distribution_create"),
    path(
        "books/distributions/<id:distribution_id>/withdraw/",
        books.distribution_withdraw,
        name="distribution_withdraw",
    ),
    path(
        "books/distributions/<id:distribution_id>/", books.distribution_detail, name="distribution"
    ),
    path(
        "books/distributions/<id:distribution_id>/payouts/<id:member_id>/",
        books.payout_detail,
        name="payout",
    ),
]
