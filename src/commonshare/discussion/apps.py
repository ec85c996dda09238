from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "commonshare.discussion"
    label = "discussion"
    verbose_name = "Discussion"
