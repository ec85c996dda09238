from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commonshare.audit"
    label = "audit"
    verbose_name = "Audit trail"
