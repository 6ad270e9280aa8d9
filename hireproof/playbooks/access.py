"""Who may read and publish playbooks: the playbook library's only permission funnel.

Every staff role reads the library (interviewers and auditors included: the answer keys are
staff knowledge); administrators and recruiters publish. As everywhere on the site, a version
someone may not see and a version that does not exist both raise ``Http404``.
"""

from __future__ import annotations

from django.http import Http404

from hireproof.accounts.access import PLAYBOOK_ROLES, AnyUser, access_role, has_role
from hireproof.accounts.models import Role, User

from .models import PlaybookVersion

PUBLISHER_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER)


def can_publish_playbooks(user: AnyUser) -> bool:
    """Administrators and recruiters upload playbooks and new versions."""
    return has_role(user, *PUBLISHER_ROLES)


def access_playbook_library(user: AnyUser) -> User:
    """``user`` when they may read the library; otherwise ``Http404``."""
    return access_role(user, *PLAYBOOK_ROLES)


def access_playbook_publishing(user: AnyUser) -> User:
    """``user`` when they may publish playbooks; otherwise ``Http404``."""
    return access_role(user, *PUBLISHER_ROLES)


def access_playbook_version(user: AnyUser, playbook_id: str, version: str) -> PlaybookVersion:
    """The published ``version`` of ``playbook_id`` for ``user`` to read; otherwise ``Http404``."""
    access_playbook_library(user)
    found = (
        PlaybookVersion.objects.select_related("published_by")
        .filter(playbook_id=playbook_id, version=version)
        .first()
    )
    if found is None:
        raise Http404("No such playbook version.")
    return found
