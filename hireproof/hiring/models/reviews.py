"""What reviewers add to a candidate's record: for now, acknowledgements of warning flags.

Notes are written by staff, not by the candidate, but they are about the candidate: erasing
the candidate clears them (``hireproof.hiring.actions.erasure``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FlagAcknowledgement(models.Model):
    """A reviewer's note that they have looked at one ``warning`` red flag of an attempt.

    One per flag (an item raises at most one). Create rows only with
    ``actions.do_acknowledge_flag``, which records ``flag.acknowledged`` in the audit log.
    """

    attempt = models.ForeignKey(
        "hiring.Attempt", on_delete=models.CASCADE, related_name="flag_acknowledgements"
    )
    item_id = models.CharField(max_length=100)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item_id"], name="flag_acknowledged_once")
        ]

    def __str__(self) -> str:
        return f"acknowledgement of {self.item_id} on attempt {self.attempt_id}"
