"""Who may do what: the one table from each permission to the roles that hold it.

Every permission check of the product reads this table, through the access funnel
(``hireproof.hiring.access``) for pages and API calls, and through ``has_permission`` for the few
rules that depend on who acts (only an administrator hires despite a critical fail). A list of
staff by what they may do (who can be assigned interviews, who manages the site) filters with
``holders_of``. Nowhere else compares a role: a new rule is a new row here
(``hireproof/tests/test_structure.py`` refuses a role compared or filtered on anywhere else).

An API key acts as its owner, narrowed by its scopes: ``SCOPE_PERMISSIONS`` says what each scope
may use, and a key's effective permissions are those of its scopes that its owner's role also
holds. Each API endpoint names the one scope it belongs to; the owner, acting through the key,
then carries only that scope's permissions (``User.api_grants``), which ``has_permission`` reads.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """A staff member's job on the site; what it allows is ``ROLE_PERMISSIONS``."""

    ADMINISTRATOR = "administrator", "Administrator"
    RECRUITER = "recruiter", "Recruiter"
    INTERVIEWER = "interviewer", "Interviewer"
    AUDITOR = "auditor", "Auditor"


class Permission(StrEnum):
    """One thing a staff member may do or see."""

    STAFF_HOME = "staff_home"
    """Sign in and open the staff home page."""
    MANAGE_STAFF = "manage_staff"
    """Invite staff members, change their roles, deactivate and reactivate them."""
    READ_PLAYBOOKS = "read_playbooks"
    """Read the playbook library, answer keys included (staff knowledge)."""
    PUBLISH_PLAYBOOKS = "publish_playbooks"
    """Upload playbooks and new versions."""
    READ_CANDIDATES = "read_candidates"
    """Read openings, pipelines, candidate pages, recommendations, decisions and hiring files."""
    MANAGE_OPENINGS = "manage_openings"
    """Create and change openings and their emails; add, import and invite candidates."""
    ERASE_CANDIDATES = "erase_candidates"
    """Erase a candidate's personal data for good."""
    REVIEW_FLAGS = "review_flags"
    """Acknowledge a written test's warning flags with a note."""
    READ_INTERVIEWS = "read_interviews"
    """Read every interview assignment, kit and scorecard."""
    MANAGE_INTERVIEWS = "manage_interviews"
    """Assign and cancel interviews; edit an opening's interview notices."""
    INTERVIEW = "interview"
    """Be assigned interviews; submit and amend one's own scorecards."""
    OPEN_INTERVIEW_KITS = "open_interview_kits"
    """Open interview kits: one's own assignments', or every one for those who read interviews."""
    DECIDE = "decide"
    """Record the final decision about a candidate."""
    OVERRIDE_CRITICAL = "override_critical"
    """Hire a candidate whose written test is a critical fail (with a justification)."""
    READ_AUDIT_LOG = "read_audit_log"
    """Read the audit log's page and download exports."""
    SIGN_CHECKPOINTS = "sign_checkpoints"
    """Sign a checkpoint of the audit log on demand."""
    MANAGE_API_KEYS = "manage_api_keys"
    """Create and revoke API keys (each acts as its owner, within its scopes)."""
    MANAGE_BACKGROUND_WORK = "manage_background_work"
    """See the background work (workers, waiting tasks, failures) and try a failed task again."""
    MANAGE_WEBHOOKS = "manage_webhooks"
    """Subscribe URLs to the pipeline's events, rotate their secrets, see and replay deliveries."""
    MANAGE_INTEGRATIONS = "manage_integrations"
    """Connect applicant tracking systems (their keys and secrets), send them a test event and
    read every exchange with them."""


_A, _R, _I, _U = Role.ADMINISTRATOR, Role.RECRUITER, Role.INTERVIEWER, Role.AUDITOR

PERMISSION_ROLES: dict[Permission, frozenset[Role]] = {
    Permission.STAFF_HOME: frozenset({_A, _R, _I, _U}),
    Permission.MANAGE_STAFF: frozenset({_A}),
    Permission.READ_PLAYBOOKS: frozenset({_A, _R, _I, _U}),
    Permission.PUBLISH_PLAYBOOKS: frozenset({_A, _R}),
    Permission.READ_CANDIDATES: frozenset({_A, _R, _U}),
    Permission.MANAGE_OPENINGS: frozenset({_A, _R}),
    Permission.ERASE_CANDIDATES: frozenset({_A}),
    Permission.REVIEW_FLAGS: frozenset({_A, _R}),
    Permission.READ_INTERVIEWS: frozenset({_A, _R, _U}),
    Permission.MANAGE_INTERVIEWS: frozenset({_A, _R}),
    Permission.INTERVIEW: frozenset({_I}),
    Permission.OPEN_INTERVIEW_KITS: frozenset({_A, _R, _I, _U}),
    Permission.DECIDE: frozenset({_A, _R}),
    Permission.OVERRIDE_CRITICAL: frozenset({_A}),
    Permission.READ_AUDIT_LOG: frozenset({_A, _U}),
    Permission.SIGN_CHECKPOINTS: frozenset({_A}),
    Permission.MANAGE_API_KEYS: frozenset({_A}),
    Permission.MANAGE_BACKGROUND_WORK: frozenset({_A}),
    Permission.MANAGE_WEBHOOKS: frozenset({_A}),
    Permission.MANAGE_INTEGRATIONS: frozenset({_A}),
}
"""The table: every permission and the roles that hold it (a test pins every pair)."""


class Scope(StrEnum):
    """What an API key may be used for; ``SCOPE_PERMISSIONS`` says which permissions each opens."""

    READ = "read"
    """Read playbooks, openings, candidates, attempts, scorecards, interviews, decisions, files."""
    WRITE = "write"
    """Publish playbooks, create and close openings, assign interviews."""
    CANDIDATES = "candidates"
    """Add candidates (one or many) and send, resend or revoke their invitations."""
    DECISIONS = "decisions"
    """Record decisions (as the key's owner, under the web app's rules)."""
    AUDIT = "audit"
    """Read the audit log's checkpoint and proofs, and export it."""
    GREENHOUSE = "greenhouse"
    """The Greenhouse integration's own endpoints."""
    ASHBY = "ashby"
    """The Ashby integration's own endpoints."""
    WORKABLE = "workable"
    """The Workable integration's own endpoints."""
    LEVER = "lever"
    """The Lever integration's own endpoints."""
    WEBHOOKS = "webhooks"
    """Manage webhook endpoints (subscribe, change, pause, resume, rotate, delete) and replay
    their deliveries."""


_ATS = frozenset({Permission.READ_CANDIDATES, Permission.MANAGE_OPENINGS})

SCOPE_PERMISSIONS: dict[Scope, frozenset[Permission]] = {
    Scope.READ: frozenset(
        {Permission.READ_PLAYBOOKS, Permission.READ_CANDIDATES, Permission.READ_INTERVIEWS}
    ),
    Scope.WRITE: frozenset(
        {Permission.PUBLISH_PLAYBOOKS, Permission.MANAGE_OPENINGS, Permission.MANAGE_INTERVIEWS}
    ),
    Scope.CANDIDATES: frozenset({Permission.MANAGE_OPENINGS}),
    Scope.DECISIONS: frozenset({Permission.DECIDE, Permission.OVERRIDE_CRITICAL}),
    Scope.AUDIT: frozenset({Permission.READ_AUDIT_LOG}),
    Scope.GREENHOUSE: _ATS,
    Scope.ASHBY: _ATS,
    Scope.WORKABLE: _ATS,
    Scope.LEVER: _ATS,
    Scope.WEBHOOKS: frozenset({Permission.MANAGE_WEBHOOKS}),
}
"""The permissions each scope may use (a test pins every pair); the owner's role must hold them
too."""


def role_permissions(role: str) -> frozenset[Permission]:
    """Every permission ``role`` holds."""
    return frozenset(p for p, roles in PERMISSION_ROLES.items() if role in roles)


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that hold ``permission``."""
    return PERMISSION_ROLES[permission]


def role_change_drops(previous: object, new: Role, permission: Permission) -> bool:
    """True when moving a member from role ``previous`` to ``new`` takes ``permission`` away."""
    holders = roles_with(permission)
    return previous in holders and new not in holders


def has_permission(user: object, permission: Permission) -> bool:
    """True when ``user`` is an active staff member whose role holds ``permission``.

    ``user`` is whatever ``request.user`` holds: an anonymous visitor never passes. A user
    acting through an API key (``api_grants`` set) passes only for what the endpoint's scope
    grants as well.
    """
    if not (
        bool(getattr(user, "is_active", False))
        and getattr(user, "role", None) in roles_with(permission)
    ):
        return False
    grants: frozenset[Permission] | None = getattr(user, "api_grants", None)
    return grants is None or permission in grants


def holders_of(permission: Permission) -> Q:
    """The filter of staff users that keeps the active ones whose role holds ``permission``."""
    return Q(is_active=True, role__in=roles_with(permission))
