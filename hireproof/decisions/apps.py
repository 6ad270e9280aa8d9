"""The decisions app: the recommendation, the person's final decision, and the hiring file."""

from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "hireproof.decisions"
    label = "decisions"
    verbose_name = "Decisions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Both run inside the transaction of the action that sends the signal.
        from hireproof.assessments.signals import attempt_scored
        from hireproof.audit.signals import subject_erased

        from .receivers import clear_erased_reasons, recommend_after_scoring

        subject_erased.connect(clear_erased_reasons, dispatch_uid="decisions.clear_erased_reasons")
        attempt_scored.connect(
            recommend_after_scoring, dispatch_uid="decisions.recommend_after_scoring"
        )

        from hireproof.reviews.panels import add_candidate_panel

        from .panel import candidate_page_panel

        add_candidate_panel(candidate_page_panel)

        from hireproof.openings.columns import PipelineColumn, add_pipeline_column

        from .pipeline import decision_cells

        add_pipeline_column(PipelineColumn("Decision", decision_cells))
