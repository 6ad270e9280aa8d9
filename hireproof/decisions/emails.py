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
import string
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from .models import Decision, NoticeSettings, Outcome

PLACEHOLDERS = ("name", "role", "scores")
_PLACEHOLDER_LIST = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
NOTIFIED_OUTCOMES = (Outcome.HIRE, Outcome.NO_HIRE)


class TemplateProblem(ValueError):
    """A notice template that cannot be filled in; ``str()`` says what and how to fix it."""


@dataclass(frozen=True)
class DecisionNotice:
    """A notice ready to send: who to, the filled-in subject and body."""

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
            raise TemplateProblem(
                f"Unknown placeholder {{{field}}}. The placeholders are {_PLACEHOLDER_LIST}."
            )
        pieces.append((literal, field))
    return pieces


def scores_paragraph(decision: Decision) -> str:
    """The scores, in words, from the recommendation the decision was taken against."""
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
