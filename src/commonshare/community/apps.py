from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "commonshare.community"
    label = "community"
    verbose_name = "Community"
