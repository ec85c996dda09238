from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "commonshare.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commonshare.audit.actions import subscribe
        from commonshare.notifications import fanout

        subscribe(fanout.on_event)  # each committed event tells the members it concerns
