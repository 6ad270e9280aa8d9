"""Who may see and change interviews: this app's only permission funnel.

- Interviewers see only their own active assignments (the kit, their scorecard). Until they
  have submitted their own scorecard for a candidate they see no other interviewer's ratings;
  afterwards they see the others' (``sees_other_scorecards``).
- Recruiters and administrators assign and cancel, and see every scorecard.
- Auditors read every assignment and scorecard and change nothing.

Every ``access_*`` function returns what was asked for or raises ``Http404``: another
interviewer's assignment, a cancelled one, and one that does not exist all look the same.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from hireproof.accounts.access import AnyUser, access_role, has_role
from hireproof.accounts.models import Role, User
from hireproof.openings.models import Candidate, Opening

from .models import Assignment, InterviewScorecard

INTERVIEWER_ROLES = (Role.INTERVIEWER,)
MANAGER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER)
READER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER, Role.AUDITOR)
KIT_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER, Role.AUDITOR, Role.INTERVIEWER)


def can_interview(user: AnyUser) -> bool:
    """Interviewers have a "My interviews" page."""
    return has_role(user, *INTERVIEWER_ROLES)


def can_manage_interviews(user: AnyUser) -> bool:
    """Administrators and recruiters assign and cancel interviews."""
    return has_role(user, *MANAGER_ROLES)


def can_read_all_scorecards(user: AnyUser) -> bool:
    """Administrators, recruiters and auditors read every scorecard."""
    return has_role(user, *READER_ROLES)


def access_my_assignments(user: AnyUser) -> QuerySet[Assignment]:
    """The interviewer's own active assignments, ready for the list; else ``Http404``."""
    interviewer = access_role(user, *INTERVIEWER_ROLES)
    return assignment_rows().filter(interviewer=interviewer, cancelled_at__isnull=True)


def access_assignment(user: AnyUser, assignment_id: int, *, score: bool = False) -> Assignment:
    """Assignment ``assignment_id`` with its candidate, opening and playbook, for ``user``.

    An interviewer reaches only their own active assignments; readers reach every one.
    ``score`` asks for the right to submit or amend its scorecard: only its interviewer has it.
    """
    access_role(user, *KIT_ROLES)
    assignment = assignment_rows().filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such interview.")
    if has_role(user, *INTERVIEWER_ROLES):
        if assignment.interviewer_id != user.pk or assignment.is_cancelled:
            raise Http404("No such interview.")
    elif score:
        raise Http404("No such interview.")
    return assignment


def access_candidate_interviews(
    user: AnyUser, opening_id: int, candidate_id: int, *, manage: bool = False
) -> Candidate:
    """Candidate ``candidate_id`` of opening ``opening_id``, with their attempt, for the
    assignment page: readers see it; ``manage`` (assign, cancel) is for recruiters and admins.
    """
    access_role(user, *(MANAGER_ROLES if manage else READER_ROLES))
    candidate = (
        Candidate.objects.select_related(
            "subject", "opening", "opening__playbook_version", "invitation", "invitation__attempt"
        )
        .filter(pk=candidate_id, opening_id=opening_id)
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def access_opening_emails(user: AnyUser, opening_id: int) -> Opening:
    """Opening ``opening_id`` when ``user`` may edit its interview emails; else ``Http404``."""
    access_role(user, *MANAGER_ROLES)
    opening = Opening.objects.filter(pk=opening_id).first()
    if opening is None:
        raise Http404("No such opening.")
    return opening


def sees_other_scorecards(user: AnyUser, candidate: Candidate) -> bool:
    """True when ``user`` may see every interviewer's ratings of ``candidate``.

    Readers always may. An interviewer may once they have submitted their own scorecard for
    this candidate (on an active assignment), so their ratings were given independently.
    """
    if can_read_all_scorecards(user):
        return True
    if not can_interview(user):
        return False
    return InterviewScorecard.objects.filter(
        assignment__candidate=candidate,
        assignment__interviewer_id=user.pk,
        assignment__cancelled_at__isnull=True,
    ).exists()


def assignment_rows() -> QuerySet[Assignment]:
    """Assignments with everything a page shows about them loaded in the same query."""
    return Assignment.objects.select_related(
        "interviewer",
        "candidate",
        "candidate__subject",
        "candidate__opening",
        "candidate__opening__playbook_version",
        "candidate__invitation",
        "candidate__invitation__attempt",
    ).annotate(
        latest_version=Subquery(
            InterviewScorecard.objects.filter(assignment=OuterRef("pk"))
            .order_by("-version")
            .values("version")[:1]
        )
    )


def acting_user(user: AnyUser) -> User:
    """``user`` as a ``User`` (only called after an ``access_*`` check let them in)."""
    assert isinstance(user, User)
    return user
