from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "hireproof.playbooks"
    label = "playbooks"
    verbose_name = "Playbook library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every server start publishes the built-in playbooks (a no-op once they are there).
        from hireproof.web.startup import add_startup_hook

        from .actions import load_builtin_playbooks

        add_startup_hook(load_builtin_playbooks)
