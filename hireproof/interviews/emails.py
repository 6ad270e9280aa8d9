"""The two interview notices: to an interviewer when assigned, to the recruiter when every
scorecard is in. Each opening may edit both (``InterviewEmailTemplates``).

Templates use ``{name}``-style placeholders filled by a small renderer of our own, as the
invitation email does (``hireproof.openings.emails``): ``str.format`` on a template typed by
staff would let ``{candidate.__class__}`` reach into Python objects. Only the bare names listed
for each notice are accepted; ``{{`` and ``}}`` stand for literal braces. No notice carries a
score or a rating: they are read on the site, by those allowed to.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from hireproof.openings.models import Opening
from hireproof.web.message_templates import fill_template

from .models import (
    DEFAULT_ALL_IN_BODY,
    DEFAULT_ALL_IN_SUBJECT,
    DEFAULT_ASSIGNED_BODY,
    DEFAULT_ASSIGNED_SUBJECT,
    Assignment,
    InterviewEmailTemplates,
)

logger = logging.getLogger(__name__)

ASSIGNED_PLACEHOLDERS = ("interviewer", "candidate", "role", "date", "link")
ALL_IN_PLACEHOLDERS = ("recipient", "candidate", "role", "count", "link")
NO_DATE = "to be arranged"
MAIL_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Notice:
    """An email ready to send: who to, the filled-in subject and body."""

    to: str
    subject: str
    body: str


def templates_for(opening: Opening) -> InterviewEmailTemplates:
    """The opening's notice templates: the saved ones, or the defaults (not saved)."""
    saved = InterviewEmailTemplates.objects.filter(opening=opening).first()
    return saved or InterviewEmailTemplates(
        opening=opening,
        assigned_subject=DEFAULT_ASSIGNED_SUBJECT,
        assigned_body=DEFAULT_ASSIGNED_BODY,
        all_in_subject=DEFAULT_ALL_IN_SUBJECT,
        all_in_body=DEFAULT_ALL_IN_BODY,
    )


def describe_date(moment: datetime | None) -> str:
    """``"Tuesday 5 May 2026, 14:00 UTC"``, or ``"to be arranged"`` without a date."""
    if moment is None:
        return NO_DATE
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def site_link(base_url: str, path: str) -> str:
    """``path`` on the site at ``base_url`` (the path alone when no base URL is known)."""
    return base_url.rstrip("/") + path if base_url else path


def compose_assigned(assignment: Assignment, base_url: str) -> Notice:
    """The notice to the interviewer: who, for which role, when, and the link to the kit."""
    candidate = assignment.candidate
    templates = templates_for(candidate.opening)
    values = {
        "interviewer": assignment.interviewer.full_name,
        "candidate": candidate.name,
        "role": candidate.opening.title,
        "date": describe_date(assignment.scheduled_for),
        "link": site_link(base_url, reverse("interviews:kit", args=[assignment.pk])),
    }
    return _notice(
        assignment.interviewer.email, templates.assigned_subject, templates.assigned_body, values
    )


def compose_all_in(
    assignment: Assignment, *, to: str, recipient: str, count: int, base_url: str
) -> Notice:
    """The notice to a recruiter: every active assignment of the candidate has a scorecard."""
    candidate = assignment.candidate
    templates = templates_for(candidate.opening)
    path = reverse("interviews:candidate", args=[candidate.opening_id, candidate.pk])
    values = {
        "recipient": recipient,
        "candidate": candidate.name,
        "role": candidate.opening.title,
        "count": str(count),
        "link": site_link(base_url, path),
    }
    return _notice(to, templates.all_in_subject, templates.all_in_body, values)


def _notice(
    to: str, subject_template: str, body_template: str, values: Mapping[str, str]
) -> Notice:
    # A subject is one line: a newline typed into the template must not start mail headers.
    subject = " ".join(fill_template(subject_template, values).split())
    return Notice(to=to, subject=subject, body=fill_template(body_template, values))


def send_notice(notice: Notice) -> bool:
    """Send it with Django's email backend; a mail failure is logged, not raised (the change it
    announces is already saved, and the page shows the same facts). True when sent."""
    try:
        send_mail(
            subject=notice.subject,
            message=notice.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notice.to],
        )
    except MAIL_ERRORS:
        logger.exception("could not send an interview notice")  # no subject: it names the candidate
        return False
    return True
