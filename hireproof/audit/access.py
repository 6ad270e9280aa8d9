"""Who may read the audit log in the web app, and who may act on it: the app's permission funnel.

Administrators and auditors read it and download exports; only administrators sign a checkpoint
on demand. Everyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

from hireproof.accounts.access import AUDIT_ROLES, AnyUser, access_role
from hireproof.accounts.models import Role, User


def access_audit_log(user: AnyUser) -> User:
    """``user`` when they may read the log and download exports; else 404."""
    return access_role(user, *AUDIT_ROLES)


def access_audit_signing(user: AnyUser) -> User:
    """``user`` when they may sign a checkpoint on demand (administrators); else 404."""
    return access_role(user, Role.ADMINISTRATOR)
