from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hireproof.audit"
    label = "audit"
    verbose_name = "Audit log"
