"""Signals other apps connect to."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the erasure transaction with ``subject=<Subject>``, after the ``subject.erased``
# event is recorded and before the subject's keys are destroyed. Receivers delete their own rows
# about that subject (personal data, sealed answers); if one raises, the erasure rolls back.
subject_erased = Signal()
