"""What this app does when the audit app erases a subject: forget the notes about them."""

from __future__ import annotations

from typing import Any

from hireproof.audit.models import Subject

from .models import FlagAcknowledgement

ERASED_NOTE = ""


def clear_erased_notes(sender: Any, subject: Subject, **_: Any) -> None:
    """Blank every acknowledgement note about the erased candidate.

    Runs inside the erasure transaction (``hireproof.audit.signals.subject_erased``). A note is
    free text about the person, so it goes with their data; who acknowledged which flag, and
    when, stays (it names no one but staff, and the log records it anyway).
    """
    FlagAcknowledgement.objects.filter(attempt__invitation__candidate__subject=subject).update(
        note=ERASED_NOTE
    )
