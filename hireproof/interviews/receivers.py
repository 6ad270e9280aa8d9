"""What this app does when the audit app erases a subject: forget the scorecards' contents."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hireproof.audit.models import Subject

from .models import InterviewScorecard


def clear_erased_scorecards(sender: Any, subject: Subject, **_: Any) -> None:
    """Clear the ratings, red flags, notes and reasons of every scorecard about the candidate.

    Runs inside the erasure transaction (``hireproof.audit.signals.subject_erased``). Ratings
    are personal data about the candidate as much as the notes are, so they go too; the rows
    stay, marked erased, so the pages still show who interviewed and when (staff facts).
    """
    InterviewScorecard.objects.filter(assignment__candidate__subject=subject).update(
        ratings={},
        red_flags=[],
        notes_sealed=None,
        reason_sealed=None,
        erased_at=timezone.now(),
    )
