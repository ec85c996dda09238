from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "commonshare.work"
    label = "work"
    verbose_name = "Work"

    def ready(self) -> None:
        from commonshare.audit.actions import subscribe  # noqa: PLC0415 - apps load first
        from commonshare.work import level_services, steward_services  # noqa: PLC0415

        # The steward phase's end goes into the audit log after the action that ended it.
        subscribe(steward_services.record_end_when_due)
        # Levels the event may have changed are looked at again, and each change recorded.
        subscribe(level_services.levels_after)
