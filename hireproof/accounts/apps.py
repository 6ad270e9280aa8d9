from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hireproof.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the signal receivers that keep track of each user's sessions.
        from . import sessions  # noqa: F401
