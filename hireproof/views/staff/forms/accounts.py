"""Forms of the accounts pages: sign-in with throttling, inviting staff, changing a role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from hireproof.accounts.actions import do_record_failed_sign_in
from hireproof.accounts.models import User, normalize_email_address
from hireproof.accounts.roles import Role
from hireproof.accounts.throttle import sign_in_locked_until
from hireproof.views.staff.csv_import import refused_character


def client_ip_of(request: HttpRequest) -> str:
    """The client's address as the server saw it.

    Behind a reverse proxy, ``hireproof serve --trusted-proxy ADDRESS`` has waitress set it
    from that proxy's ``X-Forwarded-For``; the header is never trusted here, from anyone.
    """
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def describe_wait(until: datetime, now: datetime) -> str:
    """``"at 12:45 UTC (in 14 minutes)"``: when a lock ends, in plain words."""
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"at {until:%H:%M} UTC (in {minutes} {unit})"


class SignInForm(AuthenticationForm):
    """Email and password, refused for a while after repeated failures."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match an active account. "
        "Check both and try again.",
        "inactive": "That email and password don't match an active account. "
        "Check both and try again.",
    }

    def clean(self) -> dict[str, Any]:
        email = normalize_email_address(self.cleaned_data.get("username") or "")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        client_ip = client_ip_of(self.request) if self.request else "unknown"
        now = timezone.now()
        locked_until = sign_in_locked_until(email, client_ip, now)
        if locked_until is not None:
            raise ValidationError(
                "Too many failed sign-ins from here. You can try again "
                f"{describe_wait(locked_until, now)}, or reset your password.",
                code="locked",
            )
        self.user_cache = authenticate(self.request, username=email, password=password)
        if self.user_cache is None:
            do_record_failed_sign_in(email=email, client_ip=client_ip, now=now)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class InviteStaffForm(forms.Form):
    """Who to invite: their email, name and role."""

    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label="Full name", max_length=150)
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def clean_email(self) -> str:
        email = normalize_email_address(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise ValidationError("Someone with this email is already on the staff list.")
        return email

    def clean_full_name(self) -> str:
        name = str(self.cleaned_data["full_name"]).strip()
        if not name:
            raise ValidationError("Enter the person's name.")
        found = refused_character(name)
        if found is not None:
            raise ValidationError(
                f"The name holds a control character ({found}), which no name may hold; remove it."
            )
        return name


class ChangeRoleForm(forms.Form):
    """A staff member's new role."""

    role = forms.ChoiceField(label="Role", choices=Role.choices)
