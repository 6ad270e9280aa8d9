"""One email, and the one way the product sends it.

Every notice hireproof sends (a staff invitation, a candidate's invitation, an interview notice,
a decision notice) is composed into an ``Email`` by the part that knows its words, then sent
with ``send_email``. A subject is always one line: a newline typed into a template by staff must
never start a mail header.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

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
