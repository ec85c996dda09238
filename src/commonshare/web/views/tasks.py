"""The task tree, a task's page and its claim / release / done buttons."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonshare import paging
from commonshare.errors import Conflict
from commonshare.web.forms import TaskForm
from commonshare.web.pager import IN_ORDER, cursor_of, pager, size_of
from commonshare.web.views.common import MemberRequest, domain_errors, submit
from commonshare.work import selectors, services
from commonshare.work.models import Task

TASK_PAGE_SIZE = 20  # of each list on a task's page


@domain_errors
def task_list(request: HttpRequest) -> HttpResponse:
    """Top-level tasks, newest first, a page at a time, each with its subtasks."""
    status = request.GET.get("status") or None
    if status not in (None, *Task.Status.values):
        status = None
    tree = selectors.task_forest(status, cursor=cursor_of(request), size=size_of(request))
    return render(
        request,
        "web/tasks/list.html",
        {
            "tree": tree,
            "status": status,
            "statuses": Task.Status.choices,
            "pager": pager(request, tree, label="Pages of tasks"),
        },
    )


@domain_errors
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task(task_id)
    user = request.user
    mine = user.is_authenticated and task.claimed_by_id == user.pk
    current = user.is_authenticated and user.left_at is None
    # Two lists on one page, each paged by its own parameter; the other's cursor is kept.
    subtasks = paging.page(
        selectors.subtasks_of(task), cursor=cursor_of(request, "subtasks"), size=TASK_PAGE_SIZE
    )
    contributions = paging.page(
        selectors.contributions_to(task),
        cursor=cursor_of(request, "contributions"),
        size=TASK_PAGE_SIZE,
    )
    return render(
        request,
        "web/tasks/detail.html",
        {
            "task": task,
            "subtasks": subtasks,
            "subtasks_pager": pager(
                request, subtasks, label="Pages of subtasks", words=IN_ORDER, param="subtasks"
            ),
            "contributions": contributions,
            "contributions_pager": pager(
                request,
                contributions,
                label="Pages of contributions to this task",
                param="contributions",
            ),
            # Which buttons to offer; the services decide what actually happens.
            "can_claim": current and task.status == Task.Status.OPEN,
            "can_release": mine and task.status == Task.Status.CLAIMED,
            "can_finish": mine and task.status == Task.Status.CLAIMED,
            "can_add": current and task.status != Task.Status.DONE,
        },
    )


@login_required
@domain_errors
def task_create(request: MemberRequest, parent_id: int | None = None) -> HttpResponse:
    parent = selectors.task(parent_id) if parent_id is not None else None
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        task = submit(
            form,
            lambda: services.create_task(
                request.user,
                title=data["title"],
                description=data["description"],
                estimate_hours=data["estimate_hours"],
                parent_id=parent_id,
            ),
        )
        if task is not None:
            messages.success(request, f"Task “{task.title}” created.")
            return redirect("web:task", task.pk)
    return render(request, "web/tasks/form.html", {"form": form, "parent": parent})


def _task_action(action: Callable[..., Task], done: str) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    @domain_errors
    def view(request: HttpRequest, task_id: int) -> HttpResponse:
        try:
            action(request.user, task_id)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("web:task", task_id)

    return view


task_claim = _task_action(services.claim_task, "You claimed this task. It is yours to do.")
task_release = _task_action(services.release_task, "You released this task; others may claim it.")


@login_required
@require_POST
@domain_errors
def task_done(request: MemberRequest, task_id: int) -> HttpResponse:
    """Mark done; a task with open subtasks first shows them and asks to confirm."""
    confirmed = request.POST.get("confirm_open_subtasks") == "yes"
    try:
        services.complete_task(request.user, task_id, confirm_open_subtasks=confirmed)
    except Conflict as error:
        if error.field != "confirm_open_subtasks":
            messages.error(request, error.message)
            return redirect("web:task", task_id)
        task = selectors.task(task_id)
        return render(
            request,
            "web/tasks/done_confirm.html",
            {"task": task, "open_subtasks": selectors.open_subtasks(task)},
        )
    messages.success(request, "Marked done. Log your work if you have not.")
    return redirect("web:task", task_id)
