from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "commonshare.governance"
    label = "governance"
    verbose_name = "Governance"
