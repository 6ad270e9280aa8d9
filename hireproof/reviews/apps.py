"""The reviews app: what staff see and decide about one candidate after the written test."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "hireproof.reviews"
    label = "reviews"
    verbose_name = "Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Erasing a candidate clears the reviewers' notes about them, in the same transaction.
        from hireproof.audit.signals import subject_erased

        from .receivers import clear_erased_notes

        subject_erased.connect(clear_erased_notes, dispatch_uid="reviews.clear_erased_notes")
