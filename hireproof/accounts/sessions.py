"""Keep a list of each user's sessions, so ending all of them does not scan every session.

``do_sign_in`` remembers the session it starts and the sign-out page forgets it; deactivating a
member ends every session they hold. Sessions live in the database (Django's default engine,
which the settings keep), so every server process sees the same ones.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest

from hireproof.accounts.models import User, UserSession


def remember_session(request: HttpRequest, user: User) -> None:
    """Record the session ``user`` just signed in with."""
    key = request.session.session_key
    if key:
        UserSession.objects.update_or_create(session_key=key, defaults={"user": user})


def forget_session(request: HttpRequest) -> None:
    """Drop the record of the session that is signing out."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def end_all_sessions(user: User) -> int:
    """End every session ``user`` holds; returns how many."""
    held = UserSession.objects.filter(user=user)
    keys = list(held.values_list("session_key", flat=True))
    for key in keys:
        SessionStore(session_key=key).delete()
    held.delete()
    return len(keys)
