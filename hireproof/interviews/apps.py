"""The interviews app: who interviews whom, the interview kit, and the scorecards."""

from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "hireproof.interviews"
    label = "interviews"
    verbose_name = "Interviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hireproof.audit.signals import subject_erased
        from hireproof.web.navigation import NavLink, add_nav_link

        from .access import can_interview
        from .receivers import clear_erased_scorecards

        # Erasing a candidate clears their scorecards' contents, in the same transaction.
        subject_erased.connect(
            clear_erased_scorecards, dispatch_uid="interviews.clear_erased_scorecards"
        )
        add_nav_link(NavLink("My interviews", "interviews:mine", can_interview))

        from hireproof.reviews.panels import add_candidate_panel

        from .pages import candidate_page_panel

        add_candidate_panel(candidate_page_panel)
