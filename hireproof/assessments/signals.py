"""What this app announces to the apps after it (they connect; it never imports them)."""

from django.dispatch import Signal

attempt_scored = Signal()
"""Sent inside the submission's transaction once an attempt is scored: ``attempt=``, ``actor=``,
``at=`` (the moment of submission).

A receiver that raises rolls the submission back, so what follows a score (the recommendation)
is never missing for a scored attempt.
"""
