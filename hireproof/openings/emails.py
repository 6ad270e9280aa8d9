"""The invitation email: the opening's editable template, its placeholders, and sending it.

Templates use ``{name}``-style placeholders, but they are filled by our own small renderer, not
``str.format``: a template is typed by staff, and ``str.format`` would let ``{name.__class__}``
reach into Python objects. Only the five bare names below are accepted; ``{{`` and ``}}`` stand
for literal braces, as in ``str.format``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse

from hireproof.core.timing import Allowance

PLACEHOLDERS = ("name", "role", "link", "expires", "time_limit")
_PLACEHOLDER_LIST = ", ".join("{" + name + "}" for name in PLACEHOLDERS)


class TemplateProblem(ValueError):
    """An email template that cannot be filled in; ``str()`` says what and how to fix it."""


@dataclass(frozen=True)
class InvitationEmail:
    """An invitation ready to send: who to, the filled-in subject and body."""

    to: str
    subject: str
    body: str


def check_template(text: str) -> None:
    """Raise ``TemplateProblem`` naming the first unknown or malformed placeholder in ``text``."""
    _pieces(text)


def fill_template(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder replaced by its value from ``values``."""
    return "".join(
        literal + (values[field] if field is not None else "") for literal, field in _pieces(text)
    )


def _pieces(text: str) -> list[tuple[str, str | None]]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise TemplateProblem(
            "A '{' or '}' is not part of a placeholder. Write placeholders like {name}; "
            "for a literal brace, write {{ or }}."
        ) from None
    pieces: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (field not in PLACEHOLDERS or spec or conversion):
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise TemplateProblem(
                f"Unknown placeholder {shown}. The placeholders are {_PLACEHOLDER_LIST}."
            )
        pieces.append((literal, field))
    return pieces


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
