"""Every change to interviews: each ``do_*`` is one transaction that records its audit event.

The log names assignments, candidates and interviewers by id (``staff:7``) and the candidate by
their subject's pseudonym. A scorecard's ratings, red flags, notes and amendment reason are
committed as private fields of its event (sealed under the candidate's key, destroyed on
erasure); ``public`` holds ids, the version and the number of questions rated.

After a scorecard is submitted or amended (or a scored assignment cancelled), the decisions
app's hook recomputes the recommendation inside the same transaction, so the recommendation
never lags behind the scorecards. Notices are emailed after the transaction commits.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from hireproof.accounts.models import Role, User
from hireproof.audit import vault
from hireproof.audit.log import record_event
from hireproof.core.audit.events import EventType
from hireproof.core.errors import InterviewsError
from hireproof.core.scoring import InterviewScorecard as CoreScorecard
from hireproof.core.scoring.interviews import check_interviews
from hireproof.openings.models import Candidate, Opening
from hireproof.reviews.access import attempt_of
from hireproof.reviews.flags import attempt_flags, can_move_on
from hireproof.web.message_templates import check_template

from .emails import (
    ALL_IN_PLACEHOLDERS,
    ASSIGNED_PLACEHOLDERS,
    compose_all_in,
    compose_assigned,
    send_notice,
)
from .models import (
    NOTES_CONTEXT,
    REASON_CONTEXT,
    Assignment,
    InterviewEmailTemplates,
    InterviewScorecard,
)

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 2000
MAX_NOTES_CHARS = 20000
DECISIONS_APP = "hireproof.decisions"
DECISIONS_HOOKS = "hireproof.decisions.hooks"


class InterviewRefused(Exception):
    """A change that cannot be made as asked; ``str()`` says why, in plain words."""


class ScorecardInvalid(InterviewRefused):
    """Ratings, red flags or notes that do not fit the interview kit; ``str()`` says which."""


# --- who can be interviewed, and by whom ------------------------------------------------------


def why_not_ready(candidate: Candidate) -> str | None:
    """Why interviews cannot be assigned to ``candidate`` yet, in plain words; ``None`` if
    they can: the written test is scored and ``reviews.flags.can_move_on`` says yes."""
    if candidate.is_erased:
        return "This candidate's personal data was erased: they cannot be interviewed."
    attempt = attempt_of(candidate)
    if attempt is None or not attempt.scorecard_hash:
        return (
            "The written test is not scored yet: interviews can be assigned once the "
            "candidate has submitted it and it is scored."
        )
    if can_move_on(attempt):
        return None
    # Not ready: read the flags again to say which kind holds the candidate back.
    flags = attempt_flags(attempt)
    if any(flag.is_critical for flag in flags):
        return (
            "The written test has a critical red flag (critical fail): the candidate cannot "
            "move on to interviews."
        )
    waiting = sum(1 for flag in flags if flag.is_open)
    return (
        f"The written test has {waiting} warning flag{'s' if waiting != 1 else ''} that a "
        "reviewer must acknowledge first, on the candidate page."
    )


def is_eligible_interviewer(user: User) -> bool:
    """Only active staff with the interviewer role are assigned (see ``models``)."""
    return user.is_active and user.role == Role.INTERVIEWER


def eligible_interviewers() -> list[User]:
    """Every active interviewer, by name: the choices of the assignment form."""
    return list(User.objects.filter(is_active=True, role=Role.INTERVIEWER).order_by("full_name"))


def interviewer_name(user: User) -> str:
    """How a scorecard names its interviewer for the core and the hiring file: the full name."""
    return user.full_name.strip() or user.audit_actor


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

    Refused (``InterviewRefused``) unless ``actor`` is a recruiter or administrator, the
    interviewer an active interviewer not already assigned to this candidate, and the candidate
    ready (``why_not_ready``).
    """
    _require_manager(actor)
    if not is_eligible_interviewer(interviewer):
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
            if _active(candidate).filter(interviewer=interviewer).exists():
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
    except IntegrityError:
        # Someone assigned the same interviewer between our check and our insert.
        raise duplicate from None
    send_notice(compose_assigned(assignment, base_url))
    return assignment


def do_cancel_assignment(*, actor: User, assignment: Assignment, base_url: str = "") -> Assignment:
    """Cancel an assignment; records ``interview.cancelled``. Its scorecards stay on record
    but no longer count; if it had one, the recommendation is recomputed. If this leaves every
    remaining assignment with a scorecard, the recruiter is told all are in."""
    _require_manager(actor)
    candidate = assignment.candidate
    if candidate.is_erased:
        raise InterviewRefused("This candidate's personal data was erased.")
    now = timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.cancelled_at is not None:
            raise InterviewRefused("This interview was already cancelled.")
        was_all_in = _all_in(candidate)
        had_scorecard = InterviewScorecard.objects.filter(assignment=assignment).exists()
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
            _inputs_changed(candidate, actor)
        now_all_in = _all_in(candidate)
    if now_all_in and not was_all_in:
        _notify_all_in(assignment, base_url)
    return assignment


# --- scorecards -------------------------------------------------------------------------------


def do_submit_scorecard(
    *,
    actor: User,
    assignment: Assignment,
    ratings: Mapping[str, int],
    red_flags: Iterable[str],
    notes: str,
    base_url: str = "",
) -> InterviewScorecard:
    """Submit the interviewer's scorecard (version 1); records ``interview.scorecard_submitted``.

    The ratings and red flags are checked against the pinned playbook's interview kit by the
    core (``ScorecardInvalid`` in plain words). One submission per assignment: a second is
    refused, use ``do_amend_scorecard``. When this is the last scorecard the candidate's
    interviews were waiting for, the recruiter who assigned them is emailed.
    """
    _require_own_assignment(actor, assignment)
    card = checked_scorecard(assignment, ratings, red_flags, notes)
    already = InterviewRefused(
        "You have already submitted this scorecard. To change it, amend it and give a reason."
    )
    try:
        with transaction.atomic():
            _lock_active(assignment)
            if InterviewScorecard.objects.filter(assignment=assignment).exists():
                raise already
            row = _save_version(actor, assignment, card, version=1, reason="")
            all_in = _all_in(assignment.candidate)
    except IntegrityError:
        raise already from None
    if all_in:
        _notify_all_in(assignment, base_url)
    return row


def do_amend_scorecard(
    *,
    actor: User,
    assignment: Assignment,
    ratings: Mapping[str, int],
    red_flags: Iterable[str],
    notes: str,
    reason: str,
) -> InterviewScorecard:
    """Amend the submitted scorecard: a new version with ``reason`` (required); every earlier
    version stays. Records ``interview.scorecard_amended``; the latest version counts."""
    _require_own_assignment(actor, assignment)
    why = _checked_reason(reason)
    card = checked_scorecard(assignment, ratings, red_flags, notes)
    try:
        with transaction.atomic():
            _lock_active(assignment)
            latest = (
                InterviewScorecard.objects.filter(assignment=assignment)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            if latest is None:
                raise InterviewRefused("There is no scorecard to amend yet: submit it first.")
            return _save_version(actor, assignment, card, version=latest + 1, reason=why)
    except IntegrityError:
        raise InterviewRefused(
            "This scorecard was amended a moment ago; reload the page and try again."
        ) from None


def checked_scorecard(
    assignment: Assignment, ratings: Mapping[str, int], red_flags: Iterable[str], notes: str
) -> CoreScorecard:
    """The core scorecard for these inputs, checked against the pinned playbook's kit.

    Raises ``ScorecardInvalid`` with the core's reason in plain words.
    """
    if len(notes) > MAX_NOTES_CHARS:
        raise ScorecardInvalid(
            f"The notes are {len(notes)} characters long; keep them under {MAX_NOTES_CHARS}."
        )
    playbook = assignment.candidate.opening.playbook_version.load()
    card = CoreScorecard(
        interviewer=interviewer_name(assignment.interviewer),
        ratings=dict(ratings),
        red_flags=tuple(dict.fromkeys(red_flags)),  # a flag ticked twice counts once
        notes=notes.strip(),
    )
    try:
        check_interviews(playbook.interview, [card])
    except InterviewsError as error:
        raise ScorecardInvalid(
            f"This scorecard does not fit the interview kit: {_plain(error)}."
        ) from None
    return card


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
    actor: User, assignment: Assignment, card: CoreScorecard, *, version: int, reason: str
) -> InterviewScorecard:
    candidate = assignment.candidate
    subject = candidate.subject
    row = InterviewScorecard.objects.create(
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
    _inputs_changed(candidate, actor)
    return row


# --- the decisions hook -----------------------------------------------------------------------


def decisions_hook() -> Callable[..., Any] | None:
    """``hireproof.decisions.hooks.inputs_changed`` when the decisions app is installed."""
    if importlib.util.find_spec(DECISIONS_APP) is None or not apps.is_installed(DECISIONS_APP):
        return None
    hooks = importlib.import_module(DECISIONS_HOOKS)
    return cast(Callable[..., Any], hooks.inputs_changed)


def _inputs_changed(candidate: Candidate, actor: User) -> None:
    hook = decisions_hook()
    if hook is not None:
        hook(candidate, actor=actor)


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

    Raises ``emails.TemplateProblem`` for an unknown placeholder.
    """
    _require_manager(actor)
    for text in (assigned_subject, assigned_body):
        check_template(text, ASSIGNED_PLACEHOLDERS)
    for text in (all_in_subject, all_in_body):
        check_template(text, ALL_IN_PLACEHOLDERS)
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


def _require_manager(actor: User) -> None:
    if not (actor.is_active and actor.role in (Role.ADMINISTRATOR, Role.RECRUITER)):
        raise InterviewRefused("Only recruiters and administrators assign or cancel interviews.")


def _require_own_assignment(actor: User, assignment: Assignment) -> None:
    if assignment.interviewer_id != actor.pk or not actor.is_active:
        raise InterviewRefused("Only the assigned interviewer submits or amends this scorecard.")
    if assignment.candidate.is_erased:
        raise InterviewRefused("This candidate's personal data was erased.")


def _lock_active(assignment: Assignment) -> None:
    # The assignment's row lock puts concurrent submissions (and a cancellation) in turn.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.cancelled_at is not None:
        raise InterviewRefused("This interview was cancelled; its scorecard no longer counts.")


def _active(candidate: Candidate) -> Any:
    return Assignment.objects.filter(candidate=candidate, cancelled_at__isnull=True)


def _all_in(candidate: Candidate) -> bool:
    """True when the candidate has active assignments and every one has a scorecard."""
    active = _active(candidate)
    return active.exists() and not active.filter(scorecards__isnull=True).exists()


def _ids(assignment: Assignment) -> dict[str, Any]:
    return {
        "opening_id": assignment.candidate.opening_id,
        "candidate_id": assignment.candidate_id,
        "assignment_id": assignment.pk,
        "interviewer": assignment.interviewer.audit_actor,
    }


def _notify_all_in(assignment: Assignment, base_url: str) -> None:
    candidate = assignment.candidate
    count = _active(candidate).count()
    for recruiter in _all_in_recipients(candidate):
        notice = compose_all_in(
            assignment,
            to=recruiter.email,
            recipient=recruiter.full_name,
            count=count,
            base_url=base_url,
        )
        send_notice(notice)


def _all_in_recipients(candidate: Candidate) -> list[User]:
    """Whoever assigned the active interviews (still active recruiters or administrators);
    the opening's creator when none of them is."""
    assigners = User.objects.filter(
        pk__in=_active(candidate).values("assigned_by"),
        is_active=True,
        role__in=[Role.ADMINISTRATOR, Role.RECRUITER],
    ).order_by("full_name", "pk")
    return list(assigners) or [candidate.opening.created_by]
