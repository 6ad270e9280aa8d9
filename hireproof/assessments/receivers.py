"""Signal receivers: what this app does when another app announces something."""

from __future__ import annotations

from typing import Any

from hireproof.audit.models import Subject

from .actions import erase_attempt_data


def erase_answers(sender: Any, *, subject: Subject, **kwargs: Any) -> None:
    """On ``subject_erased``: delete the candidate's answers, signals and scorecard text."""
    erase_attempt_data(subject)
