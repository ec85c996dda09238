from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commonshare.web"
    label = "web"
    verbose_name = "Web pages"
