"""The email the candidate gets when a person records a decision.

Neutral wording from the opening's editable templates (``NoticeSettings``). Placeholders are
``{name}``, ``{role}`` and ``{scores}``, filled by a small renderer of our own rather than
``str.format`` (a template is typed by staff; ``str.format`` would let ``{name.__class__}``
reach into Python objects). ``{scores}`` is empty unless the opening opted in to sharing them.
A ``withdrawn`` decision sends nothing: the candidate withdrew, or the company ended the
process and tells them in person.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from hireproof.web.message_templates import check_template as check_placeholders
from hireproof.web.message_templates import fill_template

from .models import Decision, NoticeSettings, Outcome

PLACEHOLDERS = ("name", "role", "scores")
NOTIFIED_OUTCOMES = (Outcome.HIRE, Outcome.NO_HIRE)


@dataclass(frozen=True)
class DecisionNotice:
    """A notice ready to send: who to, the filled-in subject and body."""

    to: str
    subject: str
    body: str


def check_template(text: str) -> None:
    """Raise ``TemplateProblem`` naming the first unknown or malformed placeholder in ``text``."""
    check_placeholders(text, PLACEHOLDERS)


def scores_paragraph(decision: Decision) -> str:
    """The scores, in words, from the recommendation the decision was taken against.

    Empty for a decision without one (a withdrawal before scoring, which sends no email).
    """
    if decision.recommendation is None:
        return ""
    data = json.loads(decision.recommendation.data_json)
    lines = [f"Your written assessment score: {data['test']['percent']}%."]
    if data["combined_percent"] is not None:
        lines.append(
            f"Your combined score (written assessment and interviews): {data['combined_percent']}%."
        )
    return "\n" + "\n".join(lines) + "\n"


def compose_notice(decision: Decision, notice: NoticeSettings) -> DecisionNotice:
    """The notice for ``decision`` (an outcome in ``NOTIFIED_OUTCOMES``) from ``notice``."""
    candidate = decision.candidate
    hire = decision.outcome == Outcome.HIRE
    values = {
        "name": candidate.name,
        "role": candidate.opening.title,
        "scores": scores_paragraph(decision) if notice.share_scores else "",
    }
    subject_template = notice.hire_subject if hire else notice.no_hire_subject
    body_template = notice.hire_body if hire else notice.no_hire_body
    # A subject is one line: a newline typed into the template must not start mail headers.
    subject = " ".join(fill_template(subject_template, values).split())
    body = re.sub(r"\n{3,}", "\n\n", fill_template(body_template, values))
    return DecisionNotice(to=candidate.email, subject=subject, body=body)


def send_notice(notice: DecisionNotice) -> None:
    """Send it with Django's configured email backend."""
    send_mail(
        subject=notice.subject,
        message=notice.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notice.to],
    )
