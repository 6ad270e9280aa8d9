"""What this app does when the audit app erases a subject: forget the candidate's identity."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hireproof.audit.models import Subject

from .models import Candidate, Invitation


def clear_erased_candidate(sender: Any, subject: Subject, **_: Any) -> None:
    """Clear the candidate's sealed name and email and their lookup hash; stop their link.

    Runs inside the erasure transaction (``hireproof.audit.signals.subject_erased``): if it
    fails, nothing is erased. The sealed values would be undecryptable anyway once the keys
    go; clearing them also removes the lookup hash, which could otherwise confirm a guess.
    """
    now = timezone.now()
    Candidate.objects.filter(subject=subject).update(
        name_sealed=None, email_sealed=None, email_lookup="", erased_at=now
    )
    Invitation.objects.filter(candidate__subject=subject, revoked_at__isnull=True).update(
        revoked_at=now
    )
