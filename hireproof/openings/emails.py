"""The invitation email: the opening's editable template, its placeholders, and sending it.

Templates use ``{name}``-style placeholders, but they are filled by our own small renderer, not
``str.format``: a template is typed by staff, and ``str.format`` would let ``{name.__class__}``
reach into Python objects. Only the five bare names below are accepted; ``{{`` and ``}}`` stand
for literal braces, as in ``str.format``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse

from hireproof.core.timing import Allowance
from hireproof.web.message_templates import check_template as check_placeholders
from hireproof.web.message_templates import fill_template

PLACEHOLDERS = ("name", "role", "link", "expires", "time_limit")


@dataclass(frozen=True)
class InvitationEmail:
    """An invitation ready to send: who to, the filled-in subject and body."""

    to: str
    subject: str
    body: str


def check_template(text: str) -> None:
    """Raise ``TemplateProblem`` naming the first unknown or malformed placeholder in ``text``."""
    check_placeholders(text, PLACEHOLDERS)


def candidate_path(token: str) -> str:
    """The site path of a candidate's personal link (the assessment's start page)."""
    try:
        return reverse("assessments:start", args=[token])
    except NoReverseMatch:
        # The candidate side is a separate app; the path is the one it is specified to serve.
        return f"/a/{token}/"


def candidate_link(token: str, base_url: str) -> str:
    """The full personal link on the site at ``base_url``."""
    return base_url.rstrip("/") + candidate_path(token)


def describe_expiry(moment: datetime) -> str:
    """``"Tuesday 1 December 2026, 12:00 UTC"``: an expiry as the email states it."""
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def describe_minutes(allowance: Allowance) -> str:
    """The whole time in minutes, ``"30"`` or ``"37.5"``: the time limit with any extension."""
    minutes = Decimal(int(allowance.total.total_seconds())) / 60
    return f"{minutes.normalize():f}"


def compose_invitation(
    *,
    to: str,
    name: str,
    subject_template: str,
    body_template: str,
    role: str,
    link: str,
    expires_at: datetime,
    allowance: Allowance,
) -> InvitationEmail:
    """The invitation email for one candidate, from the opening's templates."""
    values = {
        "name": name,
        "role": role,
        "link": link,
        "expires": describe_expiry(expires_at),
        "time_limit": describe_minutes(allowance),
    }
    # A subject is one line: a newline typed into the template must not start mail headers.
    subject = " ".join(fill_template(subject_template, values).split())
    return InvitationEmail(to=to, subject=subject, body=fill_template(body_template, values))


def send_invitation_email(email: InvitationEmail) -> None:
    """Send it with Django's configured email backend (the only place the link leaves)."""
    send_mail(
        subject=email.subject,
        message=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email.to],
    )
