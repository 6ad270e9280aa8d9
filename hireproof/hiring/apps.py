"""The hiring pipeline as a Django app: its models and migrations."""

from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hireproof.hiring"
    label = "hiring"
    verbose_name = "Hiring pipeline"
    default_auto_field = "django.db.models.BigAutoField"
