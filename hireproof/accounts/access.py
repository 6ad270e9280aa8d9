"""Who may do what: every role check of the site lives here, and only here.

Each ``access_*`` function either returns what was asked for or raises ``Http404``: to
someone who may not see a thing, a forbidden thing looks exactly like a missing one.
``can_*`` predicates answer the same questions without raising, for navigation and templates.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from .models import Role, User

# What ``request.user`` may be; only an active ``User`` ever passes a check.
AnyUser = AbstractBaseUser | AnonymousUser
View = TypeVar("View", bound=Callable[..., HttpResponse])

STAFF_ROLES = tuple(Role)
PIPELINE_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER, Role.AUDITOR)
PLAYBOOK_ROLES = (Role.ADMINISTRATOR, Role.RECRUITER, Role.INTERVIEWER, Role.AUDITOR)
AUDIT_ROLES = (Role.ADMINISTRATOR, Role.AUDITOR)


def has_role(user: AnyUser, *roles: Role) -> bool:
    """True when ``user`` is signed in, active and holds one of ``roles``."""
    return isinstance(user, User) and user.is_active and user.role in roles


def can_manage_staff(user: AnyUser) -> bool:
    """Administrators invite, deactivate and reactivate staff."""
    return has_role(user, Role.ADMINISTRATOR)


def can_read_audit(user: AnyUser) -> bool:
    """Administrators and auditors read the audit log."""
    return has_role(user, *AUDIT_ROLES)


def can_use_pipeline(user: AnyUser) -> bool:
    """Administrators and recruiters work with openings and candidates; auditors read them."""
    return has_role(user, *PIPELINE_ROLES)


def can_read_playbooks(user: AnyUser) -> bool:
    """Every staff role reads the playbook library."""
    return has_role(user, *PLAYBOOK_ROLES)


def access_role(user: AnyUser, *roles: Role) -> User:
    """``user`` itself when it holds one of ``roles``; otherwise ``Http404``."""
    if not has_role(user, *roles):
        raise Http404("No such page.")
    return cast(User, user)


def access_staff_admin(user: AnyUser) -> User:
    """The administrator ``user``, who may manage staff; otherwise ``Http404``."""
    return access_role(user, Role.ADMINISTRATOR)


def access_staff_member(user: AnyUser, member_id: int) -> User:
    """The staff member ``member_id``, for an administrator to manage; otherwise ``Http404``."""
    access_staff_admin(user)
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise Http404("No such staff member.")
    return member


def staff_required(*roles: Role) -> Callable[[View], View]:
    """Decorate a view: anonymous visitors go to sign-in; staff without ``roles`` get 404.

    With no ``roles``, any active staff member may enter. The view still checks access to
    each object it shows through an ``access_*`` function.
    """
    allowed = roles or STAFF_ROLES

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access_role(request.user, *allowed)
            return view(request, *args, **kwargs)

        return cast(View, guarded)

    return decorate
