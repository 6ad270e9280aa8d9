from django.apps import AppConfig


class OpeningsConfig(AppConfig):
    name = "hireproof.openings"
    label = "openings"
    verbose_name = "Openings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Erasing a candidate's subject clears their identity here, in the same transaction.
        from hireproof.audit.signals import subject_erased

        from .receivers import clear_erased_candidate

        subject_erased.connect(clear_erased_candidate, dispatch_uid="openings.clear_erased")
