from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "commonshare.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from commonshare.audit.actions import subscribe  # noqa: PLC0415 - apps load first
        from commonshare.community import mail  # noqa: PLC0415

        subscribe(mail.on_joined)  # a new member's verification link, after the join commits
