"""The background tasks (django-tasks, on its database backend): the worker runs them."""

from __future__ import annotations

from django_tasks import task

from commonshare.notifications import delivery


@task()
def deliver_mail(mail_id: int) -> str:
    """Send one mail, once (``notifications.delivery.deliver``)."""
    return delivery.deliver(mail_id)
