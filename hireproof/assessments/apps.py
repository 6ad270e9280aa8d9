"""The candidate's timed attempt: start, autosave, deadline, submission, scoring, receipt."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "hireproof.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from hireproof.audit.signals import subject_erased
        from hireproof.web.startup import add_startup_hook

        from . import receivers, sweeper

        subject_erased.connect(receivers.erase_answers, dispatch_uid="assessments.erase_answers")
        # `hireproof serve` starts the sweeper that auto-submits attempts left open.
        add_startup_hook(sweeper.start_sweeper_at_server_start)
