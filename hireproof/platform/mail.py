"""One email, the outbox it waits in, and the one way the product sends it.

Every notice hireproof sends (a staff invitation, a candidate's invitation, an interview notice,
a decision notice) is composed into an ``Email`` by the part that knows its words. The action
that causes it stores it in the outbox (``queue_email``: an ``OutboxEmail`` row and the task
that sends it, both in the action's transaction), so it leaves only if the action commits, and
a page never waits on the mail server. The task (the sender's own, which knows how to read what
it stored: ``send_queued_email`` for plain emails) calls ``deliver``: it sends with
``send_email`` and marks the row sent, emptying it; a task run again after that sends nothing.
A mail error is kept on the row (pages say "email failed" with the server's reason) and raised,
so the task is tried again later. A subject is always one line: a newline typed into a
template by staff must never start a mail header.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, QuerySet
from django.utils import timezone

from hireproof.platform.models import OutboxEmail
from hireproof.platform.tasks import background_task, enqueue

logger = logging.getLogger(__name__)

MAIL_ERRORS = (smtplib.SMTPException, OSError)
"""What sending can raise when the mail server refuses or cannot be reached."""


@dataclass(frozen=True)
class Email:
    """An email ready to send: who to, the subject (one line) and the plain-text body."""

    to: str
    subject: str
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", " ".join(self.subject.split()))


def send_email(email: Email) -> None:
    """Send ``email`` with Django's configured backend; a mail error propagates to the caller."""
    send_mail(
        subject=email.subject,
        message=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email.to],
    )


# --- the outbox ---------------------------------------------------------------------------------

REASON_LENGTH = 1000


class EmailNotSent(Exception):
    """The mail server refused an email or could not be reached; its outbox row says why."""


class Unreadable(Exception):
    """An outbox row's content can no longer be read (the candidate it concerns was erased)."""


def encode_email(email: Email) -> bytes:
    """An email as the outbox stores it (before any sealing)."""
    return json.dumps({"to": email.to, "subject": email.subject, "body": email.body}).encode()


def decode_email(content: bytes) -> Email:
    """The email ``encode_email`` stored."""
    fields = json.loads(content)
    return Email(to=fields["to"], subject=fields["subject"], body=fields["body"])


def queue_email(
    content: bytes,
    *,
    kind: str,
    about: str,
    send: Callable[[int], None],
    sealed_for: str = "",
    replace: bool = False,
) -> OutboxEmail:
    """Store an email in the outbox and queue ``send(row id)``, in the current transaction.

    ``content`` is the email as the sender's task reads it back (``encode_email``, sealed when
    it concerns a candidate, whose pseudonym ``sealed_for`` names). ``kind`` says what it is
    and ``about`` what it concerns, in words without personal data. With ``replace``, emails
    about the same thing still waiting are cancelled (a new link replaces the old one).
    """
    if replace:
        cancel_waiting(OutboxEmail.objects.filter(about=about), "a newer email replaced it")
    row = OutboxEmail.objects.create(kind=kind, about=about, sealed_for=sealed_for, content=content)
    enqueue(send, row.pk)
    return row


def deliver(outbox_id: int, read: Callable[[OutboxEmail], Email]) -> None:
    """Send the outbox's email ``outbox_id`` (read by ``read``) unless it was sent or cancelled,
    and mark it sent. A mail error is stored on the row and raised as ``EmailNotSent``; a row
    ``read`` cannot open (``Unreadable``) is cancelled."""
    row = OutboxEmail.objects.filter(pk=outbox_id).first()
    if row is None or not row.waiting:
        return
    try:
        email = read(row)
    except Unreadable as why:
        cancel_waiting(OutboxEmail.objects.filter(pk=row.pk), str(why))
        return
    now = timezone.now()
    try:
        send_email(email)
    except MAIL_ERRORS as error:
        OutboxEmail.objects.filter(pk=row.pk).update(
            tries=F("tries") + 1,
            last_try_at=now,
            last_error=(str(error).strip() or type(error).__name__)[:REASON_LENGTH],
        )
        # The log and the task's error name the kind only: the server's words may hold the
        # address, which the row keeps for the staff who can see it (and erasure clears).
        logger.warning("could not send %s (%s)", row.kind, type(error).__name__)
        raise EmailNotSent(
            f"{row.kind} was not sent: the mail server refused it or could not be reached"
            f" ({type(error).__name__})"
        ) from None
    OutboxEmail.objects.filter(pk=row.pk, sent_at__isnull=True).update(
        sent_at=now, content=b"", tries=F("tries") + 1, last_try_at=now, last_error=""
    )


def cancel_waiting(rows: QuerySet[OutboxEmail], because: str) -> int:
    """Cancel the emails of ``rows`` still waiting, emptying them; how many were."""
    waiting = rows.filter(sent_at__isnull=True, cancelled_at__isnull=True)
    return int(
        waiting.update(cancelled_at=timezone.now(), cancelled_because=because[:200], content=b"")
    )


def latest_emails(abouts: Iterable[str]) -> dict[str, OutboxEmail]:
    """The newest outbox row about each of ``abouts`` (one query)."""
    latest: dict[str, OutboxEmail] = {}
    for row in OutboxEmail.objects.filter(about__in=list(abouts)).order_by("created_at", "id"):
        latest[row.about] = row
    return latest


@background_task(label="Send an email", tries=6, first_delay=30.0)
def send_queued_email(outbox_id: int) -> None:
    """Send a plain (unsealed) email of the outbox."""
    deliver(outbox_id, lambda row: decode_email(bytes(row.content)))
