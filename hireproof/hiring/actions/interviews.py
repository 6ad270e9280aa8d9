"""Every change to interviews: each ``do_*`` is one transaction that records its audit event.

The log names assignments, candidates and interviewers by id (``staff:7``) and the candidate by
their subject's pseudonym. A scorecard's ratings, red flags, notes and amendment reason are
committed as private fields of its event (sealed under the candidate's key, destroyed on
erasure); ``public`` holds ids, the version and the number of questions rated.

Ratings travel as the core's ``InterviewScorecard`` from the interviewer's form to the
decision: the form builds one, ``check_scorecard`` checks it against the pinned kit, the row
keeps it (``ScorecardVersion.card()`` gives it back) and ``decide()`` reads it.

After a scorecard is submitted or amended (or a scored assignment cancelled), the
recommendation is recomputed inside the same transaction
(``recommendations.do_compute_recommendation``), so it never lags behind the scorecards.
Notices are emailed after the transaction commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission
from hireproof.audit import vault
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.core.errors import InterviewsError
from hireproof.core.scoring import InterviewScorecard, check_interviews
from hireproof.hiring.access import is_interviewer_of, may
from hireproof.hiring.actions.recommendations import do_compute_recommendation
from hireproof.hiring.emails import (
    ALL_IN_PLACEHOLDERS,
    ASSIGNED_PLACEHOLDERS,
    check_placeholders,
    compose_all_in,
    compose_assigned,
    queue_candidate_email,
)
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.flags import why_not_ready
from hireproof.hiring.models.interviews import (
    NOTES_CONTEXT,
    REASON_CONTEXT,
    Assignment,
    InterviewEmailTemplates,
    ScorecardVersion,
    active_assignments,
    all_scorecards_in,
    interviewer_name,
)
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.webhooks import emit_interview_submitted

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 2000
MAX_NOTES_CHARS = 20000


class InterviewRefused(Exception):
    """A change that cannot be made as asked; ``str()`` says why, in plain words."""


class ScorecardInvalid(InterviewRefused):
    """Ratings, red flags or notes that do not fit the interview kit; ``str()`` says which."""


# --- assigning and cancelling -----------------------------------------------------------------


def do_assign_interviewer(
    *,
    actor: User,
    candidate: Candidate,
    interviewer: User,
    scheduled_for: datetime | None = None,
    base_url: str = "",
) -> Assignment:
    """Ask ``interviewer`` to interview ``candidate``; records ``interview.assigned`` and emails
    the interviewer (after the commit) their kit's link.

    Refused (``InterviewRefused``) unless the interviewer is active and may interview
    (``Permission.INTERVIEW``), is not already assigned to this candidate, and the candidate is
    ready (``why_not_ready``). Who may assign is the access funnel's question.
    """
    if not (interviewer.is_active and may(interviewer, Permission.INTERVIEW)):
        raise InterviewRefused(
            f"{interviewer.full_name} is not an active interviewer: only staff with the "
            "interviewer role can be assigned."
        )
    reason = why_not_ready(candidate)
    if reason:
        raise InterviewRefused(reason)
    duplicate = InterviewRefused(
        f"{interviewer.full_name} is already assigned to interview this candidate."
    )
    try:
        with transaction.atomic():
            if active_assignments(candidate).filter(interviewer=interviewer).exists():
                raise duplicate
            assignment = Assignment.objects.create(
                candidate=candidate,
                interviewer=interviewer,
                scheduled_for=scheduled_for,
                assigned_by=actor,
            )
            record_event(
                EventType.INTERVIEW_ASSIGNED,
                actor=actor.audit_actor,
                subject=candidate.subject,
                public={
                    **_ids(assignment),
                    "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
                },
                at=assignment.assigned_at,
            )
            queue_candidate_email(
                compose_assigned(assignment, base_url),
                candidate,
                kind="an interview notice",
                about=f"assignment {assignment.pk}",
            )
    except IntegrityError:
        # Someone assigned the same interviewer between our check and our insert.
        raise duplicate from None
    return assignment


def do_cancel_assignment(*, actor: User, assignment: Assignment, base_url: str = "") -> Assignment:
    """Cancel an assignment; records ``interview.cancelled``. Its scorecards stay on record
    but no longer count; if it had one, the recommendation is recomputed. If this leaves every
    remaining assignment with a scorecard, the recruiter is told all are in."""
    candidate = assignment.candidate
    if candidate.is_erased:
        raise InterviewRefused("This candidate's personal data was erased.")
    now = timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.cancelled_at is not None:
            raise InterviewRefused("This interview was already cancelled.")
        was_all_in = all_scorecards_in(candidate)
        had_scorecard = ScorecardVersion.objects.filter(assignment=assignment).exists()
        assignment.cancelled_at, assignment.cancelled_by = now, actor
        assignment.save(update_fields=["cancelled_at", "cancelled_by"])
        record_event(
            EventType.INTERVIEW_CANCELLED,
            actor=actor.audit_actor,
            subject=candidate.subject,
            public={**_ids(assignment), "had_scorecard": had_scorecard},
            at=now,
        )
        if had_scorecard:
            do_compute_recommendation(candidate, actor=actor)
        if all_scorecards_in(candidate) and not was_all_in:
            _notify_all_in(candidate, base_url)
    return assignment


# --- scorecards -------------------------------------------------------------------------------


def do_submit_scorecard(
    *, actor: User, assignment: Assignment, card: InterviewScorecard, base_url: str = ""
) -> ScorecardVersion:
    """Submit the interviewer's scorecard (version 1); records ``interview.scorecard_submitted``.

    ``card`` is checked against the pinned playbook's interview kit by the core
    (``ScorecardInvalid`` in plain words). One submission per assignment: a second is refused,
    use ``do_amend_scorecard``. When this is the last scorecard the candidate's interviews were
    waiting for, the recruiter who assigned them is emailed.
    """
    _require_own_assignment(actor, assignment)
    checked = check_scorecard(assignment, card)
    already = InterviewRefused(
        "You have already submitted this scorecard. To change it, amend it and give a reason."
    )
    try:
        with transaction.atomic():
            _lock_active(assignment)
            if ScorecardVersion.objects.filter(assignment=assignment).exists():
                raise already
            row = _save_version(actor, assignment, checked, version=1, reason="")
            if all_scorecards_in(assignment.candidate):
                _notify_all_in(assignment.candidate, base_url)
    except IntegrityError:
        raise already from None
    return row


def do_amend_scorecard(
    *, actor: User, assignment: Assignment, card: InterviewScorecard, reason: str
) -> ScorecardVersion:
    """Amend the submitted scorecard: a new version with ``reason`` (required); every earlier
    version stays. Records ``interview.scorecard_amended``; the latest version counts."""
    _require_own_assignment(actor, assignment)
    why = _checked_reason(reason)
    checked = check_scorecard(assignment, card)
    try:
        with transaction.atomic():
            _lock_active(assignment)
            latest = (
                ScorecardVersion.objects.filter(assignment=assignment)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            if latest is None:
                raise InterviewRefused("There is no scorecard to amend yet: submit it first.")
            return _save_version(actor, assignment, checked, version=latest + 1, reason=why)
    except IntegrityError:
        raise InterviewRefused(
            "This scorecard was amended a moment ago; reload the page and try again."
        ) from None


def check_scorecard(assignment: Assignment, card: InterviewScorecard) -> InterviewScorecard:
    """``card`` as the assignment's interviewer gives it, checked against the pinned kit.

    The interviewer is named from the assignment, a flag ticked twice counts once and the
    notes are trimmed. Raises ``ScorecardInvalid`` with the core's reason in plain words.
    """
    if len(card.notes) > MAX_NOTES_CHARS:
        raise ScorecardInvalid(
            f"The notes are {len(card.notes)} characters long; keep them under {MAX_NOTES_CHARS}."
        )
    checked = InterviewScorecard(
        interviewer=interviewer_name(assignment.interviewer),
        ratings=dict(card.ratings),
        red_flags=tuple(dict.fromkeys(card.red_flags)),
        notes=card.notes.strip(),
    )
    playbook = assignment.candidate.opening.playbook_version.load()
    try:
        check_interviews(playbook.interview, [checked])
    except InterviewsError as error:
        raise ScorecardInvalid(
            f"This scorecard does not fit the interview kit: {_plain(error)}."
        ) from None
    return checked


def _plain(error: InterviewsError) -> str:
    # The core names the interview ("interview 1 (Ivan Petrov): ..."); here there is only one.
    return str(error).split("): ", 1)[-1].rstrip(".")


def _checked_reason(reason: str) -> str:
    text = reason.strip()
    if len(text) < MIN_REASON_CHARS:
        raise ScorecardInvalid(
            f"Give the reason for the amendment in at least {MIN_REASON_CHARS} characters: "
            "it is kept with both versions."
        )
    if len(text) > MAX_REASON_CHARS:
        raise ScorecardInvalid(f"Keep the reason under {MAX_REASON_CHARS} characters.")
    return text


def _save_version(
    actor: User, assignment: Assignment, card: InterviewScorecard, *, version: int, reason: str
) -> ScorecardVersion:
    candidate = assignment.candidate
    subject = candidate.subject
    row = ScorecardVersion.objects.create(
        assignment=assignment,
        version=version,
        ratings=dict(card.ratings),
        red_flags=list(card.red_flags),
        notes_sealed=vault.seal(subject, card.notes, context=NOTES_CONTEXT),
        reason_sealed=vault.seal(subject, reason, context=REASON_CONTEXT) if reason else None,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    private: dict[str, Any] = {
        "ratings": dict(card.ratings),
        "red_flags": list(card.red_flags),
        "notes": card.notes,
    }
    if reason:
        private["reason"] = reason
    record_event(
        EventType.INTERVIEW_SCORECARD_AMENDED
        if version > 1
        else EventType.INTERVIEW_SCORECARD_SUBMITTED,
        actor=actor.audit_actor,
        subject=subject,
        public={**_ids(assignment), "version": version, "questions": len(card.ratings)},
        private=private,
        at=row.submitted_at,
    )
    emit_interview_submitted(row)
    do_compute_recommendation(candidate, actor=actor)
    return row


# --- the opening's notice templates -----------------------------------------------------------


def do_update_interview_emails(
    *,
    actor: User,
    opening: Opening,
    assigned_subject: str,
    assigned_body: str,
    all_in_subject: str,
    all_in_body: str,
) -> InterviewEmailTemplates:
    """Save the opening's two interview notices; records ``opening.updated`` naming the fields.

    Raises ``TemplateProblem`` for an unknown placeholder.
    """
    for text in (assigned_subject, assigned_body):
        check_placeholders(text, ASSIGNED_PLACEHOLDERS)
    for text in (all_in_subject, all_in_body):
        check_placeholders(text, ALL_IN_PLACEHOLDERS)
    changes = {
        "assigned_subject": assigned_subject,
        "assigned_body": assigned_body,
        "all_in_subject": all_in_subject,
        "all_in_body": all_in_body,
    }
    with transaction.atomic():
        templates, _ = InterviewEmailTemplates.objects.select_for_update().get_or_create(
            opening=opening
        )
        changed = sorted(name for name, text in changes.items() if getattr(templates, name) != text)
        if changed:
            for name in changed:
                setattr(templates, name, changes[name])
            templates.save(update_fields=changed)
            record_event(
                EventType.OPENING_UPDATED,
                actor=actor.audit_actor,
                public={"opening_id": opening.pk, "fields": [f"interview_{n}" for n in changed]},
            )
    return templates


# --- helpers ----------------------------------------------------------------------------------


def _require_own_assignment(actor: User, assignment: Assignment) -> None:
    # Whoever the API or a page lets through, a scorecard is only ever its interviewer's.
    if not is_interviewer_of(actor, assignment):
        raise InterviewRefused("Only the assigned interviewer submits or amends this scorecard.")
    if assignment.candidate.is_erased:
        raise InterviewRefused("This candidate's personal data was erased.")


def _lock_active(assignment: Assignment) -> None:
    # The assignment's row lock puts concurrent submissions (and a cancellation) in turn.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.cancelled_at is not None:
        raise InterviewRefused("This interview was cancelled; its scorecard no longer counts.")


def _ids(assignment: Assignment) -> dict[str, Any]:
    return {
        "opening_id": assignment.candidate.opening_id,
        "candidate_id": assignment.candidate_id,
        "assignment_id": assignment.pk,
        "interviewer": assignment.interviewer.audit_actor,
    }


def _notify_all_in(candidate: Candidate, base_url: str) -> None:
    count = active_assignments(candidate).count()
    for recruiter in _all_in_recipients(candidate):
        email = compose_all_in(
            candidate,
            to=recruiter.email,
            recipient=recruiter.full_name,
            count=count,
            base_url=base_url,
        )
        queue_candidate_email(
            email, candidate, kind="an interview notice", about=f"candidate {candidate.pk}"
        )


def _all_in_recipients(candidate: Candidate) -> list[User]:
    """Whoever assigned the active interviews (if they still manage interviews); the opening's
    creator when none of them does."""
    assigners = User.objects.filter(
        pk__in=active_assignments(candidate).values("assigned_by"), is_active=True
    ).order_by("full_name", "pk")
    return [user for user in assigners if may(user, Permission.MANAGE_INTERVIEWS)] or [
        candidate.opening.created_by
    ]
