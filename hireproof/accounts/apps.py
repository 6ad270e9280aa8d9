"""Staff accounts as a Django app: the user model, their sessions and failed sign-ins."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hireproof.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"
    default_auto_field = "django.db.models.BigAutoField"
