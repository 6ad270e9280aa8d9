"""Keep a list of each user's sessions, so ending all of them does not scan every session."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from .models import User, UserSession


@receiver(user_logged_in)
def remember_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Record the session a user just signed in with."""
    key = request.session.session_key
    if key:
        UserSession.objects.update_or_create(session_key=key, defaults={"user": user})


@receiver(user_logged_out)
def forget_session(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    """Drop the record of a session that signed out."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def end_all_sessions(user: User) -> int:
    """End every session ``user`` holds, whatever the session engine; returns how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    held = UserSession.objects.filter(user=user)
    keys = list(held.values_list("session_key", flat=True))
    for key in keys:
        store_class(session_key=key).delete()
    held.delete()
    return len(keys)
