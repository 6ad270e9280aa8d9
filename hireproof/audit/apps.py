"""The audit log as a Django app: its tables, the append-only triggers and the ``flush`` command
that can empty them."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hireproof.audit"
    label = "audit"
    verbose_name = "Audit log"
