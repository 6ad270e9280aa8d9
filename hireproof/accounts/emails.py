"""The emails staff receive from their account: the invitation with its set-password link."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hireproof.accounts.models import User
from hireproof.platform.mail import Email, send_email


def set_password_path(user: User) -> str:
    """The site path of ``user``'s one-time set-password link.

    The token (Django's password-reset token) is bound to the current password hash and last
    sign-in, so it stops working once used, and it expires after ``PASSWORD_RESET_TIMEOUT``.
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:set_password", kwargs={"uidb64": uid, "token": token})


def set_password_url(user: User, base_url: str) -> str:
    """The full one-time set-password link, on the site at ``base_url``."""
    return base_url.rstrip("/") + set_password_path(user)


def send_invitation(user: User, *, base_url: str, invited_by: User | None) -> None:
    """Email ``user`` their invitation with a fresh one-time set-password link."""
    context = {
        "user": user,
        "invited_by": invited_by,
        "link": set_password_url(user, base_url),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "base_url": base_url,
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    send_email(Email(to=user.email, subject="You are invited to hireproof", body=body))
