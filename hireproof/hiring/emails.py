"""What the hiring pipeline emails, composed from each opening's editable templates.

- the candidate's invitation (``compose_invitation``), with their personal link;
- the notice to an interviewer when assigned (``compose_assigned``), and to the recruiter when
  every scorecard is in (``compose_all_in``); no notice carries a score or a rating;
- the decision notice to the candidate (``compose_decision_notice``): neutral wording, scores
  only if the opening opted in, and nothing for a withdrawal.

Each composes one ``hireproof.platform.mail.Email``. The action that causes it puts it in the
outbox with ``queue_candidate_email``, inside its transaction: sealed under the key of the
candidate it concerns (it names them, and an invitation carries their link), so the database
never holds it in clear, and an erasure leaves it unreadable. The task ``send_candidate_email``
unseals, sends and marks it sent once the action commits, retrying while the mail server
refuses; the pipeline shows "email failed" with the reason meanwhile. Templates use
``{name}``-style placeholders filled by ``hireproof.platform.message_templates`` (never
``str.format``, which would let ``{name.__class__}`` reach into Python objects); each kind of
email lists the placeholders it accepts.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.urls import reverse

from hireproof.audit import vault
from hireproof.audit.models import Subject
from hireproof.core.timing import Allowance
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision, NoticeSettings, Outcome
from hireproof.hiring.models.interviews import (
    DEFAULT_ALL_IN_BODY,
    DEFAULT_ALL_IN_SUBJECT,
    DEFAULT_ASSIGNED_BODY,
    DEFAULT_ASSIGNED_SUBJECT,
    Assignment,
    InterviewEmailTemplates,
)
from hireproof.hiring.models.openings import Opening
from hireproof.platform.mail import (
    Email,
    Unreadable,
    decode_email,
    deliver,
    encode_email,
    queue_email,
)
from hireproof.platform.message_templates import check_template, fill_template
from hireproof.platform.models import OutboxEmail
from hireproof.platform.tasks import background_task

logger = logging.getLogger(__name__)

INVITATION_PLACEHOLDERS = ("name", "role", "link", "expires", "time_limit")
ASSIGNED_PLACEHOLDERS = ("interviewer", "candidate", "role", "date", "link")
ALL_IN_PLACEHOLDERS = ("recipient", "candidate", "role", "count", "link")
DECISION_PLACEHOLDERS = ("name", "role", "scores")
NOTIFIED_OUTCOMES = (Outcome.HIRE, Outcome.NO_HIRE)
NO_DATE = "to be arranged"
OUTBOX_CONTEXT = "outbox.email"  # the vault context of an email sealed in the outbox


def compose(to: str, subject_template: str, body_template: str, values: Mapping[str, str]) -> Email:
    """An email from a subject and a body template, every placeholder filled from ``values``."""
    return Email(
        to=to,
        subject=fill_template(subject_template, values),
        body=fill_template(body_template, values),
    )


def check_placeholders(text: str, placeholders: Sequence[str]) -> None:
    """Raise ``TemplateProblem`` naming the first unknown or malformed placeholder in ``text``."""
    check_template(text, placeholders)


def queue_candidate_email(
    email: Email, candidate: Candidate, *, kind: str, about: str, replace: bool = False
) -> OutboxEmail:
    """Put ``email``, which concerns ``candidate``, in the outbox (sealed under their key) and
    queue its sending, in the current transaction. ``kind`` and ``about`` name it without
    personal data (``"an invitation"``, ``"invitation 12"``); ``replace`` cancels the emails
    about the same thing still waiting (a resent link replaces the old one)."""
    subject = candidate.subject
    content = vault.seal(subject, encode_email(email).decode(), context=OUTBOX_CONTEXT)
    return queue_email(
        content,
        kind=kind,
        about=about,
        send=send_candidate_email,
        sealed_for=subject.pseudonym,
        replace=replace,
    )


@background_task(label="Send an email about a candidate", tries=6, first_delay=30.0)
def send_candidate_email(outbox_id: int) -> None:
    """Unseal and send an email of the outbox; one about an erased candidate is cancelled."""
    deliver(outbox_id, _unseal_email)


def _unseal_email(row: OutboxEmail) -> Email:
    subject = Subject.objects.filter(pseudonym=row.sealed_for).first()
    if subject is None or subject.is_erased:
        raise Unreadable("the candidate was erased")
    try:
        text = vault.unseal(subject, bytes(row.content), context=OUTBOX_CONTEXT)
    except vault.SubjectErasedError:
        raise Unreadable("the candidate was erased") from None
    return decode_email(text.encode())


def invitation_about(invitation_id: int) -> str:
    """What the outbox calls the emails of an invitation."""
    return f"invitation {invitation_id}"


def describe_moment(moment: datetime) -> str:
    """``"Tuesday 1 December 2026, 12:00 UTC"``: a date and time as an email states it."""
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def site_link(base_url: str, path: str) -> str:
    """``path`` on the site at ``base_url`` (the path alone when no base URL is known)."""
    return base_url.rstrip("/") + path if base_url else path


# --- the candidate's invitation ---------------------------------------------------------------


def candidate_path(token: str) -> str:
    """The site path of a candidate's personal link (the assessment's start page)."""
    return reverse("assessments:start", args=[token])


def candidate_link(token: str, base_url: str) -> str:
    """The full personal link on the site at ``base_url``."""
    return base_url.rstrip("/") + candidate_path(token)


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
) -> Email:
    """An invitation email from an opening's templates and one candidate's facts."""
    values = {
        "name": name,
        "role": role,
        "link": link,
        "expires": describe_moment(expires_at),
        "time_limit": describe_minutes(allowance),
    }
    return compose(to, subject_template, body_template, values)


def invitation_email(invitation: Invitation, *, token: str, base_url: str) -> Email:
    """The invitation email of ``invitation``, whose link carries ``token``."""
    candidate = invitation.candidate
    opening = candidate.opening
    limit = opening.playbook_version.load().assessment.time_limit_minutes
    return compose_invitation(
        to=candidate.email,
        name=candidate.name,
        subject_template=opening.email_subject,
        body_template=opening.email_body,
        role=opening.title,
        link=candidate_link(token, base_url),
        expires_at=invitation.expires_at,
        allowance=invitation.allowance(limit),
    )


# --- interview notices ------------------------------------------------------------------------


def interview_templates(opening: Opening) -> InterviewEmailTemplates:
    """The opening's interview notice templates: the saved ones, or the defaults (not saved)."""
    saved = InterviewEmailTemplates.objects.filter(opening=opening).first()
    return saved or InterviewEmailTemplates(
        opening=opening,
        assigned_subject=DEFAULT_ASSIGNED_SUBJECT,
        assigned_body=DEFAULT_ASSIGNED_BODY,
        all_in_subject=DEFAULT_ALL_IN_SUBJECT,
        all_in_body=DEFAULT_ALL_IN_BODY,
    )


def describe_date(moment: datetime | None) -> str:
    """An interview's date as the notice states it, or ``"to be arranged"`` without one."""
    return NO_DATE if moment is None else describe_moment(moment)


def compose_assigned(assignment: Assignment, base_url: str) -> Email:
    """The notice to the interviewer: who, for which role, when, and the link to the kit."""
    candidate = assignment.candidate
    templates = interview_templates(candidate.opening)
    values = {
        "interviewer": assignment.interviewer.full_name,
        "candidate": candidate.name,
        "role": candidate.opening.title,
        "date": describe_date(assignment.scheduled_for),
        "link": site_link(base_url, reverse("interviews:kit", args=[assignment.pk])),
    }
    return compose(
        assignment.interviewer.email, templates.assigned_subject, templates.assigned_body, values
    )


def compose_all_in(
    candidate: Candidate, *, to: str, recipient: str, count: int, base_url: str
) -> Email:
    """The notice to a recruiter: every active assignment of the candidate has a scorecard."""
    templates = interview_templates(candidate.opening)
    path = reverse("interviews:candidate", args=[candidate.opening_id, candidate.pk])
    values = {
        "recipient": recipient,
        "candidate": candidate.name,
        "role": candidate.opening.title,
        "count": str(count),
        "link": site_link(base_url, path),
    }
    return compose(to, templates.all_in_subject, templates.all_in_body, values)


# --- the decision notice ----------------------------------------------------------------------


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


def compose_decision_notice(decision: Decision, notice: NoticeSettings) -> Email:
    """The notice for ``decision`` (an outcome in ``NOTIFIED_OUTCOMES``) from ``notice``."""
    candidate = decision.candidate
    hire = decision.outcome == Outcome.HIRE
    values = {
        "name": candidate.name,
        "role": candidate.opening.title,
        "scores": scores_paragraph(decision) if notice.share_scores else "",
    }
    email = compose(
        candidate.email,
        notice.hire_subject if hire else notice.no_hire_subject,
        notice.hire_body if hire else notice.no_hire_body,
        values,
    )
    # An empty {scores} leaves a gap of blank lines: close it.
    return Email(to=email.to, subject=email.subject, body=re.sub(r"\n{3,}", "\n\n", email.body))
