"""Who may see and review a candidate: this app's only permission funnel.

Administrators and recruiters read and review candidates; auditors read them without changing
anything; interviewers see nothing here yet (issue 5 gives them the candidates they interview).
Every ``access_*`` function returns what was asked for or raises ``Http404``: a candidate of
another opening, one that does not exist and one the user may not see all look the same.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from hireproof.accounts.access import AnyUser, access_role, has_role
from hireproof.accounts.models import Role
from hireproof.assessments.models import Attempt
from hireproof.openings.models import Candidate
from hireproof.openings.pipeline import status_expression

READER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER, Role.AUDITOR)
REVIEWER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER)


def can_review(user: AnyUser) -> bool:
    """Administrators and recruiters acknowledge flags (auditors only read)."""
    return has_role(user, *REVIEWER_ROLES)


def access_candidate_page(
    user: AnyUser, opening_id: int, candidate_id: int, *, review: bool = False
) -> Candidate:
    """Candidate ``candidate_id`` of opening ``opening_id`` with their invitation and attempt.

    One query loads the candidate, their subject, the opening, its playbook version, the
    invitation and the attempt, with the pipeline's ``status`` annotated. ``review`` asks for
    the right to act on the candidate.
    """
    access_role(user, *(REVIEWER_ROLES if review else READER_ROLES))
    candidate = (
        Candidate.objects.select_related(
            "subject",
            "opening",
            "opening__playbook_version",
            "invitation",
            "invitation__attempt",
        )
        .annotate(status=status_expression(timezone.now()))
        .filter(pk=candidate_id, opening_id=opening_id)
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def attempt_of(candidate: Candidate) -> Attempt | None:
    """The candidate's attempt (already loaded by ``access_candidate_page``), if any."""
    invitation = getattr(candidate, "invitation", None)
    attempt: Attempt | None = getattr(invitation, "attempt", None) if invitation else None
    if attempt is not None:
        # Wire the loaded rows together so nothing reads them again.
        attempt.invitation = invitation
        attempt.invitation.candidate = candidate
    return attempt


def access_scored_attempt(
    user: AnyUser, opening_id: int, candidate_id: int, *, review: bool = False
) -> Attempt:
    """The candidate's scored attempt, for ``user``; ``Http404`` when there is none."""
    candidate = access_candidate_page(user, opening_id, candidate_id, review=review)
    attempt = attempt_of(candidate)
    if attempt is None or not attempt.scorecard_hash:
        raise Http404("No such attempt.")
    return attempt
