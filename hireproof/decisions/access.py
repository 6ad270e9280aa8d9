"""Who may see decisions and hiring files and who may decide: this app's only permission funnel.

Administrators, recruiters and auditors read the recommendation, the decisions and the hiring
file; administrators and recruiters record decisions; only administrators hire despite a
``critical_fail`` (checked again in ``actions``). Interviewers see none of it. Every
``access_*`` returns what was asked for or raises ``Http404``: a candidate of another opening,
one that does not exist and one the user may not see all look the same.
"""

from __future__ import annotations

from hireproof.accounts.access import AnyUser, has_role
from hireproof.accounts.models import Role
from hireproof.openings.access import access_opening
from hireproof.openings.models import Candidate, Opening
from hireproof.reviews.access import access_candidate_page

READER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER, Role.AUDITOR)
DECIDER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER)
OVERRIDE_ROLES = (Role.ADMINISTRATOR,)


def can_decide(user: AnyUser) -> bool:
    """Administrators and recruiters record decisions (auditors only read)."""
    return has_role(user, *DECIDER_ROLES)


def can_override_critical(user: AnyUser) -> bool:
    """Only administrators hire a candidate whose written test is a critical_fail."""
    return has_role(user, *OVERRIDE_ROLES)


def access_decision_candidate(
    user: AnyUser, opening_id: int, candidate_id: int, *, decide: bool = False
) -> Candidate:
    """Candidate ``candidate_id`` of opening ``opening_id``, with invitation and attempt loaded.

    ``decide`` asks for the right to record a decision. Anything else raises ``Http404``.
    """
    return access_candidate_page(user, opening_id, candidate_id, review=decide)


def access_hiring_file(user: AnyUser, opening_id: int, candidate_id: int) -> Candidate:
    """The candidate whose hiring file ``user`` may read (administrators, recruiters, auditors)."""
    return access_candidate_page(user, opening_id, candidate_id)


def access_notice_settings(user: AnyUser, opening_id: int) -> Opening:
    """The opening whose decision notice ``user`` may edit (administrators and recruiters)."""
    return access_opening(user, opening_id, manage=True)
