from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "commonshare.work"
    label = "work"
    verbose_name = "Work"
