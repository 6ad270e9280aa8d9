"""Openings: a job, pinned to one playbook version, and the invitation email it sends.

Nothing here is personal data; the candidates of an opening are in ``candidates``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_EMAIL_SUBJECT = "Your assessment for {role}"
DEFAULT_EMAIL_BODY = """Hello {name},

Thank you for applying for the {role} role. The next step is a written assessment of
{time_limit} minutes. You can start it whenever you are ready before {expires}; the clock only
starts when you press Start.

Your personal link (do not share it):
{link}

Before you start, the first page tells you how the assessment is scored and what data we keep.

Kind regards,
The hiring team
"""


class Opening(models.Model):
    """A job opening: its candidates are all assessed with one pinned playbook version."""

    title = models.CharField(max_length=200)
    playbook_version = models.ForeignKey(
        "hiring.PlaybookVersion", on_delete=models.PROTECT, related_name="openings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_open = models.BooleanField(default=True)
    invitation_days = models.PositiveSmallIntegerField(
        default=7, help_text="How many days an invitation link stays valid."
    )
    email_subject = models.CharField(max_length=200, default=DEFAULT_EMAIL_SUBJECT)
    email_body = models.TextField(
        default=DEFAULT_EMAIL_BODY,
        help_text="Placeholders: {name}, {role}, {link}, {expires}, {time_limit}.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
