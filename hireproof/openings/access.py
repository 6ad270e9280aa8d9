"""Who may see and change openings, candidates and invitations: this app's only permission funnel.

Administrators and recruiters run openings; auditors read them; interviewers do not see them
(their work reaches them through the candidate pages). Every ``access_*`` function returns
what was asked for or raises ``Http404``: a candidate of another opening, an opening that does
not exist and one the user may not see all look the same.
"""

from __future__ import annotations

from django.http import Http404

from hireproof.accounts.access import PIPELINE_ROLES, AnyUser, access_role, has_role
from hireproof.accounts.models import Role, User

from .models import Candidate, Opening

READER_ROLES = PIPELINE_ROLES
MANAGER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER)
ERASER_ROLES = (Role.ADMINISTRATOR,)


def can_manage_openings(user: AnyUser) -> bool:
    """Administrators and recruiters create openings, add and invite candidates."""
    return has_role(user, *MANAGER_ROLES)


def can_erase_candidates(user: AnyUser) -> bool:
    """Only administrators erase a candidate's personal data."""
    return has_role(user, *ERASER_ROLES)


def access_openings(user: AnyUser, *, manage: bool = False) -> User:
    """``user`` when they may read openings (or, with ``manage``, change them); else 404."""
    return access_role(user, *(MANAGER_ROLES if manage else READER_ROLES))


def access_opening(user: AnyUser, opening_id: int, *, manage: bool = False) -> Opening:
    """The opening ``opening_id`` with its pinned playbook version, for ``user``; else 404."""
    access_openings(user, manage=manage)
    opening = Opening.objects.select_related("playbook_version").filter(pk=opening_id).first()
    if opening is None:
        raise Http404("No such opening.")
    return opening


def access_candidate(
    user: AnyUser,
    opening_id: int,
    candidate_id: int,
    *,
    manage: bool = False,
    erase: bool = False,
) -> Candidate:
    """Candidate ``candidate_id`` of opening ``opening_id`` (and only of it), for ``user``.

    ``manage`` asks for the right to invite, resend and revoke; ``erase`` for the right to
    erase their personal data. Anything else, including the candidate of another opening,
    raises ``Http404``.
    """
    if erase:
        access_role(user, *ERASER_ROLES)
    else:
        access_openings(user, manage=manage)
    candidate = (
        Candidate.objects.select_related(
            "subject", "opening", "opening__playbook_version", "invitation"
        )
        .filter(pk=candidate_id, opening_id=opening_id)
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate
