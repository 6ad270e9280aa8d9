from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hireproof.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from hireproof.web.startup import add_startup_hook

        from . import checkpointer

        # Time-based checkpoints for a quiet log: see ``checkpointer``.
        add_startup_hook(checkpointer.start_checkpointer_at_server_start)
