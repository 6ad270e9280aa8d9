"""``hireproof demo``: sample staff, an opening and candidates at every stage of the pipeline.

Everything is made with the real actions (openings, attempts, reviews, interviews, decisions,
erasure), so the audit log, the scorecards, the recommendations and the receipts are real, and
every stage of the pipeline (``hireproof.hiring.models.stage``) has someone in it but
"submitted", which lasts no longer than the transaction that scores it. Running it again adds
nothing: the demo opening's title is how it recognises its own work.

Time: the actions that add and invite candidates take no time argument, so those happen now,
and so does almost everything else, seconds apart. Two stages need time to have passed:

- the auto-submitted attempt is started 40 minutes back (``do_start_attempt`` takes ``now``),
  so its 30-minute deadline really has passed when it is submitted;
- the expired invitation is sent while the opening's links are valid for 0 days (an
  ``opening.updated`` event then sets the usual 7), because an invitation's expiry is always
  counted from the moment it is sent.

No email leaves: every demo address is under ``demo.hireproof.test`` (a reserved top-level
domain), mail goes to Django's dummy backend while the demo runs, and whatever waits in the
outbox for a worker is cancelled before the demo commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hireproof.accounts.actions import do_set_staff_password
from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.core.errors import HireproofError
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions.attempts import (
    do_record_integrity_signal,
    do_save_answer,
    do_start_attempt,
    do_submit_attempt,
)
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import do_assign_interviewer, do_submit_scorecard
from hireproof.hiring.actions.invitations import do_invite_candidate, do_revoke_invitation
from hireproof.hiring.actions.openings import do_create_opening, do_update_opening
from hireproof.hiring.actions.reviews import do_acknowledge_flag
from hireproof.hiring.demo.cast import (
    ACKNOWLEDGEMENT_NOTE,
    ADMINISTRATOR,
    AUTO_SUBMITTED_STARTED_AGO,
    DEMO_CANDIDATES,
    DEMO_OPENING_TITLE,
    DEMO_PLAYBOOK_ID,
    DEMO_STAFF,
    DUMMY_EMAIL_BACKEND,
    HIRE_REASON,
    INTERVIEW_NOTES,
    INTERVIEW_RATINGS,
    INTERVIEWED_RECIPES,
    INTERVIEWER,
    INVITATION_DAYS,
    LINK_BASE_URL,
    NO_HIRE_REASON,
    RECRUITER,
    STEP,
    SUBMITTED_RECIPES,
    WITHDRAWN_REASON,
    DemoCandidate,
    DemoStaff,
    Recipe,
    Signal,
)
from hireproof.hiring.models.attempts import Attempt, SubmissionKind
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Outcome
from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT, Opening
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.platform.mail import cancel_waiting
from hireproof.platform.models import OutboxEmail


@dataclass(frozen=True)
class StaffLogin:
    """A demo staff member, with their password when this run created them (else None)."""

    staff: DemoStaff
    password: str | None


@dataclass(frozen=True)
class DemoReport:
    """What ``load_demo`` did: whether it created the opening, the staff, the candidates."""

    created: bool
    opening: Opening
    staff: tuple[StaffLogin, ...]
    candidates: tuple[tuple[str, Recipe], ...]


class DemoRefused(HireproofError):
    """The demo cannot be loaded (e.g. the built-in playbook is missing); ``str()`` says why."""


def load_demo() -> DemoReport:
    """Create the demo staff, opening and candidates if absent, all in one transaction."""
    # The dummy backend stays in place until the transaction has committed: decision notices
    # leave from on-commit callbacks.
    with emails_kept_in(DUMMY_EMAIL_BACKEND), transaction.atomic():
        staff = tuple(_ensure_staff(member) for member in DEMO_STAFF)
        recruiter = User.objects.get(email=RECRUITER.email)
        existing = Opening.objects.filter(title=DEMO_OPENING_TITLE).order_by("pk").first()
        if existing is not None:
            return DemoReport(False, existing, staff, ())
        opening = _create_opening(recruiter)
        made = []
        for demo in _in_build_order():
            made.append((demo.name, _make_candidate(opening, recruiter, demo)))
            if demo.recipe == Recipe.EXPIRED:
                _restore_link_validity(opening, recruiter)
        # The emails the recipes queued never leave: a worker would send them later, through
        # the site's real mail server.
        pseudonyms = Candidate.objects.filter(opening=opening).values_list(
            "subject__pseudonym", flat=True
        )
        cancel_waiting(
            OutboxEmail.objects.filter(sealed_for__in=list(pseudonyms)), "the demo sends no email"
        )
    return DemoReport(True, opening, staff, tuple(made))


@contextmanager
def emails_kept_in(backend: str) -> Iterator[None]:
    """Send mail with ``backend`` while the block runs (the demo sends no real email)."""
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = backend
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = previous


def _ensure_staff(member: DemoStaff) -> StaffLogin:
    if User.objects.filter(email=member.email).exists():
        return StaffLogin(member, None)
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(
        member.email, None, full_name=member.full_name, role=member.role
    )
    record_event(
        EventType.STAFF_INVITED, actor="system", public={"user_id": user.pk, "role": user.role}
    )
    do_set_staff_password(user=user, password=password)
    return StaffLogin(member, password)


def _create_opening(recruiter: User) -> Opening:
    version = (
        PlaybookVersion.objects.filter(playbook_id=DEMO_PLAYBOOK_ID, is_builtin=True)
        .order_by("-published_at", "-pk")
        .first()
    )
    if version is None:
        raise DemoRefused(
            f"the built-in playbook {DEMO_PLAYBOOK_ID} is not published; run the start-up "
            "preparation first (hireproof serve does it)"
        )
    # Links valid for 0 days until the expired candidate is invited: see the module docstring.
    return do_create_opening(
        actor=recruiter,
        title=DEMO_OPENING_TITLE,
        playbook_version=version,
        invitation_days=0,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )


def _in_build_order() -> list[DemoCandidate]:
    """The expired candidate first (invited while links last 0 days), then the others."""
    return sorted(DEMO_CANDIDATES, key=lambda c: c.recipe != Recipe.EXPIRED)


def _restore_link_validity(opening: Opening, recruiter: User) -> None:
    do_update_opening(
        actor=recruiter,
        opening=opening,
        title=opening.title,
        invitation_days=INVITATION_DAYS,
        email_subject=opening.email_subject,
        email_body=opening.email_body,
    )


def _make_candidate(opening: Opening, recruiter: User, demo: DemoCandidate) -> Recipe:
    candidate = do_add_candidate(
        actor=recruiter,
        opening=opening,
        candidate=NewCandidate(demo.name, demo.email, demo.extra_time),
    )
    if demo.recipe == Recipe.ADDED:
        return demo.recipe
    if demo.recipe == Recipe.ERASED:
        administrator = User.objects.get(email=ADMINISTRATOR.email)
        do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.MISTAKE)
        return demo.recipe
    do_invite_candidate(
        actor=recruiter,
        candidate=candidate,
        accommodation=demo.extra_time,
        base_url=LINK_BASE_URL,
    )
    if demo.recipe == Recipe.EXPIRED:
        return demo.recipe
    if demo.recipe == Recipe.INVITED:
        return demo.recipe
    if demo.recipe == Recipe.REVOKED:
        do_revoke_invitation(actor=recruiter, candidate=candidate)
        return demo.recipe
    if demo.recipe == Recipe.AUTO_SUBMITTED:
        _sit_past_the_deadline(candidate, demo)
        return demo.recipe
    attempt = _sit(candidate, demo)
    if demo.recipe == Recipe.WITHDRAWN:
        _decide(recruiter, candidate, Outcome.WITHDRAWN, WITHDRAWN_REASON)
        return demo.recipe
    if demo.recipe in SUBMITTED_RECIPES:
        attempt = do_submit_attempt(attempt)
    if demo.recipe in INTERVIEWED_RECIPES:
        _interview(recruiter, candidate, submitted=demo.recipe != Recipe.IN_INTERVIEW)
    if demo.recipe == Recipe.HIRED:
        _decide(recruiter, candidate, Outcome.HIRE, HIRE_REASON)
    if demo.recipe == Recipe.NOT_HIRED:
        _decide(recruiter, candidate, Outcome.NO_HIRE, NO_HIRE_REASON)
    if demo.recipe == Recipe.WARNING_ACKNOWLEDGED:
        do_acknowledge_flag(
            actor=recruiter,
            attempt=attempt,
            item_id="sjt-incomplete-data",
            note=ACKNOWLEDGEMENT_NOTE,
        )
    return demo.recipe


def _interview(recruiter: User, candidate: Candidate, *, submitted: bool) -> None:
    """The demo interviewer is assigned; with ``submitted`` their scorecard is in."""
    interviewer = User.objects.get(email=INTERVIEWER.email)
    assignment = do_assign_interviewer(
        actor=recruiter, candidate=candidate, interviewer=interviewer, base_url=LINK_BASE_URL
    )
    if submitted:
        card = InterviewScorecard(interviewer.full_name, INTERVIEW_RATINGS, notes=INTERVIEW_NOTES)
        do_submit_scorecard(
            actor=interviewer, assignment=assignment, card=card, base_url=LINK_BASE_URL
        )


def _decide(recruiter: User, candidate: Candidate, outcome: Outcome, reason: str) -> None:
    do_record_decision(actor=recruiter, candidate=candidate, outcome=outcome, reason=reason)


def _sit(candidate: Candidate, demo: DemoCandidate, start: datetime | None = None) -> Attempt:
    """Start the attempt and save the answers and signals, in that order.

    With ``start`` (a past time) the steps are two minutes apart from it; without, each
    action takes its own "now".
    """
    attempt = do_start_attempt(
        candidate.invitation, disclose_extension=demo.disclose_extension, now=start
    )
    moments = _moments(start)
    for signal in demo.signals[:1]:
        _signal(attempt, signal, next(moments))
    for item_id, text in demo.answers.items():
        do_save_answer(attempt, item_id, text, now=next(moments))
    for signal in demo.signals[1:]:
        _signal(attempt, signal, next(moments))
    return attempt


def _moments(start: datetime | None) -> Iterator[datetime | None]:
    moment = start
    while True:
        if moment is not None:
            moment += STEP
        yield moment


def _sit_past_the_deadline(candidate: Candidate, demo: DemoCandidate) -> Attempt:
    """An attempt started 40 minutes ago, answers saved in its first minutes, never submitted
    by the candidate: submitted now, automatically, as the sweeper does."""
    attempt = _sit(candidate, demo, timezone.now() - AUTO_SUBMITTED_STARTED_AGO)
    return do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC)


def _signal(attempt: Attempt, signal: Signal, at: datetime | None) -> None:
    do_record_integrity_signal(
        attempt, signal.kind, item_id=signal.item_id, chars=signal.chars, now=at
    )


def report_lines(report: DemoReport) -> list[str]:
    """What to print after ``load_demo``: where to look and how to sign in."""
    if not report.created:
        lines = [
            f"The demo is already loaded (opening {report.opening.title!r}, id "
            f"{report.opening.pk}); nothing was added."
        ]
    else:
        lines = [
            f"Created the opening {report.opening.title!r} (id {report.opening.pk}) with "
            f"{len(report.candidates)} candidates:"
        ]
        lines += [f"  {name}: {recipe.replace('_', ' ')}" for name, recipe in report.candidates]
    created = [login for login in report.staff if login.password]
    if created:
        lines.append("Demo staff (these passwords are shown only this once):")
        lines += [
            f"  {login.staff.role.label:<12} {login.staff.email}  password: {login.password}"
            for login in created
        ]
    else:
        lines.append(
            "Demo staff: "
            + ", ".join(login.staff.email for login in report.staff)
            + " (their passwords were printed when they were created)."
        )
    return lines
