"""The emails staff receive from their account: the invitation with its set-password link.

The invitation goes to the outbox in the inviting action's transaction, and a task sends it
(``hireproof.platform.mail``). Its link is Django's password-reset token, bound to the account's
state: it works until the password is set, and the outbox empties the row once it is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hireproof.accounts.models import User
from hireproof.platform.mail import Email, encode_email, queue_email, send_queued_email
from hireproof.platform.models import OutboxEmail


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


def invitation_about(user_id: int) -> str:
    """What the outbox calls the invitation emails of staff member ``user_id``."""
    return f"staff {user_id}"


def queue_invitation(user: User, *, base_url: str, invited_by: User | None) -> OutboxEmail:
    """Queue ``user``'s invitation with a fresh one-time set-password link (in the current
    transaction); an earlier invitation still waiting is cancelled."""
    context = {
        "user": user,
        "invited_by": invited_by,
        "link": set_password_url(user, base_url),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "base_url": base_url,
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    email = Email(to=user.email, subject="You are invited to hireproof", body=body)
    return queue_email(
        encode_email(email),
        kind="a staff invitation",
        about=invitation_about(user.pk),
        send=send_queued_email,
        replace=True,
    )
