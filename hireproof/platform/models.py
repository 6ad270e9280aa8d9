"""The platform's tables: the outbox of emails, files tasks prepare, the background work's state.

None of them knows what it carries: a part above stores its emails and files (sealed under a
candidate's key when they hold personal data) and reads them back in its own tasks.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxEmail(models.Model):
    """One email to send: written by the action that causes it, in that action's transaction,
    and sent by a task once it commits (``hireproof.platform.mail``).

    ``content`` is the email as its sender stored it (sealed under the key of the candidate
    ``sealed_for`` names, when it concerns one); it is emptied once the email is sent or
    cancelled, so the outbox keeps no copy of what left.
    """

    kind = models.CharField(max_length=60)  # what it is, for pages and logs: "an invitation"
    about = models.CharField(max_length=60, db_index=True)  # what it concerns: "invitation 12"
    sealed_for = models.CharField(max_length=64, blank=True, db_index=True)  # a pseudonym, or ""
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_because = models.CharField(max_length=200, blank=True)
    tries = models.PositiveIntegerField(default=0)
    last_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.about})"

    @property
    def waiting(self) -> bool:
        """Neither sent nor cancelled yet."""
        return self.sent_at is None and self.cancelled_at is None

    @property
    def failed(self) -> bool:
        """Not sent, and the last try failed (it may still be tried again)."""
        return self.waiting and bool(self.last_error)


class StoredFile(models.Model):
    """A file a task prepares on request (the hiring file's PDF), kept until it is asked for
    again; ``content`` is sealed by its owner, like the outbox's emails."""

    key = models.CharField(max_length=100, unique=True)  # what it is: "hiring-file 42"
    sealed_for = models.CharField(max_length=64, blank=True, db_index=True)
    requested_at = models.DateTimeField()
    prepared_at = models.DateTimeField(null=True, blank=True)
    content = models.BinaryField(null=True)
    source_hash = models.CharField(max_length=64, blank=True)  # what it was prepared from
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key

    @property
    def ready(self) -> bool:
        """Prepared since it was last requested."""
        return self.prepared_at is not None and self.content is not None


class TaskProblem(models.Model):
    """A background task that failed: waiting for its next try, or failed for good.

    One row per job (a task and its arguments, across its tries); it goes away when a later
    try succeeds. The Background work page lists these rows.
    """

    job = models.CharField(max_length=200, unique=True)  # a random id, or a periodic job's name
    task = models.CharField(max_length=200)  # the task function's module and name
    label = models.CharField(max_length=200)  # what it does, in words
    args = models.TextField()  # the arguments' repr: ids, never personal data
    tries = models.PositiveIntegerField()
    max_tries = models.PositiveIntegerField()
    error = models.TextField()
    first_failed_at = models.DateTimeField()
    last_tried_at = models.DateTimeField()
    next_try_at = models.DateTimeField(null=True, blank=True)  # None: failed for good

    class Meta:
        ordering = ["-last_tried_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.job})"

    @property
    def failed_for_good(self) -> bool:
        """No try is left: it runs again only when an administrator asks."""
        return self.next_try_at is None


class Worker(models.Model):
    """A running ``hireproof worker`` as it last reported: the heartbeat readiness checks read."""

    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at", "-id"]

    def __str__(self) -> str:
        return f"worker {self.host}:{self.pid}"
