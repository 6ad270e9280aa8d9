"""Every change to staff accounts: each ``do_*`` runs in one transaction with its audit event.

Invite, resend an invitation, change a role, deactivate, reactivate, set one's password, sign
in; the site always keeps one active administrator (a change that would leave none is refused).

Audit events name staff by id and role only (``public``); names and email addresses stay in
the accounts table, never in the log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hireproof.accounts.api_keys import hash_key, new_key
from hireproof.accounts.emails import queue_invitation
from hireproof.accounts.models import (
    ApiKey,
    FailedSignIn,
    PasswordResetRequest,
    User,
    normalize_email_address,
)
from hireproof.accounts.roles import (
    SCOPE_PERMISSIONS,
    Permission,
    Role,
    Scope,
    has_permission,
    holders_of,
    role_change_drops,
    role_permissions,
)
from hireproof.accounts.sessions import end_all_sessions, remember_session
from hireproof.accounts.throttle import oldest_failure_kept, password_reset_allowed, reset_rule
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType


class StaffChangeRefused(Exception):
    """A staff change that would leave the site unmanageable; ``str()`` says why."""


def _staff_public(user: User) -> dict[str, object]:
    return {"user_id": user.pk, "role": str(user.role)}


def do_invite_staff(*, actor: User, email: str, full_name: str, role: Role, base_url: str) -> User:
    """Create a staff member with an unusable password and email them a set-password link.

    The email is queued with the invitation, so a failed save sends nothing. If the mail
    server refuses it, the invitation stands, the staff list says so, and it can be resent.
    """
    with transaction.atomic():
        user = User.objects.create_user(email, None, full_name=full_name.strip(), role=role)
        record_event(EventType.STAFF_INVITED, actor=actor.audit_actor, public=_staff_public(user))
        queue_invitation(user, base_url=base_url, invited_by=actor)
    return user


def do_resend_staff_invitation(*, actor: User, member: User, base_url: str) -> None:
    """Send ``member`` a fresh set-password link, while they have not set a password yet."""
    if member.has_set_password:
        raise StaffChangeRefused(f"{member.full_name} has already set a password.")
    if not member.is_active:
        raise StaffChangeRefused(f"{member.full_name} is deactivated; reactivate them first.")
    with transaction.atomic():
        record_event(
            EventType.STAFF_INVITATION_RESENT,
            actor=actor.audit_actor,
            public=_staff_public(member),
        )
        queue_invitation(member, base_url=base_url, invited_by=actor)


def do_deactivate_staff(*, actor: User, member: User) -> None:
    """Stop ``member`` from signing in and end every session they hold."""
    if member.pk == actor.pk:
        raise StaffChangeRefused("You cannot deactivate your own account.")
    if not member.is_active:
        return
    with transaction.atomic():
        _refuse_leaving_no_administrator(member)
        member.is_active = False
        member.save(update_fields=["is_active"])
        end_all_sessions(member)
        record_event(
            EventType.STAFF_DEACTIVATED, actor=actor.audit_actor, public=_staff_public(member)
        )


def do_reactivate_staff(*, actor: User, member: User) -> None:
    """Let a deactivated ``member`` sign in again (with their existing password)."""
    if member.is_active:
        return
    with transaction.atomic():
        member.is_active = True
        member.save(update_fields=["is_active"])
        record_event(
            EventType.STAFF_REACTIVATED, actor=actor.audit_actor, public=_staff_public(member)
        )


def do_change_staff_role(*, actor: User, member: User, role: Role) -> None:
    """Give ``member`` the role ``role``; what they may do changes with their next request.

    Records ``staff.role_changed`` with the new role and the one before. Refused when it would
    leave the site without an active administrator (an administrator may step down while
    another remains). Giving the role they already have changes and records nothing.
    """
    previous = Role(member.role)
    if previous is role:
        return
    with transaction.atomic():
        if role_change_drops(previous, role, Permission.MANAGE_STAFF):
            _refuse_leaving_no_administrator(member)
        member.role = role
        member.save(update_fields=["role"])
        record_event(
            EventType.STAFF_ROLE_CHANGED,
            actor=actor.audit_actor,
            public={**_staff_public(member), "previous_role": str(previous)},
        )


def do_set_staff_password(*, user: User, password: str) -> None:
    """Set ``user``'s own password (from an invitation or a reset link).

    Changing the password also ends the user's other sessions: Django ties each session to
    a hash of the password.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(
            EventType.STAFF_PASSWORD_SET, actor=user.audit_actor, public=_staff_public(user)
        )


def do_sign_in(request: HttpRequest, user: User, *, client_ip: str) -> None:
    """Start ``user``'s session, forget their failed attempts from this address, log it."""
    with transaction.atomic():
        login(request, user)
        remember_session(request, user)
        FailedSignIn.objects.filter(
            email=normalize_email_address(user.email), client_ip=client_ip
        ).delete()
        record_event(EventType.STAFF_SIGNED_IN, actor=user.audit_actor, public=_staff_public(user))


def do_record_failed_sign_in(*, email: str, client_ip: str, now: datetime | None = None) -> None:
    """Count one failed sign-in for ``email`` from ``client_ip``; prune expired counts.

    Not an audit event: anyone can cause one, and the address typed may be personal data of
    someone who is not staff.
    """
    at = now or timezone.now()
    with transaction.atomic():
        FailedSignIn.objects.filter(at__lt=oldest_failure_kept(at)).delete()
        FailedSignIn.objects.create(
            email=normalize_email_address(email), client_ip=client_ip, at=at
        )


def do_count_password_reset_request(
    *, email: str, client_ip: str, now: datetime | None = None
) -> bool:
    """Count a password-reset request for ``email`` from ``client_ip``, when the throttle lets
    it through; True when it does (the caller then sends the email), False when it holds it
    back (nothing is counted or sent). Prunes counts older than the window.

    Not an audit event, like a failed sign-in: anyone can cause one, and the address typed may
    be personal data of someone who is not staff.
    """
    at = now or timezone.now()
    with transaction.atomic():
        PasswordResetRequest.objects.filter(at__lte=at - reset_rule().window).delete()
        if not password_reset_allowed(email, client_ip, at):
            return False
        PasswordResetRequest.objects.create(
            email=normalize_email_address(email), client_ip=client_ip, at=at
        )
    return True


def do_create_first_administrator(*, email: str) -> User | None:
    """Create an administrator (unusable password) when the site has no active one.

    Returns the new administrator, or ``None`` when an active administrator exists. Refuses,
    naming the address, when ``email`` already belongs to someone who is not an administrator.
    """
    with transaction.atomic():
        if User.objects.filter(holders_of(Permission.MANAGE_STAFF)).exists():
            return None
        if User.objects.filter(email=normalize_email_address(email)).exists():
            raise StaffChangeRefused(
                f"There is no active administrator, and {email} already belongs to another "
                "staff member; set HIREPROOF_ADMIN_EMAIL to a new address."
            )
        user = User.objects.create_user(
            email, None, full_name="Administrator", role=Role.ADMINISTRATOR
        )
        record_event(EventType.STAFF_INVITED, actor="system", public=_staff_public(user))
    return user


def _refuse_leaving_no_administrator(member: User) -> None:
    """Refuse taking ``member`` out of the active administrators when no other remains.

    Whoever manages staff: the site must always keep one, or nobody could ever manage it again.
    Runs inside the change's transaction with the administrators' rows locked, so two
    administrators stepping each other down at once cannot both pass.
    """
    if not has_permission(member, Permission.MANAGE_STAFF):
        return
    managers = User.objects.select_for_update().filter(holders_of(Permission.MANAGE_STAFF))
    if not any(other.pk != member.pk for other in managers):
        raise StaffChangeRefused(
            f"{member.full_name} is the last active administrator; keep at least one."
        )


# --- API keys ---------------------------------------------------------------------------------

MAX_KEY_NAME = 100
MAX_KEY_DAYS = 3650
CLI_ACTOR = "cli"


class ApiKeyRefused(Exception):
    """An API key that cannot be created as asked; ``str()`` says why."""


def do_create_api_key(
    *,
    actor: User | None,
    name: str,
    owner: User,
    scopes: list[Scope] | list[str],
    expires_in_days: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key acting as ``owner`` within ``scopes``; returns it and the key itself.

    The key is returned once and never stored (only its hash is). ``actor`` is the administrator
    creating it, ``None`` for the command line. Records ``api_key.created`` (the key's id, owner,
    scopes and expiry; never the key). Refused (``ApiKeyRefused``) for an empty or long name, no
    scope or an unknown one, an inactive owner, a scope that opens nothing the owner's role
    holds, or an expiry outside 1 to 3650 days.
    """
    at = now or timezone.now()
    label = name.strip()
    if not label or len(label) > MAX_KEY_NAME:
        raise ApiKeyRefused(f"Name the key in 1 to {MAX_KEY_NAME} characters.")
    chosen = _scopes(scopes)
    if not owner.is_active:
        raise ApiKeyRefused(f"{owner.email} is deactivated: a key acts as an active staff member.")
    held = role_permissions(owner.role)
    useless = sorted(str(scope) for scope in chosen if not SCOPE_PERMISSIONS[scope] & held)
    if useless:
        raise ApiKeyRefused(
            f"The scope {', '.join(useless)} opens nothing a {owner.role} may do; "
            "choose another owner or leave it out."
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_KEY_DAYS:
        raise ApiKeyRefused(f"A key expires after 1 to {MAX_KEY_DAYS} days (or never).")
    raw = new_key()
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=label,
            owner=owner,
            key_hash=hash_key(raw),
            prefix=raw[:12],
            scopes=" ".join(sorted(str(scope) for scope in chosen)),
            created_at=at,
            created_by=actor,
            expires_at=at + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        record_event(
            EventType.API_KEY_CREATED,
            actor=actor.audit_actor if actor is not None else CLI_ACTOR,
            public=_key_public(key),
            at=at,
        )
    return key, raw


def do_revoke_api_key(*, actor: User | None, key: ApiKey, now: datetime | None = None) -> ApiKey:
    """Stop ``key`` from working, for good; records ``api_key.revoked`` (once)."""
    at = now or timezone.now()
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=at)
        if revoked:
            key.revoked_at = at
            record_event(
                EventType.API_KEY_REVOKED,
                actor=actor.audit_actor if actor is not None else CLI_ACTOR,
                public={"api_key_id": key.pk, "owner_id": key.owner_id},
                at=at,
            )
    return key


def _scopes(scopes: list[Scope] | list[str]) -> list[Scope]:
    if not scopes:
        raise ApiKeyRefused("Give the key at least one scope.")
    chosen = []
    for scope in scopes:
        try:
            chosen.append(Scope(scope))
        except ValueError:
            known = ", ".join(Scope)
            raise ApiKeyRefused(f"Unknown scope {scope!r}: the scopes are {known}.") from None
    return sorted(set(chosen))


def _key_public(key: ApiKey) -> dict[str, object]:
    return {
        "api_key_id": key.pk,
        "owner_id": key.owner_id,
        "scopes": key.scopes.split(),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
    }
